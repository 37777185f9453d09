//! `Display` for the AST: prints SQL that SQLite (and this parser) read
//! back as an equal tree.
//!
//! Invariants:
//! - Any operand that is not atomic is parenthesised. Parentheses never
//!   create nodes in SQLite's tree, so this is always safe, and it makes
//!   precedence, `BETWEEN ... AND` and `--` (comment) pitfalls impossible.
//! - Names are re-quoted in their original style, so a double-quoted name
//!   keeps its string-literal fallback and keywords used as names stay names.

use crate::ast::*;
use std::fmt::{self, Display, Formatter, Write};

fn quoted(f: &mut Formatter<'_>, q: char, close: char, s: &str) -> fmt::Result {
    f.write_char(q)?;
    for c in s.chars() {
        if c == close && q != '[' {
            f.write_char(c)?;
        }
        f.write_char(c)?;
    }
    f.write_char(close)
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.quote {
            Quote::None => f.write_str(&self.value),
            Quote::Double => quoted(f, '"', '"', &self.value),
            Quote::Bracket => quoted(f, '[', ']', &self.value),
            Quote::Backtick => quoted(f, '`', '`', &self.value),
            Quote::Single => quoted(f, '\'', '\'', &self.value),
        }
    }
}

impl Display for QualifiedName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.schema {
            write!(f, "{s}.")?;
        }
        write!(f, "{}", self.name)
    }
}

/// Writes `items` separated by ", ".
struct List<'a, T>(&'a [T]);

impl<T: Display> Display for List<'_, T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.explain {
            Some(Explain::Explain) => f.write_str("EXPLAIN ")?,
            Some(Explain::QueryPlan) => f.write_str("EXPLAIN QUERY PLAN ")?,
            None => {}
        }
        write!(f, "{}", self.stmt)
    }
}

fn conflict(a: ConflictAction) -> &'static str {
    match a {
        ConflictAction::Rollback => "ROLLBACK",
        ConflictAction::Abort => "ABORT",
        ConflictAction::Fail => "FAIL",
        ConflictAction::Ignore => "IGNORE",
        ConflictAction::Replace => "REPLACE",
    }
}

fn onconf(f: &mut Formatter<'_>, c: Option<ConflictAction>) -> fmt::Result {
    match c {
        Some(a) => write!(f, " ON CONFLICT {}", conflict(a)),
        None => Ok(()),
    }
}

fn returning(f: &mut Formatter<'_>, r: &Option<Vec<ResultColumn>>) -> fmt::Result {
    match r {
        Some(cols) => write!(f, " RETURNING {}", List(cols)),
        None => Ok(()),
    }
}

fn opt_where(f: &mut Formatter<'_>, w: &Option<Expr>) -> fmt::Result {
    match w {
        Some(e) => write!(f, " WHERE {e}"),
        None => Ok(()),
    }
}

fn with_prefix(f: &mut Formatter<'_>, w: &Option<With>) -> fmt::Result {
    match w {
        Some(w) => write!(f, "{w} "),
        None => Ok(()),
    }
}

