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
