//! Checks of an alert sink's config that serde cannot make: channel
//! references, URLs, addresses, limits. Each problem names its key.

use lettre::message::Mailbox;
use steamflow_source_mqtt::KeySegment;

use crate::config::{AlertsSinkConfig, CONDITIONS, ChannelConfig, RateLimit};

/// One problem, at a key path below the sink's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    /// The keys (and array indexes) down to the value.
    pub path: Vec<Segment>,
    /// What is wrong.
    pub message: String,
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

struct Issues(Vec<ConfigIssue>);

impl Issues {
    fn at(&mut self, path: &[Segment], key: &str, message: impl Into<String>) {
        let mut path = path.to_vec();
        path.push(Segment::Key(key.to_owned()));
        self.0.push(ConfigIssue {
            path,
            message: message.into(),
        });
    }
}

fn key(name: &str) -> Segment {
    Segment::Key(name.to_owned())
}

impl AlertsSinkConfig {
    /// Every problem of the config; empty when it can run.
    pub fn validate(&self) -> Vec<ConfigIssue> {
        let mut issues = Issues(Vec::new());
        if self.channels.is_empty() {
            issues.at(&[], "channels", "define at least one channel");
        }
        if self.routes.is_empty() {
            issues.at(&[], "routes", "define at least one route");
        }
        for (id, channel) in &self.channels {
            check_channel(&[key("channels"), key(id)], channel, &mut issues);
        }
        for (i, route) in self.routes.iter().enumerate() {
            let path = [key("routes"), Segment::Index(i)];
            if route.channels.is_empty() {
                issues.at(&path, "channels", "name at least one channel");
            }
            for (field, ids) in [
                ("channels", &route.channels),
                ("escalate_to", &route.escalate_to),
            ] {
                for (j, id) in ids.iter().enumerate() {
                    if !self.channels.contains_key(id) {
                        let mut at = path.to_vec();
                        at.push(key(field));
                        issues.0.push(ConfigIssue {
                            path: [at, vec![Segment::Index(j)]].concat(),
                            message: format!(
                                "no channel `{id}` (channels: {})",
                                self.channels.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        });
                    }
                }
            }
            match (route.escalate_after_secs, route.escalate_to.is_empty()) {
                (Some(_), true) => issues.at(
                    &path,
                    "escalate_to",
                    "`escalate_after_secs` needs channels to escalate to",
                ),
                (None, false) => issues.at(
                    &path,
                    "escalate_after_secs",
                    "`escalate_to` needs the time after which to escalate",
                ),
                (Some(0), false) => {
                    issues.at(&path, "escalate_after_secs", "must be greater than 0")
                }
                _ => {}
            }
            for (j, condition) in route.conditions.iter().enumerate() {
                if !CONDITIONS.contains(&condition.as_str()) {
                    issues.0.push(ConfigIssue {
                        path: vec![
                            key("routes"),
                            Segment::Index(i),
                            key("conditions"),
                            Segment::Index(j),
                        ],
                        message: format!(
                            "unknown alert condition `{condition}` (conditions: {})",
                            CONDITIONS.join(", ")
                        ),
                    });
                }
            }
        }
        issues.0
    }
}

fn check_url(path: &[Segment], name: &str, url: &str, issues: &mut Issues) {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
        // The URL may hold a token: say what is wrong, not what it is.
        Ok(_) => issues.at(path, name, "must be an http or https URL"),
        Err(error) => issues.at(path, name, format!("not a URL: {error}")),
    }
}

fn check_rate_limit(path: &[Segment], limit: Option<&RateLimit>, issues: &mut Issues) {
    let Some(limit) = limit else { return };
    let at = [path.to_vec(), vec![key("rate_limit")]].concat();
    if !(limit.per_minute.is_finite() && limit.per_minute > 0.0) {
        issues.at(&at, "per_minute", "must be a number greater than 0");
    }
    if limit.burst == 0 {
        issues.at(&at, "burst", "must be at least 1");
    }
}

fn check_channel(path: &[Segment], channel: &ChannelConfig, issues: &mut Issues) {
    let delivery = channel.delivery();
    check_rate_limit(path, delivery.rate_limit.as_ref(), issues);
    if delivery.timeout_secs == 0 {
        issues.at(path, "timeout_secs", "must be greater than 0");
    }
    if delivery.retry.max_ms < delivery.retry.initial_ms {
        issues.at(
            &[path.to_vec(), vec![key("retry")]].concat(),
            "max_ms",
            "must be at least `initial_ms`",
        );
    }
    match channel {
        ChannelConfig::Webhook(c) => {
            check_url(path, "url", c.url.expose(), issues);
            for name in c.headers.keys() {
                if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    issues.at(path, "headers", format!("`{name}` is not a header name"));
                }
            }
        }
        ChannelConfig::Slack(c) => check_url(path, "webhook_url", c.webhook_url.expose(), issues),
        ChannelConfig::Pagerduty(c) => {
            check_url(path, "url", &c.url, issues);
            if c.routing_key.expose().trim().is_empty() {
                issues.at(path, "routing_key", "must not be empty");
            }
        }
        ChannelConfig::Email(c) => {
            if c.host.trim().is_empty() {
                issues.at(path, "host", "must name the SMTP server");
            }
            if let Err(error) = c.from.parse::<Mailbox>() {
                issues.at(path, "from", format!("not an e-mail address: {error}"));
            }
            if c.to.is_empty() {
                issues.at(path, "to", "name at least one recipient");
            }
            for (i, to) in c.to.iter().enumerate() {
                if let Err(error) = to.parse::<Mailbox>() {
                    issues.0.push(ConfigIssue {
                        path: [path.to_vec(), vec![key("to"), Segment::Index(i)]].concat(),
                        message: format!("not an e-mail address: {error}"),
                    });
                }
            }
            if c.password.is_some() && c.username.is_none() {
                issues.at(path, "password", "a password needs `username`");
            }
        }
        ChannelConfig::Mqtt(c) => {
            for issue in c.sink().validate() {
                let mut at = path.to_vec();
                for segment in issue.path {
                    at.push(match segment {
                        KeySegment::Key(name) => key(name),
                        KeySegment::Index(index) => Segment::Index(index),
                    });
                }
                issues.0.push(ConfigIssue {
                    path: at,
                    message: issue.message,
                });
            }
        }
    }
}

/// A key path as text: `routes[0].channels[1]`.
pub(crate) fn path_text(path: &[Segment]) -> String {
    let mut text = String::new();
    for segment in path {
        match segment {
            Segment::Key(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(name);
            }
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}
