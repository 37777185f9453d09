//! Basalt and SQLite processes sharing one WAL database through the `-shm` WAL index: interleaved
//! transactions that each preserve a sum, a writer killed with SIGKILL, and readers keeping their
//! snapshot while the other side commits and checkpoints.
//!
//! POSIX locks never conflict within one process, so the other sides run in child processes:
//! this test binary started again with `BASALT_SHM_CHILD` naming the child's part (see
//! [`child_process_part`]); the SQLite side is rusqlite, the same SQLite the other tests use.

mod child_support;

use basalt_core::connection::Connection;
use basalt_core::io::FileIo;
use basalt_core::pager::PagerOptions;
use basalt_core::record::Value;
use basalt_core::ErrorCode;
use child_support::{Other, CHILD_DB, CHILD_PART};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ACCOUNTS: i64 = 10;
const TOTAL: i64 = ACCOUNTS * 1000;
/// How long each side of the interleaved tests runs.
const RUN_FOR: Duration = Duration::from_secs(3);

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("basalt-shm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db")).to_str().unwrap().to_string();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    path
}

/// A WAL database with the accounts (summing to TOTAL) and an empty log, made by SQLite.
fn bank_database(path: &str) {
    let sqlite = rusqlite::Connection::open(path).unwrap();
    sqlite
        .execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
             CREATE TABLE log(id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL);
             CREATE INDEX log_who ON log(who, n);",
        )
        .unwrap();
    for id in 0..ACCOUNTS {
        sqlite
            .execute("INSERT INTO accounts VALUES(?1, 1000)", [id])
            .unwrap();
    }
}

fn open_basalt(path: &str) -> Connection {
    Connection::open_with(
        Arc::new(FileIo),
        path,
        &PagerOptions {
            busy_timeout: Duration::from_secs(2),
            ..PagerOptions::default()
        },
    )
    .unwrap()
}

/// What the workload needs of either engine. An error is `Err(busy?)`: busy errors are retried,
/// anything else fails the test.
trait Side {
    fn exec(&self, sql: &str) -> Result<(), bool>;
    fn int(&self, sql: &str) -> Result<i64, bool>;
    fn text(&self, sql: &str) -> String;
    /// End whatever transaction a failed statement left open (none is fine).
    fn rollback(&self);
}

struct Basalt(Connection);

impl Side for Basalt {
    fn exec(&self, sql: &str) -> Result<(), bool> {
        self.0.execute_batch(sql).map_err(|e| {
            assert!(
                matches!(e.code, ErrorCode::Busy | ErrorCode::Locked),
                "{sql}: {e}"
            );
            true
        })
    }

    fn int(&self, sql: &str) -> Result<i64, bool> {
        let mut stmt = self.0.prepare(sql).unwrap();
        match stmt.step_blocking() {
            Ok(true) => match stmt.row()[0] {
                Value::Integer(n) => Ok(n),
                ref other => panic!("{sql}: {other:?}"),
            },
            Ok(false) => panic!("{sql}: no row"),
            Err(e) if e.code == ErrorCode::Busy => Err(true),
            Err(e) => panic!("{sql}: {e}"),
        }
    }

    fn text(&self, sql: &str) -> String {
        let mut stmt = self.0.prepare(sql).unwrap();
        assert!(stmt.step_blocking().unwrap(), "{sql}: no row");
        match &stmt.row()[0] {
            Value::Text(t) => String::from_utf8(t.clone()).unwrap(),
            other => format!("{other:?}"),
        }
    }

    fn rollback(&self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

struct Sqlite(rusqlite::Connection);

fn sqlite_busy(sql: &str, e: rusqlite::Error) -> bool {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => true,
        _ => panic!("{sql}: {e}"),
    }
}

impl Side for Sqlite {
    fn exec(&self, sql: &str) -> Result<(), bool> {
        self.0.execute_batch(sql).map_err(|e| sqlite_busy(sql, e))
    }

    fn int(&self, sql: &str) -> Result<i64, bool> {
        self.0
            .query_row(sql, [], |r| r.get(0))
            .map_err(|e| sqlite_busy(sql, e))
    }

