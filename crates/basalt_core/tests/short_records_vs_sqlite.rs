//! Rows written before `ALTER TABLE ... ADD COLUMN` (here by SQLite) have records shorter than
//! their table: every read of a missing field must give the column's DEFAULT, with the
//! column's affinity, exactly as SQLite does — in SELECTs, WHERE, index keys (an index made
//! after the ALTER holds the defaults), UPDATE of other columns and DELETE (whose index keys
//! must be found), and the integrity check. Compared statement by statement with SQLite, and
//! Basalt's file must then pass SQLite's integrity check with the same rows.

mod oracle;

use oracle::Pair;

const SETUP: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE t(id INTEGER PRIMARY KEY, a);
    INSERT INTO t(a) VALUES (1), ('two'), (NULL), (4.5);
    ALTER TABLE t ADD COLUMN i INTEGER DEFAULT 5;
    ALTER TABLE t ADD COLUMN s TEXT DEFAULT 'x';
    ALTER TABLE t ADD COLUMN n DEFAULT -3;
    ALTER TABLE t ADD COLUMN r REAL DEFAULT 2;
    ALTER TABLE t ADD COLUMN q INTEGER DEFAULT '12';
    ALTER TABLE t ADD COLUMN tx TEXT DEFAULT 1e3;
    ALTER TABLE t ADD COLUMN b DEFAULT x'00ff';
    ALTER TABLE t ADD COLUMN f DEFAULT TRUE;
    ALTER TABLE t ADD COLUMN c DEFAULT (CAST('7.0' AS INTEGER));
    ALTER TABLE t ADD COLUMN neg DEFAULT (-(-9223372036854775808));
    ALTER TABLE t ADD COLUMN big DEFAULT -9223372036854775808;
    ALTER TABLE t ADD COLUMN z DEFAULT NULL;
    ALTER TABLE t ADD COLUMN nc TEXT COLLATE NOCASE DEFAULT 'AbC';
    ALTER TABLE t ADD COLUMN none;
    ALTER TABLE t ADD COLUMN h INTEGER DEFAULT 0x10;
    ALTER TABLE t ADD COLUMN hn DEFAULT -0x10;
    ALTER TABLE t ADD COLUMN sp INTEGER DEFAULT ' 12 ';
    ALTER TABLE t ADD COLUMN ci DEFAULT (CAST(1.9 AS INTEGER));
    ALTER TABLE t ADD COLUMN nt TEXT DEFAULT -1.50;
    ALTER TABLE t ADD COLUMN pl DEFAULT +7;
    INSERT INTO t(a, i, s) VALUES ('new', 50, 'y');
    CREATE INDEX t_i ON t(i);
    CREATE INDEX t_s_nc ON t(s, nc);
";

#[test]
fn short_records_read_as_their_defaults() {
    let pair = Pair::written_by_sqlite("short-records", SETUP);
    pair.run(&[
        "SELECT * FROM t ORDER BY id",
        "SELECT id, typeof(i), typeof(s), typeof(n), typeof(r), typeof(q), typeof(tx), \
         typeof(b), typeof(f), typeof(c), typeof(neg), typeof(z), typeof(none) FROM t \
         ORDER BY id",
        "SELECT id, typeof(h), typeof(hn), typeof(sp), typeof(ci), typeof(nt), typeof(pl) \
         FROM t ORDER BY id",
        "SELECT id FROM t WHERE i = 5 ORDER BY id",
        "SELECT id FROM t WHERE s = 'x' AND nc = 'abc' ORDER BY id",
        "SELECT count(*), sum(i), sum(r), group_concat(s) FROM t",
        "SELECT i, count(*) FROM t GROUP BY i ORDER BY i",
        "SELECT DISTINCT nc FROM t ORDER BY nc",
        "SELECT x.id, y.id FROM t AS x JOIN t AS y ON x.i = y.q - 7 ORDER BY 1, 2",
        "UPDATE t SET a = 'changed' WHERE id = 2",
        "SELECT * FROM t WHERE id = 2",
        "UPDATE t SET i = i + 1 WHERE id = 3",
        "SELECT id, i FROM t WHERE i > 4 ORDER BY id",
        "DELETE FROM t WHERE id = 1",
        "DELETE FROM t WHERE s = 'x' AND id = 4",
        "INSERT INTO t(a) VALUES ('after')",
        "SELECT * FROM t ORDER BY id",
        "PRAGMA integrity_check",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    oracle::run_both_sqlite(
        &basalt_file,
        &sqlite_file,
        &[
            "SELECT * FROM t ORDER BY id",
            "SELECT i, id FROM t INDEXED BY t_i ORDER BY i, id",
        ],
    );
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}
