//! Tests of config loading: the demo passes; each kind of error is reported
//! at its key path and line.

use super::*;

/// The demo config shipped with the binary.
const DEMO: &str = DEMO_CONFIG;

fn no_env(_: &str) -> Option<String> {
    None
}

fn errors(text: &str) -> Vec<(String, usize, String)> {
    match Config::from_toml(text, "test.toml", &no_env) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics
            .into_iter()
            .map(|d| {
                (
                    d.path.to_string(),
                    d.position.map_or(0, |(line, _)| line),
                    d.message,
                )
            })
            .collect(),
    }
}

/// The demo with `from` replaced by `to` (exactly once).
fn demo_with(from: &str, to: &str) -> String {
    assert_eq!(
        DEMO.matches(from).count(),
        1,
        "`{from}` must occur once in the demo"
    );
    DEMO.replacen(from, to, 1)
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(0, |i| text[..i].matches('\n').count() + 1)
}

#[test]
fn demo_config_is_valid() {
    let config = Config::from_toml(DEMO, "demo.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.sources.len(), 1);
    assert_eq!(config.plants["north"].traps.len(), 8);
    assert_eq!(
        config.windows.keys().collect::<Vec<_>>(),
        ["1m", "5m", "15m", "1h"]
    );
    assert!(
        config
            .streams()
            .contains(&"window_aggregates.5m".to_owned())
    );
}

#[test]
fn config_round_trips_through_toml() {
    let config = Config::from_toml(DEMO, "demo.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
    let text = config.to_toml().unwrap_or_else(|e| panic!("{e}"));
    let again =
        Config::from_toml(&text, "again.toml", &no_env).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, config);
}

#[test]
fn wrong_type_in_an_array_of_tables_names_the_element() {
    let text = demo_with("orifice_mm = 8.0", "orifice_mm = \"8 mm\"");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "plants.north.traps[6].orifice_mm");
    assert_eq!(found[0].1, line_of(&text, "orifice_mm = \"8 mm\""));
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let text = demo_with(
        "orifice_mm = 8.0",
        "orifice_mm = \"8 mm\"\ncolour = \"red\"",
    )
    .replacen("length_m = 90.0", "length_m = true", 1)
    .replacen("severity = \"medium\"", "severity = \"urgent\"", 1)
    .replacen("size_secs_typo", "", 1);
    let found = errors(&text);
    let paths: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "plants.north.segments[3].length_m",
            "plants.north.traps[6].orifice_mm",
            "plants.north.traps[6].colour",
            "alerts.balance.severity",
        ],
        "{found:#?}"
    );
    assert_eq!(found[2].1, line_of(&text, "colour = "));
    assert!(
        found[2].2.contains("unknown key `colour`"),
        "{}",
        found[2].2
    );
    assert!(
        found[3].2.contains("unknown variant `urgent`"),
        "{}",
        found[3].2
    );
}

#[test]
fn missing_keys_are_named_and_located_at_their_table() {
    let text = demo_with("orifice_mm = 6.0\n", "");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "plants.north.traps[7].orifice_mm");
    assert_eq!(found[0].2, "missing required key `orifice_mm`");
    // The trap's table starts at its [[...]] header or first key.
    let header_line = line_of(&text, "id = \"t_heating\"") - 1;
    assert!(
        (header_line..=header_line + 1).contains(&found[0].1),
        "{found:?}"
    );
}

#[test]
fn source_and_sink_types_are_checked() {
    let text = demo_with("type = \"simulator\"", "type = \"simulater\"").replacen(
        "type = \"console\"",
        "kind = \"console\"",
        1,
    );
    let found = errors(&text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "sources.sim.type");
    assert_eq!(found[0].1, line_of(&text, "type = \"simulater\""));
    assert!(found[0].2.contains("\"simulator\", \"file\""));
    assert_eq!(found[1].0, "sinks.terminal.type");
}

