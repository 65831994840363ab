//! One OPC UA session: discovery, endpoint choice, the pin, the identity,
//! and a task that drives the session's event loop and hands notifications
//! over through a bounded channel.
//!
//! The stack's own reconnect is switched off (`session_retry_limit(0)`):
//! when the connection is lost the driver ends, the session is dropped,
//! and the caller builds a new one ([`crate::client`]).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use opcua::client::{
    Client, ClientBuilder, IdentityToken, MonitoredItem, OnSubscriptionNotification, Password,
    Session, SessionPollResult,
};
use opcua::types::{
    DataValue, EndpointDescription, MessageSecurityMode, StatusChangeNotification, StatusCode,
    UserTokenType,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::{OpcUaConfig, Resolved};
use crate::convert::now_ms;
use crate::{Error, pki};

/// How many driver events may wait for the consumer; past that the driver
/// stops polling the session, which stops processing publish responses.
const EVENT_CAPACITY: usize = 8;
/// Largest message accepted from the server.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// What the driver reports.
#[derive(Debug)]
pub(crate) enum LoopEvent {
    /// The session is created and activated.
    Connected,
    /// Values from one publish response: (client handle, value).
    Data(Vec<(u32, DataValue)>),
    /// The server changed a subscription's state (e.g. it timed out).
    SubscriptionStatus(StatusCode),
    /// The connection is gone; the session is dead.
    Lost(String),
}

/// Notifications collected by subscription callbacks until the driver hands them on.
#[derive(Default)]
pub(crate) struct Inbox {
    values: Mutex<Vec<(u32, DataValue)>>,
    status: Mutex<Vec<StatusCode>>,
}

impl Inbox {
    fn take(&self) -> (Vec<(u32, DataValue)>, Vec<StatusCode>) {
        let values = self.values.lock().map(|mut v| std::mem::take(&mut *v));
        let status = self.status.lock().map(|mut s| std::mem::take(&mut *s));
        (values.unwrap_or_default(), status.unwrap_or_default())
    }
}

/// The callback of every subscription: files notifications in the inbox.
pub(crate) struct Collector(pub Arc<Inbox>);

impl OnSubscriptionNotification for Collector {
    fn on_subscription_status_change(&mut self, notification: StatusChangeNotification) {
        if let Ok(mut status) = self.0.status.lock() {
            status.push(notification.status);
        }
    }

    fn on_data_value(&mut self, value: DataValue, item: &MonitoredItem) {
        if let Ok(mut values) = self.0.values.lock() {
            values.push((item.client_handle(), value));
        }
    }
}

/// A live session.
pub(crate) struct Live {
    pub session: Arc<Session>,
    pub events: mpsc::Receiver<LoopEvent>,
    pub inbox: Arc<Inbox>,
    /// The endpoint connected to.
    pub endpoint: EndpointDescription,
    /// Last time the server was heard from (UTC ms).
    pub last_alive_ms: Arc<AtomicI64>,
    driver: JoinHandle<()>,
}

impl Live {
    /// Closes the session on the server (deleting its subscriptions), within `timeout`.
    pub async fn close(self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.session.disconnect()).await;
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// The OPC UA client for a config: the PKI folder, timeouts, no stack retries.
pub(crate) fn build_client(config: &OpcUaConfig, session_name: &str) -> Result<Client, Error> {
    pki::prepare(
        &config.pki_dir,
        &config.application_name,
        &config.application_uri,
    )?;
    let min_publish = config
        .nodes
        .iter()
        .filter_map(|n| n.publishing_interval_ms)
        .chain([config.publishing_interval_ms, 100])
        .min()
        .unwrap_or(100);
    ClientBuilder::new()
        .application_name(config.application_name.clone())
        .application_uri(config.application_uri.clone())
        .product_uri("urn:steamflow")
        .session_name(session_name.to_owned())
        .pki_dir(config.pki_dir.clone())
        .certificate_path(pki::OWN_CERTIFICATE)
        .private_key_path(pki::OWN_PRIVATE_KEY)
        .create_sample_keypair(false)
        // A pinned certificate is trusted by `connect` itself, nothing else.
        .trust_server_certs(config.auto_trust && config.server_certificate_thumbprint.is_none())
        .verify_server_certs(true)
        .session_retry_limit(0)
        .recreate_subscriptions(false)
        .request_timeout(Duration::from_millis(config.request_timeout_ms))
        .session_timeout(u32::try_from(config.session_timeout_ms).unwrap_or(u32::MAX))
        .keep_alive_interval(Duration::from_millis(config.keep_alive_interval_ms))
        .max_failed_keep_alive_count(3)
        .min_publish_interval(Duration::from_millis(min_publish.max(1)))
        // The stack's defaults (5 chunks of 64 KiB) are too small for a
        // publish response of a few thousand notifications: the session
        // would drop with BadDecodingError under load.
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_chunk_count(MAX_MESSAGE_BYTES / 65_535 + 1)
        .client()
        .map_err(|errors| Error::Connect {
            url: config.endpoint_url.clone(),
            message: errors.join("; "),
        })
}

/// The endpoints a server offers (GetEndpoints over an unsecured channel).
pub(crate) async fn discover(
    client: &Client,
    config: &OpcUaConfig,
) -> Result<Vec<EndpointDescription>, Error> {
    let timeout = Duration::from_millis(config.request_timeout_ms);
    let url = config.endpoint_url.as_str();
    match tokio::time::timeout(timeout, client.get_server_endpoints_from_url(url)).await {
        Ok(Ok(endpoints)) => Ok(endpoints),
        Ok(Err(error)) => Err(Error::Connect {
            url: url.to_owned(),
            message: error.to_string(),
        }),
        Err(_) => Err(Error::Connect {
            url: url.to_owned(),
            message: format!("no answer within {} ms", config.request_timeout_ms),
        }),
    }
}

/// "policy/mode" of each endpoint, for messages.
pub(crate) fn describe(endpoints: &[EndpointDescription]) -> String {
    endpoints
        .iter()
        .map(|e| {
            let policy = e.security_policy_uri.as_ref();
            let policy = policy.rsplit('#').next().unwrap_or(policy);
            format!("{policy}/{:?}", e.security_mode)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The endpoint matching the configured security, reached at the
/// configured URL: servers often advertise a host name or port that is not
/// reachable from here (NAT, proxies, containers), so the advertised URL
/// only identifies the endpoint.
pub(crate) fn choose(
    endpoints: &[EndpointDescription],
    config: &OpcUaConfig,
) -> Result<EndpointDescription, Error> {
    let policy = config.security_policy.to_opcua();
    let mode = config.security_mode.to_opcua();
    endpoints
        .iter()
        .find(|e| {
            e.security_mode == mode
                && opcua::crypto::SecurityPolicy::from_uri(e.security_policy_uri.as_ref()) == policy
        })
        .map(|e| EndpointDescription {
            endpoint_url: config.endpoint_url.as_str().into(),
            ..e.clone()
        })
        .ok_or_else(|| Error::NoEndpoint {
            policy: config.security_policy.as_str(),
            mode: config.security_mode.as_str(),
            offered: describe(endpoints),
        })
}

/// The identity of the config, checked against what the endpoint accepts.
fn identity(config: &OpcUaConfig, endpoint: &EndpointDescription) -> Result<IdentityToken, Error> {
    let (token, kind, name) = match (&config.username, &config.password) {
        (Some(user), Some(password)) => (
            IdentityToken::UserName(user.clone(), Password::new(password.expose())),
            UserTokenType::UserName,
            "user names",
        ),
        _ => (
            IdentityToken::Anonymous,
            UserTokenType::Anonymous,
            "anonymous users",
        ),
    };
    let accepted = endpoint
        .user_identity_tokens
        .as_ref()
        .is_none_or(|policies| policies.iter().any(|p| p.token_type == kind));
    if accepted {
        Ok(token)
    } else {
        Err(Error::Authentication(format!(
            "the endpoint does not accept {name}"
        )))
    }
}

/// Opens a session and waits until it is activated.
pub(crate) async fn connect(
    client: &mut Client,
    config: &OpcUaConfig,
    resolved: &Resolved,
) -> Result<Live, Error> {
    let endpoints = discover(client, config).await?;
    let endpoint = choose(&endpoints, config)?;
    if let Some(pin) = &resolved.server_thumbprint {
        pki::check_pin(&endpoint.server_certificate, pin)?;
        if config.auto_trust && !pki::is_trusted(&config.pki_dir, &endpoint.server_certificate) {
            let path = pki::trust(&config.pki_dir, &endpoint.server_certificate)?;
            tracing::info!(path = %path.display(), "pinned server certificate trusted");
        }
    }
    let token = identity(config, &endpoint)?;
    let (session, event_loop) = client
        .session_builder()
        .connect_to_endpoint_directly(endpoint.clone())
        .and_then(|builder| {
            builder
                .user_identity_token(token)
                .build(client.certificate_store().clone())
        })
        .map_err(|e| Error::Connect {
            url: config.endpoint_url.clone(),
            message: e.to_string(),
        })?;

    let inbox = Arc::new(Inbox::default());
    let last_alive_ms = Arc::new(AtomicI64::new(now_ms()));
    let (tx, mut events) = mpsc::channel(EVENT_CAPACITY);
    let driver = tokio::spawn(drive(
        event_loop.enter(),
        inbox.clone(),
        tx,
        last_alive_ms.clone(),
    ));
    let timeout = Duration::from_millis(config.request_timeout_ms.saturating_mul(2));
    match tokio::time::timeout(timeout, events.recv()).await {
        Ok(Some(LoopEvent::Connected)) => Ok(Live {
            session,
            events,
            inbox,
            endpoint,
            last_alive_ms,
            driver,
        }),
        Ok(Some(LoopEvent::Lost(message))) => {
            driver.abort();
            Err(classify(config, &endpoint, message))
        }
        Ok(_) => {
            driver.abort();
            Err(Error::Connect {
                url: config.endpoint_url.clone(),
                message: "the session ended while connecting".into(),
            })
        }
        Err(_) => {
            driver.abort();
            Err(Error::Connect {
                url: config.endpoint_url.clone(),
                message: format!("no session within {} ms", timeout.as_millis()),
            })
        }
    }
}

/// Turns the status of a failed activation into the error a user can act on.
fn classify(config: &OpcUaConfig, endpoint: &EndpointDescription, message: String) -> Error {
    let certificate = [
        "BadCertificate",
        "BadSecurityChecksFailed",
        "rejected directory",
    ];
    if certificate.iter().any(|c| message.contains(c)) {
        let hint = if endpoint.security_mode == MessageSecurityMode::None {
            String::new()
        } else {
            format!(
                "; if you trust this server, move its certificate from {}/rejected to {}/trusted, or pin its thumbprint",
                config.pki_dir.display(),
                config.pki_dir.display()
            )
        };
        return Error::CertificateRejected(format!("{message}{hint}"));
    }
    let auth = [
        "BadUserAccessDenied",
        "BadIdentityToken",
        "BadIdentityTokenInvalid",
        "BadIdentityTokenRejected",
    ];
    if auth.iter().any(|c| message.contains(c)) {
        return Error::Authentication(message);
    }
    Error::Connect {
        url: config.endpoint_url.clone(),
        message,
    }
}

/// Drives the session's event loop until the connection is lost, handing
/// the collected notifications over after each step.
async fn drive<S>(
    stream: S,
    inbox: Arc<Inbox>,
    tx: mpsc::Sender<LoopEvent>,
    last_alive_ms: Arc<AtomicI64>,
) where
    S: futures::Stream<Item = Result<SessionPollResult, StatusCode>>,
{
    let mut stream = std::pin::pin!(stream);
    loop {
        let item = stream.next().await;
        let (values, statuses) = inbox.take();
        if !values.is_empty() {
            last_alive_ms.store(now_ms(), Ordering::Relaxed);
            if tx.send(LoopEvent::Data(values)).await.is_err() {
                return;
            }
        }
        for status in statuses {
            if tx
                .send(LoopEvent::SubscriptionStatus(status))
                .await
                .is_err()
            {
                return;
            }
        }
        let event = match item {
            None => LoopEvent::Lost("the session was closed".into()),
            Some(Err(status)) => LoopEvent::Lost(status.to_string()),
            Some(Ok(SessionPollResult::ConnectionLost(status))) => {
                LoopEvent::Lost(format!("connection lost: {status}"))
            }
            Some(Ok(SessionPollResult::Reconnected(_))) => {
                last_alive_ms.store(now_ms(), Ordering::Relaxed);
                LoopEvent::Connected
            }
            Some(Ok(SessionPollResult::Subscription(
                opcua::client::SubscriptionActivity::Publish,
            )))
            | Some(Ok(SessionPollResult::SessionActivity(
                opcua::client::SessionActivity::KeepAliveSucceeded,
            ))) => {
                last_alive_ms.store(now_ms(), Ordering::Relaxed);
                continue;
            }
            Some(Ok(_)) => continue,
        };
        let lost = matches!(event, LoopEvent::Lost(_));
        if tx.send(event).await.is_err() || lost {
            return;
        }
    }
}
