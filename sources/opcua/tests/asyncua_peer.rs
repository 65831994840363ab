//! The connector against an independent server: python asyncua.

use std::collections::HashSet;
use std::time::Duration;

use steamflow_operators::reading::Quality;
use steamflow_source_core::SourceEvent;
use steamflow_source_opcua::{SecurityMode, SecurityPolicy, check};

use crate::support::*;

fn has_tag(events: &[SourceEvent], tag: &str, min: usize) -> bool {
    readings(events)
        .iter()
        .filter(|r| r.tag.as_str() == tag)
        .count()
        >= min
}

#[tokio::test]
async fn subscribes_and_polls_with_qualities_and_types() {
    let Some(python) = asyncua_python("subscribes_and_polls_with_qualities_and_types") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let peer = Asyncua::start(
        &python,
        &dir.path().join("server"),
        port(),
        &PeerOptions::default(),
    )
    .await;
    let mut bad = node("ns=2;s=boiler.bad", "bad");
    bad.unit = Some("t/h".into());
    let config = config(
        &peer.url,
        &client_pki(dir.path()),
        vec![
            node("ns=2;s=boiler.flow", "flow"),
            polled("ns=2;s=boiler.pressure", "pressure", 150),
            node("ns=2;s=counter.int", "counter"),
            node("ns=2;s=trap.ok", "trap"),
            node("ns=2;s=boiler.uncertain", "uncertain"),
            bad,
        ],
    );
    let mut source = Running::start(config);
    let tags = ["flow", "pressure", "counter", "trap", "uncertain"];
    let mut seen = Vec::new();
    let events = source
        .until("readings of every tag", |event| {
            seen.push(event.clone());
            // asyncua sends a bad value without its number, once: the
            // status does not change afterwards, so no new notification.
            tags.iter().all(|tag| has_tag(&seen, tag, 3)) && has_tag(&seen, "bad", 1)
        })
        .await;
    assert!(
        matches!(events[0], SourceEvent::Connected { .. }),
        "{:?}",
        events[0]
    );
    let all = readings(&events);
    for reading in &all {
        let expected = match reading.tag.as_str() {
            "uncertain" => Quality::Uncertain,
            "bad" => Quality::Bad,
            _ => Quality::Good,
        };
        assert_eq!(reading.quality, expected, "{reading:?}");
        assert_eq!(reading.plant.as_str(), "test");
        assert_eq!(
            reading.value.is_finite(),
            expected != Quality::Bad,
            "{reading:?}"
        );
    }
    assert!(
        all.iter()
            .filter(|r| r.tag.as_str() == "bad")
            .all(|r| r.unit.as_ref().map(|u| u.as_str()) == Some("t/h"))
    );
    assert!(
        all.iter()
            .filter(|r| r.tag.as_str() == "trap")
            .all(|r| r.value == 0.0 || r.value == 1.0)
    );
    // Source timestamps are the peer's, near now, and rise per tag.
    let now = steamflow_source_opcua::convert::now_ms();
    for tag in tags {
        let times: Vec<i64> = all
            .iter()
            .filter(|r| r.tag.as_str() == tag)
            .map(|r| r.time_ms)
            .collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "{tag}: {times:?}");
        assert!(
            times.iter().all(|t| (now - t).abs() < 60_000),
            "{tag}: {times:?}"
        );
    }
    // Polled values are new samples, not repeats.
    let pressures: HashSet<i64> = all
        .iter()
        .filter(|r| r.tag.as_str() == "pressure")
        .map(|r| r.time_ms)
        .collect();
    assert!(pressures.len() >= 3);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    source.stop().await;
    peer.kill().await;
}

