//! Faults against the pymodbus peer: a server killed and restarted
//! mid-stream, an illegal address inside a coalesced request, answers with
//! the wrong byte count, a unit id that never answers, a device that is not
//! there yet.

use std::time::Duration;

use steamflow_source_core::SourceEvent;
use steamflow_source_modbus::ByteOrder::Abcd;
use steamflow_source_modbus::DataType::{Float32, Uint16};
use steamflow_source_modbus::RegisterType::Holding;
use steamflow_source_modbus::TagConfig;

use crate::support::{PyModbus, Source, config, spec, spec_value, tag, value};

const WAIT: Duration = Duration::from_secs(10);

/// `n` uint16 tags `t0..` at holding 0.. with value 100 + address, except
/// the addresses in `missing` (undefined on the peer: exception 02).
fn registers(n: u16, missing: &[u16]) -> (Vec<TagConfig>, Vec<serde_json::Value>) {
    let tags = (0..n)
        .map(|a| tag(&format!("t{a}"), Holding, a, Uint16, Abcd))
        .collect();
    let values = (0..n)
        .filter(|a| !missing.contains(a))
        .map(|a| spec_value("hr", a, Uint16, Abcd, f64::from(100 + a)))
        .collect();
    (tags, values)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_is_reconnected_with_the_gap_reported() {
    let (tags, values) = registers(4, &[]);
    let Some(mut peer) = PyModbus::start(
        "a_restarted_server_is_reconnected",
        &spec(&[(1, values)]),
        &[],
    )
    .await
    else {
        return;
    };
    let mut source = Source::start(config(peer.port, tags));
    assert!(matches!(
        source.next(WAIT).await,
        SourceEvent::Connected { .. }
    ));
    let before = source.batch(WAIT).await;
    assert_eq!(value(&before, "t3"), Some(103.0));

    peer.kill();
    let lost = source
        .until(WAIT, |e| matches!(e, SourceEvent::Disconnected { .. }))
        .await;
    let SourceEvent::Disconnected { source: id, reason } = lost else {
        unreachable!()
    };
    assert_eq!(id, "plc");
    assert!(reason.contains("127.0.0.1"), "{reason}");
    // Down for a while: retries with backoff, one Disconnected only.
    tokio::time::sleep(Duration::from_millis(800)).await;
    peer.spawn().await;

    let gap = source
        .until(WAIT, |e| matches!(e, SourceEvent::Gap(_)))
        .await;
    let SourceEvent::Gap(gap) = gap else {
        unreachable!()
    };
    let last_before = before.readings[0].time_ms;
    assert!(gap.from_ms >= last_before, "{gap:?}");
    assert!(gap.to_ms - gap.from_ms >= 800, "{gap:?}");
    assert!(!gap.backfilled);
    let after = source.batch(WAIT).await;
    assert_eq!(value(&after, "t0"), Some(100.0));
    assert!(after.readings[0].time_ms >= gap.to_ms);

    let disconnects = source
        .seen
        .iter()
        .filter(|e| matches!(e, SourceEvent::Disconnected { .. }))
        .count();
    assert_eq!(disconnects, 1, "{:#?}", source.seen);
    let connects = source
        .seen
        .iter()
        .filter(|e| matches!(e, SourceEvent::Connected { .. }))
        .count();
    assert_eq!(connects, 2);
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_illegal_address_fails_only_its_tag_and_the_split_is_kept() {
    // Seven adjacent registers, the fourth undefined on the device.
    let (tags, values) = registers(7, &[3]);
    let Some(peer) = PyModbus::start(
        "an_illegal_address_fails_only_its_tag",
        &spec(&[(1, values)]),
        &[],
    )
    .await
    else {
        return;
    };
    let mut config = config(peer.port, tags);
    config.devices[0].poll_interval_ms = 600;
    let mut source = Source::start(config);

    let first = source.batch(WAIT).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut read: Vec<&str> = first.readings.iter().map(|r| r.tag.as_str()).collect();
    read.sort_unstable();
    assert_eq!(read, ["t0", "t1", "t2", "t4", "t5", "t6"]);
    assert_eq!(value(&first, "t6"), Some(106.0));
    assert_eq!(first.errors.len(), 1, "{:#?}", first.errors);
    let error = &first.errors[0];
    assert_eq!(error.reason, "modbus_exception");
    assert!(error.message.contains("t3"), "{}", error.message);
    assert!(error.message.contains("exception 02"), "{}", error.message);
    assert_eq!(error.origin, format!("127.0.0.1:{}/1/holding/3", peer.port));
    assert_eq!(error.payload, "exception 02");
    assert_eq!(error.source, "plc");
    // 0..7 refused → 0..3 ok, 3..7 refused → 3..5 refused → 3 refused, 4 ok → 5..7 ok.
    let first_poll: Vec<(u16, u16)> = peer
        .requests()
        .iter()
        .map(|r| (r.address, r.count))
        .collect();
    assert_eq!(
        first_poll,
        [(0, 7), (0, 3), (3, 4), (3, 2), (3, 1), (4, 1), (5, 2)]
    );

    // The next polls send the split requests only.
    let _ = source.batch(WAIT).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    peer.clear_requests();
    let third = source.batch(WAIT).await;
    assert_eq!(third.readings.len(), 6);
    assert_eq!(third.errors.len(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let steady: Vec<(u16, u16)> = peer
        .requests()
        .iter()
        .map(|r| (r.address, r.count))
        .collect();
    assert_eq!(steady, [(0, 3), (3, 1), (4, 1), (5, 2)]);
    assert!(
        !source
            .seen
            .iter()
            .any(|e| matches!(e, SourceEvent::Disconnected { .. }))
    );
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_answer_is_a_wrong_byte_count_for_its_request_only() {
    // Holding 10..11 (a float32) is answered one register short, a valid
    // frame of the wrong size; 0..3 are fine.
    let (mut tags, mut values) = registers(3, &[]);
    values.push(spec_value("hr", 10, Float32, Abcd, 1.5));
    tags.push(tag("short", Holding, 10, Float32, Abcd));
    let Some(peer) = PyModbus::start(
        "a_short_answer_is_a_wrong_byte_count",
        &spec(&[(1, values)]),
        &["--corrupt-address", "10", "--corrupt-mode", "even"],
    )
    .await
    else {
        return;
    };
    let mut source = Source::start(config(peer.port, tags));
    for _ in 0..2 {
        let batch = source.batch(WAIT).await;
        assert_eq!(batch.readings.len(), 3, "{batch:#?}");
        assert_eq!(batch.errors.len(), 1);
        let error = &batch.errors[0];
        assert_eq!(error.reason, "wrong_byte_count");
        assert!(
            error
                .message
                .contains("answered 2 data bytes for 2 registers, expected 4"),
            "{}",
            error.message
        );
        assert!(error.message.contains("short"), "{}", error.message);
    }
    // The connection stays: the frame itself was sound.
    assert!(
        !source
            .seen
            .iter()
            .any(|e| matches!(e, SourceEvent::Disconnected { .. }))
    );
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_odd_byte_count_is_a_decode_error_and_polling_goes_on() {
    // The answer for holding 10 has an odd byte count: the frame does not
    // parse, the connection is replaced, the other tags keep flowing.
    let (mut tags, mut values) = registers(3, &[]);
    values.push(spec_value("hr", 10, Float32, Abcd, 1.5));
    tags.push(tag("odd", Holding, 10, Float32, Abcd));
    let Some(peer) = PyModbus::start(
        "an_odd_byte_count_is_a_decode_error",
        &spec(&[(1, values)]),
        &["--corrupt-address", "10", "--corrupt-mode", "odd"],
    )
    .await
    else {
        return;
    };
    let mut source = Source::start(config(peer.port, tags));
    for _ in 0..3 {
        let batch = source.batch(WAIT).await;
        assert_eq!(batch.readings.len(), 3, "{batch:#?}");
        assert_eq!(value(&batch, "t2"), Some(102.0));
        assert_eq!(batch.errors.len(), 1);
        assert_eq!(batch.errors[0].reason, "wrong_byte_count");
        assert!(batch.errors[0].message.contains("odd"));
    }
    assert!(
        !source
            .seen
            .iter()
            .any(|e| matches!(e, SourceEvent::Disconnected { .. })),
        "{:#?}",
        source.seen
    );
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_that_never_answers_times_out_alone() {
    // pymodbus serves unit 1 only and leaves requests for unit 9 unanswered
    // (as a gateway whose device is dead may).
    let (mut tags, values) = registers(2, &[]);
    let mut silent = tag("silent", Holding, 0, Uint16, Abcd);
    silent.unit_id = Some(9);
    tags.push(silent);
    let mut silent2 = tag("silent2", Holding, 50, Uint16, Abcd);
    silent2.unit_id = Some(9);
    tags.push(silent2);
    let silent_values = vec![
        spec_value("hr", 0, Uint16, Abcd, 1.0),
        spec_value("hr", 50, Uint16, Abcd, 2.0),
    ];
    let Some(peer) = PyModbus::start(
        "a_unit_that_never_answers",
        &spec(&[(1, values), (9, silent_values)]),
        &["--silent-unit", "9"],
    )
    .await
    else {
        return;
    };
    let mut config = config(peer.port, tags);
    config.devices[0].timeout_ms = 300;
    let mut source = Source::start(config);
    for _ in 0..2 {
        let batch = source.batch(WAIT).await;
        assert_eq!(value(&batch, "t0"), Some(100.0));
        assert_eq!(value(&batch, "t1"), Some(101.0));
        let mut failed: Vec<(&str, &str)> = batch
            .errors
            .iter()
            .map(|e| {
                (
                    e.reason,
                    if e.message.contains("silent2") {
                        "silent2"
                    } else {
                        "silent"
                    },
                )
            })
            .collect();
        failed.sort_unstable();
        assert_eq!(failed, [("timeout", "silent"), ("timeout", "silent2")]);
    }
    // One timeout per poll: the second request for unit 9 is not sent.
    let unit9 = peer.requests().iter().filter(|r| r.unit == 9).count();
    let polls = 2;
    assert!(unit9 <= polls + 1, "{unit9} requests for unit 9");
    assert!(
        !source
            .seen
            .iter()
            .any(|e| matches!(e, SourceEvent::Disconnected { .. }))
    );
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_the_peer_does_not_serve_fails_alone() {
    let (mut tags, values) = registers(1, &[]);
    let mut unreachable = tag("unreachable", Holding, 0, Uint16, Abcd);
    unreachable.unit_id = Some(9);
    tags.push(unreachable);
    let Some(peer) =
        PyModbus::start("a_unit_the_peer_does_not_serve", &spec(&[(1, values)]), &[]).await
    else {
        return;
    };
    let mut source = Source::start(config(peer.port, tags));
    let batch = source.batch(WAIT).await;
    assert_eq!(value(&batch, "t0"), Some(100.0));
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(batch.errors[0].reason, "modbus_exception");
    // pymodbus 3.16 answers 04 (server device failure) for a unit it does not serve.
    assert!(
        batch.errors[0].message.contains("unreachable")
            && batch.errors[0]
                .message
                .contains("the device answered exception 0"),
        "{}",
        batch.errors[0].message
    );
    assert!(batch.errors[0].origin.ends_with("/9/holding/0"));
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_not_there_yet_is_reported_then_read() {
    let (tags, values) = registers(2, &[]);
    let Some(mut peer) =
        PyModbus::start("a_device_not_there_yet", &spec(&[(1, values)]), &[]).await
    else {
        return;
    };
    peer.kill();
    let mut source = Source::start(config(peer.port, tags));
    let down = source.next(WAIT).await;
    assert!(
        matches!(&down, SourceEvent::Disconnected { reason, .. } if reason.contains("cannot connect")),
        "{down:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    peer.spawn().await;
    assert!(matches!(
        source.next(WAIT).await,
        SourceEvent::Connected { .. }
    ));
    let batch = source.batch(WAIT).await;
    assert_eq!(value(&batch, "t1"), Some(101.0));
    // Nothing had flowed before: no gap to report.
    assert!(!source.seen.iter().any(|e| matches!(e, SourceEvent::Gap(_))));
    source.stop().await.expect("stops cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_answers_nothing_is_down_not_its_tags() {
    let (tags, values) = registers(2, &[]);
    let Some(peer) = PyModbus::start(
        "a_device_that_answers_nothing",
        &spec(&[(1, values)]),
        &["--silent-unit", "1"],
    )
    .await
    else {
        return;
    };
    let mut config = config(peer.port, tags);
    config.devices[0].timeout_ms = 200;
    let mut source = Source::start(config);
    let down = source
        .until(WAIT, |e| matches!(e, SourceEvent::Disconnected { .. }))
        .await;
    assert!(
        matches!(&down, SourceEvent::Disconnected { reason, .. } if reason.contains("no answer")),
        "{down:?}"
    );
    // The silence is the device's: no tag is blamed for it.
    assert!(
        !source
            .seen
            .iter()
            .any(|e| matches!(e, SourceEvent::Batch(_))),
        "{:#?}",
        source.seen
    );
    source.stop().await.expect("stops cleanly");
}
