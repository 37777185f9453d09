//! sqlite3's rendering of `EXPLAIN QUERY PLAN` (and of `.eqp on`): whatever the output mode,
//! the rows (id, parent, notused, detail) are drawn as a tree under a `QUERY PLAN` line, each
//! node below its parent, the last child of a node marked with a backquote.

use super::{value_text, OutputError, RowSource};
use basalt_parser::keywords::Keyword;
use basalt_parser::lexer::leading_keywords;
use std::io::Write;

/// Whether `sql` (one statement) is `EXPLAIN QUERY PLAN`.
pub fn is_query_plan(sql: &str) -> bool {
    leading_keywords(sql)
        == [
            Some(Keyword::Explain),
            Some(Keyword::Query),
            Some(Keyword::Plan),
        ]
}

/// One plan row: its id, its parent's id (0 at the top) and what it does.
struct Node {
    id: i64,
    parent: i64,
    detail: String,
}

/// Reads every plan row, then draws the tree; nothing at all when there is no row.
pub fn write(out: &mut dyn Write, next_row: &mut RowSource<'_>) -> Result<u64, OutputError> {
    let mut nodes = Vec::new();
    while let Some(row) = next_row().map_err(OutputError::Engine)? {
        let text = |i: usize| {
            row.get(i)
                .and_then(value_text)
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default()
        };
        nodes.push(Node {
            id: text(0).parse().unwrap_or(0),
            parent: text(1).parse().unwrap_or(0),
            detail: text(3),
        });
    }
    if nodes.is_empty() {
        return Ok(0);
    }
    writeln!(out, "QUERY PLAN")?;
    draw_children(out, &nodes, 0, &mut String::new())?;
    Ok(nodes.len() as u64)
}

/// Draws the nodes whose parent is `parent`, in their order, each followed by its subtree.
fn draw_children(
    out: &mut dyn Write,
    nodes: &[Node],
    parent: i64,
    prefix: &mut String,
) -> std::io::Result<()> {
    let children: Vec<&Node> = nodes.iter().filter(|n| n.parent == parent).collect();
    for (i, node) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        writeln!(
            out,
            "{prefix}{}{}",
            if last { "`--" } else { "|--" },
            node.detail
        )?;
        // A node is never its own parent, so the recursion ends; a malformed plan (a cycle
        // through several ids) is cut by the depth of the prefix.
        if node.id != parent && prefix.len() < 3 * nodes.len() {
            let before = prefix.len();
            prefix.push_str(if last { "   " } else { "|  " });
            draw_children(out, nodes, node.id, prefix)?;
            prefix.truncate(before);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Value;

    fn drawn(rows: &[(i64, i64, &str)]) -> String {
        let mut rows = rows.iter().map(|&(id, parent, detail)| {
            vec![
                Value::Integer(id),
                Value::Integer(parent),
                Value::Integer(0),
                Value::Text(detail.as_bytes().to_vec()),
            ]
        });
        let mut next = || Ok(rows.next());
        let mut out = Vec::new();
        write(&mut out, &mut next).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The shapes sqlite3 3.40 prints for these plans (taken from its output).
    #[test]
    fn trees_as_sqlite3_draws_them() {
        assert_eq!(drawn(&[(2, 0, "SCAN t")]), "QUERY PLAN\n`--SCAN t\n");
        let plan = drawn(&[
            (3, 0, "SCAN t"),
            (5, 0, "LIST SUBQUERY 1"),
            (7, 5, "SCAN u"),
            (13, 0, "SEARCH u USING INDEX ui (c=?)"),
            (23, 0, "USE TEMP B-TREE FOR ORDER BY"),
        ]);
        assert_eq!(
            plan,
            "QUERY PLAN\n|--SCAN t\n|--LIST SUBQUERY 1\n|  `--SCAN u\n\
             |--SEARCH u USING INDEX ui (c=?)\n`--USE TEMP B-TREE FOR ORDER BY\n"
        );
        let compound = drawn(&[
            (1, 0, "COMPOUND QUERY"),
            (2, 1, "LEFT-MOST SUBQUERY"),
            (4, 2, "SCAN CONSTANT ROW"),
            (6, 1, "UNION USING TEMP B-TREE"),
            (8, 6, "SCAN CONSTANT ROW"),
        ]);
        assert_eq!(
            compound,
            "QUERY PLAN\n`--COMPOUND QUERY\n   |--LEFT-MOST SUBQUERY\n   |  `--SCAN CONSTANT ROW\n\
             \x20  `--UNION USING TEMP B-TREE\n      `--SCAN CONSTANT ROW\n"
        );
        assert_eq!(drawn(&[]), "");
    }

    #[test]
    fn query_plan_statements() {
        assert!(is_query_plan("EXPLAIN QUERY PLAN SELECT 1"));
        assert!(is_query_plan(" explain query\nplan select 1"));
        assert!(!is_query_plan("EXPLAIN SELECT 1"));
        assert!(!is_query_plan("SELECT 1"));
    }
}
