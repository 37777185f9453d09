//! Reading rows into Rust types with serde (the `serde` feature): a struct's fields by column
//! name, a tuple's or sequence's elements by position.

use crate::error::{Error, Result};
use crate::row::Row;
use crate::value::ValueRef;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::fmt;

impl Row {
    /// The row as a `T`: a struct (fields matched to columns by name), a map, or a tuple.
    ///
    /// ```
    /// # fn main() -> basalt::Result<()> {
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Todo {
    ///     id: i64,
    ///     title: String,
    ///     done: bool,
    ///     due: Option<String>,
    /// }
    ///
    /// let conn = basalt::blocking::Connection::open(":memory:")?;
    /// let row = conn.query_row("SELECT 7 AS id, 'write docs' AS title, 1 AS done, NULL AS due", ())?;
    /// let todo: Todo = row.deserialize()?;
    /// assert_eq!(todo, Todo { id: 7, title: "write docs".into(), done: true, due: None });
    /// let (id, title): (i64, String) = conn.query_row("SELECT 1, 'x'", ())?.deserialize()?;
    /// assert_eq!((id, title.as_str()), (1, "x"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(RowDeserializer { row: self })
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error::Deserialize(msg.to_string())
    }
}

struct RowDeserializer<'r> {
    row: &'r Row,
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(Columns {
            row: self.row,
            next: 0,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(Columns {
            row: self.row,
            next: 0,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct map struct enum identifier ignored_any
    }
}

/// The row's columns, as map entries or sequence elements.
struct Columns<'r> {
    row: &'r Row,
    next: usize,
}

impl<'r> Columns<'r> {
    fn take(&mut self) -> Result<ColumnValue<'r>> {
        let index = self.next;
        self.next += 1;
        let value = self.row.get_ref(index)?;
        Ok(ColumnValue { value, index })
    }
}

impl<'de> de::MapAccess<'de> for Columns<'_> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.row.column_name(self.next) {
            Some(name) => seed.deserialize(name.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let value = self.take()?;
        seed.deserialize(value)
    }
}

impl<'de> de::SeqAccess<'de> for Columns<'_> {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>> {
        if self.next >= self.row.column_count() {
            return Ok(None);
        }
        let value = self.take()?;
        seed.deserialize(value).map(Some)
    }
}

/// One column's value. Its text and blob are copied out (`visit_str`, not `visit_borrowed_str`),
/// so the target owns its data, as `DeserializeOwned` promises.
struct ColumnValue<'r> {
    value: ValueRef<'r>,
    index: usize,
}

impl<'de> de::Deserializer<'de> for ColumnValue<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            ValueRef::Integer(i) => visitor.visit_i64(i),
            ValueRef::Real(r) => visitor.visit_f64(r),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => visitor.visit_str(s),
                Err(_) => Err(Error::Utf8 { index: self.index }),
            },
            ValueRef::Blob(b) => visitor.visit_bytes(b),
        }
    }

    /// SQLite has no boolean: 0 is false, any other integer true.
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            ValueRef::Integer(i) => visitor.visit_bool(i != 0),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            ValueRef::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
