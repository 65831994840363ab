//! Heat loss from a horizontal pipe, bare or insulated, in still air or wind,
//! and the steam it condenses.
//!
//! Per unit length, from the outer surface at Tₛ (diameter D):
//!
//! - radiation q′ᵣ = ε σ π D (Tₛ⁴ − Tₛᵤᵣ⁴), temperatures in kelvin (the
//!   seed design's Stefan–Boltzmann term, per unit length);
//! - convection q′꜀ = h π D (Tₛ − T∞), with h = Nu k/D from:
//!   - natural convection, Churchill & Chu (1975) for a horizontal cylinder,
//!     Nu = {0.60 + 0.387 Ra^(1/6) / [1 + (0.559/Pr)^(9/16)]^(8/27)}²,
//!     Ra ≤ 10¹² (Incropera et al., *Fundamentals of Heat and Mass
//!     Transfer*, 6th ed., eq. 9.34);
//!   - forced convection in cross flow, Churchill & Bernstein (1977),
//!     Nu = 0.3 + 0.62 Re^(1/2) Pr^(1/3) / [1 + (0.4/Pr)^(2/3)]^(1/4)
//!     × [1 + (Re/282 000)^(5/8)]^(4/5), Re Pr ≥ 0.2 (Incropera eq. 7.54);
//!   - both at once (wind across the pipe is a transverse flow), Churchill's
//!     mixed-convection rule Nu³ = Nu_forced³ + Nu_natural³ (Incropera §9.9,
//!     n = 3, "+" for transverse flow);
//!
//!   with the air properties at the film temperature (Tₛ + T∞)/2 from
//!   [`crate::transport::air`], and β = 1/T_film (ideal gas, as Incropera
//!   does).
//!
//! A bare pipe's surface is taken at the fluid temperature: the condensing
//! film (h ≳ 5000 W/(m² K)) and a steel wall (k ≈ 50 W/(m K)) add well under
//! 1 % to the outer resistance. An insulated pipe's surface temperature is
//! found where conduction through the insulation,
//! q′ = 2πk (T_fluid − Tₛ)/ln(D₂/D₁), equals the surface loss; that
//! balance is bracketed between the lowest and highest of the three
//! temperatures and solved by bisection, which always converges.
//!
//! The seed design's `Q = h_conv A ΔT` with a given h is kept as an option
//! ([`Convection::Fixed`]) for measured or specified coefficients.
//!
//! Checks (in the tests): Incropera Example 9.3 (bare steam pipe, natural
//! convection and radiation) within 2 %; an Incropera chapter-3 insulated
//! pipe with given h within 1 %; the US DOE Steam Tip Sheet #2 bare-pipe
//! table within 4 % at ε = 0.7 (the sheet does not state its ε; the
//! default 0.9 gives 10–17 % more).

use std::f64::consts::PI;

use super::error::{CalcError, Result, finite, fraction, non_negative, positive};
use crate::if97::Saturation;
use crate::transport::air_properties;
use crate::units::{
    HeatTransferCoefficient, Length, LinearHeatFlow, MassFlow, Power, Pressure, Temperature,
    ThermalConductivity, Velocity,
};

/// Stefan–Boltzmann constant [W/(m² K⁴)] (CODATA 2018, exact in SI 2019).
pub const STEFAN_BOLTZMANN: f64 = 5.670_374_419e-8;
/// Emissivity of oxidised steel, the default for a bare pipe (a default,
/// not a constant: aluminium jacketing is about 0.1, painted surfaces 0.9).
pub const DEFAULT_EMISSIVITY: f64 = 0.9;
/// Standard gravity [m/s²].
const G: f64 = 9.806_65;

/// How the outer convection coefficient is found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Convection {
    /// From the correlations (Churchill–Chu, Churchill–Bernstein, mixed).
    Correlations,
    /// A given coefficient, used as is.
    Fixed(HeatTransferCoefficient),
}

/// One layer of insulation around the pipe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Insulation {
    /// Radial thickness.
    pub thickness: Length,
    /// Thermal conductivity at the layer's mean temperature.
    pub conductivity: ThermalConductivity,
}

