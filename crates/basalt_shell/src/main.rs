//! `basalt`: the command-line shell.
//!
//! Today it opens a database (a file, or a transient in-memory one) and inspects it with dot
//! commands that need only the storage engine: `.tables`, `.schema`, `.dbinfo`, `.open`. SQL
//! statements are recognised (a statement ends at `;`) and refused with a clear "not supported"
//! error until the query engine exists, so no input is silently ignored.

mod commands;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn usage() -> String {
    format!(
        "Usage: basalt [OPTIONS] [FILENAME [SQL...]]\n\
         FILENAME is the name of a database file. A new one is created if it does not exist;\n\
         without FILENAME, a transient in-memory database is used.\n\
         OPTIONS:\n   \
         --help     show this message\n   \
         --version  show the version (Basalt {VERSION})\n"
    )
}

fn main() -> ExitCode {
    let mut path = None;
    let mut sql = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--help" | "-help" => {
                print!("{}", usage());
                return ExitCode::SUCCESS;
            }
            "--version" | "-version" => {
                println!("Basalt {VERSION}");
                return ExitCode::SUCCESS;
            }
            option if option.starts_with('-') => {
                eprintln!(
                    "basalt: Error: unknown option: {option}\nUse --help for a list of options."
                );
                return ExitCode::FAILURE;
            }
            _ if path.is_none() => path = Some(arg),
            _ => sql.push(arg),
        }
    }
    let mut shell = match commands::Shell::open(path.as_deref()) {
        Ok(shell) => shell,
        Err(e) => {
            eprintln!(
                "Error: unable to open database \"{}\": {e}",
                path.unwrap_or_default()
            );
            return ExitCode::FAILURE;
        }
    };
    if !sql.is_empty() {
        let mut failed = false;
        for line in sql {
            failed |= run_argument(&mut shell, &line).is_err();
        }
        return if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        println!("Basalt v{VERSION}");
        println!("Enter \".help\" for usage hints.");
        if path.is_none() {
            println!("Connected to a transient in-memory database.");
            println!("Use \".open FILENAME\" to reopen on a persistent database.");
        }
    }
    run_loop(&mut shell, interactive)
}

/// An SQL-or-dot-command argument, as sqlite3 runs the words after FILENAME.
fn run_argument(shell: &mut commands::Shell, line: &str) -> Result<(), ()> {
    let mut out = std::io::stdout();
    if line.trim_start().starts_with('.') {
        return shell.dot_command(line.trim(), &mut out).map(|_| ()).map_err(|e| eprintln!("{e}"));
    }
    shell.run_line(line, &mut out)
}

fn run_loop(shell: &mut commands::Shell, interactive: bool) -> ExitCode {
    let stdin = std::io::stdin();
    let mut pending = String::new();
    let mut failed = false;
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            print!(
                "{}",
                if pending.is_empty() {
                    "basalt> "
                } else {
                    "   ...> "
                }
            );
            let _ = std::io::stdout().flush();
        }
        let Some(Ok(line)) = lines.next() else { break };
        if pending.is_empty() && line.trim_start().starts_with('.') {
            match shell.dot_command(line.trim(), &mut std::io::stdout()) {
                Ok(commands::Flow::Quit) => break,
                Ok(commands::Flow::Continue) => {}
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            }
            continue;
        }
        pending.push_str(&line);
        pending.push('\n');
        if commands::is_complete(&pending) {
            failed |= shell.run_line(&pending, &mut std::io::stdout()).is_err();
            pending.clear();
        }
    }
    // Like sqlite3, what is left unterminated at the end of input still runs.
    failed |= shell.run_line(&pending, &mut std::io::stdout()).is_err();
    if failed && !interactive {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
