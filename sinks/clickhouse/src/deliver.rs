//! Delivery of spooled batches: one at a time, oldest first, retried with
//! exponential backoff and full jitter ([`steamflow_source_core::Backoff`]) until the server has it, or buried in
//! `dead/` when the server refuses it for good.
//!
//! A batch that may already have landed (an insert whose answer was lost,
//! a batch found on disk at start) is checked first: `count()` of its
//! `batch_id`. One batch is one insert block, which ClickHouse writes
//! whole or not at all, so a count above zero means delivered. Servers
//! since 22.2 also get the batch id as `insert_deduplication_token`.

use std::time::Duration;

use bytes::Bytes;
use clickhouse::Client;
use clickhouse::error::Error as ChError;

use crate::spool::Batch;

/// How an error is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Could succeed later (network, timeouts, overload): retry.
    Transient,
    /// Cannot succeed (schema, data, permissions): report, dead-letter.
    Permanent,
}

/// Server error codes that are worth retrying (ClickHouse's
/// `src/Common/ErrorCodes.cpp`): timeouts, network, overload, too many
/// parts, memory limits, a table being read-only for a while, shutdown.
const TRANSIENT_CODES: &[u32] = &[
    3, 32, 159, 160, 164, 202, 203, 209, 210, 241, 242, 252, 285, 319, 394, 425, 439, 999,
];

/// Classifies an error of the client.
pub fn classify(error: &ChError) -> Class {
    match error {
        ChError::Network(_) | ChError::TimedOut => Class::Transient,
        ChError::BadResponse(message) => match server_code(message) {
            Some(code) if TRANSIENT_CODES.contains(&code) => Class::Transient,
            Some(_) => Class::Permanent,
            // No code: a proxy or a half-started server answered.
            None => Class::Transient,
        },
        _ => Class::Permanent,
    }
}

/// The `Code: N` of a server's error message.
pub fn server_code(message: &str) -> Option<u32> {
    let (_, tail) = message.split_once("Code: ")?;
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Inserts one batch.
pub async fn insert(
    client: &Client,
    batch: &Batch,
    data: Bytes,
    token_setting: bool,
    timeout: Duration,
) -> Result<(), ChError> {
    let mut insert = client
        .insert_formatted_with(format!("INSERT INTO {} FORMAT RowBinary", batch.table))
        .with_timeouts(Some(timeout), Some(timeout));
    if token_setting {
        insert = insert.with_setting("insert_deduplication_token", batch.token.clone());
    }
    insert.send(data).await?;
    insert.end().await
}

/// Whether a batch is already in its table.
pub async fn landed(client: &Client, batch: &Batch) -> Result<bool, ChError> {
    let count: u64 = client
        .query(&format!(
            "SELECT count() FROM {} WHERE batch_id = ?",
            batch.table
        ))
        .bind(batch.token.as_str())
        .fetch_one()
        .await?;
    Ok(count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_server_code() {
        let schema = ChError::BadResponse(
            "Code: 16, e.displayText() = DB::Exception: No such column x".into(),
        );
        assert_eq!(classify(&schema), Class::Permanent);
        let parts = ChError::BadResponse("Code: 252. DB::Exception: Too many parts".into());
        assert_eq!(classify(&parts), Class::Transient);
        assert_eq!(classify(&ChError::TimedOut), Class::Transient);
    }
}
