//! RIGHT and FULL OUTER JOIN against SQLite: ON, USING, NATURAL, multi-way mixes with LEFT and
//! inner joins, WHERE after the join, aggregates, ORDER BY/LIMIT, subqueries, views and CTEs
//! on either side, NULLs, mixed types and empty tables — row by row.

mod oracle;

use oracle::compare;

const SCHEMA: &[&str] = &[
    "CREATE TABLE a(x, y)",
    "CREATE TABLE b(x, z)",
    "CREATE TABLE c(id INTEGER PRIMARY KEY, x REAL, w TEXT)",
    "CREATE TABLE e(x, q)",
    "INSERT INTO a VALUES (1,'a1'),(2,'a2'),(NULL,'an'),('2','a2t'),(2.0,'a2r')",
    "INSERT INTO b VALUES (2,'b2'),(3,'b3'),(NULL,'bn'),(2,'b2bis'),(x'01','blob')",
    "INSERT INTO c VALUES (1,3,'c3'),(2,4,'c4'),(3,NULL,'cn'),(4,2,'c2')",
    "CREATE VIEW vb AS SELECT x, z FROM b WHERE x IS NOT NULL",
];

fn with_schema(queries: &[&str]) {
    let script: Vec<&str> = SCHEMA.iter().chain(queries).copied().collect();
    compare(&script);
}

#[test]
fn two_way() {
    with_schema(&[
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x",
        "SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x",
        "SELECT * FROM a RIGHT OUTER JOIN b ON a.x = b.x AND b.z <> 'b2'",
        "SELECT * FROM a RIGHT JOIN b ON 0",
        "SELECT * FROM a FULL JOIN b ON 1",
        "SELECT * FROM a FULL JOIN b ON 0",
        "SELECT * FROM a FULL JOIN e ON a.x = e.x",
        "SELECT * FROM e FULL JOIN a ON a.x = e.x",
        "SELECT * FROM e RIGHT JOIN e AS f ON 1",
        "SELECT * FROM a RIGHT JOIN c ON a.x = c.x",
        "SELECT * FROM c FULL JOIN a ON a.x = c.x",
        "SELECT c.rowid, a.rowid, * FROM c FULL JOIN a ON a.x = c.id",
    ]);
}

#[test]
fn using_natural_and_coalesce() {
    with_schema(&[
        "SELECT * FROM a FULL JOIN b USING (x)",
        "SELECT * FROM a RIGHT JOIN b USING (x)",
        "SELECT * FROM a NATURAL FULL JOIN b",
        "SELECT * FROM a NATURAL RIGHT JOIN b",
        "SELECT x, a.x, b.x FROM a FULL JOIN b USING (x)",
        "SELECT a.*, b.* FROM a FULL JOIN b USING (x)",
        "SELECT * FROM a FULL JOIN b USING (x) WHERE x > 1",
        "SELECT x, count(*) FROM a FULL JOIN b USING (x) GROUP BY x",
        "SELECT x, a.x, count(*) FROM a FULL JOIN b USING (x) GROUP BY x, a.x ORDER BY 1, 2",
        "SELECT * FROM a FULL JOIN b USING (x) ORDER BY x, y, z",
        "SELECT * FROM a FULL JOIN c USING (x)",
        "SELECT typeof(x), x FROM c FULL JOIN a USING (x)",
        "SELECT * FROM a FULL JOIN b USING (x) JOIN e USING (x)",
        "SELECT * FROM a FULL JOIN b USING (nosuch)",
    ]);
}

#[test]
fn where_after_the_join() {
    with_schema(&[
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x WHERE a.y IS NULL",
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x WHERE a.y IS NOT 'a2'",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x WHERE b.z IS NULL OR a.y IS NULL",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x WHERE 1",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x WHERE 0",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x WHERE a.x IN (SELECT x FROM e)",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x WHERE EXISTS (SELECT 1 FROM c WHERE c.x = b.x)",
        "SELECT *, (SELECT count(*) FROM c WHERE c.x = a.x) FROM a RIGHT JOIN b ON a.x = b.x",
    ]);
}

