//! SQLite's keyword table and the rules that let most keywords act as
//! identifiers.
//!
//! Invariants:
//! - `lookup` recognises exactly the 147 keywords of SQLite 3.54 (ASCII,
//!   case-insensitive); `ROWID`, `STRICT`, `TRUE`, `FALSE` and `CONCURRENT`
//!   are ordinary identifiers, as in SQLite.
//! - `Keyword::falls_back_to_id` mirrors SQLite's `%fallback ID` list: such a
//!   keyword is read as an identifier wherever the grammar has no use for it
//!   as a keyword. `JOIN_KW` keywords and `INDEXED` are not on that list but
//!   the grammar accepts them in name positions (see `parser::names`).

macro_rules! keywords {
    ($($variant:ident $text:literal $fallback:literal,)*) => {
        /// One SQLite keyword.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Keyword { $($variant,)* }

        impl Keyword {
            /// The keyword as SQLite spells it (upper case).
            pub fn as_str(self) -> &'static str {
                match self { $(Keyword::$variant => $text,)* }
            }

            /// Whether SQLite's grammar lets this keyword fall back to an
            /// identifier when the parser state has no action for it.
            pub fn falls_back_to_id(self) -> bool {
                match self { $(Keyword::$variant => $fallback,)* }
            }

            /// Every keyword, in alphabetical order.
            pub const ALL: &'static [Keyword] = &[$(Keyword::$variant,)*];
        }

        /// The spelling of each keyword of `Keyword::ALL`, at the same index.
        const TEXTS: &[&str] = &[$($text,)*];
    };
}

keywords! {
    Abort "ABORT" true, Action "ACTION" true, Add "ADD" false, After "AFTER" true,
    All "ALL" false, Alter "ALTER" false, Always "ALWAYS" true, Analyze "ANALYZE" true,
    And "AND" false, As "AS" false, Asc "ASC" true, Attach "ATTACH" true,
    Autoincrement "AUTOINCREMENT" false, Before "BEFORE" true, Begin "BEGIN" true,
    Between "BETWEEN" false, By "BY" true, Cascade "CASCADE" true, Case "CASE" false,
    Cast "CAST" true, Check "CHECK" false, Collate "COLLATE" false, Column "COLUMN" true,
    Commit "COMMIT" false, Conflict "CONFLICT" true, Constraint "CONSTRAINT" false,
    Create "CREATE" false, Cross "CROSS" false, Current "CURRENT" true,
    CurrentDate "CURRENT_DATE" true, CurrentTime "CURRENT_TIME" true,
    CurrentTimestamp "CURRENT_TIMESTAMP" true, Database "DATABASE" true,
    Default "DEFAULT" false, Deferrable "DEFERRABLE" false, Deferred "DEFERRED" true,
    Delete "DELETE" false, Desc "DESC" true, Detach "DETACH" true, Distinct "DISTINCT" false,
    Do "DO" true, Drop "DROP" false, Each "EACH" true, Else "ELSE" false, End "END" true,
    Escape "ESCAPE" false, Except "EXCEPT" false, Exclude "EXCLUDE" true,
    Exclusive "EXCLUSIVE" true, Exists "EXISTS" false, Explain "EXPLAIN" true,
    Fail "FAIL" true, Filter "FILTER" false, First "FIRST" true, Following "FOLLOWING" true,
    For "FOR" true, Foreign "FOREIGN" false, From "FROM" false, Full "FULL" false,
    Generated "GENERATED" true, Glob "GLOB" true, Group "GROUP" false, Groups "GROUPS" true,
    Having "HAVING" false, If "IF" true, Ignore "IGNORE" true, Immediate "IMMEDIATE" true,
    In "IN" false, Index "INDEX" false, Indexed "INDEXED" false, Initially "INITIALLY" true,
    Inner "INNER" false, Insert "INSERT" false, Instead "INSTEAD" true,
    Intersect "INTERSECT" false, Into "INTO" false, Is "IS" false, Isnull "ISNULL" false,
    Join "JOIN" false, Key "KEY" true, Last "LAST" true, Left "LEFT" false, Like "LIKE" true,
    Limit "LIMIT" false, Match "MATCH" true, Materialized "MATERIALIZED" true,
    Natural "NATURAL" false, No "NO" true, Not "NOT" false, Nothing "NOTHING" false,
    Notnull "NOTNULL" false, Null "NULL" false, Nulls "NULLS" true, Of "OF" true,
    Offset "OFFSET" true, On "ON" false, Or "OR" false, Order "ORDER" false,
    Others "OTHERS" true, Outer "OUTER" false, Over "OVER" false, Partition "PARTITION" true,
    Plan "PLAN" true, Pragma "PRAGMA" true, Preceding "PRECEDING" true,
    Primary "PRIMARY" false, Query "QUERY" true, Raise "RAISE" true, Range "RANGE" true,
    Recursive "RECURSIVE" true, References "REFERENCES" false, Regexp "REGEXP" true,
    Reindex "REINDEX" true, Release "RELEASE" true, Rename "RENAME" true,
    Replace "REPLACE" true, Restrict "RESTRICT" true, Returning "RETURNING" false,
    Right "RIGHT" false, Rollback "ROLLBACK" true, Row "ROW" true, Rows "ROWS" true,
    Savepoint "SAVEPOINT" true, Select "SELECT" false, Set "SET" false, Table "TABLE" false,
    Temp "TEMP" true, Temporary "TEMPORARY" true, Then "THEN" false, Ties "TIES" true,
    To "TO" false, Transaction "TRANSACTION" false, Trigger "TRIGGER" true,
    Unbounded "UNBOUNDED" true, Union "UNION" false, Unique "UNIQUE" false,
    Update "UPDATE" false, Using "USING" false, Vacuum "VACUUM" true, Values "VALUES" false,
    View "VIEW" true, Virtual "VIRTUAL" true, When "WHEN" false, Where "WHERE" false,
    Window "WINDOW" false, With "WITH" true, Without "WITHOUT" true,
}

