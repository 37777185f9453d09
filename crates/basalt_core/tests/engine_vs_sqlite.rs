//! The query engine against SQLite (rusqlite, bundled 3.54.1): the same scripts on both, the
//! same rows (values and storage classes), the same error messages, the same `changes()`.

mod oracle;

use oracle::compare;

#[test]
fn types_nulls_and_affinity() {
    compare(&[
        "CREATE TABLE t(i INTEGER, r REAL, x TEXT, n NUMERIC, b BLOB, nothing)",
        "INSERT INTO t VALUES ('12', '3', 4, '5.0', '6', '7')",
        "INSERT INTO t VALUES (1.0, 2, 3.5, 'abc', x'00ff', NULL)",
        "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL)",
        "SELECT i, r, x, n, b, nothing, typeof(i), typeof(r), typeof(x), typeof(n) FROM t",
        "SELECT i = '12', x = 4, x < 5, n = 5, r > '2' FROM t",
        "SELECT 5/2, 5.0/2, 5%0, '3'+'4', -'abc', 1e308*10, 9223372036854775807+1, 7 || 8",
        "SELECT CAST('12abc' AS INTEGER), CAST(' 1.5e3x' AS NUMERIC), CAST(3.9 AS INTEGER), CAST(1 AS TEXT)",
        "SELECT NULL = NULL, NULL IS NULL, 1 IS NOT NULL, NULL AND 0, NULL OR 1, NOT NULL",
        "SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, 3), NULL IN (), 3 BETWEEN 1 AND NULL",
        "SELECT coalesce(NULL, 2), nullif(1, 1), abs(-3), abs(-2.5), length('héllo'), substr('hello', 2, 3)",
        "SELECT 'abc' LIKE 'A%', 'abc' GLOB 'A*', upper('x') || lower('Y'), round(2.5), round(1.005, 2)",
    ]);
}

/// A database with no page yet holds only the empty schema table: reads find nothing.
#[test]
fn reads_of_a_database_with_no_page_yet() {
    compare(&[
        "SELECT count(*) FROM sqlite_schema",
        "SELECT * FROM sqlite_schema",
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
        "SELECT max(name), min(sql) FROM sqlite_schema",
        "CREATE TABLE t(x)",
        "SELECT count(*) FROM sqlite_schema",
    ]);
}

#[test]
fn queries() {
    compare(&[
        "CREATE TABLE t1(a INTEGER PRIMARY KEY, b, c TEXT COLLATE NOCASE)",
        "CREATE TABLE t2(x, y)",
        "INSERT INTO t1 VALUES (1, 10, 'a'), (2, 20, 'B'), (3, NULL, 'c'), (4, 20, 'A')",
        "INSERT INTO t2 VALUES (1, 'one'), (3, 'three'), (5, 'five')",
        "SELECT * FROM t1 ORDER BY c, a",
        "SELECT c FROM t1 ORDER BY c COLLATE BINARY DESC",
        "SELECT b FROM t1 ORDER BY b NULLS LAST",
        "SELECT DISTINCT b FROM t1 ORDER BY 1",
        "SELECT b, count(*), sum(a), avg(a), group_concat(c) FROM t1 GROUP BY b ORDER BY b",
        "SELECT count(*), count(b), min(b), max(c), total(b) FROM t1",
        "SELECT b, count(*) FROM t1 GROUP BY b HAVING count(*) > 1",
        "SELECT t1.a, t2.y FROM t1 LEFT JOIN t2 ON t1.a = t2.x ORDER BY 1",
        "SELECT a, y FROM t1, t2 WHERE a = x",
        "SELECT a, (SELECT y FROM t2 WHERE x = a) FROM t1",
        "SELECT a FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE x = a)",
        "SELECT a FROM t1 WHERE a NOT IN (SELECT x FROM t2)",
        "SELECT a FROM t1 UNION SELECT x FROM t2",
        "SELECT a FROM t1 UNION ALL SELECT x FROM t2 ORDER BY 1 DESC LIMIT 3 OFFSET 1",
        "SELECT a FROM t1 EXCEPT SELECT x FROM t2",
        "SELECT a FROM t1 INTERSECT SELECT x FROM t2",
        "SELECT * FROM (SELECT a * 2 AS d FROM t1) WHERE d > 2",
        "WITH w(v) AS (SELECT b FROM t1) SELECT sum(v) FROM w",
        "CREATE VIEW v AS SELECT a, c FROM t1 WHERE a > 1",
        "SELECT * FROM v ORDER BY a",
        "SELECT a FROM t1 WHERE c = 'A' ORDER BY a",
        "SELECT a FROM t1 LIMIT 2",
        "SELECT a FROM t1 LIMIT 'x'",
    ]);
}

