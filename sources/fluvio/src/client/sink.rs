//! The Fluvio sink: produces records (readings, alerts, rows of any named
//! stream) as JSON objects keyed by a template, through the Fluvio
//! producer, which batches them per partition (up to `batch_size_bytes`,
//! waiting at most `linger_ms` for a batch to fill) and compresses them.
//!
//! [`FluvioSink::send`] hands a record to the producer; it fails at once
//! on a record that cannot be encoded or a producer that already failed.
//! Delivery is confirmed asynchronously: [`FluvioSink::flush`] sends what
//! is batched and waits for every acknowledgement, and returns how many
//! records were not delivered and why (counted in `component_errors_total`).
//! Unconfirmed records are settled every [`SETTLE_EVERY`] sends, so their
//! receipts never pile up.

use std::time::Duration;

use fluvio::{
    Compression, DeliverySemantic, ProduceOutput, RecordKey, RetryPolicy, TopicProducerConfig,
    TopicProducerConfigBuilder, TopicProducerPool,
};
use serde::Serialize;
use steamflow_operators::reading::Reading;
use steamflow_source_core::ComponentMetrics;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::client::connection::{self, describe};
use crate::config::{CompressionConfig, DeliveryConfig, FluvioSinkConfig};
use crate::error::Error;
use crate::record::{EncodedRecord, RecordEncoder};

/// Receipts kept before the sink waits for them.
pub const SETTLE_EVERY: usize = 10_000;

/// A running Fluvio sink.
pub struct FluvioSink {
    producer: TopicProducerPool,
    encoder: RecordEncoder,
    /// Receipts of records sent but not yet confirmed.
    receipts: Vec<ProduceOutput>,
    /// Delivery failures since the last flush: count and the first reason.
    failed: (u64, Option<String>),
    metrics: ComponentMetrics,
    timeout: Duration,
}

impl FluvioSink {
    /// Connects and opens a producer for the topic.
    pub async fn start(config: &FluvioSinkConfig, id: &str) -> Result<FluvioSink, Error> {
        let issues = config.validate();
        if !issues.is_empty() {
            return Err(Error::config(&issues));
        }
        let encoder = RecordEncoder::new(&config.key)
            .map_err(|message| Error::Config(format!("key: {message}")))?;
        let producer_config = producer_config(config)?;
        let fluvio = connection::connect(&config.cluster).await?;
        let producer = connection::bounded(
            &config.cluster,
            "opening the producer",
            fluvio.topic_producer_with_config(config.topic.clone(), producer_config),
        )
        .await?;
        Ok(FluvioSink {
            producer,
            encoder,
            receipts: Vec::new(),
            failed: (0, None),
            metrics: ComponentMetrics::new(id, "fluvio"),
            timeout: Duration::from_millis(config.timeout_ms.max(1)),
        })
    }

    /// Produces any record that serializes to a JSON object.
    pub async fn send<T: Serialize + ?Sized>(&mut self, record: &T) -> Result<(), Error> {
        self.metrics.received.increment(1);
        let encoded = self.encoder.encode(record).map_err(|error| {
            self.metrics.errors.increment(1);
            Error::Produce(error.0)
        })?;
        self.produce(encoded).await
    }

    /// Produces a reading as `{"time", "plant", "tag", "value", "quality", "unit"}`.
    pub async fn send_reading(&mut self, reading: &Reading) -> Result<(), Error> {
        self.metrics.received.increment(1);
        let encoded = self.encoder.encode_reading(reading).map_err(|error| {
            self.metrics.errors.increment(1);
            Error::Produce(error.0)
        })?;
        self.produce(encoded).await
    }

    async fn produce(&mut self, record: EncodedRecord) -> Result<(), Error> {
        let key = record.key.map_or(RecordKey::NULL, RecordKey::from);
        let receipt = self
            .producer
            .send(key, record.value)
            .await
            .map_err(|error| {
                self.metrics.errors.increment(1);
                Error::Produce(describe(&error))
            })?;
        self.receipts.push(receipt);
        if self.receipts.len() >= SETTLE_EVERY {
            self.settle().await;
        }
        Ok(())
    }

