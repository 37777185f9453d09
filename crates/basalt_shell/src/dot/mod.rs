//! Dot commands: tokenizing, sqlite3's prefix matching, dispatch, and `.help`.
//!
//! sqlite3 accepts any prefix of a command name that is long enough and tried first, in the
//! order of its source (`.h` is `.headers`, `.d` is `.dump`, `.se` is `.separator`). The
//! [`COMMANDS`] table keeps that order and includes sqlite3's commands Basalt lacks, so that a
//! prefix resolves as it would in sqlite3 and a missing command says so instead of "unknown".

mod files;
mod schema;
mod settings;

use crate::shell::{fail, DotResult, Flow, Shell};

/// How much of a command name must be typed.
#[derive(Clone, Copy)]
enum Min {
    /// At least this many characters of the name.
    Len(usize),
    /// The whole name.
    Exact,
}

type Handler = fn(&mut Shell, &[String]) -> DotResult;

/// sqlite3 3.40's dot commands in the order it tries them; `None` = not in Basalt yet.
const COMMANDS: &[(&str, Min, Option<Handler>)] = &[
    ("auth", Min::Len(1), None),
    ("archive", Min::Len(1), None),
    ("backup", Min::Len(3), None),
    ("save", Min::Len(3), None),
    ("bail", Min::Len(3), Some(settings::bail)),
    ("binary", Min::Len(3), None),
    ("breakpoint", Min::Len(3), None),
    ("cd", Min::Exact, None),
    ("changes", Min::Len(3), Some(settings::changes)),
    ("check", Min::Len(3), None),
    ("clone", Min::Len(1), None),
    ("connection", Min::Len(1), None),
    ("databases", Min::Len(2), Some(schema::databases)),
    ("dbconfig", Min::Len(3), None),
    ("dbinfo", Min::Len(3), Some(schema::dbinfo)),
    ("dump", Min::Len(1), Some(schema::dump)),
    ("echo", Min::Len(1), Some(settings::echo)),
    ("eqp", Min::Len(1), Some(settings::eqp)),
    ("exit", Min::Len(1), Some(files::exit)),
    ("explain", Min::Len(1), None),
    ("expert", Min::Len(1), None),
    ("filectrl", Min::Len(1), None),
    ("fullschema", Min::Len(1), Some(schema::fullschema)),
    ("headers", Min::Len(1), Some(settings::headers)),
    ("help", Min::Len(1), Some(help)),
    ("import", Min::Len(1), Some(files::import)),
    ("imposter", Min::Len(1), None),
    ("limits", Min::Len(5), None),
    ("lint", Min::Len(3), None),
    ("load", Min::Len(1), None),
    ("log", Min::Len(1), None),
    ("mode", Min::Len(1), Some(settings::mode)),
    ("nonce", Min::Exact, None),
    ("nullvalue", Min::Len(1), Some(settings::nullvalue)),
    ("open", Min::Len(2), Some(files::open)),
    ("output", Min::Len(1), Some(files::output)),
    ("once", Min::Len(1), Some(files::once)),
    ("excel", Min::Exact, None),
    ("parameter", Min::Len(3), None),
    ("print", Min::Len(3), Some(settings::print)),
    ("progress", Min::Len(3), None),
    ("prompt", Min::Len(1), None),
    ("quit", Min::Len(1), Some(files::quit)),
    ("read", Min::Len(3), Some(files::read)),
    ("restore", Min::Len(3), None),
    ("scanstats", Min::Len(1), None),
    ("schema", Min::Len(1), Some(schema::schema)),
    ("selecttrace", Min::Exact, None),
    ("selftest", Min::Len(4), None),
    ("separator", Min::Len(1), Some(settings::separator)),
    ("sha3sum", Min::Len(4), None),
    ("shell", Min::Len(1), None),
    ("system", Min::Len(1), None),
    ("show", Min::Len(1), Some(settings::show)),
    ("stats", Min::Len(1), None),
    ("tables", Min::Len(2), Some(schema::tables)),
    ("indices", Min::Len(1), Some(schema::indexes)),
    ("indexes", Min::Len(1), Some(schema::indexes)),
    ("testcase", Min::Exact, None),
    ("testctrl", Min::Len(8), None),
    ("timeout", Min::Len(5), None),
    ("timer", Min::Len(5), Some(settings::timer)),
    ("trace", Min::Len(1), None),
    ("version", Min::Len(1), None),
    ("vfsinfo", Min::Len(1), None),
    ("vfslist", Min::Len(1), None),
    ("vfsname", Min::Len(1), None),
    ("wheretrace", Min::Len(1), None),
    ("width", Min::Len(1), Some(settings::width)),
];

