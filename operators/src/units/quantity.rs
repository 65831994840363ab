//! Newtypes for physical quantities, stored in SI base units.
//!
//! The constructors and accessors name their unit (`Pressure::from_bar`,
//! `Pressure::mpa`), so a reader always sees which unit a number is in.
//! Plain `bar` and `psi` are absolute; gauge pressure has its own
//! constructors (`from_barg`, `from_psig`) relative to the standard
//! atmosphere, 101 325 Pa.

use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// The standard atmosphere, the reference for gauge pressures [Pa].
pub const STANDARD_ATMOSPHERE_PA: f64 = 101_325.0;
/// 0 °C in kelvin.
pub const CELSIUS_OFFSET_K: f64 = 273.15;
/// One pound-force per square inch in pascal (exact by definition of lbf and inch).
pub const PSI_PA: f64 = 6_894.757_293_168_361;
/// One pound in kilograms (exact).
pub const POUND_KG: f64 = 0.453_592_37;
/// One inch in metres (exact).
pub const INCH_M: f64 = 0.0254;
/// One international foot in metres (exact).
pub const FOOT_M: f64 = 0.3048;
/// One British thermal unit (IT) in joules.
pub const BTU_J: f64 = 1_055.055_852_62;

macro_rules! quantity {
    (
        $(#[$doc:meta])*
        $name:ident, si = $si_unit:literal, $si_ctor:ident / $si_get:ident
        $(, $ctor:ident / $get:ident = $factor:expr)* $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
        pub struct $name(f64);

        impl $name {
            /// The SI unit this quantity is stored in.
            pub const SI_UNIT: &'static str = $si_unit;
            #[doc = concat!("From a value in ", $si_unit, " (SI).")]
            #[inline]
            pub const fn $si_ctor(value: f64) -> Self {
                Self(value)
            }
            #[doc = concat!("The value in ", $si_unit, " (SI).")]
            #[inline]
            pub const fn $si_get(self) -> f64 {
                self.0
            }
            $(
                #[doc = concat!("From a value in the unit `", stringify!($get), "` (", stringify!($factor), " ", $si_unit, " each).")]
                #[inline]
                pub fn $ctor(value: f64) -> Self {
                    Self(value * ($factor))
                }
                #[doc = concat!("The value in the unit `", stringify!($get), "`.")]
                #[inline]
                pub fn $get(self) -> f64 {
                    self.0 / ($factor)
                }
            )*
            /// True when the value is neither NaN nor infinite.
            #[inline]
            pub fn is_finite(self) -> bool {
                self.0.is_finite()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} {})", stringify!($name), self.0, $si_unit)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $si_unit)
            }
        }

        impl Add for $name {
            type Output = Self;
            #[inline]
            fn add(self, rhs: Self) -> Self {
                Self(self.0 + rhs.0)
            }
        }

        impl Sub for $name {
            type Output = Self;
            #[inline]
            fn sub(self, rhs: Self) -> Self {
                Self(self.0 - rhs.0)
            }
        }

        impl Neg for $name {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                Self(-self.0)
            }
        }

        impl Mul<f64> for $name {
            type Output = Self;
            #[inline]
            fn mul(self, rhs: f64) -> Self {
                Self(self.0 * rhs)
            }
        }

        impl Div<f64> for $name {
            type Output = Self;
            #[inline]
            fn div(self, rhs: f64) -> Self {
                Self(self.0 / rhs)
            }
        }

        /// The ratio of two quantities of the same kind is a plain number.
        impl Div for $name {
            type Output = f64;
            #[inline]
            fn div(self, rhs: Self) -> f64 {
                self.0 / rhs.0
            }
        }
    };
}

quantity!(
    /// Absolute pressure. Gauge values enter through [`Pressure::from_barg`]
    /// and [`Pressure::from_psig`].
    Pressure, si = "Pa", from_pa / pa,
    from_kpa / kpa = 1e3,
    from_mpa / mpa = 1e6,
    from_bar / bar = 1e5,
    from_psi / psi = PSI_PA,
);

impl Pressure {
    /// From a gauge pressure in bar (relative to 1.01325 bar).
    #[inline]
    pub fn from_barg(value: f64) -> Self {
        Self(value * 1e5 + STANDARD_ATMOSPHERE_PA)
    }
    /// The gauge pressure in bar (relative to 1.01325 bar).
    #[inline]
    pub fn barg(self) -> f64 {
        (self.0 - STANDARD_ATMOSPHERE_PA) / 1e5
    }
    /// From a gauge pressure in psi (relative to 14.696 psi).
    #[inline]
    pub fn from_psig(value: f64) -> Self {
        Self(value * PSI_PA + STANDARD_ATMOSPHERE_PA)
    }
    /// The gauge pressure in psi (relative to 14.696 psi).
    #[inline]
    pub fn psig(self) -> f64 {
        (self.0 - STANDARD_ATMOSPHERE_PA) / PSI_PA
    }
}

quantity!(
    /// A pressure difference (drop or rise); no atmosphere offset applies.
    PressureDifference, si = "Pa", from_pa / pa,
    from_kpa / kpa = 1e3,
    from_mpa / mpa = 1e6,
    from_bar / bar = 1e5,
    from_psi / psi = PSI_PA,
);

quantity!(
    /// Thermodynamic temperature.
    Temperature, si = "K", from_kelvin / kelvin,
);

