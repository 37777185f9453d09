//! Differential test against SQLite (rusqlite, prepare only): accept/reject
//! must agree and rejected statements must carry SQLite's message. Also
//! checks operator precedence by evaluating random constant expressions in
//! SQLite both as written and as reprinted (fully parenthesised) by us.

mod common;

use common::{agree, oracle_connection, our_verdict, sqlite_verdict};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const HANDWRITTEN: &str = include_str!("data/handwritten.sql");

fn seeds() -> Vec<String> {
    HANDWRITTEN
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tokens spliced into statements by the mutator.
const POOL: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    ".",
    "*",
    "+",
    "-",
    "=",
    "==",
    "!=",
    "<>",
    "||",
    "->",
    "->>",
    "~",
    "!",
    "?",
    "?0",
    ":x",
    "@y",
    "$z",
    "#1",
    "'s'",
    "\"d\"",
    "[b]",
    "x'00'",
    "x'0'",
    "1",
    "1.5",
    "1e",
    "1_0",
    "1__0",
    "0x",
    "0xFF",
    "NULL",
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "BETWEEN",
    "LIKE",
    "ESCAPE",
    "COLLATE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "CAST",
    "AS",
    "JOIN",
    "LEFT",
    "ON",
    "USING",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UNION",
    "ALL",
    "VALUES",
    "WITH",
    "RECURSIVE",
    "INSERT",
    "INTO",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "TABLE",
    "INDEX",
    "PRIMARY",
    "KEY",
    "DEFAULT",
    "CHECK",
    "REFERENCES",
    "TRIGGER",
    "BEGIN",
    "OVER",
    "FILTER",
    "WINDOW",
    "PARTITION",
    "ROWS",
    "RANGE",
    "CURRENT",
    "ROW",
    "PRECEDING",
    "FOLLOWING",
    "UNBOUNDED",
    "DISTINCT",
    "EXISTS",
    "RAISE",
    "RETURNING",
    "CONFLICT",
    "DO",
    "NOTHING",
    "replace",
    "key",
    "rowid",
    "temp",
    "/*",
    "--",
    "`",
    "'",
    "\"",
    "[",
    "\\",
    "^",
];

fn mutate(rng: &mut SmallRng, sql: &str) -> String {
    let toks: Vec<(usize, usize)> = basalt_parser::lexer::tokenize(sql)
        .iter()
        .filter(|t| t.end > t.start)
        .map(|t| (t.start, t.end))
        .collect();
    if toks.is_empty() {
        return sql.to_string();
    }
    let i = rng.gen_range(0..toks.len());
    let (s, e) = toks[i];
    let pick = POOL[rng.gen_range(0..POOL.len())];
    match rng.gen_range(0..5) {
        0 => format!("{}{}", &sql[..s], &sql[e..]),
        1 => format!("{} {} {}", &sql[..s], pick, &sql[s..]),
        2 => format!("{} {} {}", &sql[..s], pick, &sql[e..]),
        3 => sql[..e].to_string(),
        _ => {
            let j = rng.gen_range(0..toks.len());
            let (s2, e2) = toks[j];
            format!("{} {} {}", &sql[..e], &sql[s2..e2], &sql[e..])
        }
    }
}

fn check_all(cases: &[String]) -> (usize, Vec<String>) {
    let conn = oracle_connection();
    let mut bad = Vec::new();
    for sql in cases {
        let theirs = sqlite_verdict(&conn, sql);
        let ours = our_verdict(sql);
        if !agree(sql, &ours, &theirs) {
            bad.push(format!(
                "{sql:?}\n    sqlite: {theirs:?}\n    ours:   {ours:?}"
            ));
        }
    }
    (cases.len(), bad)
}

fn report(name: &str, (n, bad): (usize, Vec<String>)) {
    eprintln!("{name}: {n} statements, {} disagreements", bad.len());
    assert!(
        bad.is_empty(),
        "{name}: {} of {n} disagree; first:\n{}",
        bad.len(),
        bad[..bad.len().min(15)].join("\n")
    );
}

#[test]
fn handwritten_statements_agree() {
    report("handwritten", check_all(&seeds()));
}

#[test]
fn mutated_statements_agree() {
    let mut rng = SmallRng::seed_from_u64(777);
    let seeds = seeds();
    let mut cases = Vec::new();
    for seed in &seeds {
        for _ in 0..40 {
            let mut s = mutate(&mut rng, seed);
            if rng.gen_bool(0.3) {
                s = mutate(&mut rng, &s);
            }
            cases.push(s);
        }
    }
    report("mutated", check_all(&cases));
}

/// A random constant expression over a small operator set.
fn gen_expr(rng: &mut SmallRng, depth: u32) -> String {
    if depth == 0 || rng.gen_bool(0.25) {
        return match rng.gen_range(0..6) {
            0 => "NULL".to_string(),
            1 => format!("'{}'", rng.gen_range(0..4)),
            _ => rng.gen_range(0..5).to_string(),
        };
    }
    let a = gen_expr(rng, depth - 1);
    let b = gen_expr(rng, depth - 1);
    let c = gen_expr(rng, depth - 1);
    const BIN: &[&str] = &[
        "+",
        "-",
        "*",
        "/",
        "%",
        "||",
        "<<",
        ">>",
        "&",
        "|",
        "=",
        "==",
        "<>",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "AND",
        "OR",
        "IS",
        "IS NOT",
        "IS DISTINCT FROM",
        "IS NOT DISTINCT FROM",
        "LIKE",
        "NOT LIKE",
        "GLOB",
        "NOT GLOB",
    ];
    match rng.gen_range(0..12) {
        0 => format!("NOT {a}"),
        1 => format!("- {a}"),
        2 => format!("~ {a}"),
        3 => format!("{a} ISNULL"),
        4 => format!("{a} NOT NULL"),
        5 => format!("{a} BETWEEN {b} AND {c}"),
        6 => format!("{a} NOT IN ({b}, {c})"),
        7 => format!("({a})"),
        8 => format!("{a} COLLATE nocase"),
        9 => format!("CASE {a} WHEN {b} THEN {c} END"),
        _ => format!("{a} {} {b}", BIN[rng.gen_range(0..BIN.len())]),
    }
}

#[test]
fn precedence_matches_sqlite_evaluation() {
    let conn = oracle_connection();
    let mut rng = SmallRng::seed_from_u64(777);
    let mut checked = 0;
    for _ in 0..3000 {
        let e = gen_expr(&mut rng, 4);
        let sql = format!("SELECT {e}");
        let theirs = sqlite_verdict(&conn, &sql);
        let ours = our_verdict(&sql);
        assert!(
            agree(&sql, &ours, &theirs),
            "{sql}: sqlite {theirs:?}, ours {ours:?}"
        );
        let Ok(stmts) = basalt_parser::parse(&sql) else {
            continue;
        };
        let printed = stmts[0].to_string();
        let eval = |q: &str| {
            conn.query_row(q, [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            eval(&sql),
            eval(&printed),
            "\n  original: {sql}\n  printed:  {printed}"
        );
        checked += 1;
    }
    eprintln!("precedence: {checked} expressions evaluated identically");
    assert!(checked > 2500);
}
