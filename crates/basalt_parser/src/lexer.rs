//! Tokenizer reproducing SQLite's token boundaries byte for byte.
//!
//! Invariants:
//! - Every token's `start..end` is a valid byte range of the input on UTF-8
//!   boundaries; token text is always `&input[start..end]`.
//! - A NUL byte ends the input, as it does for `sqlite3_prepare`.
//! - Whitespace, comments and a UTF-8 byte-order mark never reach the parser.
//! - An `Illegal` token is the last one produced: SQLite reports
//!   `unrecognized token` as soon as it meets one, so nothing after it matters.
//! - `WINDOW`, `OVER` and `FILTER` are keywords only in the contexts where
//!   SQLite's tokenizer promotes them (see `promote_window_keywords`);
//!   elsewhere they are identifiers.

use crate::keywords::{lookup, Keyword};

/// The kind of one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tk {
    Kw(Keyword),
    /// Bare or quoted (`"x"`, `[x]`, `` `x` ``) identifier.
    Id,
    /// `'...'` literal.
    String,
    Blob,
    Integer,
    Float,
    /// A number with `_` digit separators, validated by the parser.
    QNumber,
    Variable,
    Illegal,
    Eof,
    Semi,
    LParen,
    RParen,
    Comma,
    Dot,
    Plus,
    Minus,
    Star,
    Slash,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitNot,
    Concat,
    /// `->` or `->>`.
    Ptr,
}

/// One token: kind plus byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Tk,
    pub start: usize,
    pub end: usize,
}

/// `ID_CHAR[c]`: whether byte `c` continues an identifier (letters, digits, `_`, `$`, and every
/// byte of a multi-byte UTF-8 character). A table, because the identifier loop is the
/// tokenizer's hottest (every name and keyword of every statement).
const ID_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
        c += 1;
    }
    t
};

fn is_id_char(c: u8) -> bool {
    ID_CHAR[usize::from(c)]
}

