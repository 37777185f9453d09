//! Differential tests of the scalar functions, format() and the aggregates against SQLite.

mod sql_common;

use basalt_core::record::{Collation, Value};
use basalt_core::sql::agg::{Aggregate, Distinct};
use basalt_core::sql::func::{call_scalar, lookup, DetachedContext, Function};
use sql_common::{operands, small_operands, Checker};

fn conn() -> rusqlite::Connection {
    rusqlite::Connection::open_in_memory().expect("in-memory database")
}

fn call(name: &str, args: &[Value]) -> basalt_core::Result<Value> {
    let refs: Vec<_> = args.iter().map(Value::as_value_ref).collect();
    call_scalar(&mut DetachedContext::default(), name, &refs)
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const ONE_ARG: &[&str] = &[
    "abs",
    "char",
    "coalesce",
    "concat",
    "hex",
    "length",
    "likely",
    "lower",
    "ltrim",
    "octet_length",
    "quote",
    "round",
    "rtrim",
    "sign",
    "soundex",
    "trim",
    "typeof",
    "unhex",
    "unicode",
    "unlikely",
    "upper",
    "zeroblob",
    "format",
    "iif",
];

const TWO_ARGS: &[&str] = &[
    "coalesce",
    "concat",
    "concat_ws",
    "glob",
    "ifnull",
    "iif",
    "instr",
    "like",
    "ltrim",
    "max",
    "min",
    "nullif",
    "round",
    "rtrim",
    "substr",
    "substring",
    "trim",
    "unhex",
    "char",
    "format",
];

const THREE_ARGS: &[&str] = &[
    "substr",
    "replace",
    "like",
    "iif",
    "max",
    "min",
    "concat_ws",
    "coalesce",
    "char",
];

#[test]
fn scalar_functions() {
    let conn = conn();
    let mut c = Checker::default();
    let all = operands();
    let small = small_operands();
    for name in ONE_ARG {
        for a in &all {
            let args = [a.clone()];
            c.check(
                &conn,
                &format!("SELECT {name}(?1)"),
                &args,
                call(name, &args),
            );
        }
    }
    for name in TWO_ARGS {
        for a in &small {
            for b in &small {
                let args = [a.clone(), b.clone()];
                c.check(
                    &conn,
                    &format!("SELECT {name}(?1, ?2)"),
                    &args,
                    call(name, &args),
                );
            }
        }
    }
    let tiny = &small[..small.len().min(14)];
    for name in THREE_ARGS {
        for a in &small {
            for b in tiny {
                for d in tiny {
                    let args = [a.clone(), b.clone(), d.clone()];
                    c.check(
                        &conn,
                        &format!("SELECT {name}(?1, ?2, ?3)"),
                        &args,
                        call(name, &args),
                    );
                }
            }
        }
    }
    for (name, n) in [
        ("sqlite_version", 0),
        ("char", 0),
        ("abs", 2),
        ("substr", 1),
        ("coalesce", 1),
        ("nosuch", 1),
        ("iif", 1),
        ("round", 3),
    ] {
        let args = vec![Value::Integer(1); n];
        c.check(
            &conn,
            &format!("SELECT {name}({})", placeholders(n)),
            &args,
            call(name, &args),
        );
    }
    c.finish("scalar function");
}

#[test]
fn format_function() {
    let conn = conn();
    let mut c = Checker::default();
    // Known gap, left out: `%c` of a truncated UTF-8 sequence.
    let formats = [
        "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%,d", "%.3d", "%x", "%X", "%#x", "%o", "%#o",
        "%u", "%i", "%lld", "%c", "%.3c", "%s", "%10s|", "%-10s|", "%.2s", "%!.2s", "%!5s|", "%q",
        "%Q", "%w", "%z", "%%", "%f", "%.2f", "%10.3f|", "%-10.1f|", "%+f", "%e", "%.1e", "%E",
        "%g", "%G", "%.3g", "%#g", "%!g", "%!.17g", "%!.16e", "%.20f", "%!.2e", "%08.2f", "%010g",
        "%#.0f", "%.0f", "%.15g", "%.16g", "%.17g", "abc%", "%y", "%5", "%p", "%n|x", "x%hd",
        "%.*f", "%*d|", "%-*d|", "%!.20e", "%!f", "%!.26g", "%.0e", "%!.0e", "%.1e",
    ];
    let values: Vec<Value> = operands()
        .into_iter()
        .chain(
            [
                1e-7,
                123.456,
                0.05,
                1.25,
                999999.5,
                1e16,
                1e22,
                -0.001,
                350.0,
                250.0,
                1e100,
                1.0 / 3.0,
            ]
            .map(Value::Real),
        )
        .collect();
    for f in formats {
        for v in &values {
            let args = [Value::from(f), v.clone(), Value::Integer(3)];
            c.check(
                &conn,
                "SELECT format(?1, ?2, ?3)",
                &args,
                call("format", &args),
            );
        }
    }
    c.check(
        &conn,
        "SELECT format(?1)",
        &[Value::Null],
        call("format", &[Value::Null]),
    );
    c.finish("format");
}

fn run_aggregate(name: &str, rows: &[Vec<Value>], distinct: bool) -> basalt_core::Result<Value> {
    let n_args = rows.first().map_or(1, Vec::len);
    let Function::Aggregate(f) = lookup(name, n_args)? else {
        panic!("{name} is not an aggregate");
    };
    let mut state: Box<dyn Aggregate> = (f.new)(Collation::Binary);
    if distinct {
        state = Box::new(Distinct::new(state, Collation::Binary));
    }
    for row in rows {
        let refs: Vec<_> = row.iter().map(Value::as_value_ref).collect();
        state.step(&refs)?;
    }
    state.value()
}

#[test]
fn aggregates() {
    let conn = conn();
    let mut c = Checker::default();
    let pool = operands();
    let mut state: u64 = 0x1234_5678_9abc_def1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for round in 0..400 {
        let len = 1 + next(6);
        // Half the groups are numeric-heavy, so that sums are exercised.
        let column: Vec<Value> = (0..len)
            .map(|_| {
                if round % 2 == 0 {
                    pool[next(pool.len())].clone()
                } else {
                    pool[next(40)].clone()
                }
            })
            .collect();
        let seps: Vec<Value> = (0..len)
            .map(|_| [Value::from("-"), Value::Null, Value::from(", ")][next(3)].clone())
            .collect();
        let values_sql = (1..=len)
            .map(|i| format!("(?{i}, ?{})", i + len))
            .collect::<Vec<_>>()
            .join(", ");
        let params: Vec<Value> = column.iter().chain(&seps).cloned().collect();
        let one: Vec<Vec<Value>> = column.iter().map(|v| vec![v.clone()]).collect();
        let two: Vec<Vec<Value>> = column
            .iter()
            .zip(&seps)
            .map(|(v, s)| vec![v.clone(), s.clone()])
            .collect();
        for name in ["sum", "total", "avg", "count", "max", "min", "group_concat"] {
            for distinct in [false, true] {
                let d = if distinct { "DISTINCT " } else { "" };
                let sql =
                    format!("WITH t(x, s) AS (VALUES {values_sql}) SELECT {name}({d}x) FROM t");
                c.check(&conn, &sql, &params, run_aggregate(name, &one, distinct));
            }
        }
        for name in ["group_concat", "string_agg"] {
            let sql = format!("WITH t(x, s) AS (VALUES {values_sql}) SELECT {name}(x, s) FROM t");
            c.check(&conn, &sql, &params, run_aggregate(name, &two, false));
        }
        let sql = format!("WITH t(x, s) AS (VALUES {values_sql}) SELECT count(*) FROM t");
        c.check(
            &conn,
            &sql,
            &params,
            run_aggregate("count", &vec![vec![]; len], false),
        );
    }
    c.finish("aggregate");
}
