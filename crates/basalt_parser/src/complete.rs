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

/// How a scan of some text ended.
enum Scanned {
    /// The text stops inside a string, quoted name or `/*` comment: it cannot be complete.
    Open,
    /// `each` asked to stop early.
    Stopped,
    /// Every token was seen; `true` when the text stops inside a `--` comment (no line end yet).
    End(bool),
}

/// Hands the tokens of `sql` to `each`, in order, until it returns false. A streaming scan, not
/// a token list: the shell asks this of every input line.
fn scan(sql: &[u8], mut each: impl FnMut(Token) -> bool) -> Scanned {
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
                let Some(end) = find(&sql[i + 2..], b"*/") else {
                    return Scanned::Open;
                };
                i += 2 + end + 2;
                Token::Space
            }
            b'-' if sql.get(i + 1) == Some(&b'-') => {
                match sql[i..].iter().position(|&b| b == b'\n') {
                    Some(n) => i += n + 1,
                    None => {
                        // The comment runs to the end: a space token that no line end closed.
                        return if each(Token::Space) {
                            Scanned::End(true)
                        } else {
                            Scanned::Stopped
                        };
                    }
                }
                Token::Space
            }
            b'[' => {
                let Some(end) = sql[i + 1..].iter().position(|&b| b == b']') else {
                    return Scanned::Open;
                };
                i += end + 2;
                Token::Other
            }
            b'"' | b'\'' | b'`' => {
                let Some(end) = sql[i + 1..].iter().position(|&b| b == c) else {
                    return Scanned::Open;
                };
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
        if !each(token) {
            return Scanned::Stopped;
        }
    }
    Scanned::End(false)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn keyword(word: &[u8]) -> Token {
    // The words below are 3 to 9 letters long and start with one of these letters: most words
    // of a statement are told apart without comparing them.
    let starts = |c: &u8| matches!(c.to_ascii_lowercase(), b'c' | b't' | b'e');
    if !(3..=9).contains(&word.len()) || !word.first().is_some_and(starts) {
        return Token::Other;
    }
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
    complete_state(sql.as_ref()).is_some_and(|(state, open_comment)| state == 1 && !open_comment)
}

/// `is_complete` of `sql` followed by a line end, without building that text: the shell's
/// question at the end of each input line (the line end closes a trailing `--` comment, and
/// white space changes no state).
pub fn is_complete_at_line_end(sql: &str) -> bool {
    complete_state(sql.as_bytes()).is_some_and(|(state, _)| state == 1)
}

/// The state `sqlite3_complete`'s machine ends in over `sql`, and whether the text stops inside
/// a `--` comment; `None` when it stops inside a string, quoted name or `/*` comment.
fn complete_state(sql: &[u8]) -> Option<(u8, bool)> {
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
    // White space (column 1) never changes the state.
    debug_assert!((0..8).all(|s| TRANSITIONS[s][Token::Space as usize] == s as u8));
    let mut state = 0u8;
    match scan(sql, |token| {
        state = TRANSITIONS[state as usize][token as usize];
        true
    }) {
        Scanned::End(open_comment) => Some((state, open_comment)),
        Scanned::Open | Scanned::Stopped => None,
    }
}

/// True when `sql` holds nothing but white space, comments and semicolons: nothing to run.
pub fn is_blank(sql: &str) -> bool {
    let mut blank = true;
    let scanned = scan(sql.as_bytes(), |token| {
        blank = matches!(token, Token::Space | Token::Semi);
        blank
    });
    blank && matches!(scanned, Scanned::End(_))
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
    fn complete_at_line_end_is_complete_with_a_line_end() {
        for sql in [
            "select 1;",
            "select 1; -- done",
            "select 1 -- ;",
            "select ';'",
            "select 1; /* open",
            "",
            ";",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;",
        ] {
            assert_eq!(
                is_complete_at_line_end(sql),
                is_complete(format!("{sql}\n")),
                "{sql:?}"
            );
        }
    }

    #[test]
    fn blank_text() {
        assert!(is_blank("  -- c\n /* x */ ;; "));
        assert!(!is_blank("select 1"));
        assert!(!is_blank("/* open"));
    }
}