/// The length of the run of bytes of `z` from index `from` on that satisfy `pred` (up to the
/// end of `z`), plus `from`: where the run ends.
fn run_end(z: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> usize {
    let rest = z.get(from..).unwrap_or_default();
    from + rest.iter().position(|&c| !pred(c)).unwrap_or(rest.len())
}

/// SQLite's `sqlite3Isspace`: includes vertical tab, unlike token starts.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Raw token before space/comment filtering.
enum Raw {
    Tok(Tk),
    Space,
}

/// Scans the token starting at `z[0]` (z non-empty, z[0] != 0); returns its
/// kind and length. `z` ends at the first NUL of the input.
fn scan(z: &[u8]) -> (Raw, usize) {
    let at = |i: usize| z.get(i).copied().unwrap_or(0);
    let c = z[0];
    let tok = |t| Raw::Tok(t);
    match c {
        b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' => (Raw::Space, run_end(z, 1, is_space)),
        b'-' => {
            if at(1) == b'-' {
                let mut i = 2;
                while at(i) != 0 && at(i) != b'\n' {
                    i += 1;
                }
                (Raw::Space, i)
            } else if at(1) == b'>' {
                (tok(Tk::Ptr), if at(2) == b'>' { 3 } else { 2 })
            } else {
                (tok(Tk::Minus), 1)
            }
        }
        b'(' => (tok(Tk::LParen), 1),
        b')' => (tok(Tk::RParen), 1),
        b';' => (tok(Tk::Semi), 1),
        b'+' => (tok(Tk::Plus), 1),
        b'*' => (tok(Tk::Star), 1),
        b'/' => {
            if at(1) != b'*' || at(2) == 0 {
                return (tok(Tk::Slash), 1);
            }
            // The comment ends after the first "*/" whose '*' is at index >= 2.
            let mut i = 3;
            while at(i) != 0 && !(z[i - 1] == b'*' && z[i] == b'/') {
                i += 1;
            }
            if at(i) != 0 {
                i += 1;
            }
            (Raw::Space, i)
        }
        b'%' => (tok(Tk::Rem), 1),
        b'=' => (tok(Tk::Eq), if at(1) == b'=' { 2 } else { 1 }),
        b'<' => match at(1) {
            b'=' => (tok(Tk::Le), 2),
            b'>' => (tok(Tk::Ne), 2),
            b'<' => (tok(Tk::LShift), 2),
            _ => (tok(Tk::Lt), 1),
        },
        b'>' => match at(1) {
            b'=' => (tok(Tk::Ge), 2),
            b'>' => (tok(Tk::RShift), 2),
            _ => (tok(Tk::Gt), 1),
        },
        b'!' => {
            if at(1) == b'=' {
                (tok(Tk::Ne), 2)
            } else {
                (tok(Tk::Illegal), 1)
            }
        }
        b'|' => {
            if at(1) == b'|' {
                (tok(Tk::Concat), 2)
            } else {
                (tok(Tk::BitOr), 1)
            }
        }
        b',' => (tok(Tk::Comma), 1),
        b'&' => (tok(Tk::BitAnd), 1),
        b'~' => (tok(Tk::BitNot), 1),
        b'`' | b'\'' | b'"' => {
            let mut i = 1;
            loop {
                let ch = at(i);
                if ch == 0 {
                    return (tok(Tk::Illegal), i);
                }
                if ch == c {
                    if at(i + 1) == c {
                        i += 2;
                        continue;
                    }
                    let kind = if c == b'\'' { Tk::String } else { Tk::Id };
                    return (tok(kind), i + 1);
                }
                i += 1;
            }
        }
        b'.' if !at(1).is_ascii_digit() => (tok(Tk::Dot), 1),
        b'.' | b'0'..=b'9' => scan_number(z),
        b'[' => {
            let mut i = 1;
            while at(i) != 0 && at(i) != b']' {
                i += 1;
            }
            if at(i) == b']' {
                (tok(Tk::Id), i + 1)
            } else {
                (tok(Tk::Illegal), i)
            }
        }
        b'?' => {
            let mut i = 1;
            while at(i).is_ascii_digit() {
                i += 1;
            }
            (tok(Tk::Variable), i)
        }
        b'$' | b'@' | b':' | b'#' => scan_named_variable(z),
        b'x' | b'X' if at(1) == b'\'' => {
            let mut i = 2;
            while at(i).is_ascii_hexdigit() {
                i += 1;
            }
            let mut kind = Tk::Blob;
            if at(i) != b'\'' || i % 2 != 0 {
                kind = Tk::Illegal;
                while at(i) != 0 && at(i) != b'\'' {
                    i += 1;
                }
            }
            if at(i) != 0 {
                i += 1;
            }
            (tok(kind), i)
        }
        0xEF if at(1) == 0xBB && at(2) == 0xBF => (Raw::Space, 3),
        c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
            let i = run_end(z, 1, is_id_char);
            let kind = match lookup(&z[..i]) {
                Some(k) => Tk::Kw(k),
                None => Tk::Id,
            };
            (tok(kind), i)
        }
        _ => (tok(Tk::Illegal), 1),
    }
}

fn scan_number(z: &[u8]) -> (Raw, usize) {
    let at = |i: usize| z.get(i).copied().unwrap_or(0);
    let mut kind = Tk::Integer;
    let mut i;
    // Consumes digits (per `pred`) and `_` separators from `i`.
    let digits = |mut i: usize, kind: &mut Tk, pred: fn(u8) -> bool| loop {
        let c = at(i);
        if pred(c) {
        } else if c == b'_' {
            *kind = Tk::QNumber;
        } else {
            return i;
        }
        i += 1;
    };
    if z[0] == b'0' && matches!(at(1), b'x' | b'X') && at(2).is_ascii_hexdigit() {
        i = digits(3, &mut kind, |c| c.is_ascii_hexdigit());
    } else {
        i = digits(0, &mut kind, |c| c.is_ascii_digit());
        if at(i) == b'.' {
            if kind == Tk::Integer {
                kind = Tk::Float;
            }
            i = digits(i + 1, &mut kind, |c| c.is_ascii_digit());
        }
        if matches!(at(i), b'e' | b'E')
            && (at(i + 1).is_ascii_digit()
                || (matches!(at(i + 1), b'+' | b'-') && at(i + 2).is_ascii_digit()))
        {
            if kind == Tk::Integer {
                kind = Tk::Float;
            }
            i = digits(i + 2, &mut kind, |c| c.is_ascii_digit());
        }
    }
    while is_id_char(at(i)) {
        kind = Tk::Illegal;
        i += 1;
    }
    (Raw::Tok(kind), i)
}

