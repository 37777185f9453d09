//! Rowid lookups, index equality seeks and index ranges return exactly what SQLite returns: random tables
//! with indexes over columns of every affinity and collation, holding values of every storage
//! class, queried with `column = value`, `column < value`, BETWEEN, IN lists, ORDER BY (compared in
//! order) for literals, bound parameters and join columns of
//! every type. A seek that skipped a matching row (wrong key affinity, wrong collation) or a
//! parameter numbered twice would show here as a difference. Seed printed; `BASALT_SEED=n`
//! replays one.

mod oracle;

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const COLUMNS: [&str; 6] = [
    "i INTEGER",
    "t TEXT",
    "r REAL",
    "n NUMERIC",
    "b",
    "c TEXT COLLATE NOCASE",
];
const INDEXES: [&str; 7] = [
    "CREATE INDEX x_i ON t1(i)",
    "CREATE INDEX x_t ON t1(t)",
    "CREATE INDEX x_r ON t1(r)",
    "CREATE INDEX x_nb ON t1(n, b)",
    "CREATE INDEX x_b ON t1(b)",
    "CREATE INDEX x_c ON t1(c)",
    "CREATE INDEX x_tc ON t1(t COLLATE NOCASE, i)",
];

fn literal(rng: &mut StdRng) -> String {
    match rng.gen_range(0..11) {
        0 => "NULL".into(),
        1 => rng.gen_range(-3..6).to_string(),
        2 => format!("{}.0", rng.gen_range(-3..6)),
        3 => format!("{}.5", rng.gen_range(-3..6)),
        4 => format!("'{}'", rng.gen_range(-3..6)),
        5 => format!("'{}.0'", rng.gen_range(-3..6)),
        6 => format!("x'3{}'", rng.gen_range(0..6)),
        7 => ["'a'", "'A'", "'b'", "' 2'", "'2 '"][rng.gen_range(0..5)].into(),
        8 if rng.gen_bool(0.5) => format!(
            "CAST({} AS {})",
            rng.gen_range(-3..6),
            ["TEXT", "REAL", "INTEGER", "BLOB", "NUMERIC"][rng.gen_range(0..5)]
        ),
        8 if rng.gen_bool(0.5) => format!("{} + 1", rng.gen_range(-3..6)),
        8 => format!("'{}' || ''", rng.gen_range(-3..6)),
        9 => format!("-{}", rng.gen_range(0..4)),
        _ => format!("+'{}'", rng.gen_range(0..4)),
    }
}

fn value(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..7) {
        0 => Value::Null,
        1 => Value::Integer(rng.gen_range(-3..6)),
        2 => Value::Real(f64::from(rng.gen_range(-6..12)) / 2.0),
        3 => Value::Text(rng.gen_range(-3..6).to_string().into_bytes()),
        4 => Value::Text(
            ["a", "A", "b", "2.0", " 2"][rng.gen_range(0..5)]
                .as_bytes()
                .to_vec(),
        ),
        5 => Value::Blob(vec![b'0' + rng.gen_range(0..6)]),
        _ => Value::Integer(rng.gen_range(1..40)),
    }
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(String::from_utf8(t.clone()).unwrap()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn ours(conn: &Connection, sql: &str, params: &[Value]) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    for (i, p) in params.iter().enumerate() {
        stmt.bind(i + 1, p.clone()).unwrap();
    }
    let mut rows = Vec::new();
    while stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        rows.push(stmt.row().to_vec());
    }
    if !sql.contains("ORDER BY") {
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    }
    rows
}

fn theirs(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let params: Vec<rusqlite::types::Value> = params.iter().map(to_sqlite).collect();
    let mut q = stmt.query(rusqlite::params_from_iter(params)).unwrap();
    let mut rows = Vec::new();
    while let Some(r) = q.next().unwrap() {
        rows.push((0..n).map(|i| oracle::sqlite_value(r, i)).collect());
    }
    if !sql.contains("ORDER BY") {
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    }
    rows
}