/// Runs one dot-command line (starting with `.`).
pub fn run(shell: &mut Shell, line: &str) -> DotResult {
    let args = tokenize(line.strip_prefix('.').unwrap_or(line));
    let Some(word) = args.first() else {
        return Ok(Flow::Continue);
    };
    let found = COMMANDS.iter().find(|(name, min, _)| match min {
        Min::Exact => word == name,
        Min::Len(n) => word.len() >= *n && name.starts_with(word.as_str()),
    });
    match found {
        Some((_, _, Some(handler))) => handler(shell, &args),
        Some((name, _, None)) => fail(format!("Error: .{name} is not supported by Basalt yet")),
        None => fail(format!(
            "Error: unknown command or invalid arguments:  \"{word}\". Enter \".help\" for help"
        )),
    }
}

/// sqlite3's argument splitting: white space separates words; `'…'` is literal, `"…"` and
/// bare words get C backslash escapes (`\t`, `\n`, `\\`, `\NNN` octal …).
fn tokenize(line: &str) -> Vec<String> {
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let quote = bytes[i];
        if quote == b'\'' || quote == b'"' {
            i += 1;
            let start = i;
            while i < bytes.len() && bytes[i] != quote {
                if bytes[i] == b'\\' && quote == b'"' && i + 1 < bytes.len() {
                    i += 1;
                }
                i += 1;
            }
            let word = &bytes[start..i.min(bytes.len())];
            i += 1;
            args.push(if quote == b'"' {
                resolve_backslashes(word)
            } else {
                String::from_utf8_lossy(word).into_owned()
            });
        } else {
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            args.push(resolve_backslashes(&bytes[start..i]));
        }
    }
    args
}

/// sqlite3's `resolve_backslashes`.
pub fn resolve_backslashes(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c != b'\\' || i + 1 >= text.len() {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let e = text[i];
        i += 1;
        out.push(match e {
            b'a' => 7,
            b'b' => 8,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 11,
            b'f' => 12,
            b'r' => b'\r',
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match text.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                // C keeps the low byte of an octal escape above \377.
                (value & 0xff) as u8
            }
            // `\"`, `\'`, `\\` and unknown escapes give the character itself.
            other => other,
        });
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// sqlite3's `booleanValue`: on/yes/off/no, or a number. Anything else is "no", with a
/// complaint.
pub fn boolean(word: &str) -> bool {
    let digits = if let Some(hex) = word.strip_prefix("0x") {
        (!hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| i64::from_str_radix(hex, 16).unwrap_or(1))
    } else if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        Some(word.parse::<i64>().unwrap_or(1))
    } else {
        None
    };
    if let Some(value) = digits {
        return value & 0xffff_ffff != 0;
    }
    match word.to_ascii_lowercase().as_str() {
        "on" | "yes" => true,
        "off" | "no" => false,
        _ => {
            eprintln!("ERROR: Not a boolean value: \"{word}\". Assuming \"no\".");
            false
        }
    }
}