impl Display for Stmt {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Stmt::Select(s) => write!(f, "{s}"),
            Stmt::Insert(i) => write!(f, "{i}"),
            Stmt::Update(u) => write!(f, "{u}"),
            Stmt::Delete(d) => write!(f, "{d}"),
            Stmt::CreateTable(c) => write!(f, "{c}"),
            Stmt::CreateIndex(c) => {
                f.write_str("CREATE ")?;
                if c.unique {
                    f.write_str("UNIQUE ")?;
                }
                f.write_str("INDEX ")?;
                if c.if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                write!(f, "{} ON {} ({})", c.name, c.table, List(&c.columns))?;
                opt_where(f, &c.where_)
            }
            Stmt::CreateView(v) => {
                f.write_str(if v.temporary {
                    "CREATE TEMP VIEW "
                } else {
                    "CREATE VIEW "
                })?;
                if v.if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                write!(f, "{}", v.name)?;
                if let Some(cols) = &v.columns {
                    write!(f, "({})", List(cols))?;
                }
                write!(f, " AS {}", v.select)
            }
            Stmt::CreateTrigger(t) => write!(f, "{t}"),
            Stmt::CreateVirtualTable(v) => {
                f.write_str("CREATE VIRTUAL TABLE ")?;
                if v.if_not_exists {
                    f.write_str("IF NOT EXISTS ")?;
                }
                write!(f, "{} USING {}", v.name, v.module)?;
                if let Some(args) = &v.args {
                    write!(f, "({})", args.join(", "))?;
                }
                Ok(())
            }
            Stmt::Drop {
                kind,
                if_exists,
                name,
            } => {
                let k = match kind {
                    ObjectKind::Table => "TABLE",
                    ObjectKind::Index => "INDEX",
                    ObjectKind::View => "VIEW",
                    ObjectKind::Trigger => "TRIGGER",
                };
                write!(f, "DROP {k} ")?;
                if *if_exists {
                    f.write_str("IF EXISTS ")?;
                }
                write!(f, "{name}")
            }
            Stmt::AlterTable(a) => write!(f, "{a}"),
            Stmt::Begin { mode, name } => {
                f.write_str("BEGIN")?;
                match mode {
                    Some(TransactionMode::Deferred) => f.write_str(" DEFERRED")?,
                    Some(TransactionMode::Immediate) => f.write_str(" IMMEDIATE")?,
                    Some(TransactionMode::Exclusive) => f.write_str(" EXCLUSIVE")?,
                    Some(TransactionMode::Concurrent) => f.write_str(" CONCURRENT")?,
                    None => {}
                }
                if let Some(n) = name {
                    write!(f, " TRANSACTION {n}")?;
                }
                Ok(())
            }
            Stmt::Commit => f.write_str("COMMIT"),
            Stmt::Rollback { savepoint } => {
                f.write_str("ROLLBACK")?;
                if let Some(s) = savepoint {
                    write!(f, " TO {s}")?;
                }
                Ok(())
            }
            Stmt::Savepoint(n) => write!(f, "SAVEPOINT {n}"),
            Stmt::Release(n) => write!(f, "RELEASE {n}"),
            Stmt::Pragma(p) => {
                write!(f, "PRAGMA {}", p.name)?;
                match &p.value {
                    Some(PragmaValue::Assign(v)) => write!(f, " = {v}"),
                    Some(PragmaValue::Call(v)) => write!(f, "({v})"),
                    None => Ok(()),
                }
            }
            Stmt::Attach(a) => {
                write!(f, "ATTACH DATABASE {} AS {}", a.expr, a.schema)?;
                if let Some(k) = &a.key {
                    write!(f, " KEY {k}")?;
                }
                Ok(())
            }
            Stmt::Detach(e) => write!(f, "DETACH DATABASE {e}"),
            Stmt::Analyze(n) | Stmt::Reindex(n) => {
                f.write_str(if matches!(self, Stmt::Analyze(_)) {
                    "ANALYZE"
                } else {
                    "REINDEX"
                })?;
                if let Some(n) = n {
                    write!(f, " {n}")?;
                }
                Ok(())
            }
            Stmt::Vacuum { schema, into } => {
                f.write_str("VACUUM")?;
                if let Some(s) = schema {
                    write!(f, " {s}")?;
                }
                if let Some(e) = into {
                    write!(f, " INTO {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for With {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.recursive {
            "WITH RECURSIVE "
        } else {
            "WITH "
        })?;
        for (i, c) in self.ctes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", c.name)?;
            if let Some(cols) = &c.columns {
                write!(f, "({})", List(cols))?;
            }
            f.write_str(match c.materialized {
                Some(true) => " AS MATERIALIZED ",
                Some(false) => " AS NOT MATERIALIZED ",
                None => " AS ",
            })?;
            write!(f, "({})", c.select)?;
        }
        Ok(())
    }
}

