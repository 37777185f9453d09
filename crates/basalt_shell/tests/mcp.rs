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
    let (message, is_error) = text(&replies[7]);
    assert!(
        is_error && message.contains("not supported by Basalt yet"),
        "{message}"
    );
    let (message, is_error) = text(&replies[8]);
    assert!(
        is_error && message.contains("CREATE, ALTER and DROP"),
        "{message}"
    );
    let (message, is_error) = text(&replies[9]);
    assert!(
        is_error && message.contains("not supported by Basalt yet"),
        "{message}"
    );
    assert_eq!(replies[10]["error"]["code"], -32602);
    assert_eq!(replies[11]["error"]["code"], -32601);
    assert_eq!(replies[12]["result"], json!({}));
    assert_eq!(replies[13]["error"]["code"], -32700);
}
