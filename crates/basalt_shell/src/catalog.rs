//! What the CREATE text of a table says about its columns, read with `basalt_parser` (the
//! engine-free half of `PRAGMA table_info`), for `.dump` and the MCP `describe_table` tool.

use basalt_parser::ast::{ColumnConstraint, CreateTableBody, ExprKind, Stmt, TableConstraint};

/// One column as `PRAGMA table_info` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// The declared type as written (`VARCHAR(10)`), empty when none.
    pub decl_type: String,
    pub not_null: bool,
    /// The DEFAULT expression's source text.
    pub default: Option<String>,
    /// 1-based position in the primary key, 0 when not part of it.
    pub primary_key: usize,
}

/// The ordinary (non-generated) columns of `CREATE TABLE` text; empty if it does not parse as
/// one (virtual tables, `AS SELECT` tables, damaged text).
pub fn table_columns(create_sql: &str) -> Vec<ColumnInfo> {
    let Ok(Some((statement, _))) = basalt_parser::parse_first(create_sql) else {
        return Vec::new();
    };
    let Stmt::CreateTable(create) = statement.stmt else {
        return Vec::new();
    };
    let CreateTableBody::Columns {
        columns,
        constraints,
        ..
    } = create.body
    else {
        return Vec::new();
    };
    let source =
        |span: basalt_parser::ast::Span| create_sql.get(span.start..span.end).map(str::to_string);
    // A table-level PRIMARY KEY numbers its columns in its own order.
    let table_key: Vec<String> = constraints
        .iter()
        .find_map(|c| match c {
            TableConstraint::PrimaryKey { columns, .. } => Some(
                columns
                    .iter()
                    .filter_map(|term| match &term.expr.kind {
                        ExprKind::Id(name) => Some(name.value.to_lowercase()),
                        _ => source(term.expr.span).map(|s| s.to_lowercase()),
                    })
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    columns
        .iter()
        .filter(|c| {
            !c.constraints
                .iter()
                .any(|k| matches!(k, ColumnConstraint::Generated { .. }))
        })
        .map(|column| {
            let decl_type = column.type_name.as_ref().map_or(String::new(), |t| {
                if t.args.is_empty() {
                    t.name.clone()
                } else {
                    format!("{}({})", t.name, t.args.join(","))
                }
            });
            let column_key = column
                .constraints
                .iter()
                .any(|k| matches!(k, ColumnConstraint::PrimaryKey { .. }));
            let primary_key = if column_key {
                1
            } else {
                table_key
                    .iter()
                    .position(|k| *k == column.name.value.to_lowercase())
                    .map_or(0, |p| p + 1)
            };
            ColumnInfo {
                name: column.name.value.clone(),
                decl_type,
                not_null: column
                    .constraints
                    .iter()
                    .any(|k| matches!(k, ColumnConstraint::NotNull { .. })),
                default: column.constraints.iter().find_map(|k| match k {
                    ColumnConstraint::Default { expr, .. } => source(expr.span),
                    _ => None,
                }),
                primary_key,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_a_table() {
        let columns = table_columns(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL DEFAULT 'x', \
             g AS (id*2), \"odd name\")",
        );
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "odd name"]);
        assert_eq!(columns[0].primary_key, 1);
        assert_eq!(columns[1].decl_type, "VARCHAR(10)");
        assert!(columns[1].not_null);
        assert_eq!(columns[1].default.as_deref(), Some("'x'"));
        let keyed = table_columns("CREATE TABLE k(a, b, PRIMARY KEY(b, a))");
        assert_eq!((keyed[0].primary_key, keyed[1].primary_key), (2, 1));
        assert!(table_columns("CREATE VIEW v AS SELECT 1").is_empty());
    }
}
