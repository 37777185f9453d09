//! Reading records: a lazy column walk ([`RecordIter`]) for one pass, and a reusable parsed
//! header ([`RecordHeader`]) for random access to columns.

use super::serial::SerialType;
use super::value::{Value, ValueRef};
use super::varint::get_varint;
use crate::ensure_sound;
use crate::error::{Error, Result};

/// Walks a record's columns in order, reading the header only as far as needed.
///
/// Bounds are checked as it goes, so a corrupt column is reported when reached; after an error
/// the walk ends.
#[derive(Clone, Debug)]
pub struct RecordIter<'a> {
    record: &'a [u8],
    /// Next serial type to read; `header_pos <= header_end <= record.len()` always.
    header_pos: usize,
    header_end: usize,
    /// Start of the next column's content; `header_end <= body_pos <= record.len()` always.
    body_pos: usize,
}

impl<'a> RecordIter<'a> {
    /// Reads the header size; the serial types are read by the walk.
    #[inline]
    pub fn new(record: &'a [u8]) -> Result<RecordIter<'a>> {
        let (header_len, size_len) = get_varint(record)?;
        ensure_sound!(
            header_len >= size_len as u64 && header_len <= record.len() as u64,
            "record header size {header_len} outside payload of {} bytes",
            record.len()
        );
        let header_end = header_len as usize;
        Ok(RecordIter {
            record,
            header_pos: size_len,
            header_end,
            body_pos: header_end,
        })
    }

    /// The size of the header, which is where the body starts.
    pub fn header_len(&self) -> usize {
        self.header_end
    }

    /// Where the next column's content starts; once the walk is done, where the last column's
    /// content ends (bytes past it are not part of any column).
    pub fn body_pos(&self) -> usize {
        self.body_pos
    }

    /// The next column's serial type and content, or `None` past the last column.
    #[inline]
    pub fn next_column(&mut self) -> Result<Option<(SerialType, &'a [u8])>> {
        if self.header_pos >= self.header_end {
            return Ok(None);
        }
        match self.read_column() {
            Ok(column) => Ok(Some(column)),
            Err(e) => {
                self.header_pos = self.header_end;
                Err(e)
            }
        }
    }

    /// The next column's value, or `None` past the last column.
    #[inline]
    pub fn next_value(&mut self) -> Result<Option<ValueRef<'a>>> {
        Ok(self
            .next_column()?
            .map(|(serial_type, content)| serial_type.decode(content)))
    }

    #[inline]
    fn read_column(&mut self) -> Result<(SerialType, &'a [u8])> {
        let header = &self.record[self.header_pos..self.header_end];
        let (raw, raw_len) = get_varint(header)
            .map_err(|_| Error::corrupt("serial type varint runs past the record header"))?;
        let serial_type = SerialType::from_raw(raw)?;
        let start = self.body_pos;
        let content = (start as u64)
            .checked_add(serial_type.content_len())
            .and_then(|end| self.record.get(start..usize::try_from(end).ok()?))
            .ok_or_else(|| {
                Error::corrupt(format!(
                    "serial type {raw} at body offset {start} runs past record of {} bytes",
                    self.record.len()
                ))
            })?;
        self.header_pos += raw_len;
        self.body_pos = start + content.len();
        Ok((serial_type, content))
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Result<ValueRef<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_value().transpose()
    }
}

/// Decodes every column of `record` into owned values.
pub fn decode_record(record: &[u8]) -> Result<Vec<Value>> {
    RecordIter::new(record)?
        .map(|v| v.map(ValueRef::to_value))
        .collect()
}

/// Marks, in `SMALL_LEN`, a header byte the one-byte fast path does not take: a varint's first
/// byte (0x80 and up) or a reserved serial type (10, 11).
const BAD: u8 = 0x80;

/// The content length of each one-byte serial type (`SerialType::content_len`, all under 64),
/// or `BAD`.
const SMALL_LEN: [u8; 256] = {
    let mut table = [BAD; 256];
    let mut raw = 0;
    while raw < 0x80 {
        table[raw] = match raw {
            0 | 8 | 9 => 0,
            1..=4 => raw as u8,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => BAD,
            n => ((n - 12) / 2) as u8,
        };
        raw += 1;
    }
    table
};

/// A record's parsed header: each column's serial type and body offset, for O(1) access to any
/// column. Parsing validates the whole header against the record, so reading a column cannot
/// fail on that record.
///
/// Meant to be kept and reused: [`RecordHeader::parse`] reuses the buffer, so a scan allocates
/// only while rows keep getting wider.
#[derive(Clone, Debug, Default)]
pub struct RecordHeader {
    /// Each column's serial type and where its content starts and ends in the record.
    columns: Vec<(SerialType, u32, u32)>,
    header_len: u32,
    body_end: u32,
}