    fn text(&self, sql: &str) -> String {
        self.0.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn rollback(&self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// A small deterministic generator (the seed differs per process).
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

/// Run transfers (each preserving the sum and logging itself), snapshot checks and PASSIVE
/// checkpoints as `who` until `until`; returns how many transfers committed (after checking
/// that some snapshots were checked too).
fn bank_workload(side: &dyn Side, who: &str, until: Instant, seed: u64) -> i64 {
    let mut rng = Rng(seed | 1);
    let mut committed = 0i64;
    let mut checked_snapshots = 0;
    // A worker that got no snapshot checked by `until` (a loaded machine starves some) goes on
    // until it has one, within a grace period.
    let grace = until + Duration::from_secs(30);
    while Instant::now() < until || (checked_snapshots == 0 && Instant::now() < grace) {
        match rng.next(10) {
            0..=6 => {
                let (from, to) = (rng.next(ACCOUNTS as u64), rng.next(ACCOUNTS as u64));
                let amount = rng.next(50) as i64 + 1;
                let sql = format!(
                    "BEGIN IMMEDIATE;
                     UPDATE accounts SET balance = balance - {amount} WHERE id = {from};
                     UPDATE accounts SET balance = balance + {amount} WHERE id = {to};
                     INSERT INTO log(who, n) VALUES('{who}', {});
                     COMMIT;",
                    committed + 1
                );
                match side.exec(&sql) {
                    Ok(()) => committed += 1,
                    Err(_) => side.rollback(),
                }
            }
            7..=8 => {
                if side.exec("BEGIN").is_err() {
                    continue;
                }
                let checked = side
                    .int("SELECT sum(balance) FROM accounts")
                    .and_then(|sum| {
                        let mine =
                            side.int(&format!("SELECT count(*) FROM log WHERE who = '{who}'"))?;
                        let again = side.int("SELECT sum(balance) FROM accounts")?;
                        Ok((sum, mine, again))
                    });
                side.rollback();
                if let Ok((sum, mine, again)) = checked {
                    assert_eq!(sum, TOTAL, "{who} saw an inconsistent snapshot");
                    assert_eq!(again, TOTAL, "{who}'s snapshot moved");
                    assert_eq!(mine, committed, "{who} lost a committed transfer");
                    checked_snapshots += 1;
                }
            }
            _ => {
                let _ = side.exec("PRAGMA wal_checkpoint(PASSIVE)");
            }
        }
    }
    assert!(checked_snapshots > 0, "{who} never read a snapshot");
    eprintln!("{who}: {committed} transfers, {checked_snapshots} snapshots checked");
    committed
}

/// The end state every interleaved run must reach: the sum, each side's transfers all present,
/// and both engines' integrity checks clean.
fn check_bank(path: &str, committed: &[(&str, i64)]) {
    let sqlite = Sqlite(rusqlite::Connection::open(path).unwrap());
    let basalt = Basalt(open_basalt(path));
    for side in [&sqlite as &dyn Side, &basalt] {
        assert_eq!(side.int("SELECT sum(balance) FROM accounts"), Ok(TOTAL));
        for &(who, n) in committed {
            let sql = format!("SELECT count(*) FROM log WHERE who = '{who}'");
            assert_eq!(side.int(&sql), Ok(n), "{who}");
            let sql = format!("SELECT count(DISTINCT n) FROM log WHERE who = '{who}'");
            assert_eq!(side.int(&sql), Ok(n), "{who}");
        }
        assert_eq!(side.text("PRAGMA integrity_check"), "ok");
    }
}

#[test]
fn basalt_and_sqlite_processes_interleave_transactions() {
    let path = temp_db("interleave");
    bank_database(&path);
    let mut other = Other::start("sqlite-bank", &path);
    assert_eq!(other.next(), "ready");
    let basalt = Basalt(open_basalt(&path));
    let mine = bank_workload(&basalt, "basalt", Instant::now() + RUN_FOR, 7);
    let theirs: i64 = other.next().strip_prefix("done ").unwrap().parse().unwrap();
    other.finish();
    assert!(
        mine > 0 && theirs > 0,
        "both sides committed: {mine} {theirs}"
    );
    drop(basalt);
    check_bank(&path, &[("basalt", mine), ("sqlite", theirs)]);
}

#[test]
fn four_basalt_processes_interleave_transactions() {
    let path = temp_db("four");
    bank_database(&path);
    let mut others: Vec<Other> = (0..4)
        .map(|i| Other::start(&format!("basalt-bank:w{i}"), &path))
        .collect();
    for other in &mut others {
        assert_eq!(other.next(), "ready");
    }
    let mut committed = Vec::new();
    for (i, mut other) in others.into_iter().enumerate() {
        let n: i64 = other.next().strip_prefix("done ").unwrap().parse().unwrap();
        other.finish();
        assert!(n > 0, "w{i} committed nothing");
        committed.push((["w0", "w1", "w2", "w3"][i], n));
    }
    check_bank(&path, &committed);
}

#[test]
fn a_writer_killed_mid_transaction_loses_only_its_transaction() {
    let path = temp_db("killed");
    bank_database(&path);
    let survivor = Basalt(open_basalt(&path));
    survivor
        .exec("INSERT INTO log(who, n) VALUES('before', 1)")
        .unwrap();
    let mut other = Other::start("basalt-killed", &path);
    assert_eq!(other.next(), "writing");
    other.kill();
    // The killed process's locks went with it: this one writes at once and sees only what was
    // committed.
    survivor
        .exec("INSERT INTO log(who, n) VALUES('after', 1)")
        .unwrap();
    assert_eq!(
        survivor.int("SELECT count(*) FROM log WHERE who = 'killed'"),
        Ok(1)
    );
    assert_eq!(survivor.int("SELECT count(*) FROM log"), Ok(3));
    drop(survivor);
    // The next opener (no other process left) recovers from the WAL alone.
    let _ = std::fs::remove_file(format!("{path}-shm"));
    let sqlite = Sqlite(rusqlite::Connection::open(&path).unwrap());
    assert_eq!(sqlite.int("SELECT count(*) FROM log"), Ok(3));
    assert_eq!(sqlite.int("SELECT sum(balance) FROM accounts"), Ok(TOTAL));
    assert_eq!(sqlite.text("PRAGMA integrity_check"), "ok");
}

#[test]
fn a_writer_waits_its_busy_timeout_for_another_process_then_reports_locked() {
    let path = temp_db("busy-writer");
    bank_database(&path);
    let mut other = Other::start("sqlite-writing", &path);
    assert_eq!(other.next(), "writing");
    let conn = Connection::open_with(
        Arc::new(FileIo),
        &path,
        &PagerOptions {
            busy_timeout: Duration::from_millis(300),
            ..PagerOptions::default()
        },
    )
    .unwrap();
    let start = Instant::now();
    let e = conn
        .execute_batch("INSERT INTO log(who, n) VALUES('basalt', 1)")
        .unwrap_err();
    let waited = start.elapsed();
    assert_eq!(e.code, ErrorCode::Busy);
    assert!(e.to_string().starts_with("database is locked"), "{e}");
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // Reading goes on meanwhile, and the write goes through once the other process commits.
    let basalt = Basalt(conn);
    assert_eq!(basalt.int("SELECT count(*) FROM log"), Ok(1));
    other.go_on();
    assert_eq!(other.next(), "committed");
    basalt
        .exec("INSERT INTO log(who, n) VALUES('basalt', 1)")
        .unwrap();
    assert_eq!(basalt.int("SELECT count(*) FROM log"), Ok(3));
    other.finish();
}

/// While the other engine holds WRITE (so no one could rebuild the index), each engine reads
/// the other's committed frames straight from its `-shm`: the header, page arrays and hash
/// tables one engine writes are valid for the other.
#[test]
fn each_engine_reads_the_others_index_without_rebuilding_it() {
    let path = temp_db("no-rebuild");
    bank_database(&path);
    let mut other = Other::start("basalt-writing", &path);
    assert_eq!(other.next(), "writing");
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    sqlite.busy_timeout(Duration::from_millis(300)).unwrap();
    let sqlite = Sqlite(sqlite);
    assert_eq!(sqlite.int("SELECT count(*) FROM log"), Ok(1));
    assert_eq!(
        sqlite.int("SELECT sum(balance) FROM accounts"),
        Ok(TOTAL - 1)
    );
    other.go_on();
    assert_eq!(other.next(), "committed");
    assert_eq!(sqlite.int("SELECT count(*) FROM log"), Ok(2));
    other.finish();
}

/// Overwrite the start of the `-shm` (both header copies and the checkpoint info) with junk.
fn damage_shm(path: &str) {
    use std::os::unix::fs::FileExt;
    let shm = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("{path}-shm"))
        .unwrap();
    shm.write_all_at(&[0xab; 100], 0).unwrap();
}

#[test]
fn a_damaged_or_stale_shm_is_rebuilt_from_the_wal() {
    let path = temp_db("damaged-shm");
    bank_database(&path);
    let mut other = Other::start("basalt-hold", &path);
    assert_eq!(other.next(), "count 5");
    // Damaged while another process has it open: the next reader rebuilds it under the
    // recover lock, and both processes carry on from the rebuilt index.
    damage_shm(&path);
    let basalt = Basalt(open_basalt(&path));
    assert_eq!(basalt.int("SELECT count(*) FROM log"), Ok(5));
    basalt
        .exec("INSERT INTO log(who, n) VALUES('parent', 1)")
        .unwrap();
    let sqlite = Sqlite(rusqlite::Connection::open(&path).unwrap());
    assert_eq!(sqlite.int("SELECT count(*) FROM log"), Ok(6));
    damage_shm(&path);
    assert_eq!(
        sqlite.int("SELECT count(*) FROM log"),
        Ok(6),
        "SQLite rebuilds ours"
    );
    sqlite
        .exec("INSERT INTO log(who, n) VALUES('sqlite', 1)")
        .unwrap();
    assert_eq!(basalt.int("SELECT count(*) FROM log"), Ok(7));
    other.go_on();
    assert_eq!(other.next(), "count 7");
    drop((basalt, sqlite));
    // Stale, from a process that died with the database open: the next opener is alone, so it
    // resets the -shm and recovers from the WAL.
    other.kill();
    damage_shm(&path);
    let basalt = Basalt(open_basalt(&path));
    assert_eq!(basalt.int("SELECT count(*) FROM log"), Ok(7));
    assert_eq!(basalt.text("PRAGMA integrity_check"), "ok");
    drop(basalt);
    check_bank(&path, &[("held", 5), ("parent", 1), ("sqlite", 1)]);
}

/// Rows, total text length and integrity of the `big` table, as one line.
fn big_summary(side: &dyn Side) -> String {
    format!(
        "{} {} {}",
        side.int("SELECT count(*) FROM big").unwrap(),
        side.int("SELECT sum(length(v)) FROM big").unwrap(),
        side.text("PRAGMA integrity_check")
    )
}

/// More than one region of the index (4062 frames in the first): each engine finds the other's
/// frames through the hash tables of every region.
#[test]
fn logs_longer_than_one_index_region_are_read_by_the_other_engine() {
    let path = temp_db("regions");
    bank_database(&path);
    let basalt = Basalt(open_basalt(&path));
    basalt
        .exec("PRAGMA wal_autocheckpoint=0; CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    for batch in 0..5 {
        basalt.exec(&insert_big(batch)).unwrap();
    }
    let wal_size = std::fs::metadata(format!("{path}-wal")).unwrap().len();
    let frames = (wal_size - 32) / (4096 + 24);
    assert!(frames > 4062 + 100, "{frames} frames");
    let mut other = Other::start("sqlite-big", &path);
    assert_eq!(other.next(), big_summary(&basalt));
    other.go_on();
    assert_eq!(other.next(), "wrote");
    assert_eq!(big_summary(&basalt), "7000 24500000 ok");
    other.finish();
}

/// Insert rows `1000 * batch ..` (a thousand, one page each) into `big`.
fn insert_big(batch: i64) -> String {
    format!(
        "INSERT INTO big SELECT x, hex(zeroblob(1750)) FROM \
         (WITH RECURSIVE s(x) AS (SELECT {} UNION ALL SELECT x + 1 FROM s WHERE x < {}) \
         SELECT x FROM s)",
        batch * 1000,
        batch * 1000 + 999
    )
}

/// A writer killed while its commit's frames are going out (at a moment that differs from run to
/// run): the transaction is all there or not at all, and the next writer appends over whatever
/// the dead one left in the log and the index.
#[test]
fn a_writer_killed_during_its_commit_leaves_all_or_nothing() {
    let path = temp_db("killed-commit");
    bank_database(&path);
    let basalt = Basalt(open_basalt(&path));
    basalt
        .exec("PRAGMA wal_autocheckpoint=0; CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    let mut other = Other::start("basalt-big-commit", &path);
    assert_eq!(other.next(), "committing");
    std::thread::sleep(Duration::from_millis(u64::from(std::process::id() % 20)));
    other.kill();
    let rows = basalt.int("SELECT count(*) FROM big").unwrap();
    assert!(
        rows == 0 || rows == 3000,
        "{rows} rows of a 3000-row transaction"
    );
    let wal = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
    eprintln!("killed during commit: {rows} rows visible, WAL {wal} bytes");
    assert_eq!(basalt.int("SELECT sum(balance) FROM accounts"), Ok(TOTAL));
    basalt.exec(&insert_big(5)).unwrap();
    assert_eq!(basalt.int("SELECT count(*) FROM big"), Ok(rows + 1000));
    assert_eq!(basalt.text("PRAGMA integrity_check"), "ok");
    let sqlite = Sqlite(rusqlite::Connection::open(&path).unwrap());
    assert_eq!(sqlite.int("SELECT count(*) FROM big"), Ok(rows + 1000));
    assert_eq!(sqlite.text("PRAGMA integrity_check"), "ok");
}

/// `(busy, log, checkpointed)` of a checkpoint.
fn checkpoint(side: &dyn Side, mode: &str) -> i64 {
    side.int(&format!("PRAGMA wal_checkpoint({mode})")).unwrap()
}

/// One side holds a snapshot in a child process while `side` commits and checkpoints.
fn snapshot_kept_while_the_other_side_checkpoints(part: &str, side: &dyn Side, path: &str) {
    let mut other = Other::start(part, path);
    assert_eq!(other.next(), "count 0");
    side.exec("INSERT INTO log(who, n) VALUES('x', 1)").unwrap();
    side.exec("INSERT INTO log(who, n) VALUES('x', 2)").unwrap();
    assert_eq!(checkpoint(side, "PASSIVE"), 0, "PASSIVE is never busy");
    assert_eq!(side.int("SELECT count(*) FROM log"), Ok(2));
    other.go_on();
    assert_eq!(other.next(), "count 0", "the reader keeps its snapshot");
    assert_eq!(
        checkpoint(side, "TRUNCATE"),
        1,
        "TRUNCATE waits for the reader"
    );
    other.go_on();
    assert_eq!(other.next(), "ended");
    assert_eq!(checkpoint(side, "TRUNCATE"), 0);
    assert_eq!(std::fs::metadata(format!("{path}-wal")).unwrap().len(), 0);
    other.go_on();
    assert_eq!(other.next(), "count 2");
    other.finish();
    assert_eq!(side.text("PRAGMA integrity_check"), "ok");
}

#[test]
fn a_sqlite_reader_keeps_its_snapshot_while_basalt_checkpoints() {
    let path = temp_db("sqlite-reader");
    bank_database(&path);
    let basalt = Basalt(open_basalt(&path));
    snapshot_kept_while_the_other_side_checkpoints("sqlite-snapshot", &basalt, &path);
}

#[test]
fn a_basalt_reader_keeps_its_snapshot_while_sqlite_checkpoints() {
    let path = temp_db("basalt-reader");
    bank_database(&path);
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    sqlite.busy_timeout(Duration::from_millis(200)).unwrap();
    snapshot_kept_while_the_other_side_checkpoints("basalt-snapshot", &Sqlite(sqlite), &path);
}

/// Holds a read transaction: reports the log's size, again after each "go", then ends it and
/// reports once more in a new transaction.
fn snapshot_child(side: &dyn Side) {
    let count = |side: &dyn Side| side.int("SELECT count(*) FROM log").unwrap();
    side.exec("BEGIN").unwrap();
    println!("CHILD count {}", count(side));
    wait_for_go();
    println!("CHILD count {}", count(side));
    wait_for_go();
    side.exec("COMMIT").unwrap();
    println!("CHILD ended");
    wait_for_go();
    println!("CHILD count {}", count(side));
}

/// Commits one change (so the log has frames), then holds a write transaction until "go".
fn writing_child(side: &dyn Side) {
    side.exec("PRAGMA wal_autocheckpoint=0").unwrap();
    side.exec(
        "BEGIN; UPDATE accounts SET balance = balance - 1 WHERE id = 3; \
         INSERT INTO log(who, n) VALUES('child', 0); COMMIT",
    )
    .unwrap();
    side.exec("BEGIN IMMEDIATE; INSERT INTO log(who, n) VALUES('child', 1)")
        .unwrap();
    println!("CHILD writing");
    wait_for_go();
    side.exec("COMMIT").unwrap();
    println!("CHILD committed");
}

/// The child's side; does nothing unless this binary was started as a child.
#[test]
fn child_process_part() {
    let (Ok(part), Ok(path)) = (std::env::var(CHILD_PART), std::env::var(CHILD_DB)) else {
        return;
    };
    let seed = u64::from(std::process::id());
    match part.split(':').collect::<Vec<_>>()[..] {
        ["sqlite-bank"] => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(Duration::from_secs(2)).unwrap();
            println!("CHILD ready");
            let n = bank_workload(&Sqlite(conn), "sqlite", Instant::now() + RUN_FOR, seed);
            println!("CHILD done {n}");
        }
        ["basalt-bank", who] => {
            let conn = Basalt(open_basalt(&path));
            println!("CHILD ready");
            let n = bank_workload(&conn, who, Instant::now() + RUN_FOR, seed);
            println!("CHILD done {n}");
        }
        ["basalt-killed"] => {
            let conn = Basalt(open_basalt(&path));
            conn.exec("INSERT INTO log(who, n) VALUES('killed', 1)")
                .unwrap();
            conn.exec("BEGIN IMMEDIATE").unwrap();
            for n in 2..500 {
                let sql = format!("INSERT INTO log(who, n) VALUES('killed', {n})");
                conn.exec(&sql).unwrap();
            }
            conn.exec("UPDATE accounts SET balance = 0").unwrap();
            println!("CHILD writing");
            wait_for_go();
        }
        ["basalt-hold"] => {
            let conn = Basalt(open_basalt(&path));
            conn.exec("PRAGMA wal_autocheckpoint=0").unwrap();
            for n in 1..=5 {
                let sql = format!("INSERT INTO log(who, n) VALUES('held', {n})");
                conn.exec(&sql).unwrap();
            }
            let count = |conn: &Basalt| conn.int("SELECT count(*) FROM log").unwrap();
            println!("CHILD count {}", count(&conn));
            wait_for_go();
            println!("CHILD count {}", count(&conn));
            // Still open when the parent kills this process.
            wait_for_end();
        }
        ["sqlite-big"] => {
            let conn = Sqlite(rusqlite::Connection::open(&path).unwrap());
            println!("CHILD {}", big_summary(&conn));
            wait_for_go();
            conn.exec("PRAGMA wal_autocheckpoint=0").unwrap();
            for batch in 5..7 {
                conn.exec(&insert_big(batch)).unwrap();
            }
            println!("CHILD wrote");
        }
        ["sqlite-writing"] => {
            let conn = Sqlite(rusqlite::Connection::open(&path).unwrap());
            writing_child(&conn);
        }
        ["basalt-writing"] => writing_child(&Basalt(open_basalt(&path))),
        ["basalt-big-commit"] => {
            let conn = Basalt(open_basalt(&path));
            conn.exec("BEGIN").unwrap();
            for batch in 0..3 {
                conn.exec(&insert_big(batch)).unwrap();
            }
            conn.exec("UPDATE accounts SET balance = balance + 7 WHERE id = 1")
                .unwrap();
            conn.exec("UPDATE accounts SET balance = balance - 7 WHERE id = 2")
                .unwrap();
            println!("CHILD committing");
            conn.exec("COMMIT").unwrap();
            println!("CHILD committed");
        }
        ["sqlite-snapshot"] => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            snapshot_child(&Sqlite(conn));
        }
        ["basalt-snapshot"] => snapshot_child(&Basalt(open_basalt(&path))),
        _ => panic!("unknown child part {part}"),
    }
    wait_for_end();
}

/// Blocks until the parent says "go" (or closes stdin).
fn wait_for_go() {
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

/// Blocks until the parent closes this process's stdin.
fn wait_for_end() {
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}
