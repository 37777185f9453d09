//! The 100-byte database header at the start of page 1 (fileformat2.html §1.3).
//!
//! Parsing validates every field SQLite validates and refuses, with a clear error, what Basalt
//! does not support yet; serialising writes exactly the bytes SQLite would. The header is the
//! one piece of page 1 the pager owns; the rest of page 1 is the schema table's b-tree root.

use crate::error::{Error, ErrorCode, Result};

pub const HEADER_SIZE: usize = 100;
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The SQLite version Basalt tracks, written into byte 96 as SQLite does.
pub const SQLITE_VERSION_NUMBER: u32 = 3_054_001;
pub const DEFAULT_PAGE_SIZE: usize = 4096;
/// The byte offset of the lock-byte page; the page that contains it is never used.
pub const PENDING_BYTE: u64 = 0x4000_0000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8 = 1,
    Utf16le = 2,
    Utf16be = 3,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseHeader {
    pub page_size: usize,
    /// 1 = rollback journal (legacy), 2 = WAL.
    pub write_version: u8,
    pub read_version: u8,
    pub reserved_bytes: u8,
    pub change_counter: u32,
    pub database_size: u32,
    pub first_freelist_trunk: u32,
    pub freelist_count: u32,
    pub schema_cookie: u32,
    pub schema_format: u32,
    pub default_cache_size: i32,
    /// Non-zero in auto-vacuum and incremental-vacuum databases.
    pub largest_root_page: u32,
    pub text_encoding: TextEncoding,
    pub user_version: i32,
    pub incremental_vacuum: u32,
    pub application_id: i32,
    pub version_valid_for: u32,
    pub sqlite_version: u32,
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The page number of the lock-byte page for `page_size`.
pub fn lock_byte_page(page_size: usize) -> u32 {
    (PENDING_BYTE / page_size as u64) as u32 + 1
}

pub fn is_valid_page_size(size: usize) -> bool {
    (512..=65536).contains(&size) && size.is_power_of_two()
}

impl DatabaseHeader {
    /// The header of a new, empty database.
    pub fn new(page_size: usize) -> DatabaseHeader {
        debug_assert!(is_valid_page_size(page_size));
        DatabaseHeader {
            page_size,
            write_version: 1,
            read_version: 1,
            reserved_bytes: 0,
            change_counter: 1,
            database_size: 1,
            first_freelist_trunk: 0,
            freelist_count: 0,
            schema_cookie: 0,
            schema_format: 4,
            default_cache_size: 0,
            largest_root_page: 0,
            text_encoding: TextEncoding::Utf8,
            user_version: 0,
            incremental_vacuum: 0,
            application_id: 0,
            version_valid_for: 1,
            sqlite_version: SQLITE_VERSION_NUMBER,
        }
    }

    /// Parse and validate. A file that is not an SQLite database is `SQLITE_NOTADB`.
    pub fn parse(bytes: &[u8]) -> Result<DatabaseHeader> {
        let not_a_db = |detail: &str| Error {
            detail: Some(detail.to_string()),
            ..Error::code(ErrorCode::NotADb)
        };
        if bytes.len() < HEADER_SIZE || &bytes[..16] != MAGIC {
            return Err(not_a_db("bad magic"));
        }
        let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
            1 => 65536,
            n => n as usize,
        };
        if !is_valid_page_size(page_size) {
            return Err(not_a_db("invalid page size"));
        }
        let (write_version, read_version) = (bytes[18], bytes[19]);
        if read_version > 2 {
            // SQLite opens such a file read-only only if write_version allows; it never reads it.
            return Err(not_a_db(
                "file format read version is newer than this library",
            ));
        }
        if bytes[21] != 64 || bytes[22] != 32 || bytes[23] != 32 {
            return Err(not_a_db("payload fractions are not 64/32/32"));
        }
        let reserved_bytes = bytes[20];
        if page_size - (reserved_bytes as usize) < 480 {
            return Err(not_a_db("usable page size below 480 bytes"));
        }
        let text_encoding = match be32(bytes, 56) {
            0 | 1 => TextEncoding::Utf8,
            2 => TextEncoding::Utf16le,
            3 => TextEncoding::Utf16be,
            _ => return Err(not_a_db("unknown text encoding")),
        };
        let schema_format = be32(bytes, 44);
        if schema_format > 4 {
            return Err(Error::new(ErrorCode::Error, "unsupported file format"));
        }
        Ok(DatabaseHeader {
            page_size,
            write_version,
            read_version,
            reserved_bytes,
            change_counter: be32(bytes, 24),
            database_size: be32(bytes, 28),
            first_freelist_trunk: be32(bytes, 32),
            freelist_count: be32(bytes, 36),
            schema_cookie: be32(bytes, 40),
            schema_format,
            default_cache_size: be32(bytes, 48) as i32,
            largest_root_page: be32(bytes, 52),
            text_encoding,
            user_version: be32(bytes, 60) as i32,
            incremental_vacuum: be32(bytes, 64),
            application_id: be32(bytes, 68) as i32,
            version_valid_for: be32(bytes, 92),
            sqlite_version: be32(bytes, 96),
        })
    }

    /// Write the header into the first 100 bytes of `out`.
    pub fn write(&self, out: &mut [u8]) {
        assert!(out.len() >= HEADER_SIZE, "page 1 holds the whole header");
        let put =
            |out: &mut [u8], at: usize, v: u32| out[at..at + 4].copy_from_slice(&v.to_be_bytes());
        out[..16].copy_from_slice(MAGIC);
        let size_field = if self.page_size == 65536 {
            1
        } else {
            self.page_size as u16
        };
        out[16..18].copy_from_slice(&size_field.to_be_bytes());
        out[18] = self.write_version;
        out[19] = self.read_version;
        out[20] = self.reserved_bytes;
        out[21] = 64;
        out[22] = 32;
        out[23] = 32;
        put(out, 24, self.change_counter);
        put(out, 28, self.database_size);
        put(out, 32, self.first_freelist_trunk);
        put(out, 36, self.freelist_count);
        put(out, 40, self.schema_cookie);
        put(out, 44, self.schema_format);
        put(out, 48, self.default_cache_size as u32);
        put(out, 52, self.largest_root_page);
        put(out, 56, self.text_encoding as u32);
        put(out, 60, self.user_version as u32);
        put(out, 64, self.incremental_vacuum);
        put(out, 68, self.application_id as u32);
        out[72..92].fill(0);
        put(out, 92, self.version_valid_for);
        put(out, 96, self.sqlite_version);
    }

    pub fn usable_size(&self) -> usize {
        self.page_size - self.reserved_bytes as usize
    }

    /// The database size in pages: the header's field when SQLite would trust it, else derived
    /// from the file size (the field is only valid when the change counter matches
    /// version-valid-for, i.e. the last writer knew about the field).
    pub fn page_count(&self, file_size: u64) -> u32 {
        let from_file = (file_size / self.page_size as u64).min(u32::MAX as u64) as u32;
        if self.database_size != 0 && self.change_counter == self.version_valid_for {
            self.database_size
        } else {
            from_file
        }
    }

    pub fn is_wal(&self) -> bool {
        self.read_version == 2 || self.write_version == 2
    }

    pub fn is_auto_vacuum(&self) -> bool {
        self.largest_root_page != 0
    }
}

