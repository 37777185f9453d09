//! The workload: a random schema, a list of steps generated from the seed alone (so a subset of
//! them can be replayed and shrunk), their SQL text, and the reference model they act on.
//!
//! Steps are generated before anything runs and never depend on outcomes: that is what makes
//! "keep steps 3, 17 and 42 of seed N" an exact reproduction.

use basalt_core::io::SimRng;
use basalt_core::record::Value;
use basalt_core::wal::CheckpointMode;
use std::collections::BTreeMap;
use std::fmt;

/// How many connections a workload interleaves.
pub const CONNECTIONS: usize = 3;
/// Row ids are drawn from `1..=MAX_ID`, small enough for inserts to collide with rows.
const MAX_ID: i64 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Int,
    Text,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// The columns after `id INTEGER PRIMARY KEY`, named `c0`, `c1`, …
    pub columns: Vec<ColType>,
}

impl Table {
    pub fn create_sql(&self) -> String {
        let mut sql = format!("CREATE TABLE {}(id INTEGER PRIMARY KEY", self.name);
        for (i, c) in self.columns.iter().enumerate() {
            let ty = match c {
                ColType::Int => "INTEGER",
                ColType::Text => "TEXT",
            };
            sql.push_str(&format!(", c{i} {ty}"));
        }
        sql.push(')');
        sql
    }
}

/// A value as the model keeps it: exactly what the engine must give back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    /// The engine's value in the model's terms (`None` for a type the workload never stores).
    pub fn from_engine(v: &Value) -> Option<Val> {
        match v {
            Value::Null => Some(Val::Null),
            Value::Integer(i) => Some(Val::Int(*i)),
            Value::Text(t) => String::from_utf8(t.clone()).ok().map(Val::Text),
            _ => None,
        }
    }

    pub fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Option<Val> {
        use rusqlite::types::ValueRef;
        match v {
            ValueRef::Null => Some(Val::Null),
            ValueRef::Integer(i) => Some(Val::Int(i)),
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).ok().map(Val::Text),
            _ => None,
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Null => write!(f, "NULL"),
            Val::Int(i) => write!(f, "{i}"),
            Val::Text(t) => write!(f, "'{}'", t.replace('\'', "''")),
        }
    }
}

/// One table's rows by id; the whole database is one per table.
pub type Rows = BTreeMap<i64, Vec<Val>>;
pub type Db = BTreeMap<String, Rows>;

#[derive(Debug, Clone)]
pub enum Op {
    Insert {
        table: usize,
        id: i64,
        values: Vec<Val>,
    },
    Update {
        table: usize,
        lo: i64,
        hi: i64,
        col: usize,
        value: Val,
    },
    Delete {
        table: usize,
        lo: i64,
        hi: i64,
    },
    /// Every row, in id order.
    Scan {
        table: usize,
    },
    /// Rows whose column equals a value: an index lookup when an index exists.
    Lookup {
        table: usize,
        col: usize,
        value: Val,
    },
    CreateIndex {
        table: usize,
        col: usize,
        name: String,
    },
    Begin,
    Commit,
    Rollback,
    Checkpoint(CheckpointMode),
    /// Close this connection and open it again.
    Reopen,
    /// Power loss: the whole process dies, unsynced data is lost.
    Crash,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub conn: usize,
    pub op: Op,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{} {:?}", self.conn, self.op)
    }
}

/// A random value for a column: NULLs, small integers (so lookups hit), short and long text
/// (long enough for overflow pages).
fn value(rng: &mut SimRng, ty: ColType) -> Val {
    if rng.chance(1_000) {
        return Val::Null;
    }
    match ty {
        ColType::Int => Val::Int(rng.below(20) as i64 - 5),
        ColType::Text => {
            let len = if rng.chance(1_500) {
                500 + rng.below(4_000)
            } else {
                rng.below(12)
            };
            let letter = b'a' + rng.below(4) as u8;
            let text: String = (0..len)
                .map(|i| char::from(letter + (i % 3) as u8))
                .collect();
            Val::Text(text)
        }
    }
}

pub fn schema(rng: &mut SimRng) -> Vec<Table> {
    (0..1 + rng.below(3))
        .map(|t| Table {
            name: format!("t{t}"),
            columns: (0..1 + rng.below(4))
                .map(|_| {
                    if rng.chance(5_000) {
                        ColType::Int
                    } else {
                        ColType::Text
                    }
                })
                .collect(),
        })
        .collect()
}