fn run_seed(seed: u64) -> usize {
    println!("access_paths seed: {seed} (BASALT_SEED={seed} replays)");
    let mut rng = StdRng::seed_from_u64(seed);
    let mine = Connection::open(":memory:").unwrap();
    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    let create = format!(
        "CREATE TABLE t1(id INTEGER PRIMARY KEY, {}); CREATE TABLE t2(k, {})",
        COLUMNS.join(", "),
        COLUMNS.join(", ")
    );
    mine.execute_batch(&create).unwrap();
    oracle.execute_batch(&create).unwrap();
    for index in INDEXES {
        if rng.gen_bool(0.7) {
            mine.execute_batch(index).unwrap();
            oracle.execute_batch(index).unwrap();
        }
    }
    for table in ["t1", "t2"] {
        let sql = format!("INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)");
        for id in 1..=40 {
            let mut row: Vec<Value> = (0..6).map(|_| value(&mut rng)).collect();
            row.insert(0, Value::Integer(id));
            ours(&mine, &sql, &row);
            theirs(&oracle, &sql, &row);
        }
    }
    let names = ["id", "rowid", "i", "t", "r", "n", "b", "c"];
    let mut checked = 0;
    for _ in 0..400 {
        let col = names[rng.gen_range(0..names.len())];
        let other = names[rng.gen_range(2..names.len())];
        let op = ["<", "<=", ">", ">="][rng.gen_range(0..4)];
        let key = ["id", "rowid", "oid", "_rowid_"][rng.gen_range(0..4)];
        let list = |rng: &mut StdRng| {
            let n = rng.gen_range(1..5);
            (0..n).map(|_| literal(rng)).collect::<Vec<_>>().join(", ")
        };
        let (sql, params) = match rng.gen_range(0..25) {
            24 => (
                format!(
                    "SELECT id, {other}, r FROM t1 ORDER BY {other}, id LIMIT {}",
                    rng.gen_range(0..50)
                ),
                vec![],
            ),
            // ORDER BY keys that end in the rowid are a total order: one right answer.
            19 => (
                format!(
                    "SELECT id, {other} FROM t1 WHERE {other} {op} {} ORDER BY {other}, id LIMIT {}",
                    literal(&mut rng),
                    rng.gen_range(0..6)
                ),
                vec![],
            ),
            20 => (
                format!(
                    "SELECT * FROM t1 WHERE n = {} ORDER BY b, rowid",
                    literal(&mut rng)
                ),
                vec![],
            ),
            21 => (
                format!(
                    "SELECT * FROM t1 WHERE {key} {op} {} ORDER BY {key} LIMIT 5",
                    literal(&mut rng)
                ),
                vec![],
            ),
            22 => (
                format!(
                    "SELECT id, c, t FROM t1 WHERE {col} IN ({}) ORDER BY {}, id",
                    list(&mut rng),
                    ["c", "t", "t COLLATE NOCASE", "c COLLATE BINARY", "2", "i"][rng.gen_range(0..6)]
                ),
                vec![],
            ),
            23 => (
                format!(
                    "SELECT t, i, id FROM t1 WHERE t {op} ? ORDER BY t COLLATE NOCASE, i, 3 LIMIT {}",
                    rng.gen_range(1..8)
                ),
                vec![value(&mut rng)],
            ),
            17 => (
                format!(
                    "SELECT id, {other}, rowid FROM t1 WHERE {other} {op} {}",
                    literal(&mut rng)
                ),
                vec![],
            ),
            18 => (
                format!(
                    "SELECT count(*), sum(id), max(b) FROM t1 WHERE n IN ({}) AND b {op} ?",
                    list(&mut rng)
                ),
                vec![value(&mut rng)],
            ),
            14 => (
                format!("SELECT * FROM t1 WHERE {col} IN ({}, ?)", list(&mut rng)),
                vec![value(&mut rng)],
            ),
            15 => (
                format!(
                    "SELECT * FROM t1 WHERE n IN ({}) AND b {op} {}",
                    list(&mut rng),
                    literal(&mut rng)
                ),
                vec![],
            ),
            16 => (
                format!(
                    "SELECT t2.k, t1.id FROM t2 JOIN t1 ON t1.{col} IN (t2.{other}, {}) WHERE t2.k < 5",
                    literal(&mut rng)
                ),
                vec![],
            ),
            9 => (
                format!("SELECT * FROM t1 WHERE {other} {op} {}", literal(&mut rng)),
                vec![],
            ),
            10 => (
                format!(
                    "SELECT * FROM t1 WHERE {other} BETWEEN {} AND ?",
                    literal(&mut rng)
                ),
                vec![value(&mut rng)],
            ),
            11 => {
                let op2 = ["<", "<=", ">", ">="][rng.gen_range(0..4)];
                (
                    format!(
                        "SELECT * FROM t1 WHERE n = {} AND b {op} {} AND {} {op2} b",
                        literal(&mut rng),
                        literal(&mut rng),
                        literal(&mut rng)
                    ),
                    vec![],
                )
            }
            12 => (
                format!(
                    "SELECT * FROM t1 WHERE t = ? COLLATE NOCASE AND i {op} {}",
                    literal(&mut rng)
                ),
                vec![value(&mut rng)],
            ),
            13 => (
                format!("SELECT t2.k, t1.id FROM t2 JOIN t1 ON t1.{other} {op} t2.{} WHERE t2.k < 4", names[rng.gen_range(2..names.len())]),
                vec![],
            ),
            5 => {
                let extreme = [
                    "9223372036854775807",
                    "-9223372036854775808",
                    "9.3e18",
                    "-1e300",
                    "20.5",
                    "'20.5'",
                    "x'00'",
                ];
                let bound = if rng.gen_bool(0.3) {
                    extreme[rng.gen_range(0..extreme.len())].to_string()
                } else {
                    literal(&mut rng)
                };
                (format!("SELECT * FROM t1 WHERE {key} {op} {bound}"), vec![])
            }
            6 => (
                format!(
                    "SELECT * FROM t1 WHERE {} {op} {key} AND {key} {op} ?",
                    literal(&mut rng)
                ),
                vec![value(&mut rng)],
            ),
            7 => (
                format!(
                    "SELECT * FROM t1 WHERE {key} BETWEEN {} AND {}",
                    literal(&mut rng),
                    literal(&mut rng)
                ),
                vec![],
            ),
            8 => (
                format!("SELECT t2.k, t1.id FROM t2 JOIN t1 ON t1.{key} {op} t2.{other} WHERE t2.k < 6"),
                vec![],
            ),
            0 => (format!("SELECT * FROM t1 WHERE {col} = {}", literal(&mut rng)), vec![]),
            1 => (format!("SELECT * FROM t1 WHERE {} = {col}", literal(&mut rng)), vec![]),
            2 => (
                format!("SELECT * FROM t1 WHERE {col} = ? AND n = ?2 OR 0"),
                vec![value(&mut rng), value(&mut rng)],
            ),
            3 => (
                format!("SELECT t2.k, t1.id FROM t2 JOIN t1 ON t1.{col} = t2.{other}"),
                vec![],
            ),
            _ => (
                format!(
                    "SELECT t2.k, t1.id FROM t2, t1 WHERE t2.{other} = t1.{col} AND t1.n = ? AND t2.k > ?",
                ),
                vec![value(&mut rng), Value::Integer(rng.gen_range(0..40))],
            ),
        };
        let sql = if rng.gen_bool(0.2) {
            sql.replacen("= ?", "= ? COLLATE NOCASE", 1)
        } else {
            sql
        };
        assert_eq!(
            ours(&mine, &sql, &params),
            theirs(&oracle, &sql, &params),
            "seed {seed}: {sql} with {params:?}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn seeks_find_what_sqlite_finds() {
    let seeds: Vec<u64> = match std::env::var("BASALT_SEED").ok().as_deref() {
        None => (1..=8).collect(),
        Some("random") => vec![rand::thread_rng().gen()],
        Some(seed) => vec![seed.parse().expect("BASALT_SEED is a number or `random`")],
    };
    let checked: usize = seeds.into_iter().map(run_seed).sum();
    assert!(checked > 0);
}

/// A rowid lookup, an index seek or a short rowid or index range reads a handful of pages, not the
/// table: the work is bounded by the tree's depth and the rows in range, whatever the table's
/// size.
#[test]
fn rowid_and_index_lookups_read_few_pages() {
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(
        "CREATE TABLE big(id INTEGER PRIMARY KEY, k, pad);
         CREATE INDEX big_k ON big(k);
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000)
         INSERT INTO big SELECT x, x * 7, zeroblob(100) FROM n;",
    )
    .or_else(|_| {
        // Without recursive CTEs, fill it row by row.
        conn.execute_batch("CREATE TABLE IF NOT EXISTS big(id INTEGER PRIMARY KEY, k, pad); CREATE INDEX IF NOT EXISTS big_k ON big(k)")?;
        conn.execute_batch("BEGIN")?;
        let mut insert = conn.prepare("INSERT INTO big VALUES (?, ?, zeroblob(100))")?;
        for x in 1..=20000i64 {
            insert.reset();
            insert.bind(1, Value::Integer(x))?;
            insert.bind(2, Value::Integer(x * 7))?;
            insert.step_blocking()?;
        }
        drop(insert);
        conn.execute_batch("COMMIT")
    })
    .unwrap();
    // (query, answer, rows visited): each visited row may cost a descent from the root.
    for (sql, expected, visited) in [
        (
            "SELECT k FROM big WHERE id = 12345",
            Value::Integer(12345 * 7),
            1,
        ),
        (
            "SELECT count(*) FROM big WHERE id BETWEEN 100 AND 110",
            Value::Integer(11),
            11,
        ),
        (
            "SELECT sum(id) FROM big WHERE id > 19990",
            Value::Integer(199_955),
            10,
        ),
        (
            "SELECT count(*) FROM big WHERE 3 >= rowid",
            Value::Integer(3),
            3,
        ),
        (
            "SELECT count(*) FROM big WHERE k BETWEEN 700 AND 770",
            Value::Integer(11),
            11,
        ),
        (
            "SELECT count(*) FROM big WHERE k >= 7 * 19995",
            Value::Integer(6),
            6,
        ),
        (
            "SELECT count(*) FROM big WHERE k IN (7, 14, 14.0, 21, NULL)",
            Value::Integer(3),
            3,
        ),
        (
            "SELECT sum(k) FROM big WHERE rowid IN (5, 5.0, '6', 6)",
            Value::Integer(77),
            2,
        ),
        // ORDER BY in the walk's order: LIMIT stops the walk, no sorter reads everything.
        (
            "SELECT sum(id) FROM (SELECT id FROM big WHERE k > 0 ORDER BY k LIMIT 3)",
            Value::Integer(6),
            3,
        ),
        (
            "SELECT sum(id) FROM (SELECT id, pad FROM big ORDER BY k LIMIT 3)",
            Value::Integer(6),
            3,
        ),
        (
            "SELECT sum(k) FROM (SELECT k FROM big ORDER BY id LIMIT 2)",
            Value::Integer(21),
            2,
        ),
    ] {
        let before = conn.pager_stats();
        let mut stmt = conn.prepare(sql).unwrap();
        assert!(stmt.step_blocking().unwrap(), "{sql}");
        assert_eq!(stmt.row()[0], expected, "{sql}");
        drop(stmt);
        let after = conn.pager_stats();
        let pages = after.hits + after.misses - before.hits - before.misses;
        let limit = 40 + 10 * visited;
        assert!(
            pages < limit,
            "{sql}: {pages} page reads for {visited} rows"
        );
    }
    // A covering index serves 2,000 rows from its own pages, with no lookup in the table: about
    // one page read per entry walked, where a lookup in the table costs a descent (~8 each).
    let before = conn.pager_stats();
    let mut stmt = conn
        .prepare("SELECT count(*), sum(id) FROM big WHERE k BETWEEN 7 AND 7 * 2000")
        .unwrap();
    assert!(stmt.step_blocking().unwrap());
    assert_eq!(stmt.row()[0], Value::Integer(2000));
    assert_eq!(stmt.row()[1], Value::Integer(2001 * 1000));
    drop(stmt);
    let after = conn.pager_stats();
    let pages = after.hits + after.misses - before.hits - before.misses;
    assert!(
        pages < 3000,
        "covering range: {pages} page reads for 2000 rows"
    );
}