#[tokio::test]
async fn unknown_nodes_and_strings_are_decode_errors() {
    let Some(python) = asyncua_python("unknown_nodes_and_strings_are_decode_errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let peer = Asyncua::start(
        &python,
        &dir.path().join("server"),
        port(),
        &PeerOptions::default(),
    )
    .await;
    let config = config(
        &peer.url,
        &client_pki(dir.path()),
        vec![
            node("ns=2;s=boiler.flow", "flow"),
            node("ns=2;s=no.such.node", "ghost"),
            polled("ns=2;s=missing.too", "ghost2", 200),
            node("ns=2;s=boiler.name", "name"),
        ],
    );
    let report = check(&config).await.unwrap();
    assert!(report.authenticated, "{report}");
    assert!(!report.ok());
    let problem = |tag: &str| {
        report
            .nodes
            .iter()
            .find(|n| n.tag == tag)
            .and_then(|n| n.problem.clone())
            .unwrap_or_default()
    };
    assert!(problem("ghost").starts_with("unknown_node"), "{report}");
    assert!(problem("name").starts_with("wrong_type"), "{report}");
    assert!(
        report.nodes.iter().any(|n| n.tag == "flow" && n.ok),
        "{report}"
    );

    let mut source = Running::start(config);
    let mut seen = Vec::new();
    let events = source
        .until("decode errors and good readings", |event| {
            seen.push(event.clone());
            let reasons: Vec<_> = errors(&seen)
                .iter()
                .map(|e| (e.reason, e.origin.clone()))
                .collect();
            has_tag(&seen, "flow", 3)
                && reasons.contains(&("unknown_node", "ns=2;s=no.such.node".into()))
                && reasons.contains(&("unknown_node", "ns=2;s=missing.too".into()))
                && reasons.contains(&("wrong_type", "ns=2;s=boiler.name".into()))
        })
        .await;
    assert!(readings(&events).iter().all(|r| r.tag.as_str() == "flow"));
    source.stop().await;
    peer.kill().await;
}

/// Basic256Sha256 in both modes, with a user name: the server's
/// certificate is trusted by dropping it into the PKI folder.
#[tokio::test]
async fn basic256sha256_sign_and_encrypt_with_user() {
    let Some(python) = asyncua_python("basic256sha256_sign_and_encrypt_with_user") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = PeerOptions {
        security: "all",
        user: Some("operator:s3cret"),
        ..PeerOptions::default()
    };
    let peer = Asyncua::start(&python, &dir.path().join("server"), port(), &options).await;
    let pki = client_pki(dir.path());
    std::fs::create_dir_all(pki.join("trusted")).unwrap();
    std::fs::copy(
        peer.certificate(),
        pki.join("trusted/the-asyncua-server.der"),
    )
    .unwrap();
    for mode in [SecurityMode::Sign, SecurityMode::SignAndEncrypt] {
        let mut config = config(
            &peer.url,
            &pki,
            vec![
                node("ns=2;s=boiler.flow", "flow"),
                polled("ns=2;s=counter.int", "counter", 150),
            ],
        );
        config.security_policy = SecurityPolicy::Basic256Sha256;
        config.security_mode = mode;
        config.username = Some("operator".into());
        config.password = Some(steamflow_source_opcua::config::Secret::new("s3cret"));
        let report = check(&config).await.unwrap();
        assert!(report.ok(), "{mode:?}\n{report}");
        assert!(report.server_certificate_trusted, "{report}");
        let mut source = Running::start(config);
        let mut seen = Vec::new();
        source
            .until("secure readings", |event| {
                seen.push(event.clone());
                has_tag(&seen, "flow", 3) && has_tag(&seen, "counter", 3)
            })
            .await;
        source.stop().await;
    }
    // A wrong password is an authentication failure, said plainly.
    let mut config = config(&peer.url, &pki, vec![node("ns=2;s=boiler.flow", "flow")]);
    config.security_policy = SecurityPolicy::Basic256Sha256;
    config.security_mode = SecurityMode::SignAndEncrypt;
    config.username = Some("operator".into());
    config.password = Some(steamflow_source_opcua::config::Secret::new("wrong"));
    let report = check(&config).await.unwrap();
    assert!(!report.authenticated, "{report}");
    let error = report.error.unwrap_or_default();
    assert!(error.contains("authentication failed"), "{error}");
    peer.kill().await;
}

