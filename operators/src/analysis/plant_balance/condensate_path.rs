//! Where the condensate of one window goes: flashed and vented, drained,
//! recovered as flash steam into a header, or returned.
//!
//! Saturated condensate at its source pressure (a consumer, a drained
//! main) reaches a flash vessel, a vented condensate receiver, or a drain
//! (the atmosphere), and flashes there:
//! x = (h_f(p_source) − h_f(p_dest)) / h_fg(p_dest) ([`crate::analysis::flash`]).
//! A flash vessel's flash steam feeds its header (recovered) or is vented;
//! its residual liquid goes on to a return (and flashes again at the
//! receiver pressure) or to drain. A receiver vents its flash and pumps
//! the liquid back. Live steam from failed traps is not condensate: it is
//! the trap loss, wherever it ends, and only joins the flash steam a
//! recovering flash vessel sends to its header.

use crate::analysis::error::{CalcError, Result};
use crate::analysis::flash::flash_fraction;
use crate::if97::Saturation;
use crate::plant::{Discharge, Plant};
use crate::units::{MassFlow, Power, Pressure, STANDARD_ATMOSPHERE_PA, SpecificEnthalpy};

/// Condensate (and live steam) discharged to one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Outflow {
    /// Where it goes.
    pub to: Discharge,
    /// Saturated condensate.
    pub liquid: MassFlow,
    /// The pressure it is saturated at.
    pub source_pressure: Pressure,
    /// Live steam passed by failed traps.
    pub steam: MassFlow,
}

/// The fate of a window's condensate.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct CondensateFlows {
    /// Condensate formed (all sources).
    pub produced: MassFlow,
    /// Flash steam vented (from condensate only).
    pub flash_vented: MassFlow,
    /// Its energy above make-up water, Σ m (h_g(p_vent) − h_makeup).
    pub flash_vented_energy: Power,
    /// Liquid drained after flashing to the atmosphere.
    pub drained: MassFlow,
    /// Its energy above make-up water.
    pub drained_energy: Power,
    /// Liquid pumped back, per condensate return.
    pub returned: Vec<MassFlow>,
    /// Flash steam (with any live steam) fed to headers, per flash vessel.
    pub recovered: Vec<MassFlow>,
}

#[derive(Default)]
struct Inflow {
    liquid: Vec<(MassFlow, Pressure)>,
    steam: MassFlow,
}

fn atmosphere() -> Pressure {
    Pressure::from_pa(STANDARD_ATMOSPHERE_PA)
}

/// Follows the outflows through the flash vessels and returns.
pub(super) fn follow(
    plant: &Plant,
    vessel_pressures: &[Pressure],
    vessel_residual: &[Discharge],
    outflows: &[Outflow],
    h_makeup: SpecificEnthalpy,
) -> Result<CondensateFlows> {
    let n_vessels = plant.flash_vessels.len();
    let n_returns = plant.condensate_returns.len();
    let mut vessels: Vec<Inflow> = (0..n_vessels).map(|_| Inflow::default()).collect();
    let mut returns: Vec<Inflow> = (0..n_returns).map(|_| Inflow::default()).collect();
    let mut drains = Inflow::default();
    let mut flows = CondensateFlows {
        returned: vec![MassFlow::default(); n_returns],
        recovered: vec![MassFlow::default(); n_vessels],
        ..CondensateFlows::default()
    };
    for o in outflows {
        flows.produced = flows.produced + o.liquid;
        let target = match o.to {
            Discharge::FlashVessel(v) => vessels.get_mut(v),
            Discharge::Return(r) => returns.get_mut(r),
            Discharge::Drain => Some(&mut drains),
        }
        .ok_or_else(|| mismatch("a discharge"))?;
        target.liquid.push((o.liquid, o.source_pressure));
        target.steam = target.steam + o.steam;
    }
    for (v, inflow) in vessels.iter().enumerate() {
        let vessel = plant
            .flash_vessels
            .get(v)
            .ok_or_else(|| mismatch("flash vessels"))?;
        let p = *vessel_pressures
            .get(v)
            .ok_or_else(|| mismatch("flash vessel pressures"))?;
        let (flash, residual) = flash_all(&inflow.liquid, p)?;
        if vessel.to_header.is_some() {
            if let Some(slot) = flows.recovered.get_mut(v) {
                *slot = flash + inflow.steam;
            }
        } else {
            vent(&mut flows, flash, p, h_makeup)?;
        }
        let next = match vessel_residual.get(v).copied().unwrap_or(Discharge::Drain) {
            Discharge::Return(r) => returns.get_mut(r).ok_or_else(|| mismatch("returns"))?,
            // A vessel draining into another vessel is not modelled: drain.
            Discharge::Drain | Discharge::FlashVessel(_) => &mut drains,
        };
        next.liquid.push((residual, p));
    }
    for (r, inflow) in returns.iter().enumerate() {
        let receiver = plant
            .condensate_returns
            .get(r)
            .ok_or_else(|| mismatch("condensate returns"))?
            .receiver_pressure();
        let (flash, residual) = flash_all(&inflow.liquid, receiver)?;
        vent(&mut flows, flash, receiver, h_makeup)?;
        if let Some(slot) = flows.returned.get_mut(r) {
            *slot = residual;
        }
    }
    let (flash, residual) = flash_all(&drains.liquid, atmosphere())?;
    vent(&mut flows, flash, atmosphere(), h_makeup)?;
    let h_f = Saturation::at_pressure(atmosphere())?.liquid.h;
    flows.drained = residual;
    flows.drained_energy = Power::from_w(residual.kg_per_s() * (h_f - h_makeup).j_per_kg());
    Ok(flows)
}

/// Flash steam and residual liquid of saturated liquids let down to `p`.
fn flash_all(liquids: &[(MassFlow, Pressure)], p: Pressure) -> Result<(MassFlow, MassFlow)> {
    let mut flash = MassFlow::default();
    let mut residual = MassFlow::default();
    for &(m, from) in liquids {
        let f = flash_fraction(from, p, None)?;
        flash = flash + f.steam(m)?;
        residual = residual + f.residual_condensate(m)?;
    }
    Ok((flash, residual))
}

fn vent(
    flows: &mut CondensateFlows,
    flash: MassFlow,
    p: Pressure,
    h_makeup: SpecificEnthalpy,
) -> Result<()> {
    let h_g = Saturation::at_pressure(p)?.vapour.h;
    flows.flash_vented = flows.flash_vented + flash;
    flows.flash_vented_energy =
        flows.flash_vented_energy + Power::from_w(flash.kg_per_s() * (h_g - h_makeup).j_per_kg());
    Ok(())
}

fn mismatch(what: &str) -> CalcError {
    CalcError::Inconsistent(format!("the network does not match the plant's {what}"))
}