impl Display for Select {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        with_prefix(f, &self.with)?;
        write!(f, "{}", self.first)?;
        for (op, core) in &self.compound {
            let op = match op {
                CompoundOp::Union => "UNION",
                CompoundOp::UnionAll => "UNION ALL",
                CompoundOp::Except => "EXCEPT",
                CompoundOp::Intersect => "INTERSECT",
            };
            write!(f, " {op} {core}")?;
        }
        if !self.order_by.is_empty() {
            write!(f, " ORDER BY {}", List(&self.order_by))?;
        }
        if let Some(l) = &self.limit {
            write!(f, " LIMIT {}", l.limit)?;
            if let Some(o) = &l.offset {
                write!(f, " OFFSET {o}")?;
            }
        }
        Ok(())
    }
}

impl Display for SelectCore {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SelectCore::Values(rows) => {
                f.write_str("VALUES ")?;
                for (i, r) in rows.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "({})", List(r))?;
                }
                Ok(())
            }
            SelectCore::Select(b) => {
                f.write_str("SELECT ")?;
                match b.distinct {
                    Some(Distinctness::Distinct) => f.write_str("DISTINCT ")?,
                    Some(Distinctness::All) => f.write_str("ALL ")?,
                    None => {}
                }
                write!(f, "{}", List(&b.columns))?;
                if let Some(from) = &b.from {
                    write!(f, " FROM {from}")?;
                }
                opt_where(f, &b.where_)?;
                if !b.group_by.is_empty() {
                    write!(f, " GROUP BY {}", List(&b.group_by))?;
                }
                if let Some(h) = &b.having {
                    write!(f, " HAVING {h}")?;
                }
                if !b.windows.is_empty() {
                    f.write_str(" WINDOW ")?;
                    for (i, w) in b.windows.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{} AS ({})", w.name, w.window)?;
                    }
                }
                Ok(())
            }
        }
    }
}

impl Display for ResultColumn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ResultColumn::Star => f.write_str("*"),
            ResultColumn::TableStar(n) => write!(f, "{n}.*"),
            ResultColumn::Expr { expr, alias } => {
                write!(f, "{expr}")?;
                if let Some(a) = alias {
                    write!(f, " AS {a}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for FromClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for j in &self.joins {
            match j.op {
                JoinOp::Comma => f.write_str(", ")?,
                JoinOp::Join { natural, kind } => {
                    f.write_str(" ")?;
                    if natural {
                        f.write_str("NATURAL ")?;
                    }
                    f.write_str(match kind {
                        JoinKind::Inner => "JOIN ",
                        JoinKind::Cross => "CROSS JOIN ",
                        JoinKind::Left => "LEFT JOIN ",
                        JoinKind::Right => "RIGHT JOIN ",
                        JoinKind::Full => "FULL JOIN ",
                    })?;
                }
            }
            write!(f, "{}", j.table)?;
            match &j.constraint {
                Some(JoinConstraint::On(e)) => write!(f, " ON {e}")?,
                Some(JoinConstraint::Using(cols)) => write!(f, " USING ({})", List(cols))?,
                None => {}
            }
        }
        Ok(())
    }
}

fn alias(f: &mut Formatter<'_>, a: &Option<Name>) -> fmt::Result {
    match a {
        Some(a) => write!(f, " AS {a}"),
        None => Ok(()),
    }
}

fn indexed(f: &mut Formatter<'_>, i: &Option<Indexed>) -> fmt::Result {
    match i {
        Some(Indexed::By(n)) => write!(f, " INDEXED BY {n}"),
        Some(Indexed::NotIndexed) => f.write_str(" NOT INDEXED"),
        None => Ok(()),
    }
}

