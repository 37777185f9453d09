//! `basalt --mcp`: a scripted JSON-RPC session over standard input and output.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

fn session(args: &[&str], requests: &[Value]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_basalt"))
        .arg("--mcp")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = String::new();
    for request in requests {
        input.push_str(&request.to_string());
        input.push('\n');
    }
    input.push_str("this is not json\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn call(id: u64, tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": arguments}})
}

fn text(reply: &Value) -> (&str, bool) {
    let result = &reply["result"];
    (
        result["content"][0]["text"].as_str().unwrap_or(""),
        result["isError"].as_bool().unwrap_or(false),
    )
}

#[test]
fn tools_over_stdio() {
    let dir = std::env::temp_dir().join(format!("basalt-mcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("mcp.db");
    let _ = std::fs::remove_file(&db);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x');
             CREATE VIEW v AS SELECT name FROM users;",
        )
        .unwrap();
    let db = db.to_str().unwrap();
    let replies = session(
        &[],
        &[
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                              "clientInfo": {"name": "test", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            call(3, "open_database", json!({"path": db})),
            call(4, "current_database", json!({})),
            call(5, "list_tables", json!({})),
            call(6, "describe_table", json!({"table": "users"})),
            call(7, "execute_query", json!({"query": "DELETE FROM users"})),
            call(8, "execute_query", json!({"query": "SELECT * FROM users"})),
            call(
                9,
                "schema_change",
                json!({"statement": "INSERT INTO users VALUES(1,'a')"}),
            ),
            call(
                10,
                "insert_data",
                json!({"table": "users", "data": {"name": "ann"}}),
            ),
            call(11, "nonexistent", json!({})),
            json!({"jsonrpc": "2.0", "id": 12, "method": "nonexistent"}),
            json!({"jsonrpc": "2.0", "id": 13, "method": "ping"}),
        ],
    );
    assert_eq!(replies.len(), 14, "{replies:#?}");
    assert_eq!(replies[0]["result"]["protocolVersion"], "2024-11-05");
    assert_eq!(replies[0]["result"]["serverInfo"]["name"], "basalt");
    let tools = replies[1]["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "open_database",
            "current_database",
            "list_tables",
            "describe_table",
            "execute_query",
            "insert_data",
            "update_data",
            "delete_data",
            "schema_change"
        ]
    );
    assert!(tools.iter().all(|t| t["inputSchema"]["type"] == "object"));
    assert_eq!(text(&replies[2]), (format!("Opened {db}").as_str(), false));
    assert!(text(&replies[3]).0.contains(db));
    assert_eq!(text(&replies[4]), ("[\"users\",\"v\"]", false));
    let description: Value = serde_json::from_str(text(&replies[5]).0).unwrap();
    assert_eq!(description["columns"][0]["name"], "id");
    assert_eq!(description["columns"][0]["primary_key"], 1);
    assert_eq!(description["columns"][1]["not_null"], true);
    assert_eq!(description["columns"][1]["default"], "'x'");
    let (message, is_error) = text(&replies[6]);
    assert!(
        is_error && message.contains("SELECT statements only"),
        "{message}"
    );
    assert_eq!(
        text(&replies[7]),
        (
            r#"{"columns":["id","name"],"declared_types":[null,null],"rows":[]}"#,
            false
        )
    );
    let (message, is_error) = text(&replies[8]);
    assert!(
        is_error && message.contains("CREATE, ALTER and DROP"),
        "{message}"
    );
    assert_eq!(text(&replies[9]), ("1 row(s) affected", false));
    assert_eq!(replies[10]["error"]["code"], -32602);
    assert_eq!(replies[11]["error"]["code"], -32601);
    assert_eq!(replies[12]["result"], json!({}));
    assert_eq!(replies[13]["error"]["code"], -32700);
}

/// Each SQL tool once where it works and once for each way it refuses.
#[test]
fn sql_tools_succeed_and_refuse() {
    let dir = std::env::temp_dir().join(format!("basalt-mcp-sql-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tools.db");
    let _ = std::fs::remove_file(&db);
    let db = db.to_str().unwrap();
    let items = |data: Value| json!({"table": "items", "data": data});
    let calls = [
        call(1, "open_database", json!({"path": db})),
        call(
            2,
            "schema_change",
            json!({"statement":
            "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT UNIQUE, qty INT)"}),
        ),
        call(
            3,
            "schema_change",
            json!({"statement": "CREATE TABLE items(x)"}),
        ),
        call(
            4,
            "schema_change",
            json!({"statement": "DROP TABLE a; DROP TABLE b"}),
        ),
        call(5, "insert_data", items(json!({"name": "bolt", "qty": 3}))),
        call(
            6,
            "insert_data",
            items(json!({"name": "nut's", "qty": 1.5})),
        ),
        call(7, "insert_data", items(json!({"name": "bolt"}))),
        call(
            8,
            "insert_data",
            json!({"table": "nosuch", "data": {"a": 1}}),
        ),
        call(9, "insert_data", items(json!({}))),
        call(
            10,
            "update_data",
            json!({"table": "items", "data": {"qty": 10},
                                       "where": "name = 'bolt'"}),
        ),
        call(
            11,
            "update_data",
            json!({"table": "items", "data": {"qty": 0},
                                       "where": "1; DROP TABLE items"}),
        ),
        call(
            12,
            "update_data",
            json!({"table": "items", "data": {"qty": 0}}),
        ),
        call(
            13,
            "delete_data",
            json!({"table": "items", "where": "qty > 100"}),
        ),
        call(
            14,
            "delete_data",
            json!({"table": "items", "where": "nosuch = 1"}),
        ),
        call(
            15,
            "execute_query",
            json!({"query": "SELECT name, qty FROM items ORDER BY id"}),
        ),
        call(16, "execute_query", json!({"query": "SELECT 1; SELECT 2"})),
        call(17, "execute_query", json!({"query": "SELEC 1"})),
        call(
            18,
            "delete_data",
            json!({"table": "items", "where": "qty = 10"}),
        ),
        call(19, "open_database", json!({"path": db, "read_only": true})),
        call(20, "insert_data", items(json!({"name": "washer"}))),
        call(
            21,
            "schema_change",
            json!({"statement": "DROP TABLE items"}),
        ),
        call(
            22,
            "execute_query",
            json!({"query": "SELECT count(*) AS n FROM items"}),
        ),
        call(23, "current_database", json!({})),
    ];
    let replies = session(&[], &calls);
    let reply = |id: usize| text(&replies[id - 1]);
    let refused = |id: usize, expected: &str| {
        let (message, is_error) = reply(id);
        assert!(
            is_error && message.contains(expected),
            "call {id}: {message}"
        );
    };
    assert_eq!(reply(2), ("Schema changed", false));
    refused(3, "table items already exists");
    refused(4, "exactly one statement");
    assert_eq!(reply(5), ("1 row(s) affected", false));
    assert_eq!(reply(6), ("1 row(s) affected", false));
    refused(7, "UNIQUE constraint failed: items.name");
    refused(8, "no such table: nosuch");
    refused(9, "non-empty object");
    assert_eq!(reply(10), ("1 row(s) affected", false));
    refused(11, "exactly one statement");
    refused(12, "missing string argument \"where\"");
    assert_eq!(reply(13), ("0 row(s) affected", false));
    refused(14, "no such column: nosuch");
    let rows: Value = serde_json::from_str(reply(15).0).unwrap();
    assert_eq!(rows["columns"], json!(["name", "qty"]));
    assert_eq!(rows["rows"], json!([["bolt", 10], ["nut's", 1.5]]));
    refused(16, "exactly one statement");
    refused(17, "syntax error");
    assert_eq!(reply(18), ("1 row(s) affected", false));
    assert!(!reply(19).1, "{:?}", reply(19));
    refused(20, "attempt to write a readonly database");
    refused(21, "attempt to write a readonly database");
    let rows: Value = serde_json::from_str(reply(22).0).unwrap();
    assert_eq!(rows["rows"], json!([[1]]));
    let current: Value = serde_json::from_str(reply(23).0).unwrap();
    assert_eq!(current["read_only"], true);
}
