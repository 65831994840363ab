//! Connecting to a cluster and reading its metadata, every step bounded in
//! time: the Fluvio client's futures run on its own executor (async-std's
//! global executor and the async-io reactor) and are awaited here from
//! tokio, which bounds them with its timers.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fluvio::metadata::partition::PartitionSpec;
use fluvio::metadata::topic::TopicSpec;
use fluvio::{Fluvio, FluvioClusterConfig};

use crate::config::ClusterConfig;
use crate::error::Error;

/// One partition as the cluster reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PartitionState {
    pub partition: u32,
    /// The high watermark: the offset the next committed record will get.
    pub high_watermark: i64,
}

/// The cluster config of the Fluvio client.
pub(crate) fn cluster_config(cluster: &ClusterConfig) -> Result<FluvioClusterConfig, Error> {
    let config = FluvioClusterConfig::new(cluster.endpoint.clone());
    match &cluster.tls {
        None => Ok(config),
        Some(tls) => with_tls(config, tls),
    }
}

#[cfg(feature = "tls")]
fn with_tls(
    config: FluvioClusterConfig,
    tls: &crate::config::TlsConfig,
) -> Result<FluvioClusterConfig, Error> {
    use fluvio::config::TlsPaths;
    // The client reads these when it connects and reports a missing file
    // as a failed connection: say which key is wrong instead.
    let files = [
        ("ca_file", &tls.ca_file),
        ("client_cert_file", &tls.client_cert_file),
        ("client_key_file", &tls.client_key_file),
    ];
    for (key, path) in files {
        if let Err(error) = std::fs::File::open(path) {
            return Err(Error::Config(format!(
                "cluster.tls.{key}: cannot read {}: {error}",
                path.display()
            )));
        }
    }
    Ok(config.with_tls(TlsPaths {
        domain: tls.domain.clone(),
        key: tls.client_key_file.clone(),
        cert: tls.client_cert_file.clone(),
        ca_cert: tls.ca_file.clone(),
    }))
}

#[cfg(not(feature = "tls"))]
fn with_tls(
    _config: FluvioClusterConfig,
    _tls: &crate::config::TlsConfig,
) -> Result<FluvioClusterConfig, Error> {
    Err(Error::Config(
        "cluster.tls: this build has no TLS support for Fluvio (build with the feature `tls`)"
            .into(),
    ))
}

/// Connects, within the configured connect timeout.
pub(crate) async fn connect(cluster: &ClusterConfig) -> Result<Fluvio, Error> {
    let config = cluster_config(cluster)?;
    bounded(cluster, "connecting", Fluvio::connect_with_config(&config)).await
}

/// Runs a client call within the connect timeout; its failure is "unreachable".
pub(crate) async fn bounded<T>(
    cluster: &ClusterConfig,
    what: &str,
    call: impl Future<Output = anyhow::Result<T>>,
) -> Result<T, Error> {
    let limit = Duration::from_secs(cluster.connect_timeout_secs.max(1));
    match tokio::time::timeout(limit, call).await {
        Err(_) => Err(Error::Timeout(format!(
            "{what}: no answer from the Fluvio cluster at {} within {} s",
            cluster.endpoint,
            limit.as_secs()
        ))),
        Ok(Err(error)) => Err(Error::Unreachable {
            endpoint: cluster.endpoint.clone(),
            reason: describe(&error),
        }),
        Ok(Ok(value)) => Ok(value),
    }
}

/// The partition count of `topic`; [`Error::NoTopic`] when it does not exist.
pub(crate) async fn partition_count(
    fluvio: &Fluvio,
    cluster: &ClusterConfig,
    topic: &str,
) -> Result<u32, Error> {
    let admin = fluvio.admin().await;
    let topics = bounded(
        cluster,
        "listing topics",
        admin.list::<TopicSpec, String>(vec![topic.to_owned()]),
    )
    .await?;
    topics
        .iter()
        .find(|found| found.name == topic)
        .map(|found| found.spec.partitions())
        .ok_or_else(|| Error::NoTopic(topic.to_owned()))
}

/// The high watermark of each partition of `topic`, by partition.
pub(crate) async fn partition_states(
    fluvio: &Fluvio,
    cluster: &ClusterConfig,
    topic: &str,
    count: u32,
) -> Result<Vec<PartitionState>, Error> {
    let admin = fluvio.admin().await;
    let names: Vec<String> = (0..count).map(|p| format!("{topic}-{p}")).collect();
    let partitions = bounded(
        cluster,
        "listing partitions",
        admin.list::<PartitionSpec, String>(names.clone()),
    )
    .await?;
    let mut states: Vec<PartitionState> = partitions
        .iter()
        .filter_map(|found| {
            let index = names.iter().position(|name| *name == found.name)?;
            Some(PartitionState {
                partition: u32::try_from(index).ok()?,
                high_watermark: found.status.leader.hw,
            })
        })
        .collect();
    states.sort_by_key(|state| state.partition);
    Ok(states)
}

/// The partitions to consume: the listed ones (each checked to exist) or all.
pub(crate) fn select_partitions(
    topic: &str,
    listed: &[u32],
    count: u32,
) -> Result<Vec<u32>, Error> {
    if listed.is_empty() {
        return Ok((0..count).collect());
    }
    match listed.iter().find(|partition| **partition >= count) {
        Some(&partition) => Err(Error::NoPartition {
            topic: topic.to_owned(),
            partition,
            count,
        }),
        None => Ok(listed.to_vec()),
    }
}

/// A client error with its causes, on one line.
pub(crate) fn describe(error: &anyhow::Error) -> String {
    format!("{error:#}")
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A per-component seed, so that sources that lost the same cluster do not
/// retry in lock-step.
pub(crate) fn jitter_seed(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    }) ^ u64::from(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_partitions_must_exist() {
        assert_eq!(select_partitions("t", &[], 3).unwrap(), [0, 1, 2]);
        assert_eq!(select_partitions("t", &[2, 0], 3).unwrap(), [2, 0]);
        let error = select_partitions("t", &[1, 3], 3).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the topic `t` has 3 partition(s): partition 3 does not exist"
        );
    }
}
