//! Alert routing against real local receivers: an HTTP server that
//! records the webhook, Slack and PagerDuty requests, aiosmtpd for
//! e-mail and mosquitto for MQTT. Without aiosmtpd or mosquitto those
//! tests skip with a reason (and fail under CI).

mod common;
mod config;
mod delivery;
mod email;
mod http_channels;
mod mqtt;
mod routing;
