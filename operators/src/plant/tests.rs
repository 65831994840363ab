//! Tests of the plant model: a small plant that is sound, and one fault of each kind.

use super::*;

fn header(id: &str, design: f64, operating: f64) -> Header {
    Header {
        id: id.into(),
        design_pressure_barg: design,
        operating_pressure_barg: operating,
        design_temperature_c: None,
        pressure_tag: Some(format!("{id}.p")),
        temperature_tag: None,
        flow_tag: None,
    }
}

fn segment(id: &str, from: &str, to: Option<&str>) -> PipeSegment {
    PipeSegment {
        id: id.into(),
        from: from.into(),
        to: to.map(Into::into),
        length_m: 50.0,
        nominal_size_dn: Some(80),
        outer_diameter_mm: None,
        inner_diameter_mm: None,
        roughness_mm: 0.045,
        insulation_thickness_mm: 50.0,
        insulation_conductivity_w_m_k: 0.04,
        surface_emissivity: 0.9,
        elevation_change_m: 0.0,
        fittings_k: 1.5,
        inlet_pressure_tag: None,
        outlet_pressure_tag: None,
        flow_tag: None,
        surface_temperature_tag: None,
        acoustic_tag: None,
    }
}

fn consumer(id: &str, header: Option<&str>) -> Consumer {
    Consumer {
        id: id.into(),
        header: header.map(Into::into),
        design_flow_kg_h: 1000.0,
        condensate_to: Some("cr".into()),
        flow_tag: Some(format!("{id}.flow")),
        pressure_tag: None,
        temperature_tag: None,
    }
}

fn trap(id: &str, segment: Option<&str>, consumer: Option<&str>) -> Trap {
    Trap {
        id: id.into(),
        trap_type: TrapType::Thermodynamic,
        segment: segment.map(Into::into),
        consumer: consumer.map(Into::into),
        orifice_mm: 5.0,
        discharge_to: Some("cr".into()),
        inlet_temperature_tag: Some(format!("{id}.tin")),
        outlet_temperature_tag: Some(format!("{id}.tout")),
        acoustic_tag: Some(format!("{id}.db")),
    }
}

/// Boiler → HP header → main (2 segments) → consumer; HP → PRV → LP header → consumer.
fn sound_plant() -> Plant {
    Plant {
        name: Some("test".into()),
        boilers: vec![Boiler {
            id: "b1".into(),
            header: "hp".into(),
            capacity_kg_h: 10_000.0,
            design_pressure_barg: 12.0,
            steam_temperature_c: None,
            feedwater_temperature_c: 105.0,
            flow_tag: "b1.flow".into(),
            pressure_tag: Some("b1.p".into()),
            temperature_tag: None,
            feedwater_temperature_tag: None,
        }],
        headers: vec![header("hp", 12.0, 10.0), header("lp", 5.0, 3.0)],
        prvs: vec![Prv {
            id: "prv1".into(),
            from: "hp".into(),
            to: "lp".into(),
            setpoint_barg: 3.0,
            capacity_kg_h: 3000.0,
            flow_tag: None,
            outlet_pressure_tag: None,
        }],
        segments: vec![segment("s1", "hp", None), segment("s2", "s1", Some("c1"))],
        consumers: vec![consumer("c1", None), consumer("c2", Some("lp"))],
        traps: vec![trap("t1", Some("s1"), None), trap("t2", None, Some("c1"))],
        condensate_returns: vec![CondensateReturn {
            id: "cr".into(),
            receiver_pressure_barg: 0.0,
            design_flow_kg_h: None,
            makeup_water_temperature_c: 15.0,
            flow_tag: Some("cr.flow".into()),
            temperature_tag: None,
        }],
        ..Plant::default()
    }
}

fn keys(issues: &[PlantIssue]) -> Vec<&str> {
    issues.iter().map(|i| i.key.as_str()).collect()
}

#[test]
fn sound_plant_has_no_issues() {
    assert_eq!(sound_plant().check(), vec![]);
}