/// `count` steps over `tables`. The generator tracks which connections it meant to be inside a
/// transaction, so that COMMIT and ROLLBACK mostly end one (outcomes may still differ: a
/// fault or crash ends transactions the generator does not know about).
pub fn steps(rng: &mut SimRng, tables: &[Table], count: usize, crashes: bool) -> Vec<Step> {
    let mut in_txn = [false; CONNECTIONS];
    (0..count)
        .map(|n| {
            let conn = rng.below(CONNECTIONS as u64) as usize;
            let table = rng.below(tables.len() as u64) as usize;
            let columns = &tables[table].columns;
            let col = rng.below(columns.len() as u64) as usize;
            let lo = 1 + rng.below(MAX_ID as u64) as i64;
            let hi = lo + rng.below(15) as i64;
            let control = rng.below(100);
            let op = match (in_txn[conn], control) {
                (true, 0..=14) => Op::Commit,
                (true, 15..=19) => Op::Rollback,
                (false, 0..=7) => Op::Begin,
                _ => match rng.below(100) {
                    0..=32 => Op::Insert {
                        table,
                        id: lo,
                        values: columns.iter().map(|&c| value(rng, c)).collect(),
                    },
                    33..=46 => Op::Update {
                        table,
                        lo,
                        hi,
                        col,
                        value: value(rng, columns[col]),
                    },
                    47..=56 => Op::Delete { table, lo, hi },
                    57..=68 => Op::Scan { table },
                    69..=75 => Op::Lookup {
                        table,
                        col,
                        value: value(rng, columns[col]),
                    },
                    76..=77 => Op::CreateIndex {
                        table,
                        col,
                        name: format!("i{n}"),
                    },
                    // Misplaced transaction control: must fail cleanly.
                    78 => Op::Begin,
                    79 => Op::Commit,
                    80..=85 => Op::Checkpoint(match rng.below(4) {
                        0 => CheckpointMode::Passive,
                        1 => CheckpointMode::Full,
                        2 => CheckpointMode::Restart,
                        _ => CheckpointMode::Truncate,
                    }),
                    86..=89 => Op::Reopen,
                    90..=91 if crashes => Op::Crash,
                    _ => Op::Scan { table },
                },
            };
            match op {
                Op::Begin => in_txn[conn] = true,
                Op::Commit | Op::Rollback | Op::Reopen => in_txn[conn] = false,
                Op::Crash => in_txn = [false; CONNECTIONS],
                _ => {}
            }
            Step { conn, op }
        })
        .collect()
}

fn range(lo: i64, hi: i64) -> String {
    format!("id BETWEEN {lo} AND {hi}")
}

/// The SQL of a step that is one statement.
pub fn sql(tables: &[Table], op: &Op) -> Option<String> {
    let name = |t: usize| &tables[t].name;
    Some(match op {
        Op::Insert { table, id, values } => {
            let cols: String = (0..values.len()).map(|i| format!(", c{i}")).collect();
            let vals: String = values.iter().map(|v| format!(", {v}")).collect();
            format!("INSERT INTO {}(id{cols}) VALUES ({id}{vals})", name(*table))
        }
        Op::Update {
            table,
            lo,
            hi,
            col,
            value,
        } => format!(
            "UPDATE {} SET c{col} = {value} WHERE {}",
            name(*table),
            range(*lo, *hi)
        ),
        Op::Delete { table, lo, hi } => {
            format!("DELETE FROM {} WHERE {}", name(*table), range(*lo, *hi))
        }
        Op::Scan { table } => format!("SELECT * FROM {} ORDER BY id", name(*table)),
        Op::Lookup { table, col, value } => {
            let test = match value {
                Val::Null => "IS NULL".to_string(),
                v => format!("= {v}"),
            };
            format!(
                "SELECT * FROM {} WHERE c{col} {test} ORDER BY id",
                name(*table)
            )
        }
        Op::CreateIndex {
            table,
            col,
            name: index,
        } => {
            format!("CREATE INDEX {index} ON {}(c{col})", name(*table))
        }
        Op::Begin => "BEGIN".to_string(),
        Op::Commit => "COMMIT".to_string(),
        Op::Rollback => "ROLLBACK".to_string(),
        Op::Checkpoint(_) | Op::Reopen | Op::Crash => return None,
    })
}

/// What a statement should do to `db`, the view it runs against: `Err(())` when it must fail
/// with a constraint error (and change nothing), else whether it changes any page (a write
/// that matches no row writes nothing, so it does not end other connections' snapshots).
/// Reads and DDL leave rows alone.
pub fn apply(tables: &[Table], db: &mut Db, op: &Op) -> Result<bool, ()> {
    fn rows<'a>(tables: &[Table], db: &'a mut Db, t: usize) -> &'a mut Rows {
        db.entry(tables[t].name.clone()).or_default()
    }
    match op {
        Op::Insert { table, id, values } => {
            let rows = rows(tables, db, *table);
            if rows.contains_key(id) {
                return Err(());
            }
            rows.insert(*id, values.clone());
            Ok(true)
        }
        Op::Update {
            table,
            lo,
            hi,
            col,
            value,
        } => {
            let mut changed = false;
            for (_, row) in rows(tables, db, *table).range_mut(*lo..=*hi) {
                row[*col] = value.clone();
                changed = true;
            }
            Ok(changed)
        }
        Op::Delete { table, lo, hi } => {
            let rows = rows(tables, db, *table);
            let doomed: Vec<i64> = rows.range(*lo..=*hi).map(|(id, _)| *id).collect();
            for id in &doomed {
                rows.remove(id);
            }
            Ok(!doomed.is_empty())
        }
        Op::CreateIndex { .. } => Ok(true),
        _ => Ok(false),
    }
}

/// The rows a read step must return from `db`, each as `[id, c0, c1, …]`.
pub fn expected_rows(tables: &[Table], db: &Db, op: &Op) -> Vec<Vec<Val>> {
    let (table, filter) = match op {
        Op::Scan { table } => (*table, None),
        Op::Lookup { table, col, value } => (*table, Some((*col, value))),
        _ => return Vec::new(),
    };
    let Some(rows) = db.get(&tables[table].name) else {
        return Vec::new();
    };
    rows.iter()
        .filter(|(_, row)| filter.is_none_or(|(c, v)| &row[c] == v))
        .map(|(id, row)| {
            let mut out = vec![Val::Int(*id)];
            out.extend(row.iter().cloned());
            out
        })
        .collect()
}

/// Whether a step writes (and so needs the writer lock).
pub fn is_write(op: &Op) -> bool {
    matches!(
        op,
        Op::Insert { .. } | Op::Update { .. } | Op::Delete { .. } | Op::CreateIndex { .. }
    )
}
