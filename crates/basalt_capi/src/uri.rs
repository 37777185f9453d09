//! URI filenames (`file:` names, <https://sqlite.org/uri.html>): what `sqlite3_open_v2` opens
//! when the name is a URI.
//!
//! A name is a URI only when the open asked for it (`SQLITE_OPEN_URI`, or
//! `sqlite3_config(SQLITE_CONFIG_URI, 1)` before initialization) and it begins with exactly
//! `file:`; anything else is a plain path, taken byte for byte.
//!
//! Invariants:
//! - The result's access flags never grant more than the caller's flags: a `mode=` asking for
//!   more is refused ("access mode not allowed"), as SQLite refuses it.
//! - Percent escapes are decoded in the path and in query keys and values; an escaped NUL
//!   ends the part it is in, so the decoded path never holds a NUL.
//! - Query parameters SQLite leaves to the VFS (`immutable`, `nolock`, `psow`, unknown keys)
//!   are accepted and have no effect.

use crate::codes::*;
use std::ffi::c_int;

/// What a filename asks `open` to open.
#[derive(Debug, PartialEq)]
pub struct Target {
    /// The file's path (percent-decoded for a URI); empty or `:memory:` for a memory database.
    pub path: Vec<u8>,
    /// The open flags after the URI's `mode=` and `cache=` parameters.
    pub flags: c_int,
    /// The VFS named by the caller or by the URI's `vfs=` parameter.
    pub vfs: Option<Vec<u8>>,
}

/// Reads `filename` as SQLite does; an error is SQLite's code and message for a bad URI.
pub fn parse(
    filename: &[u8],
    flags: c_int,
    vfs: Option<&[u8]>,
    uri_by_default: bool,
) -> Result<Target, (c_int, String)> {
    let vfs = vfs.map(<[u8]>::to_vec);
    let is_uri = flags & SQLITE_OPEN_URI != 0 || uri_by_default;
    let Some(rest) = filename.strip_prefix(b"file:").filter(|_| is_uri) else {
        return Ok(Target {
            path: filename.to_vec(),
            flags,
            vfs,
        });
    };
    let rest = strip_authority(rest)?;
    let rest = rest.split(|&b| b == b'#').next().unwrap_or_default();
    let (path, query) = match rest.iter().position(|&b| b == b'?') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    let mut target = Target {
        path: decode(path),
        flags,
        vfs,
    };
    for pair in query.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (decode(&pair[..at]), decode(&pair[at + 1..])),
            None => (decode(pair), Vec::new()),
        };
        apply_parameter(&mut target, &key, value)?;
    }
    Ok(target)
}

/// Skips `//authority`: only an empty one or `localhost` is allowed.
fn strip_authority(rest: &[u8]) -> Result<&[u8], (c_int, String)> {
    let Some(after) = rest.strip_prefix(b"//") else {
        return Ok(rest);
    };
    let end = after.iter().position(|&b| b == b'/').unwrap_or(after.len());
    let authority = &after[..end];
    if !authority.is_empty() && authority != b"localhost" {
        let shown = String::from_utf8_lossy(authority);
        return Err((SQLITE_ERROR, format!("invalid uri authority: {shown}")));
    }
    Ok(&after[end..])
}

/// Decodes `%HH` escapes; a lone `%` stays as it is, and an escaped NUL ends the text.
fn decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let escaped = (text[i] == b'%')
            .then(|| Some((hex(*text.get(i + 1)?)?, hex(*text.get(i + 2)?)?)))
            .flatten();
        match escaped {
            Some((0, 0)) => break,
            Some((high, low)) => {
                out.push(high << 4 | low);
                i += 3;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

/// Applies one query parameter to the target.
fn apply_parameter(target: &mut Target, key: &[u8], value: Vec<u8>) -> Result<(), (c_int, String)> {
    match key {
        b"vfs" => target.vfs = Some(value),
        b"mode" => {
            let mask = SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                | SQLITE_OPEN_MEMORY;
            let mode = match value.as_slice() {
                b"ro" => SQLITE_OPEN_READONLY,
                b"rw" => SQLITE_OPEN_READWRITE,
                b"rwc" => SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                b"memory" => SQLITE_OPEN_MEMORY,
                _ => return Err(no_such_mode("access", &value)),
            };
            // The modes are ordered ro < rw < rwc: one above the caller's is more access.
            if mode & !SQLITE_OPEN_MEMORY > target.flags & mask & !SQLITE_OPEN_MEMORY {
                let shown = String::from_utf8_lossy(&value);
                return Err((SQLITE_PERM, format!("access mode not allowed: {shown}")));
            }
            target.flags = (target.flags & !mask) | mode;
        }
        b"cache" => {
            let mode = match value.as_slice() {
                b"shared" => SQLITE_OPEN_SHAREDCACHE,
                b"private" => SQLITE_OPEN_PRIVATECACHE,
                _ => return Err(no_such_mode("cache", &value)),
            };
            let mask = SQLITE_OPEN_SHAREDCACHE | SQLITE_OPEN_PRIVATECACHE;
            target.flags = (target.flags & !mask) | mode;
        }
        _ => {}
    }
    Ok(())
}

fn no_such_mode(kind: &str, value: &[u8]) -> (c_int, String) {
    let shown = String::from_utf8_lossy(value);
    (SQLITE_ERROR, format!("no such {kind} mode: {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RWC: c_int = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;

    fn path_of(name: &str) -> Vec<u8> {
        parse(name.as_bytes(), RWC, None, false).expect("valid").path
    }

    #[test]
    fn paths_are_decoded_and_cut_at_query_and_fragment() {
        assert_eq!(path_of("file:a%20b.db"), b"a b.db");
        assert_eq!(path_of("file:///tmp/x.db?mode=rw#frag"), b"/tmp/x.db");
        assert_eq!(path_of("file://localhost/tmp/x.db"), b"/tmp/x.db");
        assert_eq!(path_of("file:50%"), b"50%");
        assert_eq!(path_of("file:%zz"), b"%zz");
        assert_eq!(path_of("file:ab%00cd"), b"ab");
        assert_eq!(path_of("file:%ff"), [0xff]);
        assert_eq!(path_of("file::memory:"), b":memory:");
    }

    #[test]
    fn without_the_uri_flag_a_name_is_a_path() {
        let flags = SQLITE_OPEN_READWRITE;
        let target = parse(b"file:x?mode=ro", flags, None, false).expect("plain");
        assert_eq!(target.path, b"file:x?mode=ro");
        assert_eq!(target.flags, flags);
        let target = parse(b"file:x?mode=ro", flags, None, true).expect("uri by default");
        assert_eq!(target.path, b"x");
        assert_eq!(target.flags, SQLITE_OPEN_READONLY);
    }

    #[test]
    fn modes_never_grant_more_than_the_flags() {
        let ro = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
        let err = parse(b"file:x?mode=rw", ro, None, false).expect_err("more access");
        assert_eq!(err, (SQLITE_PERM, "access mode not allowed: rw".to_string()));
        let err = parse(b"file:x?mode=bad", RWC, None, false).expect_err("unknown mode");
        assert_eq!(err, (SQLITE_ERROR, "no such access mode: bad".to_string()));
        let err = parse(b"file://host/x", RWC, None, false).expect_err("authority");
        assert_eq!(err, (SQLITE_ERROR, "invalid uri authority: host".to_string()));
        let target = parse(b"file:x?mode=memory&vfs=unix", RWC, None, false).expect("memory");
        assert_ne!(target.flags & SQLITE_OPEN_MEMORY, 0);
        assert_eq!(target.vfs.as_deref(), Some(&b"unix"[..]));
    }
}
