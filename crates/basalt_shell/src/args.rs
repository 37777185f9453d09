//! Command-line options, sqlite3-style: every long option takes one dash or two (`-csv`,
//! `--csv`), the first plain word is the database, later plain words are SQL or dot commands.

use clap::{Arg, ArgAction, ArgMatches, Command};

/// The output modes that have a command-line switch, and the mode name `.mode` knows.
pub const MODE_SWITCHES: &[&str] = &[
    "ascii", "box", "column", "csv", "html", "json", "line", "list", "markdown", "quote", "table",
    "tabs",
];

const FLAGS: &[&str] = &[
    "bail",
    "batch",
    "echo",
    "header",
    "noheader",
    "interactive",
    "readonly",
    "help",
    "version",
    "mcp",
];
const VALUES: &[&str] = &["cmd", "separator", "newline", "nullvalue"];

pub struct Args {
    pub database: Option<String>,
    /// SQL and dot commands given after the database name.
    pub commands: Vec<String>,
    /// `-cmd` arguments, in order.
    pub init_commands: Vec<String>,
    /// The last mode switch given, by name.
    pub mode: Option<&'static str>,
    pub header: Option<bool>,
    pub separator: Option<String>,
    pub newline: Option<String>,
    pub nullvalue: Option<String>,
    pub bail: bool,
    pub echo: bool,
    pub readonly: bool,
    /// `Some(true)` for -interactive, `Some(false)` for -batch.
    pub interactive: Option<bool>,
    pub help: bool,
    pub version: bool,
    pub mcp: bool,
}

fn command() -> Command {
    let mut command = Command::new("basalt")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(Arg::new("words").num_args(0..).action(ArgAction::Append));
    for name in MODE_SWITCHES.iter().chain(FLAGS) {
        command = command.arg(Arg::new(*name).long(*name).action(ArgAction::SetTrue));
    }
    for name in VALUES {
        command = command.arg(
            Arg::new(*name)
                .long(*name)
                .num_args(1)
                .allow_hyphen_values(true)
                .action(ArgAction::Append),
        );
    }
    command
}

/// sqlite3 spells long options with one dash; clap wants two. Words before the first plain
/// word and between options are rewritten; plain words (SQL) are left alone.
fn normalize(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = vec!["basalt".to_string()];
    let mut takes_value = false;
    for arg in args {
        if takes_value {
            takes_value = false;
            out.push(arg);
            continue;
        }
        let name = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        match name {
            Some(name) if !name.is_empty() => {
                takes_value = VALUES.contains(&name);
                out.push(format!("--{name}"));
            }
            _ => out.push(arg),
        }
    }
    out
}

/// Parses the process arguments (without the program name); the error is sqlite3's message.
pub fn parse(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let matches: ArgMatches =
        command()
            .try_get_matches_from(normalize(args))
            .map_err(|e| match e.kind() {
                clap::error::ErrorKind::UnknownArgument => {
                    let option = e
                        .get(clap::error::ContextKind::InvalidArg)
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let option = option
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_start_matches('-');
                    format!(
                    "basalt: Error: unknown option: -{option}\nUse -help for a list of options."
                )
                }
                _ => format!("basalt: Error: missing argument to {}", e.kind()),
            })?;
    let mut words: Vec<String> = matches
        .get_many::<String>("words")
        .map(|w| w.cloned().collect())
        .unwrap_or_default();
    let database = (!words.is_empty()).then(|| words.remove(0));
    let last = |names: &[&'static str]| {
        names
            .iter()
            .filter(|n| matches.get_flag(n))
            .max_by_key(|n| matches.index_of(n))
            .copied()
    };
    let values = |name: &str| -> Vec<String> {
        matches
            .get_many::<String>(name)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let header = last(&["header", "noheader"]).map(|h| h == "header");
    let interactive = last(&["interactive", "batch"]).map(|i| i == "interactive");
    Ok(Args {
        database,
        commands: words,
        init_commands: values("cmd"),
        mode: last(MODE_SWITCHES),
        header,
        separator: values("separator").pop(),
        newline: values("newline").pop(),
        nullvalue: values("nullvalue").pop(),
        bail: matches.get_flag("bail"),
        echo: matches.get_flag("echo"),
        readonly: matches.get_flag("readonly"),
        interactive,
        help: matches.get_flag("help"),
        version: matches.get_flag("version"),
        mcp: matches.get_flag("mcp"),
    })
}

/// `--help`, in sqlite3's layout.
pub const USAGE: &str = "\
Usage: basalt [OPTIONS] FILENAME [SQL]
FILENAME is the name of an SQLite database. A new database is created
if the file does not previously exist.
OPTIONS include:
   -ascii               set output mode to 'ascii'
   -bail                stop after hitting an error
   -batch               force batch I/O
   -box                 set output mode to 'box'
   -column              set output mode to 'column'
   -cmd COMMAND         run \"COMMAND\" before reading stdin
   -csv                 set output mode to 'csv'
   -echo                print commands before execution
   -[no]header          turn headers on or off
   -help                show this message
   -html                set output mode to HTML
   -interactive         force interactive I/O
   -json                set output mode to 'json'
   -line                set output mode to 'line'
   -list                set output mode to 'list'
   -markdown            set output mode to 'markdown'
   -mcp                 serve the Model Context Protocol on stdin/stdout
   -newline SEP         set output row separator. Default: '\\n'
   -nullvalue TEXT      set text string for NULL values. Default ''
   -quote               set output mode to 'quote'
   -readonly            open the database read-only
   -separator SEP       set output column separator. Default: '|'
   -table               set output mode to 'table'
   -tabs                set output mode to 'tabs'
   -version             show Basalt version
";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Args {
        parse(words.iter().map(|w| w.to_string())).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn single_and_double_dash() {
        let args = parse_words(&["-csv", "db", "--json", "-header", "SELECT 1", ".tables"]);
        assert_eq!(args.mode, Some("json"));
        assert_eq!(args.header, Some(true));
        assert_eq!(args.database.as_deref(), Some("db"));
        assert_eq!(args.commands, ["SELECT 1", ".tables"]);
        let args = parse_words(&["-separator", "-", "-cmd", ".mode box", "-nullvalue", "N"]);
        assert_eq!(args.separator.as_deref(), Some("-"));
        assert_eq!(args.init_commands, [".mode box"]);
        assert!(parse(["-bogus".to_string()].into_iter()).is_err());
    }
}