impl Temperature {
    /// From degrees Celsius.
    #[inline]
    pub fn from_celsius(value: f64) -> Self {
        Self(value + CELSIUS_OFFSET_K)
    }
    /// In degrees Celsius.
    #[inline]
    pub fn celsius(self) -> f64 {
        self.0 - CELSIUS_OFFSET_K
    }
    /// From degrees Fahrenheit.
    #[inline]
    pub fn from_fahrenheit(value: f64) -> Self {
        Self((value - 32.0) * 5.0 / 9.0 + CELSIUS_OFFSET_K)
    }
    /// In degrees Fahrenheit.
    #[inline]
    pub fn fahrenheit(self) -> f64 {
        (self.0 - CELSIUS_OFFSET_K) * 9.0 / 5.0 + 32.0
    }
}

quantity!(
    /// A temperature difference; 1 K = 1 °C, 1 °F = 5/9 K (no offset).
    TemperatureDifference, si = "K", from_kelvin / kelvin,
    from_fahrenheit / fahrenheit = 5.0 / 9.0,
);

quantity!(
    /// Specific enthalpy or specific internal energy.
    SpecificEnthalpy, si = "J/kg", from_j_per_kg / j_per_kg,
    from_kj_per_kg / kj_per_kg = 1e3,
    from_btu_per_lb / btu_per_lb = BTU_J / POUND_KG,
);

quantity!(
    /// Specific entropy.
    SpecificEntropy, si = "J/(kg K)", from_j_per_kg_k / j_per_kg_k,
    from_kj_per_kg_k / kj_per_kg_k = 1e3,
);

quantity!(
    /// Specific isobaric or isochoric heat capacity.
    SpecificHeatCapacity, si = "J/(kg K)", from_j_per_kg_k / j_per_kg_k,
    from_kj_per_kg_k / kj_per_kg_k = 1e3,
);

quantity!(
    /// Specific volume.
    SpecificVolume, si = "m3/kg", from_m3_per_kg / m3_per_kg,
);

quantity!(
    /// Mass density.
    Density, si = "kg/m3", from_kg_per_m3 / kg_per_m3,
);

quantity!(
    /// Speed (flow velocity, speed of sound, wind speed).
    Velocity, si = "m/s", from_m_per_s / m_per_s,
    from_km_per_h / km_per_h = 1.0 / 3.6,
    from_ft_per_s / ft_per_s = FOOT_M,
);

quantity!(
    /// Mass flow rate.
    MassFlow, si = "kg/s", from_kg_per_s / kg_per_s,
    from_kg_per_h / kg_per_h = 1.0 / 3600.0,
    from_t_per_h / t_per_h = 1000.0 / 3600.0,
    from_lb_per_h / lb_per_h = POUND_KG / 3600.0,
);

quantity!(
    /// Length, diameter or thickness.
    Length, si = "m", from_m / m,
    from_mm / mm = 1e-3,
    from_cm / cm = 1e-2,
    from_inch / inch = INCH_M,
    from_ft / ft = FOOT_M,
);

quantity!(
    /// Area.
    Area, si = "m2", from_m2 / m2,
    from_mm2 / mm2 = 1e-6,
    from_in2 / in2 = INCH_M * INCH_M,
);

quantity!(
    /// Power or heat flow rate.
    Power, si = "W", from_w / w,
    from_kw / kw = 1e3,
    from_mw / mw = 1e6,
    from_btu_per_h / btu_per_h = BTU_J / 3600.0,
);

quantity!(
    /// Heat flow per unit length of pipe.
    LinearHeatFlow, si = "W/m", from_w_per_m / w_per_m,
);

quantity!(
    /// Energy.
    Energy, si = "J", from_j / j,
    from_kj / kj = 1e3,
    from_mj / mj = 1e6,
    from_gj / gj = 1e9,
    from_kwh / kwh = 3.6e6,
    from_mwh / mwh = 3.6e9,
    from_mmbtu / mmbtu = BTU_J * 1e6,
);

quantity!(
    /// Thermal conductivity.
    ThermalConductivity, si = "W/(m K)", from_w_per_m_k / w_per_m_k,
);

quantity!(
    /// Heat transfer coefficient (film coefficient).
    HeatTransferCoefficient, si = "W/(m2 K)", from_w_per_m2_k / w_per_m2_k,
);

quantity!(
    /// Dynamic viscosity.
    DynamicViscosity, si = "Pa s", from_pa_s / pa_s,
    from_cp / centipoise = 1e-3,
);

quantity!(
    /// A span of time.
    Duration, si = "s", from_s / s,
    from_h / h = 3600.0,
    from_days / days = 86_400.0,
    from_years / years = 8_760.0 * 3600.0,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauge_and_absolute_pressure() {
        let p = Pressure::from_barg(10.0);
        assert!((p.bar() - 11.01325).abs() < 1e-12);
        assert!((p.barg() - 10.0).abs() < 1e-12);
        let p = Pressure::from_psig(0.0);
        assert!((p.psi() - 14.695_948_775).abs() < 1e-8);
    }

    #[test]
    fn temperature_scales() {
        let t = Temperature::from_fahrenheit(212.0);
        assert!((t.celsius() - 100.0).abs() < 1e-12);
        assert!((Temperature::from_celsius(25.0).kelvin() - 298.15).abs() < 1e-12);
    }

    #[test]
    fn mass_flow_units() {
        let m = MassFlow::from_t_per_h(3.6);
        assert!((m.kg_per_s() - 1.0).abs() < 1e-12);
        assert!((MassFlow::from_lb_per_h(1000.0).kg_per_h() - 453.59237).abs() < 1e-9);
    }
}
