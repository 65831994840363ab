//! The MQTT sink of a run: each settled record of a stream, published as a
//! JSON object (its fields plus `stream`) to the sink's topic template.
//!
//! The graph's workers are plain threads; the MQTT client is async. Each
//! sink gets one publisher thread with a small tokio runtime and one
//! broker connection ([`MqttSink`]), fed through a bounded queue: when the
//! broker is slow or away and [`QUEUE`] messages wait, the worker waits
//! too (back-pressure), so that nothing is dropped. When the last stream
//! of the sink ends, the publisher waits (at most [`CLOSE_TIMEOUT`]) for
//! the broker to confirm every message; what it could not publish is
//! reported as the stream's error in the run's summary.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value};
use steamflow_source_mqtt::{MqttSink, MqttSinkConfig};
use tokio_util::sync::CancellationToken;

use crate::dataflow::{RecordSink, SinkRecord, Time};
use crate::run::status::StreamOutput;

/// Messages waiting for the publisher before the graph waits for it.
pub const QUEUE: usize = 10_000;
/// How long the end of a run waits for the broker's acknowledgements.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// One record to publish, and the stream output that counts it.
struct Message {
    record: Value,
    output: Arc<StreamOutput>,
}

/// The connection of one MQTT sink, shared by the streams it publishes.
/// Dropping the last handle flushes and closes it.
pub struct MqttPublisher {
    tx: Option<SyncSender<Message>>,
    thread: Option<JoinHandle<()>>,
}

impl MqttPublisher {
    /// Starts the publisher thread of sink `id`.
    pub fn start(config: &MqttSinkConfig, id: &str) -> Arc<MqttPublisher> {
        let (tx, rx) = sync_channel(QUEUE);
        let config = config.clone();
        let id = id.to_owned();
        let thread = std::thread::Builder::new()
            .name(format!("mqtt-sink-{id}"))
            .spawn(move || publish_all(&config, &id, &rx))
            .ok();
        Arc::new(MqttPublisher {
            // Without its thread nothing can be published: every record is
            // then reported as not published.
            tx: thread.is_some().then_some(tx),
            thread,
        })
    }

    /// Queues a record; waits while the queue is full.
    fn publish(&self, record: Value, output: &Arc<StreamOutput>) {
        let message = Message {
            record,
            output: Arc::clone(output),
        };
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(message).is_ok());
        if !sent {
            output.fail("the MQTT publisher is not running");
        }
    }
}

impl Drop for MqttPublisher {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The publisher thread: connect, publish every queued record, then flush.
/// The connection's task runs on the runtime's worker; this thread waits
/// on the queue outside the runtime.
fn publish_all(config: &MqttSinkConfig, id: &str, rx: &Receiver<Message>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(format!("mqtt-sink-{id}-io"))
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            fail_all(rx, &format!("cannot start the MQTT publisher: {error}"));
            return;
        }
    };
    let started = {
        let _context = runtime.enter();
        MqttSink::start(config, id, CancellationToken::new())
    };
    let sink = match started {
        Ok(sink) => sink,
        Err(error) => {
            fail_all(rx, &error.to_string());
            return;
        }
    };
    let mut outputs: Vec<Arc<StreamOutput>> = Vec::new();
    for message in rx {
        if !outputs.iter().any(|o| Arc::ptr_eq(o, &message.output)) {
            outputs.push(Arc::clone(&message.output));
        }
        match runtime.block_on(sink.send(&message.record)) {
            Ok(()) => message.output.add_rows(1),
            Err(error) => message.output.fail(error),
        }
    }
    if let Err(error) = runtime.block_on(sink.close(CLOSE_TIMEOUT)) {
        for output in &outputs {
            output.fail(&error);
        }
    }
}

/// Reports every queued record as not published.
fn fail_all(rx: &Receiver<Message>, why: &str) {
    for message in rx {
        message.output.fail(why);
    }
}

/// One stream of an MQTT sink.
pub struct MqttStream {
    stream: String,
    publisher: Option<Arc<MqttPublisher>>,
    output: Arc<StreamOutput>,
    fields: String,
}

impl MqttStream {
    /// A stream publishing through `publisher`; without one (workers that
    /// receive no updates) it publishes nothing.
    pub fn new(
        stream: &str,
        publisher: Option<Arc<MqttPublisher>>,
        output: Arc<StreamOutput>,
    ) -> MqttStream {
        MqttStream {
            stream: stream.to_owned(),
            publisher,
            output,
            fields: String::new(),
        }
    }
}

impl RecordSink for MqttStream {
    fn write(&mut self, _time: Time, diff: isize, record: &dyn SinkRecord) {
        // A retraction withdraws a record that a newer version replaces; the
        // newer version is the message subscribers need.
        if diff <= 0 {
            return;
        }
        let Some(publisher) = &self.publisher else {
            return;
        };
        self.fields.clear();
        record.write_fields(&mut self.fields);
        match json_record(&self.fields, &self.stream) {
            Ok(record) => publisher.publish(record, &self.output),
            Err(error) => self.output.fail(format!("a record is not JSON: {error}")),
        }
    }

    fn flush(&mut self) {}
}

/// The record's JSON object from its fields, with `stream` added unless
/// the record has a field of that name.
fn json_record(fields: &str, stream: &str) -> Result<Value, serde_json::Error> {
    let mut object: Map<String, Value> = serde_json::from_str(&format!("{{{fields}}}"))?;
    object
        .entry("stream")
        .or_insert_with(|| Value::String(stream.to_owned()));
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_get_their_stream_unless_they_name_one() {
        let record = json_record(r#""plant":"north","value":1.5"#, "alerts");
        assert_eq!(
            record.ok(),
            Some(serde_json::json!({"plant": "north", "value": 1.5, "stream": "alerts"}))
        );
        let own = json_record(r#""stream":"s1""#, "alerts");
        assert_eq!(own.ok(), Some(serde_json::json!({"stream": "s1"})));
        assert!(json_record(r#""plant":"#, "alerts").is_err());
    }
}