/// A horizontal pipe in air.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PipeHeatLossInput {
    /// Temperature of the steam or condensate inside.
    pub fluid_temperature: Temperature,
    /// Air temperature far from the pipe.
    pub ambient_temperature: Temperature,
    /// Temperature of the surroundings the surface radiates to (walls,
    /// sky); `None` takes the air temperature.
    pub surroundings_temperature: Option<Temperature>,
    /// Outside diameter of the pipe itself (not of the insulation).
    pub outer_diameter: Length,
    /// Pipe length (0 gives the per-length figures only).
    pub length: Length,
    /// The insulation, if any.
    pub insulation: Option<Insulation>,
    /// Emissivity of the outer surface (pipe or insulation jacket), 0 to 1.
    pub emissivity: f64,
    /// Wind speed across the pipe (0 for still air).
    pub wind_speed: Velocity,
    /// Air pressure (for the air properties).
    pub air_pressure: Pressure,
    /// How the convection coefficient is found.
    pub convection: Convection,
}

impl PipeHeatLossInput {
    /// A bare oxidised-steel pipe (ε = 0.9) in still air at 1 atm,
    /// radiating to surroundings at the air temperature.
    pub fn bare(
        fluid: Temperature,
        ambient: Temperature,
        outer_diameter: Length,
        length: Length,
    ) -> Self {
        PipeHeatLossInput {
            fluid_temperature: fluid,
            ambient_temperature: ambient,
            surroundings_temperature: None,
            outer_diameter,
            length,
            insulation: None,
            emissivity: DEFAULT_EMISSIVITY,
            wind_speed: Velocity::from_m_per_s(0.0),
            air_pressure: Pressure::from_pa(crate::units::STANDARD_ATMOSPHERE_PA),
            convection: Convection::Correlations,
        }
    }
}

/// The heat a pipe loses and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PipeHeatLoss {
    /// Loss per metre of pipe.
    pub per_length: LinearHeatFlow,
    /// Loss of the whole length.
    pub total: Power,
    /// Radiated part per metre.
    pub radiation_per_length: LinearHeatFlow,
    /// Convected part per metre.
    pub convection_per_length: LinearHeatFlow,
    /// Temperature of the outer surface (pipe or insulation).
    pub surface_temperature: Temperature,
    /// Diameter of the outer surface.
    pub surface_diameter: Length,
    /// Outer convection coefficient.
    pub convection_coefficient: HeatTransferCoefficient,
    /// Equivalent radiation coefficient q″ᵣ/(Tₛ − Tₛᵤᵣ) (0 when they are equal).
    pub radiation_coefficient: HeatTransferCoefficient,
    /// Natural-convection Nusselt number (None with a fixed coefficient).
    pub nusselt_natural: Option<f64>,
    /// Forced-convection Nusselt number (None in still air or with a fixed coefficient).
    pub nusselt_forced: Option<f64>,
}

/// Churchill–Chu average Nusselt number of a horizontal isothermal cylinder
/// in natural convection (Incropera eq. 9.34), for Ra ≤ 10¹² (beyond, an
/// extrapolation).
///
/// Errors: a Rayleigh number that is negative or not finite, a Prandtl
/// number that is not positive and finite.
pub fn churchill_chu_horizontal_cylinder(rayleigh: f64, prandtl: f64) -> Result<f64> {
    let ra = non_negative("Rayleigh number", rayleigh)?;
    let pr = positive("Prandtl number", prandtl)?;
    let shape = (1.0 + (0.559 / pr).powf(9.0 / 16.0)).powf(8.0 / 27.0);
    let root = 0.60 + 0.387 * ra.powf(1.0 / 6.0) / shape;
    finite("natural-convection Nusselt number", root * root)
}

/// Churchill–Bernstein average Nusselt number of a cylinder in cross flow
/// (Incropera eq. 7.54), for Re Pr ≥ 0.2 (below, it tends to 0.3 and
/// natural convection dominates the mixed value).
///
/// Errors: a Reynolds number that is negative or not finite, a Prandtl
/// number that is not positive and finite.
pub fn churchill_bernstein(reynolds: f64, prandtl: f64) -> Result<f64> {
    let re = non_negative("Reynolds number", reynolds)?;
    let pr = positive("Prandtl number", prandtl)?;
    let main =
        0.62 * re.sqrt() * pr.powf(1.0 / 3.0) / (1.0 + (0.4 / pr).powf(2.0 / 3.0)).powf(0.25);
    let nu = 0.3 + main * (1.0 + (re / 282_000.0).powf(5.0 / 8.0)).powf(4.0 / 5.0);
    finite("forced-convection Nusselt number", nu)
}

