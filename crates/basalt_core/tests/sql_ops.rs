//! Differential tests of operators, casts, affinity and comparison against SQLite.

mod sql_common;

use basalt_core::record::{Collation, Value};
use basalt_core::sql::affinity::Affinity;
use basalt_core::sql::arith::{self, ArithOp, BitOp};
use basalt_core::sql::compare::{self, CmpOp, Comparison};
use basalt_core::sql::convert::{self, real_to_text};
use sql_common::{operands, sqlite_eval, Checker};

fn conn() -> rusqlite::Connection {
    rusqlite::Connection::open_in_memory().expect("in-memory database")
}

#[test]
fn binary_operators() {
    let conn = conn();
    let mut c = Checker::default();
    let ops = operands();
    let arith_ops = [
        ("+", ArithOp::Add),
        ("-", ArithOp::Subtract),
        ("*", ArithOp::Multiply),
        ("/", ArithOp::Divide),
        ("%", ArithOp::Remainder),
    ];
    let bit_ops = [
        ("&", BitOp::And),
        ("|", BitOp::Or),
        ("<<", BitOp::ShiftLeft),
        (">>", BitOp::ShiftRight),
    ];
    let cmp_ops = [
        ("=", CmpOp::Eq),
        ("<>", CmpOp::Ne),
        ("<", CmpOp::Lt),
        ("<=", CmpOp::Le),
        (">", CmpOp::Gt),
        (">=", CmpOp::Ge),
        ("IS", CmpOp::Is),
        ("IS NOT", CmpOp::IsNot),
    ];
    for a in &ops {
        for b in &ops {
            let params = [a.clone(), b.clone()];
            let (x, y) = (a.as_value_ref(), b.as_value_ref());
            for (sql, op) in arith_ops {
                c.check(
                    &conn,
                    &format!("SELECT ?1 {sql} ?2"),
                    &params,
                    Ok(arith::arith(op, x, y)),
                );
            }
            for (sql, op) in bit_ops {
                c.check(
                    &conn,
                    &format!("SELECT ?1 {sql} ?2"),
                    &params,
                    Ok(arith::bitwise(op, x, y)),
                );
            }
            for (sql, op) in cmp_ops {
                c.check(
                    &conn,
                    &format!("SELECT ?1 {sql} ?2"),
                    &params,
                    Ok(Comparison::PLAIN.apply(op, x, y)),
                );
            }
            c.check(&conn, "SELECT ?1 || ?2", &params, Ok(arith::concat(x, y)));
            let (p, q) = (compare::truth(x), compare::truth(y));
            c.check(
                &conn,
                "SELECT ?1 AND ?2",
                &params,
                Ok(compare::truth_value(compare::and(p, q))),
            );
            c.check(
                &conn,
                "SELECT ?1 OR ?2",
                &params,
                Ok(compare::truth_value(compare::or(p, q))),
            );
            let nocase = Comparison {
                collation: Collation::NoCase,
                ..Comparison::PLAIN
            };
            c.check(
                &conn,
                "SELECT ?1 < ?2 COLLATE NOCASE",
                &params,
                Ok(nocase.apply(CmpOp::Lt, x, y)),
            );
        }
    }
    c.finish("binary operator");
}

