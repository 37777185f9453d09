//! The instruction set: SQLite-like opcodes over numbered registers and cursors.
//!
//! Jump targets are instruction addresses; `Reg` and `CursorId` index the VM's register file and
//! cursor table, both sized by the program's metadata. Operands that SQLite packs into P4/P5
//! (affinities, collations, key descriptions, constraint messages) are typed fields here.

use super::func::{Aggregate, Scalar};
use super::pragma::RuntimePragma;
use super::value::affinity_letter;
use crate::btree::{SeekOp, TreeKind};
use crate::error::ErrorCode;
use crate::hooks::UpdateReport;
use crate::integrity::TreeRoot;
use crate::pager::PageNo;
use crate::record::{Collation, KeyInfo, Value};
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::sql::arith::{ArithOp, BitOp};
use crate::wal::CheckpointMode;

pub type Reg = usize;
pub type Addr = usize;
pub type CursorId = usize;

/// Where a cursor's b-tree is: a known root page, or one a `CreateBtree` left in a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Page(PageNo),
    Reg(Reg),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// Whether the comparison holds for `ordering`: a bit of a per-operator mask (bit 0 Less,
    /// 1 Equal, 2 Greater), a table load and a shift rather than a jump per operator, as each
    /// compare of a scan's WHERE decides here.
    #[inline]
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        let mask: u8 = match self {
            CmpOp::Eq => 0b010,
            CmpOp::Ne => 0b101,
            CmpOp::Lt => 0b001,
            CmpOp::Le => 0b011,
            CmpOp::Gt => 0b100,
            CmpOp::Ge => 0b110,
        };
        (mask >> (ordering as i8 + 1)) & 1 != 0
    }

    fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "Eq",
            CmpOp::Ne => "Ne",
            CmpOp::Lt => "Lt",
            CmpOp::Le => "Le",
            CmpOp::Gt => "Gt",
            CmpOp::Ge => "Ge",
        }
    }
}

/// How a comparison treats NULL operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullMode {
    /// SQL's three-valued logic: the comparison is NULL (a jump is not taken; a stored result is
    /// NULL).
    Unknown,
    /// The comparison with a NULL operand jumps (SQLITE_JUMPIFNULL).
    Jump,
    /// `IS` / `IS NOT`: NULL equals NULL and differs from everything else.
    Is,
}

/// How a comparison reads its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CmpSpec {
    pub op: CmpOp,
    pub affinity: Affinity,
    pub collation: Collation,
    pub nulls: NullMode,
}

/// What a failed constraint does (the ON CONFLICT algorithm SQLite's OP_Halt receives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Undo the statement, keep the transaction.
    Abort,
    /// Keep the statement's earlier changes.
    Fail,
    /// Undo the whole transaction.
    Rollback,
}

