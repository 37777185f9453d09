//! Random joins against SQLite: two- to four-way joins (inner, comma, CROSS, LEFT, RIGHT, FULL,
//! USING)
//! over tables, a view and subqueries, with and without indexes, on columns of every affinity
//! and collation holding NULLs and values of every storage class. Automatic indexes and join
//! reordering may change the order rows come out in, which SQL leaves open: rows are compared
//! as sorted multisets, and in order where the query has an ORDER BY over every output
//! column. Seed printed; `BASALT_SEED=n` replays one, `BASALT_SEED=random` tries a new one.

mod oracle;

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const TABLES: [&str; 4] = ["t1", "t2", "t3", "t4"];
const COLUMNS: [&str; 5] = ["i", "t", "n", "b", "c"];
const DECLS: &str = "i INTEGER, t TEXT, n NUMERIC, b, c TEXT COLLATE NOCASE";

fn value(rng: &mut StdRng) -> Value {
    let t = |s: &str| Value::Text(s.as_bytes().to_vec());
    match rng.gen_range(0..8) {
        0 => Value::Null,
        1 | 2 => Value::Integer(rng.gen_range(-2..5)),
        3 => Value::Real(f64::from(rng.gen_range(-4..10)) / 2.0),
        4 => Value::Text(rng.gen_range(-2..5).to_string().into_bytes()),
        5 => t(["a", "A", "b", "2.0", " 2", "B"][rng.gen_range(0..6)]),
        6 => Value::Blob(vec![b'0' + rng.gen_range(0..4)]),
        _ => Value::Integer(rng.gen_range(0..3)),
    }
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(String::from_utf8_lossy(t).into_owned()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn ours(conn: &Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut stmt = conn.prepare(sql).map_err(|e| e.message)?;
    let mut rows = Vec::new();
    while stmt.step_blocking().map_err(|e| e.message)? {
        rows.push(stmt.row().to_vec());
    }
    Ok(rows)
}

fn theirs(conn: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut stmt = conn.prepare(sql).map_err(|e| oracle::message(e, sql))?;
    let n = stmt.column_count();
    let mut q = stmt.query([]).map_err(|e| oracle::message(e, sql))?;
    let mut rows = Vec::new();
    while let Some(r) = q.next().map_err(|e| oracle::message(e, sql))? {
        rows.push((0..n).map(|i| oracle::sqlite_value(r, i)).collect());
    }
    Ok(rows)
}

fn sorted(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

/// A FROM source: a table, the view, or a subquery over a table.
fn source(rng: &mut StdRng, table: &str, alias: &str) -> String {
    match rng.gen_range(0..6) {
        0 => format!("v1 AS {alias}"),
        1 => format!("(SELECT * FROM {table} WHERE id % 3 <> 0) AS {alias}"),
        2 => format!("(SELECT id, i, t || '' AS t, n, b, c FROM {table}) AS {alias}"),
        _ => format!("{table} AS {alias}"),
    }
}

/// `l.col = r.col` for random columns (sometimes with a COLLATE, sometimes the rowid).
fn equality(rng: &mut StdRng, l: &str, r: &str) -> String {
    let lc = COLUMNS.choose(rng).unwrap();
    let rc = COLUMNS.choose(rng).unwrap();
    match rng.gen_range(0..8) {
        0 => format!("{l}.{lc} = {r}.{rc} COLLATE NOCASE"),
        1 => format!("{l}.id = {r}.{rc}"),
        2 => format!("{r}.{rc} = {l}.{lc}"),
        3 => format!("{l}.{lc} = {r}.{lc}"),
        _ => format!("{l}.{lc} = {r}.{rc}"),
    }
}

fn query(rng: &mut StdRng) -> (String, bool) {
    let n = rng.gen_range(2..=4);
    let aliases = ["a", "b", "c", "d"];
    let table = *TABLES.choose(rng).unwrap();
    let mut from = source(rng, table, "a");
    let mut wheres = Vec::new();
    for k in 1..n {
        let alias = aliases[k];
        let earlier = aliases[rng.gen_range(0..k)];
        let table = *TABLES.choose(rng).unwrap();
        let src = source(rng, table, alias);
        let on = equality(rng, earlier, alias);
        let extra = if rng.gen_bool(0.3) {
            format!(" AND {alias}.{} IS NOT NULL", COLUMNS.choose(rng).unwrap())
        } else {
            String::new()
        };
        let join = match rng.gen_range(0..9) {
            0 => format!(" LEFT JOIN {src} ON {on}{extra}"),
            7 => format!(" RIGHT JOIN {src} ON {on}{extra}"),
            8 => format!(" FULL JOIN {src} ON {on}{extra}"),
            1 => format!(" CROSS JOIN {src} ON {on}"),
            2 => {
                wheres.push(on);
                format!(", {src}")
            }
            3 => format!(" JOIN {src} USING ({})", COLUMNS.choose(rng).unwrap()),
            _ => format!(" JOIN {src} ON {on}{extra}"),
        };
        from.push_str(&join);
    }
    if rng.gen_bool(0.3) {
        let alias = aliases[rng.gen_range(0..n)];
        wheres.push(format!("{alias}.{} <> 1", COLUMNS.choose(rng).unwrap()));
    }
    let columns: Vec<String> = aliases[..n]
        .iter()
        .flat_map(|a| {
            [
                format!("{a}.id"),
                format!("{a}.{}", COLUMNS.choose(rng).unwrap()),
            ]
        })
        .collect();
    let mut sql = format!("SELECT {} FROM {from}", columns.join(", "));
    if !wheres.is_empty() {
        sql.push_str(&format!(" WHERE {}", wheres.join(" AND ")));
    }
    let ordered = rng.gen_bool(0.3);
    if ordered {
        let keys: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
        sql.push_str(&format!(" ORDER BY {}", keys.join(", ")));
    }
    (sql, ordered)
}

fn run_seed(seed: u64) -> usize {
    println!("join_diff seed: {seed} (BASALT_SEED={seed} replays)");
    let mut rng = StdRng::seed_from_u64(seed);
    let mine = Connection::open(":memory:").unwrap();
    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    let mut setup = Vec::new();
    for table in TABLES {
        setup.push(format!(
            "CREATE TABLE {table}(id INTEGER PRIMARY KEY, {DECLS})"
        ));
        for col in COLUMNS {
            if rng.gen_bool(0.15) {
                setup.push(format!("CREATE INDEX {table}_{col} ON {table}({col})"));
            }
        }
    }
    setup.push("CREATE VIEW v1 AS SELECT id, i, t, n, b, c FROM t2 WHERE id < 20".into());
    for sql in &setup {
        mine.execute_batch(sql).unwrap();
        oracle.execute_batch(sql).unwrap();
    }
    for table in TABLES {
        let rows = rng.gen_range(4..25);
        let sql = format!("INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)");
        let mut stmt = mine.prepare(&sql).unwrap();
        for id in 1..=rows {
            let mut row: Vec<Value> = (0..5).map(|_| value(&mut rng)).collect();
            row.insert(0, Value::Integer(id));
            stmt.reset();
            for (k, v) in row.iter().enumerate() {
                stmt.bind(k + 1, v.clone()).unwrap();
            }
            while stmt.step_blocking().unwrap() {}
            let params: Vec<rusqlite::types::Value> = row.iter().map(to_sqlite).collect();
            oracle
                .execute(&sql, rusqlite::params_from_iter(params))
                .unwrap();
        }
    }
    let mut checked = 0;
    for _ in 0..150 {
        let (sql, ordered) = query(&mut rng);
        let (mut a, mut b) = (ours(&mine, &sql), theirs(&oracle, &sql));
        if !ordered {
            a = a.map(sorted);
            b = b.map(sorted);
        }
        assert_eq!(a, b, "seed {seed}: {sql}");
        checked += usize::from(b.is_ok_and(|rows| !rows.is_empty()));
    }
    checked
}

#[test]
fn joins_return_what_sqlite_returns() {
    let seeds: Vec<u64> = match std::env::var("BASALT_SEED").ok().as_deref() {
        None => (1..=12).collect(),
        Some("random") => vec![rand::thread_rng().gen()],
        Some(seed) => vec![seed.parse().expect("BASALT_SEED is a number or `random`")],
    };
    let n = seeds.len();
    let checked: usize = seeds.into_iter().map(run_seed).sum();
    // Many queries must return rows, or the comparison proves little.
    assert!(
        checked > n * 150 / 4,
        "only {checked} queries returned rows"
    );
}
