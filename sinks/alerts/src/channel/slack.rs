//! Slack incoming webhooks: `text` (the notification's fallback and the
//! summary) and Block Kit `blocks` — a header and one section per notice
//! (at most 50 blocks per message, Slack's limit).

use serde_json::{Value, json};

use super::http::Request;
use crate::config::SlackConfig;
use crate::notice::{Message, Status};

/// Slack's limit of blocks per message.
const MAX_BLOCKS: usize = 50;
/// Slack's limit of a header's text.
const MAX_HEADER_CHARS: usize = 150;

/// `&`, `<` and `>` are Slack's control characters in text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn emoji(status: Status) -> &'static str {
    match status {
        Status::Firing => ":rotating_light:",
        Status::Reminder => ":bell:",
        Status::Resolved => ":white_check_mark:",
        Status::Withdrawn => ":leftwards_arrow_with_hook:",
        Status::Acknowledged => ":eyes:",
    }
}

pub(super) fn render(config: &SlackConfig, message: &Message) -> Result<Request, String> {
    let summary = message.summary();
    let header: String = summary.chars().take(MAX_HEADER_CHARS).collect();
    let mut blocks: Vec<Value> = vec![json!({
        "type": "header",
        "text": {"type": "plain_text", "text": header},
    })];
    let room = MAX_BLOCKS - 2;
    for notice in message.notices.iter().take(room) {
        let a = &notice.alert;
        let mut text = format!(
            "{} *{}*{} `{}` *{}*\n{}",
            emoji(notice.status),
            notice.status.as_str().to_uppercase(),
            if notice.escalated { " (escalated)" } else { "" },
            a.severity,
            escape(&a.dedup_key),
            escape(&a.message)
        );
        if let Some(by) = &notice.acknowledged_by {
            text.push_str(&format!("\nacknowledged by {}", escape(by)));
        }
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    }
    if message.notices.len() > room {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": format!("…and {} more", message.notices.len() - room)}],
        }));
    }
    let body = json!({"text": escape(&summary), "blocks": blocks});
    Ok(Request {
        url: config.webhook_url.expose().to_owned(),
        headers: Vec::new(),
        body: serde_json::to_vec(&body).map_err(|e| e.to_string())?,
    })
}
