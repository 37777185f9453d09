//! `basalt`: the command-line shell, an sqlite3 look-alike on Basalt's engine.
//!
//! `main` only wires the pieces: `args` parses the command line, `engine` is the database seam,
//! `shell` runs input (from `repl` when interactive), `dot` and `output` do sqlite3's dot
//! commands and output modes, `mcp` serves the Model Context Protocol instead of a shell.

mod args;
mod catalog;
mod dot;
mod engine;
mod input;
mod mcp;
mod output;
mod repl;
mod shell;

use std::io::IsTerminal;
use std::process::ExitCode;

fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1))
}

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if args.help {
        print!("{}", args::USAGE);
        return ExitCode::SUCCESS;
    }
    if args.version {
        println!("Basalt {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if args.mcp {
        return exit_code(mcp::serve(args.database.as_deref(), &open_options(&args)));
    }
    exit_code(run_shell(&args))
}

fn open_options(args: &args::Args) -> engine::OpenOptions {
    engine::OpenOptions {
        read_only: args.readonly,
    }
}

fn run_shell(args: &args::Args) -> i32 {
    let options = open_options(args);
    let engine = match engine::open(args.database.as_deref(), &options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!(
                "Error: unable to open database \"{}\": {e}",
                args.database.as_deref().unwrap_or("")
            );
            return 1;
        }
    };
    repl::install_interrupt_handler();
    let interactive = args
        .interactive
        .unwrap_or_else(|| std::io::stdin().is_terminal());
    let name = args.database.as_deref().unwrap_or(":memory:");
    let mut shell = shell::Shell::new(engine, name, interactive);
    apply_options(&mut shell, args);
    for command in &args.init_commands {
        match run_argument(&mut shell, command) {
            Step::Quit if shell.bail => return 0,
            Step::Fail(code) if shell.bail => return code,
            _ => {}
        }
    }
    if !args.commands.is_empty() {
        for command in &args.commands {
            // Like sqlite3, the first failure (or `.quit`) ends the list.
            match run_argument(&mut shell, command) {
                Step::Next => {}
                Step::Quit => return 0,
                Step::Fail(code) => return code,
            }
        }
        return 0;
    }
    let result = if interactive {
        let transient = args.database.is_none() && args.commands.is_empty();
        repl::run(&mut shell, transient)
    } else {
        let stdin = std::io::stdin();
        shell.process_input(&mut shell::ReaderSource(stdin.lock()))
    };
    match result {
        Ok(failed) => i32::from(failed),
        Err(code) => code,
    }
}

/// The command-line settings, applied as sqlite3 applies them.
fn apply_options(shell: &mut shell::Shell, args: &args::Args) {
    let format = &mut shell.format;
    if let Some(mode) = args.mode {
        // Unlike `.mode`, the switches change only what they name (`-csv` keeps "\n").
        format.mode = match mode {
            "ascii" => output::Mode::Ascii,
            "box" => output::Mode::Box,
            "column" => output::Mode::Column,
            "csv" => output::Mode::Csv,
            "html" => output::Mode::Html,
            "json" => output::Mode::Json,
            "line" => output::Mode::Line,
            "markdown" => output::Mode::Markdown,
            "quote" => output::Mode::Quote,
            "table" => output::Mode::Table,
            _ => output::Mode::List,
        };
        match mode {
            "csv" => format.column_separator = ",".into(),
            "quote" => {
                format.column_separator = ",".into();
                format.row_separator = "\n".into();
            }
            "tabs" => {
                format.column_separator = "\t".into();
                format.row_separator = "\n".into();
            }
            "ascii" => {
                format.column_separator = "\x1f".into();
                format.row_separator = "\x1e".into();
            }
            _ => {}
        }
    }
    if let Some(separator) = &args.separator {
        format.column_separator = separator.clone();
    }
    if let Some(newline) = &args.newline {
        format.row_separator = newline.clone();
    }
    if let Some(null) = &args.nullvalue {
        format.null_value = null.clone();
    }
    if let Some(header) = args.header {
        format.headers = header;
        shell.header_set = true;
    }
    shell.echo = args.echo;
    shell.bail = args.bail;
}

/// What a command-line command asks for next.
enum Step {
    Next,
    Quit,
    Fail(i32),
}

/// A dot command or SQL from the command line (or `-cmd`).
fn run_argument(shell: &mut shell::Shell, command: &str) -> Step {
    if command.starts_with('.') {
        return match shell.dot_command(command) {
            Ok(shell::Flow::Continue) => Step::Next,
            Ok(shell::Flow::Quit) => Step::Quit,
            Ok(shell::Flow::Exit(code)) => Step::Fail(code),
            Err(shell::Failed) => Step::Fail(1),
        };
    }
    match shell.run_sql_argument(command) {
        Ok(()) => Step::Next,
        Err(error) => {
            eprintln!("Error: {}", error.full());
            Step::Fail(error.code())
        }
    }
}
