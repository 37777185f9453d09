//! Application-defined functions, collations and hooks through the engine's Rust API, against
//! SQLite (rusqlite, bundled 3.54.1) given the same Rust closures: every statement runs on
//! both engines and column names, rows, errors and `changes()` must be equal.

use basalt_core::connection::Connection;
use basalt_core::functions::FunctionFlags;
use basalt_core::hooks::Progress;
use basalt_core::record::{Value, ValueRef};
use basalt_core::sql::agg::Aggregate;
use basalt_core::{Error, ErrorCode, Result};
use rusqlite::functions::{Aggregate as SqliteAggregate, Context, FunctionFlags as SqliteFlags};
use std::cell::Cell;
use std::cmp::Ordering;
use std::rc::Rc;

mod oracle;

use oracle::{compare_on, memory_pair};

/// `half(x)`: x / 2 for numbers, NULL for NULL, an error for anything else.
fn half(x: ValueRef<'_>) -> std::result::Result<Value, String> {
    match x {
        ValueRef::Integer(i) => Ok(Value::Real(i as f64 / 2.0)),
        ValueRef::Real(r) => Ok(Value::Real(r / 2.0)),
        ValueRef::Null => Ok(Value::Null),
        _ => Err("half() wants a number".into()),
    }
}

fn to_sqlite(v: Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(i),
        Value::Real(r) => rusqlite::types::Value::Real(r),
        Value::Text(t) => rusqlite::types::Value::Text(String::from_utf8_lossy(&t).into_owned()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b),
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> ValueRef<'_> {
    match v {
        rusqlite::types::ValueRef::Null => ValueRef::Null,
        rusqlite::types::ValueRef::Integer(i) => ValueRef::Integer(i),
        rusqlite::types::ValueRef::Real(r) => ValueRef::Real(r),
        rusqlite::types::ValueRef::Text(t) => ValueRef::Text(t),
        rusqlite::types::ValueRef::Blob(b) => ValueRef::Blob(b),
    }
}

