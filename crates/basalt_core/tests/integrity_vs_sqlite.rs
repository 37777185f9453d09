//! Basalt's structural integrity check against SQLite's `PRAGMA integrity_check`, on healthy
//! files, on the shared damaged fixtures, and on files this test damages in known ways.

use basalt_core::integrity::{check_structure, TreeRoot, DEFAULT_MAX_ERRORS};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fixtures_support;

/// A way to damage a copy of the sample file.
type Damage = Box<dyn Fn(&Path)>;

const SQLITE_BANNER: &str = "*** in database main ***";

fn temp_dir(name: &str) -> fixtures_support::ScratchDir {
    fixtures_support::ScratchDir::new(&format!("integrity-{name}"))
}

/// What SQLite's SQL-level part of the check adds when counting rows runs into the damage.
const SQLITE_SQL_LEVEL_FAILURE: &str = "database disk image is malformed";

/// SQLite's answer, without the banner line its pragma layer puts before b-tree messages and
/// without what its SQL-level part adds.
/// `Err` when SQLite's pragma itself fails: its SQL-level part (counting rows) can hit the damage.
fn try_sqlite_check(path: &Path) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .iter()
        .flat_map(|r| r.lines())
        .filter(|l| ![SQLITE_BANNER, SQLITE_SQL_LEVEL_FAILURE, "ok"].contains(l))
        .map(str::to_string)
        .collect())
}

fn sqlite_check(path: &Path) -> Vec<String> {
    try_sqlite_check(path)
        .unwrap_or_else(|e| panic!("SQLite's check of {} failed: {e}", path.display()))
}

/// The roots SQLite knows about, read before any damage is done.
fn roots_of(path: &Path) -> Vec<TreeRoot> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT rootpage, type = 'table' AND sql NOT LIKE '%WITHOUT ROWID%' FROM sqlite_schema WHERE rootpage > 0")
        .unwrap();
    let mut roots = vec![TreeRoot {
        root: 1,
        is_table: true,
    }];
    roots.extend(
        stmt.query_map([], |r| {
            Ok(TreeRoot {
                root: r.get(0)?,
                is_table: r.get(1)?,
            })
        })
        .unwrap()
        .map(|r| r.unwrap()),
    );
    roots
}

fn basalt_check(path: &Path, roots: &[TreeRoot]) -> Vec<String> {
    let options = PagerOptions {
        read_only: true,
        ..PagerOptions::default()
    };
    let mut pager = Pager::open(Arc::new(FileIo), path.to_str().unwrap(), &options).unwrap();
    check_structure(&mut pager, roots, DEFAULT_MAX_ERRORS).unwrap()
}

fn assert_same(path: &Path, roots: &[TreeRoot], what: &str) {
    let expected = sqlite_check(path);
    let actual = basalt_check(path, roots);
    assert_eq!(actual, expected, "{what}: Basalt (left) vs SQLite (right)");
}

/// A table with small rows and overflowing ones across a few levels of b-tree, page size 1024.
fn build_sample(dir: &Path) -> PathBuf {
    let path = dir.join("sample.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA page_size = 1024;
         CREATE TABLE t(a INTEGER PRIMARY KEY, b);
         CREATE TABLE junk(x);
         BEGIN;",
    )
    .unwrap();
    for i in 0..3000i64 {
        let b = if i % 97 == 0 {
            "x".repeat(5000)
        } else {
            format!("row {i}")
        };
        conn.execute("INSERT INTO t VALUES (?1, ?2)", rusqlite::params![i * 3, b])
            .unwrap();
        conn.execute("INSERT INTO junk VALUES (randomblob(200))", [])
            .unwrap();
    }
    conn.execute_batch("COMMIT; DELETE FROM junk; ").unwrap();
    path
}

fn page_bytes(path: &Path, pgno: u32) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    bytes[(pgno as usize - 1) * 1024..pgno as usize * 1024].to_vec()
}

