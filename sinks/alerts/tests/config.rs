//! The documented config parses, and mistakes name their key.

use steamflow_sink_alerts::{AlertsSinkConfig, ChannelConfig, Segment, SmtpTls};

const DOCUMENTED: &str = r#"
inputs = ["alerts"]
group_window_secs = 30

[channels.ops_slack]
type = "slack"
webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"
rate_limit = { per_minute = 6, burst = 3 }

[channels.pager]
type = "pagerduty"
routing_key = "R0UT1NGKEY"

[channels.manager]
type = "email"
host = "smtp.example.com"
tls = "starttls"
username = "steamflow"
password = "s3cret"
from = "steamflow <steamflow@example.com>"
to = ["energy-manager@example.com"]

[[routes]]
severities = ["critical", "high"]
channels = ["pager", "ops_slack"]
escalate_after_secs = 900
escalate_to = ["manager"]

[[routes]]
plants = ["north"]
conditions = ["trap_failure", "leak"]
channels = ["ops_slack"]
"#;

#[test]
fn the_documented_example_is_valid() {
    let config: AlertsSinkConfig = toml::from_str(DOCUMENTED).expect("parses");
    assert_eq!(config.validate(), vec![]);
    let Some(ChannelConfig::Email(email)) = config.channels.get("manager") else {
        panic!("an e-mail channel");
    };
    assert_eq!(email.tls, SmtpTls::Starttls);
    // Secrets stay out of Debug output.
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("s3cret") && !debug.contains("R0UT1NGKEY"),
        "{debug}"
    );
    assert!(!debug.contains("XXXX"), "{debug}");
}

#[test]
fn unknown_keys_and_bad_references_are_reported_at_their_key() {
    let unknown = DOCUMENTED.replace("routing_key =", "routing_kye =");
    let error = toml::from_str::<AlertsSinkConfig>(&unknown).expect_err("refused");
    assert!(error.to_string().contains("routing_kye"), "{error}");

    let bad = DOCUMENTED
        .replace("escalate_to = [\"manager\"]", "escalate_to = [\"boss\"]")
        .replace("\"leak\"]", "\"leek\"]")
        .replace("per_minute = 6", "per_minute = 0");
    let config: AlertsSinkConfig = toml::from_str(&bad).expect("parses");
    let issues: Vec<(Vec<Segment>, String)> = config
        .validate()
        .into_iter()
        .map(|i| (i.path, i.message))
        .collect();
    let key = |s: &str| Segment::Key(s.into());
    let at = |path: Vec<Segment>| issues.iter().any(|(p, _)| *p == path);
    assert!(
        at(vec![
            key("routes"),
            Segment::Index(0),
            key("escalate_to"),
            Segment::Index(0)
        ]),
        "{issues:?}"
    );
    assert!(
        at(vec![
            key("routes"),
            Segment::Index(1),
            key("conditions"),
            Segment::Index(1)
        ]),
        "{issues:?}"
    );
    assert!(
        at(vec![
            key("channels"),
            key("ops_slack"),
            key("rate_limit"),
            key("per_minute")
        ]),
        "{issues:?}"
    );
    assert_eq!(issues.len(), 3, "{issues:?}");
}
