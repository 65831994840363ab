//! Backfill of a gap from the server's history: HistoryRead with
//! ReadRawModifiedDetails (OPC UA Part 11, 6.5.3 "Read raw"), following
//! continuation points, bounded per node.

use std::time::Duration;

use opcua::client::{HistoryReadAction, Session};
use opcua::types::{
    ByteString, DataValue, HistoryData, HistoryReadValueId, NodeId, QualifiedName,
    ReadRawModifiedDetails, StatusCode, TimestampsToReturn,
};

use crate::convert::opcua_time;

/// Values asked for per node and request; the server may return fewer and
/// a continuation point.
const PAGE: u32 = 1000;
/// Nodes per HistoryRead request (servers commonly cap this near 100).
const NODES_PER_REQUEST: usize = 50;

/// One node to backfill: its index in the config, its id, and the event
/// time of the last value emitted for it (UTC ms).
pub(crate) struct Wanted<'a> {
    pub index: usize,
    pub node_id: &'a NodeId,
    pub after_ms: i64,
}

/// What a backfill brought back.
#[derive(Default)]
pub(crate) struct Backfill {
    /// (node index, value), each node's values in time order.
    pub values: Vec<(usize, DataValue)>,
    /// Whether every node was read to the end of the gap.
    pub complete: bool,
    /// Why not, for the nodes that were not.
    pub problems: Vec<String>,
}

/// Reads the history of `wanted` from just after each `after_ms` to `to_ms`.
pub(crate) async fn backfill(
    session: &Session,
    wanted: &[Wanted<'_>],
    to_ms: i64,
    max_values: u32,
    timeout: Duration,
) -> Backfill {
    let mut result = Backfill {
        complete: true,
        ..Backfill::default()
    };
    for chunk in wanted.chunks(NODES_PER_REQUEST) {
        // Nodes of one request share the details, so group by start time:
        // the common case after a loss is one start for all.
        let mut pending: Vec<(&Wanted<'_>, ByteString, u32)> = chunk
            .iter()
            .map(|w| (w, ByteString::null(), 0u32))
            .collect();
        while !pending.is_empty() {
            let start_ms = pending.iter().map(|p| p.0.after_ms).min().unwrap_or(to_ms);
            let (batch, rest): (Vec<_>, Vec<_>) =
                pending.into_iter().partition(|p| p.0.after_ms == start_ms);
            pending = rest;
            let next = read_batch(
                session,
                batch,
                start_ms,
                to_ms,
                max_values,
                timeout,
                &mut result,
            )
            .await;
            pending.extend(next);
        }
    }
    result
}

/// One HistoryRead for nodes with the same start; returns those that have
/// more to read (continuation point, values read so far).
async fn read_batch<'w, 'a>(
    session: &Session,
    batch: Vec<(&'w Wanted<'a>, ByteString, u32)>,
    start_ms: i64,
    to_ms: i64,
    max_values: u32,
    timeout: Duration,
    result: &mut Backfill,
) -> Vec<(&'w Wanted<'a>, ByteString, u32)> {
    let details = ReadRawModifiedDetails {
        is_read_modified: false,
        // The start is inclusive (Part 11, 6.5.3); +1 ms skips the value already emitted.
        start_time: opcua_time(start_ms.saturating_add(1)),
        end_time: opcua_time(to_ms),
        num_values_per_node: PAGE.min(max_values),
        return_bounds: false,
    };
    let nodes: Vec<HistoryReadValueId> = batch
        .iter()
        .map(|(w, continuation, _)| HistoryReadValueId {
            node_id: w.node_id.clone(),
            index_range: Default::default(),
            data_encoding: QualifiedName::null(),
            continuation_point: continuation.clone(),
        })
        .collect();
    let request = session.history_read(
        HistoryReadAction::ReadRawModifiedDetails(details),
        TimestampsToReturn::Both,
        false,
        &nodes,
    );
    let results = match tokio::time::timeout(timeout, request).await {
        Ok(Ok(results)) => results,
        Ok(Err(error)) => {
            result.complete = false;
            result.problems.push(format!("HistoryRead failed: {error}"));
            return Vec::new();
        }
        Err(_) => {
            result.complete = false;
            result.problems.push("HistoryRead timed out".into());
            return Vec::new();
        }
    };
    let mut more = Vec::new();
    for ((wanted, _, count), read) in batch.into_iter().zip(results) {
        if !read.status_code.is_good() {
            result.complete = false;
            result.problems.push(format!(
                "history of `{}`: {}",
                wanted.node_id,
                explain(read.status_code)
            ));
            continue;
        }
        let values = read
            .history_data
            .into_inner_as::<HistoryData>()
            .and_then(|data| data.data_values)
            .unwrap_or_default();
        let room = max_values.saturating_sub(count) as usize;
        let taken = values.len().min(room);
        let count = count.saturating_add(u32::try_from(taken).unwrap_or(u32::MAX));
        result
            .values
            .extend(values.into_iter().take(taken).map(|v| (wanted.index, v)));
        let has_more = !read.continuation_point.is_null() && !read.continuation_point.is_empty();
        if has_more && count < max_values {
            more.push((wanted, read.continuation_point, count));
        } else if has_more {
            result.complete = false;
            result.problems.push(format!(
                "history of `{}`: more than history_max_values = {max_values} values in the gap",
                wanted.node_id
            ));
            release(session, wanted.node_id, read.continuation_point, timeout).await;
        }
    }
    more
}

/// Frees a continuation point we will not follow.
async fn release(session: &Session, node_id: &NodeId, point: ByteString, timeout: Duration) {
    let details = ReadRawModifiedDetails {
        is_read_modified: false,
        start_time: opcua_time(0),
        end_time: opcua_time(0),
        num_values_per_node: 1,
        return_bounds: false,
    };
    let node = HistoryReadValueId {
        node_id: node_id.clone(),
        index_range: Default::default(),
        data_encoding: QualifiedName::null(),
        continuation_point: point,
    };
    let nodes = [node];
    let request = session.history_read(
        HistoryReadAction::ReadRawModifiedDetails(details),
        TimestampsToReturn::Neither,
        true,
        &nodes,
    );
    let _ = tokio::time::timeout(timeout, request).await;
}

fn explain(status: StatusCode) -> String {
    match status {
        StatusCode::BadHistoryOperationUnsupported | StatusCode::BadHistoryOperationInvalid => {
            format!("the server keeps no history for it ({status})")
        }
        StatusCode::BadUserAccessDenied | StatusCode::BadNotReadable => {
            format!("history not readable ({status})")
        }
        other => other.to_string(),
    }
}