fn patch(path: &Path, pgno: u32, offset: usize, new: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = (pgno as usize - 1) * 1024 + offset;
    bytes[at..at + new.len()].copy_from_slice(new);
    std::fs::write(path, bytes).unwrap();
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn be16(b: &[u8], at: usize) -> usize {
    u16::from_be_bytes([b[at], b[at + 1]]) as usize
}

/// The first page of tree `root` at `want_leaf` level, following left-most children.
fn descend(path: &Path, root: u32, want_leaf: bool) -> u32 {
    let mut pgno = root;
    loop {
        let page = page_bytes(path, pgno);
        let leaf = page[0] == 13 || page[0] == 10;
        if leaf == want_leaf {
            return pgno;
        }
        let first_cell = be16(&page, 12);
        pgno = be32(&page, first_cell);
    }
}

#[test]
fn healthy_files_are_ok() {
    let dir = temp_dir("healthy");
    let path = build_sample(&dir);
    let roots = roots_of(&path);
    assert_eq!(sqlite_check(&path), Vec::<String>::new());
    assert_eq!(basalt_check(&path, &roots), Vec::<String>::new());
}

#[test]
fn damaged_files_get_sqlites_messages() {
    let dir = temp_dir("damaged");
    let pristine = build_sample(&dir);
    let roots = roots_of(&pristine);
    let t_root = roots[1].root;
    let interior = descend(&pristine, t_root, false);
    let leaf = descend(&pristine, t_root, true);
    let interior_page = page_bytes(&pristine, interior);
    let leaf_page = page_bytes(&pristine, leaf);
    let header = page_bytes(&pristine, 1);

    let mut cases: Vec<(&str, Damage)> = Vec::new();
    let count = be32(&header, 36);
    cases.push((
        "freelist count too high",
        Box::new(move |p| patch(p, 1, 36, &(count + 1).to_be_bytes())),
    ));
    cases.push((
        "freelist count too low",
        Box::new(move |p| patch(p, 1, 36, &(count - 3).to_be_bytes())),
    ));
    let (c0, c1) = (be16(&leaf_page, 8), be16(&leaf_page, 10));
    cases.push((
        "leaf cells swapped",
        Box::new(move |p| {
            patch(p, leaf, 8, &(c1 as u16).to_be_bytes());
            patch(p, leaf, 10, &(c0 as u16).to_be_bytes());
        }),
    ));
    let first_child_at = be16(&interior_page, 12);
    let second_child = be32(&interior_page, be16(&interior_page, 14));
    cases.push((
        "child referenced twice",
        Box::new(move |p| patch(p, interior, first_child_at, &second_child.to_be_bytes())),
    ));
    cases.push((
        "child out of range",
        Box::new(move |p| patch(p, interior, first_child_at, &99_999u32.to_be_bytes())),
    ));
    cases.push((
        "leaf flag damaged",
        Box::new(move |p| patch(p, leaf, 0, &[0x0f])),
    ));
    let frag = leaf_page[7];
    cases.push((
        "fragment count wrong",
        Box::new(move |p| patch(p, leaf, 7, &[frag + 3])),
    ));
    let interior_frag = interior_page[7];
    cases.push((
        "interior fragment count wrong",
        Box::new(move |p| patch(p, interior, 7, &[interior_frag + 2])),
    ));
    cases.push((
        "cell pointer past the page",
        Box::new(move |p| patch(p, leaf, 8, &1023u16.to_be_bytes())),
    ));

    for (what, damage) in &cases {
        let path = dir.join("case.db");
        std::fs::copy(&pristine, &path).unwrap();
        damage(&path);
        match try_sqlite_check(&path) {
            Ok(expected) => {
                assert!(
                    !expected.is_empty(),
                    "{what}: the damage must be visible to SQLite"
                );
                assert_eq!(
                    basalt_check(&path, &roots),
                    expected,
                    "{what}: Basalt (left) vs SQLite (right)"
                );
            }
            Err(e) => {
                // SQLite's b-tree messages are lost behind the error; ours must still name the damage.
                assert!(e.to_string().contains("malformed"), "{what}: {e}");
                let ours = basalt_check(&path, &roots);
                assert!(
                    ours.iter()
                        .any(|m| m.contains(expect_when_sqlite_fails(what))),
                    "{what}: {ours:?}"
                );
            }
        }
    }
}

/// What Basalt must report in the cases where SQLite's pragma stops with an error.
fn expect_when_sqlite_fails(what: &str) -> &'static str {
    match what {
        "child out of range" => "invalid page number 99999",
        "leaf flag damaged" => "btreeInitPage() returns error code 11",
        "cell pointer past the page" => "Offset 1023 out of range",
        _ => panic!("{what}: SQLite's check failed unexpectedly"),
    }
}

#[test]
fn shared_fixtures_match_sqlite() {
    let dir = fixtures_support::unpack("structure");
    let structural = [
        "integrity_freelist_count_mismatch.db",
        "integrity_freelist_trunk_corrupt.db",
        "integrity_overflow_list_length_mismatch.db",
    ];
    for name in structural {
        let path = dir.join("database").join(name);
        assert_same(&path, &roots_of(&path), name);
    }
    for name in ["database.db", "database-no-rowidalias.db"] {
        let path = dir.join(name);
        assert_same(&path, &roots_of(&path), name);
    }
}
