//! Design limits of every tag, for the range check of validation.
//!
//! The rules are the design document's: a flow lies between 0 and the
//! capacity it can pass plus 10 %, a pressure between 0 and 1.2 × the design
//! pressure, a steam temperature below saturation at that pressure (or the
//! design superheat) plus 50 K. The factors are configurable
//! ([`LimitFactors`]); the live check of a temperature against saturation at
//! the measured pressure is validation's, not a static limit.

use super::{AssetKind, Feed, Measurand, Network, Plant, SegmentStart, TagBinding};
use crate::if97;
use crate::units::Pressure;

/// The lowest and highest plausible value of a tag, in its measurand's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DesignLimits {
    /// Lowest plausible value.
    pub min: f64,
    /// Highest plausible value.
    pub max: f64,
}

impl DesignLimits {
    /// True when `value` lies within the limits (NaN never does).
    pub fn contains(&self, value: f64) -> bool {
        value >= self.min && value <= self.max
    }
}

/// How far beyond the design values a reading may go before it is out of range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimitFactors {
    /// Flow limit as a multiple of capacity (1.1: capacity + 10 %).
    pub flow_capacity_factor: f64,
    /// Pressure limit as a multiple of design gauge pressure (1.2).
    pub pressure_design_factor: f64,
    /// Band above saturation (or design superheat) a temperature may reach [K] (50).
    pub saturation_band_k: f64,
}

impl Default for LimitFactors {
    fn default() -> Self {
        LimitFactors {
            flow_capacity_factor: 1.1,
            pressure_design_factor: 1.2,
            saturation_band_k: 50.0,
        }
    }
}

/// The lowest temperature any tag of a steam system plausibly reads [°C]:
/// an outdoor pipe in a cold winter.
const COLDEST_C: f64 = -40.0;

impl Plant {
    /// The design limits of every bound tag, in binding order.
    ///
    /// A tag whose limit needs a saturation temperature the steam tables
    /// cannot give (a design pressure outside IAPWS-IF97) is left out.
    pub fn design_limits(&self, factors: &LimitFactors) -> Vec<(TagBinding<'_>, DesignLimits)> {
        let network = Network::build(self).ok();
        let context = Context {
            plant: self,
            network: network.as_ref(),
            factors,
        };
        self.tag_bindings()
            .into_iter()
            .filter_map(|binding| context.limits(&binding).map(|limits| (binding, limits)))
            .collect()
    }
}

struct Context<'a> {
    plant: &'a Plant,
    network: Option<&'a Network>,
    factors: &'a LimitFactors,
}