/// Mixed convection for transverse flow: Nu = (Nu_F³ + Nu_N³)^(1/3)
/// (Incropera §9.9, n = 3).
///
/// Errors: either Nusselt number negative or not finite.
pub fn mixed_convection(nusselt_forced: f64, nusselt_natural: f64) -> Result<f64> {
    let forced = non_negative("forced-convection Nusselt number", nusselt_forced)?;
    let natural = non_negative("natural-convection Nusselt number", nusselt_natural)?;
    finite(
        "mixed-convection Nusselt number",
        (forced.powi(3) + natural.powi(3)).cbrt(),
    )
}

/// The air side at one surface temperature.
struct Surface {
    /// Convection q″ [W/m²] (signed).
    conv: f64,
    /// Radiation q″ [W/m²] (signed).
    rad: f64,
    h: f64,
    nu_natural: Option<f64>,
    nu_forced: Option<f64>,
}

/// Checked, SI-valued inputs.
struct Checked {
    t_fluid: f64,
    t_air: f64,
    t_sur: f64,
    d_pipe: f64,
    length: f64,
    insulation: Option<(f64, f64)>,
    emissivity: f64,
    wind: f64,
    pressure: Pressure,
    convection: Convection,
}

fn check_temperature(name: &'static str, t: Temperature) -> Result<f64> {
    let t = positive(name, t.kelvin())?;
    if t <= 2000.0 {
        Ok(t)
    } else {
        Err(CalcError::OutOfRange {
            name,
            value: t,
            expected: "at most 2000 K",
        })
    }
}

fn check(input: &PipeHeatLossInput) -> Result<Checked> {
    let t_air = check_temperature("ambient temperature [K]", input.ambient_temperature)?;
    let insulation = match input.insulation {
        None => None,
        Some(layer) => Some((
            positive("insulation thickness [m]", layer.thickness.m())?,
            positive(
                "insulation conductivity [W/(m K)]",
                layer.conductivity.w_per_m_k(),
            )?,
        )),
    };
    let convection = match input.convection {
        Convection::Fixed(h) => Convection::Fixed(HeatTransferCoefficient::from_w_per_m2_k(
            non_negative("convection coefficient [W/(m2 K)]", h.w_per_m2_k())?,
        )),
        c => c,
    };
    Ok(Checked {
        t_fluid: check_temperature("fluid temperature [K]", input.fluid_temperature)?,
        t_air,
        t_sur: match input.surroundings_temperature {
            Some(t) => check_temperature("surroundings temperature [K]", t)?,
            None => t_air,
        },
        d_pipe: positive("pipe outer diameter [m]", input.outer_diameter.m())?,
        length: non_negative("pipe length [m]", input.length.m())?,
        insulation,
        emissivity: fraction("emissivity", input.emissivity)?,
        wind: non_negative("wind speed [m/s]", input.wind_speed.m_per_s())?,
        pressure: Pressure::from_pa(positive("air pressure [Pa]", input.air_pressure.pa())?),
        convection,
    })
}

impl Checked {
    /// Heat flux from a surface of diameter `d` at `ts` to the air and surroundings.
    fn surface(&self, d: f64, ts: f64) -> Result<Surface> {
        let rad = self.emissivity * STEFAN_BOLTZMANN * (ts.powi(4) - self.t_sur.powi(4));
        let dt = ts - self.t_air;
        let (h, nu_natural, nu_forced) = match self.convection {
            Convection::Fixed(h) => (h.w_per_m2_k(), None, None),
            Convection::Correlations => {
                let film = Temperature::from_kelvin(0.5 * (ts + self.t_air));
                let air = air_properties(film, self.pressure)?;
                let ra = G * air.beta_per_k * dt.abs() * d.powi(3)
                    / (air.nu_m2_per_s * air.alpha_m2_per_s);
                let nu_n = churchill_chu_horizontal_cylinder(ra, air.prandtl)?;
                let nu_f = if self.wind > 0.0 {
                    Some(churchill_bernstein(
                        self.wind * d / air.nu_m2_per_s,
                        air.prandtl,
                    )?)
                } else {
                    None
                };
                let nu = match nu_f {
                    Some(forced) => mixed_convection(forced, nu_n)?,
                    None => nu_n,
                };
                (nu * air.k.w_per_m_k() / d, Some(nu_n), nu_f)
            }
        };
        Ok(Surface {
            conv: h * dt,
            rad,
            h,
            nu_natural,
            nu_forced,
        })
    }
}