    /// Waits for the receipts kept so far, counting the failures.
    async fn settle(&mut self) {
        for receipt in self.receipts.drain(..) {
            match tokio::time::timeout(self.timeout, receipt.wait()).await {
                Ok(Ok(_)) => self.metrics.sent.increment(1),
                Ok(Err(error)) => {
                    self.metrics.errors.increment(1);
                    self.failed.0 += 1;
                    self.failed.1.get_or_insert_with(|| error.to_string());
                }
                Err(_) => {
                    self.metrics.errors.increment(1);
                    self.failed.0 += 1;
                    self.failed
                        .1
                        .get_or_insert_with(|| "no acknowledgement in time".into());
                }
            }
        }
    }

    /// Sends every batched record and waits for the acknowledgements; the
    /// error counts the records not delivered since the last flush.
    pub async fn flush(&mut self) -> Result<(), Error> {
        let flushed = tokio::time::timeout(self.timeout, self.producer.flush()).await;
        self.settle().await;
        let (failed, reason) = std::mem::take(&mut self.failed);
        match flushed {
            Err(_) => Err(Error::Timeout(
                "the cluster did not acknowledge the batches in time".into(),
            )),
            Ok(Err(error)) => Err(Error::Produce(describe(&error))),
            Ok(Ok(())) if failed > 0 => Err(Error::Produce(format!(
                "{failed} record(s) not delivered: {}",
                reason.unwrap_or_default()
            ))),
            Ok(Ok(())) => Ok(()),
        }
    }
}

/// The producer settings of a sink config.
fn producer_config(config: &FluvioSinkConfig) -> Result<TopicProducerConfig, Error> {
    let compression = match config.compression {
        CompressionConfig::None => Compression::None,
        CompressionConfig::Gzip => Compression::Gzip,
        CompressionConfig::Snappy => Compression::Snappy,
        CompressionConfig::Lz4 => Compression::Lz4,
        CompressionConfig::Zstd => Compression::Zstd,
    };
    let delivery = match config.delivery {
        DeliveryConfig::AtLeastOnce => DeliverySemantic::AtLeastOnce(RetryPolicy::default()),
        DeliveryConfig::AtMostOnce => DeliverySemantic::AtMostOnce,
    };
    TopicProducerConfigBuilder::default()
        .batch_size(config.batch_size_bytes)
        .linger(Duration::from_millis(config.linger_ms))
        .compression(compression)
        .delivery_semantic(delivery)
        .timeout(Duration::from_millis(config.timeout_ms.max(1)))
        .build()
        .map_err(|error| Error::Config(error.to_string()))
}

/// Produces every reading received on `rx` until it closes or `shutdown`
/// is cancelled, flushing at the end: a simulated plant fed to a topic.
pub async fn serve(
    config: &FluvioSinkConfig,
    id: &str,
    mut rx: mpsc::Receiver<Reading>,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    let mut sink = FluvioSink::start(config, id).await?;
    loop {
        let reading = tokio::select! {
            () = shutdown.cancelled() => break,
            reading = rx.recv() => reading,
        };
        match reading {
            Some(reading) => sink.send_reading(&reading).await?,
            None => break,
        }
    }
    sink.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClusterConfig;

    #[test]
    fn the_sink_settings_reach_the_producer() {
        let mut config = FluvioSinkConfig::new(ClusterConfig::new("h:9003"), "alerts");
        config.linger_ms = 250;
        config.batch_size_bytes = 65_536;
        config.compression = CompressionConfig::Zstd;
        config.delivery = DeliveryConfig::AtMostOnce;
        let producer = producer_config(&config).unwrap();
        assert_eq!(producer.linger(), Duration::from_millis(250));
        assert_eq!(producer.batch_size(), 65_536);
        assert_eq!(producer.compression(), Some(Compression::Zstd));
        assert_eq!(producer.delivery_semantic(), DeliverySemantic::AtMostOnce);
        assert_eq!(producer.timeout(), Duration::from_millis(5000));
    }
}
