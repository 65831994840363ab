//! Grouping, rate limits and escalation, seen at a real receiver.

use std::time::Duration;

use crate::common::{HttpReceiver, block_on, notices, router, update, wait_until};

#[test]
fn alerts_within_the_group_window_arrive_as_one_message() {
    let receiver = HttpReceiver::start();
    let router = router(&format!(
        r#"
inputs = ["alerts"]
group_window_secs = 2
channels.hook = {{ type = "webhook", url = "{}" }}
routes = [{{ channels = ["hook"] }}]
"#,
        receiver.url("/hook")
    ));
    for asset in ["T-1", "T-2", "T-3"] {
        router.submit(update("firing", "north", asset, "high"));
    }
    let first = receiver.wait_for("/hook", 1);
    assert_eq!(
        notices(&first[0]),
        [
            "firing trap_failed/north/T-1",
            "firing trap_failed/north/T-2",
            "firing trap_failed/north/T-3",
        ]
    );
    assert_eq!(first[0].body["summary"], "3 alerts: 3 firing");
    for asset in ["T-1", "T-2", "T-3"] {
        router.submit(update("resolved", "north", asset, "high"));
    }
    let both = receiver.wait_for("/hook", 2);
    assert_eq!(notices(&both[1]).len(), 3);
    router.close(Duration::from_secs(5));
    assert_eq!(receiver.requests("/hook").len(), 2);
}

#[test]
fn a_rate_limited_channel_holds_messages_beyond_its_burst() {
    let receiver = HttpReceiver::start();
    let router = router(&format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0
[channels.hook]
type = "webhook"
url = "{}"
rate_limit = {{ per_minute = 1, burst = 2 }}
[[routes]]
channels = ["hook"]
"#,
        receiver.url("/hook")
    ));
    for asset in ["T-1", "T-2", "T-3", "T-4", "T-5"] {
        router.submit(update("firing", "north", asset, "high"));
    }
    receiver.wait_for("/hook", 2);
    let stats = router.channel_stats("hook").expect("channel");
    // The third waits for a token (one a minute); the other two queue behind it.
    wait_until("the third message waits for the rate limit", || {
        stats.rate_limited.get() == 1 && stats.pending.get() == 3
    });
    assert_eq!(receiver.requests("/hook").len(), 2);
    assert_eq!(stats.delivered.get(), 2);
    // Closing with no grace: what still waits is counted as failed, not lost silently.
    router.close(Duration::from_millis(50));
    assert_eq!(stats.failed.get(), 3);
    assert_eq!(receiver.requests("/hook").len(), 2);
}

#[test]
fn an_unacknowledged_alert_escalates_and_an_acknowledged_one_does_not() {
    let receiver = HttpReceiver::start();
    let router = router(&format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0
channels.team = {{ type = "webhook", url = "{}" }}
channels.manager = {{ type = "webhook", url = "{}" }}
[[routes]]
channels = ["team"]
escalate_after_secs = 1
escalate_to = ["manager"]
"#,
        receiver.url("/team"),
        receiver.url("/manager")
    ));
    // A fires and is acknowledged at once; B fires after it and is not.
    router.submit(update("firing", "north", "A", "critical"));
    block_on(router.acknowledge("trap_failed/north/A", "ana")).expect("A is open");
    router.submit(update("firing", "north", "B", "critical"));
    let manager = receiver.wait_for("/manager", 1);
    // A's escalation was due before B's: had the acknowledgement not
    // cancelled it, it would have arrived first (or with B).
    assert_eq!(notices(&manager[0]), ["firing trap_failed/north/B"]);
    assert_eq!(manager[0].body["notices"][0]["escalated"], true);
    router.submit(update("resolved", "north", "B", "critical"));
    let manager = receiver.wait_for("/manager", 2);
    assert_eq!(notices(&manager[1]), ["resolved trap_failed/north/B"]);
    router.close(Duration::from_secs(5));
    let team: Vec<_> = receiver
        .requests("/team")
        .iter()
        .flat_map(notices)
        .collect();
    assert_eq!(
        team,
        [
            "firing trap_failed/north/A",
            "acknowledged trap_failed/north/A",
            "firing trap_failed/north/B",
            "resolved trap_failed/north/B",
        ]
    );
    assert_eq!(receiver.requests("/manager").len(), 2);
    assert_eq!(router.stats().escalated.get(), 1);
}