#[test]
fn multi_way() {
    with_schema(&[
        "SELECT * FROM a LEFT JOIN b ON a.x = b.x RIGHT JOIN c ON c.x = b.x",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x JOIN c ON c.x = a.x",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x LEFT JOIN c ON c.x = b.x",
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x RIGHT JOIN c ON c.x = b.x",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x FULL JOIN a AS d ON d.x = b.x",
        "SELECT * FROM a JOIN c ON a.x = c.x RIGHT JOIN b ON b.x = c.x",
        "SELECT * FROM a, c RIGHT JOIN b ON b.x = c.x AND b.x = a.x",
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x LEFT JOIN c ON c.x = a.x WHERE c.w IS NULL",
        "SELECT a.*, c.* FROM a FULL JOIN b USING (x) FULL JOIN c ON c.x = b.x",
        "SELECT * FROM a CROSS JOIN e FULL JOIN b ON b.x = a.x",
        "SELECT * FROM e FULL JOIN a ON e.x = a.x FULL JOIN e AS f ON f.x = a.x",
        "SELECT * FROM a RIGHT JOIN b ON a.x = b.x JOIN c USING (x)",
        "SELECT * FROM a RIGHT JOIN b USING (x) JOIN c USING (x)",
        "SELECT * FROM a FULL JOIN b USING (x) LEFT JOIN c USING (x)",
        "SELECT count(*) FROM a RIGHT JOIN e ON 1",
        "SELECT * FROM a NATURAL FULL JOIN e",
    ]);
}

#[test]
fn subqueries_views_and_ctes_on_the_right() {
    with_schema(&[
        "SELECT * FROM a RIGHT JOIN (SELECT 7 AS q) ON 0",
        "SELECT * FROM a RIGHT JOIN (SELECT x, z FROM b WHERE z > 'b') AS s ON s.x = a.x",
        "SELECT * FROM a FULL JOIN vb ON vb.x = a.x",
        "SELECT * FROM vb FULL JOIN a USING (x)",
        "WITH w(x, k) AS (SELECT x, 'k' || x FROM b) SELECT * FROM a FULL JOIN w USING (x)",
        "SELECT * FROM (SELECT 1 AS x UNION ALL SELECT 5) AS p FULL JOIN (VALUES (5), (6)) AS q ON p.x = q.column1",
        "SELECT * FROM sqlite_schema RIGHT JOIN a ON 0",
        "SELECT y, (SELECT group_concat(z) FROM a AS i RIGHT JOIN b ON b.x = i.x WHERE i.y = o.y) FROM a AS o",
    ]);
}

#[test]
fn aggregates_order_and_limit() {
    with_schema(&[
        "SELECT count(*), count(a.x), count(b.x), sum(b.x) FROM a FULL JOIN b ON a.x = b.x",
        "SELECT b.z, count(a.y) FROM a RIGHT JOIN b ON a.x = b.x GROUP BY b.z ORDER BY b.z",
        "SELECT DISTINCT a.x FROM a FULL JOIN b ON a.x = b.x ORDER BY 1",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x ORDER BY b.z DESC, a.y LIMIT 4",
        "SELECT * FROM a FULL JOIN b ON a.x = b.x LIMIT 3 OFFSET 4",
        "SELECT a.y FROM a FULL JOIN b ON a.x = b.x UNION SELECT z FROM b",
        "SELECT max(a.y), min(b.z) FROM a RIGHT JOIN b ON a.x = b.x HAVING count(*) > 2",
    ]);
}

#[test]
fn empty_tables() {
    compare(&[
        "CREATE TABLE p(x)",
        "CREATE TABLE q(x)",
        "SELECT * FROM p FULL JOIN q USING (x)",
        "SELECT * FROM p RIGHT JOIN q ON 1",
        "INSERT INTO q VALUES (1), (NULL)",
        "SELECT * FROM p FULL JOIN q USING (x)",
        "SELECT * FROM p RIGHT JOIN q ON 1",
        "SELECT * FROM q FULL JOIN p USING (x)",
        "SELECT count(*) FROM q LEFT JOIN p ON 1 RIGHT JOIN q AS r ON r.x = q.x",
    ]);
}

#[test]
fn larger_data() {
    let mut script = vec![
        "CREATE TABLE l(k INTEGER, v)".to_string(),
        "CREATE TABLE r(k INTEGER, w)".to_string(),
    ];
    for i in 0..300 {
        script.push(format!("INSERT INTO l VALUES ({}, 'l{i}')", i % 97));
        script.push(format!("INSERT INTO r VALUES ({}, 'r{i}')", (i * 7) % 131));
    }
    script.push("SELECT count(*), count(l.k), count(r.k), sum(l.k), sum(r.k) FROM l FULL JOIN r ON l.k = r.k".into());
    script.push("SELECT * FROM l RIGHT JOIN r USING (k) ORDER BY k, v, w".into());
    script.push("SELECT k FROM l FULL JOIN r USING (k) WHERE l.v IS NULL OR r.w IS NULL".into());
    let refs: Vec<&str> = script.iter().map(String::as_str).collect();
    compare(&refs);
}
