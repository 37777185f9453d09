//! Application-defined SQL functions and collations of one connection
//! (`sqlite3_create_function_v2`, `sqlite3_create_collation_v2`), as a Rust API.
//!
//! A connection holds its definitions as one immutable [`UserRegistry`] behind an `Rc`;
//! defining or removing anything makes a new registry. Statements remember the registry they
//! were compiled with and compile again before their next run when it changed — SQLite
//! expires a connection's statements the same way — and a compiled program holds the
//! definitions it calls, so a statement never calls a half-replaced function.
//!
//! Invariants:
//! - Name lookup is SQLite's: case-insensitive; a definition for exactly the call's argument
//!   count beats one for any count (`n_args == -1`); any application definition matching the
//!   call hides a built-in of that name, and a name the application defined for other
//!   counts only is "wrong number of arguments".
//! - While a connection compiles a statement, its registry is the thread's active one
//!   ([`activate`]): the code generator resolves names through [`lookup`], and collations
//!   through `record::user_collations`, which the same guard activates.
//! - The registry also holds the connection's other settings that change what a statement
//!   compiles to ([`CompileSettings`]: the authorizer, `PRAGMA count_changes`, the function
//!   argument limit), so that changing one recompiles prepared statements the same way.
//! - Aux data (`sqlite3_set_auxdata`) lives per call site and argument for one execution of a
//!   statement: dropped when it is reset or finalized.

use crate::error::{Error, ErrorCode, Result};
use crate::record::user_collations::{self, CollationSet, CompareFn};
use crate::record::{Value, ValueRef};
use crate::sql::agg::Aggregate;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// `SQLITE_DETERMINISTIC`, `SQLITE_DIRECTONLY`, `SQLITE_INNOCUOUS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FunctionFlags {
    pub deterministic: bool,
    pub direct_only: bool,
    pub innocuous: bool,
}

/// Data a function keeps about its arguments from one row to the next
/// (`sqlite3_get_auxdata` / `sqlite3_set_auxdata`), by argument number.
#[derive(Default)]
pub struct AuxData {
    slots: HashMap<usize, Box<dyn Any>>,
}

/// What one call of an application function sees besides its arguments.
pub struct FunctionCall<'a> {
    aux: &'a mut AuxData,
}

impl<'a> FunctionCall<'a> {
    pub fn new(aux: &'a mut AuxData) -> FunctionCall<'a> {
        FunctionCall { aux }
    }

    /// The data set for argument `arg` by an earlier call at this call site.
    pub fn aux(&mut self, arg: usize) -> Option<&mut Box<dyn Any>> {
        self.aux.slots.get_mut(&arg)
    }

    /// Keeps `data` for argument `arg` (replacing, and dropping, what was there).
    pub fn set_aux(&mut self, arg: usize, data: Box<dyn Any>) {
        self.aux.slots.insert(arg, data);
    }
}

/// A scalar function: arguments in, one value out; an `Err` fails the statement with its
/// message and code.
pub type ScalarFn = dyn Fn(&mut FunctionCall<'_>, &[ValueRef<'_>]) -> Result<Value>;

/// An aggregate function: a fresh state for each group.
pub type AggregateFactory = dyn Fn() -> Box<dyn Aggregate>;

/// What an application function computes.
#[derive(Clone)]
pub enum FunctionKind {
    Scalar(Rc<ScalarFn>),
    Aggregate(Rc<AggregateFactory>),
    /// An aggregate window function (`sqlite3_create_window_function`): its states implement
    /// `value` and `inverse`, so it may also be used with OVER.
    Window(Rc<AggregateFactory>),
    /// A removed definition. As in SQLite, it still hides a built-in of its name and count
    /// (such calls are "wrong number of arguments"); lookups never return it.
    Removed,
}

/// One application-defined function.
pub struct UserFunction {
    /// As registered (lookup ignores ASCII case).
    pub name: String,
    /// The argument count it takes, -1 for any.
    pub n_args: i32,
    pub flags: FunctionFlags,
    pub kind: FunctionKind,
}

impl std::fmt::Debug for UserFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserFunction({}/{})", self.name, self.n_args)
    }
}

/// The application's functions and collations on one connection.
#[derive(Clone, Default)]
pub struct UserRegistry {
    functions: Vec<Rc<UserFunction>>,
    collations: Rc<CollationSet>,
    settings: CompileSettings,
}

/// Connection settings the code generator reads.
#[derive(Clone)]
pub struct CompileSettings {
    pub authorizer: Option<Rc<crate::hooks::Authorizer>>,
    /// `PRAGMA count_changes`: INSERT, UPDATE and DELETE return their count of changed rows.
    pub count_changes: bool,
    /// SQLITE_LIMIT_FUNCTION_ARG: the most arguments a function call may have.
    pub max_function_args: usize,
}

impl Default for CompileSettings {
    fn default() -> CompileSettings {
        CompileSettings {
            authorizer: None,
            count_changes: false,
            max_function_args: MAX_ARGS as usize,
        }
    }
}

