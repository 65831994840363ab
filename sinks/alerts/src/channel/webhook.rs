//! The generic webhook: `{"sink", "channel", "summary", "notices": [...]}`,
//! each notice the alert's fields with its `status`, `escalated` and
//! `acknowledged_by`.

use serde::Serialize;

use super::http::Request;
use crate::config::WebhookConfig;
use crate::notice::{Message, Notice};

#[derive(Serialize)]
struct Body<'a> {
    sink: &'a str,
    channel: &'a str,
    summary: String,
    notices: &'a [Notice],
}

pub(super) fn render(
    config: &WebhookConfig,
    sink: &str,
    channel: &str,
    message: &Message,
) -> Result<Request, String> {
    let body = serde_json::to_vec(&Body {
        sink,
        channel,
        summary: message.summary(),
        notices: &message.notices,
    })
    .map_err(|e| e.to_string())?;
    Ok(Request {
        url: config.url.expose().to_owned(),
        headers: config
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.expose().to_owned()))
            .collect(),
        body,
    })
}