impl Display for TableOrSubquery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TableOrSubquery::Table {
                name,
                alias: a,
                indexed: i,
            } => {
                write!(f, "{name}")?;
                alias(f, a)?;
                indexed(f, i)
            }
            TableOrSubquery::Function {
                name,
                args,
                alias: a,
            } => {
                write!(f, "{name}({})", List(args))?;
                alias(f, a)
            }
            TableOrSubquery::Subquery { select, alias: a } => {
                write!(f, "({select})")?;
                alias(f, a)
            }
            TableOrSubquery::Nested { from, alias: a } => {
                write!(f, "({from})")?;
                alias(f, a)
            }
        }
    }
}

impl Display for OrderingTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match self.order {
            Some(SortOrder::Asc) => f.write_str(" ASC")?,
            Some(SortOrder::Desc) => f.write_str(" DESC")?,
            None => {}
        }
        match self.nulls {
            Some(NullsOrder::First) => f.write_str(" NULLS FIRST"),
            Some(NullsOrder::Last) => f.write_str(" NULLS LAST"),
            None => Ok(()),
        }
    }
}

impl Display for Window {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(b) = &self.base {
            write!(f, "{b}")?;
            sep = " ";
        }
        if !self.partition_by.is_empty() {
            write!(f, "{sep}PARTITION BY {}", List(&self.partition_by))?;
            sep = " ";
        }
        if !self.order_by.is_empty() {
            write!(f, "{sep}ORDER BY {}", List(&self.order_by))?;
            sep = " ";
        }
        if let Some(fr) = &self.frame {
            f.write_str(sep)?;
            f.write_str(match fr.units {
                FrameUnits::Range => "RANGE ",
                FrameUnits::Rows => "ROWS ",
                FrameUnits::Groups => "GROUPS ",
            })?;
            match &fr.end {
                Some(e) => write!(f, "BETWEEN {} AND {e}", fr.start)?,
                None => write!(f, "{}", fr.start)?,
            }
            match fr.exclude {
                Some(FrameExclude::NoOthers) => f.write_str(" EXCLUDE NO OTHERS")?,
                Some(FrameExclude::CurrentRow) => f.write_str(" EXCLUDE CURRENT ROW")?,
                Some(FrameExclude::Group) => f.write_str(" EXCLUDE GROUP")?,
                Some(FrameExclude::Ties) => f.write_str(" EXCLUDE TIES")?,
                None => {}
            }
        }
        Ok(())
    }
}

impl Display for FrameBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FrameBound::UnboundedPreceding => f.write_str("UNBOUNDED PRECEDING"),
            FrameBound::Preceding(e) => write!(f, "{} PRECEDING", Operand(e)),
            FrameBound::CurrentRow => f.write_str("CURRENT ROW"),
            FrameBound::Following(e) => write!(f, "{} FOLLOWING", Operand(e)),
            FrameBound::UnboundedFollowing => f.write_str("UNBOUNDED FOLLOWING"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Integer(s) | Literal::Float(s) => f.write_str(s),
            Literal::String(s) => quoted(f, '\'', '\'', s),
            Literal::Blob(h) => write!(f, "X'{h}'"),
            Literal::CurrentDate => f.write_str("CURRENT_DATE"),
            Literal::CurrentTime => f.write_str("CURRENT_TIME"),
            Literal::CurrentTimestamp => f.write_str("CURRENT_TIMESTAMP"),
        }
    }
}

/// An expression used as an operand: parenthesised unless atomic.
struct Operand<'a>(&'a Expr);

impl Display for Operand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let atomic = matches!(
            self.0.kind,
            ExprKind::Literal(_)
                | ExprKind::Variable(_)
                | ExprKind::Id(_)
                | ExprKind::Qualified { .. }
                | ExprKind::Subquery(_)
                | ExprKind::Exists(_)
                | ExprKind::Case { .. }
                | ExprKind::Cast { .. }
                | ExprKind::Function { .. }
                | ExprKind::Raise { .. }
                | ExprKind::Vector(_)
        );
        if atomic {
            write!(f, "{}", self.0)
        } else {
            write!(f, "({})", self.0)
        }
    }
}

