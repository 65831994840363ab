//! Plants of any size, generated: for load tests and scale runs where a
//! hand-written plant model would be tedious.
//!
//! A generated plant has one boiler-fed 10 barg header and further
//! lower-pressure headers fed from it through PRVs. Each header serves
//! `consumers_per_header` consumers, each at the end of a chain of
//! `segments_per_consumer` insulated pipe segments sized for about 25 m/s.
//! Each consumer has one process trap; further traps drain its pipe chain
//! (or the consumer itself when it has no pipe). Everything discharges to
//! one vented condensate receiver. Every asset has its tags, named
//! `<plant>.<asset>.<signal>`.

use serde::{Deserialize, Serialize};
use steamflow_operators::plant::{
    Ambient, Boiler, CondensateReturn, Consumer, Economics, Header, PipeSegment, Plant, Prv, Trap,
    TrapType, nominal_pipe,
};

/// How big a generated plant is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantSize {
    /// Headers (the first is boiler-fed, the others hang off it through PRVs).
    #[serde(default = "two")]
    pub headers: usize,
    /// Consumers on each header.
    #[serde(default = "three")]
    pub consumers_per_header: usize,
    /// Traps per consumer (one on the consumer, the rest on its pipes).
    #[serde(default = "two")]
    pub traps_per_consumer: usize,
    /// Pipe segments from the header to each consumer (0: straight off the header).
    #[serde(default = "two")]
    pub segments_per_consumer: usize,
}

fn two() -> usize {
    2
}
fn three() -> usize {
    3
}

impl Default for PlantSize {
    fn default() -> Self {
        PlantSize {
            headers: 2,
            consumers_per_header: 3,
            traps_per_consumer: 2,
            segments_per_consumer: 2,
        }
    }
}

impl PlantSize {
    /// Tags a generated plant of this size binds.
    pub fn tag_count(&self) -> usize {
        plant("x", self).tag_bindings().len()
    }
}

/// Operating pressure of header `i` [barg]: 10 for the main, then 6, 5, … down to 1.
fn header_pressure(i: usize) -> f64 {
    if i == 0 {
        10.0
    } else {
        (7.0 - i as f64).max(1.0)
    }
}

/// Smallest schedule 40 pipe that carries `flow_kg_h` of steam at `barg`
/// at about 25 m/s (steam density ≈ 0.55 kg/m³ per bar absolute).
fn pipe_size(flow_kg_h: f64, barg: f64) -> u16 {
    let density = 0.55 * (barg + 1.013);
    let area = flow_kg_h / 3600.0 / (density * 25.0);
    let bore = (4.0 * area / std::f64::consts::PI).sqrt();
    [
        15_u16, 20, 25, 32, 40, 50, 65, 80, 100, 125, 150, 200, 250, 300, 350, 400, 450, 500, 600,
    ]
    .into_iter()
    .find(|&dn| nominal_pipe(dn).is_some_and(|(_, id)| id.m() >= bore))
    .unwrap_or(600)
}

fn tag(plant: &str, asset: &str, signal: &str) -> Option<String> {
    Some(format!("{plant}.{asset}.{signal}"))
}

/// A generated plant with id-prefixed tags.
pub fn plant(id: &str, size: &PlantSize) -> Plant {
    let headers = size.headers.max(1);
    let mut p = Plant {
        name: Some(format!("Generated plant {id}")),
        ambient: Ambient {
            temperature_tag: tag(id, "ambient", "temperature"),
            ..Ambient::default()
        },
        economics: Some(Economics {
            currency: "USD".into(),
            steam_cost_per_t: Some(30.0),
            fuel_cost_per_gj: Some(8.0),
            water_cost_per_m3: Some(2.0),
            ..Economics::default()
        }),
        condensate_returns: vec![CondensateReturn {
            id: "cr1".into(),
            receiver_pressure_barg: 0.0,
            design_flow_kg_h: None,
            makeup_water_temperature_c: 15.0,
            flow_tag: tag(id, "cr1", "flow"),
            temperature_tag: tag(id, "cr1", "temperature"),
        }],
        ..Plant::default()
    };
    let mut header_demand = Vec::with_capacity(headers);
    for h in 0..headers {
        let header_id = format!("h{h}");
        let pressure = header_pressure(h);
        p.headers.push(Header {
            id: header_id.clone(),
            design_pressure_barg: pressure + 3.0,
            operating_pressure_barg: pressure,
            design_temperature_c: None,
            pressure_tag: tag(id, &header_id, "pressure"),
            temperature_tag: tag(id, &header_id, "temperature"),
            flow_tag: None,
        });
        let mut demand_here = 0.0;
        for c in 0..size.consumers_per_header {
            let demand = 600.0 + 400.0 * ((h * 7 + c * 5) % 6) as f64;
            demand_here += demand;
            add_consumer(
                &mut p,
                id,
                size,
                &header_id,
                pressure,
                &format!("h{h}c{c}"),
                demand,
            );
        }
        header_demand.push(demand_here);
    }
    let total: f64 = header_demand.iter().sum();
    for h in 1..headers {
        p.prvs.push(Prv {
            id: format!("prv{h}"),
            from: "h0".into(),
            to: format!("h{h}"),
            setpoint_barg: header_pressure(h),
            capacity_kg_h: (header_demand.get(h).copied().unwrap_or(0.0) * 1.5).max(500.0),
            flow_tag: tag(id, &format!("prv{h}"), "flow"),
            outlet_pressure_tag: None,
        });
    }
    let boilers = 1 + (total / 15_000.0) as usize;
    for b in 0..boilers {
        let boiler_id = format!("b{b}");
        p.boilers.push(Boiler {
            id: boiler_id.clone(),
            header: "h0".into(),
            capacity_kg_h: (1.6 * total / boilers as f64).max(1000.0),
            design_pressure_barg: 13.0,
            steam_temperature_c: None,
            feedwater_temperature_c: 105.0,
            flow_tag: format!("{id}.{boiler_id}.flow"),
            pressure_tag: tag(id, &boiler_id, "pressure"),
            temperature_tag: None,
            feedwater_temperature_tag: None,
        });
    }
    p
}