impl Context<'_> {
    fn limits(&self, binding: &TagBinding<'_>) -> Option<DesignLimits> {
        let f = self.factors;
        let (kind, index) = (binding.asset_kind, binding.asset_index);
        let limits = match binding.measurand {
            Measurand::SteamFlow | Measurand::CondensateFlow => DesignLimits {
                min: 0.0,
                max: self.flow_capacity_kg_h(kind, index) * f.flow_capacity_factor,
            },
            Measurand::Pressure => DesignLimits {
                min: 0.0,
                max: self.design_pressure_barg(kind, index) * f.pressure_design_factor,
            },
            Measurand::SteamTemperature | Measurand::SurfaceTemperature => {
                let saturation = self.saturation_c(
                    self.design_pressure_barg(kind, index) * f.pressure_design_factor,
                )?;
                let superheat = self.design_temperature_c(kind, index).unwrap_or(saturation);
                DesignLimits {
                    min: COLDEST_C,
                    max: saturation.max(superheat) + f.saturation_band_k,
                }
            }
            Measurand::WaterTemperature => {
                let saturation =
                    self.saturation_c(self.max_design_pressure_barg() * f.pressure_design_factor)?;
                DesignLimits {
                    min: 0.0,
                    max: saturation,
                }
            }
            Measurand::AmbientTemperature => DesignLimits {
                min: -60.0,
                max: 60.0,
            },
            Measurand::AcousticLevel => DesignLimits {
                min: 0.0,
                max: 140.0,
            },
            Measurand::WindSpeed => DesignLimits {
                min: 0.0,
                max: 60.0,
            },
        };
        Some(limits)
    }

    /// Saturation temperature at a gauge pressure [°C], if IAPWS-IF97 covers it.
    fn saturation_c(&self, gauge_barg: f64) -> Option<f64> {
        if97::saturation_temperature(Pressure::from_barg(gauge_barg))
            .ok()
            .map(|t| t.celsius())
    }

    fn total_capacity_kg_h(&self) -> f64 {
        self.plant.boilers.iter().map(|b| b.capacity_kg_h).sum()
    }

    fn flow_capacity_kg_h(&self, kind: AssetKind, index: usize) -> f64 {
        let total = self.total_capacity_kg_h();
        match kind {
            AssetKind::Boiler => self
                .plant
                .boilers
                .get(index)
                .map_or(total, |b| b.capacity_kg_h),
            AssetKind::Prv => self
                .plant
                .prvs
                .get(index)
                .map_or(total, |p| p.capacity_kg_h),
            AssetKind::Consumer => self
                .plant
                .consumers
                .get(index)
                .map_or(total, |c| c.design_flow_kg_h),
            AssetKind::CondensateReturn => self
                .plant
                .condensate_returns
                .get(index)
                .and_then(|c| c.design_flow_kg_h)
                .unwrap_or(total),
            _ => total,
        }
    }

    fn max_design_pressure_barg(&self) -> f64 {
        let headers = self.plant.headers.iter().map(|h| h.design_pressure_barg);
        let boilers = self.plant.boilers.iter().map(|b| b.design_pressure_barg);
        headers.chain(boilers).fold(0.0, f64::max)
    }

    /// The design pressure of the header an asset belongs to, falling back to
    /// the plant's highest where the network cannot say.
    fn design_pressure_barg(&self, kind: AssetKind, index: usize) -> f64 {
        let header = |h: usize| self.plant.headers.get(h).map(|h| h.design_pressure_barg);
        let found = match kind {
            AssetKind::Boiler => self
                .plant
                .boilers
                .get(index)
                .map(|b| b.design_pressure_barg),
            AssetKind::Header => header(index),
            AssetKind::FlashVessel => self
                .plant
                .flash_vessels
                .get(index)
                .map(|f| f.design_pressure_barg),
            AssetKind::Prv => self
                .network
                .and_then(|n| n.prv_headers.get(index))
                .and_then(|&(_, to)| header(to)),
            AssetKind::Segment => self.segment_header(index).and_then(header),
            AssetKind::Consumer => match self.network.and_then(|n| n.consumer_feed.get(index)) {
                Some(Feed::Header(h)) => header(*h),
                Some(Feed::Segment(s)) => self.segment_header(*s).and_then(header),
                None => None,
            },
            AssetKind::CondensateReturn => self
                .plant
                .condensate_returns
                .get(index)
                .map(|c| c.receiver_pressure_barg.max(1.0)),
            AssetKind::Trap | AssetKind::Plant => None,
        };
        found.unwrap_or_else(|| self.max_design_pressure_barg())
    }

    /// The design temperature of superheated steam where an asset carries it.
    fn design_temperature_c(&self, kind: AssetKind, index: usize) -> Option<f64> {
        match kind {
            AssetKind::Boiler => self
                .plant
                .boilers
                .get(index)
                .and_then(|b| b.steam_temperature_c),
            AssetKind::Header => self
                .plant
                .headers
                .get(index)
                .and_then(|h| h.design_temperature_c),
            _ => self
                .plant
                .headers
                .iter()
                .filter_map(|h| h.design_temperature_c)
                .reduce(f64::max),
        }
    }

    /// The header a segment's chain starts at.
    fn segment_header(&self, mut segment: usize) -> Option<usize> {
        let network = self.network?;
        for _ in 0..=network.segment_start.len() {
            match network.segment_start.get(segment)? {
                SegmentStart::Header(h) => return Some(*h),
                SegmentStart::Segment(parent) => segment = *parent,
            }
        }
        None
    }
}
