//! PRAGMAs. Supported so far: `table_info`, `table_xinfo`, `index_list`, `index_info`,
//! `index_xinfo` (`pragma_schema.rs`; of `main`, `temp`, or the first having the object),
//! `database_list`; `integrity_check` and `quick_check` (`integrity.rs`); the header and pager settings of
//! [`RuntimePragma`] (read and set, evaluated when the statement runs); `wal_checkpoint`;
//! the constant `foreign_keys`, `encoding` and `compile_options`. Unknown pragmas are silently
//! ignored, as SQLite ignores them (no error, no rows).
//!
//! Invariants: a pragma's rows are SQLite's, column for column (names and types included).

use super::{error, Ctx};
use crate::error::{Error, Result};
use crate::schema::Db;
use crate::vdbe::pragma::RuntimePragma;
use crate::vdbe::Insn;
use crate::wal::CheckpointMode;
use basalt_parser::ast;

impl Ctx<'_> {
    pub fn pragma(&mut self, pragma: &ast::Pragma) -> Result<Vec<String>> {
        let name = pragma.name.name.value.to_ascii_lowercase();
        let arg = match &pragma.value {
            Some(ast::PragmaValue::Assign(v)) | Some(ast::PragmaValue::Call(v)) => Some(v.clone()),
            None => None,
        };
        if name == "locking_mode" && pragma.name.schema.is_some() {
            // A database's own mode: exclusive, whatever is asked, exactly as SQLite answers for
            // an in-memory database or a heap-memory WAL index (see `set_locking_mode`).
            return Ok(self.constant_rows("locking_mode", &[Str("exclusive")]));
        }
        let schema = match &pragma.name.schema {
            Some(s) => Some(
                Db::from_name(&s.value)
                    .ok_or_else(|| error(format!("unknown database {}", s.value)))?,
            ),
            None => None,
        };
        if schema == Some(Db::Temp)
            && !matches!(
                name.as_str(),
                "table_info"
                    | "table_xinfo"
                    | "index_list"
                    | "index_info"
                    | "index_xinfo"
                    | "database_list"
            )
        {
            return Err(Error::not_supported(format!("PRAGMA temp.{name}")));
        }
        // The argument as a name (quotes removed), for the pragmas that take an object.
        let name_arg = arg.as_deref().map(dequote);
        if let Some(p) = RuntimePragma::from_name(&name) {
            return Ok(self.runtime_pragma(p, arg.as_deref()));
        }
        match name.as_str() {
            "table_info" | "table_xinfo" => {
                self.table_info(schema, name_arg.as_deref(), name == "table_xinfo")
            }
            "index_list" => self.index_list(schema, name_arg.as_deref()),
            "index_info" | "index_xinfo" => {
                self.index_info(schema, name_arg.as_deref(), name == "index_xinfo")
            }
            "database_list" => Ok(self.database_list()),
            "wal_checkpoint" => Ok(self.wal_checkpoint(arg.as_deref())),
            "integrity_check" => self.integrity_check(arg.as_deref(), false),
            "quick_check" => self.integrity_check(arg.as_deref(), true),
            "foreign_keys" if arg.is_none() => Ok(self.constant_rows("foreign_keys", &[Int(0)])),
            "encoding" if arg.is_none() => Ok(self.constant_rows("encoding", &[Str("UTF-8")])),
            "compile_options" => Ok(self.constant_rows("compile_options", COMPILE_OPTIONS)),
            "count_changes" => {
                let on = crate::functions::settings().count_changes;
                Ok(self.constant_rows("count_changes", &[Int(i64::from(on))]))
            }
            "foreign_keys" if arg.as_deref().is_some_and(setting_is_off) => Ok(Vec::new()),
            // A pragma SQLite knows but Basalt does not do yet must not look done.
            _ if SQLITE_PRAGMAS.contains(&name.as_str()) => {
                Err(Error::not_supported(format!("PRAGMA {name}")))
            }
            // SQLite ignores pragmas it does not know.
            _ => Ok(Vec::new()),
        }
    }

    /// A pragma answered when the statement runs; `PRAGMA x = v` sets it first.
    fn runtime_pragma(&mut self, pragma: RuntimePragma, arg: Option<&str>) -> Vec<String> {
        let set = arg.map(|a| setting_value(pragma, a));
        if set.is_some() && pragma.writes_header() {
            self.writes = true;
        }
        let dest = self.b.reg();
        self.b.emit(Insn::Pragma { pragma, set, dest });
        if set.is_some() && !pragma.set_returns_row() {
            return Vec::new();
        }
        self.b.emit(Insn::ResultRow {
            start: dest,
            count: 1,
        });
        vec![pragma.column_name().to_string()]
    }

    fn wal_checkpoint(&mut self, mode: Option<&str>) -> Vec<String> {
        let mode = match mode.map(|m| m.trim_matches(['\'', '"']).to_ascii_lowercase()) {
            Some(m) if m == "full" => CheckpointMode::Full,
            Some(m) if m == "restart" => CheckpointMode::Restart,
            Some(m) if m == "truncate" => CheckpointMode::Truncate,
            _ => CheckpointMode::Passive,
        };
        let dest = self.b.regs(3);
        self.b.emit(Insn::Checkpoint { mode, dest });
        self.b.emit(Insn::ResultRow {
            start: dest,
            count: 3,
        });
        ["busy", "log", "checkpointed"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// One row per database the connection has: `main`, and `temp` once it was created.
    fn database_list(&mut self) -> Vec<String> {
        let regs = self.b.regs(3);
        let temp = self.catalog.temp_open.then_some((Db::Temp, String::new()));
        let main = (Db::Main, self.catalog.main_file.clone());
        for (db, file) in std::iter::once(main).chain(temp) {
            self.b.emit(Insn::Integer {
                value: db.index() as i64,
                dest: regs,
            });
            for (i, text) in [db.name(), file.as_str()].into_iter().enumerate() {
                self.b.emit(Insn::Text {
                    value: text.as_bytes().to_vec(),
                    dest: regs + 1 + i,
                });
            }
            self.b.emit(Insn::ResultRow {
                start: regs,
                count: 3,
            });
        }
        ["seq", "name", "file"].map(String::from).to_vec()
    }

    /// One result column holding a fixed list of values, one per row.
    fn constant_rows(&mut self, column: &str, values: &[Constant]) -> Vec<String> {
        let dest = self.b.reg();
        for v in values {
            match v {
                Int(i) => self.b.emit(Insn::Integer { value: *i, dest }),
                Str(s) => self.b.emit(Insn::Text {
                    value: s.as_bytes().to_vec(),
                    dest,
                }),
            };
            self.b.emit(Insn::ResultRow {
                start: dest,
                count: 1,
            });
        }
        vec![column.to_string()]
    }
}

/// A pragma argument as SQLite reads a name from it: without its quotes ('', "", ``, []),
/// doubled quote characters inside made single.
pub(super) fn dequote(arg: &str) -> String {
    let mut chars = arg.chars();
    let close = match chars.next() {
        Some('[') => ']',
        Some(q @ ('\'' | '"' | '`')) => q,
        _ => return arg.to_string(),
    };
    let inner = chars.as_str();
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    if close == ']' {
        return inner.to_string();
    }
    inner.replace(&format!("{close}{close}"), &close.to_string())
}

/// A value of a constant pragma's row.
enum Constant {
    Int(i64),
    Str(&'static str),
}
use Constant::{Int, Str};

/// What `PRAGMA compile_options` reports: the settings Basalt behaves as if compiled with.
const COMPILE_OPTIONS: &[Constant] = &[
    Str("COMPILER=rustc"),
    Str("DEFAULT_CACHE_SIZE=-2000"),
    Str("DEFAULT_PAGE_SIZE=4096"),
    Str("DEFAULT_SYNCHRONOUS=2"),
    Str("DEFAULT_WAL_AUTOCHECKPOINT=1000"),
    Str("DEFAULT_WAL_SYNCHRONOUS=2"),
    Str("OMIT_LOAD_EXTENSION"),
    Str("THREADSAFE=0"),
];

/// The number a pragma is set to: an integer, or one of the names `synchronous` and the
/// boolean pragmas accept; anything else counts as 0, as SQLite's integer reading does.
fn setting_value(pragma: RuntimePragma, arg: &str) -> i64 {
    let arg = arg.trim().trim_matches(['\'', '"']);
    if let Ok(n) = arg.parse::<i64>() {
        return n;
    }
    if pragma == RuntimePragma::LockingMode {
        return locking_mode_value(arg);
    }
    let lower = arg.to_ascii_lowercase();
    match (pragma, lower.as_str()) {
        (RuntimePragma::Synchronous, "off" | "no" | "false") => 0,
        (RuntimePragma::Synchronous, "normal") => 1,
        (RuntimePragma::Synchronous, "full" | "on" | "yes" | "true") => 2,
        (RuntimePragma::Synchronous, "extra") => 3,
        _ => crate::sql::convert::text_to_i64(arg.as_bytes()),
    }
}

/// SQLite's reading of a `locking_mode` value: 0 normal, 1 exclusive, -1 anything else (a query).
fn locking_mode_value(arg: &str) -> i64 {
    match arg
        .trim()
        .trim_matches(['\'', '"'])
        .to_ascii_lowercase()
        .as_str()
    {
        "normal" => 0,
        "exclusive" => 1,
        _ => -1,
    }
}

/// `PRAGMA x = v` values that turn a boolean setting off.
/// `PRAGMA count_changes = v` (unqualified): the new setting, which the connection applies
/// (`Control::CountChanges`).
pub(super) fn count_changes_setting(pragma: &ast::Pragma) -> Option<bool> {
    let (Some(ast::PragmaValue::Assign(v) | ast::PragmaValue::Call(v)), None) =
        (&pragma.value, &pragma.name.schema)
    else {
        return None;
    };
    let v = dequote(v).to_ascii_lowercase();
    // SQLite's boolean: a number is its integer prefix; a word it does not know is off.
    let digits = v.trim_start_matches(['-', '+']);
    let digits = &digits[..digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len())];
    let on = match v.as_str() {
        "yes" | "on" | "true" | "full" | "extra" => true,
        _ => !digits.trim_start_matches('0').is_empty(),
    };
    pragma
        .name
        .name
        .value
        .eq_ignore_ascii_case("count_changes")
        .then_some(on)
}

fn setting_is_off(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "0" | "off" | "no" | "false"
    )
}