// `repr(u8)`: the variant is a plain byte at the start, so the interpreter's dispatch reads it
// and jumps, with no decoding of a niche inside some variant's payload.
#[derive(Clone, Debug, PartialEq)]
#[repr(u8)]
pub enum Insn {
    /// The first instruction: jump to the one-time setup at the end of the program.
    Init {
        target: Addr,
    },
    Goto {
        target: Addr,
    },
    /// Ends the program successfully.
    Halt,
    /// The rows this execution has changed so far into `dest` (`PRAGMA count_changes`).
    ChangeCount {
        dest: Reg,
    },
    /// Ends the program with an error (constraint failures, RAISE).
    HaltError {
        code: ErrorCode,
        /// SQLite's extended result code (`error::extended`), if the failure has one.
        extended_code: Option<i32>,
        message: String,
        on_error: OnError,
    },
    /// Halts with a NOT NULL constraint error if `reg` is NULL.
    HaltIfNull {
        reg: Reg,
        message: String,
        on_error: OnError,
    },
    /// Starts a read or write transaction and checks the schema cookie the program was compiled
    /// against, in database `db` (creating the connection's `temp` database on first use).
    Transaction {
        db: Db,
        write: bool,
        schema_cookie: u32,
    },
    OpenRead {
        cursor: CursorId,
        db: Db,
        root: Root,
        key: Option<KeyInfo>,
    },
    OpenWrite {
        cursor: CursorId,
        db: Db,
        root: Root,
        key: Option<KeyInfo>,
    },
    /// An in-memory table (no key: rows by rowid) or index (records ordered by `key`).
    OpenEphemeral {
        cursor: CursorId,
        key: Option<KeyInfo>,
    },
    /// An in-memory sorter of records ordered by `key`.
    SorterOpen {
        cursor: CursorId,
        key: KeyInfo,
    },
    Close {
        cursor: CursorId,
    },
    Rewind {
        cursor: CursorId,
        if_empty: Addr,
    },
    Last {
        cursor: CursorId,
        if_empty: Addr,
    },
    /// Advances; jumps to `target` if there is a next entry.
    Next {
        cursor: CursorId,
        target: Addr,
    },
    Prev {
        cursor: CursorId,
        target: Addr,
    },
    /// Positions a table cursor on rowid `rowid`, or jumps to `not_found` (OP_NotExists; also
    /// jumps if the register is not an integer).
    SeekRowid {
        cursor: CursorId,
        rowid: Reg,
        not_found: Addr,
    },
    /// Positions a table cursor on the first row whose rowid is at least (`strict`: greater
    /// than) the number in `key` — the lower bound of a rowid range, compared as SQLite
    /// compares an integer with any value: a real bound rounds up, NULL and text or blobs
    /// (greater than every integer) leave no row; jumps to `if_empty` when there is none.
    /// `backward`: on the last row whose rowid is at most (`strict`: less than) the bound —
    /// the upper bound of a range walked backwards: a real bound rounds down, NULL leaves no
    /// row and text or blobs leave every row.
    SeekRowidFrom {
        cursor: CursorId,
        key: Reg,
        strict: bool,
        backward: bool,
        if_empty: Addr,
    },
    /// Positions an index cursor by the `count`-column key in `key..`, or jumps when no entry
    /// satisfies `op` (OP_SeekGE and friends).
    SeekIndex {
        cursor: CursorId,
        op: SeekOp,
        key: Reg,
        count: usize,
        not_found: Addr,
    },
    /// Jumps to `target` if the index entry's first `count` columns compare to the key as `op`
    /// says (OP_IdxGT/GE/LT/LE).
    IdxCompare {
        cursor: CursorId,
        op: CmpOp,
        key: Reg,
        count: usize,
        target: Addr,
    },
    /// Jumps to `target` if no entry of the index starts with the key (OP_NotFound); leaves the
    /// cursor on the entry otherwise.
    NotFound {
        cursor: CursorId,
        key: Reg,
        count: usize,
        target: Addr,
    },
    /// Jumps to `target` if an entry starts with the key (OP_Found).
    Found {
        cursor: CursorId,
        key: Reg,
        count: usize,
        target: Addr,
    },
    Column {
        cursor: CursorId,
        column: usize,
        dest: Reg,
        default: Option<Value>,
    },
    Rowid {
        cursor: CursorId,
        dest: Reg,
    },
    /// The rowid at the end of the index entry the cursor is on.
    IdxRowid {
        cursor: CursorId,
        dest: Reg,
    },
    /// Makes the cursor read NULL for every column until it moves (LEFT JOIN's unmatched row).
    NullRow {
        cursor: CursorId,
    },
    MakeRecord {
        start: Reg,
        count: usize,
        dest: Reg,
    },
    /// A rowid one past the table's largest (OP_NewRowid). With `autoinc`, the AUTOINCREMENT
    /// counter in that register: the rowid is also past it, the counter becomes the rowid, and
    /// either at the largest rowid fails with SQLITE_FULL.
    NewRowid {
        cursor: CursorId,
        dest: Reg,
        autoinc: Option<Reg>,
    },
    /// Inserts the record in `record` at rowid `rowid`; counts a change if `count_change`, and
    /// sets `last_insert_rowid` if also `last_rowid`.
    Insert {
        cursor: CursorId,
        record: Reg,
        rowid: Reg,
        count_change: bool,
        last_rowid: bool,
        /// What to tell the update hook.
        hook: Option<UpdateReport>,
    },
    /// Deletes the row the cursor is on (telling the update hook if `hook`, with the rowid).
    Delete {
        cursor: CursorId,
        count_change: bool,
        hook: Option<UpdateReport>,
    },
    IdxInsert {
        cursor: CursorId,
        record: Reg,
    },
    /// Deletes the index entry whose columns equal the key, if there is one.
    IdxDelete {
        cursor: CursorId,
        key: Reg,
        count: usize,
    },
    ResultRow {
        start: Reg,
        count: usize,
    },
    /// Compares `lhs` with `rhs` and jumps to `target` if the comparison holds.
    Compare {
        spec: CmpSpec,
        lhs: Reg,
        rhs: Reg,
        target: Addr,
    },
    /// Stores the comparison's result (1, 0 or NULL) in `dest`.
    CompareStore {
        spec: CmpSpec,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    /// Jumps if `reg` is true (or NULL and `if_null`).
    If {
        reg: Reg,
        target: Addr,
        if_null: bool,
    },
    /// Jumps if `reg` is false (or NULL and `if_null`).
    IfNot {
        reg: Reg,
        target: Addr,
        if_null: bool,
    },
    IsNull {
        reg: Reg,
        target: Addr,
    },
    NotNull {
        reg: Reg,
        target: Addr,
    },
    Arith {
        op: ArithOp,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    Bit {
        op: BitOp,
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    Concat {
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    Negate {
        src: Reg,
        dest: Reg,
    },
    BitNot {
        src: Reg,
        dest: Reg,
    },
    Not {
        src: Reg,
        dest: Reg,
    },
    And {
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    Or {
        lhs: Reg,
        rhs: Reg,
        dest: Reg,
    },
    /// `dest` = 1 if `src` is true, 0 if false, `null` if NULL (OP_IsTrue).
    IsTrue {
        src: Reg,
        dest: Reg,
        null: i64,
        invert: bool,
    },
    Function {
        func: Scalar,
        args: Reg,
        argc: usize,
        dest: Reg,
        collation: Collation,
        /// Set in a CHECK constraint or an index (SQLite's OP_PureFunc).
        pure: Option<crate::sql::func::PureUse>,
    },
    AggStep {
        func: Aggregate,
        args: Reg,
        argc: usize,
        slot: usize,
        collation: Collation,
        /// Set for a min()/max() that bare columns follow: the step writes there 1 when the row
        /// left the aggregate's value alone (no bare column load), else 0, as SQLite's CollSeq
        /// flag.
        skip_load: Option<Reg>,
    },
    AggFinal {
        func: Aggregate,
        slot: usize,
        dest: Reg,
    },
    /// Forgets the accumulated state of an aggregate slot (a new group begins).
    AggReset {
        slot: usize,
    },
    /// Adds the record of registers `start..start + count` to a sorter (MakeRecord and an
    /// insert in one: the record is encoded straight into the sorter's memory).
    SorterInsert {
        cursor: CursorId,
        start: Reg,
        count: usize,
    },
    SorterSort {
        cursor: CursorId,
        if_empty: Addr,
    },
    /// A window's partition buffer (`vdbe/window.rs`) in slot `cursor`; frame offsets are
    /// read from the registers the spec names.
    WindowOpen {
        cursor: CursorId,
        spec: std::rc::Rc<super::window::WindowSpec>,
    },
    /// Adds the row of `spec.width` registers at `start` (a new partition first computes the
    /// buffered one).
    WindowAdd {
        cursor: CursorId,
        start: Reg,
    },
    /// Computes the buffered partition (after the last row).
    WindowFlush {
        cursor: CursorId,
    },
    /// The next computed row (the input row, then each function's value) into `dest`; jumps
    /// to `if_none` when no row is ready.
    WindowNext {
        cursor: CursorId,
        dest: Reg,
        if_none: Addr,
    },
    /// The record the sorter is on, whole, into `dest` (a blob).
    SorterData {
        cursor: CursorId,
        dest: Reg,
    },
    Gosub {
        ret: Reg,
        target: Addr,
    },
    Return {
        ret: Reg,
    },
    /// Starts a co-routine whose body follows this instruction: `reg` = the body's address,
    /// then jump to `target` (past the body). The body runs at the consumer's first `Yield`.
    InitCoroutine {
        reg: Reg,
        target: Addr,
    },
    /// Swaps control with the other side of co-routine `reg`: jumps to the address in `reg`
    /// and leaves its own next address there. A consumer's `Yield` continues at `done` when
    /// the co-routine ends (a producer's `done` is never used).
    Yield {
        reg: Reg,
        done: Addr,
    },
    /// Ends co-routine `reg`: continues at the `done` of the consumer's `Yield` that resumed
    /// it, and leaves `reg` unusable.
    EndCoroutine {
        reg: Reg,
    },
    /// Falls through the first time it runs (per statement execution), jumps after that.
    Once {
        target: Addr,
    },
    Integer {
        value: i64,
        dest: Reg,
    },
    Real {
        value: f64,
        dest: Reg,
    },
    Text {
        value: Vec<u8>,
        dest: Reg,
    },
    Blob {
        value: Vec<u8>,
        dest: Reg,
    },
    Null {
        dest: Reg,
        count: usize,
    },
    Variable {
        index: usize,
        dest: Reg,
    },
    Copy {
        src: Reg,
        dest: Reg,
        count: usize,
    },
    Affinity {
        start: Reg,
        affinities: Vec<Affinity>,
    },
    /// A seek key's conversion: what a comparison under each affinity does to its operand
    /// (numeric text becomes a number, a number becomes text for TEXT), never storage's lossy
    /// integer-to-real, so `c > 9223372036854775807` on a REAL index still finds 2^63.
    KeyAffinity {
        start: Reg,
        affinities: Vec<Affinity>,
    },
    RealAffinity {
        reg: Reg,
    },
    /// Reads (and with `set`, first sets) a database or connection setting into `dest`.
    Pragma {
        pragma: RuntimePragma,
        set: Option<i64>,
        dest: Reg,
    },
    /// `PRAGMA wal_checkpoint`: busy, log and checkpointed frames into `dest..dest + 3`.
    Checkpoint {
        mode: CheckpointMode,
        dest: Reg,
    },
    /// The b-tree half of `PRAGMA integrity_check`: `dest` gets SQLite's one-row report of
    /// every structural problem (NULL if none), `dest + 1` how many of `max_errors` are left
    /// for the SQL-level checks that follow. `only`: check just these trees (a partial check,
    /// `PRAGMA integrity_check(TABLE)`); otherwise every tree of the schema.
    IntegrityCheck {
        max_errors: usize,
        dest: Reg,
        only: Option<Vec<TreeRoot>>,
    },
    /// `CAST(reg AS type_name)`.
    Cast {
        reg: Reg,
        type_name: String,
    },
    /// Converts `reg` to an integer or fails with "datatype mismatch" (LIMIT, OFFSET, rowids).
    MustBeInt {
        reg: Reg,
    },
    /// If `reg` > 0: decrement it and jump (OP_IfPos, for OFFSET).
    IfPos {
        reg: Reg,
        target: Addr,
    },
    /// Decrements `reg` and jumps if it reached zero (OP_DecrJumpZero, for LIMIT).
    DecrJumpZero {
        reg: Reg,
        target: Addr,
    },
    /// Jumps if `reg` is zero (LIMIT 0).
    IfZero {
        reg: Reg,
        target: Addr,
    },
    /// Creates an empty b-tree and puts its root page number in `dest`.
    CreateBtree {
        db: Db,
        kind: TreeKind,
        dest: Reg,
    },
    DropBtree {
        db: Db,
        root: PageNo,
    },
    /// Bumps `db`'s schema cookie and reloads the connection's catalog when the statement ends.
    SchemaChanged {
        db: Db,
    },
    Noop,
}

impl Insn {
    /// The columns SQLite's EXPLAIN shows: opcode, p1, p2, p3, p4.
    /// The cursor the instruction works on, if any. The match names every instruction, so a
    /// new one must say whether it uses a cursor (the planner's covering-index rewrite relies
    /// on seeing every use of a table cursor).
    pub fn cursor(&self) -> Option<CursorId> {
        match self {
            Insn::OpenRead { cursor, .. }
            | Insn::OpenWrite { cursor, .. }
            | Insn::OpenEphemeral { cursor, .. }
            | Insn::SorterOpen { cursor, .. }
            | Insn::Close { cursor, .. }
            | Insn::Rewind { cursor, .. }
            | Insn::Last { cursor, .. }
            | Insn::Next { cursor, .. }
            | Insn::Prev { cursor, .. }
            | Insn::SeekRowid { cursor, .. }
            | Insn::SeekRowidFrom { cursor, .. }
            | Insn::SeekIndex { cursor, .. }
            | Insn::IdxCompare { cursor, .. }
            | Insn::NotFound { cursor, .. }
            | Insn::Found { cursor, .. }
            | Insn::Column { cursor, .. }
            | Insn::Rowid { cursor, .. }
            | Insn::IdxRowid { cursor, .. }
            | Insn::NullRow { cursor, .. }
            | Insn::NewRowid { cursor, .. }
            | Insn::Insert { cursor, .. }
            | Insn::Delete { cursor, .. }
            | Insn::IdxInsert { cursor, .. }
            | Insn::IdxDelete { cursor, .. }
            | Insn::SorterInsert { cursor, .. }
            | Insn::SorterSort { cursor, .. }
            | Insn::SorterData { cursor, .. } => Some(*cursor),
            Insn::Init { .. }
            | Insn::Goto { .. }
            | Insn::Halt
            | Insn::HaltError { .. }
            | Insn::HaltIfNull { .. }
            | Insn::Transaction { .. }
            | Insn::MakeRecord { .. }
            | Insn::ResultRow { .. }
            | Insn::Compare { .. }
            | Insn::CompareStore { .. }
            | Insn::If { .. }
            | Insn::IfNot { .. }
            | Insn::IsNull { .. }
            | Insn::NotNull { .. }
            | Insn::Arith { .. }
            | Insn::Bit { .. }
            | Insn::Concat { .. }
            | Insn::Negate { .. }
            | Insn::BitNot { .. }
            | Insn::Not { .. }
            | Insn::And { .. }
            | Insn::Or { .. }
            | Insn::IsTrue { .. }
            | Insn::Function { .. }
            | Insn::AggStep { .. }
            | Insn::AggFinal { .. }
            | Insn::AggReset { .. }
            | Insn::WindowOpen { .. }
            | Insn::WindowAdd { .. }
            | Insn::WindowFlush { .. }
            | Insn::WindowNext { .. }
            | Insn::Gosub { .. }
            | Insn::Return { .. }
            | Insn::InitCoroutine { .. }
            | Insn::Yield { .. }
            | Insn::EndCoroutine { .. }
            | Insn::Once { .. }
            | Insn::Integer { .. }
            | Insn::Real { .. }
            | Insn::Text { .. }
            | Insn::Blob { .. }
            | Insn::Null { .. }
            | Insn::Variable { .. }
            | Insn::Copy { .. }
            | Insn::Affinity { .. }
            | Insn::KeyAffinity { .. }
            | Insn::RealAffinity { .. }
            | Insn::Pragma { .. }
            | Insn::Checkpoint { .. }
            | Insn::IntegrityCheck { .. }
            | Insn::Cast { .. }
            | Insn::MustBeInt { .. }
            | Insn::IfPos { .. }
            | Insn::DecrJumpZero { .. }
            | Insn::IfZero { .. }
            | Insn::CreateBtree { .. }
            | Insn::DropBtree { .. }
            | Insn::SchemaChanged { .. }
            | Insn::ChangeCount { .. }
            | Insn::Noop => None,
        }
    }

    pub fn explain(&self) -> (&'static str, i64, i64, i64, String) {
        let n = |v: usize| v as i64;
        let none = String::new;
        match self {
            Insn::Init { target } => ("Init", 0, n(*target), 0, none()),
            Insn::Goto { target } => ("Goto", 0, n(*target), 0, none()),
            Insn::Halt => ("Halt", 0, 0, 0, none()),
            Insn::ChangeCount { dest } => ("ChangeCount", 0, n(*dest), 0, none()),
            Insn::HaltError { code, message, .. } => ("Halt", *code as i64, 0, 0, message.clone()),
            Insn::HaltIfNull { reg, message, .. } => ("HaltIfNull", 0, 0, n(*reg), message.clone()),
            Insn::Transaction {
                db,
                write,
                schema_cookie,
            } => (
                "Transaction",
                n(db.index()),
                i64::from(*write),
                i64::from(*schema_cookie),
                none(),
            ),
            Insn::OpenRead {
                cursor,
                db,
                root,
                key,
            } => (
                "OpenRead",
                n(*cursor),
                root_operand(root),
                n(db.index()),
                key_text(key),
            ),
            Insn::OpenWrite {
                cursor,
                db,
                root,
                key,
            } => (
                "OpenWrite",
                n(*cursor),
                root_operand(root),
                n(db.index()),
                key_text(key),
            ),
            Insn::OpenEphemeral { cursor, key } => {
                ("OpenEphemeral", n(*cursor), 0, 0, key_text(key))
            }
            Insn::SorterOpen { cursor, key } => {
                ("SorterOpen", n(*cursor), 0, 0, key_text(&Some(key.clone())))
            }
            Insn::Close { cursor } => ("Close", n(*cursor), 0, 0, none()),
            Insn::Rewind { cursor, if_empty } => ("Rewind", n(*cursor), n(*if_empty), 0, none()),
            Insn::Last { cursor, if_empty } => ("Last", n(*cursor), n(*if_empty), 0, none()),
            Insn::Next { cursor, target } => ("Next", n(*cursor), n(*target), 0, none()),
            Insn::Prev { cursor, target } => ("Prev", n(*cursor), n(*target), 0, none()),
            Insn::SeekRowid {
                cursor,
                rowid,
                not_found,
            } => ("SeekRowid", n(*cursor), n(*not_found), n(*rowid), none()),
            Insn::SeekRowidFrom {
                cursor,
                key,
                strict,
                backward,
                if_empty,
            } => (
                match (backward, strict) {
                    (false, true) => "SeekGT",
                    (false, false) => "SeekGE",
                    (true, true) => "SeekLT",
                    (true, false) => "SeekLE",
                },
                n(*cursor),
                n(*if_empty),
                n(*key),
                none(),
            ),
            Insn::SeekIndex {
                cursor,
                op,
                key,
                count,
                not_found,
            } => (
                match op {
                    SeekOp::Eq | SeekOp::Ge => "SeekGE",
                    SeekOp::Gt => "SeekGT",
                    SeekOp::Le => "SeekLE",
                    SeekOp::Lt => "SeekLT",
                },
                n(*cursor),
                n(*not_found),
                n(*key),
                count.to_string(),
            ),
            Insn::IdxCompare {
                cursor,
                op,
                key,
                count,
                target,
            } => (
                match op {
                    CmpOp::Gt => "IdxGT",
                    CmpOp::Ge => "IdxGE",
                    CmpOp::Lt => "IdxLT",
                    _ => "IdxLE",
                },
                n(*cursor),
                n(*target),
                n(*key),
                count.to_string(),
            ),
            Insn::NotFound {
                cursor,
                key,
                count,
                target,
            } => (
                "NotFound",
                n(*cursor),
                n(*target),
                n(*key),
                count.to_string(),
            ),
            Insn::Found {
                cursor,
                key,
                count,
                target,
            } => ("Found", n(*cursor), n(*target), n(*key), count.to_string()),
            Insn::Column {
                cursor,
                column,
                dest,
                ..
            } => ("Column", n(*cursor), n(*column), n(*dest), none()),
            Insn::Rowid { cursor, dest } => ("Rowid", n(*cursor), n(*dest), 0, none()),
            Insn::IdxRowid { cursor, dest } => ("IdxRowid", n(*cursor), n(*dest), 0, none()),
            Insn::NullRow { cursor } => ("NullRow", n(*cursor), 0, 0, none()),
            Insn::MakeRecord { start, count, dest } => {
                ("MakeRecord", n(*start), n(*count), n(*dest), none())
            }
            Insn::NewRowid {
                cursor,
                dest,
                autoinc,
            } => (
                "NewRowid",
                n(*cursor),
                n(*dest),
                autoinc.map_or(0, n),
                none(),
            ),
            Insn::Insert {
                cursor,
                record,
                rowid,
                ..
            } => ("Insert", n(*cursor), n(*record), n(*rowid), none()),
            Insn::Delete { cursor, .. } => ("Delete", n(*cursor), 0, 0, none()),
            Insn::IdxInsert { cursor, record } => ("IdxInsert", n(*cursor), n(*record), 0, none()),
            Insn::IdxDelete { cursor, key, count } => {
                ("IdxDelete", n(*cursor), n(*key), n(*count), none())
            }
            Insn::ResultRow { start, count } => ("ResultRow", n(*start), n(*count), 0, none()),
            Insn::Compare {
                spec,
                lhs,
                rhs,
                target,
            } => (
                spec.op.name(),
                n(*lhs),
                n(*target),
                n(*rhs),
                spec_text(spec),
            ),
            Insn::CompareStore {
                spec,
                lhs,
                rhs,
                dest,
            } => (spec.op.name(), n(*lhs), n(*dest), n(*rhs), spec_text(spec)),
            Insn::If {
                reg,
                target,
                if_null,
            } => ("If", n(*reg), n(*target), i64::from(*if_null), none()),
            Insn::IfNot {
                reg,
                target,
                if_null,
            } => ("IfNot", n(*reg), n(*target), i64::from(*if_null), none()),
            Insn::IsNull { reg, target } => ("IsNull", n(*reg), n(*target), 0, none()),
            Insn::NotNull { reg, target } => ("NotNull", n(*reg), n(*target), 0, none()),
            Insn::Arith { op, lhs, rhs, dest } => (
                match op {
                    ArithOp::Add => "Add",
                    ArithOp::Subtract => "Subtract",
                    ArithOp::Multiply => "Multiply",
                    ArithOp::Divide => "Divide",
                    ArithOp::Remainder => "Remainder",
                },
                n(*rhs),
                n(*lhs),
                n(*dest),
                none(),
            ),
            Insn::Bit { op, lhs, rhs, dest } => (
                match op {
                    BitOp::And => "BitAnd",
                    BitOp::Or => "BitOr",
                    BitOp::ShiftLeft => "ShiftLeft",
                    BitOp::ShiftRight => "ShiftRight",
                },
                n(*rhs),
                n(*lhs),
                n(*dest),
                none(),
            ),
            Insn::Concat { lhs, rhs, dest } => ("Concat", n(*rhs), n(*lhs), n(*dest), none()),
            Insn::Negate { src, dest } => ("Negative", n(*src), n(*dest), 0, none()),
            Insn::BitNot { src, dest } => ("BitNot", n(*src), n(*dest), 0, none()),
            Insn::Not { src, dest } => ("Not", n(*src), n(*dest), 0, none()),
            Insn::And { lhs, rhs, dest } => ("And", n(*lhs), n(*rhs), n(*dest), none()),
            Insn::Or { lhs, rhs, dest } => ("Or", n(*lhs), n(*rhs), n(*dest), none()),
            Insn::IsTrue {
                src,
                dest,
                null,
                invert,
            } => ("IsTrue", n(*src), n(*dest), *null, invert.to_string()),
            Insn::Function {
                func,
                args,
                argc,
                dest,
                ..
            } => ("Function", n(*argc), n(*args), n(*dest), func.name().into()),
            Insn::AggStep {
                func,
                args,
                argc,
                slot,
                ..
            } => ("AggStep", n(*argc), n(*args), n(*slot), func.name().into()),
            Insn::AggFinal { func, slot, dest } => {
                ("AggFinal", n(*slot), n(*dest), 0, func.name().into())
            }
            Insn::AggReset { slot } => ("AggReset", n(*slot), 0, 0, none()),
            Insn::SorterData { cursor, dest } => ("SorterData", n(*cursor), n(*dest), 0, none()),
            Insn::SorterInsert {
                cursor,
                start,
                count,
            } => ("SorterInsert", n(*cursor), n(*start), n(*count), none()),
            Insn::SorterSort { cursor, if_empty } => {
                ("SorterSort", n(*cursor), n(*if_empty), 0, none())
            }
            Insn::WindowOpen { cursor, spec } => (
                "WindowOpen",
                n(*cursor),
                n(spec.width),
                n(spec.funcs.len()),
                none(),
            ),
            Insn::WindowAdd { cursor, start } => ("WindowAdd", n(*cursor), n(*start), 0, none()),
            Insn::WindowFlush { cursor } => ("WindowFlush", n(*cursor), 0, 0, none()),
            Insn::WindowNext {
                cursor,
                dest,
                if_none,
            } => ("WindowNext", n(*cursor), n(*if_none), n(*dest), none()),
            Insn::Gosub { ret, target } => ("Gosub", n(*ret), n(*target), 0, none()),
            Insn::Return { ret } => ("Return", n(*ret), 0, 0, none()),
            Insn::InitCoroutine { reg, target } => {
                ("InitCoroutine", n(*reg), n(*target), 0, none())
            }
            Insn::Yield { reg, done } => ("Yield", n(*reg), n(*done), 0, none()),
            Insn::EndCoroutine { reg } => ("EndCoroutine", n(*reg), 0, 0, none()),
            Insn::Once { target } => ("Once", 0, n(*target), 0, none()),
            Insn::Integer { value, dest } => ("Integer", *value, n(*dest), 0, none()),
            Insn::Real { value, dest } => ("Real", 0, n(*dest), 0, value.to_string()),
            Insn::Text { value, dest } => (
                "String8",
                0,
                n(*dest),
                0,
                String::from_utf8_lossy(value).into_owned(),
            ),
            Insn::Blob { value, dest } => ("Blob", n(value.len()), n(*dest), 0, none()),
            Insn::Null { dest, count } => ("Null", 0, n(*dest), n(dest + count - 1), none()),
            Insn::Variable { index, dest } => ("Variable", n(*index), n(*dest), 0, none()),
            Insn::Copy { src, dest, count } => ("Copy", n(*src), n(*dest), n(*count), none()),
            Insn::Affinity { start, affinities } | Insn::KeyAffinity { start, affinities } => (
                if matches!(self, Insn::Affinity { .. }) {
                    "Affinity"
                } else {
                    "KeyAffinity"
                },
                n(*start),
                n(affinities.len()),
                0,
                affinities.iter().map(|a| affinity_letter(*a)).collect(),
            ),
            Insn::Pragma { pragma, set, dest } => (
                "Pragma",
                n(*dest),
                set.unwrap_or(0),
                0,
                pragma.column_name().into(),
            ),
            Insn::Checkpoint { mode, dest } => ("Checkpoint", 0, n(*dest), 0, format!("{mode:?}")),
            Insn::IntegrityCheck {
                max_errors, dest, ..
            } => ("IntegrityCk", n(*max_errors), n(*dest), 0, none()),
            Insn::RealAffinity { reg } => ("RealAffinity", n(*reg), 0, 0, none()),
            Insn::Cast { reg, type_name } => (
                "Cast",
                n(*reg),
                0,
                0,
                affinity_letter(Affinity::from_type_name(type_name)).to_string(),
            ),
            Insn::MustBeInt { reg } => ("MustBeInt", n(*reg), 0, 0, none()),
            Insn::IfPos { reg, target } => ("IfPos", n(*reg), n(*target), 1, none()),
            Insn::DecrJumpZero { reg, target } => ("DecrJumpZero", n(*reg), n(*target), 0, none()),
            Insn::IfZero { reg, target } => ("IfNot", n(*reg), n(*target), 0, none()),
            Insn::CreateBtree { db, kind, dest } => (
                "CreateBtree",
                n(db.index()),
                n(*dest),
                if *kind == TreeKind::Table { 1 } else { 2 },
                none(),
            ),
            Insn::DropBtree { db, root } => ("Destroy", i64::from(*root), 0, n(db.index()), none()),
            Insn::SchemaChanged { db } => ("SetCookie", n(db.index()), 1, 0, none()),
            Insn::Noop => ("Noop", 0, 0, 0, none()),
        }
    }
}

fn root_operand(root: &Root) -> i64 {
    match root {
        Root::Page(p) => i64::from(*p),
        Root::Reg(r) => -(*r as i64),
    }
}

fn key_text(key: &Option<KeyInfo>) -> String {
    match key {
        None => String::new(),
        Some(k) => format!("k({})", k.len()),
    }
}

fn spec_text(spec: &CmpSpec) -> String {
    format!("{:?}/{:?}", spec.affinity, spec.collation)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every instruction costs the interpreter's fetch its size: a payload that grows one
    /// variant grows them all (box it instead).
    #[test]
    fn an_instruction_stays_small() {
        assert!(std::mem::size_of::<Insn>() <= 72);
    }
}
