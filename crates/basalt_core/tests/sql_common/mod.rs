//! Shared helpers of the `sql_*` differential tests: operands, running SQL on SQLite, and
//! comparing results exactly (type and value; reals bit for bit).

#![allow(dead_code)]

use basalt_core::record::Value;
use basalt_core::Result;
use rusqlite::types::{ToSqlOutput, ValueRef as SqliteRef};
use rusqlite::ToSql;

/// A value bound as an SQL parameter (so it has no affinity), text as raw bytes.
pub struct Param<'a>(pub &'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => SqliteRef::Null,
            Value::Integer(i) => SqliteRef::Integer(*i),
            Value::Real(r) => SqliteRef::Real(*r),
            Value::Text(t) => SqliteRef::Text(t),
            Value::Blob(b) => SqliteRef::Blob(b),
        }))
    }
}

pub fn from_sqlite(v: SqliteRef<'_>) -> Value {
    match v {
        SqliteRef::Null => Value::Null,
        SqliteRef::Integer(i) => Value::Integer(i),
        SqliteRef::Real(r) => Value::Real(r),
        SqliteRef::Text(t) => Value::Text(t.to_vec()),
        SqliteRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// What SQLite answered: a value, or an error message.
pub fn sqlite_eval(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Value, String> {
    let mut stmt = conn.prepare_cached(sql).map_err(|e| sqlite_message(&e))?;
    let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
    let refs: Vec<&dyn ToSql> = bound.iter().map(|p| p as &dyn ToSql).collect();
    let mut rows = stmt
        .query(refs.as_slice())
        .map_err(|e| sqlite_message(&e))?;
    match rows.next() {
        Ok(Some(row)) => Ok(from_sqlite(row.get_ref(0).map_err(|e| e.to_string())?)),
        Ok(None) => Err("no row".into()),
        Err(e) => Err(sqlite_message(&e)),
    }
}

fn sqlite_message(e: &rusqlite::Error) -> String {
    match e {
        // The C API appends where in the statement the error was found.
        rusqlite::Error::SqliteFailure(_, Some(m)) => match m.find(" in SELECT ") {
            Some(at) => m[..at].to_owned(),
            None => m.clone(),
        },
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        e => e.to_string(),
    }
}

/// Same storage class and value; reals bit for bit.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Collects mismatches and fails with the first ones listed.
#[derive(Default)]
pub struct Checker {
    pub checked: usize,
    pub failures: Vec<String>,
}

impl Checker {
    pub fn check(
        &mut self,
        conn: &rusqlite::Connection,
        sql: &str,
        params: &[Value],
        mine: Result<Value>,
    ) {
        self.checked += 1;
        let theirs = sqlite_eval(conn, sql, params);
        let ok = match (&mine, &theirs) {
            (Ok(a), Ok(b)) => same(a, b),
            (Err(a), Err(b)) => a.message == *b,
            _ => false,
        };
        if !ok {
            self.failures.push(format!(
                "{sql}  params {params:?}\n    basalt: {:?}\n    sqlite: {theirs:?}",
                mine.map_err(|e| e.message)
            ));
        }
    }

    pub fn finish(self, what: &str) {
        eprintln!(
            "{what}: {} expressions checked, {} mismatches",
            self.checked,
            self.failures.len()
        );
        if !self.failures.is_empty() {
            for f in self.failures.iter().take(60) {
                eprintln!("{f}");
            }
            panic!(
                "{} of {} {what} expressions differ from SQLite",
                self.failures.len(),
                self.checked
            );
        }
    }
}

/// Operands covering boundaries: integers, reals (signed zero, infinities, large), texts that
/// look numeric with and without spaces, invalid UTF-8, blobs, NULL.
pub fn operands() -> Vec<Value> {
    let mut v = vec![Value::Null];
    for i in [
        0,
        1,
        -1,
        2,
        3,
        7,
        -7,
        10,
        63,
        64,
        -64,
        i64::MAX,
        i64::MIN,
        i64::MAX - 1,
        (1 << 53) + 1,
        1 << 32,
    ] {
        v.push(Value::Integer(i));
    }
    for r in [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        1e100,
        -1e-5,
        0.1,
        1.0 / 3.0,
        1e308,
        f64::INFINITY,
        f64::NEG_INFINITY,
        9.223372036854776e18,
        123456.789,
        3.0,
        1e15 + 0.3,
        2.675,
        -1234.5678,
    ] {
        v.push(Value::Real(r));
    }
    for t in [
        "",
        " ",
        "abc",
        "12",
        " 12 ",
        "12abc",
        "1e5",
        "0x10",
        "-0",
        "1.5",
        "ABC",
        "héllo",
        "9223372036854775808",
        "  -3.5e2xyz",
        "%",
        "_a%",
        "a_c",
        "[a-c]*",
        "it's",
        "a\"b",
        "Ab",
        "  ",
        "x",
        "ab",
        "-12",
        "+7",
        ".5",
        "5.",
        "1e400",
    ] {
        v.push(Value::from(t));
    }
    v.push(Value::Text(b"a\xffb".to_vec()));
    v.push(Value::Text(b"\xe2\x82".to_vec()));
    v.push(Value::Text(b"a\x00b".to_vec()));
    for b in [&b""[..], b"\x00\xff", b"12", b"A", b"ab"] {
        v.push(Value::Blob(b.to_vec()));
    }
    v
}

/// A smaller set for functions of two or three arguments.
pub fn small_operands() -> Vec<Value> {
    let mut v = vec![
        Value::Null,
        Value::Integer(0),
        Value::Integer(1),
        Value::Integer(-1),
        Value::Integer(2),
        Value::Integer(3),
        Value::Integer(-3),
        Value::Integer(i64::MAX),
        Value::Integer(i64::MIN),
        Value::Real(1.5),
        Value::Real(-0.0),
        Value::Real(2.5),
        Value::Real(1e100),
    ];
    for t in [
        "", "abc", "12", " 1 ", "héllo", "a", "b", "bc", "%b%", "a_c", "x", "A",
    ] {
        v.push(Value::from(t));
    }
    v.push(Value::Text(b"a\xffb".to_vec()));
    v.push(Value::Blob(b"ab".to_vec()));
    v.push(Value::Blob(vec![]));
    v
}
