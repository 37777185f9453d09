//! LIKE and GLOB matching (lang_expr.html §"The LIKE, GLOB, REGEXP, MATCH…").
//!
//! Both match character by character (see [`super::text`]), so invalid UTF-8 is matched byte
//! for byte. LIKE folds case for ASCII letters only (unless `case_sensitive_like`); `%` is any
//! run, `_` any one character, and an escape character makes the next one literal. GLOB is
//! case-sensitive with `*`, `?` and `[…]` classes (ranges, `^` negation, a leading `]` literal).
//!
//! Matching uses the classic "remember the last star" backtracking: each token other than a star
//! consumes exactly one character, so retrying from the last star is complete, and the cost is
//! at most pattern × text steps.

use super::text::{char_end, decode};

/// The most bytes a LIKE or GLOB pattern may have (SQLite's default limit).
pub const MAX_PATTERN_LEN: usize = 50_000;

/// One element of a compiled pattern.
#[derive(Debug, Clone)]
enum Token<'p> {
    /// Any run of characters.
    Star,
    /// Any single character.
    One,
    /// This exact character (compared with ASCII folding in a case-insensitive LIKE).
    Literal(&'p [u8]),
    /// A GLOB class: ranges of code points, possibly negated.
    Class {
        negated: bool,
        ranges: Vec<(u32, u32)>,
    },
}

/// `text LIKE pattern [ESCAPE escape]`. `escape` must already be checked to be one character.
pub fn like(pattern: &[u8], text: &[u8], escape: Option<&[u8]>, case_sensitive: bool) -> bool {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        let end = char_end(pattern, i);
        let c = &pattern[i..end];
        if Some(c) == escape {
            let literal_end = if end < pattern.len() {
                char_end(pattern, end)
            } else {
                // A trailing escape character matches nothing.
                return false;
            };
            tokens.push(Token::Literal(&pattern[end..literal_end]));
            i = literal_end;
            continue;
        }
        tokens.push(match c {
            b"%" => Token::Star,
            b"_" => Token::One,
            _ => Token::Literal(c),
        });
        i = end;
    }
    matches(&tokens, text, !case_sensitive)
}

/// `text GLOB pattern`.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        let end = char_end(pattern, i);
        match &pattern[i..end] {
            b"*" => tokens.push(Token::Star),
            b"?" => tokens.push(Token::One),
            b"[" => match parse_class(pattern, end) {
                Some((class, next)) => {
                    tokens.push(class);
                    i = next;
                    continue;
                }
                // An unterminated class matches nothing.
                None => return false,
            },
            c => tokens.push(Token::Literal(c)),
        }
        i = end;
    }
    matches(&tokens, text, false)
}

/// Parses a class whose `[` ended at `start`; returns it and the position after its `]`.
fn parse_class(p: &[u8], start: usize) -> Option<(Token<'static>, usize)> {
    let mut i = start;
    let mut negated = false;
    if p.get(i) == Some(&b'^') {
        negated = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        let end = char_end(p, i);
        let lo = decode(&p[i..end]);
        i = end;
        // `a-z` is a range unless the `-` is last before `]`.
        if p.get(i) == Some(&b'-') && i + 1 < p.len() && p[i + 1] != b']' {
            let hi_end = char_end(p, i + 1);
            ranges.push((lo, decode(&p[i + 1..hi_end])));
            i = hi_end;
        } else {
            ranges.push((lo, lo));
        }
    }
    None
}

fn token_matches(token: &Token<'_>, c: &[u8], fold: bool) -> bool {
    match token {
        Token::Star | Token::One => true,
        Token::Literal(l) => {
            if fold && l.len() == 1 && c.len() == 1 {
                l[0].eq_ignore_ascii_case(&c[0])
            } else {
                *l == c
            }
        }
        Token::Class { negated, ranges } => {
            let cp = decode(c);
            ranges.iter().any(|&(lo, hi)| lo <= cp && cp <= hi) != *negated
        }
    }
}

fn matches(tokens: &[Token<'_>], text: &[u8], fold: bool) -> bool {
    let (mut t, mut i) = (0, 0);
    // Where to resume after the last star: the token after it and the text position it was
    // tried at.
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(Token::Star) = tokens.get(t) {
            t += 1;
            resume = Some((t, i));
            continue;
        }
        if i == text.len() {
            if t == tokens.len() {
                return true;
            }
        } else if let Some(token) = tokens.get(t) {
            let end = char_end(text, i);
            if token_matches(token, &text[i..end], fold) {
                t += 1;
                i = end;
                continue;
            }
        }
        // Mismatch: let the last star swallow one more character.
        match resume {
            Some((star_t, star_i)) if star_i < text.len() => {
                let next = char_end(text, star_i);
                resume = Some((star_t, next));
                t = star_t;
                i = next;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_and_glob() {
        assert!(like(b"a%c", b"ABBC", None, false));
        assert!(!like(b"a%c", b"ABBC", None, true));
        assert!(like(b"a_c", "aéc".as_bytes(), None, false));
        assert!(!like("é".as_bytes(), "É".as_bytes(), None, false));
        assert!(like(b"10!%", b"10%", Some(b"!"), false));
        assert!(!like(b"10!%", b"100", Some(b"!"), false));
        assert!(like(b"%", b"", None, false));
        assert!(glob(b"a*[0-9]?", b"abc5x"));
        assert!(glob(b"[]]", b"]"));
        assert!(glob(b"[^a-c]", b"d"));
        assert!(!glob(b"[^a-c]", b"b"));
        assert!(!glob(b"A*", b"abc"));
        assert!(!glob(b"[abc", b"a"));
    }
}
