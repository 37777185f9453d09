//! Interactive use: the banner, line editing and history (rustyline), prompts, Ctrl-C.
//!
//! Ctrl-C at the prompt drops the line being typed; while a statement runs it sets the
//! engine's interrupt (`sqlite3_interrupt`), and a third Ctrl-C before the shell gets
//! control back ends the process, as in sqlite3. Ctrl-D at the prompt ends the session.

use crate::shell::{Line, LineSource, Shell};
use basalt_core::connection::InterruptHandle;
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};
use rustyline::{Config, Editor};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

const PROMPT: &str = "basalt> ";
const CONTINUATION_PROMPT: &str = "   ...> ";
const HISTORY_SIZE: usize = 2000;

static INTERRUPTS: AtomicU32 = AtomicU32::new(0);
static INTERRUPT_TARGET: Mutex<Option<InterruptHandle>> = Mutex::new(None);

/// Routes Ctrl-C to the engine's interrupt (installed once per process).
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTS.fetch_add(1, Ordering::SeqCst) >= 2 {
            std::process::exit(1);
        }
        if let Ok(target) = INTERRUPT_TARGET.lock() {
            if let Some(handle) = target.as_ref() {
                handle.interrupt();
            }
        }
    });
}

/// Makes `handle`'s database the one Ctrl-C interrupts (called whenever one is opened).
pub fn watch(handle: InterruptHandle) {
    if let Ok(mut target) = INTERRUPT_TARGET.lock() {
        *target = Some(handle);
    }
}

/// The shell's control is back at the prompt: the Ctrl-C count starts over.
fn reset_interrupts() {
    INTERRUPTS.store(0, Ordering::SeqCst);
}

/// How many times Ctrl-C was pressed since the last prompt (since the start without one).
pub fn interrupt_count() -> u32 {
    INTERRUPTS.load(Ordering::SeqCst)
}

fn history_path() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("BASALT_HISTORY") {
        return Some(path.into());
    }
    std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".basalt_history"))
}

struct Terminal {
    editor: Editor<(), FileHistory>,
}

impl LineSource for Terminal {
    fn read_line(&mut self, continuation: bool) -> Line {
        reset_interrupts();
        let prompt = if continuation {
            CONTINUATION_PROMPT
        } else {
            PROMPT
        };
        match self.editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = self.editor.add_history_entry(line.as_str());
                }
                Line::Text(line)
            }
            Err(ReadlineError::Interrupted) => Line::Interrupted,
            Err(_) => {
                // Ctrl-D: leave the cursor on a fresh line, as sqlite3 does.
                println!();
                Line::End
            }
        }
    }

    fn is_interactive(&self) -> bool {
        true
    }
}

/// Runs an interactive session; returns whether any command failed, or `.exit`'s code.
pub fn run(shell: &mut Shell, transient_warning: bool) -> Result<bool, i32> {
    println!("Basalt v{}", env!("CARGO_PKG_VERSION"));
    println!("Enter \".help\" for usage hints.");
    if transient_warning {
        println!("Connected to a \x1b[1mtransient in-memory database\x1b[0m.");
        println!("Use \".open FILENAME\" to reopen on a persistent database.");
    }
    let config = Config::builder()
        .max_history_size(HISTORY_SIZE)
        .map(|b| b.auto_add_history(false).build())
        .unwrap_or_default();
    let editor = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("Error: cannot start the line editor: {e}");
            return Ok(true);
        }
    };
    let mut terminal = Terminal { editor };
    let history = history_path();
    if let Some(path) = &history {
        let _ = terminal.editor.history_mut().load(path);
    }
    let result = shell.process_input(&mut terminal);
    if let Some(path) = &history {
        let _ = terminal.editor.history_mut().save(path);
    }
    result
}
