//! What the shell test files share: running a program on a script, and the sqlite3 oracle.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What a run printed and how it ended.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub status: Option<i32>,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }
}

/// Runs `program` with `args`, `stdin` as its standard input.
pub fn run(program: &str, args: &[&str], stdin: &str) -> Outcome {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    // A program that stops reading early (`-bail`) closes the pipe; that is not a failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status.code(),
    }
}

pub fn basalt() -> &'static str {
    env!("CARGO_BIN_EXE_basalt")
}

/// Whether the sqlite3 CLI is installed; on CI it must be.
pub fn sqlite3_available() -> bool {
    let available = Command::new("sqlite3").arg("--version").output().is_ok();
    assert!(
        available || std::env::var("CI").is_err(),
        "the sqlite3 CLI is missing (scripts/test.sh installs it)"
    );
    if !available {
        eprintln!("skipped: the sqlite3 CLI is not installed");
    }
    available
}

/// A fresh directory for one test's files.
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("basalt-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