/// Byte offsets of header fields that the b-tree layer updates in place on page 1.
pub mod offset {
    pub const FIRST_FREELIST_TRUNK: usize = 32;
    pub const FREELIST_COUNT: usize = 36;
    pub const SCHEMA_COOKIE: usize = 40;
    pub const USER_VERSION: usize = 60;
    pub const APPLICATION_ID: usize = 68;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_page_size() {
        for shift in 9..=16 {
            let mut header = DatabaseHeader::new(1 << shift);
            header.user_version = -7;
            header.application_id = 0x1234_5678;
            let mut bytes = vec![0u8; 100];
            header.write(&mut bytes);
            assert_eq!(DatabaseHeader::parse(&bytes).unwrap(), header);
        }
    }

    #[test]
    fn rejects_bad_headers() {
        let mut bytes = vec![0u8; 100];
        DatabaseHeader::new(4096).write(&mut bytes);
        for (at, value) in [(0, b'X'), (16, 3), (21, 65), (19, 3)] {
            let mut bad = bytes.clone();
            bad[at] = value;
            let err = DatabaseHeader::parse(&bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::NotADb, "byte {at}");
        }
        assert!(DatabaseHeader::parse(&bytes[..50]).is_err());
    }

    #[test]
    fn lock_byte_page_numbers() {
        assert_eq!(lock_byte_page(4096), 262_145);
        assert_eq!(lock_byte_page(65536), 16_385);
        assert_eq!(lock_byte_page(512), 2_097_153);
    }
}
