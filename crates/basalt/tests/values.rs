//! Parameters and column values: conversions with SQLite's semantics, and their errors.

use basalt::blocking::Connection;
use basalt::{named_params, params, Error, FromSql, ToSql, Type, Value, ValueRef};

fn memory() -> Connection {
    Connection::open(":memory:").unwrap()
}

/// Binds `value`, reads it back as `T`, and says what SQLite stored.
fn round_trip<P: ToSql, T: FromSql>(value: P) -> (T, String) {
    let conn = memory();
    let row = conn
        .query_row("SELECT ?1, typeof(?1)", params![value])
        .unwrap();
    (row.get(0).unwrap(), row.get(1).unwrap())
}

#[test]
fn rust_values_round_trip_with_sqlite_types() {
    assert_eq!(round_trip::<_, i8>(-5i8), (-5, "integer".into()));
    assert_eq!(round_trip::<_, i16>(300i16), (300, "integer".into()));
    assert_eq!(round_trip::<_, i32>(i32::MIN), (i32::MIN, "integer".into()));
    assert_eq!(round_trip::<_, i64>(i64::MAX), (i64::MAX, "integer".into()));
    assert_eq!(round_trip::<_, u8>(255u8), (255, "integer".into()));
    assert_eq!(round_trip::<_, u32>(u32::MAX), (u32::MAX, "integer".into()));
    assert_eq!(
        round_trip::<_, u64>(i64::MAX as u64),
        (i64::MAX as u64, "integer".into())
    );
    assert_eq!(round_trip::<_, usize>(7usize), (7, "integer".into()));
    assert_eq!(round_trip::<_, bool>(true), (true, "integer".into()));
    assert_eq!(round_trip::<_, i64>(false), (0, "integer".into()));
    assert_eq!(round_trip::<_, f64>(1.5f64), (1.5, "real".into()));
    assert_eq!(round_trip::<_, f32>(0.25f32), (0.25, "real".into()));
    assert_eq!(round_trip::<_, f64>(3), (3.0, "integer".into()));
    assert_eq!(
        round_trip::<_, String>("héllo"),
        ("héllo".into(), "text".into())
    );
    assert_eq!(
        round_trip::<_, String>(String::from("s")),
        ("s".into(), "text".into())
    );
    assert_eq!(
        round_trip::<_, Vec<u8>>(vec![0u8, 255]),
        (vec![0, 255], "blob".into())
    );
    assert_eq!(
        round_trip::<_, Vec<u8>>(&[1u8, 2][..]),
        (vec![1, 2], "blob".into())
    );
    assert_eq!(
        round_trip::<_, Vec<u8>>([9u8; 3]),
        (vec![9; 3], "blob".into())
    );
    assert_eq!(
        round_trip::<_, Option<i64>>(None::<i64>),
        (None, "null".into())
    );
    assert_eq!(
        round_trip::<_, Option<i64>>(Some(4)),
        (Some(4), "integer".into())
    );
    assert_eq!(
        round_trip::<_, Value>(Value::Real(2.5)),
        (Value::Real(2.5), "real".into())
    );
    assert_eq!(
        round_trip::<_, Value>(Value::Null),
        (Value::Null, "null".into())
    );
    assert_eq!(
        round_trip::<_, Value>(ValueRef::Text(b"t")),
        (Value::Text("t".into()), "text".into())
    );
}

#[test]
fn value_from_and_try_from() {
    assert_eq!(Value::from(true), Value::Integer(1));
    assert_eq!(Value::from("a"), Value::Text("a".into()));
    assert_eq!(Value::from(&b"ab"[..]), Value::Blob(b"ab".to_vec()));
    assert_eq!(Value::from(None::<i32>), Value::Null);
    assert_eq!(Value::from(Some(2.0)), Value::Real(2.0));
    assert_eq!(Value::try_from(5u64).unwrap(), Value::Integer(5));
    assert!(matches!(
        Value::try_from(u64::MAX),
        Err(Error::ToSqlConversionFailure(_))
    ));
    assert_eq!(Value::Blob(vec![]).data_type(), Type::Blob);
    assert_eq!(Type::Text.to_string(), "TEXT");
}

