//! WITH RECURSIVE against SQLite: UNION and UNION ALL, several initial and recursive members,
//! ORDER BY (the queue's priority), LIMIT/OFFSET inside the CTE, column lists, MATERIALIZED
//! hints, several references, tree walks, larger counts, and SQLite's error messages; and
//! unbounded CTEs that the outer query stops early (read lazily, as a co-routine), each under a
//! watchdog so that a regression fails instead of hanging.

mod oracle;

use oracle::{compare, compare_within};
use std::time::Duration;

/// How long one statement of an early-stopping query may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(10);

#[test]
fn counting_and_compounds() {
    compare(&[
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT * FROM c",
        "WITH c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM c WHERE n < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (VALUES (1) UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x % 3 + 1 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT 1 UNION SELECT (x + 1) % 3 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 EXCEPT SELECT 2 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT x + 10 FROM c WHERE x < 30) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 UNION ALL SELECT x + 10 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS MATERIALIZED (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS NOT MATERIALIZED (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT DISTINCT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x, y) AS (SELECT 1, 'a' UNION ALL SELECT x + 1, y || 'b' FROM c WHERE x < 4) SELECT y, x FROM c",
        "WITH RECURSIVE c(x) AS (SELECT NULL UNION SELECT NULL FROM c) SELECT x, typeof(x) FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1.5 UNION ALL SELECT CASE WHEN typeof(x) = 'real' THEN 'two' ELSE x'00' END FROM c WHERE typeof(x) <> 'blob') SELECT x, typeof(x) FROM c",
    ]);
}

#[test]
fn limit_offset_and_order() {
    compare(&[
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5 OFFSET 2) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 LIMIT 0) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 LIMIT -1 OFFSET 1) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 5 UNION ALL SELECT x - 1 FROM c WHERE x > 0 ORDER BY 1) SELECT * FROM c",
        "WITH RECURSIVE c(x, d) AS (SELECT 1, 0 UNION ALL SELECT x * 2, d + 1 FROM c WHERE d < 3 UNION ALL SELECT x * 2 + 1, d + 1 FROM c WHERE d < 3 ORDER BY 2 DESC) SELECT * FROM c",
        "WITH RECURSIVE c(x, d) AS (SELECT 1, 0 UNION ALL SELECT x * 2, d + 1 FROM c WHERE d < 3 UNION ALL SELECT x * 2 + 1, d + 1 FROM c WHERE d < 3 ORDER BY 2) SELECT * FROM c",
        "WITH RECURSIVE c(s) AS (SELECT 'b' AS v UNION ALL SELECT 'A' UNION ALL SELECT s || 'x' FROM c WHERE length(s) < 3 ORDER BY v COLLATE NOCASE DESC) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20 ORDER BY 1 DESC LIMIT 4) SELECT * FROM c",
    ]);
}

#[test]
fn references_and_outer_queries() {
    compare(&[
        "CREATE TABLE t(v)",
        "INSERT INTO t VALUES (1), (3)",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c AS p, c AS q",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT (SELECT count(*) FROM c), x FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c WHERE x IN (SELECT x FROM c)",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT sum(x), count(*) FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3), d(y) AS (SELECT x FROM c UNION ALL SELECT y * 10 FROM d WHERE y < 100) SELECT * FROM d",
        "WITH RECURSIVE c(x) AS (SELECT v FROM t UNION ALL SELECT x + 1 FROM c WHERE x < 4) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + v FROM c, t WHERE x < 6) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + v FROM t JOIN c ON v <= x WHERE x < 6) SELECT * FROM c",
        "SELECT v, (WITH RECURSIVE c(x) AS (SELECT v UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT group_concat(x) FROM c) FROM t",
        "SELECT * FROM t FULL JOIN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4) SELECT x FROM c) ON x = v",
        "CREATE VIEW vc AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 2 FROM c WHERE x < 7) SELECT x FROM c",
        "SELECT * FROM vc",
        "WITH t(v) AS (SELECT 10 UNION ALL SELECT v + 1 FROM t WHERE v < 12) SELECT * FROM t",
        "WITH c(x) AS (WITH c(y) AS (SELECT 4) SELECT y + 1 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + (WITH c(k) AS (SELECT 2) SELECT k FROM c) FROM c WHERE x < 7) SELECT * FROM c",
    ]);
}