fn binary_op(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "OR",
        BinaryOp::And => "AND",
        BinaryOp::Eq => "=",
        BinaryOp::Ne => "<>",
        BinaryOp::Is => "IS",
        BinaryOp::IsNot => "IS NOT",
        BinaryOp::IsDistinctFrom => "IS DISTINCT FROM",
        BinaryOp::IsNotDistinctFrom => "IS NOT DISTINCT FROM",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::BitAnd => "&",
        BinaryOp::BitOr => "|",
        BinaryOp::LShift => "<<",
        BinaryOp::RShift => ">>",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
        BinaryOp::Concat => "||",
        BinaryOp::Arrow => "->",
        BinaryOp::LongArrow => "->>",
    }
}

fn not(f: &mut Formatter<'_>, n: bool) -> fmt::Result {
    if n {
        f.write_str(" NOT")
    } else {
        Ok(())
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Variable(v) => f.write_str(v),
            ExprKind::Id(n) => write!(f, "{n}"),
            ExprKind::Qualified {
                schema,
                table,
                column,
            } => {
                if let Some(s) = schema {
                    write!(f, "{s}.")?;
                }
                write!(f, "{table}.{column}")
            }
            ExprKind::Unary(op, e) => {
                let op = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::BitNot => "~",
                    UnaryOp::Not => "NOT ",
                };
                write!(f, "{op}{}", Operand(e))
            }
            ExprKind::Binary(l, op, r) => {
                write!(f, "{} {} {}", Operand(l), binary_op(*op), Operand(r))
            }
            ExprKind::Like {
                expr,
                not: n,
                op,
                pattern,
                escape,
            } => {
                write!(f, "{}", Operand(expr))?;
                not(f, *n)?;
                let op = match op {
                    LikeOp::Like => "LIKE",
                    LikeOp::Glob => "GLOB",
                    LikeOp::Regexp => "REGEXP",
                    LikeOp::Match => "MATCH",
                };
                write!(f, " {op} {}", Operand(pattern))?;
                if let Some(e) = escape {
                    write!(f, " ESCAPE {}", Operand(e))?;
                }
                Ok(())
            }
            ExprKind::NullTest { expr, not: n } => {
                write!(
                    f,
                    "{} {}",
                    Operand(expr),
                    if *n { "NOTNULL" } else { "ISNULL" }
                )
            }
            ExprKind::Between {
                expr,
                not: n,
                low,
                high,
            } => {
                write!(f, "{}", Operand(expr))?;
                not(f, *n)?;
                write!(f, " BETWEEN {} AND {}", Operand(low), Operand(high))
            }
            ExprKind::InList { expr, not: n, list } => {
                write!(f, "{}", Operand(expr))?;
                not(f, *n)?;
                write!(f, " IN ({})", List(list))
            }
            ExprKind::InSelect {
                expr,
                not: n,
                select,
            } => {
                write!(f, "{}", Operand(expr))?;
                not(f, *n)?;
                write!(f, " IN ({select})")
            }
            ExprKind::InTable {
                expr,
                not: n,
                table,
                args,
            } => {
                write!(f, "{}", Operand(expr))?;
                not(f, *n)?;
                write!(f, " IN {table}")?;
                if let Some(a) = args {
                    write!(f, "({})", List(a))?;
                }
                Ok(())
            }
            ExprKind::Subquery(s) => write!(f, "({s})"),
            ExprKind::Exists(s) => write!(f, "EXISTS ({s})"),
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_ {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            ExprKind::Cast { expr, type_name } => {
                write!(f, "CAST({expr} AS")?;
                if let Some(t) = type_name {
                    write!(f, " {t}")?;
                }
                f.write_str(")")
            }
            ExprKind::Collate { expr, collation } => {
                write!(f, "{} COLLATE {collation}", Operand(expr))
            }
            ExprKind::Function {
                name,
                args,
                filter,
                over,
            } => {
                write!(f, "{name}(")?;
                match args {
                    FunctionArgs::Star => f.write_str("*")?,
                    FunctionArgs::List {
                        distinct,
                        args,
                        order_by,
                    } => {
                        if *distinct {
                            f.write_str("DISTINCT ")?;
                        }
                        write!(f, "{}", List(args))?;
                        if !order_by.is_empty() {
                            if !args.is_empty() {
                                f.write_str(" ")?;
                            }
                            write!(f, "ORDER BY {}", List(order_by))?;
                        }
                    }
                }
                f.write_str(")")?;
                if let Some(e) = filter {
                    write!(f, " FILTER (WHERE {e})")?;
                }
                match over {
                    Some(Over::Name(n)) => write!(f, " OVER {n}"),
                    Some(Over::Window(w)) => write!(f, " OVER ({w})"),
                    None => Ok(()),
                }
            }
            ExprKind::Raise { kind, message } => {
                let k = match kind {
                    RaiseKind::Ignore => "IGNORE",
                    RaiseKind::Rollback => "ROLLBACK",
                    RaiseKind::Abort => "ABORT",
                    RaiseKind::Fail => "FAIL",
                };
                write!(f, "RAISE({k}")?;
                if let Some(m) = message {
                    write!(f, ", {m}")?;
                }
                f.write_str(")")
            }
            ExprKind::Vector(v) => write!(f, "({})", List(v)),
        }
    }
}

