//! Another process for the multi-process tests: the test binary run again on its own test
//! `child_process_part`, told by environment variables which part to play on which database.
//! It reports on stdout (`CHILD <report>` lines) and waits on stdin (a line per step; closing
//! stdin ends it).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The variable naming the part the child plays.
pub const CHILD_PART: &str = "BASALT_CHILD_PART";
/// The variable naming the database the child opens.
pub const CHILD_DB: &str = "BASALT_CHILD_DB";

/// A child process playing `part` on the database at `path`.
pub struct Other {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: BufReader<ChildStdout>,
}

impl Other {
    pub fn start(part: &str, path: &str) -> Other {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "child_process_part",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_PART, part)
            .env(CHILD_DB, path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap());
        let stdin = child.stdin.take();
        Other {
            child,
            stdin,
            lines,
        }
    }

    /// The child's next report (`CHILD <report>` on a line).
    pub fn next(&mut self) -> String {
        loop {
            let mut line = String::new();
            assert_ne!(
                self.lines.read_line(&mut line).unwrap(),
                0,
                "the child ended"
            );
            if let Some(at) = line.find("CHILD ") {
                return line[at + "CHILD ".len()..].trim_end().to_string();
            }
        }
    }

    /// Tell the child to go on to its next step.
    pub fn go_on(&mut self) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "go").unwrap();
        stdin.flush().unwrap();
    }

    /// Let the child go (it ends when its stdin closes) and wait for it to end.
    pub fn finish(mut self) {
        drop(self.stdin.take());
        let mut rest = String::new();
        let _ = self.lines.read_to_string(&mut rest);
        assert!(self.child.wait().unwrap().success(), "child failed: {rest}");
    }

    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}
