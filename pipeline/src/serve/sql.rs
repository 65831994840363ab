//! `POST /api/v1/sql` during a run: read-only queries over the session of
//! the run's views (the live tables of the streams they read, and the
//! views themselves), answered as JSON rows.

use async_trait::async_trait;
use serde_json::{Map, Value};
use steamflow_api::{SqlEngine, SqlError};
use steamflow_sql::api::{QueryError, query_json};
use steamflow_sql::datafusion::prelude::SessionContext;

/// The API's SQL engine over the views' live session.
pub struct LiveSql {
    ctx: SessionContext,
}

impl LiveSql {
    /// Queries `ctx` (the views' session: it shares their live tables).
    pub fn new(ctx: SessionContext) -> LiveSql {
        LiveSql { ctx }
    }
}

#[async_trait]
impl SqlEngine for LiveSql {
    async fn query(&self, sql: &str, limit: usize) -> Result<Vec<Map<String, Value>>, SqlError> {
        query_json(&self.ctx, sql, limit)
            .await
            .map_err(|error| match error {
                QueryError::Invalid(message) => SqlError::Invalid(message),
                QueryError::Failed(message) => SqlError::Failed(message),
            })
    }
}
