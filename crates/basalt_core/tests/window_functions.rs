//! Window functions against SQLite: every built-in function over many windows (partitions,
//! orders, ROWS / RANGE / GROUPS frames with offsets and EXCLUDE), generated so the coverage
//! is wide; named windows, FILTER, windows inside expressions and aggregate queries; SQLite's
//! error messages; a randomized run over frames and offsets (fixed seeds); and a bound on the
//! VM work of a sliding frame over many rows.

mod oracle;

use basalt_core::connection::Connection;

const SETUP: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, g TEXT, x INTEGER, y REAL, s TEXT)",
    "INSERT INTO t VALUES
        (1, 'a', 3, 1.5, 'p'), (2, 'b', 1, NULL, 'q'), (3, 'a', NULL, 2.5, NULL),
        (4, 'a', 3, -1.0, 'r'), (5, NULL, 7, 0.5, 'p'), (6, 'b', 1, 4.0, 'S'),
        (7, 'b', 2, 2.5, 's'), (8, 'a', 10, NULL, 'q'), (9, NULL, NULL, 3.0, 't'),
        (10, 'b', 2, 1.5, NULL), (11, 'a', -4, 6.5, 'u'), (12, 'c', 5, 2.0, 'p'),
        (13, 'a', 3, 1.0, 'v'), (14, 'b', 8, -2.5, 'w'), (15, NULL, 7, 0.0, 'p')",
];

