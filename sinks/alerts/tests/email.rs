//! E-mail over SMTP to a real server (aiosmtpd) that requires AUTH.

use std::time::Duration;

use serde_json::Value;

use crate::common::{router, smtp_receiver, update};

#[test]
fn email_receives_firing_then_resolve_with_credentials() {
    let test = "email_receives_firing_then_resolve_with_credentials";
    let Some((smtp, port)) = smtp_receiver(test, "steamflow", "s3cret") else {
        return;
    };
    let router = router(&format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0
[channels.mail]
type = "email"
host = "127.0.0.1"
port = {port}
tls = "none"
username = "steamflow"
password = "s3cret"
from = "steamflow <alerts@plant.example>"
to = ["oncall@plant.example", "Energy Manager <energy@plant.example>"]
[[routes]]
channels = ["mail"]
"#
    ));
    router.submit(update("firing", "north", "T-101", "critical"));
    let first: Value = serde_json::from_str(&smtp.line("the firing e-mail")).expect("JSON");
    router.submit(update("resolved", "north", "T-101", "critical"));
    let second: Value = serde_json::from_str(&smtp.line("the resolve e-mail")).expect("JSON");
    router.close(Duration::from_secs(5));

    assert_eq!(first["mail_from"], "alerts@plant.example");
    assert_eq!(
        first["rcpt_tos"],
        serde_json::json!(["oncall@plant.example", "energy@plant.example"])
    );
    let data = first["data"].as_str().unwrap_or_default();
    assert!(
        data.contains("Subject: [steamflow] FIRING critical trap_failed/north/T-101"),
        "{data}"
    );
    assert!(data.contains("trap T-101 blown open"), "{data}");
    assert!(data.contains("plant: north"), "{data}");
    let data = second["data"].as_str().unwrap_or_default();
    assert!(
        data.contains("Subject: [steamflow] RESOLVED critical trap_failed/north/T-101"),
        "{data}"
    );
    let stats = router.channel_stats("mail").expect("channel");
    assert_eq!(stats.delivered.get(), 2);
}