/// An unknown server certificate is refused and filed in rejected/;
/// auto_trust or a matching pin accept it; a wrong pin refuses it.
#[tokio::test]
async fn untrusted_certificates_are_refused_unless_trusted_or_pinned() {
    let Some(python) =
        asyncua_python("untrusted_certificates_are_refused_unless_trusted_or_pinned")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = PeerOptions {
        security: "encrypt",
        ..PeerOptions::default()
    };
    let peer = Asyncua::start(&python, &dir.path().join("server"), port(), &options).await;
    let pki = client_pki(dir.path());
    let secure = |pki: &std::path::Path| {
        let mut c = config(&peer.url, pki, vec![node("ns=2;s=boiler.flow", "flow")]);
        c.security_policy = SecurityPolicy::Basic256Sha256;
        c.security_mode = SecurityMode::SignAndEncrypt;
        c
    };
    let report = check(&secure(&pki)).await.unwrap();
    assert!(!report.ok());
    let error = report.error.clone().unwrap_or_default();
    assert!(
        error.contains("certificate refused") && error.contains("rejected"),
        "{report}"
    );
    let rejected = std::fs::read_dir(pki.join("rejected")).unwrap().count();
    assert_eq!(rejected, 1, "the refused certificate is filed for review");
    let thumbprint = report.server_certificate.clone().unwrap();

    // A wrong pin is refused even with auto_trust.
    let mut pinned = secure(&pki);
    pinned.auto_trust = true;
    pinned.server_certificate_thumbprint = Some("00".repeat(20));
    let report = check(&pinned).await.unwrap();
    assert!(
        report
            .error
            .unwrap_or_default()
            .contains("is not the pinned")
    );

    // The right pin with auto_trust trusts exactly that certificate.
    let other = tempfile::tempdir().unwrap();
    let fresh = client_pki(other.path());
    let mut pinned = secure(&fresh);
    pinned.auto_trust = true;
    pinned.server_certificate_thumbprint = Some(thumbprint.to_uppercase());
    let report = check(&pinned).await.unwrap();
    assert!(report.ok(), "{report}");
    assert!(report.server_certificate_trusted);

    // auto_trust alone: trust on first use.
    let third = tempfile::tempdir().unwrap();
    let mut tofu = secure(&client_pki(third.path()));
    tofu.auto_trust = true;
    let report = check(&tofu).await.unwrap();
    assert!(report.ok(), "{report}");
    peer.kill().await;
}

/// The client certificate is created on the first start and reused on
/// the next; the server keeps accepting it.
#[tokio::test]
async fn client_certificate_is_created_once() {
    let Some(python) = asyncua_python("client_certificate_is_created_once") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = PeerOptions {
        security: "sign",
        ..PeerOptions::default()
    };
    let peer = Asyncua::start(&python, &dir.path().join("server"), port(), &options).await;
    let mut config = config(
        &peer.url,
        &dir.path().join("fresh-pki"),
        vec![node("ns=2;s=boiler.flow", "flow")],
    );
    config.security_policy = SecurityPolicy::Basic256Sha256;
    config.security_mode = SecurityMode::Sign;
    config.auto_trust = true;
    let first = check(&config).await.unwrap();
    assert!(first.client_certificate_created && first.ok(), "{first}");
    let cert = std::fs::read(dir.path().join("fresh-pki/own/cert.der")).unwrap();
    let second = check(&config).await.unwrap();
    assert!(
        !second.client_certificate_created && second.ok(),
        "{second}"
    );
    assert_eq!(first.client_certificate, second.client_certificate);
    assert_eq!(
        cert,
        std::fs::read(dir.path().join("fresh-pki/own/cert.der")).unwrap()
    );
    // run() uses the same certificate.
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    source
        .until("readings", |e| {
            seen.push(e.clone());
            has_tag(&seen, "flow", 2)
        })
        .await;
    source.stop().await;
    assert_eq!(
        cert,
        std::fs::read(dir.path().join("fresh-pki/own/cert.der")).unwrap()
    );
    peer.kill().await;
}