#[test]
fn writes_and_constraints() {
    compare(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY, u TEXT UNIQUE, n INTEGER NOT NULL DEFAULT 7, c CHECK (c > 0))",
        "CREATE INDEX tn ON t(n)",
        "INSERT INTO t(u, c) VALUES ('a', 1)",
        "INSERT INTO t(u, n, c) VALUES ('b', 2, 2), ('c', 3, 3)",
        "INSERT INTO t(u, c) VALUES ('a', 1)",
        "INSERT INTO t(u, n, c) VALUES ('z', NULL, 1)",
        "INSERT INTO t(u, c) VALUES ('y', 0)",
        "INSERT INTO t(id, u, c) VALUES (1, 'q', 1)",
        "INSERT OR IGNORE INTO t(u, c) VALUES ('a', 5)",
        "INSERT OR REPLACE INTO t(u, n, c) VALUES ('a', 9, 9)",
        "SELECT * FROM t ORDER BY id",
        "UPDATE t SET n = n + 10 WHERE n < 5",
        "UPDATE t SET u = 'b' WHERE u = 'c'",
        "SELECT * FROM t ORDER BY id",
        "DELETE FROM t WHERE n > 12",
        "SELECT * FROM t ORDER BY id",
        "SELECT n FROM t WHERE n = 9",
        "DELETE FROM t",
        "SELECT count(*) FROM t",
    ]);
}

#[test]
fn errors_match() {
    compare(&[
        "SELECT * FROM t",
        "SELECT x",
        "SELEC 1",
        "CREATE TABLE t(x)",
        "CREATE TABLE t(y)",
        "SELECT nosuch(x) FROM t",
        "SELECT sum(x) FROM t WHERE sum(x) > 1",
        "SELECT x FROM t ORDER BY 2",
        "INSERT INTO t VALUES (1, 2)",
        "INSERT INTO t(nosuch) VALUES (1)",
        "DROP TABLE nosuch",
        "DROP INDEX nosuch",
        "CREATE INDEX i ON nosuch(x)",
        "SELECT 1 UNION SELECT 1, 2",
    ]);
}

/// WHERE comparisons compiled as direct jumps and constants computed once in the prologue:
/// NULLs, IS, BETWEEN bounds, affinities and collations must answer as before, every row.
#[test]
fn direct_jump_conditions_and_hoisted_constants() {
    compare(&[
        "CREATE TABLE t(a INTEGER, b REAL, c TEXT COLLATE NOCASE, d)",
        "INSERT INTO t VALUES (1, 1.5, 'a', NULL), (2, NULL, 'B', '2'), (NULL, 3.0, NULL, 3), (5, 5.5, 'c', x'01')",
        "INSERT INTO t VALUES (-9223372036854775808, 0.0, 'A', 2.0), (3, 2.5, 'b', 'x')",
        "SELECT a FROM t WHERE a BETWEEN 1 AND 3 ORDER BY a",
        "SELECT a FROM t WHERE a NOT BETWEEN 1 AND 3 ORDER BY a",
        "SELECT a FROM t WHERE a BETWEEN NULL AND 3 OR a BETWEEN 2 AND NULL ORDER BY a",
        "SELECT a FROM t WHERE b BETWEEN '1' AND '3' ORDER BY a",
        "SELECT a FROM t WHERE a > '2' AND b < 10 ORDER BY a",
        "SELECT a FROM t WHERE c = 'a' ORDER BY a",
        "SELECT a FROM t WHERE c BETWEEN 'a' AND 'b' COLLATE BINARY ORDER BY a",
        "SELECT a FROM t WHERE d = 2 ORDER BY a",
        "SELECT a FROM t WHERE d IS NULL OR a IS 5 ORDER BY a",
        "SELECT a FROM t WHERE d IS NOT NULL AND a IS NOT 5 ORDER BY a",
        "SELECT a FROM t WHERE a <> 2 ORDER BY a",
        "SELECT a FROM t WHERE NOT (a <= 2) ORDER BY a",
        "SELECT a FROM t WHERE a = -(-9223372036854775808) OR a = -9223372036854775808",
        "SELECT a FROM t WHERE a > 1 + 2 * 3 - 7 / 2 % 2 ORDER BY a",
        "SELECT a FROM t WHERE a >= +'2' ORDER BY a",
        "SELECT a, b > 2, a BETWEEN 1 AND 2, d IS 3, a + 1 > 2.5 FROM t ORDER BY a",
        "SELECT count(*), sum(b), min(c) FROM t WHERE a BETWEEN -100 AND 100 AND b > 1.0",
        "SELECT a FROM t WHERE 1 = 1 AND NULL ORDER BY a",
        "SELECT a FROM t WHERE a = x'01' OR d = x'01' OR d = 'x'",
        "SELECT t1.a, t2.a FROM t AS t1 JOIN t AS t2 ON t2.a = t1.a + 1 AND t2.b > 1.0 ORDER BY 1",
        "SELECT c, count(*) FROM t GROUP BY c HAVING count(*) > 1 AND min(a) < 10 ORDER BY c",
        "UPDATE t SET d = 'u' WHERE a BETWEEN 2 AND 3",
        "DELETE FROM t WHERE b < 1.0 AND a IS NOT NULL",
        "SELECT * FROM t ORDER BY a",
    ]);
}

