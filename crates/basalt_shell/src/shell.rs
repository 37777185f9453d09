//! The shell's state and its input loop: lines in, dot commands and SQL statements out, errors
//! reported the way sqlite3 reports them (`Parse error near line 3: …`).

use crate::dot;
use crate::engine::{self, Engine, EngineError, OpenOptions};
use crate::input;
use crate::output::{self, Format, OutputError};
use std::io::{IsTerminal, Write};
use std::time::Instant;

/// The block size of standard output when it is not a terminal (glibc's `BUFSIZ`).
const STDOUT_BUFFER: usize = 8192;

/// Where query output goes: standard output, or the file of `.output`/`.once`.
pub struct Output {
    writer: Box<dyn Write>,
    /// The file name, for `.show`; `None` for standard output.
    pub name: Option<String>,
}

impl Output {
    /// Standard output, buffered like C's `stdout`: by line on a terminal, in blocks otherwise
    /// (a script's output piped or redirected would cost a write per line, or per field). The
    /// shell flushes it after every statement and dot command, as sqlite3 does.
    pub fn stdout() -> Output {
        let stdout = std::io::stdout();
        let writer: Box<dyn Write> = if stdout.is_terminal() {
            Box::new(stdout)
        } else {
            Box::new(std::io::BufWriter::with_capacity(STDOUT_BUFFER, stdout))
        };
        Output { writer, name: None }
    }

    pub fn stderr() -> Output {
        Output {
            writer: Box::new(std::io::stderr()),
            name: Some("stderr".to_string()),
        }
    }

    pub fn file(path: &str) -> std::io::Result<Output> {
        let file = std::fs::File::create(path)?;
        Ok(Output {
            writer: Box::new(std::io::BufWriter::new(file)),
            name: Some(path.to_string()),
        })
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// What a dot command asks of the input loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `.quit`, `.exit`: stop reading this input.
    Quit,
    /// `.exit N` with N ≠ 0: leave the program now with status N.
    Exit(i32),
}

/// A dot command failed; it has said why on standard error.
#[derive(Debug)]
pub struct Failed;

pub type DotResult = Result<Flow, Failed>;

/// Prints `message` on standard error and fails.
pub fn fail(message: impl std::fmt::Display) -> DotResult {
    eprintln!("{message}");
    Err(Failed)
}

/// One line of input, as `LineSource` delivers it.
pub enum Line {
    Text(String),
    /// Ctrl-C at the prompt: drop what has been typed so far.
    Interrupted,
    End,
}

/// Standard input, a `.read` file or the interactive editor.
pub trait LineSource {
    /// The next line without its line ending; `continuation` says a statement is unfinished
    /// (the interactive prompt changes).
    fn read_line(&mut self, continuation: bool) -> Line;
    /// Interactive input keeps going after errors even with `.bail on`.
    fn is_interactive(&self) -> bool;
}

/// Lines from any reader (standard input when not a terminal, `.read` files).
pub struct ReaderSource<R: std::io::BufRead>(pub R);

impl<R: std::io::BufRead> LineSource for ReaderSource<R> {
    fn read_line(&mut self, _continuation: bool) -> Line {
        let mut bytes = Vec::new();
        match self.0.read_until(b'\n', &mut bytes) {
            Ok(0) | Err(_) => Line::End,
            Ok(_) => {
                if bytes.last() == Some(&b'\n') {
                    bytes.pop();
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                }
                // Valid UTF-8 (the usual case) becomes the line without a copy.
                Line::Text(String::from_utf8(bytes).unwrap_or_else(|invalid| {
                    String::from_utf8_lossy(invalid.as_bytes()).into_owned()
                }))
            }
        }
    }