/// The server is killed mid-stream and started again: the source notices,
/// reconnects by itself, re-creates its subscriptions, reports the gap, and
/// the restarted server's values arrive.
#[tokio::test]
async fn server_restart_recreates_session_and_subscriptions() {
    let Some(python) = asyncua_python("server_restart_recreates_session_and_subscriptions") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = port();
    let server_pki = dir.path().join("server");
    let peer = Asyncua::start(&python, &server_pki, port, &PeerOptions::default()).await;
    let mut flow = node("ns=2;s=boiler.flow", "flow");
    flow.history_backfill = Some(false);
    let config = config(
        &peer.url,
        &client_pki(dir.path()),
        vec![
            flow,
            node("ns=2;s=counter.int", "counter"),
            polled("ns=2;s=boiler.pressure", "pressure", 150),
        ],
    );
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    source
        .until("readings before the restart", |e| {
            seen.push(e.clone());
            has_tag(&seen, "flow", 3) && has_tag(&seen, "pressure", 2)
        })
        .await;
    peer.kill().await;
    source
        .until("the loss", |e| {
            matches!(e, SourceEvent::Disconnected { .. })
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = PeerOptions {
        generation: 1,
        ..PeerOptions::default()
    };
    let peer = Asyncua::start(&python, &server_pki, port, &restarted).await;
    let mut after = Vec::new();
    let events = source
        .until("readings of the restarted server", |e| {
            after.push(e.clone());
            let r = readings(&after);
            r.iter()
                .filter(|r| r.tag.as_str() == "flow" && r.value >= 1000.0)
                .count()
                >= 3
                && r.iter().filter(|r| r.tag.as_str() == "counter").count() >= 3
                && r.iter().filter(|r| r.tag.as_str() == "pressure").count() >= 2
        })
        .await;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SourceEvent::Connected { .. }))
    );
    let gaps = gaps(&events);
    assert_eq!(gaps.len(), 1, "{:?}", summarize(&events));
    assert!(gaps[0].from_ms < gaps[0].to_ms, "{:?}", gaps[0]);
    assert!(!gaps[0].backfilled);
    // Nothing from before the loss is emitted again as new.
    let before_max = readings(&seen)
        .iter()
        .filter(|r| r.tag.as_str() == "flow")
        .map(|r| r.time_ms)
        .max()
        .unwrap();
    assert!(
        readings(&events)
            .iter()
            .filter(|r| r.tag.as_str() == "flow")
            .all(|r| r.time_ms > before_max)
    );
    source.stop().await;
    peer.kill().await;
}

/// A network outage (the server keeps running): the gap is read back from
/// the server's history for the node that has one.
#[tokio::test]
async fn outage_is_backfilled_from_history() {
    let Some(python) = asyncua_python("outage_is_backfilled_from_history") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let peer = Asyncua::start(
        &python,
        &dir.path().join("server"),
        port(),
        &PeerOptions::default(),
    )
    .await;
    let proxy = Proxy::start(([127, 0, 0, 1], peer.port).into()).await;
    let url = format!("opc.tcp://127.0.0.1:{}/", proxy.port);
    let mut counter = node("ns=2;s=counter.int", "counter");
    counter.history_backfill = Some(false);
    let config = config(
        &url,
        &client_pki(dir.path()),
        vec![node("ns=2;s=boiler.flow", "flow"), counter],
    );
    let mut source = Running::start(config);
    let mut seen = Vec::new();
    source
        .until("readings before the outage", |e| {
            seen.push(e.clone());
            has_tag(&seen, "flow", 3)
        })
        .await;
    proxy.outage(Duration::from_millis(1500)).await;
    let events = source
        .until("the gap", |e| matches!(e, SourceEvent::Gap(_)))
        .await;
    let gap = gaps(&events).pop().unwrap();
    assert!(gap.backfilled, "{gap:?}");
    let more = source
        .until("live readings after the gap", |e| {
            matches!(e, SourceEvent::Batch(b) if b.readings.iter().any(|r| r.tag.as_str() == "flow"))
        })
        .await;
    // The flow values of the outage came from history: no hole of more than
    // two periods between consecutive values.
    let flow: Vec<(i64, f64)> = readings(&[seen, events, more].concat())
        .iter()
        .filter(|r| r.tag.as_str() == "flow")
        .map(|r| (r.time_ms, r.value))
        .collect();
    assert!(flow.windows(2).all(|w| w[0].0 < w[1].0), "{flow:?}");
    let holes: Vec<_> = flow.windows(2).filter(|w| w[1].1 - w[0].1 > 2.0).collect();
    assert!(holes.is_empty(), "values missing across the gap: {holes:?}");
    source.stop().await;
    peer.kill().await;
}
