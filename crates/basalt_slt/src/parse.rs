//! The sqllogictest file format: records separated by blank lines, `skipif`/`onlyif`
//! conditions (with trailing comments), `hash-threshold`, `halt`, `statement ok|error`, and
//! `query TYPES SORT [LABEL]` with `----` and its expected values.
//!
//! Invariants: CR before LF is ignored, so CRLF files parse like LF files; a malformed record
//! is skipped to the next blank line, never a panic.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortMode {
    /// `nosort`
    None,
    /// `rowsort`
    Rows,
    /// `valuesort`
    Values,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Values(Vec<String>),
    Hash { count: usize, hash: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    Statement {
        ok: bool,
    },
    Query {
        types: String,
        sort: SortMode,
        expected: Expected,
    },
    HashThreshold(usize),
    Halt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the record's first line.
    pub line: usize,
    pub kind: RecordKind,
    pub sql: String,
    /// `(skip, engine)`: `skipif engine` or `onlyif engine`.
    conditions: Vec<(bool, String)>,
}

impl Record {
    pub fn applies(&self, engine: &str) -> bool {
        self.conditions.iter().all(|(skip, name)| {
            let matches = name.eq_ignore_ascii_case(engine);
            if *skip {
                !matches
            } else {
                matches
            }
        })
    }
}

/// The words of a control line, with a trailing `#` comment removed.
fn words(line: &str) -> Vec<&str> {
    let line = line.split('#').next().unwrap_or("");
    line.split_whitespace().collect()
}

pub fn records(text: &str) -> Vec<Record> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut conditions: Vec<(bool, String)> = Vec::new();
    let blank = |l: &str| l.trim().is_empty();
    while i < lines.len() {
        let line = lines[i];
        if blank(line) {
            conditions.clear();
            i += 1;
            continue;
        }
        if line.starts_with('#') {
            i += 1;
            continue;
        }
        let w = words(line);
        let start = i + 1;
        match w.as_slice() {
            ["skipif", name, ..] => {
                conditions.push((true, (*name).to_string()));
                i += 1;
            }
            ["onlyif", name, ..] => {
                conditions.push((false, (*name).to_string()));
                i += 1;
            }
            ["hash-threshold", n, ..] => {
                out.push(Record {
                    line: start,
                    kind: RecordKind::HashThreshold(n.parse().unwrap_or(8)),
                    sql: String::new(),
                    conditions: std::mem::take(&mut conditions),
                });
                i += 1;
            }
            ["halt", ..] => {
                out.push(Record {
                    line: start,
                    kind: RecordKind::Halt,
                    sql: String::new(),
                    conditions: std::mem::take(&mut conditions),
                });
                i += 1;
            }
            ["statement", what, ..] => {
                i += 1;
                let mut sql = Vec::new();
                while i < lines.len() && !blank(lines[i]) {
                    sql.push(lines[i]);
                    i += 1;
                }
                out.push(Record {
                    line: start,
                    kind: RecordKind::Statement { ok: *what == "ok" },
                    sql: sql.join("\n"),
                    conditions: std::mem::take(&mut conditions),
                });
            }
            ["query", types, rest @ ..] => {
                let sort = match rest.first() {
                    Some(&"rowsort") => SortMode::Rows,
                    Some(&"valuesort") => SortMode::Values,
                    _ => SortMode::None,
                };
                i += 1;
                let mut sql = Vec::new();
                while i < lines.len() && !blank(lines[i]) && lines[i] != "----" {
                    sql.push(lines[i]);
                    i += 1;
                }
                let mut values = Vec::new();
                if i < lines.len() && lines[i] == "----" {
                    i += 1;
                    while i < lines.len() && !blank(lines[i]) {
                        values.push(lines[i].to_string());
                        i += 1;
                    }
                }
                let expected = match values.as_slice() {
                    [one] if one.contains(" values hashing to ") => {
                        let parts: Vec<&str> = one.split_whitespace().collect();
                        Expected::Hash {
                            count: parts.first().and_then(|n| n.parse().ok()).unwrap_or(0),
                            hash: parts.last().map_or(String::new(), |h| h.to_string()),
                        }
                    }
                    _ => Expected::Values(values),
                };
                out.push(Record {
                    line: start,
                    kind: RecordKind::Query {
                        types: (*types).to_string(),
                        sort,
                        expected,
                    },
                    sql: sql.join("\n"),
                    conditions: std::mem::take(&mut conditions),
                });
            }
            _ => {
                // Unknown record: skip it.
                while i < lines.len() && !blank(lines[i]) {
                    i += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_with_conditions_and_crlf() {
        let text = "skipif mysql # not compatible\r\nquery I rowsort label-1\r\nSELECT 1\r\n----\r\n1\r\n\r\nstatement ok\r\nCREATE TABLE t(x)\r\n\r\nquery T nosort\r\nSELECT 'a'\r\n----\r\n3 values hashing to abc\r\n";
        let r = records(text);
        assert_eq!(r.len(), 3);
        assert!(r[0].applies("sqlite"));
        assert!(!r[0].applies("mysql"));
        assert_eq!(r[0].sql, "SELECT 1");
        assert_eq!(
            r[0].kind,
            RecordKind::Query {
                types: "I".into(),
                sort: SortMode::Rows,
                expected: Expected::Values(vec!["1".into()])
            }
        );
        assert_eq!(r[1].kind, RecordKind::Statement { ok: true });
        assert_eq!(
            r[2].kind,
            RecordKind::Query {
                types: "T".into(),
                sort: SortMode::None,
                expected: Expected::Hash {
                    count: 3,
                    hash: "abc".into()
                }
            }
        );
    }
}