/// Runs `queries` on both engines over the same data; every difference is reported.
fn compare_all(setup: &[&str], queries: &[String]) {
    let (ours, theirs) = oracle::memory_pair();
    oracle::compare_on(&ours, &theirs, setup);
    let mut failures = Vec::new();
    for sql in queries {
        let (a, b) = (oracle::ours(&ours, sql), oracle::theirs(&theirs, sql));
        if a.outcome != b.outcome {
            failures.push(format!(
                "{sql}\n  basalt: {:?}\n  sqlite: {:?}",
                a.outcome, b.outcome
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries differ:\n{}",
        failures.len(),
        queries.len(),
        failures[..failures.len().min(15)].join("\n")
    );
}

const FUNCTIONS: &[&str] = &[
    "row_number()",
    "rank()",
    "dense_rank()",
    "percent_rank()",
    "cume_dist()",
    "ntile(4)",
    "lag(x)",
    "lag(s, 2)",
    "lag(x, 2, -1)",
    "lead(x)",
    "lead(y, 3, 'none')",
    "first_value(x)",
    "last_value(s)",
    "nth_value(x, 2)",
    "count(*)",
    "count(x)",
    "sum(x)",
    "total(y)",
    "avg(x)",
    "sum(y)",
    "min(s)",
    "max(x)",
    "group_concat(x)",
    "group_concat(s, '|')",
    "string_agg(x, ';')",
];

const PARTITIONS: &[&str] = &["", "PARTITION BY g"];

const ORDERS: &[&str] = &[
    "",
    "ORDER BY x",
    "ORDER BY x DESC",
    "ORDER BY x NULLS LAST, id",
    "ORDER BY s",
];

const FRAMES: &[&str] = &[
    "",
    "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING",
    "ROWS UNBOUNDED PRECEDING",
    "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
    "ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING",
    "ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING",
    "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
    "RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING",
    "RANGE BETWEEN UNBOUNDED PRECEDING AND 3 FOLLOWING",
    "GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW",
    "GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 FOLLOWING",
    "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW",
    "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP",
    "GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES",
    "RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW",
];

#[test]
fn every_function_over_every_window() {
    let mut queries = Vec::new();
    for f in FUNCTIONS {
        for p in PARTITIONS {
            for o in ORDERS {
                for frame in FRAMES {
                    queries.push(format!(
                        "SELECT id, {f} OVER ({p} {o} {frame}) FROM t ORDER BY id"
                    ));
                }
            }
        }
    }
    compare_all(SETUP, &queries);
}

#[test]
fn windows_in_queries() {
    let queries: Vec<String> = [
        // Output order without ORDER BY: the first window's.
        "SELECT id, x, row_number() OVER (ORDER BY x, id), rank() OVER (ORDER BY s DESC, id) FROM t",
        "SELECT id, rank() OVER (ORDER BY s DESC, id), row_number() OVER (ORDER BY x, id) FROM t",
        "SELECT id, row_number() OVER (PARTITION BY g ORDER BY id) FROM t",
        // Expressions around window calls, and window calls in ORDER BY.
        "SELECT id, row_number() OVER w + 1, x * sum(x) OVER w FROM t WINDOW w AS (ORDER BY id)",
        "SELECT id FROM t ORDER BY row_number() OVER (ORDER BY x DESC, id) DESC",
        "SELECT id, CASE WHEN rank() OVER (ORDER BY x) > 3 THEN s ELSE g END FROM t ORDER BY id",
        "SELECT id, coalesce(lag(s) OVER (ORDER BY id), 'first') AS prev FROM t ORDER BY prev, id",
        // Named windows, chained.
        "SELECT id, sum(x) OVER (w ORDER BY id) FROM t WINDOW w AS (PARTITION BY g) ORDER BY id",
        "SELECT id, sum(x) OVER (w ROWS 1 PRECEDING) FROM t WINDOW w AS (PARTITION BY g ORDER BY id) ORDER BY id",
        "SELECT id, count(*) OVER w2 FROM t WINDOW w1 AS (PARTITION BY g), w2 AS (w1 ORDER BY x) ORDER BY id",
        "SELECT id, sum(x) OVER w, avg(y) OVER w FROM t WINDOW w AS (ORDER BY id ROWS 2 PRECEDING) ORDER BY id",
        // FILTER.
        "SELECT id, count(*) FILTER (WHERE x > 2) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, sum(x) FILTER (WHERE g = 'a') OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM t ORDER BY id",
        "SELECT id, max(x) FILTER (WHERE id % 2 = 0) OVER (PARTITION BY g ORDER BY id ROWS 1 PRECEDING) FROM t ORDER BY id",
        // With WHERE, GROUP BY, HAVING, DISTINCT, LIMIT.
        "SELECT id, row_number() OVER (ORDER BY id) FROM t WHERE x > 1 ORDER BY id",
        "SELECT g, sum(x), rank() OVER (ORDER BY sum(x) DESC) FROM t GROUP BY g ORDER BY g",
        "SELECT g, count(*), sum(count(*)) OVER (ORDER BY g) FROM t GROUP BY g HAVING count(*) > 1",
        "SELECT DISTINCT g, count(*) OVER (PARTITION BY g) FROM t ORDER BY 1",
        "SELECT id, row_number() OVER (ORDER BY id DESC) FROM t ORDER BY id LIMIT 4 OFFSET 2",
        "SELECT *, ntile(3) OVER (ORDER BY id) FROM t",
        "SELECT t.*, dense_rank() OVER (ORDER BY g) FROM t ORDER BY id",
        "SELECT id, (SELECT count(*) FROM t AS u WHERE u.x < t.x), rank() OVER (ORDER BY x) FROM t ORDER BY id",
        "SELECT (SELECT sum(x) OVER () FROM t LIMIT 1)",
        "SELECT sum(x) OVER () FROM t WHERE 0",
        "SELECT x, sum(x) OVER (ORDER BY x RANGE BETWEEN 1.5 PRECEDING AND 0.5 FOLLOWING) FROM t ORDER BY id",
        "SELECT s, count(*) OVER (ORDER BY s COLLATE NOCASE) FROM t ORDER BY id",
        "SELECT s, group_concat(s) OVER (ORDER BY s DESC RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t ORDER BY id",
        "SELECT id, first_value(id) OVER (ORDER BY y GROUPS BETWEEN 2 FOLLOWING AND 4 FOLLOWING EXCLUDE GROUP) FROM t ORDER BY id",
        "SELECT id, lag(x, -1) OVER (ORDER BY id), lead(x, 0) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, sum(x) OVER (ORDER BY id ROWS BETWEEN ? PRECEDING AND CURRENT ROW) FROM t ORDER BY id",
        "SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 1.0 PRECEDING AND '2' FOLLOWING) FROM t ORDER BY id",
        "SELECT x, sum(x) OVER (ORDER BY id ROWS BETWEEN 1 + 0 PRECEDING AND CAST('1' AS INT) FOLLOWING) FROM t ORDER BY id",
        "SELECT x, sum(x) OVER (ORDER BY id ROWS BETWEEN CASE WHEN 1 THEN 2 END PRECEDING AND -(-1) FOLLOWING) FROM t ORDER BY id",
        "SELECT id, lag(x, 1.0) OVER (ORDER BY id), lag(x, '1') OVER (ORDER BY id), lead(x, NULL, 9) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, lag(x, 'abc') OVER (ORDER BY id), lag(x, '1.5', 7) OVER (ORDER BY id), lag(x, ' 1 ') OVER (ORDER BY id), lead(x, '1x') OVER (ORDER BY id), lag(x, x'31') OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, ntile(1.7) OVER (ORDER BY id), ntile('2') OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, nth_value(x, 1.0) OVER (ORDER BY id), nth_value(x, '2') OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, ntile(id) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT id, nth_value(s, id % 3 + 1) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT count(*) OVER (), x FROM t GROUP BY x ORDER BY x",
        "SELECT row_number() OVER ()",
        "SELECT min(x) OVER (PARTITION BY g), max(x) OVER (ORDER BY id ROWS 3 PRECEDING) FROM t ORDER BY id",
        // In subqueries, compounds, views and CTEs.
        "SELECT * FROM (SELECT id, row_number() OVER (ORDER BY x, id) AS rn FROM t) WHERE rn < 4 ORDER BY id",
        "SELECT id, rank() OVER (ORDER BY x) FROM t UNION ALL SELECT 0, count(*) OVER () FROM t ORDER BY 1, 2",
        "WITH c AS (SELECT g, x, dense_rank() OVER (PARTITION BY g ORDER BY x) d FROM t) SELECT * FROM c WHERE d = 1 ORDER BY g, x",
        "SELECT id, (SELECT sum(u.x) OVER () FROM t u WHERE u.g = t.g LIMIT 1) FROM t ORDER BY id",
        "SELECT id, x IN (SELECT max(x) OVER (PARTITION BY g) FROM t) FROM t ORDER BY id",
        "SELECT id, row_number() OVER (ORDER BY id DESC) AS rn FROM t ORDER BY rn",
        "SELECT id, x, rank() OVER (ORDER BY x DESC NULLS FIRST), rank() OVER (ORDER BY x NULLS LAST) FROM t ORDER BY id",
        "SELECT s, count(*) OVER (PARTITION BY s COLLATE NOCASE) FROM t ORDER BY id",
        "SELECT x, row_number() OVER win FROM t WINDOW win AS () ORDER BY id",
        "SELECT count(*) OVER () FROM t LIMIT 0",
        "SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 9223372036854775807 PRECEDING AND 9223372036854775807 FOLLOWING) FROM t ORDER BY id",
        "SELECT id, sum(x) OVER (ORDER BY x RANGE BETWEEN 9223372036854775807 PRECEDING AND 1e300 FOLLOWING) FROM t ORDER BY id",
        "SELECT id, count(*) OVER (ORDER BY y RANGE BETWEEN 0.5 PRECEDING AND 0.5 FOLLOWING EXCLUDE TIES) FROM t ORDER BY id",
        "SELECT g, x, lead(x) OVER (PARTITION BY g ORDER BY x, id), lag(x, 1, x) OVER (PARTITION BY g ORDER BY x, id) FROM t ORDER BY id",
        "SELECT x AS y, rank() OVER (ORDER BY y) FROM t ORDER BY id",
        "SELECT rank() OVER (ORDER BY x) AS r FROM t ORDER BY r, id",
        "SELECT rank() OVER (ORDER BY x) AS r FROM t WHERE r > 1",
        "SELECT id, rank() OVER (ORDER BY x) AS r FROM t ORDER BY r + 1, id",
        "SELECT id, rank() OVER (PARTITION BY g ORDER BY x) AS r FROM t ORDER BY -r, id",
        "CREATE VIEW v AS SELECT id, sum(x) OVER (ORDER BY id) AS s FROM t",
        "SELECT * FROM v WHERE s > 10 ORDER BY id",
        "CREATE TABLE w AS SELECT id, rank() OVER (ORDER BY x) AS r FROM t",
        "SELECT * FROM w ORDER BY id",
        "INSERT INTO w SELECT id + 100, dense_rank() OVER (ORDER BY g) FROM t",
        "SELECT count(*), sum(r) FROM w",
        "SELECT a.id, count(*) OVER (PARTITION BY a.g), b.x FROM t a JOIN t b ON a.id = b.id + 1 ORDER BY a.id",
        "SELECT a.id, b.id, sum(b.x) OVER (ORDER BY a.id) FROM t a LEFT JOIN t b ON b.id = a.id * 2 ORDER BY a.id",
        "SELECT id, (SELECT sum(u.x) OVER (ORDER BY u.id + t.id) FROM t u LIMIT 1) FROM t ORDER BY id",
        "SELECT count(*) OVER (), * FROM t ORDER BY id",
        "SELECT id, row_number() OVER (PARTITION BY 1 ORDER BY 1), rank() OVER (ORDER BY 'a') FROM t ORDER BY id",
        "SELECT x FROM t WINDOW w AS (ORDER BY nope) ORDER BY id",
        "SELECT id, sum(x) OVER w FROM t WINDOW w AS (PARTITION BY g), w2 AS (w ORDER BY id) ORDER BY id",
        "SELECT typeof(avg(x) OVER ()), typeof(sum(y) OVER ()), typeof(cume_dist() OVER ()) FROM t LIMIT 1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    compare_all(SETUP, &queries);
}

#[test]
fn errors_match_sqlite() {
    let queries: Vec<String> = [
        "SELECT row_number() OVER w FROM t",
        "SELECT sum(x) OVER (RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
        "SELECT sum(x) OVER (ORDER BY x, id RANGE 1 PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x ROWS -1 PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x ROWS BETWEEN CURRENT ROW AND -1 FOLLOWING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x ROWS 1.5 PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x GROUPS NULL PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x RANGE -1 PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY x RANGE 'x' PRECEDING) FROM t",
        "SELECT row_number() FILTER (WHERE x > 1) OVER () FROM t",
        "SELECT first_value(x) FILTER (WHERE x > 1) OVER () FROM t",
        "SELECT count(DISTINCT x) OVER () FROM t",
        "SELECT * FROM t WHERE row_number() OVER () > 1",
        "SELECT x FROM t GROUP BY row_number() OVER ()",
        "SELECT count(*) FROM t HAVING row_number() OVER () > 1",
        "SELECT ntile(0) OVER () FROM t",
        "SELECT ntile(-2) OVER () FROM t",
        "SELECT nth_value(x, 0) OVER () FROM t",
        "SELECT nth_value(x, 'a') OVER () FROM t",
        "SELECT sum(row_number() OVER ()) OVER () FROM t",
        "SELECT sum(row_number() OVER ()) FROM t",
        "SELECT row_number() OVER (w ORDER BY x) FROM t WINDOW w AS (ORDER BY id)",
        "SELECT row_number() OVER (w PARTITION BY x) FROM t WINDOW w AS (ORDER BY id)",
        "SELECT row_number() OVER (w ROWS 1 PRECEDING) FROM t WINDOW w AS (ORDER BY id ROWS 2 PRECEDING)",
        "SELECT row_number() OVER (w) FROM t WINDOW w AS (ORDER BY id ROWS 2 PRECEDING)",
        "SELECT row_number(x) OVER () FROM t",
        "SELECT lag() OVER () FROM t",
        "SELECT lead(x, 1, 2, 3) OVER () FROM t",
        "SELECT abs(x) OVER () FROM t",
        "SELECT no_such_function(x) OVER () FROM t",
        "SELECT max(x, 1) OVER () FROM t",
        "SELECT sum(x) OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM t",
        "SELECT sum(x) OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY no_such_column) FROM t",
        "SELECT sum(9223372036854775807) OVER (ORDER BY id ROWS 1 PRECEDING) FROM t",
        "SELECT group_concat(s ORDER BY id) OVER () FROM t",
        "SELECT sum(x) OVER (PARTITION BY x ORDER BY y ROWS x PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY id ROWS nope PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY id ROWS abs(1) PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY id ROWS (SELECT 1) PRECEDING) FROM t",
        "SELECT sum(x) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND coalesce(x, 1) FOLLOWING) FROM t",
        "SELECT sum(x) OVER (ORDER BY id ROWS x PRECEDING) FROM t WHERE 0",
        "SELECT row_number() OVER (ORDER BY x) FROM t WINDOW w AS (ORDER BY nope)",
        "UPDATE t SET x = row_number() OVER ()",
        "SELECT id FROM t ORDER BY sum(row_number() OVER ())",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    compare_all(SETUP, &queries);
}

/// An application's window function (a plain integer sum that can undo rows) gives what
/// SQLite's built-in `sum` gives over the same windows; an application's plain aggregate
/// cannot be used with OVER.
#[test]
fn application_window_functions() {
    use basalt_core::functions::FunctionFlags;
    use basalt_core::record::{Value, ValueRef};
    use basalt_core::sql::agg::Aggregate;

    struct IntSum(Option<i64>, i64);
    impl Aggregate for IntSum {
        fn step(&mut self, args: &[ValueRef<'_>]) -> basalt_core::Result<()> {
            if let ValueRef::Integer(i) = args[0] {
                self.0 = Some(self.0.unwrap_or(0) + i);
                self.1 += 1;
            }
            Ok(())
        }
        fn inverse(&mut self, args: &[ValueRef<'_>]) -> basalt_core::Result<()> {
            if let ValueRef::Integer(i) = args[0] {
                self.0 = Some(self.0.unwrap_or(0) - i);
                self.1 -= 1;
            }
            Ok(())
        }
        fn value(&self) -> basalt_core::Result<Value> {
            Ok(match self.0 {
                Some(s) if self.1 > 0 => Value::Integer(s),
                _ => Value::Null,
            })
        }
    }
    let (ours, theirs) = oracle::memory_pair();
    oracle::compare_on(&ours, &theirs, SETUP);
    let flags = FunctionFlags::default();
    ours.create_window_function("isum", 1, flags, || Box::new(IntSum(None, 0)))
        .expect("define isum");
    ours.create_aggregate_function("plain", 1, flags, || Box::new(IntSum(None, 0)))
        .expect("define plain");
    for window in [
        "ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING",
        "PARTITION BY g ORDER BY x RANGE BETWEEN 1 PRECEDING AND CURRENT ROW",
        "ORDER BY x GROUPS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING",
        "ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW",
        "",
    ] {
        let rows = |sql: String, on_ours: bool| -> Vec<Vec<Value>> {
            let outcome = if on_ours {
                oracle::ours(&ours, &sql).outcome
            } else {
                oracle::theirs(&theirs, &sql).outcome
            };
            match outcome {
                oracle::Outcome::Rows(_, rows) => rows,
                oracle::Outcome::Error(e) => panic!("{sql}: {e}"),
            }
        };
        let ask = |f: &str| format!("SELECT id, {f}(x) OVER ({window}) FROM t ORDER BY id");
        assert_eq!(rows(ask("isum"), true), rows(ask("sum"), false), "{window}");
    }
    assert_eq!(
        oracle::ours(&ours, "SELECT plain(x) OVER () FROM t").outcome,
        oracle::Outcome::Error("plain() may not be used as a window function".into())
    );
    assert_eq!(
        oracle::ours(&ours, "SELECT isum(x), plain(x) FROM t").outcome,
        oracle::theirs(
            &theirs,
            "SELECT sum(x) AS \"isum(x)\", sum(x) AS \"plain(x)\" FROM t"
        )
        .outcome
    );
}

/// A small deterministic generator (xorshift), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn random_bound(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => "UNBOUNDED PRECEDING".into(),
        1 => format!("{} PRECEDING", rng.below(4)),
        2 => "CURRENT ROW".into(),
        3 => format!("{} FOLLOWING", rng.below(4)),
        _ => "UNBOUNDED FOLLOWING".into(),
    }
}

#[test]
fn randomized_frames() {
    for seed in [
        0x9e37_79b9_7f4a_7c15,
        0x2545_f491_4f6c_dd1d,
        0x1234_5678_9abc_def1,
        77,
    ] {
        randomized_frames_with(seed);
    }
}

/// A random table (ties, NULLs, integers, reals of every magnitude, text) and random windows.
fn randomized_frames_with(seed: u64) {
    let mut setup: Vec<String> =
        vec!["CREATE TABLE r(id INTEGER PRIMARY KEY, p INTEGER, k INTEGER, v)".into()];
    let mut rng = Rng(seed);
    for id in 1..=60 {
        let k = match rng.below(6) {
            0 => "NULL".to_string(),
            _ => rng.below(12).to_string(),
        };
        let v = match rng.below(6) {
            0 => "NULL".to_string(),
            1 => format!("{}.25", rng.below(50)),
            5 => format!("{}.{}e{}", rng.below(1000), rng.below(1000), rng.below(40)),
            2 => format!("'t{}'", rng.below(9)),
            _ => rng.below(100).to_string(),
        };
        setup.push(format!(
            "INSERT INTO r VALUES ({id}, {}, {k}, {v})",
            rng.below(3)
        ));
    }
    let funcs = [
        "sum(v)",
        "count(v)",
        "avg(v)",
        "total(v)",
        "min(v)",
        "max(v)",
        "group_concat(v)",
        "first_value(v)",
        "last_value(v)",
        "nth_value(v, 3)",
        "count(*)",
    ];
    let units = ["ROWS", "RANGE", "GROUPS"];
    let excludes = [
        "",
        "",
        "EXCLUDE CURRENT ROW",
        "EXCLUDE GROUP",
        "EXCLUDE TIES",
    ];
    let orders = ["ORDER BY k", "ORDER BY k DESC", "ORDER BY k NULLS LAST"];
    let mut queries = Vec::new();
    for _ in 0..600 {
        let f = rng.pick(&funcs);
        let unit = rng.pick(&units);
        let order = rng.pick(&orders);
        let part = if rng.below(2) == 0 {
            "PARTITION BY p"
        } else {
            ""
        };
        let (a, b) = (random_bound(&mut rng), random_bound(&mut rng));
        let exclude = rng.pick(&excludes);
        queries.push(format!(
            "SELECT id, {f} OVER ({part} {order} {unit} BETWEEN {a} AND {b} {exclude}) FROM r ORDER BY id"
        ));
    }
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    compare_all(&setup, &queries);
}

/// A sliding frame over many rows costs the same VM work per row, however long the table.
#[test]
fn sliding_frame_is_not_quadratic() {
    let conn = Connection::open(":memory:").expect("open");
    let steps = |n: i64| -> u64 {
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS big; CREATE TABLE big(v INTEGER);
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n})
             INSERT INTO big SELECT i FROM c;"
        ))
        .expect("fill");
        let mut total = 0;
        // Sliding sums undo rows; min/max keep a queue: neither recomputes a frame per row
        // (a quadratic one would not finish at 100k rows).
        for sql in [
            "SELECT sum(v) OVER (ORDER BY v ROWS BETWEEN 10 PRECEDING AND 10 FOLLOWING) FROM big",
            "SELECT max(v) OVER (ORDER BY v ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM big",
            "SELECT min(v) OVER (ORDER BY v RANGE BETWEEN 100 PRECEDING AND 5 FOLLOWING) FROM big",
        ] {
            let mut stmt = conn.prepare(sql).expect("prepare");
            let mut rows = 0;
            while stmt.step_blocking().expect("step") {
                rows += 1;
            }
            assert_eq!(rows, n);
            total += stmt.vm_steps();
        }
        total
    };
    let (small, large) = (steps(10_000), steps(100_000));
    assert!(
        large <= small * 11,
        "VM steps grow faster than the rows: {small} for 10k rows, {large} for 100k"
    );
}
