//! Recursive-descent parser for SQLite's grammar.
//!
//! Invariants:
//! - The parser fails on the first token at which SQLite's LALR parser fails,
//!   with SQLite's message for it: an illegal token gives `unrecognized
//!   token`, the end of input gives `incomplete input`, anything else
//!   `near "X": syntax error`.
//! - SQLite raises its other parse-time errors (join types, table options,
//!   expression height, ...) while reducing a rule, which happens when the
//!   *next* token arrives. Such errors are `defer`red: a syntax or token error
//!   on that next token replaces them, otherwise they become final once that
//!   token is consumed (`bump`). After that the parser sees only end of input
//!   so it unwinds quickly, and every error path returns the committed error.
//! - Nesting is bounded twice, as in SQLite: `stack` approximates the LALR
//!   parser's stack (limit 2500, "Recursion limit") and expression height is
//!   limited to 1000. Both bound the Rust recursion depth, so no input can
//!   overflow the native stack.

mod ddl;
mod dml;
mod expr;
mod select;

use crate::ast::*;
use crate::error::Error;
use crate::keywords::Keyword;
use crate::lexer::{tokenize_into, Tk, Token};
use std::cell::Cell;

pub(crate) type R<T> = Result<T, Box<Error>>;

/// SQLite's `SQLITE_MAX_PARSER_DEPTH`.
const MAX_PARSER_DEPTH: u32 = 2500;
/// Recursion depth at which parsing moves to a thread with `BIG_STACK`.
const SPILL_DEPTH: u32 = 48;
const BIG_STACK: usize = 256 << 20;
/// SQLite's `SQLITE_MAX_EXPR_DEPTH`.
pub(crate) const MAX_EXPR_DEPTH: u32 = 1000;

/// Steps through the statements of one SQL text, like repeated calls of
/// `sqlite3_prepare` on the remaining tail.
pub struct Parser<'a> {
    sql: &'a str,
    toks: Vec<Token>,
    pos: usize,
    pending: Option<Box<Error>>,
    committed: Option<Box<Error>>,
    /// Approximate LALR stack depth.
    stack: u32,
    /// Inside a CREATE TRIGGER body (RETURNING is rejected there).
    in_trigger: bool,
    /// Rust recursion depth of `nest`, and whether we already moved to a
    /// thread with a large stack.
    rust_depth: u32,
    big_stack: bool,
    /// Highest host-parameter number assigned so far, and the named ones.
    n_var: u64,
    var_names: std::collections::HashSet<String>,
    eof: Token,
}

thread_local! {
    /// A token vector a finished parser left behind, for the next one on this thread: a schema
    /// load parses one CREATE text after another, and reusing the vector saves an allocation
    /// per statement.
    static SPARE_TOKENS: Cell<Vec<Token>> = const { Cell::new(Vec::new()) };
}

/// Parsers return their token vector for reuse only up to this capacity, so one huge statement
/// does not keep its tokens' memory for the life of the thread.
const SPARE_TOKENS_MAX: usize = 4096;

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        if self.toks.capacity() <= SPARE_TOKENS_MAX {
            let toks = std::mem::take(&mut self.toks);
            // Fails only while the thread is being torn down; the vector is then just freed.
            let _ = SPARE_TOKENS.try_with(|spare| spare.set(toks));
        }
    }
}

