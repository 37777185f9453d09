//! SQLite's C API over Basalt: `libsqlite3.so` / `libsqlite3.a` with the symbols, constants
//! (`include/sqlite3.h`) and documented semantics of SQLite 3.54 for the functions exported so
//! far (COMPAT.md, "C API", lists them).
//!
//! Invariants:
//! - Every exported function runs its body inside `catch_unwind` (`ffi::guard`): no panic
//!   crosses into C; a caught panic becomes SQLITE_INTERNAL (or a NULL pointer / zero).
//! - A connection (`sqlite3`) owns its engine `Connection` behind one mutex, and every entry
//!   point that touches the connection or one of its statements holds that mutex for the whole
//!   call ("serialized" threading, `sqlite3_threadsafe() == 1`). The engine's `Rc`s are never
//!   touched without it, which is what makes moving a handle between threads sound.
//!   `sqlite3_interrupt` alone takes no lock: it only sets an atomic flag.
//! - Pointers handed to C (`column_text`, `column_name`, `errmsg`, `sql`) point into memory the
//!   handle owns and stay valid for exactly as long as SQLite documents: until the next
//!   step/reset/finalize of that statement (column values), until finalize (names, SQL), until
//!   the next API call on the connection (error messages).
//! - NULL handles behave as in SQLite: a no-op with SQLITE_OK for `finalize`/`close`,
//!   SQLITE_MISUSE for calls that need a handle, "out of memory" for `errmsg`.

// The exported functions are C entry points: their pointer contracts are SQLite's documented
// ones, and C callers cannot see Rust's `unsafe`. They are re-exported for Rust tests, which
// call them as C would.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod backup;
mod blob;
mod busy;
mod codes;
mod config;
mod db;
mod ffi;
mod function;
mod hooks;
mod info;
mod mem;
mod printf;
mod serialize;
mod status;
mod stmt;
mod trace;
mod uri;
mod utf16;
mod value;
mod wal;

pub use backup::*;
pub use blob::*;
pub use codes::*;
pub use config::*;
pub use db::*;
pub use function::*;
pub use hooks::*;
pub use info::*;
pub use mem::{sqlite3_free, sqlite3_malloc, sqlite3_malloc64, sqlite3_realloc, sqlite3_realloc64};
pub use serialize::*;
pub use status::*;
pub use stmt::*;
pub use utf16::*;
pub use value::*;