fn add_consumer(
    p: &mut Plant,
    id: &str,
    size: &PlantSize,
    header: &str,
    pressure: f64,
    name: &str,
    demand: f64,
) {
    let segments: Vec<String> = (0..size.segments_per_consumer)
        .map(|s| format!("{name}s{s}"))
        .collect();
    for (s, segment_id) in segments.iter().enumerate() {
        let last = s + 1 == segments.len();
        p.segments.push(PipeSegment {
            id: segment_id.clone(),
            from: if s == 0 {
                header.to_owned()
            } else {
                segments.get(s - 1).cloned().unwrap_or_default()
            },
            to: last.then(|| name.to_owned()),
            length_m: 30.0 + 20.0 * ((s * 3 + name.len()) % 6) as f64,
            nominal_size_dn: Some(pipe_size(demand, pressure)),
            outer_diameter_mm: None,
            inner_diameter_mm: None,
            roughness_mm: 0.045,
            insulation_thickness_mm: 50.0,
            insulation_conductivity_w_m_k: 0.04,
            surface_emissivity: 0.9,
            elevation_change_m: 0.0,
            fittings_k: 1.5,
            inlet_pressure_tag: None,
            outlet_pressure_tag: if last {
                tag(id, segment_id, "outlet_pressure")
            } else {
                None
            },
            flow_tag: None,
            surface_temperature_tag: None,
            acoustic_tag: None,
        });
    }
    p.consumers.push(Consumer {
        id: name.to_owned(),
        header: segments.is_empty().then(|| header.to_owned()),
        design_flow_kg_h: demand,
        condensate_to: Some("cr1".into()),
        flow_tag: tag(id, name, "flow"),
        pressure_tag: tag(id, name, "pressure"),
        temperature_tag: None,
    });
    for t in 0..size.traps_per_consumer {
        let trap_id = format!("{name}t{t}");
        let on_segment = if t == 0 || segments.is_empty() {
            None
        } else {
            segments.get((t - 1) % segments.len()).cloned()
        };
        let (trap_type, orifice_mm) = if on_segment.is_some() {
            (TrapType::Thermodynamic, 4.0)
        } else {
            (TrapType::FloatThermostatic, 8.0)
        };
        p.traps.push(Trap {
            id: trap_id.clone(),
            trap_type,
            consumer: on_segment.is_none().then(|| name.to_owned()),
            segment: on_segment,
            orifice_mm,
            discharge_to: Some("cr1".into()),
            inlet_temperature_tag: tag(id, &trap_id, "inlet_temperature"),
            outlet_temperature_tag: tag(id, &trap_id, "outlet_temperature"),
            acoustic_tag: tag(id, &trap_id, "acoustic"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_plants_are_sound_at_every_size() {
        for size in [
            PlantSize::default(),
            PlantSize {
                headers: 1,
                consumers_per_header: 1,
                traps_per_consumer: 0,
                segments_per_consumer: 0,
            },
            PlantSize {
                headers: 5,
                consumers_per_header: 4,
                traps_per_consumer: 3,
                segments_per_consumer: 3,
            },
            PlantSize {
                headers: 9,
                consumers_per_header: 2,
                traps_per_consumer: 4,
                segments_per_consumer: 1,
            },
        ] {
            let plant = plant("g", &size);
            assert_eq!(plant.check(), vec![], "{size:?}");
            assert_eq!(
                plant.consumers.len(),
                size.headers.max(1) * size.consumers_per_header
            );
            assert_eq!(
                plant.traps.len(),
                plant.consumers.len() * size.traps_per_consumer
            );
        }
    }

    #[test]
    fn pipes_are_sized_for_their_flow() {
        assert!(pipe_size(4000.0, 10.0) >= 100);
        assert!(pipe_size(200.0, 10.0) <= 40);
    }
}
