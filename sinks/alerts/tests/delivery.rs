//! Failures: a refusal is not retried, a server error and a receiver
//! that is down are retried until the message gets through.

use std::time::Duration;

use steamflow_source_core::testing::free_port;

use crate::common::{HttpReceiver, notices, router, update, wait_until};

fn hook_config(url: &str) -> String {
    format!(
        r#"
inputs = ["alerts"]
group_window_secs = 0
[channels.hook]
type = "webhook"
url = "{url}"
retry = {{ initial_ms = 20, max_ms = 200, give_up_after_secs = 60 }}
timeout_secs = 2
[[routes]]
channels = ["hook"]
"#
    )
}

#[test]
fn a_client_error_is_reported_and_not_retried() {
    let receiver = HttpReceiver::start();
    receiver.respond_with(&[400]);
    let router = router(&hook_config(&receiver.url("/hook")));
    router.submit(update("firing", "north", "T-1", "high"));
    let stats = router.channel_stats("hook").expect("channel");
    wait_until("the refusal is counted", || stats.failed.get() == 1);
    // The channel goes on with the next message.
    router.submit(update("firing", "north", "T-2", "high"));
    let got = receiver.wait_for("/hook", 2);
    assert_eq!(notices(&got[0]), ["firing trap_failed/north/T-1"]);
    assert_eq!(notices(&got[1]), ["firing trap_failed/north/T-2"]);
    router.close(Duration::from_secs(5));
    assert_eq!(receiver.requests("/hook").len(), 2);
    assert_eq!(stats.retries.get(), 0);
    assert_eq!(stats.delivered.get(), 1);
}

#[test]
fn server_errors_are_retried_until_accepted() {
    let receiver = HttpReceiver::start();
    receiver.respond_with(&[503, 500, 429]);
    let router = router(&hook_config(&receiver.url("/hook")));
    router.submit(update("firing", "north", "T-1", "high"));
    let stats = router.channel_stats("hook").expect("channel");
    wait_until("delivered after retries", || stats.delivered.get() == 1);
    let got = receiver.requests("/hook");
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|r| r.body == got[0].body));
    assert_eq!(stats.retries.get(), 3);
    assert_eq!(stats.failed.get(), 0);
    router.close(Duration::from_secs(5));
}

#[test]
fn a_receiver_down_then_up_gets_the_message_after_retries() {
    let port = free_port();
    let router = router(&hook_config(&format!("http://127.0.0.1:{port}/hook")));
    router.submit(update("firing", "north", "T-1", "critical"));
    let stats = router.channel_stats("hook").expect("channel");
    wait_until("a failed attempt to reach the receiver", || {
        stats.retries.get() >= 1
    });
    assert_eq!(stats.delivered.get(), 0);
    let receiver = HttpReceiver::start_on(port);
    let got = receiver.wait_for("/hook", 1);
    assert_eq!(notices(&got[0]), ["firing trap_failed/north/T-1"]);
    router.close(Duration::from_secs(5));
    assert_eq!(stats.delivered.get(), 1);
    assert_eq!(stats.failed.get(), 0);
}
