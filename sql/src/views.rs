//! Views: named SQL queries over the stream tables (and over each other).
//!
//! A view is a `SELECT` (or `WITH … SELECT`) statement. In a folder of view
//! files, `<name>.sql` defines the view `<name>`; `--` comments are kept
//! in the SQL. A view may read other views whatever their order: views are
//! registered in rounds until every one plans or no round makes progress.
//! Each view is planned against the tables' schemas — an unknown table or
//! column, a type error or bad syntax is reported with the view's name —
//! without reading any data.

use std::path::Path;

use datafusion::prelude::SessionContext;

use crate::error::{Result, SqlError};
use crate::folder::quote;

/// A view's name and query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewSpec {
    /// The view's name (a table name in SQL).
    pub name: String,
    /// Its query.
    pub sql: String,
}

/// Why a view does not plan.
#[derive(Debug, thiserror::Error)]
#[error("view {name}: {message}")]
pub struct ViewError {
    /// The view.
    pub name: String,
    /// DataFusion's reason, as it reads.
    pub message: String,
}

/// Every view that does not plan, each with its reason.
#[derive(Debug, thiserror::Error)]
pub struct ViewErrors(pub Vec<ViewError>);

impl std::fmt::Display for ViewErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// The views of the `.sql` files of `dir`, sorted by name.
pub fn view_files(dir: &Path) -> Result<Vec<ViewSpec>> {
    let entries = std::fs::read_dir(dir).map_err(|source| SqlError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut views = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("sql") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        let sql = std::fs::read_to_string(&path).map_err(|source| SqlError::Io {
            path: path.clone(),
            source,
        })?;
        views.push(ViewSpec {
            name: name.to_owned(),
            sql,
        });
    }
    views.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(views)
}

/// The query without a trailing `;` (a view file may end with one).
fn body(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim_end()
}

/// Registers `views` in `ctx` (see the [module docs](self)). Every view
/// that does not plan is returned with its reason; the others are registered.
pub async fn register_views(ctx: &SessionContext, views: &[ViewSpec]) -> Vec<ViewError> {
    let mut pending: Vec<&ViewSpec> = views.iter().collect();
    loop {
        let mut failed = Vec::new();
        let mut errors = Vec::new();
        for view in &pending {
            let planned = plan_and_create(ctx, view).await;
            if let Err(e) = planned {
                failed.push(*view);
                errors.push(ViewError {
                    name: view.name.clone(),
                    message: e.to_string(),
                });
            }
        }
        if failed.is_empty() || failed.len() == pending.len() {
            return errors;
        }
        pending = failed;
    }
}

/// Plans a view's query through the analyzer and optimizer (names, types),
/// then creates the view. Nothing is read: planning needs only schemas.
async fn plan_and_create(ctx: &SessionContext, view: &ViewSpec) -> datafusion::error::Result<()> {
    ctx.sql(body(&view.sql)).await?.into_optimized_plan()?;
    let create = format!("CREATE VIEW {} AS {}", quote(&view.name), body(&view.sql));
    ctx.sql(&create).await?.collect().await?;
    Ok(())
}

/// Registers the view files of `dir`; the first view that does not plan is the error.
pub async fn register_view_files(ctx: &SessionContext, dir: &Path) -> Result<()> {
    let views = view_files(dir)?;
    match register_views(ctx, &views).await.into_iter().next() {
        None => Ok(()),
        Some(error) => Err(SqlError::View(error)),
    }
}