#[test]
fn network_orders_every_asset_after_its_feed() {
    let plant = sound_plant();
    let network = Network::build(&plant).unwrap_or_else(|issues| panic!("{issues:?}"));
    assert_eq!(
        network.header_supply,
        vec![HeaderSupply::Boilers(vec![0]), HeaderSupply::Prv(0)]
    );
    assert_eq!(
        network.segment_start,
        vec![SegmentStart::Header(0), SegmentStart::Segment(0)]
    );
    assert_eq!(
        network.consumer_feed,
        vec![Feed::Segment(1), Feed::Header(1)]
    );
    assert_eq!(network.segment_traps, vec![vec![0], vec![]]);
    assert_eq!(network.consumer_traps, vec![vec![1], vec![]]);
    let position = |v: Visit| {
        network
            .order
            .iter()
            .position(|x| *x == v)
            .unwrap_or(usize::MAX)
    };
    assert_eq!(network.order.len(), 2 + 1 + 2 + 2);
    assert!(position(Visit::Header(0)) < position(Visit::Segment(0)));
    assert!(position(Visit::Segment(0)) < position(Visit::Segment(1)));
    assert!(position(Visit::Segment(1)) < position(Visit::Consumer(0)));
    assert!(position(Visit::Prv(0)) < position(Visit::Header(1)));
    assert!(position(Visit::Header(1)) < position(Visit::Consumer(1)));
}

#[test]
fn tag_bindings_carry_their_keys() {
    let plant = sound_plant();
    let bindings = plant.tag_bindings();
    let t2 = bindings
        .iter()
        .find(|b| b.tag == "t2.db")
        .map(|b| (b.key.as_str(), b.measurand, b.asset_id));
    assert_eq!(
        t2,
        Some(("traps[1].acoustic_tag", Measurand::AcousticLevel, "t2"))
    );
}

#[test]
fn duplicate_ids_and_tags_are_reported_at_the_second_use() {
    let mut plant = sound_plant();
    plant.traps[1].id = "t1".into();
    plant.consumers[1].flow_tag = Some("b1.flow".into());
    let issues = plant.check();
    assert!(keys(&issues).contains(&"traps[1].id"), "{issues:?}");
    assert!(
        keys(&issues).contains(&"consumers[1].flow_tag"),
        "{issues:?}"
    );
}

#[test]
fn bad_references_name_the_key() {
    let mut plant = sound_plant();
    plant.traps[0].segment = Some("nowhere".into());
    plant.traps[1].discharge_to = Some("hp".into());
    let issues = plant.check();
    assert_eq!(
        keys(&issues),
        vec!["traps[0].segment", "traps[1].discharge_to"],
        "{issues:?}"
    );
    assert!(issues[1].message.contains("is one of the headers"));
}

#[test]
fn a_header_fed_twice_or_not_at_all_is_an_issue() {
    let mut plant = sound_plant();
    plant.boilers[0].header = "lp".into();
    let issues = plant.check();
    assert!(keys(&issues).contains(&"headers[0]"), "{issues:?}"); // hp: no supply
    assert!(keys(&issues).contains(&"headers[1]"), "{issues:?}"); // lp: boiler and PRV
}

#[test]
fn loops_are_not_fed_from_a_boiler() {
    let mut plant = sound_plant();
    plant.segments[0].from = "s2".into();
    let issues = plant.check();
    assert_eq!(
        keys(&issues),
        vec!["segments[0]", "segments[1]", "consumers[0]"],
        "{issues:?}"
    );
}

#[test]
fn impossible_dimensions_are_reported() {
    let mut plant = sound_plant();
    plant.traps[0].orifice_mm = 0.0;
    plant.segments[0].nominal_size_dn = None;
    plant.segments[0].outer_diameter_mm = Some(60.0);
    plant.segments[0].inner_diameter_mm = Some(70.0);
    plant.segments[1].length_m = f64::NAN;
    plant.segments[1].nominal_size_dn = Some(90);
    let issues = plant.check();
    assert_eq!(
        keys(&issues),
        vec![
            "segments[0].inner_diameter_mm",
            "segments[1].length_m",
            "segments[1].nominal_size_dn",
            "traps[0].orifice_mm"
        ],
        "{issues:?}"
    );
}

#[test]
fn trap_needs_exactly_one_site() {
    let mut plant = sound_plant();
    plant.traps[0].consumer = Some("c1".into());
    assert_eq!(keys(&plant.check()), vec!["traps[0]"]);
}

#[test]
fn design_limits_follow_the_design_rules() {
    let plant = sound_plant();
    let limits = plant.design_limits(&LimitFactors::default());
    let of = |tag: &str| limits.iter().find(|(b, _)| b.tag == tag).map(|(_, l)| *l);
    let flow = of("b1.flow").unwrap_or(DesignLimits {
        min: f64::NAN,
        max: f64::NAN,
    });
    assert!((flow.max - 11_000.0).abs() < 1e-9);
    let pressure = of("lp.p").unwrap_or(DesignLimits {
        min: f64::NAN,
        max: f64::NAN,
    });
    assert!((pressure.max - 6.0).abs() < 1e-9);
    assert!(of("c1.flow").is_some_and(|l| (l.max - 1100.0).abs() < 1e-9));
    assert!(of("t1.db").is_some_and(|l| l.contains(80.0) && !l.contains(f64::NAN)));
}
