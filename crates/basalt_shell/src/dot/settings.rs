//! Dot commands that change or show settings: `.mode`, `.headers`, `.separator`,
//! `.nullvalue`, `.width`, `.echo`, `.bail`, `.timer`, `.changes`, `.print`, `.show`.

use super::{boolean, integer};
use crate::output::{quote_identifier, Mode};
use crate::shell::{fail, DotResult, Flow, Shell};
use std::io::Write;

/// Writes command output to the current output (a failed write is not the command's error).
pub fn write_out(shell: &mut Shell, bytes: &[u8]) -> DotResult {
    let _ = shell.out.write_all(bytes);
    Ok(Flow::Continue)
}

/// The shared shape of the on|off commands: exactly one argument, else the usage line.
fn on_off(args: &[String], usage: &str) -> Result<bool, crate::shell::Failed> {
    match args {
        [_, value] => Ok(boolean(value)),
        _ => fail(usage).map(|_| false),
    }
}

pub fn bail(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.bail = on_off(args, "Usage: .bail on|off")?;
    Ok(Flow::Continue)
}

pub fn changes(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.count_changes = on_off(args, "Usage: .changes on|off")?;
    Ok(Flow::Continue)
}

pub fn echo(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.echo = on_off(args, "Usage: .echo on|off")?;
    Ok(Flow::Continue)
}

pub fn timer(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.timer = on_off(args, "Usage: .timer on|off")?;
    Ok(Flow::Continue)
}

/// `.eqp on|off`; sqlite3's `full` and `trigger` (plans plus bytecode) are not supported yet.
pub fn eqp(shell: &mut Shell, args: &[String]) -> DotResult {
    if let [_, mode] = args {
        if mode.eq_ignore_ascii_case("full") || mode.eq_ignore_ascii_case("trigger") {
            return fail(format!(".eqp {mode} is not supported by Basalt yet"));
        }
    }
    shell.eqp = on_off(args, "Usage: .eqp off|on|trace|trigger|full")?;
    Ok(Flow::Continue)
}

pub fn headers(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.format.headers = on_off(args, "Usage: .headers on|off")?;
    shell.header_set = true;
    Ok(Flow::Continue)
}

/// sqlite3 keeps these settings in 20-byte buffers: longer values are cut to 19 bytes.
fn clip(value: &str) -> String {
    let mut end = value.len().min(19);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_string()
}

pub fn nullvalue(shell: &mut Shell, args: &[String]) -> DotResult {
    match args {
        [_, value] => {
            shell.format.null_value = clip(value);
            Ok(Flow::Continue)
        }
        _ => fail("Usage: .nullvalue STRING"),
    }
}

pub fn separator(shell: &mut Shell, args: &[String]) -> DotResult {
    // sqlite3 applies what it can even when it also complains about the argument count.
    if let Some(column) = args.get(1) {
        shell.format.column_separator = clip(column);
    }
    if let Some(row) = args.get(2) {
        shell.format.row_separator = clip(row);
    }
    if args.len() < 2 || args.len() > 3 {
        return fail("Usage: .separator COL ?ROW?");
    }
    Ok(Flow::Continue)
}

pub fn width(shell: &mut Shell, args: &[String]) -> DotResult {
    shell.format.widths = args[1..].iter().map(|w| integer(w)).collect();
    Ok(Flow::Continue)
}

pub fn print(shell: &mut Shell, args: &[String]) -> DotResult {
    let line = format!("{}\n", args[1..].join(" "));
    write_out(shell, line.as_bytes())
}

/// The `.mode` line for the current mode (aligned modes also show their options).
fn describe_mode(shell: &Shell) -> String {
    let format = &shell.format;
    if format.mode.is_columnar() {
        format!(
            "{} --wrap {} --wordwrap {} --{}quote",
            format.mode.name(),
            format.wrap,
            if format.word_wrap { "on" } else { "off" },
            if format.quote { "" } else { "no" }
        )
    } else {
        format.mode.name().to_string()
    }
}

