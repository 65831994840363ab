//! MQTT: each notice published as a JSON object (the notice's fields with
//! `sink` and `channel`) to the topic template, through the MQTT sink of
//! the MQTT connector; delivered once the broker confirmed it (QoS 1/2).

use std::time::Duration;

use serde_json::Value;
use steamflow_source_mqtt::MqttSink;
use tokio_util::sync::CancellationToken;

use super::DeliveryError;
use crate::config::MqttChannelConfig;
use crate::notice::Message;

pub(crate) struct Publisher {
    sink: MqttSink,
    timeout: Duration,
}

impl Publisher {
    pub(crate) fn start(
        config: &MqttChannelConfig,
        component: &str,
        timeout: Duration,
    ) -> Result<Publisher, String> {
        let sink = MqttSink::start(&config.sink(), component, CancellationToken::new())
            .map_err(|e| e.to_string())?;
        Ok(Publisher { sink, timeout })
    }

    pub(crate) async fn send(&self, value: &Value) -> Result<(), DeliveryError> {
        self.sink
            .send(value)
            .await
            .map_err(|e| DeliveryError::Refused(e.to_string()))?;
        self.sink
            .flush(self.timeout)
            .await
            .map_err(|e| DeliveryError::Unavailable(e.to_string()))
    }

    pub(crate) async fn close(self) {
        let _ = self.sink.close(Duration::from_secs(1)).await;
    }
}

pub(super) fn render(sink: &str, channel: &str, message: &Message) -> Result<Vec<Value>, String> {
    message
        .notices
        .iter()
        .map(|notice| {
            let mut value = serde_json::to_value(notice).map_err(|e| e.to_string())?;
            if let Value::Object(fields) = &mut value {
                fields.insert("sink".into(), Value::String(sink.to_owned()));
                fields.insert("channel".into(), Value::String(channel.to_owned()));
            }
            Ok(value)
        })
        .collect()
}