/// Every pragma SQLite 3.54 documents (pragma.html), so that one Basalt lacks is refused.
const SQLITE_PRAGMAS: &[&str] = &[
    "analysis_limit",
    "application_id",
    "auto_vacuum",
    "automatic_index",
    "busy_timeout",
    "cache_size",
    "cache_spill",
    "case_sensitive_like",
    "cell_size_check",
    "checkpoint_fullfsync",
    "collation_list",
    "compile_options",
    "count_changes",
    "data_store_directory",
    "data_version",
    "database_list",
    "default_cache_size",
    "defer_foreign_keys",
    "empty_result_callbacks",
    "encoding",
    "foreign_key_check",
    "foreign_key_list",
    "foreign_keys",
    "freelist_count",
    "full_column_names",
    "fullfsync",
    "function_list",
    "hard_heap_limit",
    "ignore_check_constraints",
    "incremental_vacuum",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "journal_mode",
    "journal_size_limit",
    "legacy_alter_table",
    "legacy_file_format",
    "locking_mode",
    "max_page_count",
    "mmap_size",
    "module_list",
    "optimize",
    "page_count",
    "page_size",
    "parser_trace",
    "pragma_list",
    "query_only",
    "quick_check",
    "read_uncommitted",
    "recursive_triggers",
    "reverse_unordered_selects",
    "schema_version",
    "secure_delete",
    "short_column_names",
    "shrink_memory",
    "soft_heap_limit",
    "stats",
    "synchronous",
    "table_info",
    "table_list",
    "table_xinfo",
    "temp_store",
    "temp_store_directory",
    "threads",
    "trusted_schema",
    "user_version",
    "vdbe_addoptrace",
    "vdbe_debug",
    "vdbe_listing",
    "vdbe_trace",
    "wal_autocheckpoint",
    "wal_checkpoint",
    "writable_schema",
];
