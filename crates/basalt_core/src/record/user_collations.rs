//! Application-defined collations (`sqlite3_create_collation`), as the record layer sees them.
//!
//! A [`Collation::User`](super::Collation::User) carries only a number for its name, so that
//! collations stay `Copy` and can sit in key descriptions, instructions and the catalog. What
//! the name means belongs to a connection: while a connection compiles or runs a statement it
//! makes its [`CollationSet`] the thread's active one ([`activate`]), and comparisons look the
//! function up there.
//!
//! Invariants:
//! - Name numbers are process-wide and never reused: a number always means the same name
//!   (ASCII case folded), so a program compiled by one connection never meets another name.
//! - A comparison under a name the active connection does not define (a schema naming a
//!   collation nobody registered, or one removed since) orders bytewise and is recorded;
//!   the statement then fails with SQLite's "no such collation sequence" ([`take_missing`]),
//!   so that no wrong answer is returned.
//! - The active set is restored when the guard of [`activate`] drops, also on unwinding, so
//!   nested activations (a statement stepped from inside a callback) stay correct.

use super::Collation;
use crate::error::{Error, ErrorCode};
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Mutex;

/// SQLITE_ERROR_MISSING_COLLSEQ.
const ERROR_MISSING_COLLSEQ: i32 = 1 | (1 << 8);

/// The number of an interned collation name.
pub type NameId = u32;

/// An application's comparison of two texts.
pub type CompareFn = dyn Fn(&[u8], &[u8]) -> Ordering;

/// Every collation name interned so far, by number: the first spelling seen.
static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn names() -> std::sync::MutexGuard<'static, Vec<String>> {
    NAMES.lock().unwrap_or_else(|p| p.into_inner())
}

fn find(names: &[String], name: &str) -> Option<NameId> {
    names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .and_then(|i| NameId::try_from(i).ok())
}

/// The number of `name`, interning it if it is new.
pub fn intern(name: &str) -> NameId {
    let mut names = names();
    if let Some(id) = find(&names, name) {
        return id;
    }
    names.push(name.to_string());
    NameId::try_from(names.len() - 1).unwrap_or(NameId::MAX)
}

/// The name of number `id` as first written.
pub fn name_of(id: NameId) -> String {
    names()
        .get(id as usize)
        .cloned()
        .unwrap_or_else(|| format!("#{id}"))
}

/// A connection's application-defined collations.
#[derive(Clone, Default)]
pub struct CollationSet {
    map: HashMap<NameId, Rc<CompareFn>>,
}

impl CollationSet {
    /// Defines (or redefines) `name`.
    pub fn insert(&mut self, name: &str, compare: Rc<CompareFn>) {
        self.map.insert(intern(name), compare);
    }

    /// Forgets `name`; whether it was defined.
    pub fn remove(&mut self, name: &str) -> bool {
        self.map.remove(&intern(name)).is_some()
    }

    pub fn contains(&self, name: &str) -> bool {
        find(&names(), name).is_some_and(|id| self.map.contains_key(&id))
    }

    fn get(&self, id: NameId) -> Option<Rc<CompareFn>> {
        self.map.get(&id).cloned()
    }
}

thread_local! {
    static ACTIVE: RefCell<Option<Rc<CollationSet>>> = const { RefCell::new(None) };
    static MISSING: Cell<Option<NameId>> = const { Cell::new(None) };
}

/// Makes `set` the thread's active collations until the guard drops.
pub fn activate(set: Rc<CollationSet>) -> ActiveGuard {
    let previous = ACTIVE.with(|a| a.replace(Some(set)));
    ActiveGuard { previous }
}

/// Restores the previously active collations.
pub struct ActiveGuard {
    previous: Option<Rc<CollationSet>>,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        ACTIVE.with(|a| *a.borrow_mut() = previous);
    }
}

/// `name` as an application-defined collation of the active connection.
pub(super) fn active(name: &str) -> Option<Collation> {
    ACTIVE.with(|a| {
        let set = a.borrow();
        let set = set.as_ref()?;
        if set.map.is_empty() {
            return None;
        }
        let id = find(&names(), name)?;
        set.map.contains_key(&id).then_some(Collation::User(id))
    })
}

/// Compares under collation number `id` of the active connection.
pub(super) fn compare(id: NameId, a: &[u8], b: &[u8]) -> Ordering {
    // The function is taken out first: it may run statements of its own.
    let function = ACTIVE.with(|set| set.borrow().as_ref().and_then(|s| s.get(id)));
    match function {
        Some(f) => f(a, b),
        None => {
            MISSING.with(|m| m.set(Some(id)));
            a.cmp(b)
        }
    }
}

/// SQLite's error for `collation` if it is an application's collation the active connection
/// does not define (now): a statement that would compare under it is refused at prepare.
pub fn check_defined(collation: Collation) -> Result<(), Error> {
    let Collation::User(id) = collation else {
        return Ok(());
    };
    let defined = ACTIVE.with(|a| a.borrow().as_ref().is_some_and(|s| s.map.contains_key(&id)));
    if defined {
        return Ok(());
    }
    Err(missing_error(id))
}

fn missing_error(id: NameId) -> Error {
    Error::new(
        ErrorCode::Error,
        format!("no such collation sequence: {}", name_of(id)),
    )
    .with_extended_code(Some(ERROR_MISSING_COLLSEQ))
}

/// The error for a comparison made under an undefined collation since the last call, if any.
pub fn take_missing() -> Option<Error> {
    MISSING.with(Cell::take).map(missing_error)
}