/// The result of looking a call up among the application's functions.
pub enum Lookup {
    Found(Rc<UserFunction>),
    /// The name is defined, for other argument counts only.
    WrongCount,
    /// The best match is a removed definition: no function, and no built-in either.
    /// `others`: the name has live definitions for other counts.
    Hidden {
        others: bool,
    },
    NotFound,
}

/// The longest argument list SQLite accepts for an application function
/// (SQLITE_MAX_FUNCTION_ARG).
pub const MAX_ARGS: i32 = 1000;

impl UserRegistry {
    /// Defines `f`, replacing a definition of the same name and argument count; `kind`
    /// `None` removes that definition instead.
    pub fn with_function(
        &self,
        name: &str,
        n_args: i32,
        flags: FunctionFlags,
        kind: Option<FunctionKind>,
    ) -> Result<UserRegistry> {
        if !(-1..=MAX_ARGS).contains(&n_args) || name.is_empty() || name.len() > 255 {
            return Err(Error::code(ErrorCode::Misuse));
        }
        let mut next = self.clone();
        next.functions
            .retain(|f| !(f.n_args == n_args && f.name.eq_ignore_ascii_case(name)));
        next.functions.push(Rc::new(UserFunction {
            name: name.to_string(),
            n_args,
            flags,
            kind: kind.unwrap_or(FunctionKind::Removed),
        }));
        Ok(next)
    }

    /// Defines collation `name` (`None`: removes it).
    pub fn with_collation(&self, name: &str, compare: Option<Rc<CompareFn>>) -> UserRegistry {
        let mut next = self.clone();
        let set = Rc::make_mut(&mut next.collations);
        match compare {
            Some(c) => set.insert(name, c),
            None => {
                set.remove(name);
            }
        }
        next
    }

    /// The same definitions with other compile settings.
    pub fn with_settings(&self, change: impl FnOnce(&mut CompileSettings)) -> UserRegistry {
        let mut next = self.clone();
        change(&mut next.settings);
        next
    }

    pub fn settings(&self) -> &CompileSettings {
        &self.settings
    }

    pub fn has_collation(&self, name: &str) -> bool {
        self.collations.contains(name)
    }

    /// The definition a call of `name` with `argc` arguments uses.
    pub fn lookup(&self, name: &str, argc: usize) -> Lookup {
        let named = || {
            self.functions
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case(name))
        };
        let live = || named().filter(|f| !matches!(f.kind, FunctionKind::Removed));
        let exact = named().find(|f| usize::try_from(f.n_args) == Ok(argc));
        match exact.or_else(|| named().find(|f| f.n_args == -1)) {
            Some(f) if matches!(f.kind, FunctionKind::Removed) => Lookup::Hidden {
                others: live().next().is_some(),
            },
            Some(f) => Lookup::Found(Rc::clone(f)),
            None if live().next().is_some() => Lookup::WrongCount,
            None => Lookup::NotFound,
        }
    }

    pub fn collations(&self) -> &Rc<CollationSet> {
        &self.collations
    }
}

thread_local! {
    static ACTIVE: RefCell<Option<Rc<UserRegistry>>> = const { RefCell::new(None) };
}

/// Makes `registry` the thread's active one (functions and collations) until the guard drops.
pub fn activate(registry: &Rc<UserRegistry>) -> ActiveGuard {
    let collations = user_collations::activate(Rc::clone(&registry.collations));
    let previous = ACTIVE.with(|a| a.replace(Some(Rc::clone(registry))));
    ActiveGuard {
        previous,
        _collations: collations,
    }
}

/// Restores the previously active registry.
pub struct ActiveGuard {
    previous: Option<Rc<UserRegistry>>,
    _collations: user_collations::ActiveGuard,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        ACTIVE.with(|a| *a.borrow_mut() = previous);
    }
}

/// Looks a call up in the active registry (none active: not found).
pub fn lookup(name: &str, argc: usize) -> Lookup {
    ACTIVE.with(|a| match a.borrow().as_ref() {
        Some(registry) => registry.lookup(name, argc),
        None => Lookup::NotFound,
    })
}

/// The active registry's compile settings (none active: the defaults); without the
/// authorizer while a [`LibraryGuard`] lives.
pub fn settings() -> CompileSettings {
    let mut settings = ACTIVE.with(|a| match a.borrow().as_ref() {
        Some(registry) => registry.settings.clone(),
        None => CompileSettings::default(),
    });
    if LIBRARY_STATEMENTS.with(Cell::get) {
        settings.authorizer = None;
    }
    settings
}

thread_local! {
    static LIBRARY_STATEMENTS: Cell<bool> = const { Cell::new(false) };
}

/// While it lives, statements compiled on this thread are the library's own (the C API runs
/// PRAGMAs where SQLite calls its internals directly): they do not ask the authorizer.
pub struct LibraryGuard {
    previous: bool,
}

impl LibraryGuard {
    pub fn enter() -> LibraryGuard {
        LibraryGuard {
            previous: LIBRARY_STATEMENTS.with(|l| l.replace(true)),
        }
    }
}

impl Drop for LibraryGuard {
    fn drop(&mut self) {
        LIBRARY_STATEMENTS.with(|l| l.set(self.previous));
    }
}
