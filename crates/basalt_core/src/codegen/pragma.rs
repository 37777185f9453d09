//! PRAGMAs. Supported so far: `table_info`. Unknown pragmas are silently ignored, as SQLite
//! ignores them (no error, no rows).
//!
//! Invariants: a pragma's rows are SQLite's, column for column (names and types included).

use super::{error, Ctx};
use crate::error::Result;
use crate::vdbe::Insn;
use basalt_parser::ast;

impl Ctx<'_> {
    pub fn pragma(&mut self, pragma: &ast::Pragma) -> Result<Vec<String>> {
        let name = pragma.name.name.value.to_ascii_lowercase();
        let arg = match &pragma.value {
            Some(ast::PragmaValue::Assign(v)) | Some(ast::PragmaValue::Call(v)) => Some(v.clone()),
            None => None,
        };
        match name.as_str() {
            "table_info" => self.table_info(arg.as_deref()),
            _ => Ok(Vec::new()),
        }
    }

    fn table_info(&mut self, table: Option<&str>) -> Result<Vec<String>> {
        let names = ["cid", "name", "type", "notnull", "dflt_value", "pk"];
        let Some(table) = table.and_then(|t| self.catalog.table(t.trim_matches(['\'', '"'])))
        else {
            return Ok(names.iter().map(|s| s.to_string()).collect());
        };
        if table.unsupported.is_some() && table.columns.is_empty() {
            return Err(error(format!(
                "not supported yet: PRAGMA table_info on {}",
                table.name
            )));
        }
        let pk_columns: Vec<usize> = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.primary_key)
            .map(|(i, _)| i)
            .collect();
        let regs = self.b.regs(6);
        for (i, c) in table.columns.iter().enumerate() {
            self.b.emit(Insn::Integer {
                value: i as i64,
                dest: regs,
            });
            self.b.emit(Insn::Text {
                value: c.name.as_bytes().to_vec(),
                dest: regs + 1,
            });
            self.b.emit(Insn::Text {
                value: c.declared_type.as_bytes().to_vec(),
                dest: regs + 2,
            });
            self.b.emit(Insn::Integer {
                value: i64::from(c.not_null),
                dest: regs + 3,
            });
            match &c.default {
                Some(d) => self.b.emit(Insn::Text {
                    value: d.to_string().into_bytes(),
                    dest: regs + 4,
                }),
                None => self.b.emit(Insn::Null {
                    dest: regs + 4,
                    count: 1,
                }),
            };
            let pk = pk_columns
                .iter()
                .position(|&p| p == i)
                .map_or(0, |p| p as i64 + 1);
            self.b.emit(Insn::Integer {
                value: pk,
                dest: regs + 5,
            });
            self.b.emit(Insn::ResultRow {
                start: regs,
                count: 6,
            });
        }
        Ok(names.iter().map(|s| s.to_string()).collect())
    }
}
