//! When is a statement complete? The answer of `sqlite3_complete`, used by the shell (run what
//! has accumulated) and the C API.
//!
//! Text is complete when it ends with a `;` that closes a statement: not inside a string, a
//! quoted name or a comment, and not inside the body of a `CREATE TRIGGER … BEGIN … END;`,
//! whose inner statements have semicolons of their own. A parse error is not the same as
//! "incomplete", so this is a small state machine over a coarse tokenizer, not the parser.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Semi,
    Space,
    Other,
    Explain,
    Create,
    Temp,
    Trigger,
    End,
}

/// The tokens of `sql`, or `None` when the text stops inside a string, quoted name or `/*`
/// comment (the statement cannot be complete then); and whether it stops inside a `--`
/// comment (no line end yet).
fn tokens(sql: &[u8]) -> Option<(Vec<Token>, bool)> {
    let mut out = Vec::new();
    let mut open_line_comment = false;
    let mut i = 0;
    while i < sql.len() {
        let c = sql[i];
        let token = match c {
            b';' => {
                i += 1;
                Token::Semi
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                Token::Space
            }
            b'/' if sql.get(i + 1) == Some(&b'*') => {
                let end = find(&sql[i + 2..], b"*/")?;
                i += 2 + end + 2;
                Token::Space
            }
            b'-' if sql.get(i + 1) == Some(&b'-') => {
                i = match sql[i..].iter().position(|&b| b == b'\n') {
                    Some(n) => i + n + 1,
                    None => {
                        open_line_comment = true;
                        sql.len()
                    }
                };
                Token::Space
            }
            b'[' => {
                let end = sql[i + 1..].iter().position(|&b| b == b']')?;
                i += end + 2;
                Token::Other
            }
            b'"' | b'\'' | b'`' => {
                let end = sql[i + 1..].iter().position(|&b| b == c)?;
                i += end + 2;
                Token::Other
            }
            _ if is_id_char(c) => {
                let start = i;
                while i < sql.len() && is_id_char(sql[i]) {
                    i += 1;
                }
                keyword(&sql[start..i])
            }
            _ => {
                i += 1;
                Token::Other
            }
        };
        out.push(token);
    }
    Some((out, open_line_comment))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn keyword(word: &[u8]) -> Token {
    let is = |k: &str| word.eq_ignore_ascii_case(k.as_bytes());
    if is("create") {
        Token::Create
    } else if is("trigger") {
        Token::Trigger
    } else if is("temp") || is("temporary") {
        Token::Temp
    } else if is("end") {
        Token::End
    } else if is("explain") {
        Token::Explain
    } else {
        Token::Other
    }
}

/// `sqlite3_complete`: true when `sql` ends with a semicolon that ends a statement. As in
/// SQLite 3.54, a `--` comment not yet ended by a line end leaves the text incomplete.
pub fn is_complete(sql: impl AsRef<[u8]>) -> bool {
    // States: 0 invalid (nothing yet), 1 start (after `;`), 2 normal, 3 explain, 4 create,
    // 5 trigger body, 6 `;` inside a trigger body, 7 `END` after such a `;`.
    const TRANSITIONS: [[u8; 8]; 8] = [
        [1, 0, 2, 3, 4, 2, 2, 2],
        [1, 1, 2, 3, 4, 2, 2, 2],
        [1, 2, 2, 2, 2, 2, 2, 2],
        [1, 3, 3, 2, 4, 2, 2, 2],
        [1, 4, 2, 2, 2, 4, 5, 2],
        [6, 5, 5, 5, 5, 5, 5, 5],
        [6, 6, 5, 5, 5, 5, 5, 7],
        [1, 7, 5, 5, 5, 5, 5, 5],
    ];
    let Some((tokens, false)) = tokens(sql.as_ref()) else {
        return false;
    };
    let state = tokens.iter().fold(0u8, |state, &token| {
        TRANSITIONS[state as usize][token as usize]
    });
    state == 1
}

/// True when `sql` holds nothing but white space, comments and semicolons: nothing to run.
pub fn is_blank(sql: &str) -> bool {
    match tokens(sql.as_bytes()) {
        Some((tokens, _)) => tokens
            .iter()
            .all(|t| matches!(t, Token::Space | Token::Semi)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_respects_quotes_and_comments() {
        assert!(is_complete("select 1;"));
        assert!(is_complete("select 1; -- done\n"));
        assert!(!is_complete("select 1; -- done"));
        assert!(!is_complete("select ';'"));
        assert!(!is_complete("select 1 /* ; */"));
        assert!(!is_complete("select 1; /* open"));
        assert!(is_complete("select \"a;b\";  "));
        assert!(!is_complete("select [x;"));
        assert!(!is_complete(""));
        assert!(is_complete(";"));
    }

    #[test]
    fn trigger_bodies_need_their_end() {
        let head = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(1);";
        assert!(!is_complete(head));
        assert!(!is_complete(format!("{head} END")));
        assert!(is_complete(format!("{head} END;")));
        assert!(is_complete(format!("{head}\n  UPDATE u SET x=2;\nEND;\n")));
        assert!(!is_complete(
            "create temp trigger x before delete on t begin select 1;"
        ));
        // A column named "trigger" is not a trigger.
        assert!(is_complete("select trigger from t;"));
        assert!(is_complete("explain create table t(x);"));
    }

    #[test]
    fn blank_text() {
        assert!(is_blank("  -- c\n /* x */ ;; "));
        assert!(!is_blank("select 1"));
        assert!(!is_blank("/* open"));
    }
}
