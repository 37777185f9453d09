//! The sorter's fast path (ORDER BY / GROUP BY on one or two columns that hold only integers or
//! only reals, sorted as unsigned ranks) against SQLite: ties kept in scan order, -0.0 equal to
//! 0.0, negative reals, extreme integers, DESC, and the columns that must take the general
//! comparison instead (NULLs, integers mixed with reals, text).

mod oracle;

#[test]
fn numeric_sort_keys_order_as_in_sqlite() {
    let mut script =
        vec!["CREATE TABLE t(id INTEGER PRIMARY KEY, r REAL, i INTEGER, m, n)".to_string()];
    let reals = [
        "0.0",
        "-0.0",
        "1.5",
        "-1.5",
        "1e300",
        "-1e300",
        "2.5e-310",
        "-2.5e-310",
        "1.5",
        "0.0",
        "-7.25",
        "3.0",
    ];
    let ints = [
        "0",
        "-1",
        "9223372036854775807",
        "-9223372036854775808",
        "42",
        "-42",
        "42",
        "7",
    ];
    for id in 1..=60usize {
        let r = reals[(id * 7) % reals.len()];
        let i = ints[(id * 5) % ints.len()];
        // `m` mixes integers and reals that compare equal; `n` has NULLs and text.
        let m = if id % 3 == 0 { "2" } else { "2.0" };
        let n = match id % 4 {
            0 => "NULL".to_string(),
            1 => format!("'t{}'", id % 5),
            _ => format!("{}", id % 6),
        };
        script.push(format!("INSERT INTO t VALUES({id}, {r}, {i}, {m}, {n})"));
    }
    for order in [
        "r",
        "r DESC",
        "i",
        "i DESC",
        "r, i",
        "r DESC, i",
        "i, r DESC",
        "r DESC, id",
        "m, i",
        "n, r",
        "r, n",
        "i DESC, m",
    ] {
        script.push(format!("SELECT id, r, i, m, n FROM t ORDER BY {order}"));
    }
    script.push("SELECT r, count(*), min(id), max(id) FROM t GROUP BY r".to_string());
    script.push("SELECT i, r, count(*) FROM t GROUP BY i, r".to_string());
    let script: Vec<&str> = script.iter().map(String::as_str).collect();
    oracle::compare(&script);
}

/// Sorter records hold a value once: an ORDER BY term that is a result column (by number,
/// alias or as the same column, with NULLS FIRST/LAST, COLLATE, DISTINCT, `*`, windows) is
/// read back from its key, and a bare column that is a GROUP BY column from the group key;
/// min()/max() choose the row bare columns come from, as in SQLite, including values that
/// compare equal but differ (2 and 2.0, 'x' and 'X' under NOCASE).
#[test]
fn sorter_records_share_keys_and_results_as_in_sqlite() {
    oracle::compare(&[
        "CREATE TABLE t(a, b TEXT COLLATE NOCASE, c REAL, d INTEGER)",
        "INSERT INTO t VALUES(3,'x',1.5,1),(NULL,'Y',2,2),(1,'y',NULL,3),(2,'X',0.0,4), \
         (1,'a',-0.5,5),(2.0,'b',3,6),(2,'B',3,7),(NULL,'x',NULL,8)",
        "SELECT a, b FROM t ORDER BY a NULLS LAST, b",
        "SELECT b, a FROM t ORDER BY b DESC NULLS FIRST, 2",
        "SELECT a, a, c FROM t ORDER BY a, c DESC",
        "SELECT c, a FROM t ORDER BY t.a DESC, c COLLATE NOCASE",
        "SELECT DISTINCT a FROM t ORDER BY a",
        "SELECT DISTINCT b, a FROM t ORDER BY a, b",
        "SELECT t.a AS x, b FROM t ORDER BY x DESC, t.b",
        "SELECT * FROM t ORDER BY c, a",
        "SELECT *, d FROM t ORDER BY d DESC LIMIT 3 OFFSET 2",
        "SELECT a + 0, a FROM t ORDER BY a + 0, a",
        "SELECT a, sum(c) OVER (ORDER BY d) FROM t ORDER BY a, d",
        "SELECT a, count(*), max(b), b FROM t GROUP BY a ORDER BY a",
        "SELECT b, min(c), a FROM t GROUP BY b",
        "SELECT a, max(c), min(b), c, d FROM t GROUP BY a HAVING count(*) > 0 ORDER BY 1 DESC",
        "SELECT b, max(d), b, a FROM t GROUP BY b ORDER BY b",
        "SELECT a, b, count(*), min(d) FROM t GROUP BY a, b ORDER BY b, a",
        "SELECT a, sum(c) FILTER (WHERE d > 2), count(DISTINCT b) FROM t GROUP BY a",
        "SELECT a, d FROM t GROUP BY a",
        "SELECT max(b), a FROM t",
    ]);
}

/// Sorts large enough for the radix sort to split by its most significant digits before it
/// sorts the parts in cache (more than 16,384 rows): many ties (kept in scan order), real keys
/// whose top bytes (the exponents) are few, keys whose varying bits pack into one word and keys
/// that do not (extreme integers beside a second column).
#[test]
fn large_numeric_sorts_order_as_in_sqlite() {
    oracle::compare(&[
        "CREATE TABLE big(id INTEGER PRIMARY KEY, v REAL, w INTEGER, x INTEGER)",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 40000) \
         INSERT INTO big SELECT n, (n % 997) * 0.25, (n * 2654435761) % 4294967296 - 2147483648, \
         CASE n % 3 WHEN 0 THEN 9223372036854775807 - n WHEN 1 THEN -9223372036854775807 + n \
         ELSE n % 7 END FROM c",
        "SELECT id, v FROM big ORDER BY v DESC, id",
        "SELECT id, v FROM big ORDER BY v",
        "SELECT id, w FROM big ORDER BY w DESC",
        "SELECT id, x, w FROM big ORDER BY x, w DESC",
        "SELECT id, x FROM big ORDER BY x DESC",
        "SELECT x, count(*), min(id) FROM big GROUP BY x",
    ]);
}
