//! The authorizer through the engine's API. Its actions, arguments and answers are checked
//! against real SQLite by the C API's transcript test (`basalt_capi/tests/c/authz_test.c`);
//! this covers what only the engine decides: statements it cannot report as SQLite does are
//! refused while an authorizer is set, and prepared statements follow a change of authorizer.

use basalt_core::connection::Connection;
use basalt_core::error::ErrorCode;
use basalt_core::hooks::auth;
use std::cell::RefCell;
use std::rc::Rc;

fn conn() -> Connection {
    let conn = Connection::open(":memory:").expect("open");
    conn.execute_batch("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 2)")
        .expect("setup");
    conn
}

/// An authorizer that answers `answer` to every read of column `b` and logs every call.
fn deny_b(answer: i32, log: &Rc<RefCell<Vec<String>>>) -> Rc<basalt_core::hooks::Authorizer> {
    let log = Rc::clone(log);
    Rc::new(
        move |action, x: Option<&str>, y: Option<&str>, _: Option<&str>, _: Option<&str>| {
            log.borrow_mut().push(format!("{action} {x:?} {y:?}"));
            if action == auth::READ && y == Some("b") {
                answer
            } else {
                auth::OK
            }
        },
    )
}

#[test]
fn unreportable_statements_are_refused_only_with_an_authorizer() {
    let conn = conn();
    let sql = "SELECT (SELECT a FROM t) FROM t";
    conn.prepare(sql).expect("no authorizer: compiles");
    conn.set_authorizer(Some(Rc::new(|_, _, _, _, _| auth::OK)));
    let err = conn.prepare(sql).err().expect("refused");
    assert!(
        err.message.starts_with("not supported by Basalt yet"),
        "{}",
        err.message
    );
    conn.set_authorizer(None);
    conn.prepare(sql).expect("cleared: compiles");
}

#[test]
fn a_prepared_statement_asks_the_new_authorizer() {
    let conn = conn();
    let mut stmt = conn.prepare("SELECT b FROM t").expect("prepare");
    let log = Rc::new(RefCell::new(Vec::new()));
    conn.set_authorizer(Some(deny_b(auth::DENY, &log)));
    let err = stmt.step_blocking().expect_err("denied at its next run");
    assert_eq!(err.code, ErrorCode::Auth);
    assert_eq!(err.message, "access to t.b is prohibited");
    assert!(!log.borrow().is_empty());
}

#[test]
fn an_ignored_read_is_null() {
    let conn = conn();
    let log = Rc::new(RefCell::new(Vec::new()));
    conn.set_authorizer(Some(deny_b(auth::IGNORE, &log)));
    let mut stmt = conn.prepare("SELECT a, b FROM t").expect("prepare");
    assert!(stmt.step_blocking().expect("row"));
    assert_eq!(
        stmt.row(),
        &[
            basalt_core::record::Value::Integer(1),
            basalt_core::record::Value::Null
        ]
    );
}
