//! The simulator as a source: steps the plant model, turns its values into
//! readings of every bound tag, applies the scheduled meter and delivery
//! faults, and hands the readings out in delivery order, one batch per
//! sample time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use steamflow_operators::plant::{AssetKind, Measurand, Plant, PlantIssue};
use steamflow_operators::reading::{
    PlantId, Quality, Reading, Tag, TimeParseError, UnitLabel, parse_utc_ms,
};

use crate::config::{FaultSpec, SignalEffect, SimulatorConfig};
use crate::model::{Conditions, Model, Snapshot, TrapCondition};
use crate::physics::PhysicsError;
use crate::rng::Stream;

/// Why a simulator cannot start.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The plant model is inconsistent.
    #[error("the plant model has {} issue(s): {}", .0.len(), .0.iter().map(|i| format!("{}: {}", i.key, i.message)).collect::<Vec<_>>().join("; "))]
    Plant(Vec<PlantIssue>),
    /// A fault of the schedule is not valid for the plant.
    #[error("fault {index}: {message}")]
    Fault {
        /// Position in the schedule.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// `start_time` is not a timestamp.
    #[error("start_time: {0}")]
    StartTime(#[from] TimeParseError),
    /// `sample_interval_ms` or `duration_secs` is 0.
    #[error("sample_interval_ms and duration_secs must be greater than 0")]
    Timing,
    /// The plant cannot be brought to a steady state.
    #[error("the plant cannot be simulated: {0}")]
    Physics(#[from] PhysicsError),
}

/// The readings delivered at one sample time.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// When they are delivered: the sample time (UTC ms), or the end of
    /// the run for the last batch of late readings.
    pub time_ms: i64,
    /// The readings, in delivery order.
    pub readings: Vec<Reading>,
}

/// Where a tag's value comes from in a [`Snapshot`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    Ambient,
    Wind,
    Boiler(usize, BoilerField),
    Header(usize, HeaderField),
    Prv(usize, bool),
    Segment(usize, SegmentField),
    Consumer(usize, ConsumerField),
    Trap(usize, TrapField),
    Return(usize, bool),
    Flash(usize, bool),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum BoilerField {
    Flow,
    Pressure,
    Temperature,
    Feedwater,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum HeaderField {
    Pressure,
    Temperature,
    Flow,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum SegmentField {
    Inlet,
    Outlet,
    Flow,
    Surface,
    Acoustic,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ConsumerField {
    Flow,
    Pressure,
    Temperature,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TrapField {
    Inlet,
    Outlet,
    Acoustic,
}

/// The source of a tag binding, from the asset kind and the binding's key.
fn source_of(kind: AssetKind, index: usize, key: &str) -> Option<Source> {
    let field = key.rsplit('.').next().unwrap_or(key);
    Some(match (kind, field) {
        (AssetKind::Plant, "temperature_tag") => Source::Ambient,
        (AssetKind::Plant, "wind_speed_tag") => Source::Wind,
        (AssetKind::Boiler, "flow_tag") => Source::Boiler(index, BoilerField::Flow),
        (AssetKind::Boiler, "pressure_tag") => Source::Boiler(index, BoilerField::Pressure),
        (AssetKind::Boiler, "temperature_tag") => Source::Boiler(index, BoilerField::Temperature),
        (AssetKind::Boiler, "feedwater_temperature_tag") => {
            Source::Boiler(index, BoilerField::Feedwater)
        }
        (AssetKind::Header, "pressure_tag") => Source::Header(index, HeaderField::Pressure),
        (AssetKind::Header, "temperature_tag") => Source::Header(index, HeaderField::Temperature),
        (AssetKind::Header, "flow_tag") => Source::Header(index, HeaderField::Flow),
        (AssetKind::Prv, "flow_tag") => Source::Prv(index, true),
        (AssetKind::Prv, "outlet_pressure_tag") => Source::Prv(index, false),
        (AssetKind::Segment, "inlet_pressure_tag") => Source::Segment(index, SegmentField::Inlet),
        (AssetKind::Segment, "outlet_pressure_tag") => Source::Segment(index, SegmentField::Outlet),
        (AssetKind::Segment, "flow_tag") => Source::Segment(index, SegmentField::Flow),
        (AssetKind::Segment, "surface_temperature_tag") => {
            Source::Segment(index, SegmentField::Surface)
        }
        (AssetKind::Segment, "acoustic_tag") => Source::Segment(index, SegmentField::Acoustic),
        (AssetKind::Consumer, "flow_tag") => Source::Consumer(index, ConsumerField::Flow),
        (AssetKind::Consumer, "pressure_tag") => Source::Consumer(index, ConsumerField::Pressure),
        (AssetKind::Consumer, "temperature_tag") => {
            Source::Consumer(index, ConsumerField::Temperature)
        }
        (AssetKind::Trap, "inlet_temperature_tag") => Source::Trap(index, TrapField::Inlet),
        (AssetKind::Trap, "outlet_temperature_tag") => Source::Trap(index, TrapField::Outlet),
        (AssetKind::Trap, "acoustic_tag") => Source::Trap(index, TrapField::Acoustic),
        (AssetKind::CondensateReturn, "flow_tag") => Source::Return(index, true),
        (AssetKind::CondensateReturn, "temperature_tag") => Source::Return(index, false),
        (AssetKind::FlashVessel, "pressure_tag") => Source::Flash(index, false),
        (AssetKind::FlashVessel, "flash_flow_tag") => Source::Flash(index, true),
        _ => return None,
    })
}

impl Source {
    /// The value in a snapshot, NaN when the asset is missing from it.
    fn value(self, s: &Snapshot) -> f64 {
        let nan = f64::NAN;
        match self {
            Source::Ambient => s.ambient_c,
            Source::Wind => s.wind_m_s,
            Source::Boiler(i, field) => s.boilers.get(i).map_or(nan, |b| match field {
                BoilerField::Flow => b.flow_kg_h,
                BoilerField::Pressure => b.pressure_barg,
                BoilerField::Temperature => b.temperature_c,
                BoilerField::Feedwater => b.feedwater_c,
            }),
            Source::Header(i, field) => s.headers.get(i).map_or(nan, |h| match field {
                HeaderField::Pressure => h.pressure_barg,
                HeaderField::Temperature => h.temperature_c,
                HeaderField::Flow => h.flow_kg_h,
            }),
            Source::Prv(i, flow) => s
                .prvs
                .get(i)
                .map_or(nan, |&(f, p)| if flow { f } else { p }),
            Source::Segment(i, field) => s.segments.get(i).map_or(nan, |x| match field {
                SegmentField::Inlet => x.inlet_barg,
                SegmentField::Outlet => x.outlet_barg,
                SegmentField::Flow => x.flow_kg_h,
                SegmentField::Surface => x.surface_c,
                SegmentField::Acoustic => x.acoustic_db,
            }),
            Source::Consumer(i, field) => s.consumers.get(i).map_or(nan, |c| match field {
                ConsumerField::Flow => c.flow_kg_h,
                ConsumerField::Pressure => c.pressure_barg,
                ConsumerField::Temperature => c.temperature_c,
            }),
            Source::Trap(i, field) => s.traps.get(i).map_or(nan, |t| match field {
                TrapField::Inlet => t.inlet_c,
                TrapField::Outlet => t.outlet_c,
                TrapField::Acoustic => t.acoustic_db,
            }),
            Source::Return(i, flow) => s
                .returns
                .get(i)
                .map_or(nan, |r| if flow { r.flow_kg_h } else { r.temperature_c }),
            Source::Flash(i, flow) => s
                .flash_vessels
                .get(i)
                .map_or(nan, |f| if flow { f.flash_kg_h } else { f.pressure_barg }),
        }
    }
}

/// One tag the simulator reports.
#[derive(Clone, Debug)]
struct Channel {
    tag: Tag,
    unit: UnitLabel,
    measurand: Measurand,
    source: Source,
}

/// A fault with its time window and random stream.
struct Scheduled {
    start_ms: i64,
    end_ms: i64,
    spec: FaultSpec,
    rng: Stream,
    /// Flatline: the value each tag froze at.
    frozen: HashMap<Tag, f64>,
}

impl Scheduled {
    fn active(&self, time_ms: i64) -> bool {
        time_ms >= self.start_ms && time_ms < self.end_ms
    }

    fn applies_to(&self, tag: &Tag) -> bool {
        match &self.spec {
            FaultSpec::Signal { tags, .. } => {
                tags.is_empty() || tags.iter().any(|t| t.as_str() == tag.as_str())
            }
            _ => false,
        }
    }
}

/// A reading waiting for its delivery time.
#[derive(Debug)]
struct Pending {
    deliver_ms: i64,
    seq: u64,
    reading: Reading,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.deliver_ms, self.seq) == (other.deliver_ms, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deliver_ms, self.seq).cmp(&(other.deliver_ms, other.seq))
    }
}

/// Values a malformed reading may carry.
const MALFORMED: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];

/// A simulated plant as a source of readings.
///
/// ```no_run
/// # use steamflow_simulator::{PlantSimulator, SimulatorConfig, synthetic};
/// let plant = synthetic::plant("p1", &synthetic::PlantSize::default());
/// let mut sim = PlantSimulator::new("p1", &plant, &SimulatorConfig::new("p1")).unwrap();
/// while let Some(batch) = sim.next_batch() {
///     for reading in batch.readings { /* … */ }
/// }
/// ```
pub struct PlantSimulator {
    plant: PlantId,
    model: Model,
    channels: Vec<Channel>,
    faults: Vec<Scheduled>,
    noise: Stream,
    variation: crate::config::Variation,
    start_ms: i64,
    interval_ms: i64,
    steps: u64,
    step: u64,
    queue: BinaryHeap<Reverse<Pending>>,
    seq: u64,
    snapshot: Option<Snapshot>,
    physics_errors: u64,
}

impl PlantSimulator {
    /// A simulator of `plant` (the plant `plant_id` of the config) with `config`'s run settings and faults.
    pub fn new(
        plant_id: &str,
        plant: &Plant,
        config: &SimulatorConfig,
    ) -> Result<PlantSimulator, SimError> {
        let issues = plant.check();
        if !issues.is_empty() {
            return Err(SimError::Plant(issues));
        }
        if config.sample_interval_ms == 0 || config.duration_secs == 0 {
            return Err(SimError::Timing);
        }
        let start_ms = parse_utc_ms(&config.start_time)?;
        let interval_ms = i64::try_from(config.sample_interval_ms).map_err(|_| SimError::Timing)?;
        let duration_ms = i64::try_from(config.duration_secs.saturating_mul(1000))
            .map_err(|_| SimError::Timing)?;
        let steps = u64::try_from(duration_ms.saturating_add(interval_ms - 1) / interval_ms)
            .map_err(|_| SimError::Timing)?;
        let mut faults = Vec::with_capacity(config.faults.len());
        for (index, fault) in config.faults.iter().enumerate() {
            if let Some(issue) = fault.check(Some(plant)).into_iter().next() {
                return Err(SimError::Fault {
                    index,
                    message: format!("{}: {}", issue.key, issue.message),
                });
            }
            let spec = fault.spec(plant).ok_or_else(|| SimError::Fault {
                index,
                message: "incomplete fault".to_owned(),
            })?;
            let start = start_ms.saturating_add(
                i64::try_from(fault.start_secs.saturating_mul(1000)).unwrap_or(i64::MAX),
            );
            let end = match fault.duration_secs {
                Some(d) => {
                    start.saturating_add(i64::try_from(d.saturating_mul(1000)).unwrap_or(i64::MAX))
                }
                None => i64::MAX,
            };
            faults.push(Scheduled {
                start_ms: start,
                end_ms: end,
                spec,
                rng: Stream::new(config.seed, &format!("fault-{index}")),
                frozen: HashMap::new(),
            });
        }
        let channels = plant
            .tag_bindings()
            .into_iter()
            .filter_map(|b| {
                Some(Channel {
                    tag: Tag::from(b.tag),
                    unit: UnitLabel::from(b.measurand.unit()),
                    measurand: b.measurand,
                    source: source_of(b.asset_kind, b.asset_index, &b.key)?,
                })
            })
            .collect();
        Ok(PlantSimulator {
            plant: PlantId::from(plant_id),
            model: Model::new(plant, &config.variation, config.seed)?,
            channels,
            faults,
            noise: Stream::new(config.seed, "sensor-noise"),
            variation: config.variation.clone(),
            start_ms,
            interval_ms,
            steps,
            step: 0,
            queue: BinaryHeap::new(),
            seq: 0,
            snapshot: None,
            physics_errors: 0,
        })
    }

    /// The plant id readings carry.
    pub fn plant_id(&self) -> &PlantId {
        &self.plant
    }

    /// The plant model simulated.
    pub fn plant(&self) -> &Plant {
        self.model.plant()
    }

    /// Every tag reported, with its unit.
    pub fn tags(&self) -> Vec<(Tag, UnitLabel)> {
        self.channels
            .iter()
            .map(|c| (c.tag.clone(), c.unit.clone()))
            .collect()
    }

    /// Sample times in the run.
    pub fn total_steps(&self) -> u64 {
        self.steps
    }

    /// Sample times simulated so far.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Event time of the next sample, or `None` when all are simulated.
    pub fn next_time_ms(&self) -> Option<i64> {
        (self.step < self.steps).then(|| self.time_of(self.step))
    }

    /// The plant's true state at the last sample time: every value before
    /// sensor noise and meter faults, and the exact balance.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// Steps whose physics failed and repeated the previous state (0 in a sound plant).
    pub fn physics_errors(&self) -> u64 {
        self.physics_errors
    }

    fn time_of(&self, step: u64) -> i64 {
        let offset = i64::try_from(step)
            .unwrap_or(i64::MAX)
            .saturating_mul(self.interval_ms);
        self.start_ms.saturating_add(offset)
    }

    /// The readings delivered at the next sample time; after the last one,
    /// the late readings still queued; then `None`.
    pub fn next_batch(&mut self) -> Option<Batch> {
        if self.step < self.steps {
            let time_ms = self.time_of(self.step);
            self.simulate(time_ms);
            self.step += 1;
            return Some(Batch {
                time_ms,
                readings: self.deliver(time_ms),
            });
        }
        let last = self.queue.iter().map(|Reverse(p)| p.deliver_ms).max()?;
        Some(Batch {
            time_ms: last,
            readings: self.deliver(i64::MAX),
        })
    }

    /// Every reading of the run in delivery order.
    pub fn readings(mut self) -> impl Iterator<Item = Reading> {
        std::iter::from_fn(move || self.next_batch()).flat_map(|batch| batch.readings)
    }

    fn deliver(&mut self, until_ms: i64) -> Vec<Reading> {
        let mut out = Vec::new();
        while self
            .queue
            .peek()
            .is_some_and(|Reverse(p)| p.deliver_ms <= until_ms)
        {
            if let Some(Reverse(pending)) = self.queue.pop() {
                out.push(pending.reading);
            }
        }
        out
    }

    fn simulate(&mut self, time_ms: i64) {
        let elapsed_s = (time_ms - self.start_ms) as f64 / 1000.0;
        let hour_of_day = time_ms.rem_euclid(86_400_000) as f64 / 3_600_000.0;
        let mut traps = vec![TrapCondition::Healthy; self.model.plant().traps.len()];
        let mut leaks = vec![0.0; self.model.plant().segments.len()];
        for fault in self.faults.iter().filter(|f| f.active(time_ms)) {
            let since_s = (time_ms - fault.start_ms) as f64 / 1000.0;
            match fault.spec {
                FaultSpec::Trap { trap, mode } => {
                    if let Some(slot) = traps.get_mut(trap) {
                        *slot = TrapCondition::Failed {
                            failure: mode,
                            since_s,
                        };
                    }
                }
                FaultSpec::Leak {
                    segment,
                    diameter_mm,
                } => {
                    if let Some(slot) = leaks.get_mut(segment) {
                        *slot = diameter_mm;
                    }
                }
                FaultSpec::Signal { .. } => {}
            }
        }
        let conditions = Conditions {
            elapsed_s,
            hour_of_day,
            dt_s: self.interval_ms as f64 / 1000.0,
            traps: &traps,
            leaks_mm: &leaks,
        };
        match self.model.step(&conditions) {
            Ok(snapshot) => self.snapshot = Some(snapshot),
            Err(_) => self.physics_errors += 1,
        }
        let Some(snapshot) = self.snapshot.take() else {
            return;
        };
        for i in 0..self.channels.len() {
            if let Some(channel) = self.channels.get(i).cloned() {
                self.emit(&channel, channel.source.value(&snapshot), time_ms);
            }
        }
        self.snapshot = Some(snapshot);
    }

    /// Sensor noise of a measurand, 1σ, in its unit.
    fn sensor_sigma(&self, measurand: Measurand, value: f64) -> f64 {
        let v = &self.variation;
        match measurand {
            Measurand::SteamFlow | Measurand::CondensateFlow => {
                value.abs() * v.flow_noise_pct / 100.0
            }
            Measurand::Pressure => v.pressure_noise_bar,
            Measurand::SteamTemperature
            | Measurand::WaterTemperature
            | Measurand::SurfaceTemperature
            | Measurand::AmbientTemperature => v.temperature_noise_k,
            Measurand::AcousticLevel => v.acoustic_noise_db,
            Measurand::WindSpeed => 0.1 * v.temperature_noise_k,
        }
    }

    /// Turns one true value into zero or more queued readings.
    fn emit(&mut self, channel: &Channel, true_value: f64, time_ms: i64) {
        let sigma = self.sensor_sigma(channel.measurand, true_value);
        let mut value = true_value + sigma * self.noise.normal();
        if matches!(
            channel.measurand,
            Measurand::SteamFlow | Measurand::CondensateFlow | Measurand::AcousticLevel
        ) {
            // Meters do not read below zero.
            value = value.max(0.0);
        }
        let mut delay_ms = 0_i64;
        let mut duplicates = 0;
        for fault in self
            .faults
            .iter_mut()
            .filter(|f| f.active(time_ms) && f.applies_to(&channel.tag))
        {
            let FaultSpec::Signal { effect, .. } = fault.spec else {
                continue;
            };
            let hours = (time_ms - fault.start_ms) as f64 / 3_600_000.0;
            match effect {
                SignalEffect::Drift { rate_per_h } => value += rate_per_h * hours,
                SignalEffect::Bias { offset } => value += offset,
                SignalEffect::Dropout => return,
                SignalEffect::Flatline => {
                    value = *fault.frozen.entry(channel.tag.clone()).or_insert(value)
                }
                SignalEffect::Noise { sigma } => value += sigma * fault.rng.normal(),
                SignalEffect::Malformed { fraction } => {
                    if fault.rng.chance(fraction) {
                        value = MALFORMED
                            .get(fault.rng.below(MALFORMED.len()))
                            .copied()
                            .unwrap_or(f64::NAN);
                    }
                }
                SignalEffect::OutOfOrder {
                    max_delay_secs,
                    fraction,
                } => {
                    if fault.rng.chance(fraction) {
                        delay_ms += (fault.rng.uniform() * max_delay_secs * 1000.0) as i64;
                    }
                }
                SignalEffect::Late {
                    delay_secs,
                    fraction,
                } => {
                    if fault.rng.chance(fraction) {
                        delay_ms += (delay_secs * 1000.0) as i64;
                    }
                }
                SignalEffect::Duplicate { fraction } => {
                    if fault.rng.chance(fraction) {
                        duplicates += 1;
                    }
                }
            }
        }
        let reading = Reading {
            time_ms,
            plant: self.plant.clone(),
            tag: channel.tag.clone(),
            value,
            quality: Quality::Good,
            unit: Some(channel.unit.clone()),
        };
        for copy in 0..duplicates {
            // A duplicate arrives shortly after the original (a retransmission).
            let retransmit_ms = delay_ms + 500 * (copy + 1);
            self.enqueue(time_ms + retransmit_ms, reading.clone());
        }
        self.enqueue(time_ms + delay_ms, reading);
    }

    fn enqueue(&mut self, deliver_ms: i64, reading: Reading) {
        self.seq += 1;
        self.queue.push(Reverse(Pending {
            deliver_ms,
            seq: self.seq,
            reading,
        }));
    }
}