/// Text lengths first, then bytes.
fn by_length(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `longest(x)`: the longest text of the group (the first of equal lengths).
#[derive(Default)]
struct Longest(Option<Vec<u8>>);

impl Longest {
    fn add(&mut self, x: ValueRef<'_>) {
        if let ValueRef::Text(t) = x {
            if self.0.as_ref().is_none_or(|l| t.len() > l.len()) {
                self.0 = Some(t.to_vec());
            }
        }
    }

    fn result(&self) -> Value {
        self.0.clone().map_or(Value::Null, Value::Text)
    }
}

impl Aggregate for Longest {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        self.add(args[0]);
        Ok(())
    }

    fn inverse(&mut self, _: &[ValueRef<'_>]) -> Result<()> {
        Err(Error::not_supported("inverse"))
    }

    fn value(&self) -> Result<Value> {
        Ok(self.result())
    }
}

struct SqliteLongest;

impl SqliteAggregate<Longest, rusqlite::types::Value> for SqliteLongest {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Longest> {
        Ok(Longest::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Longest) -> rusqlite::Result<()> {
        acc.add(from_sqlite(ctx.get_raw(0)));
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Longest>,
    ) -> rusqlite::Result<rusqlite::types::Value> {
        Ok(to_sqlite(acc.unwrap_or_default().result()))
    }
}

fn define_both(ours: &Connection, theirs: &rusqlite::Connection) {
    let flags = FunctionFlags {
        deterministic: true,
        ..FunctionFlags::default()
    };
    ours.create_scalar_function("half", 1, flags, |_, args| {
        half(args[0]).map_err(|m| Error::new(ErrorCode::Error, m))
    })
    .expect("half");
    theirs
        .create_scalar_function(
            "half",
            1,
            SqliteFlags::SQLITE_UTF8 | SqliteFlags::SQLITE_DETERMINISTIC,
            |ctx| {
                half(from_sqlite(ctx.get_raw(0)))
                    .map(to_sqlite)
                    .map_err(|m| rusqlite::Error::UserFunctionError(m.into()))
            },
        )
        .expect("half");
    ours.create_aggregate_function("longest", 1, FunctionFlags::default(), || {
        Box::new(Longest::default())
    })
    .expect("longest");
    theirs
        .create_aggregate_function("longest", 1, SqliteFlags::SQLITE_UTF8, SqliteLongest)
        .expect("longest");
    ours.create_collation("bylen", by_length).expect("bylen");
    theirs
        .create_collation("bylen", |a: &str, b: &str| {
            by_length(a.as_bytes(), b.as_bytes())
        })
        .expect("bylen");
}

#[test]
fn functions_and_collations_match_sqlite() {
    let (ours, theirs) = memory_pair();
    define_both(&ours, &theirs);
    compare_on(
        &ours,
        &theirs,
        &[
            "SELECT half(3), half(2.5), half(NULL), HALF(-7)",
            "SELECT half('x')",
            "SELECT half(1, 2)",
            "CREATE TABLE t(a INTEGER, s TEXT COLLATE bylen)",
            "INSERT INTO t VALUES (1, 'ccc'), (2, 'a'), (3, 'bb'), (4, 'dd'), (5, 'a')",
            "SELECT s FROM t ORDER BY s",
            "SELECT DISTINCT s FROM t ORDER BY s",
            "SELECT s, count(*), sum(half(a)) FROM t GROUP BY s ORDER BY s",
            "SELECT longest(s), longest(NULL) FROM t",
            "SELECT a % 2, longest(s) FROM t GROUP BY a % 2 ORDER BY 1",
            "CREATE INDEX t_s ON t(s)",
            "SELECT a FROM t WHERE s = 'zz' ORDER BY a",
            "SELECT 'abc' < 'b' COLLATE bylen, 'abc' < 'b'",
            "SELECT s FROM t ORDER BY s COLLATE binary",
            "CREATE INDEX t_half ON t(half(a))",
            "SELECT a FROM t WHERE half(a) > 1 ORDER BY half(a) DESC",
            "UPDATE t SET a = a + 10 WHERE half(a) < 1.5",
            "SELECT a, s FROM t ORDER BY a",
        ],
    );
}

#[test]
fn redefining_recompiles_prepared_statements() {
    let ours = Connection::open(":memory:").expect("open");
    let flags = FunctionFlags::default();
    ours.create_scalar_function("f", 0, flags, |_, _| Ok(Value::Integer(1)))
        .expect("f");
    let mut stmt = ours.prepare("SELECT f()").expect("prepare");
    assert!(stmt.step_blocking().expect("step"));
    assert_eq!(stmt.row(), &[Value::Integer(1)]);
    // Running: SQLite refuses to change a function.
    let busy = ours.create_scalar_function("f", 0, flags, |_, _| Ok(Value::Integer(2)));
    assert_eq!(busy.map_err(|e| e.code), Err(ErrorCode::Busy));
    stmt.reset();
    ours.create_scalar_function("f", 0, flags, |_, _| Ok(Value::Integer(2)))
        .expect("redefine");
    assert!(stmt.step_blocking().expect("step"));
    assert_eq!(stmt.row(), &[Value::Integer(2)]);
    stmt.reset();
    ours.define_function("f", 0, flags, None).expect("remove");
    let gone = stmt.step_blocking().map_err(|e| e.message);
    assert_eq!(gone, Err("no such function: f".to_string()));
}

#[test]
fn hooks_see_commits_rollbacks_and_progress() {
    let ours = Connection::open(":memory:").expect("open");
    let commits = Rc::new(Cell::new(0));
    let rollbacks = Rc::new(Cell::new(0));
    let veto = Rc::new(Cell::new(false));
    let (c, r, v) = (Rc::clone(&commits), Rc::clone(&rollbacks), Rc::clone(&veto));
    ours.with_hooks(|hooks| {
        hooks.commit = Some(Box::new(move || {
            c.set(c.get() + 1);
            v.get()
        }));
        hooks.rollback = Some(Box::new(move || r.set(r.get() + 1)));
    });
    ours.execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES (1)")
        .expect("writes");
    ours.execute_batch("SELECT * FROM t").expect("reads");
    assert_eq!((commits.get(), rollbacks.get()), (2, 0));
    ours.execute_batch("BEGIN; INSERT INTO t VALUES (2); ROLLBACK")
        .expect("rollback");
    assert_eq!((commits.get(), rollbacks.get()), (2, 1));
    veto.set(true);
    let refused = ours.execute_batch("INSERT INTO t VALUES (3)");
    assert_eq!(refused.map_err(|e| e.code), Err(ErrorCode::Constraint));
    assert_eq!((commits.get(), rollbacks.get()), (3, 2));
    veto.set(false);
    let count = ours.prepare("SELECT count(*) FROM t").and_then(|mut s| {
        s.step_blocking()?;
        Ok(s.row().to_vec())
    });
    assert_eq!(count.expect("count"), vec![Value::Integer(1)]);

    let calls = Rc::new(Cell::new(0u32));
    let seen = Rc::clone(&calls);
    ours.with_hooks(|hooks| {
        hooks.progress = Some(Progress {
            every: 10,
            handler: Box::new(move || {
                seen.set(seen.get() + 1);
                seen.get() > 5
            }),
        })
    });
    let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                   SELECT count(*) FROM c";
    let stopped = ours.execute_batch(endless).map_err(|e| e.code);
    assert_eq!(stopped, Err(ErrorCode::Interrupt));
    assert_eq!(calls.get(), 6);
}

/// The progress handler runs once per `every` instructions, counted across the steps of a
/// statement (rows handed back in between), however `every` falls against the interval at
/// which the interrupt flag is read; `vm_steps` stays exact beside it.
#[test]
fn progress_handler_runs_once_per_every_instructions_across_steps() {
    for every in [1, 7, 1000, 1023, 1024, 1025, 4999] {
        let ours = Connection::open(":memory:").expect("open");
        let calls = Rc::new(Cell::new(0u64));
        let seen = Rc::clone(&calls);
        ours.with_hooks(|hooks| {
            hooks.progress = Some(Progress {
                every,
                handler: Box::new(move || {
                    seen.set(seen.get() + 1);
                    false
                }),
            })
        });
        let mut stmt = ours
            .prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 3000) SELECT x FROM c")
            .expect("prepare");
        let mut rows = 0;
        while stmt.step_blocking().expect("step") {
            rows += 1;
        }
        assert_eq!(rows, 3000);
        let steps = stmt.vm_steps();
        assert!(steps > 3000 * 3, "every {every}: {steps} steps");
        assert_eq!(calls.get(), steps / u64::from(every), "every {every}");
    }
}

/// An interrupt raised while a statement runs (here from its own progress handler) stops it
/// within one interval of the interrupt flag's checks (1,024 instructions), as SQLite's
/// statement stops at its next check.
#[test]
fn an_interrupt_during_a_step_stops_the_statement_at_the_next_check() {
    let ours = Connection::open(":memory:").expect("open");
    let handle = ours.interrupt_handle();
    let calls = Rc::new(Cell::new(0u32));
    let seen = Rc::clone(&calls);
    ours.with_hooks(|hooks| {
        hooks.progress = Some(Progress {
            every: 100,
            handler: Box::new(move || {
                seen.set(seen.get() + 1);
                handle.interrupt();
                // A bound, so that a missed interrupt fails the count below, not the run.
                seen.get() >= 1000
            }),
        })
    });
    let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                   SELECT count(*) FROM c";
    let stopped = ours.execute_batch(endless).map_err(|e| e.code);
    assert_eq!(stopped, Err(ErrorCode::Interrupt));
    assert!((1..=11).contains(&calls.get()), "{} calls", calls.get());
}

#[test]
fn update_hook_reports_what_sqlite_reports() {
    use basalt_core::hooks::UpdateOp;
    use std::cell::RefCell;
    type Seen = Rc<RefCell<Vec<(i32, String, String, i64)>>>;
    type Sent = std::sync::Arc<std::sync::Mutex<Vec<(i32, String, String, i64)>>>;
    let (ours, mut theirs) = memory_pair();
    let ours_seen: Seen = Rc::default();
    let theirs_seen: Sent = Sent::default();
    let log = Rc::clone(&ours_seen);
    ours.with_hooks(|hooks| {
        hooks.update = Some(Box::new(
            move |op: UpdateOp, db: &str, table: &str, rowid| {
                log.borrow_mut()
                    .push((op as i32, db.to_string(), table.to_string(), rowid));
            },
        ));
    });
    let log = std::sync::Arc::clone(&theirs_seen);
    theirs
        .update_hook(Some(
            move |action: rusqlite::hooks::Action, db: &str, table: &str, rowid| {
                if let Ok(mut log) = log.lock() {
                    log.push((action as i32, db.to_string(), table.to_string(), rowid));
                }
            },
        ))
        .expect("update hook");
    let script = [
        "CREATE TABLE h(x INTEGER PRIMARY KEY, y UNIQUE)",
        "INSERT INTO h VALUES (1, 'a'), (2, 'b'), (5, 'c')",
        "UPDATE h SET y = y || '!' WHERE x > 1",
        "UPDATE h SET x = x + 10 WHERE x = 1",
        "REPLACE INTO h VALUES (7, 'c!')",
        "DELETE FROM h WHERE x = 2 RETURNING y",
        "CREATE TEMP TABLE tt(v)",
        "INSERT INTO tt VALUES (1)",
        "CREATE TABLE ai(id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
        "INSERT INTO ai(v) VALUES (1), (2)",
        "DELETE FROM h",
    ];
    compare_on(&ours, &theirs, &script);
    let theirs_seen = theirs_seen.lock().expect("log").clone();
    assert_eq!(*ours_seen.borrow(), theirs_seen);
    assert!(ours_seen.borrow().len() >= 10, "{:?}", ours_seen.borrow());
}
