//! Integration tests of the MQTT source and sink against a real broker
//! (Debian's mosquitto) and independent clients (mosquitto_pub,
//! mosquitto_sub, rumqttc). Each test starts its own broker on a free
//! loopback port; without mosquitto they skip with a reason (and fail under CI).

mod common;
mod faults;
mod sink;
mod source;
mod tls;
