//! The interactive shell in a pseudo-terminal, as a person uses it: the banner, a statement
//! typed over two lines, dot commands, box output, an error, and Ctrl-D to leave.

use rexpect::session::spawn_command;
use std::process::Command;

const TIMEOUT_MS: u64 = 20_000;

/// rexpect hands the terminal's bytes over one char per byte, so UTF-8 text (the box drawing
/// characters) is matched in that form.
fn as_read(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

#[test]
fn a_session_in_a_terminal() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_basalt"));
    // History goes to a scratch file, never the developer's own.
    let history = std::env::temp_dir().join(format!("basalt-history-{}", std::process::id()));
    command.env("BASALT_HISTORY", &history).env("TERM", "dumb");
    let mut shell = spawn_command(command, Some(TIMEOUT_MS)).expect("spawn basalt in a pty");

    shell
        .exp_string("Enter \".help\" for usage hints.")
        .expect("banner");
    shell
        .exp_string("transient in-memory database")
        .expect("banner names the database");
    shell.exp_string("basalt> ").expect("prompt");

    shell.send_line("CREATE TABLE t(a INTEGER,").expect("type");
    shell
        .exp_string("...> ")
        .expect("continuation prompt for an unfinished statement");
    shell
        .send_line("b TEXT); INSERT INTO t VALUES (1, 'one'), (2, NULL);")
        .expect("type");
    shell
        .exp_string("basalt> ")
        .expect("prompt after the statement");

    shell.send_line(".tables").expect("type");
    shell.exp_string("t").expect(".tables lists t");
    shell.exp_string("basalt> ").expect("prompt");

    shell.send_line(".schema").expect("type");
    shell
        .exp_string("CREATE TABLE t(a INTEGER,")
        .expect(".schema shows the CREATE text");
    shell.exp_string("basalt> ").expect("prompt");

    shell.send_line(".mode box").expect("type");
    shell.exp_string("basalt> ").expect("prompt");
    shell
        .send_line("SELECT a, b FROM t ORDER BY a;")
        .expect("type");
    shell
        .exp_string(&as_read("│ a │  b  │"))
        .expect("box header");
    shell.exp_string(&as_read("│ 1 │ one │")).expect("box row");
    shell.exp_string("basalt> ").expect("prompt");

    shell.send_line("SELECT * FROM missing;").expect("type");
    shell
        .exp_string("no such table: missing")
        .expect("the error is shown");
    shell
        .exp_string("basalt> ")
        .expect("the shell goes on after an error");

    shell.send_control('d').expect("Ctrl-D");
    shell.exp_eof().expect("Ctrl-D leaves the shell");
    let _ = std::fs::remove_file(history);
}
