//! Basalt's engine: everything below the public API.
//!
//! Layers, each talking only to the one below it (see ARCHITECTURE.md for the map):
//! `schema`/`integrity` → `btree` → `pager` → `io`. `record` and `format` are pure codecs used by
//! the layers that need them.

pub mod btree;
pub mod catalog;
pub mod codegen;
pub mod connection;
pub mod error;
pub mod format;
pub mod functions;
pub mod hooks;
pub mod integrity;
pub mod io;
pub mod pager;
pub mod record;
pub mod schema;
pub mod sql;
pub mod stats;
pub mod vdbe;
pub mod wal;

pub use error::{Error, ErrorCode, Result};
