//! Characters of text that may not be valid UTF-8, the way SQLite sees them.
//!
//! SQLite never validates UTF-8. A *character* starts at any byte that is not a continuation
//! byte (0x80–0xBF) following a lead byte: a lead byte (0xC0–0xFF) takes with it all the
//! continuation bytes that follow, any other byte stands alone. Decoding a character to a code
//! point yields U+FFFD for overlong forms, surrogates and U+FFFE/U+FFFF-type values. Functions
//! that count or cut characters (length, substr, instr, trim, LIKE) use this model, so invalid
//! UTF-8 passes through them unchanged.

/// The end of the character starting at `i` (`i < s.len()`).
pub fn char_end(s: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if s[i] >= 0xc0 {
        while j < s.len() && (s[j] & 0xc0) == 0x80 {
            j += 1;
        }
    }
    j
}

/// The characters of `s`, as byte slices.
pub fn chars(s: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        (i < s.len()).then(|| {
            let start = i;
            i = char_end(s, i);
            &s[start..i]
        })
    })
}

/// The number of characters in `s`.
pub fn char_count(s: &[u8]) -> usize {
    chars(s).count()
}

/// The byte offset where character number `n` (0-based) starts, or `s.len()` if there are
/// fewer.
pub fn byte_offset(s: &[u8], n: usize) -> usize {
    let mut i = 0;
    for _ in 0..n {
        if i >= s.len() {
            break;
        }
        i = char_end(s, i);
    }
    i.min(s.len())
}

/// The code point of one character (as [`chars`] yields it).
pub fn decode(c: &[u8]) -> u32 {
    let Some((&lead, rest)) = c.split_first() else {
        return 0;
    };
    if lead < 0xc0 {
        return u32::from(lead);
    }
    let bits = match lead {
        0xc0..=0xdf => lead - 0xc0,
        0xe0..=0xef => lead - 0xe0,
        0xf0..=0xf7 => lead - 0xf0,
        0xf8..=0xfb => lead - 0xf8,
        _ => lead - 0xfc,
    };
    let mut cp = u32::from(bits);
    for &b in rest {
        cp = (cp << 6) | u32::from(b & 0x3f);
    }
    if cp < 0x80 || (0xd800..0xe000).contains(&cp) || (cp & 0xffff_fffe) == 0xfffe {
        0xfffd
    } else {
        cp
    }
}

/// Appends the UTF-8 encoding of a code point, surrogates included (as SQLite's `char()` does);
/// values past U+10FFFF become U+FFFD.
pub fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    let cp = if cp > 0x10ffff { 0xfffd } else { cp };
    // Both casts keep only the low bits the encoding needs.
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend([0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend([
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => out.extend([
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_counts_like_sqlite() {
        assert_eq!(char_count(b"a\xffb"), 3);
        assert_eq!(char_count(b"\xe2\x82"), 1);
        assert_eq!(char_count("héllo".as_bytes()), 5);
        assert_eq!(char_count(b"\x80\x80"), 2);
        assert_eq!(decode(b"\xff"), 0xfffd);
        assert_eq!(decode("é".as_bytes()), 0xe9);
        let mut out = Vec::new();
        push_code_point(&mut out, 0xd800);
        assert_eq!(out, b"\xed\xa0\x80");
    }
}
