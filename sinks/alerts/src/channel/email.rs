//! E-mail over SMTP (lettre): one plain-text e-mail per message, the
//! summary in the subject and one paragraph per notice. TLS through
//! rustls: `starttls` (required, port 587), `tls` (port 465) or `none`.
//! An SMTP 5xx reply is refused for good; 4xx replies, timeouts and
//! connection errors are retried.

use std::fmt::Write as _;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use steamflow_operators::reading::format_utc_ms;

use super::DeliveryError;
use crate::config::{EmailConfig, SmtpTls};
use crate::notice::Message;

pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl Mailer {
    pub(crate) fn new(config: &EmailConfig, timeout: Duration) -> Result<Mailer, String> {
        let host = config.host.as_str();
        let mut builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("SMTP STARTTLS setup: {e}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("SMTP TLS setup: {e}"))?,
        };
        builder = builder
            .port(config.port.unwrap_or_else(|| config.tls.default_port()))
            .timeout(Some(timeout));
        if let Some(user) = &config.username {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("from: {e}"))?;
        let to = config
            .to
            .iter()
            .map(|to| to.parse::<Mailbox>().map_err(|e| format!("to `{to}`: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Mailer {
            transport: builder.build(),
            from,
            to,
        })
    }

    pub(crate) fn render(
        &self,
        config: &EmailConfig,
        message: &Message,
    ) -> Result<lettre::Message, String> {
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .subject(format!("{} {}", config.subject_prefix, message.summary()))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder.body(body(message)).map_err(|e| e.to_string())
    }

    pub(crate) async fn send(&self, email: &lettre::Message) -> Result<(), DeliveryError> {
        match self.transport.send(email.clone()).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() || e.is_client() => {
                Err(DeliveryError::Refused(e.to_string()))
            }
            Err(e) => Err(DeliveryError::Unavailable(e.to_string())),
        }
    }
}

/// The text: one paragraph per notice.
fn body(message: &Message) -> String {
    let mut text = String::new();
    for notice in &message.notices {
        let a = &notice.alert;
        let _ = writeln!(text, "{}", notice.line());
        let _ = writeln!(text, "  plant: {}", a.plant);
        let _ = writeln!(text, "  rule: {}", a.rule);
        if !a.asset.is_empty() {
            let _ = writeln!(text, "  asset: {}", a.asset);
        }
        if let Some(value) = a.value {
            let _ = writeln!(text, "  value: {value}");
        }
        let _ = writeln!(text, "  fired at: {}", format_utc_ms(a.fired_at_ms));
        let _ = writeln!(text, "  de-duplication key: {}", a.dedup_key);
        text.push('\n');
    }
    text.push_str("-- \nsteamflow alert routing\n");
    text
}
