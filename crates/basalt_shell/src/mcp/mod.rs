//! `basalt --mcp`: a Model Context Protocol server on standard input and output.
//!
//! MCP's stdio transport is JSON-RPC 2.0, one message per line. The server answers
//! `initialize` (protocol versions 2024-11-05 and newer), `ping`, `tools/list` and
//! `tools/call`; notifications get no answer. It is a small hand-written loop over
//! `serde_json` rather than the official `rmcp` SDK: rmcp needs Rust 1.88 (the workspace
//! promises 1.85) and an async runtime with `Send + Sync` handlers, while the shell and its
//! engine are synchronous and single-threaded; the protocol surface used here is four methods.

mod tools;

use crate::engine::{self, Engine, OpenOptions};
use serde_json::{json, Value as Json};
use std::io::{BufRead, Write};

/// Protocol versions this server speaks, newest first.
const PROTOCOL_VERSIONS: &[&str] = &["2025-06-18", "2025-03-26", "2024-11-05"];

/// The server's state: the open database.
pub struct Server {
    engine: Box<dyn Engine>,
    /// The path as given, `:memory:` for a transient database.
    path: String,
}

/// Serves requests until standard input ends; returns the exit status.
pub fn serve(database: Option<&str>, options: &OpenOptions) -> i32 {
    let engine = match engine::open(database, options) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!(
                "Error: unable to open database \"{}\": {e}",
                database.unwrap_or("")
            );
            return 1;
        }
    };
    let mut server = Server {
        engine,
        path: database.unwrap_or(":memory:").to_string(),
    };
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        if let Some(reply) = server.handle_message(&line) {
            if writeln!(stdout, "{reply}")
                .and_then(|_| stdout.flush())
                .is_err()
            {
                return 1;
            }
        }
    }
    0
}

fn error_reply(id: Json, code: i64, message: &str) -> Json {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

impl Server {
    /// One incoming line; the reply, if the message calls for one.
    pub fn handle_message(&mut self, line: &str) -> Option<Json> {
        let message: Json = match serde_json::from_str(line) {
            Ok(message) => message,
            Err(_) => return Some(error_reply(Json::Null, -32700, "Parse error")),
        };
        if let Json::Array(batch) = &message {
            // JSON-RPC batches (protocol 2025-03-26 allowed them): answer each request.
            let replies: Vec<Json> = batch.iter().filter_map(|m| self.handle_one(m)).collect();
            return (!replies.is_empty()).then_some(Json::Array(replies));
        }
        self.handle_one(&message)
    }

    fn handle_one(&mut self, message: &Json) -> Option<Json> {
        let id = message.get("id").cloned();
        let Some(method) = message.get("method").and_then(Json::as_str) else {
            return Some(error_reply(
                id.unwrap_or(Json::Null),
                -32600,
                "Invalid Request",
            ));
        };
        // A message without an id is a notification: never answered.
        let id = id?;
        let params = message.get("params").cloned().unwrap_or(Json::Null);
        let result = match method {
            "initialize" => Ok(self.initialize(&params)),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(json!({"tools": tools::definitions()})),
            "tools/call" => self.call_tool(&params),
            _ => Err((-32601, format!("Method not found: {method}"))),
        };
        Some(match result {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err((code, message)) => error_reply(id, code, &message),
        })
    }

    fn initialize(&self, params: &Json) -> Json {
        let requested = params.get("protocolVersion").and_then(Json::as_str);
        // Answer with the client's version when we speak it, else our newest.
        let version = requested
            .filter(|v| PROTOCOL_VERSIONS.contains(v))
            .unwrap_or(PROTOCOL_VERSIONS[0]);
        json!({
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": false}},
            "serverInfo": {"name": "basalt", "version": env!("CARGO_PKG_VERSION")},
            "instructions": "Tools over one Basalt (SQLite-compatible) database: open_database, \
                             current_database, list_tables, describe_table, execute_query \
                             (read-only SELECT), insert_data, update_data, delete_data, \
                             schema_change (CREATE/ALTER/DROP)."
        })
    }

    fn call_tool(&mut self, params: &Json) -> Result<Json, (i64, String)> {
        let name = params
            .get("name")
            .and_then(Json::as_str)
            .ok_or((-32602, "Invalid params: missing tool name".to_string()))?;
        let empty = json!({});
        let arguments = params.get("arguments").unwrap_or(&empty);
        if !arguments.is_object() {
            return Err((-32602, "Invalid params: arguments must be an object".into()));
        }
        let outcome =
            tools::call(self, name, arguments).ok_or((-32602, format!("Unknown tool: {name}")))?;
        Ok(match outcome {
            Ok(text) => json!({"content": [{"type": "text", "text": text}], "isError": false}),
            Err(text) => json!({"content": [{"type": "text", "text": text}], "isError": true}),
        })
    }
}
