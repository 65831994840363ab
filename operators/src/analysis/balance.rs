//! Mass and energy balance of a steam system (the seed design's balance
//! equations, which are correct as written):
//!
//! - mass: m_gen = m_cons + m_pipe + m_trap + m_leak + m_flash + m_unaccounted,
//!   where the unaccounted term is what the meters leave over, and the
//!   closure = (m_cons + known losses)/m_gen × 100 % (100 % closes; above
//!   100 % the meters read more out than in);
//! - energy: E_in = m_gen (h_gen − h_fw), E_out = Σ m_cons,i (h_steam,i − h_cond,i),
//!   E_loss = E_in − E_out, system efficiency η = E_out/E_in.

use super::error::{CalcError, Result, finite, non_negative, positive};
use crate::units::{MassFlow, Power, SpecificEnthalpy};

/// The losses that are measured or estimated (each ≥ 0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KnownLosses {
    /// Steam condensed by pipe heat loss (drained at traps).
    pub pipe: MassFlow,
    /// Steam blowing through failed traps.
    pub trap: MassFlow,
    /// Steam leaking to atmosphere.
    pub leak: MassFlow,
    /// Flash steam vented.
    pub flash: MassFlow,
}

/// The mass balance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MassBalance {
    /// Steam generated.
    pub generation: MassFlow,
    /// Steam consumed by the users, all of them.
    pub consumption: MassFlow,
    /// Sum of the known losses.
    pub known_losses: MassFlow,
    /// Generation − consumption − known losses (negative when the meters
    /// account for more than was generated).
    pub unaccounted: MassFlow,
    /// (consumption + known losses) / generation × 100.
    pub closure_percent: f64,
    /// Unaccounted / generation × 100.
    pub unaccounted_percent: f64,
}

/// Mass balance from the generation, each consumer's flow and the known losses.
///
/// Errors: NaN or infinite flows, a negative consumer flow or loss, or a
/// generation that is not positive.
pub fn mass_balance(
    generation: MassFlow,
    consumers: &[MassFlow],
    losses: &KnownLosses,
) -> Result<MassBalance> {
    let m_gen = positive("steam generation [kg/s]", generation.kg_per_s())?;
    let mut consumption = 0.0;
    for m in consumers {
        consumption += non_negative("consumer steam flow [kg/s]", m.kg_per_s())?;
    }
    let mut known = 0.0;
    for (name, m) in [
        ("pipe loss [kg/s]", losses.pipe),
        ("trap loss [kg/s]", losses.trap),
        ("leak loss [kg/s]", losses.leak),
        ("flash loss [kg/s]", losses.flash),
    ] {
        known += non_negative(name, m.kg_per_s())?;
    }
    let consumption = finite("total consumption [kg/s]", consumption)?;
    let known = finite("total known losses [kg/s]", known)?;
    let unaccounted = m_gen - consumption - known;
    Ok(MassBalance {
        generation,
        consumption: MassFlow::from_kg_per_s(consumption),
        known_losses: MassFlow::from_kg_per_s(known),
        unaccounted: MassFlow::from_kg_per_s(unaccounted),
        closure_percent: finite("closure", (consumption + known) / m_gen * 100.0)?,
        unaccounted_percent: finite("unaccounted share", unaccounted / m_gen * 100.0)?,
    })
}

/// One consumer in the energy balance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConsumerFlow {
    /// Steam it takes.
    pub mass_flow: MassFlow,
    /// Enthalpy of the steam it receives.
    pub steam_enthalpy: SpecificEnthalpy,
    /// Enthalpy of the condensate it leaves.
    pub condensate_enthalpy: SpecificEnthalpy,
}

/// The energy balance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnergyBalance {
    /// Heat put into the steam, m_gen (h_gen − h_fw).
    pub input: Power,
    /// Heat the consumers use, Σ m (h_steam − h_cond).
    pub useful_output: Power,
    /// input − useful output.
    pub losses: Power,
    /// useful output / input, as a fraction.
    pub efficiency: f64,
}