#[test]
fn errors() {
    compare(&[
        "CREATE TABLE a(x)",
        "WITH RECURSIVE c(x) AS (SELECT x FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c, c AS d) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c JOIN c AS e) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x IN (SELECT x FROM c)) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE EXISTS (SELECT 1 FROM c)) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT 3 FROM c)) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT (SELECT x FROM c)) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT max(x) + 1 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c GROUP BY x) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 EXCEPT SELECT x + 1 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT x + 1 FROM c UNION ALL SELECT 1) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 UNION ALL SELECT 5) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2 UNION SELECT x + 1 FROM c WHERE x < 2) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM (SELECT * FROM c) WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x, y) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c ORDER BY nosuch) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 ORDER BY x) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c ORDER BY 2) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LEFT JOIN a ON 1 WHERE x < 3) SELECT * FROM c",
        "WITH a AS (SELECT * FROM a) SELECT * FROM a",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c, (SELECT * FROM c) WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3 UNION ALL SELECT x FROM (SELECT x FROM c) WHERE 0) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM (c) WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM a RIGHT JOIN c ON 1 WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c RIGHT JOIN a ON 1 WHERE x < 3) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3), d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d, c WHERE n < 3) SELECT * FROM d",
        "WITH RECURSIVE a(x) AS (SELECT (SELECT count(*) FROM a) UNION ALL SELECT x + 1 FROM a WHERE x < 3) SELECT * FROM a",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x, 2 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x, 2 FROM c) SELECT * FROM c",
        "WITH RECURSIVE c(x, y) AS (SELECT 1 UNION SELECT x, 2 FROM c) SELECT * FROM c AS z",
        "WITH c(x, y) AS (SELECT 1) SELECT * FROM c AS z",
    ]);
}