    fn is_interactive(&self) -> bool {
        false
    }
}

/// sqlite3 caps `.read` nesting at this depth.
const MAX_INPUT_NESTING: usize = 25;

pub struct Shell {
    pub engine: Box<dyn Engine>,
    /// The database name as given (`.show`'s filename); empty for a transient database.
    pub db_name: String,
    pub format: Format,
    /// `.headers` was given explicitly, so `.mode column` leaves it alone.
    pub header_set: bool,
    pub out: Output,
    /// `.once`: the output goes back to stdout after this many more commands (sqlite3's
    /// `outCount`; the `.once` command itself uses one).
    pub once: u8,
    pub echo: bool,
    pub bail: bool,
    pub timer: bool,
    /// `.eqp on`: each statement's query plan is shown before its results.
    pub eqp: bool,
    pub count_changes: bool,
    /// Standard input is a terminal (or `-interactive`): errors carry no line number.
    pub interactive: bool,
    input_nesting: usize,
}

/// Which step of running a statement failed.
#[derive(Clone, Copy)]
enum Phase {
    Prepare,
    Step,
}

/// An SQL error with what sqlite3 shows about it.
pub struct SqlError {
    phase: Phase,
    error: EngineError,
    /// The statement text the error offset points into.
    statement: String,
}

impl SqlError {
    /// sqlite3's `save_err_msg`: "in prepare, MESSAGE (CODE)" plus the error context.
    fn detail(&self) -> String {
        let mut text = self.error.message.clone();
        if self.error.code > 1 {
            text.push_str(&format!(" ({})", self.error.code));
        }
        if let (Phase::Prepare, Some(offset)) = (self.phase, self.error.offset) {
            text.push_str(&error_context(&self.statement, offset));
        }
        text
    }

    /// SQLite's primary result code: sqlite3's exit status when command-line SQL fails.
    pub fn code(&self) -> i32 {
        self.error.code
    }

    /// The whole message as sqlite3 prints it for command-line SQL: `Error: in prepare, …`.
    pub fn full(&self) -> String {
        let phase = match self.phase {
            Phase::Prepare => "in prepare",
            Phase::Step => "stepping",
        };
        format!("{phase}, {}", self.detail())
    }
}

/// Two lines pointing at the error (sqlite3's `shell_error_context`).
fn error_context(sql: &str, offset: usize) -> String {
    let bytes = sql.as_bytes();
    let mut offset = offset.min(bytes.len());
    let mut start = 0;
    while offset > 50 {
        offset -= 1;
        start += 1;
        while start < bytes.len() && bytes[start] & 0xc0 == 0x80 {
            start += 1;
            offset = offset.saturating_sub(1);
        }
    }
    let rest = bytes.get(start..).unwrap_or(&[]);
    let mut len = rest.len();
    if len > 78 {
        len = 78;
        while len > 0 && rest[len] & 0xc0 == 0x80 {
            len -= 1;
        }
    }
    let code: Vec<u8> = rest[..len]
        .iter()
        .map(|&b| if b.is_ascii_whitespace() { b' ' } else { b })
        .collect();
    let code = String::from_utf8_lossy(&code);
    if offset < 25 {
        format!("\n  {code}\n  {}^--- error here", " ".repeat(offset))
    } else {
        format!("\n  {code}\n  {}error here ---^", " ".repeat(offset - 14))
    }
}

impl Shell {
    pub fn new(engine: Box<dyn Engine>, db_name: &str, interactive: bool) -> Shell {
        crate::repl::watch(engine.interrupt_handle());
        Shell {
            engine,
            db_name: db_name.to_string(),
            format: Format::default(),
            header_set: false,
            out: Output::stdout(),
            once: 0,
            echo: false,
            bail: false,
            timer: false,
            eqp: false,
            count_changes: false,
            interactive,
            input_nesting: 0,
        }
    }

    /// Replaces the database (`.open`).
    pub fn reopen(&mut self, path: Option<&str>, options: &OpenOptions) -> Result<(), EngineError> {
        engine::reopen(&mut self.engine, path, options)?;
        crate::repl::watch(self.engine.interrupt_handle());
        self.db_name = path.unwrap_or("").to_string();
        Ok(())
    }