#[test]
fn u64_above_i64_max_is_an_error_not_a_wrap() {
    let conn = memory();
    let err = conn.execute("SELECT ?1", [u64::MAX]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot bind parameter: 18446744073709551615 does not fit SQLite's 64-bit signed integer"
    );
}

#[test]
fn named_parameters_with_and_without_prefixes() {
    let conn = memory();
    let row = conn
        .query_row(
            "SELECT :a, @b, $c",
            named_params! { ":a": 1, "@b": "two", "$c": 3.0 },
        )
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 1);
    assert_eq!(row.get::<String>(1).unwrap(), "two");
    assert_eq!(row.get::<f64>(2).unwrap(), 3.0);
    let row = conn
        .query_row("SELECT :a + @b", [("a", 1), ("b", 2)])
        .unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 3);
    let row = conn
        .query_row("SELECT :a", vec![(":a".to_string(), "owned")])
        .unwrap();
    assert_eq!(row.get::<String>(0).unwrap(), "owned");
    let err = conn.query_row("SELECT :a", [(":nope", 1)]).unwrap_err();
    assert_eq!(err, Error::InvalidParameterName(":nope".into()));
}

#[test]
fn positional_parameters_in_every_shape() {
    let conn = memory();
    let sum = |p: basalt::Bindings| -> i64 {
        conn.query_row("SELECT ?1 + ?2", p).unwrap().get(0).unwrap()
    };
    use basalt::Params;
    assert_eq!(sum((1, 2).into_bindings().unwrap()), 3);
    assert_eq!(sum([1, 2].into_bindings().unwrap()), 3);
    assert_eq!(sum((&[1, 2][..]).into_bindings().unwrap()), 3);
    assert_eq!(sum(vec![1, 2].into_bindings().unwrap()), 3);
    assert_eq!(sum(params![1, "2"].into_bindings().unwrap()), 3);
    let err = conn.query_row("SELECT ?1 + ?2", [1]).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidParameterCount {
            expected: 2,
            given: 1
        }
    );
    assert_eq!(
        conn.query_row("SELECT 1", params![])
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1
    );
}

#[test]
fn reading_a_column_as_the_wrong_type_names_it() {
    let conn = memory();
    let row = conn
        .query_row(
            "SELECT 'text' AS t, 300 AS n, NULL AS z, 2.5 AS r, -1 AS neg",
            (),
        )
        .unwrap();
    assert_eq!(
        row.get::<i64>("t").unwrap_err(),
        Error::InvalidColumnType {
            index: 0,
            name: "t".into(),
            found: Type::Text,
            expected: "i64"
        }
    );
    assert_eq!(
        row.get::<u8>("n").unwrap_err(),
        Error::IntegralValueOutOfRange {
            index: 1,
            value: 300
        }
    );
    assert_eq!(
        row.get::<u64>("neg").unwrap_err(),
        Error::IntegralValueOutOfRange {
            index: 4,
            value: -1
        }
    );
    let null = row.get::<i64>("z").unwrap_err();
    assert_eq!(
        null.to_string(),
        "invalid column type NULL at index 2 (\"z\"): expected i64"
    );
    assert!(matches!(
        row.get::<i64>("r"),
        Err(Error::InvalidColumnType {
            found: Type::Real,
            ..
        })
    ));
    assert!(row.get::<bool>(1).unwrap());
    assert_eq!(row.get::<i64>(9).unwrap_err(), Error::InvalidColumnIndex(9));
    assert_eq!(
        row.get::<i64>("nope").unwrap_err(),
        Error::InvalidColumnName("nope".into())
    );
    assert_eq!(row.get_ref("r").unwrap(), ValueRef::Real(2.5));
    assert_eq!(row.get_value(0).unwrap(), Value::Text("text".into()));
    assert_eq!((row.column_count(), row.column_name(1)), (5, Some("n")));
}

#[test]
fn text_that_is_not_utf8_is_an_error_only_as_a_string() {
    let conn = memory();
    let row = conn.query_row("SELECT CAST(x'ff00' AS TEXT)", ()).unwrap();
    assert_eq!(row.get::<String>(0).unwrap_err(), Error::Utf8 { index: 0 });
    assert_eq!(row.get::<Vec<u8>>(0).unwrap(), vec![0xff, 0x00]);
    assert_eq!(row.get_ref(0).unwrap(), ValueRef::Text(&[0xff, 0x00]));
}