#[test]
fn trees_and_classics() {
    let mut script = vec![
        "CREATE TABLE org(name TEXT PRIMARY KEY, boss TEXT)".to_string(),
        "INSERT INTO org VALUES ('Alice', NULL), ('Bob', 'Alice'), ('Cindy', 'Alice'), ('Dave', 'Bob'), ('Emma', 'Bob'), ('Fred', 'Cindy'), ('Gail', 'Cindy'), ('Hank', 'Fred')".to_string(),
        "WITH RECURSIVE under(name, level) AS (SELECT 'Alice', 0 UNION ALL SELECT org.name, under.level + 1 FROM org JOIN under ON org.boss = under.name ORDER BY 2 DESC) SELECT substr('..........', 1, level * 3) || name FROM under".to_string(),
        "WITH RECURSIVE under(name, level) AS (SELECT 'Alice', 0 UNION ALL SELECT org.name, under.level + 1 FROM org JOIN under ON org.boss = under.name ORDER BY 2) SELECT * FROM under".to_string(),
        "WITH RECURSIVE chain(n, b) AS (SELECT name, boss FROM org WHERE name = 'Hank' UNION ALL SELECT org.name, org.boss FROM org, chain WHERE org.name = chain.b) SELECT group_concat(n, ' < ') FROM chain".to_string(),
        "WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 0 UNION ALL SELECT b, a + b, n + 1 FROM fib WHERE n < 90) SELECT n, a FROM fib".to_string(),
        "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 10000) SELECT count(*), sum(x), min(x), max(x) FROM cnt".to_string(),
        "WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt LIMIT 10000) SELECT x FROM cnt WHERE x % 997 = 0".to_string(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT (x * 7) % 1009 FROM c) SELECT count(*), sum(x) FROM c".to_string(),
    ];
    // The Mandelbrot set as in SQLite's documentation of WITH.
    script.push(
        "WITH RECURSIVE xaxis(x) AS (VALUES(-2.0) UNION ALL SELECT x + 0.05 FROM xaxis WHERE x < 1.2), \
         yaxis(y) AS (VALUES(-1.0) UNION ALL SELECT y + 0.1 FROM yaxis WHERE y < 1.0), \
         m(iter, cx, cy, x, y) AS (SELECT 0, x, y, 0.0, 0.0 FROM xaxis, yaxis \
           UNION ALL SELECT iter + 1, cx, cy, x * x - y * y + cx, 2.0 * x * y + cy FROM m \
           WHERE (x * x + y * y) < 4.0 AND iter < 28), \
         m2(iter, cx, cy) AS (SELECT max(iter), cx, cy FROM m GROUP BY cx, cy), \
         a(t) AS (SELECT group_concat(substr(' .+*#', 1 + min(iter / 7, 4), 1), '') FROM m2 GROUP BY cy) \
         SELECT group_concat(rtrim(t), x'0a') FROM a"
            .to_string(),
    );
    // A sudoku solver as in SQLite's documentation of WITH.
    script.push(
        "WITH RECURSIVE input(sud) AS (VALUES('53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79')), \
         digits(z, lp) AS (VALUES('1', 1) UNION ALL SELECT CAST(lp + 1 AS TEXT), lp + 1 FROM digits WHERE lp < 9), \
         x(s, ind) AS (SELECT sud, instr(sud, '.') FROM input \
           UNION ALL SELECT substr(s, 1, ind - 1) || z || substr(s, ind + 1), instr(substr(s, 1, ind - 1) || z || substr(s, ind + 1), '.') \
           FROM x, digits AS z WHERE ind > 0 AND NOT EXISTS (SELECT 1 FROM digits AS lp \
             WHERE z.z = substr(s, ((ind - 1) / 9) * 9 + lp, 1) \
                OR z.z = substr(s, ((ind - 1) % 9) + (lp - 1) * 9 + 1, 1) \
                OR z.z = substr(s, (((ind - 1) / 3) % 3) * 3 + ((ind - 1) / 27) * 27 + lp + ((lp - 1) / 3) * 6, 1))) \
         SELECT s FROM x WHERE ind = 0"
            .to_string(),
    );
    let refs: Vec<&str> = script.iter().map(String::as_str).collect();
    compare(&refs);
}

#[test]
fn in_writes_and_correlated_joins() {
    compare(&[
        "CREATE TABLE t(v)",
        "INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT x FROM c",
        "INSERT INTO t SELECT x * 10 FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c)",
        "DELETE FROM t WHERE v IN (WITH RECURSIVE c(x) AS (SELECT 2 UNION ALL SELECT x + 2 FROM c WHERE x < 20) SELECT x FROM c)",
        "SELECT * FROM t",
        "CREATE TABLE u(v, w)",
        "INSERT INTO u VALUES (1, 'one'), (5, 'five'), (7, 'seven')",
        "SELECT o.v, (SELECT count(*) FROM t AS i RIGHT JOIN u ON u.v = i.v AND u.v <> o.v) FROM t AS o",
        "SELECT o.v, (SELECT group_concat(coalesce(i.v, '-') || u.w) FROM t AS i FULL JOIN u ON u.v = i.v WHERE o.v < 4) FROM t AS o",
        "UPDATE t SET v = v + 100 WHERE v IN (SELECT u.v FROM t AS i RIGHT JOIN u ON u.v = i.v WHERE i.v IS NOT NULL)",
        "SELECT * FROM t",
    ]);
}

