//! The connection test behind `steamflow run --check`: is the cluster
//! reachable, does the topic exist, which of its partitions would be
//! consumed, how far is each, and where would the source resume?
//!
//! The check reads metadata and stored offsets only: it neither consumes
//! nor moves a consumer offset.

use std::fmt;

use crate::client::connection::{self, partition_count, partition_states, select_partitions};
use crate::config::FluvioSourceConfig;
use crate::error::Error;
use crate::offsets::{OffsetFile, Positions};

/// One partition the source would consume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionCheck {
    pub partition: u32,
    /// The offset the next record produced will get.
    pub high_watermark: i64,
    /// Where the source would resume: the later of the local file's next
    /// offset and the cluster consumer offset + 1; `None`: at `start`.
    pub resume_at: Option<i64>,
}

impl PartitionCheck {
    /// Records not consumed yet, when the resume position is known.
    pub fn lag(&self) -> Option<i64> {
        self.resume_at
            .map(|next| self.high_watermark.saturating_sub(next).max(0))
    }
}

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// `host:port` of the cluster.
    pub endpoint: String,
    /// The cluster's platform version.
    pub platform_version: String,
    pub topic: String,
    /// How many partitions the topic has.
    pub partition_count: u32,
    /// The partitions the source would consume.
    pub partitions: Vec<PartitionCheck>,
    /// Why the cluster's consumer offsets could not be read, if they could not.
    pub consumer_offsets_error: Option<String>,
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Fluvio cluster {} reachable (platform {})",
            self.endpoint, self.platform_version
        )?;
        writeln!(
            f,
            "  topic {} has {} partition(s)",
            self.topic, self.partition_count
        )?;
        for partition in &self.partitions {
            match (partition.resume_at, partition.lag()) {
                (Some(next), Some(lag)) => writeln!(
                    f,
                    "  partition {}: high watermark {}, resumes at {next} ({lag} behind)",
                    partition.partition, partition.high_watermark
                )?,
                _ => writeln!(
                    f,
                    "  partition {}: high watermark {}, no stored offset (starts at `start`)",
                    partition.partition, partition.high_watermark
                )?,
            }
        }
        if let Some(error) = &self.consumer_offsets_error {
            writeln!(f, "  consumer offsets unavailable: {error}")?;
        }
        Ok(())
    }
}

/// Tests the source's cluster, topic and partitions without consuming.
/// Every step is bounded by `cluster.connect_timeout_secs`: a cluster that
/// cannot be reached is a clear [`Error::Unreachable`] or [`Error::Timeout`].
pub async fn check(config: &FluvioSourceConfig) -> Result<CheckReport, Error> {
    let issues = config.validate();
    if !issues.is_empty() {
        return Err(Error::config(&issues));
    }
    let stored = match &config.offsets.file {
        Some(path) => OffsetFile::new(path, &config.topic).load()?,
        None => Positions::new(),
    };
    let cluster = &config.cluster;
    let fluvio = connection::connect(cluster).await?;
    let count = partition_count(&fluvio, cluster, &config.topic).await?;
    let selected = select_partitions(&config.topic, &config.partitions, count)?;
    let states = partition_states(&fluvio, cluster, &config.topic, count).await?;
    let mut resume = stored;
    let mut consumer_offsets_error = None;
    if let Some(consumer) = &config.offsets.consumer {
        match connection::bounded(
            cluster,
            "reading consumer offsets",
            fluvio.consumer_offsets(),
        )
        .await
        {
            Ok(offsets) => {
                for offset in offsets.iter().filter(|offset| {
                    offset.consumer_id == *consumer && offset.topic == config.topic
                }) {
                    let next = offset.offset.saturating_add(1);
                    let entry = resume.entry(offset.partition).or_insert(next);
                    *entry = (*entry).max(next);
                }
            }
            // Clusters before 0.12 have no consumer offsets.
            Err(error) => consumer_offsets_error = Some(error.to_string()),
        }
    }
    let partitions = selected
        .iter()
        .map(|&partition| PartitionCheck {
            partition,
            high_watermark: states
                .iter()
                .find(|state| state.partition == partition)
                .map_or(0, |state| state.high_watermark),
            resume_at: resume.get(&partition).copied(),
        })
        .collect();
    Ok(CheckReport {
        endpoint: cluster.endpoint.clone(),
        platform_version: fluvio.platform_version().to_string(),
        topic: config.topic.clone(),
        partition_count: count,
        partitions,
        consumer_offsets_error,
    })
}
