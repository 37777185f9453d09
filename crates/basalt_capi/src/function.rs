//! Application-defined functions and collations: `sqlite3_create_function*`,
//! `sqlite3_create_collation*`, the `sqlite3_context` a function gets (`result_*`,
//! `aggregate_context`, `user_data`, `context_db_handle`, `get/set_auxdata`).
//!
//! Invariants:
//! - The C callbacks run inside the engine's `step`, with the connection's mutex held: they may
//!   use the context and their values, not the connection (the mutex is not re-entrant).
//! - A `FuncDef`/`CollDef` owns the application's pointer: its `xDestroy` runs exactly once,
//!   when the engine drops the definition (replaced, removed, connection closed, and every
//!   statement compiled with it gone) or when the definition is refused, as SQLite does.
//! - A `sqlite3_context` lives for one callback; the pointers it holds are valid for exactly
//!   that long.
//! - An aggregate's `xFinal` runs once per group that began (also when a statement is reset
//!   in the middle of a group, to let it free what `aggregate_context` holds).

use crate::codes::*;
use crate::db::{self, sqlite3};
use crate::ffi::{c_bytes, guard, guard_rc, sized_bytes};
use crate::stmt::{release, Destructor};
use crate::value::{self, sqlite3_value};
use basalt_core::functions::{FunctionCall, FunctionFlags, FunctionKind};
use basalt_core::record::{Value, ValueRef};
use basalt_core::sql::agg::Aggregate;
use basalt_core::{Error, ErrorCode, Result};
use std::any::Any;
use std::cmp::Ordering;
use std::ffi::{c_char, c_int, c_void};
use std::ptr::null_mut;
use std::rc::Rc;

pub const SQLITE_UTF8: c_int = 1;
pub const SQLITE_UTF16LE: c_int = 2;
pub const SQLITE_UTF16BE: c_int = 3;
pub const SQLITE_UTF16: c_int = 4;
pub const SQLITE_ANY: c_int = 5;
pub const SQLITE_UTF16_ALIGNED: c_int = 8;
pub const SQLITE_DETERMINISTIC: c_int = 0x0000_0800;
pub const SQLITE_DIRECTONLY: c_int = 0x0008_0000;
pub const SQLITE_SUBTYPE: c_int = 0x0010_0000;
pub const SQLITE_INNOCUOUS: c_int = 0x0020_0000;
pub const SQLITE_RESULT_SUBTYPE: c_int = 0x0100_0000;
pub const SQLITE_SELFORDER1: c_int = 0x0200_0000;

/// The longest text or blob (SQLITE_MAX_LENGTH).
const MAX_LENGTH: u64 = 1_000_000_000;

type XFunc = unsafe extern "C" fn(*mut sqlite3_context, c_int, *mut *mut sqlite3_value);
type XFinal = unsafe extern "C" fn(*mut sqlite3_context);
type XDestroy = unsafe extern "C" fn(*mut c_void);
type XCompare =
    unsafe extern "C" fn(*mut c_void, c_int, *const c_void, c_int, *const c_void) -> c_int;

/// One registered function: its callbacks and the application's pointer.
struct FuncDef {
    db: *mut sqlite3,
    user_data: *mut c_void,
    x_func: Option<XFunc>,
    x_step: Option<XFunc>,
    x_final: Option<XFinal>,
    /// `xValue` and `xInverse` of an aggregate window function.
    x_value: Option<XFinal>,
    x_inverse: Option<XFunc>,
    x_destroy: Option<XDestroy>,
}

impl Drop for FuncDef {
    fn drop(&mut self) {
        if let Some(destroy) = self.x_destroy {
            // SAFETY: the application's destructor, called once on its own pointer.
            unsafe { destroy(self.user_data) };
        }
    }
}

/// What a function's callback gives back.
enum Outcome {
    Value(Value),
    Error(c_int, Option<String>),
}