impl RecordHeader {
    pub fn new() -> RecordHeader {
        RecordHeader::default()
    }

    /// Parses the header of `record`, replacing what was parsed before. On error the header is
    /// left empty. The common header (`parse_small`) is parsed inline, anything else out of line.
    #[inline]
    pub fn parse(&mut self, record: &[u8]) -> Result<()> {
        self.columns.clear();
        // Offsets are stored as u32 to keep the buffer small; SQLite payloads never reach 4 GiB.
        if u32::try_from(record.len()).is_ok() && self.parse_small(record) {
            return Ok(());
        }
        self.parse_general(record)
    }

    #[inline(never)]
    fn parse_general(&mut self, record: &[u8]) -> Result<()> {
        self.columns.clear();
        self.header_len = 0;
        self.body_end = 0;
        let parsed = self.parse_columns(record);
        if parsed.is_err() {
            self.columns.clear();
        }
        parsed
    }

    fn parse_columns(&mut self, record: &[u8]) -> Result<()> {
        ensure_sound!(
            u32::try_from(record.len()).is_ok(),
            "record of {} bytes is too large",
            record.len()
        );
        let mut iter = RecordIter::new(record)?;
        while let Some((serial_type, content)) = iter.next_column()? {
            let end = iter.body_pos();
            self.columns
                .push((serial_type, (end - content.len()) as u32, end as u32));
        }
        self.header_len = iter.header_len() as u32;
        self.body_end = iter.body_pos() as u32;
        Ok(())
    }

    /// The common case in one tight loop, as a scan parses a header per row: a header under
    /// 128 bytes whose serial types are all one byte, every column inside the record. Returns
    /// `false` (columns possibly half filled) on anything else, which the general walk then
    /// parses again, reporting any corruption as it always does.
    ///
    /// Each serial type costs a table load and an add: the lengths come from `SMALL_LEN`, whose
    /// `BAD` bit marks what this path refuses, checked once after the loop; the offsets only grow
    /// (by under 64 per column), so the last column's end alone is checked against the record.
    #[inline(always)]
    fn parse_small(&mut self, record: &[u8]) -> bool {
        let header_end = match record.first() {
            Some(&n) if (1..0x80).contains(&n) && usize::from(n) <= record.len() => usize::from(n),
            _ => return false,
        };
        let mut body = header_end as u32;
        let mut flags = 0u8;
        // A slice iterator has an exact length: `extend` reserves once, with no per-push check.
        self.columns
            .extend(record[1..header_end].iter().map(|&raw| {
                let len = SMALL_LEN[usize::from(raw)];
                flags |= len;
                let start = body;
                body += u32::from(len & !BAD);
                (SerialType::SMALL[usize::from(raw)], start, body)
            }));
        if flags & BAD != 0 || body as usize > record.len() {
            return false;
        }
        self.header_len = header_end as u32;
        self.body_end = body;
        true
    }