#[test]
fn errors_inside_a_simulator_source_have_their_path() {
    let text = demo_with("diameter_mm = 4.0", "diameter_mm = \"big\"");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "sources.sim.faults[1].diameter_mm");
    assert_eq!(found[0].1, line_of(&text, "diameter_mm = \"big\""));
}

#[test]
fn references_are_checked_across_sections() {
    let text = demo_with("trap = \"t_digester\"", "trap = \"t_nowhere\"")
        .replacen(
            "inputs = [\"alerts\"]",
            "inputs = [\"alerts\", \"balance\"]",
            1,
        )
        .replacen("segment = \"s_hp_3\"", "segment = \"s_hp_9\"", 1)
        .replacen(
            "tags = [\"north.hp.pressure\"]",
            "tags = [\"north.hp.presure\"]",
            1,
        );
    let found = errors(&text);
    let summary: Vec<(&str, usize)> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    assert_eq!(
        summary,
        [
            (
                "sources.sim.faults[0].trap",
                line_of(&text, "trap = \"t_nowhere\"")
            ),
            (
                "plants.north.traps[2].segment",
                line_of(&text, "segment = \"s_hp_9\"")
            ),
            (
                "alerts.hp_pressure_low.tags[0]",
                line_of(&text, "tags = [\"north.hp.presure\"]")
            ),
            (
                "sinks.terminal.inputs[1]",
                line_of(&text, "inputs = [\"alerts\", \"balance\"]")
            ),
        ],
        "{found:#?}"
    );
}

#[test]
fn tags_are_bound_once() {
    let text = demo_with(
        "flow_tag = \"north.heating.flow\"",
        "flow_tag = \"north.b1.flow\"",
    );
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "plants.north.consumers[3].flow_tag");
    assert!(
        found[0].2.contains("already bound by boilers[0].flow_tag"),
        "{}",
        found[0].2
    );
}

#[test]
fn window_slide_must_fit_the_size() {
    let text = format!(
        "{DEMO}\n[windows.base]\nkind = \"tumbling\"\nsize_secs = 60\n\n[windows.roll]\nkind = \"hopping\"\nsize_secs = 300\nslide_secs = 600\n\n[windows.odd]\nkind = \"tumbling\"\nsize_secs = 90\nrollup_of = \"base\"\n"
    );
    let found = errors(&text);
    let summary: Vec<(&str, usize)> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    assert_eq!(
        summary,
        [
            (
                "windows.roll.slide_secs",
                line_of(&text, "slide_secs = 600")
            ),
            (
                "windows.odd.rollup_of",
                line_of(&text, "rollup_of = \"base\"")
            )
        ],
        "{found:#?}"
    );
}

#[test]
fn fault_keys_must_suit_their_kind() {
    let text = demo_with("kind = \"leak\"", "kind = \"leak\"\nrate_per_h = 3.0").replacen(
        "delay_secs = 120.0\n",
        "",
        1,
    );
    let found = errors(&text);
    let summary: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        summary,
        [
            "sources.sim.faults[1].rate_per_h",
            "sources.sim.faults[6].delay_secs"
        ],
        "{found:#?}"
    );
}

