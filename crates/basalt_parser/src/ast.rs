//! Typed syntax tree for SQLite's SQL dialect.
//!
//! Invariants:
//! - The tree keeps every distinction that changes meaning in SQLite (for
//!   instance how a name was quoted, `DEFAULT x` versus `DEFAULT (x)`, `,`
//!   versus `JOIN`), and drops purely cosmetic ones (redundant parentheses,
//!   `COMMIT` versus `END`, keyword case). `Display` prints SQL that parses
//!   back to an equal tree.
//! - `Span`s are byte ranges into the parsed input. They are metadata: two
//!   spans always compare equal, so a reprinted statement equals the original.
//! - Literal and name text is kept as written (numbers without their `_`
//!   separators, strings and names without their quotes).

/// Byte range `start..end` in the source text.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

/// How an identifier was written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// Bare word (possibly a keyword used as a name).
    None,
    /// `"name"`: may fall back to a string literal in SQLite.
    Double,
    /// `[name]`
    Bracket,
    /// `` `name` ``
    Backtick,
    /// `'name'`: a string literal used where a name is expected.
    Single,
}

/// An identifier with its unquoted text.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub value: String,
    pub quote: Quote,
    pub span: Span,
}

/// `[schema.]name`
#[derive(Clone, Debug, PartialEq)]
pub struct QualifiedName {
    pub schema: Option<Name>,
    pub name: Name,
}

/// One parsed statement with its optional `EXPLAIN` prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub explain: Option<Explain>,
    pub stmt: Stmt,
    /// From the first token (including `EXPLAIN`) to the end of the last one.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explain {
    Explain,
    QueryPlan,
}

// Statements and upsert actions are built once per parse and moved rarely,
// so boxing the larger variants would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Select(Box<Select>),
    Insert(Box<Insert>),
    Update(Box<Update>),
    Delete(Box<Delete>),
    CreateTable(Box<CreateTable>),
    CreateIndex(Box<CreateIndex>),
    CreateView(Box<CreateView>),
    CreateTrigger(Box<CreateTrigger>),
    CreateVirtualTable(Box<CreateVirtualTable>),
    Drop {
        kind: ObjectKind,
        if_exists: bool,
        name: QualifiedName,
    },
    AlterTable(Box<AlterTable>),
    Begin {
        mode: Option<TransactionMode>,
        name: Option<Name>,
    },
    Commit,
    Rollback {
        savepoint: Option<Name>,
    },
    Savepoint(Name),
    Release(Name),
    Pragma(Box<Pragma>),
    /// Boxed: three expressions would make every `Stmt` as large as this rare one.
    Attach(Box<Attach>),
    Detach(Expr),
    Analyze(Option<QualifiedName>),
    Vacuum {
        schema: Option<Name>,
        into: Option<Expr>,
    },
    Reindex(Option<QualifiedName>),
}