impl Display for TypeName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            write!(f, "({})", self.args.join(", "))?;
        }
        Ok(())
    }
}

impl Display for Insert {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        with_prefix(f, &self.with)?;
        if self.replace_keyword {
            f.write_str("REPLACE")?;
        } else {
            f.write_str("INSERT")?;
            if let Some(a) = self.or {
                write!(f, " OR {}", conflict(a))?;
            }
        }
        write!(f, " INTO {}", self.table)?;
        alias(f, &self.alias)?;
        if let Some(cols) = &self.columns {
            write!(f, " ({})", List(cols))?;
        }
        match &self.source {
            InsertSource::Select(s) => write!(f, " {s}")?,
            InsertSource::DefaultValues => f.write_str(" DEFAULT VALUES")?,
        }
        for u in &self.upsert {
            f.write_str(" ON CONFLICT")?;
            if let Some(t) = &u.target {
                write!(f, " ({})", List(&t.columns))?;
                opt_where(f, &t.where_)?;
            }
            match &u.action {
                UpsertAction::Nothing => f.write_str(" DO NOTHING")?,
                UpsertAction::Update { set, where_ } => {
                    write!(f, " DO UPDATE SET {}", List(set))?;
                    opt_where(f, where_)?;
                }
            }
        }
        returning(f, &self.returning)
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.list {
            write!(f, "({}) = {}", List(&self.columns), self.value)
        } else {
            write!(f, "{} = {}", List(&self.columns), self.value)
        }
    }
}

impl Display for Update {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        with_prefix(f, &self.with)?;
        f.write_str("UPDATE ")?;
        if let Some(a) = self.or {
            write!(f, "OR {} ", conflict(a))?;
        }
        write!(f, "{}", self.table)?;
        alias(f, &self.alias)?;
        indexed(f, &self.indexed)?;
        write!(f, " SET {}", List(&self.set))?;
        if let Some(from) = &self.from {
            write!(f, " FROM {from}")?;
        }
        opt_where(f, &self.where_)?;
        returning(f, &self.returning)
    }
}

