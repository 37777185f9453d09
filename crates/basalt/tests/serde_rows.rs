//! Reading rows into structs with serde (the `serde` feature).
#![cfg(feature = "serde")]

use basalt::blocking::Connection;
use basalt::Error;
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
struct Todo {
    id: i64,
    title: String,
    done: bool,
    #[serde(rename = "due_date")]
    due: Option<String>,
    score: f64,
    tag: Option<Tag>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Tag(String);

#[test]
fn rows_read_into_structs_by_column_name() {
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(
        "CREATE TABLE todo(id INTEGER PRIMARY KEY, title TEXT, done INTEGER, due_date TEXT,
                           score REAL, tag TEXT);
         INSERT INTO todo VALUES (1, 'docs', 1, NULL, 2, 'work'), (2, 'tests', 0, '2026-12-01', 0.5, NULL);",
    )
    .unwrap();
    let todos: Vec<Todo> = conn
        .query("SELECT * FROM todo ORDER BY id", ())
        .unwrap()
        .map(|row| row?.deserialize())
        .collect::<Result<_, Error>>()
        .unwrap();
    assert_eq!(
        todos,
        [
            Todo {
                id: 1,
                title: "docs".into(),
                done: true,
                due: None,
                score: 2.0,
                tag: Some(Tag("work".into()))
            },
            Todo {
                id: 2,
                title: "tests".into(),
                done: false,
                due: Some("2026-12-01".into()),
                score: 0.5,
                tag: None
            },
        ]
    );
}

#[test]
fn tuples_maps_and_errors() {
    let conn = Connection::open(":memory:").unwrap();
    let row = conn
        .query_row("SELECT 1 AS a, 'x' AS b, x'00ff' AS c", ())
        .unwrap();
    let (a, b, c): (i64, String, serde_bytes_like::Bytes) = row.deserialize().unwrap();
    assert_eq!((a, b.as_str(), c.0), (1, "x", vec![0, 255]));
    let map: std::collections::BTreeMap<String, i64> = conn
        .query_row("SELECT 1 AS one, 2 AS two", ())
        .unwrap()
        .deserialize()
        .unwrap();
    assert_eq!(
        map.into_iter().collect::<Vec<_>>(),
        [("one".into(), 1), ("two".into(), 2)]
    );

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)] // only the error matters
    struct Missing {
        a: i64,
        nope: i64,
    }
    let err = row.deserialize::<Missing>().unwrap_err();
    assert_eq!(err, Error::Deserialize("missing field `nope`".into()));
    let err = row.deserialize::<(String, String)>().unwrap_err();
    assert!(matches!(err, Error::Deserialize(_)), "{err:?}");
}

/// A blob target without the serde_bytes crate.
mod serde_bytes_like {
    use serde::de::{Deserializer, Visitor};
    use std::fmt;

    pub struct Bytes(pub Vec<u8>);

    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Bytes;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
            }
            d.deserialize_bytes(V)
        }
    }
}