/// A parameter computed once per execution in the prologue takes each new binding of a reused
/// statement.
#[test]
fn hoisted_parameters_follow_rebinding() {
    use basalt_core::record::Value;
    let (a, b) = oracle::memory_pair();
    let setup = [
        "CREATE TABLE t(a INTEGER, b REAL)",
        "INSERT INTO t VALUES (1, 1.5), (2, 2.5), (3, NULL), (4, 4.5)",
    ];
    oracle::compare_on(&a, &b, &setup);
    let sql = "SELECT a FROM t WHERE a BETWEEN ?1 AND ?2 AND b > ?1 - 1 ORDER BY a";
    let mut ours = a.prepare(sql).expect("prepare");
    let mut theirs = b.prepare(sql).expect("prepare");
    for (lo, hi) in [(1, 4), (2, 2), (0, 10), (3, 1)] {
        ours.reset();
        ours.bind(1, Value::Integer(lo)).expect("bind");
        ours.bind(2, Value::Integer(hi)).expect("bind");
        let mut got = Vec::new();
        while ours.step_blocking().expect("step") {
            got.push(ours.row().to_vec());
        }
        let want: Vec<Vec<Value>> = theirs
            .query_map([lo, hi], |r| Ok(vec![oracle::sqlite_value(r, 0)]))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(got, want, "?1 = {lo}, ?2 = {hi}");
    }
}

/// The sorter on keys with many ties, of every storage class, under each collation and
/// direction: rows with equal keys must come out in SQLite's order too.
#[test]
fn sorting_ties_mixed_types_and_collations() {
    let mut script = vec![
        "CREATE TABLE s(id INTEGER PRIMARY KEY, k, t TEXT, u, w INTEGER)".to_string(),
        "CREATE TABLE n(x TEXT COLLATE NOCASE, y)".to_string(),
    ];
    let keys = [
        "NULL", "1", "1.0", "2", "-7", "2.5", "'a'", "'A'", "'b '", "'b'", "x'00'", "x''", "'10'",
    ];
    let wide = [i64::MIN, -1, 0, 1, i64::MAX, -300, 70000, 1 << 40];
    let texts = ["'x'", "'X'", "'y'", "'Y '", "NULL", "'y'"];
    for i in 0..120 {
        script.push(format!(
            "INSERT INTO s(k, t, u, w) VALUES ({}, {}, {}, {})",
            keys[(i * 7) % keys.len()],
            texts[(i * 5) % texts.len()],
            i % 4,
            wide[i % wide.len()]
        ));
        script.push(format!(
            "INSERT INTO n VALUES ({}, {i})",
            texts[(i * 3) % texts.len()]
        ));
    }
    script.extend(
        [
            "SELECT id, k FROM s ORDER BY k",
            "SELECT id, k FROM s ORDER BY k DESC",
            "SELECT id, k, u FROM s ORDER BY u, k DESC NULLS FIRST",
            "SELECT id, t FROM s ORDER BY t COLLATE NOCASE",
            "SELECT id, t FROM s ORDER BY t COLLATE RTRIM DESC NULLS LAST",
            "SELECT id, t, u FROM s ORDER BY t NULLS LAST, u DESC",
            "SELECT x, y FROM n ORDER BY x",
            "SELECT x, y FROM n ORDER BY x DESC",
            "SELECT k, count(*), min(id), max(t) FROM s GROUP BY k",
            "SELECT t, count(*), group_concat(id) FROM s GROUP BY t COLLATE NOCASE",
            "SELECT x, count(*), group_concat(y) FROM n GROUP BY x",
            "SELECT u, k, count(*) FROM s GROUP BY u, k ORDER BY count(*), u",
            "SELECT id, k FROM s ORDER BY k LIMIT 10 OFFSET 20",
            "SELECT id, w FROM s ORDER BY w",
            "SELECT id, w FROM s ORDER BY w DESC",
            "SELECT w, count(*), group_concat(id) FROM s GROUP BY w",
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = script.iter().map(String::as_str).collect();
    compare(&refs);
}