/// `ATTACH [DATABASE] expr AS schema [KEY key]`
#[derive(Clone, Debug, PartialEq)]
pub struct Attach {
    pub expr: Expr,
    pub schema: Expr,
    pub key: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Table,
    Index,
    View,
    Trigger,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionMode {
    Deferred,
    Immediate,
    Exclusive,
    /// Basalt extension (`BEGIN CONCURRENT`), not accepted by stock SQLite.
    Concurrent,
}

// ---------------------------------------------------------------- SELECT

#[derive(Clone, Debug, PartialEq)]
pub struct With {
    pub recursive: bool,
    pub ctes: Vec<Cte>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cte {
    pub name: Name,
    pub columns: Option<Vec<Name>>,
    pub materialized: Option<bool>,
    pub select: Box<Select>,
}

/// A full query: `[WITH] core (op core)* [ORDER BY] [LIMIT]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    pub with: Option<With>,
    pub first: SelectCore,
    pub compound: Vec<(CompoundOp, SelectCore)>,
    pub order_by: Vec<OrderingTerm>,
    pub limit: Option<Limit>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompoundOp {
    Union,
    UnionAll,
    Except,
    Intersect,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SelectCore {
    Select(Box<SelectBody>),
    Values(Vec<Vec<Expr>>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelectBody {
    pub distinct: Option<Distinctness>,
    pub columns: Vec<ResultColumn>,
    pub from: Option<FromClause>,
    pub where_: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub windows: Vec<WindowDef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distinctness {
    Distinct,
    All,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResultColumn {
    Expr { expr: Expr, alias: Option<Name> },
    Star,
    TableStar(Name),
}

/// `FROM a [join b ...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FromClause {
    pub first: TableOrSubquery,
    pub joins: Vec<Join>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub op: JoinOp,
    pub table: TableOrSubquery,
    pub constraint: Option<JoinConstraint>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinOp {
    Comma,
    Join { natural: bool, kind: JoinKind },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Cross,
    Left,
    Right,
    Full,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JoinConstraint {
    On(Expr),
    Using(Vec<Name>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableOrSubquery {
    Table {
        name: QualifiedName,
        alias: Option<Name>,
        indexed: Option<Indexed>,
    },
    Function {
        name: QualifiedName,
        args: Vec<Expr>,
        alias: Option<Name>,
    },
    Subquery {
        select: Box<Select>,
        alias: Option<Name>,
    },
    Nested {
        from: Box<FromClause>,
        alias: Option<Name>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Indexed {
    By(Name),
    NotIndexed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderingTerm {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

/// `LIMIT limit [OFFSET offset]`; `LIMIT a, b` is stored as limit b offset a.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub limit: Expr,
    pub offset: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowDef {
    pub name: Name,
    pub window: Window,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub base: Option<Name>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<OrderingTerm>,
    pub frame: Option<Frame>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub units: FrameUnits,
    pub start: FrameBound,
    /// `None` when written without `BETWEEN`.
    pub end: Option<FrameBound>,
    pub exclude: Option<FrameExclude>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnits {
    Range,
    Rows,
    Groups,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(Expr),
    CurrentRow,
    Following(Expr),
    UnboundedFollowing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameExclude {
    NoOthers,
    CurrentRow,
    Group,
    Ties,
}

// ---------------------------------------------------------------- expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// SQLite's expression height (leaves are 1), maintained by the parser.
    pub(crate) height: u32,
}

impl Expr {
    /// Height of the tree as SQLite measures it against its depth limit.
    pub fn height(&self) -> u32 {
        self.height
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    /// Decimal or hex digits as written, separators removed.
    Integer(String),
    Float(String),
    String(String),
    /// Hex digits between `x'` and `'`.
    Blob(String),
    CurrentDate,
    CurrentTime,
    CurrentTimestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
    BitNot,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Is,
    IsNot,
    IsDistinctFrom,
    IsNotDistinctFrom,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    LShift,
    RShift,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Concat,
    /// `->`
    Arrow,
    /// `->>`
    LongArrow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LikeOp {
    Like,
    Glob,
    Regexp,
    Match,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaiseKind {
    Ignore,
    Rollback,
    Abort,
    Fail,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FunctionArgs {
    /// `f(*)`
    Star,
    List {
        distinct: bool,
        args: Vec<Expr>,
        order_by: Vec<OrderingTerm>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Over {
    Name(Name),
    Window(Box<Window>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// `?`, `?NNN`, `:name`, `@name`, `$name`, `#name`, as written.
    Variable(String),
    /// A bare name: a column, or (if double-quoted and unresolvable) a string.
    Id(Name),
    /// `table.column` or `schema.table.column`.
    Qualified {
        schema: Option<Name>,
        table: Name,
        column: Name,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(Box<Expr>, BinaryOp, Box<Expr>),
    Like {
        expr: Box<Expr>,
        not: bool,
        op: LikeOp,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
    },
    /// `x ISNULL` / `x NOTNULL` (also written `x NOT NULL`).
    NullTest {
        expr: Box<Expr>,
        not: bool,
    },
    Between {
        expr: Box<Expr>,
        not: bool,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    InList {
        expr: Box<Expr>,
        not: bool,
        list: Vec<Expr>,
    },
    InSelect {
        expr: Box<Expr>,
        not: bool,
        select: Box<Select>,
    },
    InTable {
        expr: Box<Expr>,
        not: bool,
        table: QualifiedName,
        args: Option<Vec<Expr>>,
    },
    Subquery(Box<Select>),
    Exists(Box<Select>),
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    Cast {
        expr: Box<Expr>,
        type_name: Option<TypeName>,
    },
    Collate {
        expr: Box<Expr>,
        collation: Name,
    },
    Function {
        name: Name,
        args: FunctionArgs,
        filter: Option<Box<Expr>>,
        over: Option<Over>,
    },
    Raise {
        kind: RaiseKind,
        message: Option<Box<Expr>>,
    },
    /// Row value `(a, b, ...)`, at least two elements.
    Vector(Vec<Expr>),
}

/// A column type: one or more words plus up to two signed numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    /// Words as written (quotes included), joined by single spaces.
    pub name: String,
    pub args: Vec<String>,
}

// ---------------------------------------------------------------- DML

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictAction {
    Rollback,
    Abort,
    Fail,
    Ignore,
    Replace,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    pub with: Option<With>,
    /// `REPLACE INTO` is `or: Some(Replace)` with `replace_keyword` set.
    pub or: Option<ConflictAction>,
    pub replace_keyword: bool,
    pub table: QualifiedName,
    pub alias: Option<Name>,
    pub columns: Option<Vec<Name>>,
    pub source: InsertSource,
    pub upsert: Vec<Upsert>,
    pub returning: Option<Vec<ResultColumn>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InsertSource {
    Select(Box<Select>),
    DefaultValues,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Upsert {
    pub target: Option<UpsertTarget>,
    pub action: UpsertAction,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UpsertTarget {
    pub columns: Vec<OrderingTerm>,
    pub where_: Option<Expr>,
}

#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum UpsertAction {
    Nothing,
    Update {
        set: Vec<Assignment>,
        where_: Option<Expr>,
    },
}

/// `col = expr` or `(a, b) = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub columns: Vec<Name>,
    /// Whether the columns were written as a parenthesised list.
    pub list: bool,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub with: Option<With>,
    pub or: Option<ConflictAction>,
    pub table: QualifiedName,
    pub alias: Option<Name>,
    pub indexed: Option<Indexed>,
    pub set: Vec<Assignment>,
    pub from: Option<FromClause>,
    pub where_: Option<Expr>,
    pub returning: Option<Vec<ResultColumn>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub with: Option<With>,
    pub table: QualifiedName,
    pub alias: Option<Name>,
    pub indexed: Option<Indexed>,
    pub where_: Option<Expr>,
    pub returning: Option<Vec<ResultColumn>>,
}

// ---------------------------------------------------------------- DDL

#[derive(Clone, Debug, PartialEq)]
pub struct CreateTable {
    pub temporary: bool,
    pub if_not_exists: bool,
    pub name: QualifiedName,
    pub body: CreateTableBody,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CreateTableBody {
    Columns {
        columns: Vec<ColumnDef>,
        constraints: Vec<TableConstraint>,
        options: Vec<TableOption>,
    },
    AsSelect(Box<Select>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableOption {
    WithoutRowid,
    Strict,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    pub name: Name,
    pub type_name: Option<TypeName>,
    pub constraints: Vec<ColumnConstraint>,
}

/// Column constraints in source order. `Name` (`CONSTRAINT x`) names the
/// constraints that follow it, exactly as SQLite applies it.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnConstraint {
    Name(Name),
    PrimaryKey {
        order: Option<SortOrder>,
        conflict: Option<ConflictAction>,
        autoincrement: bool,
    },
    NotNull {
        conflict: Option<ConflictAction>,
    },
    /// `NULL [ON CONFLICT ..]`: accepted and ignored by SQLite.
    Null {
        conflict: Option<ConflictAction>,
    },
    Unique {
        conflict: Option<ConflictAction>,
    },
    Check(Expr),
    /// `DEFAULT term` (`parenthesized: false`) or `DEFAULT (expr)`; a bare
    /// identifier is kept as `ExprKind::Id`.
    Default {
        expr: Expr,
        parenthesized: bool,
    },
    Collate(Name),
    References(ForeignKeyClause),
    Generated {
        expr: Expr,
        storage: Option<GeneratedStorage>,
    },
    /// A deferrable clause standing alone after other constraints.
    Deferrable(Deferrable),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratedStorage {
    Stored,
    Virtual,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableConstraint {
    Name(Name),
    PrimaryKey {
        columns: Vec<OrderingTerm>,
        autoincrement: bool,
        conflict: Option<ConflictAction>,
    },
    Unique {
        columns: Vec<OrderingTerm>,
        conflict: Option<ConflictAction>,
    },
    Check {
        expr: Expr,
        conflict: Option<ConflictAction>,
    },
    ForeignKey {
        columns: Vec<Name>,
        clause: ForeignKeyClause,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeyClause {
    pub table: Name,
    pub columns: Vec<Name>,
    pub args: Vec<RefArg>,
    pub deferrable: Option<Deferrable>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RefArg {
    OnDelete(RefAction),
    OnUpdate(RefAction),
    /// `ON INSERT action`: accepted by SQLite's grammar and ignored.
    OnInsert(RefAction),
    Match(Name),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefAction {
    SetNull,
    SetDefault,
    Cascade,
    Restrict,
    NoAction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deferrable {
    pub not: bool,
    /// `Some(true)` for `INITIALLY DEFERRED`, `Some(false)` for `INITIALLY IMMEDIATE`.
    pub initially_deferred: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateIndex {
    pub unique: bool,
    pub if_not_exists: bool,
    pub name: QualifiedName,
    pub table: Name,
    pub columns: Vec<OrderingTerm>,
    pub where_: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateView {
    pub temporary: bool,
    pub if_not_exists: bool,
    pub name: QualifiedName,
    pub columns: Option<Vec<Name>>,
    pub select: Box<Select>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateTrigger {
    pub temporary: bool,
    pub if_not_exists: bool,
    pub name: QualifiedName,
    pub time: Option<TriggerTime>,
    pub event: TriggerEvent,
    pub table: QualifiedName,
    pub for_each_row: bool,
    pub when: Option<Expr>,
    /// Only `Insert`, `Update`, `Delete` and `Select` statements.
    pub body: Vec<Stmt>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriggerTime {
    Before,
    After,
    InsteadOf,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TriggerEvent {
    Delete,
    Insert,
    Update(Option<Vec<Name>>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateVirtualTable {
    pub if_not_exists: bool,
    pub name: QualifiedName,
    pub module: Name,
    /// Raw source text of each argument; `None` when there is no argument list.
    pub args: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterTable {
    pub table: QualifiedName,
    pub action: AlterAction,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AlterAction {
    RenameTo(Name),
    RenameColumn {
        old: Name,
        new: Name,
    },
    AddColumn(ColumnDef),
    DropColumn(Name),
    /// `ADD [CONSTRAINT name] CHECK (expr) [ON CONFLICT ..]` (SQLite 3.54).
    AddCheck {
        name: Option<Name>,
        expr: Expr,
        conflict: Option<ConflictAction>,
    },
    DropConstraint(Name),
    /// `ALTER [COLUMN] c SET NOT NULL [ON CONFLICT ..]` (SQLite 3.54).
    SetNotNull {
        column: Name,
        conflict: Option<ConflictAction>,
    },
    DropNotNull(Name),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pragma {
    pub name: QualifiedName,
    pub value: Option<PragmaValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PragmaValue {
    /// `PRAGMA x = v`
    Assign(String),
    /// `PRAGMA x(v)`
    Call(String),
}