impl<'a> Parser<'a> {
    pub fn new(sql: &'a str) -> Parser<'a> {
        let mut toks = SPARE_TOKENS
            .try_with(|spare| spare.take())
            .unwrap_or_default();
        tokenize_into(sql, &mut toks);
        let end = sql.len();
        Parser {
            sql,
            toks,
            pos: 0,
            pending: None,
            committed: None,
            stack: 0,
            in_trigger: false,
            rust_depth: 0,
            big_stack: false,
            n_var: 0,
            var_names: std::collections::HashSet::new(),
            eof: Token {
                kind: Tk::Eof,
                start: end,
                end,
            },
        }
    }

    /// Byte offset where the unparsed rest of the input starts (the "tail").
    pub fn tail_offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.sql.len(), |t| t.start)
    }

    /// Parses the next statement. `Ok(None)` means only empty statements,
    /// whitespace or comments remained. After an error the parser is at the
    /// end of its input.
    pub fn next_statement(&mut self) -> Result<Option<Statement>, Error> {
        match self.statement() {
            Ok(s) => Ok(s),
            Err(e) => {
                self.pos = self.toks.len();
                Err(*e)
            }
        }
    }

    fn statement(&mut self) -> R<Option<Statement>> {
        self.pending = None;
        self.committed = None;
        self.stack = 1;
        self.n_var = 0;
        self.var_names.clear();
        while self.at(Tk::Semi) {
            self.bump();
        }
        if self.at(Tk::Eof) {
            return Ok(None);
        }
        if self.at(Tk::Illegal) {
            return Err(self.error_here());
        }
        let start = self.cur().start;
        let explain = if self.eat_kw(Keyword::Explain) {
            if self.eat_kw(Keyword::Query) {
                self.expect_kw(Keyword::Plan)?;
                Some(Explain::QueryPlan)
            } else {
                Some(Explain::Explain)
            }
        } else {
            None
        };
        if explain.is_some() {
            self.stack += 1;
        }
        let stmt = self.cmd()?;
        let end = self.prev_end();
        if !self.at(Tk::Semi) && !self.at(Tk::Eof) {
            return Err(self.error_here());
        }
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        if self.at(Tk::Semi) {
            self.bump();
            if let Some(e) = self.take_error() {
                return Err(e);
            }
        }
        Ok(Some(Statement {
            explain,
            stmt,
            span: Span { start, end },
        }))
    }

    fn take_error(&mut self) -> Option<Box<Error>> {
        self.committed.take().or_else(|| self.pending.take())
    }

    fn cmd(&mut self) -> R<Stmt> {
        let t = self.cur();
        match t.kind {
            Tk::Kw(Keyword::Select | Keyword::Values) => Ok(Stmt::Select(Box::new(self.select()?))),
            Tk::Kw(Keyword::With) => {
                let with = self.with_clause()?;
                if matches!(self.cur().kind, Tk::Kw(Keyword::Select | Keyword::Values)) {
                    Ok(Stmt::Select(Box::new(self.select_after_with(Some(with))?)))
                } else {
                    self.dml(Some(with))
                }
            }
            Tk::Kw(Keyword::Insert | Keyword::Replace | Keyword::Update | Keyword::Delete) => {
                self.dml(None)
            }
            Tk::Kw(Keyword::Create) => self.create(),
            Tk::Kw(Keyword::Drop) => self.drop(),
            Tk::Kw(Keyword::Alter) => self.alter(),
            Tk::Kw(Keyword::Begin) => self.begin(),
            Tk::Kw(Keyword::Commit | Keyword::End) => {
                self.bump();
                self.trans_opt()?;
                Ok(Stmt::Commit)
            }
            Tk::Kw(Keyword::Rollback) => self.rollback(),
            Tk::Kw(Keyword::Savepoint) => {
                self.bump();
                Ok(Stmt::Savepoint(self.nm()?))
            }
            Tk::Kw(Keyword::Release) => {
                self.bump();
                self.eat_kw(Keyword::Savepoint);
                Ok(Stmt::Release(self.nm()?))
            }
            Tk::Kw(Keyword::Pragma) => self.pragma(),
            Tk::Kw(Keyword::Attach) => self.attach(),
            Tk::Kw(Keyword::Detach) => {
                self.bump();
                self.eat_kw(Keyword::Database);
                Ok(Stmt::Detach(self.expr()?))
            }
            Tk::Kw(Keyword::Analyze) => {
                self.bump();
                Ok(Stmt::Analyze(self.opt_qualified_name()?))
            }
            Tk::Kw(Keyword::Reindex) => {
                self.bump();
                Ok(Stmt::Reindex(self.opt_qualified_name()?))
            }
            Tk::Kw(Keyword::Vacuum) => self.vacuum(),
            _ => Err(self.error_here()),
        }
    }

    // ------------------------------------------------------------ tokens

    fn cur(&self) -> Token {
        if self.committed.is_some() {
            return self.eof;
        }
        self.toks.get(self.pos).copied().unwrap_or(self.eof)
    }

    fn peek_kind(&self, n: usize) -> Tk {
        if self.committed.is_some() {
            return Tk::Eof;
        }
        self.toks.get(self.pos + n).map_or(Tk::Eof, |t| t.kind)
    }

    fn at(&self, k: Tk) -> bool {
        self.cur().kind == k
    }

    fn at_kw(&self, k: Keyword) -> bool {
        self.cur().kind == Tk::Kw(k)
    }

    fn text(&self, t: Token) -> &'a str {
        &self.sql[t.start..t.end]
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            return 0;
        }
        self.toks
            .get(self.pos - 1)
            .map_or(self.sql.len(), |t| t.end)
    }

    /// Consumes the current token. A deferred error becomes final here,
    /// because SQLite stops after feeding the token that triggered it.
    fn bump(&mut self) -> Token {
        let t = self.cur();
        if t.kind != Tk::Eof {
            self.pos += 1;
        }
        if let Some(e) = self.pending.take() {
            self.committed = Some(e);
        }
        t
    }

    fn eat(&mut self, k: Tk) -> bool {
        if self.at(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// `KEYWORD expr` if the next token is the keyword, else nothing (WHERE, HAVING, INTO …).
    fn expr_after(&mut self, k: Keyword) -> R<Option<Expr>> {
        if self.eat_kw(k) {
            self.expr().map(Some)
        } else {
            Ok(None)
        }
    }

    fn eat_kw(&mut self, k: Keyword) -> bool {
        self.eat(Tk::Kw(k))
    }

    fn expect(&mut self, k: Tk) -> R<Token> {
        if self.at(k) {
            Ok(self.bump())
        } else {
            Err(self.error_here())
        }
    }

    fn expect_kw(&mut self, k: Keyword) -> R<Token> {
        self.expect(Tk::Kw(k))
    }

    // ------------------------------------------------------------ errors

    /// The error SQLite reports when its parser cannot accept the current token.
    fn error_here(&mut self) -> Box<Error> {
        if let Some(e) = self.committed.take() {
            return e;
        }
        self.pending = None;
        let t = self.cur();
        let message = match t.kind {
            Tk::Eof => "incomplete input".to_string(),
            Tk::Illegal => format!("unrecognized token: \"{}\"", self.text(t)),
            _ => format!("near \"{}\": syntax error", self.text(t)),
        };
        Box::new(Error {
            message,
            offset: t.start,
        })
    }

    /// Records an error SQLite raises while reducing a rule; see module docs.
    fn defer(&mut self, message: String, offset: usize) {
        if self.committed.is_none() {
            self.pending = Some(Box::new(Error { message, offset }));
        }
    }

    /// Grows the approximate LALR stack by `n`, failing like SQLite's
    /// "Recursion limit" when it would exceed SQLite's limit.
    fn push(&mut self, n: u32) -> R<()> {
        self.stack += n;
        self.check_stack(0)
    }

    fn pop(&mut self, n: u32) {
        self.stack = self.stack.saturating_sub(n);
    }

    /// Fails if `extra` more entries do not fit on the stack.
    fn check_stack(&mut self, extra: u32) -> R<()> {
        if self.stack + extra <= MAX_PARSER_DEPTH {
            return Ok(());
        }
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        let offset = self.cur().start;
        Err(Box::new(Error {
            message: "Recursion limit".to_string(),
            offset,
        }))
    }

    /// Runs one level of recursive descent. The nesting SQLite allows
    /// (2500 parser-stack entries) needs more native stack than a default
    /// 2 MiB thread has in debug builds, so past a modest depth the rest of
    /// the descent continues on a scoped thread with a large stack. The
    /// approximate LALR stack bounds the depth, so this stack cannot overflow.
    pub(crate) fn nest<T: Send>(&mut self, f: impl FnOnce(&mut Self) -> R<T> + Send) -> R<T> {
        self.rust_depth += 1;
        let r = if self.rust_depth == SPILL_DEPTH && !self.big_stack {
            self.big_stack = true;
            let spawned = std::thread::scope(|s| {
                std::thread::Builder::new()
                    .stack_size(BIG_STACK)
                    .spawn_scoped(s, || f(self))
                    .map(|h| h.join())
            });
            self.big_stack = false;
            match spawned {
                Ok(Ok(r)) => r,
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(_) => {
                    let offset = self.cur().start;
                    Err(Box::new(Error {
                        message: "Recursion limit".to_string(),
                        offset,
                    }))
                }
            }
        } else {
            f(self)
        };
        self.rust_depth -= 1;
        r
    }

    // ------------------------------------------------------------ names

    fn make_name(&self, t: Token) -> Name {
        let raw = self.text(t);
        let span = Span {
            start: t.start,
            end: t.end,
        };
        let (quote, value) = match raw.as_bytes().first() {
            Some(b'"') => (Quote::Double, unquote(raw, '"')),
            Some(b'\'') => (Quote::Single, unquote(raw, '\'')),
            Some(b'`') => (Quote::Backtick, unquote(raw, '`')),
            Some(b'[') => (Quote::Bracket, raw[1..raw.len() - 1].to_string()),
            _ => (Quote::None, raw.to_string()),
        };
        Name { value, quote, span }
    }

    /// `id`: ID or INDEXED, or a keyword that falls back to ID.
    fn is_id(&self, t: Tk) -> bool {
        match t {
            Tk::Id => true,
            Tk::Kw(k) => k == Keyword::Indexed || k.falls_back_to_id(),
            _ => false,
        }
    }

    /// `ids`: ID or STRING (including fallback keywords).
    fn is_ids(&self, t: Tk) -> bool {
        match t {
            Tk::Id | Tk::String => true,
            Tk::Kw(k) => k.falls_back_to_id(),
            _ => false,
        }
    }

    /// `nm`: ID, INDEXED, STRING or a join keyword (plus fallbacks).
    fn is_nm(&self, t: Tk) -> bool {
        match t {
            Tk::Id | Tk::String => true,
            Tk::Kw(k) => k == Keyword::Indexed || k.is_join_kw() || k.falls_back_to_id(),
            _ => false,
        }
    }

    fn nm(&mut self) -> R<Name> {
        if self.is_nm(self.cur().kind) {
            let t = self.bump();
            Ok(self.make_name(t))
        } else {
            Err(self.error_here())
        }
    }

    fn ids(&mut self) -> R<Name> {
        if self.is_ids(self.cur().kind) {
            let t = self.bump();
            Ok(self.make_name(t))
        } else {
            Err(self.error_here())
        }
    }

    /// `nm [DOT nm]`
    fn qualified_name(&mut self) -> R<QualifiedName> {
        let first = self.nm()?;
        if self.eat(Tk::Dot) {
            let name = self.nm()?;
            Ok(QualifiedName {
                schema: Some(first),
                name,
            })
        } else {
            Ok(QualifiedName {
                schema: None,
                name: first,
            })
        }
    }

    fn opt_qualified_name(&mut self) -> R<Option<QualifiedName>> {
        if self.is_nm(self.cur().kind) {
            Ok(Some(self.qualified_name()?))
        } else {
            Ok(None)
        }
    }

    /// `LP nm (COMMA nm)* RP`
    fn idlist(&mut self) -> R<Vec<Name>> {
        self.expect(Tk::LParen)?;
        let mut v = vec![self.nm()?];
        while self.eat(Tk::Comma) {
            v.push(self.nm()?);
        }
        self.expect(Tk::RParen)?;
        Ok(v)
    }

    /// `eidlist`: names where SQLite's grammar also allows COLLATE and a sort
    /// order, only to reject them.
    fn eidlist(&mut self) -> R<Vec<Name>> {
        self.expect(Tk::LParen)?;
        let mut v = Vec::new();
        loop {
            let t = self.cur();
            let name = self.nm()?;
            let mut extra = false;
            if self.eat_kw(Keyword::Collate) {
                self.ids()?;
                extra = true;
            }
            if self.eat_kw(Keyword::Asc) || self.eat_kw(Keyword::Desc) {
                extra = true;
            }
            if extra {
                let raw = self.text(t);
                self.defer(format!("syntax error after column name \"{raw}\""), t.start);
            }
            v.push(name);
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        self.expect(Tk::RParen)?;
        Ok(v)
    }

    fn span_from(&self, start: usize) -> Span {
        Span {
            start,
            end: self.prev_end().max(start),
        }
    }
}

/// Removes the surrounding quotes and un-doubles embedded ones.
fn unquote(raw: &str, q: char) -> String {
    let inner = &raw[1..raw.len() - 1];
    let mut doubled = String::with_capacity(2);
    doubled.push(q);
    doubled.push(q);
    if inner.contains(&doubled) {
        inner.replace(&doubled, &q.to_string())
    } else {
        inner.to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;
    use crate::{parse, parse_first, Parser};

    fn err(sql: &str) -> String {
        parse(sql).map(|_| ()).unwrap_err().message
    }

    #[test]
    fn steps_through_statements_with_tail() {
        let sql = ";; SELECT 1; SELECT 2 ;  ";
        let (s, tail) = parse_first(sql).unwrap().unwrap();
        assert!(matches!(s.stmt, Stmt::Select(_)));
        assert_eq!(&sql[tail..], "SELECT 2 ;  ");
        let mut p = Parser::new(sql);
        assert!(p.next_statement().unwrap().is_some());
        assert!(p.next_statement().unwrap().is_some());
        assert!(p.next_statement().unwrap().is_none());
        assert_eq!(parse_first("-- only a comment").unwrap(), None);
    }

    #[test]
    fn sqlite_messages() {
        assert_eq!(err("SELECT"), "incomplete input");
        assert_eq!(err("SELECT (1;"), "near \";\": syntax error");
        assert_eq!(err("SELECT 'abc"), "unrecognized token: \"'abc\"");
        assert_eq!(err("SELECT ?0 !"), "unrecognized token: \"!\"");
        assert_eq!(err("SELECT ?0 ?0"), "near \"?0\": syntax error");
        assert_eq!(
            err("SELECT ?0"),
            "variable number must be between ?1 and ?32766"
        );
        assert_eq!(err("SELECT 1_0__1"), "unrecognized token: \"100__1\"");
        assert_eq!(
            err("SELECT * FROM t LEFT INNER JOIN u"),
            "unknown join type: LEFT INNER"
        );
        assert_eq!(
            err("CREATE TABLE x(a) WITHOUT foo"),
            "unknown table option: foo"
        );
    }

    #[test]
    fn keywords_fall_back_to_names() {
        let s = parse("SELECT key, replace, rowid, temp FROM indexed AS left").unwrap();
        let Stmt::Select(sel) = &s[0].stmt else {
            panic!()
        };
        let SelectCore::Select(body) = &sel.first else {
            panic!()
        };
        assert_eq!(body.columns.len(), 4);
        assert_eq!(err("SELECT cast"), "incomplete input");
    }

    #[test]
    fn double_quoted_names_are_recorded() {
        let s = parse("SELECT \"a\"\"b\"").unwrap();
        let Stmt::Select(sel) = &s[0].stmt else {
            panic!()
        };
        let SelectCore::Select(body) = &sel.first else {
            panic!()
        };
        let ResultColumn::Expr { expr, .. } = &body.columns[0] else {
            panic!()
        };
        let ExprKind::Id(name) = &expr.kind else {
            panic!()
        };
        assert_eq!((name.value.as_str(), name.quote), ("a\"b", Quote::Double));
        assert_eq!((expr.span.start, expr.span.end), (7, 13));
    }

    #[test]
    fn precedence_quirks() {
        let s = parse("SELECT NOT a = b, a = b NOT NULL, -a COLLATE x").unwrap();
        assert_eq!(
            s[0].to_string(),
            "SELECT NOT (a = b), (a = b) NOTNULL, (-a) COLLATE x"
        );
    }

    #[test]
    fn begin_concurrent_extension() {
        let s = parse("BEGIN CONCURRENT").unwrap();
        assert_eq!(
            s[0].stmt,
            Stmt::Begin {
                mode: Some(TransactionMode::Concurrent),
                name: None
            }
        );
    }
}