    /// The number of columns the record holds.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    pub fn header_len(&self) -> usize {
        self.header_len as usize
    }

    /// Where the last column's content ends. Bytes between it and the end of the payload belong
    /// to no column; SQLite tolerates them, and an integrity check may report them.
    pub fn body_end(&self) -> usize {
        self.body_end as usize
    }

    /// The serial type of column `i`, or `None` if the record has fewer columns.
    #[inline]
    pub fn serial_type(&self, i: usize) -> Option<SerialType> {
        self.columns.get(i).map(|&(serial_type, ..)| serial_type)
    }

    /// Column `i` of `record`, which must be the record this header was parsed from; `None` if
    /// the record has fewer columns (the caller supplies the column's default).
    ///
    /// A different, shorter record is a misuse error rather than a panic.
    #[inline]
    pub fn column<'a>(&self, record: &'a [u8], i: usize) -> Result<Option<ValueRef<'a>>> {
        self.column_at(record, 0, i)
    }

    /// `column` of the record that starts at `base` in `bytes` (a row read in place in a page).
    #[inline(always)]
    pub fn column_at<'a>(
        &self,
        bytes: &'a [u8],
        base: usize,
        i: usize,
    ) -> Result<Option<ValueRef<'a>>> {
        let Some(&(serial_type, start, end)) = self.columns.get(i) else {
            return Ok(None);
        };
        match bytes.get(base + start as usize..base + end as usize) {
            Some(content) => Ok(Some(serial_type.decode(content))),
            None => Err(Error::misuse(
                "record header used with a record it was not parsed from",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::encode::encode_record;
    use super::*;

    fn corrupt(record: &[u8]) -> bool {
        let lazy = decode_record(record);
        let mut header = RecordHeader::new();
        let parsed = header.parse(record);
        assert_eq!(
            lazy.is_err(),
            parsed.is_err(),
            "lazy and parsed disagree on {record:?}"
        );
        match lazy {
            Err(e) => {
                assert!(e.is_corrupt(), "{e}");
                assert!(header.is_empty());
                true
            }
            Ok(_) => false,
        }
    }

    #[test]
    fn random_access_and_absent_columns() {
        let values = [
            ValueRef::Integer(300),
            ValueRef::Null,
            "abc".into(),
            ValueRef::Real(2.5),
        ];
        let mut record = Vec::new();
        encode_record(&values, &mut record);
        let mut header = RecordHeader::new();
        header.parse(&record).unwrap();
        assert_eq!(header.len(), 4);
        assert_eq!(header.header_len(), 5);
        assert_eq!(header.body_end(), record.len());
        for (i, v) in values.iter().enumerate().rev() {
            assert_eq!(header.column(&record, i).unwrap(), Some(*v));
        }
        assert_eq!(header.column(&record, 4).unwrap(), None);
        assert_eq!(header.serial_type(2).map(SerialType::raw), Some(19));
        assert_eq!(header.serial_type(4), None);
        assert!(header.column(&record[..7], 3).is_err());
    }

    #[test]
    fn small_lengths_match_serial_types() {
        for raw in 0..=255u8 {
            let expected = match SerialType::from_byte(raw) {
                Some(t) if raw < 0x80 => t.content_len() as u8,
                _ => BAD,
            };
            assert_eq!(SMALL_LEN[usize::from(raw)], expected, "serial type {raw}");
            if expected != BAD {
                assert_eq!(SerialType::SMALL[usize::from(raw)].raw(), u64::from(raw));
            }
        }
    }

    #[test]
    fn header_is_reusable() {
        let mut header = RecordHeader::new();
        let mut wide = Vec::new();
        encode_record(&[ValueRef::Integer(2); 5], &mut wide);
        header.parse(&wide).unwrap();
        let mut narrow = Vec::new();
        encode_record(&["x".into()], &mut narrow);
        header.parse(&narrow).unwrap();
        assert_eq!(header.len(), 1);
        assert_eq!(header.column(&narrow, 0).unwrap(), Some("x".into()));
        assert!(header.parse(&[9, 1]).is_err());
        assert!(header.is_empty());
    }

    #[test]
    fn inconsistencies_are_corrupt() {
        assert!(corrupt(&[]), "no header size");
        assert!(corrupt(&[0]), "header smaller than its size varint");
        assert!(
            corrupt(&[0x81, 0x01]),
            "header size 129 larger than the payload"
        );
        assert!(corrupt(&[3, 1]), "header size larger than the payload");
        assert!(corrupt(&[2, 10]), "reserved serial type 10");
        assert!(corrupt(&[2, 11]), "reserved serial type 11");
        assert!(
            corrupt(&[2, 0x81]),
            "serial type varint runs past the header"
        );
        assert!(corrupt(&[2, 1]), "body shorter than an int8");
        assert!(
            corrupt(&[3, 1, 6, 0, 0]),
            "body shorter than the second column"
        );
        assert!(corrupt(&[2, 23, b'a']), "text of 5 bytes in 1");
        let huge = [10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(corrupt(&huge), "blob length near 2^63");
    }

    #[test]
    fn tolerated_shapes() {
        assert!(!corrupt(&[1]), "zero columns");
        assert!(!corrupt(&[2, 8, 0xee]), "bytes after the last column");
        assert_eq!(decode_record(&[2, 8, 0xee]).unwrap(), [Value::Integer(0)]);
        // A header size written in a longer varint than needed is still consistent.
        assert_eq!(
            decode_record(&[0x80, 0x03, 1, 5]).unwrap(),
            [Value::Integer(5)]
        );
    }

    #[test]
    fn iteration_stops_after_an_error() {
        let mut iter = RecordIter::new(&[3, 1, 1, 5]).unwrap();
        assert_eq!(iter.next_value().unwrap(), Some(ValueRef::Integer(5)));
        assert!(iter.next_value().is_err());
        assert_eq!(iter.next_value().unwrap(), None);
    }
}
