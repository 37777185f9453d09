//! The seam between the workloads and the two engines: Basalt's `Connection`/`Statement` and
//! SQLite through rusqlite. Both sides get the same SQL text and the same bound values; every
//! result row is folded into a fingerprint so the two engines' answers can be compared after
//! timing (a fast wrong answer must not look like a win).

use basalt_core::record::Value;
use std::path::Path;

/// A value bound to a parameter, the same for both engines.
#[derive(Clone, Debug)]
pub enum Param {
    Int(i64),
    Real(f64),
    Text(String),
}

impl Param {
    /// The value as an SQL literal, for the shell scripts.
    pub fn literal(&self) -> String {
        match self {
            Param::Int(i) => i.to_string(),
            Param::Real(r) => format!("{r:?}"),
            Param::Text(s) => format!("'{}'", s.replace('\'', "''")),
        }
    }
}

/// An order-sensitive digest of result rows: row count and a hash of every value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub rows: u64,
    pub hash: u64,
}

impl Fingerprint {
    fn mix(&mut self, tag: u64, bytes: &[u8]) {
        // FNV-1a over a type tag and the value's bytes.
        let mut h = self.hash ^ tag;
        h = h.wrapping_mul(0x0100_0000_01b3);
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.hash = h;
    }

    fn int(&mut self, i: i64) {
        self.mix(1, &i.to_le_bytes());
    }

    fn real(&mut self, r: f64) {
        self.mix(2, &r.to_bits().to_le_bytes());
    }

    fn null(&mut self) {
        self.mix(0, &[]);
    }

    pub fn combine(&mut self, other: Fingerprint) {
        self.rows += other.rows;
        self.mix(9, &other.hash.to_le_bytes());
    }
}

pub type Result<T> = std::result::Result<T, String>;

/// One open database of either engine.
pub trait Db {
    /// Runs every statement of `sql`, discarding rows.
    fn batch(&self, sql: &str) -> Result<()>;
    /// Prepares `sql` once and runs it `n` times, `bind(i, params)` filling the parameters of
    /// run `i`; every row of every run goes into the fingerprint.
    fn repeat(
        &self,
        sql: &str,
        n: usize,
        bind: &mut dyn FnMut(usize, &mut Vec<Param>),
    ) -> Result<Fingerprint>;
}

pub struct Basalt(pub basalt_core::connection::Connection);

impl Basalt {
    pub fn open(path: &Path) -> Result<Basalt> {
        let path = path.to_str().ok_or("temporary path is not UTF-8")?;
        basalt_core::connection::Connection::open(path)
            .map(Basalt)
            .map_err(|e| format!("basalt open: {e}"))
    }

    pub fn memory() -> Result<Basalt> {
        basalt_core::connection::Connection::open(":memory:")
            .map(Basalt)
            .map_err(|e| format!("basalt open: {e}"))
    }
}

fn basalt_value(p: &Param) -> Value {
    match p {
        Param::Int(i) => Value::Integer(*i),
        Param::Real(r) => Value::Real(*r),
        Param::Text(s) => Value::Text(s.as_bytes().to_vec()),
    }
}

impl Db for Basalt {
    fn batch(&self, sql: &str) -> Result<()> {
        self.0
            .execute_batch(sql)
            .map_err(|e| format!("basalt: {e}"))
    }

    fn repeat(
        &self,
        sql: &str,
        n: usize,
        bind: &mut dyn FnMut(usize, &mut Vec<Param>),
    ) -> Result<Fingerprint> {
        let err = |e: basalt_core::error::Error| format!("basalt: {e}");
        let mut stmt = self.0.prepare(sql).map_err(err)?;
        let mut params = Vec::new();
        let mut fp = Fingerprint::default();
        for i in 0..n {
            params.clear();
            bind(i, &mut params);
            for (j, p) in params.iter().enumerate() {
                stmt.bind(j + 1, basalt_value(p)).map_err(err)?;
            }
            while stmt.step_blocking().map_err(err)? {
                fp.rows += 1;
                for v in stmt.row() {
                    match v {
                        Value::Null => fp.null(),
                        Value::Integer(i) => fp.int(*i),
                        Value::Real(r) => fp.real(*r),
                        Value::Text(t) => fp.mix(3, t),
                        Value::Blob(b) => fp.mix(4, b),
                    }
                }
            }
            stmt.reset();
        }
        Ok(fp)
    }
}

pub struct Sqlite(pub rusqlite::Connection);

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite> {
        rusqlite::Connection::open(path)
            .map(Sqlite)
            .map_err(|e| format!("sqlite open: {e}"))
    }

    pub fn memory() -> Result<Sqlite> {
        rusqlite::Connection::open_in_memory()
            .map(Sqlite)
            .map_err(|e| format!("sqlite open: {e}"))
    }
}

impl Db for Sqlite {
    fn batch(&self, sql: &str) -> Result<()> {
        // Statements like PRAGMA journal_mode return a row; step through them like sqlite3_exec.
        let mut rest = sql.trim();
        while !rest.is_empty() {
            let end = statement_end(rest);
            let one = &rest[..end];
            self.repeat(one, 1, &mut |_, _| {})?;
            rest = rest[end..].trim_start_matches(';').trim();
        }
        Ok(())
    }

    fn repeat(
        &self,
        sql: &str,
        n: usize,
        bind: &mut dyn FnMut(usize, &mut Vec<Param>),
    ) -> Result<Fingerprint> {
        let err = |e: rusqlite::Error| format!("sqlite: {e}");
        let mut stmt = self.0.prepare(sql).map_err(err)?;
        let columns = stmt.column_count();
        let mut params = Vec::new();
        let mut fp = Fingerprint::default();
        for i in 0..n {
            params.clear();
            bind(i, &mut params);
            for (j, p) in params.iter().enumerate() {
                let r = match p {
                    Param::Int(v) => stmt.raw_bind_parameter(j + 1, v),
                    Param::Real(v) => stmt.raw_bind_parameter(j + 1, v),
                    Param::Text(v) => stmt.raw_bind_parameter(j + 1, v.as_str()),
                };
                r.map_err(err)?;
            }
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(err)? {
                fp.rows += 1;
                for c in 0..columns {
                    use rusqlite::types::ValueRef;
                    match row.get_ref(c).map_err(err)? {
                        ValueRef::Null => fp.null(),
                        ValueRef::Integer(i) => fp.int(i),
                        ValueRef::Real(r) => fp.real(r),
                        ValueRef::Text(t) => fp.mix(3, t),
                        ValueRef::Blob(b) => fp.mix(4, b),
                    }
                }
            }
        }
        Ok(fp)
    }
}

/// The end of the first statement of `sql` (the workloads' setup SQL has no `;` inside
/// literals or triggers, so a plain split is enough).
fn statement_end(sql: &str) -> usize {
    sql.find(';').unwrap_or(sql.len())
}
