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

/// `BUCKETS[l]..BUCKETS[l + 1]` is the range of `Keyword::ALL` whose spellings start with
/// letter `l` (0 = `A`): the table is sorted, so each letter's keywords are contiguous.
const BUCKETS: [u8; 27] = buckets();

const fn buckets() -> [u8; 27] {
    let mut out = [0u8; 27];
    let mut letter = 0;
    while letter < 27 {
        let mut i = 0;
        while i < TEXTS.len() && ((TEXTS[i].as_bytes()[0] - b'A') as usize) < letter {
            i += 1;
        }
        out[letter] = i as u8;
        letter += 1;
    }
    out
}

/// The keyword spelled by `word` (ASCII case-insensitive), if any. Every identifier of every
/// statement comes through here (a schema load tokenizes each CREATE text), so it looks only at
/// the keywords of the word's first letter, and compares lengths before bytes.
pub fn lookup(word: &[u8]) -> Option<Keyword> {
    if word.len() < 2 || word.len() > 17 || !word[0].is_ascii_alphabetic() {
        return None;
    }
    let mut buf = [0u8; 17];
    for (dst, src) in buf.iter_mut().zip(word) {
        *dst = src.to_ascii_uppercase();
    }
    let upper = &buf[..word.len()];
    let letter = usize::from(upper[0] - b'A');
    let range = usize::from(BUCKETS[letter])..usize::from(BUCKETS[letter + 1]);
    TEXTS[range.clone()]
        .iter()
        .position(|text| text.as_bytes() == upper)
        .map(|i| Keyword::ALL[range.start + i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(Keyword::ALL.len(), 147);
        assert_eq!(TEXTS.len(), Keyword::ALL.len());
        assert_eq!(usize::from(BUCKETS[26]), Keyword::ALL.len());
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
    }
}