/// `$name`, `@name`, `:name`, `#name`, with Tcl-style `::` and `(...)` suffixes.
fn scan_named_variable(z: &[u8]) -> (Raw, usize) {
    let at = |i: usize| z.get(i).copied().unwrap_or(0);
    let mut n = 0;
    let mut i = 1;
    let mut kind = Tk::Variable;
    loop {
        let c = at(i);
        if c == 0 {
            break;
        }
        if is_id_char(c) {
            n += 1;
        } else if c == b'(' && n > 0 {
            loop {
                i += 1;
                let c = at(i);
                if c == 0 || is_space(c) || c == b')' {
                    break;
                }
            }
            if at(i) == b')' {
                i += 1;
            } else {
                kind = Tk::Illegal;
            }
            break;
        } else if c == b':' && at(i + 1) == b':' {
            i += 1;
        } else {
            break;
        }
        i += 1;
    }
    if n == 0 {
        kind = Tk::Illegal;
    }
    (Raw::Tok(kind), i)
}

/// Tokenizes `sql` up to its first NUL byte or first illegal token. The
/// result always ends with an `Eof` token (or an `Illegal` one).
pub fn tokenize(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(sql, &mut out);
    out
}

/// The keywords of the first `N` tokens of `sql` (`None` for a token that is not a keyword, or
/// past the end), scanning no further: what a caller that only looks at how a statement starts
/// (`EXPLAIN QUERY PLAN …`) needs, without tokenizing all of it. `WINDOW`, `OVER` and `FILTER`
/// depend on the tokens around them (`promote_window_keywords`), so they always read `None`
/// here.
pub fn leading_keywords<const N: usize>(sql: &str) -> [Option<Keyword>; N] {
    let z = sql.as_bytes();
    let mut out = [None; N];
    let mut pos = 0;
    let mut n = 0;
    while n < N && pos < z.len() && z[pos] != 0 {
        let (raw, len) = scan(&z[pos..]);
        match raw {
            Raw::Space => {}
            Raw::Tok(Tk::Illegal) => break,
            Raw::Tok(kind) => {
                out[n] = match kind {
                    Tk::Kw(Keyword::Window | Keyword::Over | Keyword::Filter) => None,
                    Tk::Kw(k) => Some(k),
                    _ => None,
                };
                n += 1;
            }
        }
        pos += len;
    }
    out
}

/// `tokenize` into `out` (cleared first), so that a caller can reuse its allocation.
pub fn tokenize_into(sql: &str, out: &mut Vec<Token>) {
    let z = sql.as_bytes();
    out.clear();
    // Enough for typical statements (a token every three bytes) so that the vector grows at
    // most once.
    out.reserve(z.len() / 3 + 2);
    let mut pos = 0;
    // No token contains a NUL byte (every scanning loop stops at one), so the first NUL is met
    // here, at the start of a token: the end of the input.
    while pos < z.len() && z[pos] != 0 {
        let (raw, mut len) = scan(&z[pos..]);
        // Multi-byte UTF-8 sequences are never split: only ASCII bytes end
        // a token, except that an illegal token may stop on any byte.
        if let Raw::Tok(Tk::Illegal) = raw {
            while pos + len < z.len() && !sql.is_char_boundary(pos + len) {
                len += 1;
            }
        }
        debug_assert!(sql.is_char_boundary(pos + len));
        if let Raw::Tok(kind) = raw {
            out.push(Token {
                kind,
                start: pos,
                end: pos + len,
            });
            if kind == Tk::Illegal {
                promote_window_keywords(out);
                return;
            }
        }
        pos += len;
    }
    out.push(Token {
        kind: Tk::Eof,
        start: pos,
        end: pos,
    });
    promote_window_keywords(out);
}

/// Whether SQLite's window-keyword lookahead counts `t` as an identifier.
fn id_like(t: Tk) -> bool {
    match t {
        Tk::Id | Tk::String => true,
        Tk::Kw(k) => {
            k.is_join_kw() || k.falls_back_to_id() || matches!(k, Keyword::Window | Keyword::Over)
        }
        _ => false,
    }
}

