//! sqlite3's explain mode (`.explain auto`, its default): the listing of an `EXPLAIN` statement
//! in fixed-width columns whatever the output mode, with the bodies of loops indented.

use super::{value_text, OutputError, RowSource};
use crate::engine::Value;
use basalt_parser::keywords::Keyword;
use basalt_parser::lexer::leading_keywords;
use std::io::Write;

/// sqlite3's `aExplainWidth`: addr, opcode, p1, p2, p3, p4, p5, comment.
const WIDTHS: [usize; 8] = [4, 13, 4, 4, 4, 13, 2, 13];

/// Opcodes that jump back to the top of a loop they end (`explain_data_prepare`'s azNext).
const LOOP_ENDS: [&str; 6] = ["Next", "Prev", "VPrev", "VNext", "SorterNext", "Return"];
/// Opcodes that start a loop a later `Goto` may return to (azYield).
const LOOP_STARTS: [&str; 5] = ["Yield", "SeekLT", "SeekGT", "RowSetRead", "Rewind"];

/// Whether `sql` (one statement) is `EXPLAIN` but not `EXPLAIN QUERY PLAN`, the statements
/// sqlite3 shows in explain mode.
pub fn is_explain(sql: &str) -> bool {
    let [first, second] = leading_keywords(sql);
    first == Some(Keyword::Explain) && second != Some(Keyword::Query)
}

/// Writes an EXPLAIN listing; the rows are read first, as the indentation needs all of them.
pub fn write(
    out: &mut dyn Write,
    null_value: &str,
    names: &[String],
    next_row: &mut RowSource<'_>,
) -> Result<u64, OutputError> {
    let mut rows = Vec::new();
    let mut failure = None;
    loop {
        match next_row() {
            Ok(Some(row)) => rows.push(row),
            Ok(None) => break,
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if !rows.is_empty() {
        let columns = names.len().min(WIDTHS.len());
        let header: Vec<String> = names.iter().take(columns).cloned().collect();
        write_line(out, &header, &WIDTHS, 0)?;
        let dashes: Vec<String> = WIDTHS.iter().map(|&w| "-".repeat(w)).collect();
        write_line(out, &dashes[..columns], &WIDTHS, 0)?;
        let indents = indents(&rows);
        // The last column of a row is not padded.
        let mut widths = WIDTHS;
        widths[columns.saturating_sub(1)] = 0;
        for (row, indent) in rows.iter().zip(indents) {
            let fields: Vec<String> = row
                .iter()
                .take(columns)
                .map(|v| {
                    value_text(v).map_or_else(
                        || null_value.to_string(),
                        |t| String::from_utf8_lossy(&t).into_owned(),
                    )
                })
                .collect();
            write_line(out, &fields, &widths, indent)?;
        }
    }
    match failure {
        Some(e) => Err(OutputError::Engine(e)),
        None => Ok(rows.len() as u64),
    }
}

/// Fields left-aligned in their widths (wider ones whole), two spaces apart; the opcode
/// column shifted right by `indent`.
fn write_line(
    out: &mut dyn Write,
    fields: &[String],
    widths: &[usize],
    indent: usize,
) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, (field, &width)) in fields.iter().zip(widths).enumerate() {
        if i == 1 {
            line.push_str(&" ".repeat(indent));
        }
        line.push_str(field);
        let length = field.chars().count();
        line.push_str(&" ".repeat(width.saturating_sub(length)));
        line.push_str(if i + 1 == fields.len() { "\n" } else { "  " });
    }
    out.write_all(line.as_bytes())
}

/// How far each instruction is indented (sqlite3's `explain_data_prepare`): two spaces per
/// loop around it.
fn indents(rows: &[Vec<Value>]) -> Vec<usize> {
    let integer = |row: &[Value], i: usize| match row.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    };
    let opcode = |row: &[Value]| match row.get(1) {
        Some(Value::Text(t)) => String::from_utf8_lossy(t).into_owned(),
        _ => String::new(),
    };
    let mut indents = vec![0usize; rows.len()];
    let mut loop_starts = vec![false; rows.len()];
    for (op, row) in rows.iter().enumerate() {
        let name = opcode(row);
        // The jump target as a row number (addresses and rows normally coincide).
        let target = integer(row, 3) + (op as i64 - integer(row, 0));
        loop_starts[op] = LOOP_STARTS.contains(&name.as_str());
        let Ok(target) = usize::try_from(target) else {
            continue;
        };
        let closes_loop = (LOOP_ENDS.contains(&name.as_str()) && target > 0)
            || (name == "Goto"
                && target < rows.len()
                && (loop_starts.get(target) == Some(&true) || integer(row, 2) != 0));
        if closes_loop {
            for indent in indents.iter_mut().take(op).skip(target) {
                *indent += 2;
            }
        }
    }
    indents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_statements() {
        assert!(is_explain("EXPLAIN SELECT 1"));
        assert!(is_explain("  explain\nselect 1"));
        assert!(!is_explain("EXPLAIN QUERY PLAN SELECT 1"));
        assert!(!is_explain("SELECT 1 AS explain"));
    }

    #[test]
    fn listing_as_sqlite3_shows_it() {
        // sqlite3 3.40.1, `CREATE TABLE t(a)` then `EXPLAIN SELECT a FROM t`.
        let listing = [
            ("Init", 0, 7, 0, None, 0),
            ("OpenRead", 0, 2, 0, Some("1"), 0),
            ("Rewind", 0, 6, 0, None, 0),
            ("Column", 0, 0, 1, None, 0),
            ("ResultRow", 1, 1, 0, None, 0),
            ("Next", 0, 3, 0, None, 1),
            ("Halt", 0, 0, 0, None, 0),
            ("Transaction", 0, 0, 1, Some("0"), 1),
            ("Goto", 0, 1, 0, None, 0),
        ];
        let mut rows = listing
            .iter()
            .enumerate()
            .map(|(addr, &(op, p1, p2, p3, p4, p5))| {
                vec![
                    Value::Integer(addr as i64),
                    Value::Text(op.as_bytes().to_vec()),
                    Value::Integer(p1),
                    Value::Integer(p2),
                    Value::Integer(p3),
                    p4.map_or(Value::Null, |t| Value::Text(t.as_bytes().to_vec())),
                    Value::Integer(p5),
                    Value::Null,
                ]
            })
            .collect::<Vec<_>>()
            .into_iter();
        let names: Vec<String> = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut out = Vec::new();
        let count = write(&mut out, "", &names, &mut || Ok(rows.next()));
        assert_eq!(count.ok(), Some(9));
        let expected = "\
addr  opcode         p1    p2    p3    p4             p5  comment      
----  -------------  ----  ----  ----  -------------  --  -------------
0     Init           0     7     0                    0   
1     OpenRead       0     2     0     1              0   
2     Rewind         0     6     0                    0   
3       Column         0     0     1                    0   
4       ResultRow      1     1     0                    0   
5     Next           0     3     0                    1   
6     Halt           0     0     0                    0   
7     Transaction    0     0     1     0              1   
8     Goto           0     1     0                    0   
";
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