impl Display for Delete {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        with_prefix(f, &self.with)?;
        write!(f, "DELETE FROM {}", self.table)?;
        alias(f, &self.alias)?;
        indexed(f, &self.indexed)?;
        opt_where(f, &self.where_)?;
        returning(f, &self.returning)
    }
}

impl Display for CreateTable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.temporary {
            "CREATE TEMP TABLE "
        } else {
            "CREATE TABLE "
        })?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        write!(f, "{}", self.name)?;
        match &self.body {
            CreateTableBody::AsSelect(s) => write!(f, " AS {s}"),
            CreateTableBody::Columns {
                columns,
                constraints,
                options,
            } => {
                write!(f, " ({}", List(columns))?;
                for c in constraints {
                    write!(f, ", {c}")?;
                }
                f.write_str(")")?;
                for (i, o) in options.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { ", " })?;
                    f.write_str(match o {
                        TableOption::WithoutRowid => "WITHOUT ROWID",
                        TableOption::Strict => "STRICT",
                    })?;
                }
                Ok(())
            }
        }
    }
}

impl Display for ColumnDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(t) = &self.type_name {
            write!(f, " {t}")?;
        }
        for c in &self.constraints {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

impl Display for Deferrable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.not {
            "NOT DEFERRABLE"
        } else {
            "DEFERRABLE"
        })?;
        match self.initially_deferred {
            Some(true) => f.write_str(" INITIALLY DEFERRED"),
            Some(false) => f.write_str(" INITIALLY IMMEDIATE"),
            None => Ok(()),
        }
    }
}

impl Display for ForeignKeyClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "REFERENCES {}", self.table)?;
        if !self.columns.is_empty() {
            write!(f, "({})", List(&self.columns))?;
        }
        for a in &self.args {
            let (on, act) = match a {
                RefArg::Match(n) => {
                    write!(f, " MATCH {n}")?;
                    continue;
                }
                RefArg::OnDelete(x) => ("DELETE", x),
                RefArg::OnUpdate(x) => ("UPDATE", x),
                RefArg::OnInsert(x) => ("INSERT", x),
            };
            let act = match act {
                RefAction::SetNull => "SET NULL",
                RefAction::SetDefault => "SET DEFAULT",
                RefAction::Cascade => "CASCADE",
                RefAction::Restrict => "RESTRICT",
                RefAction::NoAction => "NO ACTION",
            };
            write!(f, " ON {on} {act}")?;
        }
        if let Some(d) = &self.deferrable {
            write!(f, " {d}")?;
        }
        Ok(())
    }
}

impl Display for ColumnConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ColumnConstraint::Name(n) => write!(f, "CONSTRAINT {n}"),
            ColumnConstraint::PrimaryKey {
                order,
                conflict: c,
                autoincrement,
            } => {
                f.write_str("PRIMARY KEY")?;
                match order {
                    Some(SortOrder::Asc) => f.write_str(" ASC")?,
                    Some(SortOrder::Desc) => f.write_str(" DESC")?,
                    None => {}
                }
                onconf(f, *c)?;
                if *autoincrement {
                    f.write_str(" AUTOINCREMENT")?;
                }
                Ok(())
            }
            ColumnConstraint::NotNull { conflict: c } => {
                f.write_str("NOT NULL")?;
                onconf(f, *c)
            }
            ColumnConstraint::Null { conflict: c } => {
                f.write_str("NULL")?;
                onconf(f, *c)
            }
            ColumnConstraint::Unique { conflict: c } => {
                f.write_str("UNIQUE")?;
                onconf(f, *c)
            }
            ColumnConstraint::Check(e) => write!(f, "CHECK ({e})"),
            ColumnConstraint::Default {
                expr,
                parenthesized,
            } => {
                if *parenthesized {
                    write!(f, "DEFAULT ({expr})")
                } else {
                    write!(f, "DEFAULT {expr}")
                }
            }
            ColumnConstraint::Collate(n) => write!(f, "COLLATE {n}"),
            ColumnConstraint::References(fk) => write!(f, "{fk}"),
            ColumnConstraint::Generated { expr, storage } => {
                write!(f, "AS ({expr})")?;
                match storage {
                    Some(GeneratedStorage::Stored) => f.write_str(" STORED"),
                    Some(GeneratedStorage::Virtual) => f.write_str(" VIRTUAL"),
                    None => Ok(()),
                }
            }
            ColumnConstraint::Deferrable(d) => write!(f, "{d}"),
        }
    }
}