/// sqlite3's `integerValue`: an optional sign, decimal or `0x` hex digits (as far as they
/// go), and an optional size suffix (KiB, MB, …).
pub fn integer(word: &str) -> i64 {
    let (negative, mut rest) = match word.as_bytes().first() {
        Some(b'-') => (true, &word[1..]),
        Some(b'+') => (false, &word[1..]),
        _ => (false, word),
    };
    let mut value: i64 = 0;
    if let Some(hex) = rest.strip_prefix("0x") {
        let digits = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
        for d in hex[..digits].chars().filter_map(|c| c.to_digit(16)) {
            value = value.wrapping_shl(4).wrapping_add(i64::from(d));
        }
        rest = &hex[digits..];
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        for d in rest[..digits].bytes() {
            value = value.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
        }
        rest = &rest[digits..];
    }
    const SUFFIXES: [(&str, i64); 9] = [
        ("KiB", 1024),
        ("MiB", 1024 * 1024),
        ("GiB", 1024 * 1024 * 1024),
        ("KB", 1000),
        ("MB", 1_000_000),
        ("GB", 1_000_000_000),
        ("K", 1000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
    ];
    if let Some((_, factor)) = SUFFIXES.iter().find(|(s, _)| s.eq_ignore_ascii_case(rest)) {
        value = value.wrapping_mul(*factor);
    }
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// sqlite3's help text for the commands Basalt has (sqlite3's wording; options Basalt does not
/// offer are left out).
const HELP: &[&str] = &[
    ".bail on|off             Stop after hitting an error.  Default OFF",
    ".changes on|off          Show number of rows changed by SQL",
    ".databases               List names and files of attached databases",
    ".dbinfo ?DB?             Show status information about the database",
    ".dump ?OBJECTS?          Render database content as SQL",
    "   Options:",
    "     --data-only            Output only INSERT statements",
    "     --newlines             Allow unescaped newline characters in output",
    "     --nosys                Omit system tables (ex: \"sqlite_stat1\")",
    "     --preserve-rowids      Include ROWID values in the output",
    "   OBJECTS is a LIKE pattern for tables, indexes, triggers or views to dump",
    "   Additional LIKE patterns can be given in subsequent arguments",
    ".echo on|off             Turn command echo on or off",
    ".exit ?CODE?             Exit this program with return-code CODE",
    ".headers on|off          Turn display of headers on or off",
    ".help ?-all? ?PATTERN?   Show help text for PATTERN",
    ".import FILE TABLE       Import data from FILE into TABLE",
    "   Options:",
    "     --ascii               Use \\037 and \\036 as column and row separators",
    "     --csv                 Use , and \\n as column and row separators",
    "     --skip N              Skip the first N rows of input",
    "     --schema S            Target table to be S.TABLE",
    "     -v                    \"Verbose\" - increase auxiliary output",
    "   Notes:",
    "     *  If TABLE does not exist, it is created.  The first row of input",
    "        determines the column names.",
    "     *  If neither --csv or --ascii are used, the input mode is derived",
    "        from the \".mode\" output mode",
    ".indexes ?TABLE?         Show names of indexes",
    "                           If TABLE is specified, only show indexes for",
    "                           tables matching TABLE using the LIKE operator.",
    ".mode MODE ?OPTIONS?     Set output mode",
    "   MODE is one of:",
    "     ascii       Columns/rows delimited by 0x1F and 0x1E",
    "     box         Tables using unicode box-drawing characters",
    "     csv         Comma-separated values",
    "     column      Output in columns.  (See .width)",
    "     html        HTML <table> code",
    "     insert      SQL insert statements for TABLE",
    "     json        Results in a JSON array",
    "     line        One value per line",
    "     list        Values delimited by \"|\"",
    "     markdown    Markdown table format",
    "     qbox        Shorthand for \"box --width 60 --quote\"",
    "     quote       Escape answers as for SQL",
    "     table       ASCII-art table",
    "     tabs        Tab-separated values",
    "     tcl         TCL list elements",
    "   OPTIONS: (for columnar modes or insert mode):",
    "     --wrap N       Wrap output lines to no longer than N characters",
    "     --wordwrap B   Wrap or not at word boundaries per B (on/off)",
    "     --ww           Shorthand for \"--wordwrap 1\"",
    "     --quote        Quote output text as SQL literals",
    "     --noquote      Do not quote output text",
    "     TABLE          The name of SQL table used for \"insert\" mode",
    ".nullvalue STRING        Use STRING in place of NULL values",
    ".once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE",
    "       --bom  Put a UTF8 byte-order mark at the beginning",
    ".open ?OPTIONS? ?FILE?   Close existing database and reopen FILE",
    "     Options:",
    "        --new           Initialize FILE to an empty database",
    "        --readonly      Open FILE readonly",
    ".output ?FILE?           Send output to FILE or stdout if FILE is omitted",
    "   Options:",
    "     --bom                 Prefix output with a UTF8 byte-order mark",
    ".print STRING...         Print literal STRING",
    ".quit                    Exit this program",
    ".read FILE               Read input from FILE",
    ".schema ?PATTERN?        Show the CREATE statements matching PATTERN",
    "   Options:",
    "      --nosys              Omit objects whose names start with \"sqlite_\"",
    ".separator COL ?ROW?     Change the column and row separators",
    ".show                    Show the current values for various settings",
    ".tables ?TABLE?          List names of tables matching LIKE pattern TABLE",
    ".timer on|off            Turn SQL timer on or off",
    ".width NUM1 NUM2 ...     Set minimum column widths for columnar output",
    "     Negative values right-justify",
];

/// `.help ?-all? ?PATTERN?` (sqlite3's `showHelp`).
fn help(shell: &mut Shell, args: &[String]) -> DotResult {
    let mut text = String::new();
    let matched = help_text(args.get(1).map(String::as_str), &mut text);
    if matched == 0 {
        if let Some(pattern) = args.get(1) {
            text = format!("Nothing matches '{pattern}'\n");
        }
    }
    settings::write_out(shell, text.as_bytes())
}

/// Appends the help lines `pattern` selects to `out`; returns how many commands matched.
fn help_text(pattern: Option<&str>, out: &mut String) -> usize {
    let mut push = |line: &str| {
        out.push_str(line);
        out.push('\n');
    };
    let all = matches!(pattern, Some("-a" | "-all" | "--all"))
        || pattern.is_some_and(|p| p.starts_with('0'));
    if pattern.is_none() || all {
        // One line per command, or every line with -all.
        let lines: Vec<&&str> = HELP.iter().filter(|l| all || l.starts_with('.')).collect();
        for line in &lines {
            push(line);
        }
        return lines.len();
    }
    let pattern = pattern.unwrap_or("");
    let prefix = format!(".{pattern}");
    let starts: Vec<usize> = (0..HELP.len())
        .filter(|&i| HELP[i].starts_with(&prefix))
        .collect();
    if let [only] = starts[..] {
        // A prefix of exactly one command shows its details too.
        push(HELP[only]);
        // sqlite3's loop never reaches the very last help line; neither does this one.
        let details = HELP.get(only + 1..HELP.len() - 1).unwrap_or(&[]);
        for line in details.iter().take_while(|l| !l.starts_with('.')) {
            push(line);
        }
        return 1;
    }
    if !starts.is_empty() {
        for &i in &starts {
            push(HELP[i]);
        }
        return starts.len();
    }
    // Otherwise every command whose text mentions the pattern, in full.
    let needle = pattern.to_ascii_lowercase();
    let mut matched = 0;
    let mut i = 0;
    while i < HELP.len() {
        let end = (i + 1..HELP.len())
            .find(|&j| HELP[j].starts_with('.'))
            .unwrap_or(HELP.len());
        if HELP[i..end]
            .iter()
            .any(|l| l.to_ascii_lowercase().contains(&needle))
        {
            for line in &HELP[i..end] {
                push(line);
            }
            matched += 1;
        }
        i = end;
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizing_like_sqlite3() {
        assert_eq!(tokenize("mode  csv"), ["mode", "csv"]);
        assert_eq!(
            tokenize("print 'a b' \"c\\td\" e\\n"),
            ["print", "a b", "c\td", "e\n"]
        );
        assert_eq!(tokenize("separator \"\\001\""), ["separator", "\u{1}"]);
        assert_eq!(tokenize("print 'open"), ["print", "open"]);
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(integer("-12"), -12);
        assert_eq!(integer("0x10"), 16);
        assert_eq!(integer("2KiB"), 2048);
        assert_eq!(integer("abc"), 0);
        assert!(boolean("on") && boolean("YES") && boolean("1") && !boolean("0"));
    }

    #[test]
    fn help_patterns() {
        let mut out = String::new();
        assert_eq!(help_text(Some("sep"), &mut out), 1);
        assert_eq!(
            out,
            ".separator COL ?ROW?     Change the column and row separators\n"
        );
        out.clear();
        assert_eq!(help_text(Some("mode"), &mut out), 1);
        assert!(out.ends_with("for \"insert\" mode\n"));
    }
}
