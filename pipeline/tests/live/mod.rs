//! The plant served live (`steamflow simulate --serve`) read back by
//! independent clients, and the MQTT sink of `steamflow run`, against real
//! peers: a mosquitto broker started per test, `mosquitto_sub`, the
//! Python `asyncua` client and steamflow's Modbus client.

mod mqtt_sink;
mod peers;
mod serve;
