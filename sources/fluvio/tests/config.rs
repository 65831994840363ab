//! The config as a user writes it in TOML: the documented examples read
//! and validate; mistakes are refused with the key and what was wrong.

use steamflow_source_fluvio::config::{ConfigIssue, KeyNames, StartPosition};
use steamflow_source_fluvio::{FluvioSinkConfig, FluvioSourceConfig};

fn source(text: &str) -> Result<FluvioSourceConfig, String> {
    toml::from_str(text).map_err(|error| error.to_string())
}

fn keys(issues: &[ConfigIssue]) -> Vec<String> {
    issues.iter().map(ConfigIssue::to_string).collect()
}

/// The example of the config module's documentation.
#[test]
fn the_documented_source_reads_and_validates() {
    let config = source(
        r#"
        topic = "steam-readings"
        partitions = [0, 1]
        start = "beginning"
        key = "plant_tag"

        [cluster]
        endpoint = "fluvio.plant.local:9003"

        [offsets]
        consumer = "steamflow-north"
        file = "state/plant_fluvio.offsets.json"

        [fields]
        value = "/data/flow"
        "#,
    )
    .unwrap();
    assert_eq!(config.validate(), vec![]);
    assert_eq!(config.partitions, [0, 1]);
    assert_eq!(config.start, StartPosition::Beginning);
    assert_eq!(config.key, KeyNames::PlantTag);
    assert_eq!(config.offsets.consumer.as_deref(), Some("steamflow-north"));
    assert_eq!(
        config.offsets.commit_interval_ms, 1000,
        "defaults fill the rest"
    );
    assert_eq!(config.fields.value, "/data/flow");
    assert_eq!(config.fields.tag, "tag");
    assert_eq!(config.cluster.connect_timeout_secs, 10);
    assert_eq!(config.lag_interval_secs, 10);
}

#[test]
fn the_smallest_source_gets_every_default() {
    let config = source("topic = \"steam\"\ncluster = { endpoint = \"127.0.0.1:9003\" }").unwrap();
    assert_eq!(config.validate(), vec![]);
    assert_eq!(config.partitions, Vec::<u32>::new(), "all partitions");
    assert_eq!(config.start, StartPosition::Beginning);
    assert_eq!(config.key, KeyNames::Ignore);
    assert_eq!(config.offsets.consumer, None);
    assert_eq!(config.offsets.file, None);
    assert_eq!(config.offsets.commit_interval_ms, 1000);
    assert_eq!(config.max_fetch_bytes, 1024 * 1024);
    assert_eq!(config.cluster.backoff.initial_ms, 200);
}

#[test]
fn the_documented_sink_reads_and_validates() {
    let sink: FluvioSinkConfig = toml::from_str(
        r#"
        topic = "steam-alerts"
        key = "{plant}/{tag}"
        linger_ms = 100
        compression = "zstd"
        cluster = { endpoint = "fluvio.plant.local:9003" }
        "#,
    )
    .unwrap();
    assert_eq!(sink.validate(), vec![]);
    assert_eq!(sink.batch_size_bytes, 16 * 1024);
}

#[test]
fn unknown_keys_are_refused_with_their_name() {
    let cases = [
        (
            "topic = \"t\"\npartition = [0]\n[cluster]\nendpoint = \"h:9003\"",
            "partition",
        ),
        (
            "topic = \"t\"\n[cluster]\nendpoint = \"h:9003\"\nport = 1",
            "port",
        ),
        (
            "topic = \"t\"\n[cluster]\nendpoint = \"h:9003\"\n[offsets]\nstore = \"file\"",
            "store",
        ),
        (
            "topic = \"t\"\n[cluster]\nendpoint = \"h:9003\"\n[fields]\nvalu = \"v\"",
            "valu",
        ),
    ];
    for (text, key) in cases {
        let error = source(text).unwrap_err();
        assert!(error.contains(&format!("unknown field `{key}`")), "{error}");
    }
}

#[test]
fn wrong_values_are_refused_when_read() {
    let cases = [
        (
            "topic = \"t\"\nstart = \"middle\"\n[cluster]\nendpoint = \"h:9003\"",
            "middle",
        ),
        (
            "topic = \"t\"\npartitions = [-1]\n[cluster]\nendpoint = \"h:9003\"",
            "partitions",
        ),
        (
            "topic = \"t\"\nkey = \"json\"\n[cluster]\nendpoint = \"h:9003\"",
            "json",
        ),
        ("topic = \"t\"", "cluster"),
        ("[cluster]\nendpoint = \"h:9003\"", "topic"),
    ];
    for (text, hint) in cases {
        let error = source(text).unwrap_err();
        assert!(error.contains(hint), "{hint}: {error}");
    }
}

#[test]
fn invalid_values_are_reported_at_their_keys_with_the_reason() {
    let config = source(
        r#"
        topic = "Steam_Readings"
        partitions = [0, 0]
        plant = ""
        [cluster]
        endpoint = "fluvio.plant.local"
        [offsets]
        consumer = ""
        [fields]
        value = ""
        time = "/a~2"
        "#,
    )
    .unwrap();
    assert_eq!(
        keys(&config.validate()),
        [
            "cluster.endpoint: `fluvio.plant.local` must be host:port (Fluvio's SC listens on 9003)",
            "topic: `Steam_Readings` is not a Fluvio topic name: 1 to 63 lowercase letters, digits and `-`, not starting or ending with `-`",
            "partitions[1]: partition 0 is listed twice",
            "offsets.consumer: must be 1 to 255 characters",
            "plant: must not be empty",
            "fields.time: `a~2`: in a JSON pointer `~` is written `~0`",
            "fields.value: a reading needs a value: name its field",
        ]
    );
}
