//! The date and time functions against SQLite: every input of a table of time values (text,
//! real, integer, NULL, blob; valid, odd and invalid) under no modifier, each modifier of a
//! table, and pairs of modifiers, through every function and every `strftime` conversion.
//! `localtime`/`utc` are compared too: both engines run in this process and ask the same C
//! library. `'now'` differs between the engines' clocks, so it is checked for shape and for
//! being one moment within a statement.

mod oracle;

use basalt_core::record::Value;
use oracle::{compare_on, memory_pair, ours, ours_bound, theirs_bound, Outcome};

fn t(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

fn inputs() -> Vec<Value> {
    let texts = [
        "2024-02-29",
        "2023-02-31",
        "2023-04-31 10:00",
        "2000-01-01 00:00:00",
        "2024-03-10 12:34:56.789",
        "2024-03-10 12:34:56.7899",
        "2024-01-31 23:59:59.9999",
        "1970-01-01T00:00:00Z",
        "1970-01-01 00:00:00z",
        "-0044-03-15",
        "-4713-11-24 12:00:00",
        "-4713-11-24 11:59:59",
        "-4714-11-24",
        "0000-01-01",
        "9999-12-31 23:59:59.999",
        "10000-01-01",
        "2024-13-01",
        "2024-00-10",
        "2024-1-1",
        "2024-06-00",
        "12:30",
        "24:00",
        "24:00:01",
        "23:59:60",
        "00:00:00.5",
        "12:30:45.5+05:30",
        "2024-06-15 10:00-04:00",
        "2024-06-15 10:00 +14:00",
        "2024-06-15 10:00+15:00",
        "2024-06-15 10:00+00:00",
        "2024-06-15 10:00 -00:30 ",
        "2024-06-15Z",
        " 2024-06-15",
        "2024-06-15 ",
        "2024-06-15T10:20",
        "2024-06-15TT10:20",
        "2024-06-15 T 10:20",
        "2024-02-29 24:00",
        "2023-12-31 24:00:00",
        "2024-06-15 10:00:00.",
        "2024-06-15 10:00:00.1234567890123",
        "2460000.5",
        "1700000000",
        " 12.5 ",
        "1e3",
        "abc",
        "",
        "2024-06-15\u{0}junk",
        "2021-01-03",
        "2020-12-31",
        "2027-01-01",
        "2024-12-30 18:00",
    ];
    let mut v: Vec<Value> = texts.iter().map(|s| t(s)).collect();
    for r in [
        0.0,
        0.5,
        2_460_000.5,
        2_460_000.123_456_7,
        5_373_484.499_9,
        5_373_484.5,
        -1.0,
        1_700_000_000.0,
        1_700_000_000.123,
        -62_135_596_800.0,
        253_402_300_799.0,
        253_402_300_800.0,
        -210_866_760_000.0,
        1e10,
        86_400.5,
    ] {
        v.push(Value::Real(r));
    }
    for i in [0, 1, 2_440_588, 1_700_000_000, -86_400, 253_402_300_799] {
        v.push(Value::Integer(i));
    }
    v.push(Value::Null);
    v.push(Value::Blob(b"2024-06-15".to_vec()));
    v
}

fn modifiers() -> Vec<Value> {
    let texts = [
        "+1 day",
        "-1 day",
        "+1.5 days",
        "1 days",
        "+2 months",
        "-1 month",
        "+13 months",
        "-25 months",
        "+1 year",
        "-1 years",
        "+0.5 years",
        "+1.5 months",
        "+3 hours",
        "-90 minutes",
        "+30.25 seconds",
        "+1000000 seconds",
        "-0.0005 seconds",
        "+5373485 days",
        "+5373484 days",
        "+14713 years",
        "-10000 years",
        "1e2 days",
        "+1 DAYS",
        "start of month",
        "start of year",
        "start of day",
        "START OF MONTH",
        "start of week",
        "end of month",
        "end of year",
        "end of day",
        "end of week",
        "weekday 0",
        "weekday 3",
        "weekday 6",
        "weekday -1",
        "weekday -0",
        "weekday 7",
        "weekday 1.5",
        "weekday  2",
        "weekday 2.0",
        "unixepoch",
        "julianday",
        "auto",
        "subsec",
        "subsecond",
        "utc",
        "localtime",
        "floor",
        "ceiling",
        "+0001-01-01",
        "-0001-02-03",
        "+00001-00-00",
        "+0000-12-00",
        "+0000-11-30",
        "+0000-00-31",
        "+0001-01-01 12:30",
        "-0000-00-00 01:00:00.5",
        "+0001-01-01 1:30",
        "+0001-01-01x",
        "0001-01-01",
        "+12:30",
        "-01:00:00",
        "+24:00",
        "+23:59:59.999",
        "12:00",
        "+1:00",
        " +1 day",
        "+1 day ",
        "+1 dayz",
        "+1",
        "+1 d",
        "+1 fortnight",
        "bogus",
        "",
    ];
    let mut v: Vec<Value> = texts.iter().map(|s| t(s)).collect();
    v.push(Value::Null);
    v.push(Value::Integer(5));
    v
}

const FORMAT: &str =
    "%d|%e|%f|%F|%G|%g|%H|%k|%I|%j|%J|%l|%m|%M|%p|%P|%R|%s|%S|%T|%u|%w|%U|%V|%W|%Y|%%";

fn per_value(n_mods: usize) -> String {
    let mods: String = (0..n_mods).map(|i| format!(", ?{}", i + 2)).collect();
    format!(
        "SELECT date(?1{mods}), time(?1{mods}), datetime(?1{mods}), julianday(?1{mods}), \
         unixepoch(?1{mods}), strftime('{FORMAT}', ?1{mods})"
    )
}

#[test]
fn functions_match_sqlite_on_inputs_and_modifiers() {
    let (a, b) = memory_pair();
    let (inputs, modifiers) = (inputs(), modifiers());
    let check = |sql: &str, params: &[Value]| {
        let (x, y) = (ours_bound(&a, sql, params), theirs_bound(&b, sql, params));
        assert_eq!(x, y, "{sql} with {params:?}");
    };
    for input in &inputs {
        check(&per_value(0), std::slice::from_ref(input));
        for m in &modifiers {
            check(&per_value(1), &[input.clone(), m.clone()]);
        }
    }
    // Pairs of modifiers, a deterministic sample.
    let mut state = 0x1234_5678_9abc_def1u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..6000 {
        let params = [
            inputs[next(inputs.len())].clone(),
            modifiers[next(modifiers.len())].clone(),
            modifiers[next(modifiers.len())].clone(),
        ];
        check(&per_value(2), &params);
    }
    for x in &inputs {
        for y in inputs.iter().step_by(3) {
            check("SELECT timediff(?1, ?2)", &[x.clone(), y.clone()]);
        }
    }
}

#[test]
fn strftime_conversions_and_odd_calls_match_sqlite() {
    let (a, b) = memory_pair();
    let days = (0..800).map(|d| format!("'2019-12-01', '+{d} days'"));
    let mut script: Vec<String> = days
        .map(|d| format!("SELECT strftime('{FORMAT}', {d})"))
        .collect();
    script.extend(
        [
            "SELECT strftime('%Q', '2024-01-01')",
            "SELECT strftime('abc%', '2024-01-01')",
            "SELECT strftime('no conversions', '2024-01-01')",
            "SELECT strftime(NULL, '2024-01-01')",
            "SELECT strftime('%Y')  IS NOT NULL",
            "SELECT strftime()",
            "SELECT strftime('%Y', '2024-01-01', NULL)",
            "SELECT strftime('%Y-%m-%d', -0.5)",
            "SELECT date('2024-01-01', '+1 day', '+1 day', '+1 month', 'start of year')",
            "SELECT typeof(julianday('2024-01-01')), typeof(unixepoch('2024-01-01')), \
             typeof(unixepoch('2024-01-01', 'subsec'))",
            "SELECT unixepoch('2024-01-01 00:00:00.5', 'subsec'), datetime(1700000000.5, \
             'unixepoch', 'subsec'), time(1700000000.5, 'unixepoch', 'subsecond')",
            "SELECT date(1700000000, 'unixepoch', 'unixepoch')",
            "SELECT date(2460000, 'julianday', 'julianday')",
            "SELECT date('2024-01-01', 'auto')",
            "SELECT date(1700000000, '+1 day', 'auto')",
            "SELECT timediff('2024-03-31', '2024-02-29'), timediff('2024-02-29', '2024-03-31')",
            "SELECT timediff('2023-01-31', '2024-03-01 12:00:00.25')",
            "SELECT timediff(NULL, '2024-01-01'), timediff('2024-01-01', 'x')",
            "SELECT date()",
            "SELECT date('now') = date('now', 'start of day')",
            "SELECT date(x'323032342d30312d3031')",
            "SELECT datetime('2024-01-01', '+1 day', 'localtime', 'utc')",
            "SELECT datetime(1e300), datetime(-1e300), date('2024-01-01', '+1e300 days')",
            "SELECT timediff('2024-01-01')",
            "SELECT julianday('2024-01-01', 'weekday 1', 'weekday -5', '-2 hours')",
            "SELECT current_date()",
            "SELECT date('2000-01-01', '+5373484 days', '+5373484 days', '+5373484 days', \
             '+5373484 days', '+5373484 days', '+5373484 days', '+5373484 days', \
             '+5373484 days', '+5373484 days', '+5373484 days', '+5373484 days', \
             '+5373484 days', '+5373484 days', '+5373484 days', '+5373484 days', \
             '+5373484 days', '+5373484 days', '+5373484 days', '+5373484 days', \
             '+5373484 days', '+5373484 days', '+5373484 days', '+5373484 days')",
        ]
        .map(str::to_owned),
    );
    let script: Vec<&str> = script.iter().map(String::as_str).collect();
    compare_on(&a, &b, &script);
}

/// Every `'now'` of one statement execution is one moment, in the right shape.
#[test]
fn now_is_one_moment_per_statement() {
    let (a, _) = memory_pair();
    let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
               SELECT count(DISTINCT strftime('%f', 'now') || julianday('now')), \
               max(datetime('now') = datetime()), max(unixepoch('now') = unixepoch()), \
               datetime('now') GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] \
               [0-2][0-9]:[0-5][0-9]:[0-5][0-9]', \
               time('now', 'subsec') GLOB '[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]', \
               CURRENT_DATE = date('now'), CURRENT_TIME = time('now'), \
               CURRENT_TIMESTAMP = datetime('now') FROM n";
    let seen = ours(&a, sql).outcome;
    let Outcome::Rows(_, rows) = &seen else {
        panic!("{seen:?}");
    };
    assert_eq!(rows[0], vec![Value::Integer(1); 8], "{seen:?}");
    let sql = "SELECT abs(unixepoch('now') - strftime('%s', 'now')), \
               abs(julianday('now') * 86400 - 210866760000 - unixepoch('subsec')) < 1";
    let now_system = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let seen = ours(&a, "SELECT unixepoch()").outcome;
    let Outcome::Rows(_, rows) = &seen else {
        panic!("{seen:?}");
    };
    let Value::Integer(ours_now) = rows[0][0] else {
        panic!("{seen:?}");
    };
    assert!(
        (ours_now - now_system).abs() <= 2,
        "{ours_now} vs {now_system}"
    );
    assert_eq!(
        ours(&a, sql).outcome,
        Outcome::Rows(
            vec![
                "abs(unixepoch('now') - strftime('%s', 'now'))".into(),
                "abs(julianday('now') * 86400 - 210866760000 - unixepoch('subsec')) < 1".into()
            ],
            vec![vec![Value::Integer(0), Value::Integer(1)]]
        )
    );
}