/// Bisection iterations for the insulated surface temperature: from a
/// bracket of at most 2000 K to below 1e-9 K needs 41; 200 leaves margin.
const MAX_BISECTIONS: usize = 200;

/// Solves the insulated surface temperature: conduction through the layer
/// equals the loss from its surface.
fn insulated_surface_temperature(c: &Checked, d_out: f64, conductance: f64) -> Result<f64> {
    // Heat conducted through the insulation minus heat leaving the surface, per metre.
    let imbalance = |ts: f64| -> Result<f64> {
        let s = c.surface(d_out, ts)?;
        Ok(conductance * (c.t_fluid - ts) - PI * d_out * (s.conv + s.rad))
    };
    let mut lo = c.t_fluid.min(c.t_air).min(c.t_sur);
    let mut hi = c.t_fluid.max(c.t_air).max(c.t_sur);
    // imbalance(lo) ≥ 0 ≥ imbalance(hi): every term has the right sign there.
    for _ in 0..MAX_BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if hi - lo <= 1e-10 * hi {
            return Ok(mid);
        }
        if imbalance(mid)? > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Err(CalcError::NoConvergence {
        what: "insulated surface temperature",
    })
}

/// Heat loss of a horizontal pipe (see the module docs for the equations).
///
/// A fluid colder than its surroundings gives a negative loss (a gain).
///
/// Errors: any input NaN or infinite; a non-positive diameter, temperature,
/// insulation thickness or conductivity; a negative length, wind speed or
/// fixed coefficient; an emissivity outside [0, 1]; a film temperature
/// outside the air-property range (200–1800 K) or an air pressure outside
/// 1 kPa–1 MPa.
pub fn pipe_heat_loss(input: &PipeHeatLossInput) -> Result<PipeHeatLoss> {
    let c = check(input)?;
    let (d_out, ts) = match c.insulation {
        None => (c.d_pipe, c.t_fluid),
        Some((thickness, k)) => {
            let d_out = c.d_pipe + 2.0 * thickness;
            let conductance = 2.0 * PI * k / (d_out / c.d_pipe).ln();
            let conductance = finite("insulation conductance [W/(m K)]", conductance)?;
            (
                d_out,
                insulated_surface_temperature(&c, d_out, conductance)?,
            )
        }
    };
    let surface = c.surface(d_out, ts)?;
    let area_per_length = PI * d_out;
    let q_rad = finite("radiated heat [W/m]", surface.rad * area_per_length)?;
    let q_conv = finite("convected heat [W/m]", surface.conv * area_per_length)?;
    let q = q_rad + q_conv;
    let h_rad = if ts != c.t_sur {
        surface.rad / (ts - c.t_sur)
    } else {
        0.0
    };
    Ok(PipeHeatLoss {
        per_length: LinearHeatFlow::from_w_per_m(q),
        total: Power::from_w(finite("total heat loss [W]", q * c.length)?),
        radiation_per_length: LinearHeatFlow::from_w_per_m(q_rad),
        convection_per_length: LinearHeatFlow::from_w_per_m(q_conv),
        surface_temperature: Temperature::from_kelvin(ts),
        surface_diameter: Length::from_m(d_out),
        convection_coefficient: HeatTransferCoefficient::from_w_per_m2_k(surface.h),
        radiation_coefficient: HeatTransferCoefficient::from_w_per_m2_k(h_rad),
        nusselt_natural: surface.nu_natural,
        nusselt_forced: surface.nu_forced,
    })
}

/// Steam condensed by a heat loss from saturated steam: ṁ = Q / h_fg, with
/// the latent heat at the saturation point given (the seed design's
/// "equivalent steam loss"). Superheated steam first gives up its superheat,
/// so for it this slightly overstates the condensate.
///
/// Errors: a NaN, infinite or negative heat loss.
pub fn condensation_rate(heat_loss: Power, saturation: &Saturation) -> Result<MassFlow> {
    let q = non_negative("heat loss [W]", heat_loss.w())?;
    let hfg = positive("latent heat [J/kg]", saturation.hfg().j_per_kg())?;
    Ok(MassFlow::from_kg_per_s(q / hfg))
}

/// [`condensation_rate`] with the latent heat at a steam pressure (IF97).
pub fn condensation_rate_at_pressure(heat_loss: Power, pressure: Pressure) -> Result<MassFlow> {
    condensation_rate(heat_loss, &Saturation::at_pressure(pressure)?)
}

#[cfg(test)]
mod tests;