#[test]
fn unknown_sections_and_syntax_errors_are_located() {
    let found = errors("[sorces.x]\ntype = \"file\"\n");
    assert_eq!(found, [("sorces".to_owned(), 1, found[0].2.clone())]);
    let found = errors("[sinks.a]\ntype = \"console\"\ninputs = [\"alerts\"\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1 >= 3, "{found:?}");
}

#[test]
fn environment_variables_fill_strings() {
    let text = "[sources.replay]\ntype = \"file\"\npath = \"${DATA_DIR}/readings.csv\"\n";
    let env = |name: &str| (name == "DATA_DIR").then(|| "/data".to_owned());
    let config = Config::from_toml(text, "t.toml", &env).unwrap_or_else(|e| panic!("{e}"));
    let SourceConfig::File(file) = &config.sources["replay"] else {
        panic!("not a file source")
    };
    assert_eq!(file.path, PathBuf::from("/data/readings.csv"));
    let found = errors(text);
    assert_eq!(found[0].0, "sources.replay.path");
    assert_eq!(found[0].1, 3);
}

#[test]
fn report_prints_file_line_column_and_path() {
    let text = demo_with("length_m = 150.0", "length_m = -150.0");
    let Err(e) = Config::from_toml(&text, "plant.toml", &no_env) else {
        panic!("accepted")
    };
    let line = line_of(&text, "length_m = -150.0");
    assert_eq!(
        e.to_string(),
        format!(
            "plant.toml:{line}:1: plants.north.segments[2].length_m: must be a number greater than 0, found -150"
        )
    );
}

#[test]
fn alert_conditions_get_their_defaults() {
    let config = Config::from_toml(DEMO, "demo.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.alerts["balance"].spec(),
        alerts::AlertCondition::BalanceClosure {
            mass_tolerance_pct: 5.0,
            energy_tolerance_pct: 7.0
        }
    );
    assert_eq!(
        config.alerts["trap_failed"].spec(),
        alerts::AlertCondition::TrapFailure {
            modes: vec![
                alerts::TrapMode::BlownOpen,
                alerts::TrapMode::Leaking,
                alerts::TrapMode::Blocked
            ],
            min_confidence: 0.7
        }
    );
}

#[test]
fn a_fluvio_source_is_read_and_its_errors_are_reported_at_their_keys() {
    let good = format!(
        "{DEMO}\n[sources.plant_fluvio]\ntype = \"fluvio\"\ntopic = \"steam-readings\"\n\
         plant = \"north\"\ncluster = {{ endpoint = \"fluvio.plant.local:9003\" }}\n"
    );
    let config = Config::from_toml(&good, "test.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        config.sources.get("plant_fluvio"),
        Some(SourceConfig::Fluvio(_))
    ));
    let bad = format!(
        "{DEMO}\n[sources.plant_fluvio]\ntype = \"fluvio\"\ntopic = \"Steam\"\n\
         plant = \"south\"\ncluster = {{ endpoint = \"fluvio.plant.local\" }}\n"
    );
    let found = errors(&bad);
    let keys: Vec<_> = found.iter().map(|(key, _, _)| key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "sources.plant_fluvio.topic",
            "sources.plant_fluvio.plant",
            "sources.plant_fluvio.cluster.endpoint",
        ],
        "{found:?}"
    );
    assert_eq!(found[0].1, line_of(&bad, "topic = \"Steam\""), "{found:?}");
    assert_eq!(
        found[2].1,
        line_of(&bad, "fluvio.plant.local\" }"),
        "{found:?}"
    );
}

#[test]
fn an_mqtt_sink_is_checked_at_its_keys() {
    let good = format!(
        "{DEMO}\n[sinks.pager]\ntype = \"mqtt\"\ninputs = [\"alerts\"]\n\
         topic = \"steam/{{plant}}/alerts\"\nqos = 2\nretain = true\n\
         broker = {{ host = \"broker.local\" }}\n"
    );
    let config = Config::from_toml(&good, "test.toml", &no_env).unwrap_or_else(|e| panic!("{e}"));
    let Some(sinks::SinkConfig::Mqtt(sink)) = config.sinks.get("pager") else {
        panic!("an mqtt sink");
    };
    let publisher = sink.publisher();
    assert_eq!((publisher.qos.level(), publisher.retain), (2, true));
    assert_eq!(publisher.broker.port(), 1883);
    let bad = good
        .replacen("steam/{plant}/alerts", "steam/+/alerts", 1)
        .replacen("qos = 2", "qos = 3", 1);
    let found = errors(&bad);
    let paths: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(paths, ["sinks.pager.qos"], "{found:?}");
    let wildcard = good.replacen("steam/{plant}/alerts", "steam/+/alerts", 1);
    let found = errors(&wildcard);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "sinks.pager.topic");
    assert!(found[0].2.contains("wildcard"), "{found:?}");
}
