//! Robustness: arbitrary bytes, token soups and pathological nesting never
//! panic, hang or overflow the stack; whatever parses also round-trips.
//! Token soups are additionally compared with SQLite.

mod common;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Parses `sql`; if it parses, printing must parse back to the same tree.
fn check_round_trip(sql: &str) {
    if let Ok(stmts) = basalt_parser::parse(sql) {
        for s in stmts {
            let printed = s.to_string();
            let again = basalt_parser::parse(&printed)
                .unwrap_or_else(|e| panic!("reprint of {sql:?} fails: {printed:?}: {e}"));
            assert_eq!(again.len(), 1, "{printed:?}");
            assert_eq!(again[0], s, "round trip of {sql:?} via {printed:?}");
        }
    }
}

/// Runs `f` on a thread with the default 2 MiB test stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic or overflow");
}

#[test]
fn random_bytes_never_panic() {
    on_small_stack(|| {
        let mut rng = SmallRng::seed_from_u64(1);
        const ALPHABET: &[u8] =
            b" \t\n\r\x0b\x0c()[]{}'\"`;,.*+-/%=<>!|&~?:@$#_0123456789xXeEaAbBsSlLnN\\^\x00";
        for _ in 0..20_000 {
            let len = rng.gen_range(0..40);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.gen_bool(0.9) {
                        ALPHABET[rng.gen_range(0..ALPHABET.len())]
                    } else {
                        rng.gen()
                    }
                })
                .collect();
            let sql = String::from_utf8_lossy(&bytes);
            check_round_trip(&sql);
        }
    });
}

const WORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "t",
    "a",
    "b",
    "1",
    "'x'",
    "(",
    ")",
    ",",
    ";",
    ".",
    "*",
    "+",
    "-",
    "=",
    "NOT",
    "NULL",
    "IN",
    "IS",
    "AND",
    "OR",
    "BETWEEN",
    "LIKE",
    "ESCAPE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "AS",
    "JOIN",
    "ON",
    "USING",
    "ORDER",
    "BY",
    "GROUP",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "UNION",
    "ALL",
    "VALUES",
    "WITH",
    "INSERT",
    "INTO",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "TABLE",
    "INDEX",
    "DROP",
    "DEFAULT",
    "PRIMARY",
    "KEY",
    "COLLATE",
    "OVER",
    "FILTER",
    "WINDOW",
    "PARTITION",
    "ROWS",
    "CAST",
    "EXISTS",
    "DISTINCT",
    "ISNULL",
    "NOTNULL",
    "->",
    "||",
    "?",
    "?0",
    ":p",
    "x'00'",
    "1e5",
    "0x10",
    "1_0",
    "key",
    "replace",
    "left",
    "indexed",
    "DO",
    "RETURNING",
    "CONFLICT",
    "TEMP",
    "VIEW",
    "TRIGGER",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "PRAGMA",
    "EXPLAIN",
];

#[test]
fn token_soup_agrees_with_sqlite_and_round_trips() {
    let conn = common::oracle_connection();
    let mut rng = SmallRng::seed_from_u64(2);
    let mut bad = Vec::new();
    let starts = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "WITH", "VALUES", "DROP", "PRAGMA",
    ];
    for _ in 0..8_000 {
        let mut sql = starts[rng.gen_range(0..starts.len())].to_string();
        for _ in 0..rng.gen_range(1..14) {
            sql.push(' ');
            sql.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        }
        let (ours, theirs) = (
            common::our_verdict(&sql),
            common::sqlite_verdict(&conn, &sql),
        );
        if !common::agree(&sql, &ours, &theirs) {
            bad.push(format!("{sql}\n   sqlite: {theirs:?}\n   ours:   {ours:?}"));
        }
        check_round_trip(&sql);
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad[..bad.len().min(10)].join("\n")
    );
}

#[test]
fn deep_nesting_is_bounded_like_sqlite() {
    on_small_stack(|| {
        let start = Instant::now();
        let conn = common::oracle_connection();
        let cases: Vec<String> = vec![
            format!("SELECT {}1{}", "(".repeat(2493), ")".repeat(2493)),
            format!("SELECT {}1{}", "(".repeat(2494), ")".repeat(2494)),
            format!("SELECT {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("SELECT {}1", "- ".repeat(999)),
            format!("SELECT {}1", "- ".repeat(1000)),
            format!("SELECT {}1", "NOT ".repeat(50_000)),
            format!("SELECT 1{}", " + 1".repeat(999)),
            format!("SELECT 1{}", " + 1".repeat(1000)),
            format!("SELECT {}1{}", "abs(".repeat(831), ")".repeat(831)),
            format!("SELECT {}1{}", "abs(".repeat(832), ")".repeat(832)),
            format!(
                "SELECT {}1{}",
                "CASE WHEN 1 THEN ".repeat(498),
                " END".repeat(498)
            ),
            format!(
                "SELECT {}1{}",
                "CASE WHEN 1 THEN ".repeat(499),
                " END".repeat(499)
            ),
            format!(
                "SELECT * FROM {}t{}",
                "(SELECT * FROM ".repeat(415),
                ")".repeat(415)
            ),
            format!(
                "SELECT * FROM {}t{}",
                "(SELECT * FROM ".repeat(416),
                ")".repeat(416)
            ),
            format!("SELECT * FROM {}t{}", "(".repeat(5000), ")".repeat(5000)),
            format!("SELECT {}1{}", "(SELECT ".repeat(5000), ")".repeat(5000)),
            format!("SELECT 1 {}", "UNION SELECT 1 ".repeat(600)),
        ];
        for sql in &cases {
            let (ours, theirs) = (common::our_verdict(sql), common::sqlite_verdict(&conn, sql));
            assert!(
                common::agree(sql, &ours, &theirs),
                "{}...: sqlite {theirs:?}, ours {ours:?}",
                &sql[..40]
            );
            check_round_trip(sql);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "deep inputs too slow"
        );
    });
}

#[test]
fn mutated_corpus_never_panics() {
    on_small_stack(|| {
        let mut rng = SmallRng::seed_from_u64(3);
        let seeds: Vec<&str> = include_str!("data/handwritten.sql")
            .lines()
            .filter(|l| !l.is_empty())
            .collect();
        let start = Instant::now();
        for _ in 0..30_000 {
            let mut s: Vec<u8> = seeds[rng.gen_range(0..seeds.len())].as_bytes().to_vec();
            for _ in 0..rng.gen_range(1..4) {
                if s.is_empty() {
                    break;
                }
                let i = rng.gen_range(0..s.len());
                match rng.gen_range(0..3) {
                    0 => {
                        s.remove(i);
                    }
                    1 => s.insert(i, b"()'\"[`;,.-*/x0_$"[rng.gen_range(0..16)]),
                    _ => s.truncate(i),
                }
            }
            check_round_trip(&String::from_utf8_lossy(&s));
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    });
}
