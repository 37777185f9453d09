//! Reals as text: the engine's conversion (`CAST(r AS TEXT)`, what `sqlite3_column_text`
//! gives the shell), and the SQL literal form of `.mode insert` and `.dump`.

pub use basalt_core::sql::fp::real_to_text;

/// A real as an SQL literal for `.mode insert` and `.dump`: integral values as `N.0` so they
/// read back as reals, infinities as `1e999`/`-1e999`, anything else as its text.
pub fn real_to_sql(r: f64) -> String {
    if r.is_infinite() {
        return if r > 0.0 { "1e999" } else { "-1e999" }.to_owned();
    }
    // `as` saturates; the comparison only holds for reals that are exactly integers.
    let integer = r as i64;
    if integer as f64 == r && r.abs() < 9.2e18 {
        format!("{integer}.0")
    } else {
        real_to_text(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_text(r: f64) -> String {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.query_row("SELECT CAST(?1 AS TEXT)", [r], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn text_is_sqlites() {
        // The shell renders what the engine's conversion gives; spot-check it against SQLite.
        for r in [
            0.1,
            0.1 + 0.2,
            1.0,
            1e17,
            2.5e-7,
            -0.0,
            f64::INFINITY,
            12345.678,
        ] {
            assert_eq!(real_to_text(r), sqlite_text(r), "{r:e}");
        }
    }

    #[test]
    fn sql_literals() {
        assert_eq!(real_to_sql(1.0), "1.0");
        assert_eq!(real_to_sql(1e15), "1000000000000000.0");
        assert_eq!(real_to_sql(0.5), "0.5");
        assert_eq!(real_to_sql(f64::NEG_INFINITY), "-1e999");
    }
}
