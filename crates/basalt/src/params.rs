//! Statement parameters: positional (tuples, arrays, slices, `params!`) and named
//! (`[(":id", 1)]`, `named_params!`).
//!
//! Parameters are converted to [`Value`]s when the call is made, before anything is sent to the
//! connection's thread: the caller's borrowed data (`&str`, `&[u8]`, `&dyn ToSql`) never has to
//! outlive the call, and the futures of the async API stay `Send` whatever the parameters are.

use crate::error::{Error, Result};
use crate::value::{ToSql, Value};

/// Parameters converted to values, ready to be bound.
#[derive(Debug, Clone, PartialEq)]
pub struct Bindings(pub(crate) BindingsKind);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BindingsKind {
    /// `?1`, `?2`, …: one value per placeholder, in order.
    Positional(Vec<Value>),
    /// By name as written in the SQL (`:id`, `@id`, `$id`); a name given without its prefix
    /// matches any of the three.
    Named(Vec<(String, Value)>),
}

/// Anything usable as a statement's parameters.
///
/// Positional: `()`, tuples of up to 12 [`ToSql`] values, arrays, slices and `Vec`s of one
/// [`ToSql`] type, and [`params!`](crate::params) for mixed types. Named: arrays, slices and
/// `Vec`s of `(name, value)` pairs, and [`named_params!`](crate::named_params).
pub trait Params {
    fn into_bindings(self) -> Result<Bindings>;
}

impl Params for Bindings {
    fn into_bindings(self) -> Result<Bindings> {
        Ok(self)
    }
}

fn positional<'a, T: ToSql + 'a>(values: impl IntoIterator<Item = &'a T>) -> Result<Bindings> {
    let values = values
        .into_iter()
        .map(ToSql::to_sql)
        .collect::<Result<_>>()?;
    Ok(Bindings(BindingsKind::Positional(values)))
}

fn named<'a, S: AsRef<str> + 'a, T: ToSql + 'a>(
    pairs: impl IntoIterator<Item = &'a (S, T)>,
) -> Result<Bindings> {
    let pairs = pairs
        .into_iter()
        .map(|(name, value)| Ok((name.as_ref().to_owned(), value.to_sql()?)))
        .collect::<Result<_>>()?;
    Ok(Bindings(BindingsKind::Named(pairs)))
}

impl Params for () {
    fn into_bindings(self) -> Result<Bindings> {
        Ok(Bindings(BindingsKind::Positional(Vec::new())))
    }
}

impl<T: ToSql> Params for &[T] {
    fn into_bindings(self) -> Result<Bindings> {
        positional(self)
    }
}

impl<T: ToSql, const N: usize> Params for [T; N] {
    fn into_bindings(self) -> Result<Bindings> {
        positional(&self)
    }
}

impl<T: ToSql, const N: usize> Params for &[T; N] {
    fn into_bindings(self) -> Result<Bindings> {
        positional(self)
    }
}

impl<T: ToSql> Params for Vec<T> {
    fn into_bindings(self) -> Result<Bindings> {
        positional(&self)
    }
}

impl<S: AsRef<str>, T: ToSql> Params for &[(S, T)] {
    fn into_bindings(self) -> Result<Bindings> {
        named(self)
    }
}

impl<S: AsRef<str>, T: ToSql, const N: usize> Params for [(S, T); N] {
    fn into_bindings(self) -> Result<Bindings> {
        named(&self)
    }
}

impl<S: AsRef<str>, T: ToSql, const N: usize> Params for &[(S, T); N] {
    fn into_bindings(self) -> Result<Bindings> {
        named(self)
    }
}

impl<S: AsRef<str>, T: ToSql> Params for Vec<(S, T)> {
    fn into_bindings(self) -> Result<Bindings> {
        named(&self)
    }
}

macro_rules! tuple_params {
    ($($name:ident),+) => {
        impl<$($name: ToSql),+> Params for ($($name,)+) {
            fn into_bindings(self) -> Result<Bindings> {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                Ok(Bindings(BindingsKind::Positional(vec![$($name.to_sql()?),+])))
            }
        }
    };
}

tuple_params!(A);
tuple_params!(A, B);
tuple_params!(A, B, C);
tuple_params!(A, B, C, D);
tuple_params!(A, B, C, D, E);
tuple_params!(A, B, C, D, E, F);
tuple_params!(A, B, C, D, E, F, G);
tuple_params!(A, B, C, D, E, F, G, H);
tuple_params!(A, B, C, D, E, F, G, H, I);
tuple_params!(A, B, C, D, E, F, G, H, I, J);
tuple_params!(A, B, C, D, E, F, G, H, I, J, K);
tuple_params!(A, B, C, D, E, F, G, H, I, J, K, L);

/// Positional parameters of mixed types: `params![1, "two", 3.0, None::<i64>]`.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::ToSql]
    };
    ($($value:expr),+ $(,)?) => {
        &[$(&$value as &dyn $crate::ToSql),+] as &[&dyn $crate::ToSql]
    };
}

/// Named parameters of mixed types: `named_params! { ":id": 1, ":name": "Ada" }`.
#[macro_export]
macro_rules! named_params {
    () => {
        &[] as &[(&str, &dyn $crate::ToSql)]
    };
    ($($name:literal : $value:expr),+ $(,)?) => {
        &[$(($name, &$value as &dyn $crate::ToSql)),+] as &[(&str, &dyn $crate::ToSql)]
    };
}

impl Bindings {
    /// Binds every value to `stmt`, checking the placeholders are exactly those given.
    pub(crate) fn bind(self, stmt: &mut basalt_core::connection::Statement) -> Result<()> {
        stmt.clear_bindings();
        match self.0 {
            BindingsKind::Positional(values) => {
                let expected = stmt.parameter_count();
                if values.len() != expected {
                    return Err(Error::InvalidParameterCount {
                        expected,
                        given: values.len(),
                    });
                }
                for (i, value) in values.into_iter().enumerate() {
                    stmt.bind(i + 1, value.into_core())
                        .map_err(Error::from_core)?;
                }
            }
            BindingsKind::Named(pairs) => {
                for (name, value) in pairs {
                    let index =
                        parameter_index(stmt, &name).ok_or(Error::InvalidParameterName(name))?;
                    stmt.bind(index, value.into_core())
                        .map_err(Error::from_core)?;
                }
            }
        }
        Ok(())
    }
}

fn parameter_index(stmt: &basalt_core::connection::Statement, name: &str) -> Option<usize> {
    if let Some(i) = stmt.parameter_index(name) {
        return Some(i);
    }
    if name.starts_with([':', '@', '$']) {
        return None;
    }
    [':', '@', '$']
        .iter()
        .find_map(|prefix| stmt.parameter_index(&format!("{prefix}{name}")))
}