#[test]
fn unbounded_stopped_by_the_outer_query() {
    let count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) ";
    let queries = [
        "SELECT x FROM c LIMIT 3",
        "SELECT x FROM c LIMIT 3 OFFSET 4",
        "SELECT x FROM c WHERE x > 5 LIMIT 1",
        "SELECT x * 2 AS y FROM c WHERE x % 7 = 0 LIMIT 3",
        "SELECT (SELECT x FROM c WHERE x * x > 50)",
        "SELECT EXISTS (SELECT 1 FROM c WHERE x = 10)",
        "SELECT NOT EXISTS (SELECT 1 FROM c WHERE x > 3), 7",
        "SELECT x FROM c WHERE x IN (SELECT v FROM t) LIMIT 2",
        "SELECT x, w FROM c CROSS JOIN u WHERE u.v = c.x LIMIT 2",
        "SELECT x, w FROM c, u LIMIT 6",
        "SELECT x, w FROM c LEFT JOIN u ON u.v = c.x LIMIT 6",
        "SELECT v, (SELECT x FROM c WHERE x > v LIMIT 1) FROM t",
        "SELECT v FROM t WHERE EXISTS (SELECT 1 FROM c WHERE x * x >= v AND x % 2 = 1)",
        "SELECT sum(x), count(*) FROM (SELECT x FROM c LIMIT 100)",
        "SELECT group_concat(x) FROM (SELECT x FROM c WHERE x % 3 = 0 LIMIT 5)",
        "SELECT x FROM c LIMIT (SELECT count(*) FROM t)",
    ];
    let mut script = vec![
        "CREATE TABLE t(v)".to_string(),
        "INSERT INTO t VALUES (4), (9), (25), (12)".to_string(),
        "CREATE TABLE u(v, w)".to_string(),
        "INSERT INTO u VALUES (1, 'one'), (3, 'three'), (3, 'trois'), (5, 'five')".to_string(),
    ];
    script.extend(queries.iter().map(|q| format!("{count}{q}")));
    script.extend([
        // The queue's order, UNION's dedupe and the CTE's own LIMIT/OFFSET are unchanged.
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x % 5 + 1 FROM c UNION SELECT x + 10 FROM c) SELECT x FROM c LIMIT 12".to_string(),
        "WITH RECURSIVE c(x, d) AS (SELECT 1, 0 UNION ALL SELECT x * 2, d + 1 FROM c UNION ALL SELECT x * 2 + 1, d + 1 FROM c ORDER BY 2 DESC) SELECT * FROM c LIMIT 7".to_string(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c ORDER BY 1 DESC) SELECT x FROM c LIMIT 4".to_string(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 8 OFFSET 3) SELECT x FROM c LIMIT 3".to_string(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 4 OFFSET 3) SELECT x FROM c LIMIT 10".to_string(),
        // A body that reads the outer row, restarted for each of them.
        "SELECT v, (WITH RECURSIVE c(x) AS (SELECT v UNION ALL SELECT x * 2 FROM c) SELECT x FROM c WHERE x > 100) FROM t".to_string(),
        // In a write, inside a view, a FROM subquery or another CTE.
        "INSERT INTO t WITH RECURSIVE c(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c LIMIT 3".to_string(),
        "SELECT * FROM t".to_string(),
        "CREATE VIEW odd AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 2 FROM c) SELECT x FROM c".to_string(),
        "SELECT x FROM odd LIMIT 3".to_string(),
        "SELECT x, w FROM odd LEFT JOIN u ON u.v = odd.x WHERE x > 2 LIMIT 3".to_string(),
        "SELECT (SELECT x FROM odd WHERE x > v) FROM t".to_string(),
        "SELECT y FROM (SELECT x * 2 AS y FROM odd WHERE x % 3 = 0) LIMIT 4".to_string(),
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c), e AS (SELECT x * 2 AS y FROM c) SELECT y FROM e LIMIT 3".to_string(),
        // Tree walks stopped early.
        "CREATE TABLE edge(a, b)".to_string(),
        "INSERT INTO edge VALUES (1, 2), (2, 3), (3, 1), (3, 4)".to_string(),
        "WITH RECURSIVE walk(n, depth) AS (SELECT 1, 0 UNION ALL SELECT b, depth + 1 FROM edge JOIN walk ON a = n) SELECT n, depth FROM walk WHERE n = 4 LIMIT 2".to_string(),
    ]);
    let refs: Vec<&str> = script.iter().map(String::as_str).collect();
    compare_within(HANG, &refs);
}