    /// Runs every statement of `sql`, printing results. `Ok(true)` when at least one statement
    /// was compiled (the timer reports only then).
    fn exec(&mut self, sql: &str) -> (bool, Result<(), SqlError>) {
        let mut rest = sql;
        let mut ran = false;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return (ran, Ok(()));
            }
            if self.eqp {
                self.show_plan(rest);
            }
            let prepared = match self.engine.prepare(rest) {
                Ok(Some(prepared)) => prepared,
                Ok(None) => return (ran, Ok(())),
                Err(error) => {
                    let error = SqlError {
                        phase: Phase::Prepare,
                        error,
                        statement: rest.to_string(),
                    };
                    return (ran, Err(error));
                }
            };
            ran = true;
            let tail = prepared.tail.min(rest.len());
            let mut statement = prepared.statement;
            let names = statement.column_names().to_vec();
            let interrupts = crate::repl::interrupt_count();
            let mut next_row = || {
                // The engine forgets an interrupt when the next step starts, so one that
                // lands while a row is being printed is caught here.
                if crate::repl::interrupt_count() != interrupts {
                    return Err(basalt_core::Error::code(basalt_core::ErrorCode::Interrupt).into());
                }
                statement.step()
            };
            let text = rest.get(..tail).unwrap_or(rest);
            let result = if output::query_plan::is_query_plan(text) {
                output::query_plan::write(&mut self.out, &mut next_row)
            } else if output::explain::is_explain(text) {
                output::explain::write(
                    &mut self.out,
                    &self.format.null_value,
                    &names,
                    &mut next_row,
                )
            } else {
                output::write_results(&mut self.out, &self.format, &names, &mut next_row)
            };
            drop(statement);
            if self.format.mode.is_columnar() && self.format.widths.len() < names.len() {
                // sqlite3 grows `.width` to the column count of an aligned query (`.show`
                // then lists the zeros).
                self.format.widths.resize(names.len(), 0);
            }
            match result {
                Ok(_) => {}
                Err(OutputError::Engine(error)) => {
                    let error = SqlError {
                        phase: Phase::Step,
                        error,
                        statement: String::new(),
                    };
                    return (ran, Err(error));
                }
                Err(OutputError::Io(e)) => {
                    let error = SqlError {
                        phase: Phase::Step,
                        error: EngineError::new(format!("output error: {e}")),
                        statement: String::new(),
                    };
                    return (ran, Err(error));
                }
            }
            rest = rest.get(tail..).unwrap_or("");
        }
    }

    /// `.eqp on`: the plan of the first statement of `sql`, drawn as sqlite3 draws it, unless
    /// the statement is an EXPLAIN itself. A statement that cannot be planned shows nothing
    /// here: running it reports the error.
    fn show_plan(&mut self, sql: &str) {
        let Ok(Some((_, tail))) = basalt_parser::parse_first(sql) else {
            return;
        };
        let text = sql.get(..tail).unwrap_or(sql);
        if output::explain::is_explain(text) || output::query_plan::is_query_plan(text) {
            return;
        }
        let plan_sql = format!("EXPLAIN QUERY PLAN {text}");
        let Ok(Some(prepared)) = self.engine.prepare(&plan_sql) else {
            return;
        };
        let mut statement = prepared.statement;
        let mut next_row = || statement.step();
        let _ = output::query_plan::write(&mut self.out, &mut next_row);
    }

    /// Runs SQL given on the command line or with `-cmd` (no line numbers; sqlite3's
    /// `Error: in prepare, …` form).
    pub fn run_sql_argument(&mut self, sql: &str) -> Result<(), SqlError> {
        let (_, result) = self.exec(sql);
        let _ = self.out.flush();
        result
    }

    /// sqlite3's `runOneSqlLine`: runs accumulated SQL and reports an error; true on error.
    fn run_sql(&mut self, sql: &str, start_line: usize, from_file: bool) -> bool {
        if self.echo {
            // The whole input as read, once (not statement by statement).
            let _ = writeln!(self.out, "{sql}");
        }
        let started = self.timer.then(Timer::start);
        let (ran, result) = self.exec(sql);
        let _ = self.out.flush();
        if let (Some(timer), true) = (started, ran) {
            timer.report();
        }
        match result {
            Err(error) => {
                let kind = match error.phase {
                    Phase::Prepare => "Parse error",
                    Phase::Step => "Runtime error",
                };
                if from_file || !self.interactive {
                    eprintln!("{kind} near line {start_line}: {}", error.detail());
                } else {
                    eprintln!("{kind}: {}", error.detail());
                }
                true
            }
            Ok(()) => {
                if self.count_changes {
                    let _ = writeln!(
                        self.out,
                        "changes: {}   total_changes: {}",
                        self.engine.changes(),
                        self.engine.total_changes()
                    );
                }
                false
            }
        }
    }

    /// Runs one dot command and applies `.once`'s countdown.
    pub fn dot_command(&mut self, line: &str) -> DotResult {
        let result = dot::run(self, line);
        let _ = self.out.flush();
        if self.once > 0 {
            self.once -= 1;
            if self.once == 0 {
                self.out = Output::stdout();
            }
        }
        result
    }

    /// sqlite3's `process_input`: reads `source` to its end (or `.quit`), running dot commands
    /// and complete statements. `Ok(true)` when any command failed; `Err(code)` for `.exit N`.
    pub fn process_input(&mut self, source: &mut dyn LineSource) -> Result<bool, i32> {
        if self.input_nesting == MAX_INPUT_NESTING {
            eprintln!(
                "Input nesting limit ({MAX_INPUT_NESTING}) reached at line 0. Check recursion."
            );
            return Ok(true);
        }
        self.input_nesting += 1;
        let result = self.read_all(source);
        self.input_nesting -= 1;
        result
    }

    fn read_all(&mut self, source: &mut dyn LineSource) -> Result<bool, i32> {
        let from_file = !source.is_interactive();
        let mut errors = 0usize;
        let mut sql = String::new();
        let mut line_number = 0usize;
        let mut start_line = 0usize;
        while errors == 0 || !self.bail || source.is_interactive() {
            let _ = self.out.flush();
            let mut line = match source.read_line(!sql.is_empty()) {
                Line::Text(line) => line,
                Line::Interrupted => {
                    sql.clear();
                    continue;
                }
                Line::End => break,
            };
            if crate::repl::interrupt_count() > 0 && !source.is_interactive() {
                // As in sqlite3, Ctrl-C ends a script (standard input, `.read`) too.
                break;
            }
            line_number += 1;
            if input::is_command_terminator(&line) && input::is_complete(format!("{sql};")) {
                line = ";".to_string();
            }
            if sql.is_empty() && input::is_blank(&line) {
                if self.echo {
                    println!("{line}");
                }
                continue;
            }
            if sql.is_empty() && (line.starts_with('.') || line.starts_with('#')) {
                if self.echo {
                    println!("{line}");
                }
                if line.starts_with('.') {
                    match self.dot_command(&line) {
                        Ok(Flow::Continue) => {}
                        Ok(Flow::Quit) => break,
                        Ok(Flow::Exit(code)) => return Err(code),
                        Err(Failed) => errors += 1,
                    }
                }
                continue;
            }
            if sql.is_empty() {
                sql.push_str(line.trim_start());
                start_line = line_number;
            } else {
                sql.push('\n');
                sql.push_str(&line);
            }
            // The line did end: a trailing `--` comment is closed.
            if input::is_complete_at_line_end(&sql) {
                if input::is_blank(&sql) {
                    if self.echo {
                        println!("{sql}");
                    }
                } else if self.run_sql(&sql, start_line, from_file) {
                    errors += 1;
                }
                sql.clear();
                if self.once > 0 {
                    self.once = 0;
                    self.out = Output::stdout();
                }
            }
        }
        if !input::is_blank(&sql) && self.run_sql(&sql, start_line, from_file) {
            errors += 1;
        }
        Ok(errors > 0)
    }
}

/// `.timer on`: wall-clock and CPU time of a statement, printed as sqlite3 prints them.
struct Timer {
    wall: Instant,
    cpu: (f64, f64),
}

impl Timer {
    fn start() -> Timer {
        Timer {
            wall: Instant::now(),
            cpu: cpu_times(),
        }
    }

    fn report(self) {
        let (user, sys) = cpu_times();
        println!(
            "Run Time: real {:.3} user {:.6} sys {:.6}",
            self.wall.elapsed().as_secs_f64(),
            user - self.cpu.0,
            sys - self.cpu.1
        );
    }
}

/// User and system CPU seconds of this process (Linux `/proc/self/stat`, whose clock ticks
/// are USER_HZ = 100 on every Linux ABI); zeros where that is unavailable.
fn cpu_times() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let Some((_, after)) = stat.rsplit_once(')') else {
        return (0.0, 0.0);
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_context_points_at_the_token() {
        assert_eq!(
            error_context("SELEC 1;", 0),
            "\n  SELEC 1;\n  ^--- error here"
        );
        let long = format!("SELECT {} FROM t;", "x, ".repeat(20));
        assert!(error_context(&long, 60).ends_with("error here ---^"));
    }
}