#[test]
fn unary_operators_and_casts() {
    let conn = conn();
    let mut c = Checker::default();
    for a in &operands() {
        let params = [a.clone()];
        let x = a.as_value_ref();
        c.check(&conn, "SELECT -?1", &params, Ok(arith::negate(x)));
        c.check(&conn, "SELECT ~?1", &params, Ok(arith::bit_not(x)));
        c.check(
            &conn,
            "SELECT NOT ?1",
            &params,
            Ok(compare::truth_value(compare::not(compare::truth(x)))),
        );
        for ty in [
            "INTEGER",
            "REAL",
            "NUMERIC",
            "TEXT",
            "BLOB",
            "VARCHAR(3)",
            "FLOATING POINT",
            "DOUBLE",
            "DECIMAL",
            "",
        ] {
            let sql = if ty.is_empty() {
                "SELECT CAST(?1 AS \"\")".to_owned()
            } else {
                format!("SELECT CAST(?1 AS {ty})")
            };
            c.check(&conn, &sql, &params, Ok(convert::cast(x, ty)));
        }
        c.check(
            &conn,
            "SELECT ?1 BETWEEN 0 AND 10",
            &params,
            Ok(compare::truth_value(Comparison::PLAIN.between(
                x,
                0.into(),
                10.into(),
            ))),
        );
        let list = [Value::Integer(1), Value::Null, Value::from("abc")];
        let list_refs: Vec<_> = list.iter().map(Value::as_value_ref).collect();
        c.check(
            &conn,
            "SELECT ?1 IN (1, NULL, 'abc')",
            &params,
            Ok(compare::truth_value(
                Comparison::PLAIN.in_list(x, &list_refs),
            )),
        );
        c.check(
            &conn,
            "SELECT CASE ?1 WHEN 1 THEN 'one' WHEN 'abc' THEN 'abc' ELSE 'other' END",
            &params,
            Ok(if Comparison::PLAIN.case_matches(x, 1.into()) {
                Value::from("one")
            } else if Comparison::PLAIN.case_matches(x, "abc".into()) {
                Value::from("abc")
            } else {
                Value::from("other")
            }),
        );
    }
    c.finish("unary/cast");
}

/// Storing into typed columns applies affinity; comparing a column with a parameter applies
/// the comparison affinity rules.
#[test]
fn affinity_and_column_comparisons() {
    let conn = conn();
    conn.execute_batch("CREATE TABLE t(i INTEGER, r REAL, n NUMERIC, t TEXT, b BLOB)")
        .expect("create table");
    let columns = [
        ("i", Affinity::Integer),
        ("r", Affinity::Real),
        ("n", Affinity::Numeric),
        ("t", Affinity::Text),
        ("b", Affinity::Blob),
    ];
    let ops = operands();
    let mut c = Checker::default();
    for a in &ops {
        conn.execute("DELETE FROM t", []).expect("delete");
        let p = sql_common::Param(a);
        conn.execute("INSERT INTO t VALUES (?1, ?1, ?1, ?1, ?1)", [&p])
            .expect("insert");
        for (column, affinity) in columns {
            let stored = affinity.apply(a.as_value_ref());
            c.check(
                &conn,
                &format!("SELECT {column} FROM t"),
                &[],
                Ok(stored.clone()),
            );
            for b in &ops {
                let comparison = Comparison {
                    left: affinity,
                    ..Comparison::PLAIN
                };
                let params = [b.clone()];
                c.check(
                    &conn,
                    &format!("SELECT {column} < ?1 FROM t"),
                    &params,
                    Ok(comparison.apply(CmpOp::Lt, stored.as_value_ref(), b.as_value_ref())),
                );
                c.check(
                    &conn,
                    &format!("SELECT {column} = ?1 FROM t"),
                    &params,
                    Ok(comparison.apply(CmpOp::Eq, stored.as_value_ref(), b.as_value_ref())),
                );
            }
        }
    }
    c.finish("affinity");
}

/// Real → text rendering over many reals, short decimals and arbitrary bit patterns alike
/// (`tests/real_text_vs_sqlite.rs` covers more families and every text path).
#[test]
fn real_rendering() {
    let conn = conn();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut short_bad, mut random_bad, mut n) = (Vec::new(), 0, 0);
    for i in 0..20_000 {
        let short = i % 2 == 0;
        let r = if short {
            (next() % 10_000_000) as f64 / 10f64.powi((next() % 15) as i32)
                * if next() % 2 == 0 { 1.0 } else { -1.0 }
        } else {
            f64::from_bits(next())
        };
        if r.is_nan() {
            continue;
        }
        n += 1;
        let theirs = sqlite_eval(&conn, "SELECT CAST(?1 AS TEXT)", &[Value::Real(r)]);
        let mine = Value::from(real_to_text(r));
        if theirs.as_ref() != Ok(&mine) {
            if short {
                short_bad.push(format!("{r:e}: basalt {mine:?} sqlite {theirs:?}"));
            } else {
                random_bad += 1;
            }
        }
    }
    eprintln!(
        "real rendering: {n} reals, {} short mismatches, {random_bad} random mismatches",
        short_bad.len()
    );
    assert!(short_bad.is_empty(), "{short_bad:#?}");
    assert_eq!(
        random_bad, 0,
        "{random_bad} of {n} random reals render differently"
    );
}