impl Keyword {
    /// `CROSS FULL INNER LEFT NATURAL OUTER RIGHT`: SQLite's `JOIN_KW` class.
    pub fn is_join_kw(self) -> bool {
        matches!(
            self,
            Keyword::Cross
                | Keyword::Full
                | Keyword::Inner
                | Keyword::Left
                | Keyword::Natural
                | Keyword::Outer
                | Keyword::Right
        )
    }

    /// `LIKE GLOB REGEXP`: SQLite's `LIKE_KW` class.
    pub fn is_like_kw(self) -> bool {
        matches!(self, Keyword::Like | Keyword::Glob | Keyword::Regexp)
    }
}

/// Slots of the keyword hash table: a power of two, about 3.5 times the keyword count, so that
/// most identifiers that are not keywords land on an empty slot at once.
const SLOT_BITS: u32 = 9;

/// Open-addressing hash table of the keywords (linear probing): each slot holds an index into
/// `Keyword::ALL` plus one, or 0 when empty. Built at compile time; never full, so every probe
/// sequence ends at an empty slot.
const SLOTS: [u8; 1 << SLOT_BITS] = slots();

/// The hash of a word of at least two bytes from its length and its first, second and last
/// bytes, upper-cased (keywords are case-insensitive). Multiplicative hashing spreads the 147
/// keywords with at most 5 probes each.
const fn slot_of(first: u8, second: u8, last: u8, len: usize) -> usize {
    let key = (first.to_ascii_uppercase() as u32)
        | ((last.to_ascii_uppercase() as u32) << 8)
        | ((len as u32) << 16)
        | ((second.to_ascii_uppercase() as u32) << 24);
    (key.wrapping_mul(0x27D4_EB2F) >> (32 - SLOT_BITS)) as usize
}

const fn slots() -> [u8; 1 << SLOT_BITS] {
    let mut out = [0u8; 1 << SLOT_BITS];
    let mut i = 0;
    while i < TEXTS.len() {
        let t = TEXTS[i].as_bytes();
        let mut slot = slot_of(t[0], t[1], t[t.len() - 1], t.len());
        while out[slot] != 0 {
            slot = (slot + 1) & ((1 << SLOT_BITS) - 1);
        }
        out[slot] = (i + 1) as u8;
        i += 1;
    }
    out
}

/// The keyword spelled by `word` (ASCII case-insensitive), if any. Every identifier of every
/// statement comes through here (a schema load tokenizes each CREATE text), so it hashes the
/// word once and compares bytes only with the keywords in its probe sequence.
pub fn lookup(word: &[u8]) -> Option<Keyword> {
    if word.len() < 2 || word.len() > 17 {
        return None;
    }
    let mut slot = slot_of(word[0], word[1], word[word.len() - 1], word.len());
    loop {
        let entry = usize::from(SLOTS[slot]);
        if entry == 0 {
            return None;
        }
        let text = TEXTS[entry - 1].as_bytes();
        if text.len() == word.len() && same_letters(text, word) {
            return Some(Keyword::ALL[entry - 1]);
        }
        slot = (slot + 1) & ((1 << SLOT_BITS) - 1);
    }
}

/// Whether `word` spells `keyword` (upper-case letters and `_`) in any case. Clearing bit 5
/// upper-cases a letter; the only other byte it maps onto a keyword's byte is DEL onto `_`,
/// excluded explicitly (callers may pass any name, not only tokens).
fn same_letters(keyword: &[u8], word: &[u8]) -> bool {
    debug_assert!(keyword.iter().all(|&k| k.is_ascii_uppercase() || k == b'_'));
    keyword
        .iter()
        .zip(word)
        .all(|(&k, &w)| w & !0x20 == k && w != 0x7F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(Keyword::ALL.len(), 147);
        assert_eq!(TEXTS.len(), Keyword::ALL.len());
        assert!(Keyword::ALL.len() < usize::from(u8::MAX));
        for pair in Keyword::ALL.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str(), "{:?}", pair);
        }
        for k in Keyword::ALL {
            assert_eq!(lookup(k.as_str().to_lowercase().as_bytes()), Some(*k));
        }
        assert_eq!(lookup(b"rowid"), None);
        assert_eq!(lookup(b"concurrent"), None);
        assert_eq!(lookup(b"_abort"), None);
        assert_eq!(lookup(b"zz"), None);
        assert_eq!(lookup(b"Without"), Some(Keyword::Without));
        assert_eq!(lookup("é\u{301}".as_bytes()), None);
        assert_eq!(lookup(b"ab\xC3\xA9"), None);
        assert_eq!(lookup(b"current\x7Fdate"), None);
        assert_eq!(lookup(b"Current_Date"), Some(Keyword::CurrentDate));
    }
}