/// The context of one callback (`sqlite3_context *`).
#[allow(non_camel_case_types)]
pub struct sqlite3_context {
    def: *const FuncDef,
    outcome: Outcome,
    /// The call's aux data (scalar functions only), with its lifetime erased: valid for the
    /// callback only.
    aux: *mut FunctionCall<'static>,
    /// The group's `aggregate_context` memory (aggregates only).
    agg: *mut AggMemory,
}

type AggMemory = Option<Vec<u64>>;

impl sqlite3_context {
    fn new(def: &FuncDef) -> sqlite3_context {
        sqlite3_context {
            def,
            outcome: Outcome::Value(Value::Null),
            aux: null_mut(),
            agg: null_mut(),
        }
    }

    fn result(self) -> Result<Value> {
        match self.outcome {
            Outcome::Value(v) => Ok(v),
            Outcome::Error(code, message) => {
                let primary = engine_code(code);
                let message = message.unwrap_or_else(|| errstr(code));
                Err(Error::new(primary, message).with_extended_code(Some(code)))
            }
        }
    }
}

fn errstr(code: c_int) -> String {
    // SAFETY: errstr_ptr returns a static NUL-terminated string.
    unsafe { c_bytes(errstr_ptr(code)) }
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The engine's code for a C result code.
fn engine_code(code: c_int) -> ErrorCode {
    use ErrorCode::*;
    [
        Internal, Perm, Abort, Busy, Locked, NoMem, ReadOnly, Interrupt, IoErr, Corrupt, NotFound,
        Full, CantOpen, Protocol, Schema, TooBig, Constraint, Mismatch, Misuse, NoLfs, Auth, Range,
        NotADb,
    ]
    .into_iter()
    .find(|c| *c as c_int == code & 0xff)
    .unwrap_or(Error)
}

thread_local! {
    /// The connections whose callbacks this thread is running (their mutex is held further
    /// up this thread's stack).
    static IN_CALLBACK: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether this thread is inside a callback of `db`: the connection's mutex is then held by
/// this thread, and locking it again would deadlock.
pub(crate) fn in_callback(db: *mut sqlite3) -> bool {
    IN_CALLBACK.with(|dbs| dbs.borrow().contains(&(db as usize)))
}

/// Marks this thread as inside a callback of `db` until dropped.
pub(crate) struct CallbackScope;

impl CallbackScope {
    pub(crate) fn enter(db: *mut sqlite3) -> CallbackScope {
        IN_CALLBACK.with(|dbs| dbs.borrow_mut().push(db as usize));
        CallbackScope
    }
}

impl Drop for CallbackScope {
    fn drop(&mut self) {
        IN_CALLBACK.with(|dbs| dbs.borrow_mut().pop());
    }
}

/// Calls `f` with C values for `args` and a fresh context; returns the function's result.
fn call_c(
    def: &FuncDef,
    args: &[ValueRef<'_>],
    setup: impl FnOnce(&mut sqlite3_context),
    f: impl FnOnce(*mut sqlite3_context, c_int, *mut *mut sqlite3_value),
) -> Result<Value> {
    let mut values: Vec<sqlite3_value> = args.iter().map(|a| sqlite3_value::from_ref(*a)).collect();
    let mut argv: Vec<*mut sqlite3_value> = values.iter_mut().map(|v| v as *mut _).collect();
    let mut ctx = sqlite3_context::new(def);
    setup(&mut ctx);
    let argc = c_int::try_from(argv.len()).unwrap_or(c_int::MAX);
    let scope = CallbackScope::enter(def.db);
    f(&mut ctx, argc, argv.as_mut_ptr());
    drop(scope);
    ctx.result()
}

/// An application aggregate's state for one group.
struct CAggregate {
    def: Rc<FuncDef>,
    /// `aggregate_context`'s memory; a cell because `xValue` (called through `&self`) may
    /// change it too. No reference into it lives across a callback.
    memory: std::cell::UnsafeCell<AggMemory>,
    finished: bool,
}

impl CAggregate {
    fn final_value(&mut self) -> Result<Value> {
        self.finished = true;
        self.result_call(self.def.x_final)
    }

    /// Calls `xFinal` or `xValue`, which report the aggregate's result so far; NULL without
    /// one.
    fn result_call(&self, f: Option<XFinal>) -> Result<Value> {
        let Some(f) = f else {
            return Ok(Value::Null);
        };
        let memory = self.memory.get();
        call_c(
            &self.def,
            &[],
            |ctx| ctx.agg = memory,
            // SAFETY: the application's xFinal or xValue with a context valid for the call.
            |ctx, _, _| unsafe { f(ctx) },
        )
    }

    /// Calls `xStep` or `xInverse` on one row's arguments.
    fn row_call(&mut self, f: Option<XFunc>, args: &[ValueRef<'_>]) -> Result<()> {
        let Some(f) = f else {
            return Ok(());
        };
        let memory = self.memory.get();
        call_c(
            &self.def,
            args,
            |ctx| ctx.agg = memory,
            // SAFETY: the application's callback with a context and arguments valid for the
            // call.
            |ctx, argc, argv| unsafe { f(ctx, argc, argv) },
        )
        .map(drop)
    }
}

impl Aggregate for CAggregate {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        self.row_call(self.def.x_step, args)
    }

    fn inverse(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        // Only window functions (which have xInverse) are asked to undo a step.
        self.row_call(self.def.x_inverse, args)
    }

    fn value(&self) -> Result<Value> {
        self.result_call(self.def.x_value)
    }

    fn finish(&mut self) -> Result<Value> {
        self.final_value()
    }
}

impl Drop for CAggregate {
    fn drop(&mut self) {
        if !self.finished {
            // A group cut short (reset, error): xFinal still runs, to free its memory.
            let _ = self.final_value();
        }
    }
}

fn flags_of(text_rep: c_int) -> FunctionFlags {
    FunctionFlags {
        deterministic: text_rep & SQLITE_DETERMINISTIC != 0,
        direct_only: text_rep & SQLITE_DIRECTONLY != 0,
        innocuous: text_rep & SQLITE_INNOCUOUS != 0,
    }
}

fn valid_text_rep(text_rep: c_int) -> bool {
    matches!(
        text_rep & 0xf,
        SQLITE_UTF8
            | SQLITE_UTF16LE
            | SQLITE_UTF16BE
            | SQLITE_UTF16
            | SQLITE_ANY
            | SQLITE_UTF16_ALIGNED
    )
}

/// The engine definition for C callbacks; `None` (remove) when all are NULL; `Err` for an
/// invalid combination.
fn kind_of(def: FuncDef) -> std::result::Result<Option<FunctionKind>, ()> {
    let def = Rc::new(def);
    let window = match (def.x_value, def.x_inverse) {
        (None, None) => false,
        (Some(_), Some(_)) if def.x_func.is_none() => true,
        _ => return Err(()),
    };
    match (def.x_func, def.x_step, def.x_final) {
        (Some(_), None, None) => {
            let call = move |call: &mut FunctionCall<'_>, args: &[ValueRef<'_>]| {
                scalar_call(&def, call, args)
            };
            Ok(Some(FunctionKind::Scalar(Rc::new(call))))
        }
        (None, Some(_), Some(_)) => {
            let new = move || -> Box<dyn Aggregate> {
                Box::new(CAggregate {
                    def: Rc::clone(&def),
                    memory: std::cell::UnsafeCell::new(None),
                    finished: false,
                })
            };
            Ok(Some(if window {
                FunctionKind::Window(Rc::new(new))
            } else {
                FunctionKind::Aggregate(Rc::new(new))
            }))
        }
        (None, None, None) if !window => Ok(None),
        _ => Err(()),
    }
}

fn scalar_call(def: &FuncDef, call: &mut FunctionCall<'_>, args: &[ValueRef<'_>]) -> Result<Value> {
    let Some(x_func) = def.x_func else {
        return Ok(Value::Null);
    };
    let aux: *mut FunctionCall<'_> = call;
    call_c(
        def,
        args,
        // The context never outlives this call, so the erased lifetime is never exceeded.
        |ctx| ctx.aux = aux.cast(),
        // SAFETY: the application's xFunc with a context and arguments valid for the call.
        |ctx, argc, argv| unsafe { x_func(ctx, argc, argv) },
    )
}

#[allow(clippy::too_many_arguments)]
fn create_function(
    db: *mut sqlite3,
    name: *const c_char,
    n_arg: c_int,
    text_rep: c_int,
    user_data: *mut c_void,
    x_func: Option<XFunc>,
    x_step: Option<XFunc>,
    x_final: Option<XFinal>,
    window: (Option<XFinal>, Option<XFunc>),
    x_destroy: Option<XDestroy>,
) -> c_int {
    // Owns user_data from here: dropping it on any refusal runs xDestroy, as SQLite does.
    let def = FuncDef {
        db,
        user_data,
        x_func,
        x_step,
        x_final,
        x_value: window.0,
        x_inverse: window.1,
        x_destroy,
    };
    if db.is_null() {
        return SQLITE_MISUSE;
    }
    // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
    let name = unsafe { c_bytes(name) }.and_then(|n| std::str::from_utf8(n).ok());
    // SAFETY: db is a live handle, per the API contract.
    let mut state = unsafe { db::lock(db) };
    // Refused without touching the connection's error state, as SQLite does.
    let (Some(name), Ok(kind)) = (name, kind_of(def)) else {
        return SQLITE_MISUSE;
    };
    // SQLite ignores text representations it does not know; so does Basalt (text is UTF-8).
    let flags = flags_of(text_rep);
    let result = match state.connection() {
        Ok(conn) => conn.define_function(name, n_arg, flags, kind),
        Err(rc) => return rc,
    };
    // Success leaves the connection's error state as it was, as SQLite does.
    match result {
        Ok(()) => SQLITE_OK,
        Err(e) => state.engine_error(&e),
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_create_function(
    db: *mut sqlite3,
    name: *const c_char,
    n_arg: c_int,
    text_rep: c_int,
    user_data: *mut c_void,
    x_func: Option<XFunc>,
    x_step: Option<XFunc>,
    x_final: Option<XFinal>,
) -> c_int {
    sqlite3_create_function_v2(
        db, name, n_arg, text_rep, user_data, x_func, x_step, x_final, None,
    )
}

#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sqlite3_create_function_v2(
    db: *mut sqlite3,
    name: *const c_char,
    n_arg: c_int,
    text_rep: c_int,
    user_data: *mut c_void,
    x_func: Option<XFunc>,
    x_step: Option<XFunc>,
    x_final: Option<XFinal>,
    x_destroy: Option<XDestroy>,
) -> c_int {
    guard_rc(|| {
        create_function(
            db,
            name,
            n_arg,
            text_rep,
            user_data,
            x_func,
            x_step,
            x_final,
            (None, None),
            x_destroy,
        )
    })
}

/// An aggregate window function: `xStep`, `xFinal`, `xValue` and `xInverse` all given (or all
/// NULL, which removes the definition); with `xValue` and `xInverse` NULL it is a plain
/// aggregate, as in SQLite.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn sqlite3_create_window_function(
    db: *mut sqlite3,
    name: *const c_char,
    n_arg: c_int,
    text_rep: c_int,
    user_data: *mut c_void,
    x_step: Option<XFunc>,
    x_final: Option<XFinal>,
    x_value: Option<XFinal>,
    x_inverse: Option<XFunc>,
    x_destroy: Option<XDestroy>,
) -> c_int {
    guard_rc(|| {
        create_function(
            db,
            name,
            n_arg,
            text_rep,
            user_data,
            None,
            x_step,
            x_final,
            (x_value, x_inverse),
            x_destroy,
        )
    })
}

/// Runs `f` on the context of the running callback; `fallback` for NULL.
fn with_ctx<R>(
    ctx: *mut sqlite3_context,
    fallback: R,
    f: impl FnOnce(&mut sqlite3_context) -> R,
) -> R {
    guard_ctx(fallback, || {
        if ctx.is_null() {
            return None;
        }
        // SAFETY: a context is only handed to a callback while it runs, and used by it alone.
        Some(f(unsafe { &mut *ctx }))
    })
}

fn guard_ctx<R>(fallback: R, body: impl FnOnce() -> Option<R>) -> R {
    let mut fallback = Some(fallback);
    let result = guard(None, body);
    match result {
        Some(r) => r,
        None => fallback.take().expect("the fallback is taken once"),
    }
}

fn set(ctx: *mut sqlite3_context, outcome: Outcome) {
    with_ctx(ctx, (), |c| c.outcome = outcome);
}

fn set_value(ctx: *mut sqlite3_context, value: Value) {
    set(ctx, Outcome::Value(value));
}

/// A text or blob result from (pointer, length, destructor): copied (a text keeps NULs within
/// its length, as SQLite's does), then released.
fn set_bytes(
    ctx: *mut sqlite3_context,
    p: *const c_void,
    n: i64,
    destructor: Destructor,
    make: fn(Vec<u8>) -> Value,
) {
    if p.is_null() {
        set_value(ctx, Value::Null);
        return;
    }
    // SAFETY: p points to n readable bytes, or to a NUL-terminated text when n < 0.
    let bytes = unsafe { sized_bytes(p.cast(), n, false) };
    let outcome = if bytes.len() as u64 > MAX_LENGTH {
        Outcome::Error(SQLITE_TOOBIG, None)
    } else {
        Outcome::Value(make(bytes.to_vec()))
    };
    release(p, destructor);
    set(ctx, outcome);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_null(ctx: *mut sqlite3_context) {
    set_value(ctx, Value::Null);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_int(ctx: *mut sqlite3_context, v: c_int) {
    set_value(ctx, Value::Integer(i64::from(v)));
}

#[no_mangle]
pub extern "C" fn sqlite3_result_int64(ctx: *mut sqlite3_context, v: i64) {
    set_value(ctx, Value::Integer(v));
}

#[no_mangle]
pub extern "C" fn sqlite3_result_double(ctx: *mut sqlite3_context, v: f64) {
    // A NaN is NULL in SQLite.
    set_value(
        ctx,
        if v.is_nan() {
            Value::Null
        } else {
            Value::Real(v)
        },
    );
}

#[no_mangle]
pub extern "C" fn sqlite3_result_text(
    ctx: *mut sqlite3_context,
    p: *const c_char,
    n: c_int,
    destructor: Destructor,
) {
    set_bytes(ctx, p.cast(), i64::from(n), destructor, Value::Text);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_text64(
    ctx: *mut sqlite3_context,
    p: *const c_char,
    n: u64,
    destructor: Destructor,
    encoding: u8,
) {
    if c_int::from(encoding) != SQLITE_UTF8 {
        release(p.cast(), destructor);
        let message = "not supported by Basalt yet: UTF-16 results".to_string();
        set(ctx, Outcome::Error(SQLITE_ERROR, Some(message)));
        return;
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    set_bytes(ctx, p.cast(), n, destructor, Value::Text);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_blob(
    ctx: *mut sqlite3_context,
    p: *const c_void,
    n: c_int,
    destructor: Destructor,
) {
    set_bytes(ctx, p, i64::from(n.max(0)), destructor, Value::Blob);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_blob64(
    ctx: *mut sqlite3_context,
    p: *const c_void,
    n: u64,
    destructor: Destructor,
) {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    set_bytes(ctx, p, n, destructor, Value::Blob);
}

#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob(ctx: *mut sqlite3_context, n: c_int) {
    sqlite3_result_zeroblob64(ctx, u64::try_from(n).unwrap_or(0));
}

#[no_mangle]
pub extern "C" fn sqlite3_result_zeroblob64(ctx: *mut sqlite3_context, n: u64) -> c_int {
    if n > MAX_LENGTH {
        set(ctx, Outcome::Error(SQLITE_TOOBIG, None));
        return SQLITE_TOOBIG;
    }
    set_value(ctx, Value::Blob(vec![0; n as usize]));
    SQLITE_OK
}

#[no_mangle]
pub extern "C" fn sqlite3_result_value(ctx: *mut sqlite3_context, v: *mut sqlite3_value) {
    set_value(ctx, value::read(v));
}

#[no_mangle]
pub extern "C" fn sqlite3_result_error(
    ctx: *mut sqlite3_context,
    message: *const c_char,
    n: c_int,
) {
    let text = if message.is_null() {
        String::new()
    } else {
        // SAFETY: message points to n bytes, or is NUL-terminated when n < 0.
        let bytes = unsafe { sized_bytes(message.cast(), i64::from(n), true) };
        String::from_utf8_lossy(bytes).into_owned()
    };
    with_ctx(ctx, (), |c| {
        let code = match c.outcome {
            Outcome::Error(code, _) => code,
            Outcome::Value(_) => SQLITE_ERROR,
        };
        c.outcome = Outcome::Error(code, Some(text));
    });
}

#[no_mangle]
pub extern "C" fn sqlite3_result_error_code(ctx: *mut sqlite3_context, code: c_int) {
    let code = if code == SQLITE_OK {
        SQLITE_ERROR
    } else {
        code
    };
    with_ctx(ctx, (), |c| {
        let message = match &mut c.outcome {
            Outcome::Error(_, message) => message.take(),
            Outcome::Value(_) => None,
        };
        c.outcome = Outcome::Error(code, message);
    });
}

#[no_mangle]
pub extern "C" fn sqlite3_result_error_nomem(ctx: *mut sqlite3_context) {
    set(ctx, Outcome::Error(SQLITE_NOMEM, None));
}

#[no_mangle]
pub extern "C" fn sqlite3_result_error_toobig(ctx: *mut sqlite3_context) {
    set(ctx, Outcome::Error(SQLITE_TOOBIG, None));
}

/// Subtypes are not kept by Basalt's values (see `sqlite3_value_subtype`): ignored.
#[no_mangle]
pub extern "C" fn sqlite3_result_subtype(_ctx: *mut sqlite3_context, _subtype: u32) {}

#[no_mangle]
pub extern "C" fn sqlite3_user_data(ctx: *mut sqlite3_context) -> *mut c_void {
    // SAFETY: a context's definition outlives the callback it is given to.
    with_ctx(ctx, null_mut(), |c| unsafe { (*c.def).user_data })
}

#[no_mangle]
pub extern "C" fn sqlite3_context_db_handle(ctx: *mut sqlite3_context) -> *mut sqlite3 {
    // SAFETY: as in sqlite3_user_data.
    with_ctx(ctx, null_mut(), |c| unsafe { (*c.def).db })
}

#[no_mangle]
pub extern "C" fn sqlite3_aggregate_context(ctx: *mut sqlite3_context, n: c_int) -> *mut c_void {
    with_ctx(ctx, null_mut(), |c| {
        if c.agg.is_null() {
            return null_mut();
        }
        // SAFETY: agg points to the group's memory slot, alive during the callback.
        let memory = unsafe { &mut *c.agg };
        if memory.is_none() {
            let Ok(n) = usize::try_from(n) else {
                return null_mut();
            };
            if n == 0 {
                return null_mut();
            }
            // Zeroed, 8-byte aligned, as SQLite's.
            *memory = Some(vec![0u64; n.div_ceil(8)]);
        }
        memory
            .as_mut()
            .map_or(null_mut(), |m| m.as_mut_ptr().cast())
    })
}

/// One aux data pointer and its destructor, run when it is replaced or dropped.
struct AuxEntry {
    data: *mut c_void,
    destroy: Option<XDestroy>,
}

impl Drop for AuxEntry {
    fn drop(&mut self) {
        if let Some(destroy) = self.destroy {
            // SAFETY: the application's destructor for its own pointer, called once.
            unsafe { destroy(self.data) };
        }
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_get_auxdata(ctx: *mut sqlite3_context, n: c_int) -> *mut c_void {
    with_ctx(ctx, null_mut(), |c| {
        let Ok(arg) = usize::try_from(n) else {
            return null_mut();
        };
        if c.aux.is_null() {
            return null_mut();
        }
        // SAFETY: aux points to the running call's aux data (see `scalar_call`).
        let call = unsafe { &mut *c.aux };
        call.aux(arg)
            .and_then(|d| d.downcast_ref::<AuxEntry>())
            .map_or(null_mut(), |e| e.data)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_set_auxdata(
    ctx: *mut sqlite3_context,
    n: c_int,
    data: *mut c_void,
    destroy: Option<XDestroy>,
) {
    let entry = AuxEntry { data, destroy };
    with_ctx(ctx, (), move |c| {
        let (Ok(arg), false) = (usize::try_from(n), c.aux.is_null()) else {
            // Nowhere to keep it: SQLite destroys it at once.
            drop(entry);
            return;
        };
        // SAFETY: aux points to the running call's aux data (see `scalar_call`).
        let call = unsafe { &mut *c.aux };
        call.set_aux(arg, Box::new(entry) as Box<dyn Any>);
    });
}

/// One registered collation: its callback and the application's pointer.
struct CollDef {
    db: *mut sqlite3,
    user_data: *mut c_void,
    x_compare: XCompare,
    x_destroy: Option<XDestroy>,
}

impl Drop for CollDef {
    fn drop(&mut self) {
        if let Some(destroy) = self.x_destroy {
            // SAFETY: the application's destructor, called once on its own pointer.
            unsafe { destroy(self.user_data) };
        }
    }
}

impl CollDef {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        let len = |s: &[u8]| c_int::try_from(s.len()).unwrap_or(c_int::MAX);
        let _scope = CallbackScope::enter(self.db);
        // SAFETY: the application's comparison, given two buffers valid for the call.
        let r = unsafe {
            (self.x_compare)(
                self.user_data,
                len(a),
                a.as_ptr().cast(),
                len(b),
                b.as_ptr().cast(),
            )
        };
        r.cmp(&0)
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_create_collation(
    db: *mut sqlite3,
    name: *const c_char,
    text_rep: c_int,
    user_data: *mut c_void,
    x_compare: Option<XCompare>,
) -> c_int {
    sqlite3_create_collation_v2(db, name, text_rep, user_data, x_compare, None)
}

#[no_mangle]
pub extern "C" fn sqlite3_create_collation_v2(
    db: *mut sqlite3,
    name: *const c_char,
    text_rep: c_int,
    user_data: *mut c_void,
    x_compare: Option<XCompare>,
    x_destroy: Option<XDestroy>,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
        let name = unsafe { c_bytes(name) }.and_then(|n| std::str::from_utf8(n).ok());
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let (Some(name), true) = (name, valid_text_rep(text_rep)) else {
            return SQLITE_MISUSE;
        };
        let compare = x_compare.map(|x_compare| {
            let def = CollDef {
                db,
                user_data,
                x_compare,
                x_destroy,
            };
            Rc::new(move |a: &[u8], b: &[u8]| def.compare(a, b)) as Rc<_>
        });
        let result = match state.connection() {
            Ok(conn) => conn.define_collation(name, compare),
            Err(rc) => return rc,
        };
        // Unlike create_function, SQLite's create_collation clears the error state.
        match result {
            Ok(()) => {
                state.clear_error();
                SQLITE_OK
            }
            Err(e) => state.engine_error(&e),
        }
    })
}

type CollationNeeded =
    Option<unsafe extern "C" fn(*mut c_void, *mut sqlite3, c_int, *const c_char)>;

/// Not supported yet: Basalt never asks the application for a missing collation, so the
/// registration is refused with SQLITE_ERROR rather than accepted and never honoured.
#[no_mangle]
pub extern "C" fn sqlite3_collation_needed(
    db: *mut sqlite3,
    _user_data: *mut c_void,
    _callback: CollationNeeded,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        state.engine_error(&Error::not_supported("sqlite3_collation_needed"))
    })
}
