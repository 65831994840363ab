//! Constants of IAPWS R7-97(2012), section 2.

/// Specific gas constant of ordinary water \[kJ/(kg K)\] (eq. 1).
pub const R: f64 = 0.461_526;
/// Critical temperature \[K\] (eq. 2).
pub const TC: f64 = 647.096;
/// Critical pressure \[MPa\] (eq. 3).
pub const PC: f64 = 22.064;
/// Critical density \[kg/m³\] (eq. 4).
pub const RHOC: f64 = 322.0;
/// Triple-point temperature \[K\].
pub const T_TRIPLE: f64 = 273.16;
/// Triple-point pressure \[MPa\] (R7-97(2012) eq. 9), the lowest pressure of
/// the metastable-vapour equation.
pub const P_TRIPLE: f64 = 0.000_611_657;
/// Lowest temperature of IF97 \[K\].
pub const T_MIN: f64 = 273.15;
/// Boundary temperature between regions 1 and 3 \[K\].
pub const T_13: f64 = 623.15;
/// Highest temperature of the B23 boundary \[K\].
pub const T_B23_MAX: f64 = 863.15;
/// Highest temperature of region 2 \[K\].
pub const T_25: f64 = 1073.15;
/// Highest temperature of region 5 \[K\].
pub const T_MAX: f64 = 2273.15;
/// Highest pressure of regions 1, 2 and 3 \[MPa\].
pub const P_MAX: f64 = 100.0;
/// Highest pressure of region 5 \[MPa\].
pub const P_MAX_5: f64 = 50.0;
/// Saturation pressure at 623.15 K, where region 4 meets region 3 \[MPa\].
pub const P_SAT_623: f64 = 16.529_164_252_605;
/// Saturation pressure at 273.15 K, the lowest IF97 pressure on the saturation line \[MPa\].
pub const P_SAT_273: f64 = 0.000_611_212_677_444;
