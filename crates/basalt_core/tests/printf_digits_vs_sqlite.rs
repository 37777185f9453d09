//! The digits `printf`'s `!` flag shows of a real (up to 26 significant digits asked), against
//! SQLite (rusqlite, bundled 3.54.1): Basalt performs SQLite's own decoder arithmetic
//! (`sql/fp.rs`), so every digit must be equal.

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use rand::{Rng, SeedableRng};

fn ours(conn: &Connection, sql: &str, r: f64) -> String {
    let mut stmt = conn.prepare(sql).expect("prepare");
    stmt.bind(1, Value::Real(r)).expect("bind");
    assert!(stmt.step_blocking().expect("step"));
    match stmt.column_value(0) {
        Value::Text(t) => String::from_utf8_lossy(t).into_owned(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn bang_digits_match_sqlite() {
    let basalt = Connection::open(":memory:").expect("open");
    let sqlite = rusqlite::Connection::open_in_memory().expect("sqlite");
    let mut rng = rand::rngs::SmallRng::seed_from_u64(12);
    let exact = [
        0.1,
        1.0 / 3.0,
        2.0 / 3.0,
        123.456,
        145.661,
        183.500_740_665_227_37,
        1e15,
    ];
    let random: Vec<f64> = (0..3000)
        .map(|_| rng.gen::<f64>() * 10f64.powi(rng.gen_range(-20..20)))
        .collect();
    for form in [
        "printf('%!.26g', ?1)",
        "printf('%!.20e', ?1)",
        "printf('%!.22f', ?1)",
    ] {
        let sql = format!("SELECT {form}");
        let theirs = |r: f64| -> String {
            sqlite
                .query_row(&sql, [r], |row| row.get(0))
                .expect("sqlite")
        };
        for &r in exact.iter().chain(&random) {
            assert_eq!(ours(&basalt, &sql, r), theirs(r), "{form} of {r:e}");
        }
    }
}
