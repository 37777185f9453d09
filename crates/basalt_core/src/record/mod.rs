//! SQLite's record format: the encoding of a row (table b-tree payload) or an index key (index
//! b-tree payload), and the comparison that orders index keys.
//!
//! A record is a header followed by a body. The header starts with its own size in bytes as a
//! varint (the size counts that varint too), then holds one serial type per column; the body holds
//! each column's content, in column order, with the length the serial type implies.
//!
//! Invariants this module keeps:
//! - Decoding never trusts the bytes. Every header varint, serial type and body offset is
//!   bounds-checked, and any inconsistency (header size outside the payload, a serial type
//!   varint running past the header's end, a reserved serial type, a body too short for its
//!   serial types) is an [`Error::corrupt`](crate::Error::corrupt), never a panic.
//! - Text is bytes. The record layer never validates or converts text encoding, so invalid
//!   UTF-8 read from a file is written back unchanged.
//! - Encoding is byte-identical to SQLite writing schema format 4: integers take the smallest
//!   serial type (8 and 9 for 0 and 1), reals are always serial type 7, and a NaN is stored as
//!   NULL, as SQLite does, so records never hold a NaN and ordering is total.
//! - Decoding and comparing never allocate: the b-tree compares keys on every seek step, and a
//!   [`RecordHeader`] is a buffer meant to be reused across rows.
//! - A column past the end of a record's header is absent, not an error: rows written before an
//!   `ALTER TABLE ADD COLUMN` are shorter, and the engine supplies the default.

mod compare;
mod decode;
mod encode;
mod serial;
pub mod user_collations;
mod value;
mod varint;

pub use compare::{
    compare_first_integer, compare_records, compare_unpacked, compare_values, unpack_short,
    Collation, KeyColumn, KeyInfo, SortOrder,
};
pub use decode::{decode_record, RecordHeader, RecordIter};
pub use encode::encode_record;
pub use serial::SerialType;
pub use value::{Value, ValueRef};
pub use varint::{get_varint, push_varint, put_varint, varint_len, MAX_VARINT_LEN};