/// `.mode ?MODE? ?TABLE? ?--wrap N? ?--wordwrap B? ?--ww? ?--quote? ?--noquote?`.
pub fn mode(shell: &mut Shell, args: &[String]) -> DotResult {
    let mut name: Option<String> = None;
    let mut table: Option<&str> = None;
    let (mut wrap, mut word_wrap, mut quote) = (60usize, false, false);
    let option = |arg: &str, want: &str| {
        arg.strip_prefix("--")
            .or_else(|| arg.strip_prefix('-'))
            .is_some_and(|o| o == want)
    };
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].as_str();
        if option(arg, "wrap") && i + 1 < args.len() {
            i += 1;
            wrap = usize::try_from(integer(&args[i])).unwrap_or(0);
        } else if option(arg, "ww") {
            word_wrap = true;
        } else if option(arg, "wordwrap") && i + 1 < args.len() {
            i += 1;
            word_wrap = boolean(&args[i]);
        } else if option(arg, "quote") {
            quote = true;
        } else if option(arg, "noquote") {
            quote = false;
        } else if name.is_none() {
            if arg == "qbox" {
                name = Some("box".into());
                (wrap, word_wrap, quote) = (60, false, true);
            } else {
                name = Some(arg.to_string());
            }
        } else if table.is_none() {
            table = Some(arg);
        } else if arg.starts_with('-') {
            return fail(format!(
                "unknown option: {arg}\noptions:\n  --noquote\n  --quote\n  --wordwrap on/off\n  --wrap N\n  --ww"
            ));
        } else {
            return fail(format!("extra argument: \"{arg}\""));
        }
        i += 1;
    }
    let name = match name {
        Some(name) => name,
        None => {
            let line = format!("current output mode: {}\n", describe_mode(shell));
            write_out(shell, line.as_bytes())?;
            shell.format.mode.name().to_string()
        }
    };
    // Like sqlite3, any prefix of a mode name selects it, first match in this order.
    let is = |full: &str| !name.is_empty() && full.starts_with(name.as_str());
    let format = &mut shell.format;
    let aligned = |format: &mut crate::output::Format, mode: Mode| {
        format.mode = mode;
        (format.wrap, format.word_wrap, format.quote) = (wrap, word_wrap, quote);
    };
    if is("lines") {
        format.mode = Mode::Line;
        format.row_separator = "\n".into();
    } else if is("columns") {
        aligned(format, Mode::Column);
        if !shell.header_set {
            format.headers = true;
        }
        format.row_separator = "\n".into();
    } else if is("list") {
        format.mode = Mode::List;
        format.column_separator = "|".into();
        format.row_separator = "\n".into();
    } else if is("html") {
        format.mode = Mode::Html;
    } else if is("tcl") {
        format.mode = Mode::Tcl;
        format.column_separator = " ".into();
        format.row_separator = "\n".into();
    } else if is("csv") {
        format.mode = Mode::Csv;
        format.column_separator = ",".into();
        format.row_separator = "\r\n".into();
    } else if is("tabs") {
        format.mode = Mode::List;
        format.column_separator = "\t".into();
    } else if is("insert") {
        format.mode = Mode::Insert;
        format.insert_table = quote_identifier(table.unwrap_or("table"));
    } else if is("quote") {
        format.mode = Mode::Quote;
        format.column_separator = ",".into();
        format.row_separator = "\n".into();
    } else if is("ascii") {
        format.mode = Mode::Ascii;
        format.column_separator = "\x1f".into();
        format.row_separator = "\x1e".into();
    } else if is("markdown") {
        aligned(format, Mode::Markdown);
    } else if is("table") {
        aligned(format, Mode::Table);
    } else if is("box") {
        aligned(format, Mode::Box);
    } else if is("count") {
        format.mode = Mode::Count;
    } else if is("off") {
        format.mode = Mode::Off;
    } else if is("json") {
        format.mode = Mode::Json;
    } else {
        return fail(
            "Error: mode should be one of: ascii box column csv html insert json line list \
             markdown qbox quote table tabs tcl",
        );
    }
    Ok(Flow::Continue)
}

/// A C string literal, as `.show` prints separators (sqlite3's `output_c_string`).
fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for b in text.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

pub fn show(shell: &mut Shell, args: &[String]) -> DotResult {
    if args.len() != 1 {
        return fail("Usage: .show");
    }
    let on_off = |b: bool| if b { "on" } else { "off" };
    let widths: String = shell
        .format
        .widths
        .iter()
        .map(|w| format!("{w} "))
        .collect();
    let lines = [
        ("echo", on_off(shell.echo).to_string()),
        ("eqp", on_off(shell.eqp).to_string()),
        ("explain", "auto".to_string()),
        ("headers", on_off(shell.format.headers).to_string()),
        ("mode", describe_mode(shell)),
        ("nullvalue", c_string(&shell.format.null_value)),
        (
            "output",
            shell.out.name.clone().unwrap_or_else(|| "stdout".into()),
        ),
        ("colseparator", c_string(&shell.format.column_separator)),
        ("rowseparator", c_string(&shell.format.row_separator)),
        ("stats", "off".to_string()),
        ("width", widths),
        ("filename", shell.db_name.clone()),
    ];
    let text: String = lines
        .iter()
        .map(|(name, value)| format!("{name:>12}: {value}\n"))
        .collect();
    write_out(shell, text.as_bytes())
}