/// CURRENT_TIME / CURRENT_DATE / CURRENT_TIMESTAMP as column defaults: same shapes and types.
#[test]
fn current_time_defaults() {
    let (a, b) = memory_pair();
    compare_on(
        &a,
        &b,
        &[
            "CREATE TABLE t(a, b DEFAULT CURRENT_TIME, c DEFAULT CURRENT_DATE, \
             d DEFAULT CURRENT_TIMESTAMP)",
            "INSERT INTO t(a) VALUES (1), (2)",
            "SELECT a, typeof(b), length(b), typeof(c), length(c), length(d), \
             b GLOB '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]', d = c || ' ' || b FROM t",
            "SELECT count(DISTINCT d) FROM t",
        ],
    );
}

/// In a CHECK constraint or an index, reading the clock or the time zone is SQLite's
/// "non-deterministic use of …" error when it happens; pure uses are fine.
#[test]
fn clock_in_checks_and_indexes() {
    let (a, b) = memory_pair();
    compare_on(
        &a,
        &b,
        &[
            "CREATE TABLE t(x, y CHECK (CASE WHEN y IS NULL THEN 1 ELSE y < date('now') END))",
            "INSERT INTO t VALUES (1, NULL)",
            "INSERT INTO t VALUES (1, '2000-01-01')",
            "CREATE TABLE u(x CHECK (date(x) IS NOT NULL), \
             y CHECK (CASE WHEN y IS NULL THEN 1 ELSE y < CURRENT_DATE END))",
            "INSERT INTO u VALUES ('2024-01-01', NULL)",
            "INSERT INTO u VALUES ('2024-01-01', '1999-01-01')",
            "INSERT INTO u VALUES ('bad', NULL)",
            "CREATE TABLE v(x CHECK (datetime(x, 'localtime') IS NOT NULL))",
            "INSERT INTO v VALUES ('2024-01-01')",
            "CREATE TABLE w(x)",
            "CREATE INDEX wi ON w(julianday(x))",
            "INSERT INTO w VALUES ('2024-01-01')",
            "CREATE INDEX wj ON w(x) WHERE x < datetime('now', 'utc')",
            "INSERT INTO w VALUES ('now')",
            "SELECT x, julianday(x) < julianday('now') FROM w",
            "CREATE TABLE z(x)",
            "INSERT INTO z VALUES ('now')",
            "CREATE INDEX zi ON z(date(x))",
            "CREATE INDEX zj ON z(x, random())",
            "CREATE INDEX zk ON z(x) WHERE x < CURRENT_DATE",
            "CREATE INDEX zl ON z(current_timestamp)",
            "CREATE INDEX zm ON z(x) WHERE changes() > 0",
            "CREATE TABLE y(x CHECK (random() IS NOT NULL))",
            "INSERT INTO y VALUES (1)",
        ],
    );
}
