//! Tables for streams whose columns are known only at run time (the
//! output of a SQL view, described by arrow fields): `view_<name>`.
//!
//! A view's output is a collection that changes: rows are asserted
//! (`diff` +1) and retracted (−1). The table is a
//! `ReplacingMergeTree(version)` ordered by all of the view's columns, so
//! that each distinct row keeps only its newest update (`version` is
//! `2 × time + (diff > 0)`); the view's current rows are
//!
//! ```sql
//! SELECT * FROM view_<name> FINAL WHERE diff > 0
//! ```
//!
//! A replayed or retried batch writes the same rows with the same
//! versions, so it changes nothing. The table has no partitions: a row's
//! retraction must meet its assertion, whatever the months between.
//! Nullable columns, which old servers do not allow in a sorting key,
//! enter it as `isNull(c), assumeNotNull(c)`.

use arrow::datatypes::{DataType, Field, TimeUnit};

use crate::error::Error;
use crate::quote_ident;

/// The columns the sink fills itself; a view may not have one of them.
pub const RESERVED_COLUMNS: &[&str] = &["time", "diff", "version", "batch_id"];

/// The table a view's rows go to.
pub fn view_table(view: &str) -> String {
    format!("view_{view}")
}

/// The ClickHouse type of an arrow field (as current ClickHouse spells
/// it; [`Server::adapt`](crate::Server::adapt) rewrites it for old
/// servers); `None` for a type the sink does not write.
fn column_type(field: &Field) -> Option<String> {
    let base = match field.data_type() {
        DataType::Float64 => "Float64",
        DataType::Int64 => "Int64",
        DataType::Int32 => "Int32",
        DataType::UInt64 => "UInt64",
        DataType::UInt32 => "UInt32",
        DataType::Boolean => "UInt8",
        DataType::Utf8 | DataType::LargeUtf8 => "String",
        DataType::Timestamp(TimeUnit::Millisecond, _) => "DateTime64(3, 'UTC')",
        _ => return None,
    };
    Some(if field.is_nullable() {
        format!("Nullable({base})")
    } else {
        base.to_owned()
    })
}

/// The `CREATE TABLE IF NOT EXISTS` of view `view` with `fields`, for
/// current ClickHouse (see the [module docs](self)).
pub fn view_ddl(view: &str, fields: &[Field]) -> Result<String, Error> {
    let table = view_table(view);
    let error = |reason: String| Error::Table {
        table: table.clone(),
        reason,
    };
    if !crate::is_identifier(view) {
        return Err(error(format!(
            "view name `{view}` must be letters, digits and _"
        )));
    }
    let mut columns = vec!["    time DateTime64(3, 'UTC')".to_owned()];
    let mut order = Vec::new();
    for field in fields {
        let name = field.name();
        if RESERVED_COLUMNS.contains(&name.as_str()) {
            return Err(error(format!(
                "the view has a column `{name}`, which the sink fills itself; rename it"
            )));
        }
        let kind = column_type(field).ok_or_else(|| {
            error(format!(
                "column `{name}` has type {}, which the sink does not write \
                 (Float64, Int64, Utf8, Boolean, Timestamp(ms) and a few more)",
                field.data_type()
            ))
        })?;
        let quoted = quote_ident(name);
        columns.push(format!("    {quoted} {kind}"));
        if field.is_nullable() {
            order.push(format!("isNull({quoted})"));
            order.push(format!("assumeNotNull({quoted})"));
        } else {
            order.push(quoted);
        }
    }
    columns.extend([
        "    diff Int8".to_owned(),
        "    version UInt64".to_owned(),
        "    batch_id String".to_owned(),
    ]);
    Ok(format!(
        "CREATE TABLE IF NOT EXISTS {}\n(\n{}\n)\nENGINE = ReplacingMergeTree(version)\nORDER BY ({})\n\
         SETTINGS index_granularity = 8192\n    , non_replicated_deduplication_window = 1000 -- requires 22.2\n",
        quote_ident(&table),
        columns.join(",\n"),
        if order.is_empty() {
            "tuple()".to_owned()
        } else {
            order.join(", ")
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Server;

    fn fields() -> Vec<Field> {
        vec![
            Field::new("plant", DataType::Utf8, false),
            Field::new("cost", DataType::Float64, true),
            Field::new(
                "since",
                DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                true,
            ),
        ]
    }

    #[test]
    fn a_view_table_orders_by_its_columns_and_adapts_to_old_servers() {
        let ddl = view_ddl("costs", &fields()).unwrap();
        assert!(ddl.contains("`cost` Nullable(Float64)"), "{ddl}");
        assert!(
            ddl.contains("ORDER BY (`plant`, isNull(`cost`), assumeNotNull(`cost`)"),
            "{ddl}"
        );
        let old = Server {
            major: 18,
            minor: 16,
        }
        .adapt(&ddl);
        assert!(old.contains("`since` Nullable(DateTime('UTC'))"), "{old}");
        assert!(!old.contains("deduplication_window"), "{old}");
    }

    #[test]
    fn reserved_names_and_unknown_types_are_refused() {
        let time = [Field::new("time", DataType::Int64, false)];
        assert!(view_ddl("v", &time).is_err());
        let list = [Field::new(
            "l",
            DataType::List(std::sync::Arc::new(Field::new("i", DataType::Int64, true))),
            false,
        )];
        assert!(view_ddl("v", &list).is_err());
        assert!(view_ddl("no-dash", &fields()).is_err());
    }
}