impl Display for TableConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TableConstraint::Name(n) => write!(f, "CONSTRAINT {n}"),
            TableConstraint::PrimaryKey {
                columns,
                autoincrement,
                conflict: c,
            } => {
                write!(f, "PRIMARY KEY ({}", List(columns))?;
                if *autoincrement {
                    f.write_str(" AUTOINCREMENT")?;
                }
                f.write_str(")")?;
                onconf(f, *c)
            }
            TableConstraint::Unique {
                columns,
                conflict: c,
            } => {
                write!(f, "UNIQUE ({})", List(columns))?;
                onconf(f, *c)
            }
            TableConstraint::Check { expr, conflict: c } => {
                write!(f, "CHECK ({expr})")?;
                onconf(f, *c)
            }
            TableConstraint::ForeignKey { columns, clause } => {
                write!(f, "FOREIGN KEY ({}) {clause}", List(columns))
            }
        }
    }
}

impl Display for CreateTrigger {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.temporary {
            "CREATE TEMP TRIGGER "
        } else {
            "CREATE TRIGGER "
        })?;
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        write!(f, "{}", self.name)?;
        match self.time {
            Some(TriggerTime::Before) => f.write_str(" BEFORE")?,
            Some(TriggerTime::After) => f.write_str(" AFTER")?,
            Some(TriggerTime::InsteadOf) => f.write_str(" INSTEAD OF")?,
            None => {}
        }
        match &self.event {
            TriggerEvent::Delete => f.write_str(" DELETE")?,
            TriggerEvent::Insert => f.write_str(" INSERT")?,
            TriggerEvent::Update(None) => f.write_str(" UPDATE")?,
            TriggerEvent::Update(Some(cols)) => write!(f, " UPDATE OF {}", List(cols))?,
        }
        write!(f, " ON {}", self.table)?;
        if self.for_each_row {
            f.write_str(" FOR EACH ROW")?;
        }
        if let Some(w) = &self.when {
            write!(f, " WHEN {w}")?;
        }
        f.write_str(" BEGIN ")?;
        for s in &self.body {
            write!(f, "{s}; ")?;
        }
        f.write_str("END")
    }
}

impl Display for AlterTable {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "ALTER TABLE {} ", self.table)?;
        match &self.action {
            AlterAction::RenameTo(n) => write!(f, "RENAME TO {n}"),
            AlterAction::RenameColumn { old, new } => write!(f, "RENAME COLUMN {old} TO {new}"),
            AlterAction::AddColumn(c) => write!(f, "ADD COLUMN {c}"),
            AlterAction::DropColumn(n) => write!(f, "DROP COLUMN {n}"),
            AlterAction::AddCheck {
                name,
                expr,
                conflict: c,
            } => {
                f.write_str("ADD ")?;
                if let Some(n) = name {
                    write!(f, "CONSTRAINT {n} ")?;
                }
                write!(f, "CHECK ({expr})")?;
                onconf(f, *c)
            }
            AlterAction::DropConstraint(n) => write!(f, "DROP CONSTRAINT {n}"),
            AlterAction::SetNotNull {
                column,
                conflict: c,
            } => {
                write!(f, "ALTER COLUMN {column} SET NOT NULL")?;
                onconf(f, *c)
            }
            AlterAction::DropNotNull(n) => write!(f, "ALTER COLUMN {n} DROP NOT NULL"),
        }
    }
}