/// Energy balance of the distribution and use of steam.
///
/// Errors: NaN or infinite values, a non-positive generation, a generation
/// enthalpy not above the feedwater's, a negative consumer flow, or a
/// consumer whose condensate enthalpy exceeds its steam enthalpy.
pub fn energy_balance(
    generation: MassFlow,
    generation_enthalpy: SpecificEnthalpy,
    feedwater_enthalpy: SpecificEnthalpy,
    consumers: &[ConsumerFlow],
) -> Result<EnergyBalance> {
    let m_gen = positive("steam generation [kg/s]", generation.kg_per_s())?;
    let h_gen = finite("generation enthalpy [J/kg]", generation_enthalpy.j_per_kg())?;
    let h_fw = finite("feedwater enthalpy [J/kg]", feedwater_enthalpy.j_per_kg())?;
    if h_gen <= h_fw {
        return Err(CalcError::Inconsistent(format!(
            "steam enthalpy at generation ({:.1} kJ/kg) must exceed the feedwater's ({:.1} kJ/kg)",
            h_gen / 1e3,
            h_fw / 1e3
        )));
    }
    let input = positive("energy input [W]", m_gen * (h_gen - h_fw))?;
    let mut output = 0.0;
    for c in consumers {
        let m = non_negative("consumer steam flow [kg/s]", c.mass_flow.kg_per_s())?;
        let hs = finite(
            "consumer steam enthalpy [J/kg]",
            c.steam_enthalpy.j_per_kg(),
        )?;
        let hc = finite(
            "consumer condensate enthalpy [J/kg]",
            c.condensate_enthalpy.j_per_kg(),
        )?;
        if hc > hs {
            return Err(CalcError::Inconsistent(format!(
                "a consumer's condensate enthalpy ({:.1} kJ/kg) exceeds its steam enthalpy ({:.1} kJ/kg)",
                hc / 1e3,
                hs / 1e3
            )));
        }
        output += m * (hs - hc);
    }
    let output = finite("useful energy [W]", output)?;
    Ok(EnergyBalance {
        input: Power::from_w(input),
        useful_output: Power::from_w(output),
        losses: Power::from_w(input - output),
        efficiency: finite("system efficiency", output / input)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn th(v: f64) -> MassFlow {
        MassFlow::from_t_per_h(v)
    }

    fn kj(v: f64) -> SpecificEnthalpy {
        SpecificEnthalpy::from_kj_per_kg(v)
    }

    #[test]
    fn mass_balance_closes_with_the_residual() {
        let losses = KnownLosses {
            pipe: th(0.3),
            trap: th(0.2),
            leak: th(0.1),
            flash: th(0.4),
        };
        let b = mass_balance(th(20.0), &[th(10.0), th(7.0)], &losses).unwrap();
        assert!((b.known_losses.t_per_h() - 1.0).abs() < 1e-12);
        assert!((b.unaccounted.t_per_h() - 2.0).abs() < 1e-12);
        assert!((b.closure_percent - 90.0).abs() < 1e-9);
        assert!((b.unaccounted_percent - 10.0).abs() < 1e-9);
        // Meters reading more out than in.
        let over = mass_balance(th(10.0), &[th(11.0)], &KnownLosses::default()).unwrap();
        assert!(over.closure_percent > 100.0 && over.unaccounted.kg_per_s() < 0.0);
    }

    /// 10 t/h of 10 bar g saturated steam (h = 2781 kJ/kg) from 105 °C
    /// feedwater (440 kJ/kg) is 6.503 MW; consumers using 9 t/h and
    /// returning saturated condensate (781 kJ/kg) use 5.0 MW: η = 76.9 %.
    #[test]
    fn energy_balance_hand_check() {
        let c = ConsumerFlow {
            mass_flow: th(9.0),
            steam_enthalpy: kj(2781.0),
            condensate_enthalpy: kj(781.0),
        };
        let b = energy_balance(th(10.0), kj(2781.0), kj(440.0), &[c]).unwrap();
        assert!((b.input.mw() - 10.0 / 3.6 * 2.341).abs() < 1e-9);
        assert!((b.useful_output.mw() - 9.0 / 3.6 * 2.0).abs() < 1e-9);
        assert!((b.efficiency - 5.0 / 6.502_777_777_777_78).abs() < 1e-9);
        assert!((b.losses.w() - (b.input.w() - b.useful_output.w())).abs() < 1e-6);
    }

    #[test]
    fn errors() {
        assert!(mass_balance(th(0.0), &[], &KnownLosses::default()).is_err());
        assert!(mass_balance(th(1.0), &[th(-1.0)], &KnownLosses::default()).is_err());
        assert!(
            mass_balance(
                th(1.0),
                &[],
                &KnownLosses {
                    leak: th(f64::NAN),
                    ..Default::default()
                }
            )
            .is_err()
        );
        assert!(energy_balance(th(1.0), kj(400.0), kj(440.0), &[]).is_err());
        let bad = ConsumerFlow {
            mass_flow: th(1.0),
            steam_enthalpy: kj(500.0),
            condensate_enthalpy: kj(600.0),
        };
        assert!(energy_balance(th(1.0), kj(2781.0), kj(440.0), &[bad]).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(v in prop::array::uniform10(any::<f64>())) {
            let losses = KnownLosses { pipe: MassFlow::from_kg_per_s(v[2]), trap: MassFlow::from_kg_per_s(v[3]), leak: MassFlow::from_kg_per_s(v[4]), flash: MassFlow::from_kg_per_s(v[5]) };
            if let Ok(b) = mass_balance(MassFlow::from_kg_per_s(v[0]), &[MassFlow::from_kg_per_s(v[1])], &losses) {
                prop_assert!(b.closure_percent.is_finite());
            }
            let c = ConsumerFlow { mass_flow: MassFlow::from_kg_per_s(v[6]), steam_enthalpy: kj(v[7]), condensate_enthalpy: kj(v[8]) };
            if let Ok(b) = energy_balance(MassFlow::from_kg_per_s(v[0]), kj(v[9]), kj(v[1]), &[c]) {
                prop_assert!(b.efficiency.is_finite());
            }
        }
    }
}