/// SQLite decides whether `WINDOW`, `OVER` and `FILTER` are keywords by
/// looking at neighbouring tokens; anywhere else they are identifiers.
fn promote_window_keywords(toks: &mut [Token]) {
    for i in 0..toks.len() {
        let Tk::Kw(k) = toks[i].kind else { continue };
        let next = |j: usize| toks.get(i + j).map_or(Tk::Eof, |t| t.kind);
        let prev_rp = i > 0 && toks[i - 1].kind == Tk::RParen;
        let keep = match k {
            Keyword::Window => id_like(next(1)) && next(2) == Tk::Kw(Keyword::As),
            Keyword::Over => prev_rp && (next(1) == Tk::LParen || id_like(next(1))),
            Keyword::Filter => prev_rp && next(1) == Tk::LParen,
            _ => continue,
        };
        if !keep {
            toks[i].kind = Tk::Id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Tk, &str)> {
        tokenize(sql)
            .into_iter()
            .map(|t| (t.kind, &sql[t.start..t.end]))
            .collect()
    }

    #[test]
    fn operators_and_comments() {
        let k = kinds("a->>b -> c||d<>e!=f==g<<h>>i -- x\n/* y */ ;");
        let texts: Vec<&str> = k.iter().map(|p| p.1).collect();
        assert_eq!(
            texts,
            [
                "a", "->>", "b", "->", "c", "||", "d", "<>", "e", "!=", "f", "==", "g", "<<", "h",
                ">>", "i", ";", ""
            ]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(kinds("'it''s'")[0].0, Tk::String);
        assert_eq!(kinds("x'AbCd'")[0].0, Tk::Blob);
        assert_eq!(kinds("x'abc'")[0], (Tk::Illegal, "x'abc'"));
        assert_eq!(kinds("0x1F")[0].0, Tk::Integer);
        assert_eq!(kinds("1.5e-3")[0].0, Tk::Float);
        assert_eq!(kinds(".5")[0].0, Tk::Float);
        assert_eq!(kinds("1_000")[0].0, Tk::QNumber);
        assert_eq!(kinds("1e")[0], (Tk::Illegal, "1e"));
        assert_eq!(kinds("'abc")[0], (Tk::Illegal, "'abc"));
        assert_eq!(kinds("[a b]")[0].0, Tk::Id);
        assert_eq!(kinds("$a::b(c)")[0], (Tk::Variable, "$a::b(c)"));
        assert_eq!(kinds("$a(c d)")[0], (Tk::Illegal, "$a(c"));
        assert_eq!(kinds("?12")[0], (Tk::Variable, "?12"));
        assert_eq!(kinds("1 /*")[1], (Tk::Slash, "/"));
        assert_eq!(kinds("a\0b").len(), 2);
    }

    #[test]
    fn leading_keywords_match_tokenize() {
        for sql in [
            "EXPLAIN QUERY PLAN SELECT 1",
            "  /* c */ explain\n-- x\n select",
            "explain",
            "",
            "select 'a' from t",
            "x'ab' explain",
            "'open",
            "window over filter",
        ] {
            let full: Vec<Option<Keyword>> = tokenize(sql)
                .iter()
                .filter(|t| t.kind != Tk::Eof)
                .map(|t| match t.kind {
                    Tk::Kw(k) => Some(k),
                    _ => None,
                })
                .chain(std::iter::repeat(None))
                .take(3)
                .collect();
            assert_eq!(leading_keywords::<3>(sql).to_vec(), full, "{sql:?}");
        }
    }

    #[test]
    fn window_keywords_are_contextual() {
        assert_eq!(kinds("f() over (")[3].0, Tk::Kw(Keyword::Over));
        assert_eq!(kinds("x over")[1].0, Tk::Id);
        assert_eq!(kinds("f() filter (")[3].0, Tk::Kw(Keyword::Filter));
        assert_eq!(kinds("window w as")[0].0, Tk::Kw(Keyword::Window));
        assert_eq!(kinds("window")[0].0, Tk::Id);
    }
}
