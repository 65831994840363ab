//! One backward equation v(p,T) of SR5-05 and its evaluation.

/// How the dimensionless sum of an equation becomes v/v*.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Form {
    /// SR5-05 eq. 4: v/v* = [Σ nᵢ ((π − a)^c)^Iᵢ ((θ − b)^d)^Jᵢ]^e.
    Power { c: f64, d: f64, e: i32 },
    /// SR5-05 eq. 5, subregion 3n only: v/v* = exp[Σ nᵢ (π − a)^Iᵢ (θ − b)^Jᵢ].
    Exponential,
}

/// A subregion's backward equation: its reducing quantities, the shifts a
/// and b of the reduced pressure and temperature, its form and its
/// (Iᵢ, Jᵢ, nᵢ) terms.
#[derive(Debug)]
pub(super) struct Subregion {
    /// The release's name, "3a" to "3z".
    pub(super) name: &'static str,
    /// Reducing specific volume v* [m³/kg].
    pub(super) v_star: f64,
    /// Reducing pressure p* [MPa].
    pub(super) p_star: f64,
    /// Reducing temperature T* [K].
    pub(super) t_star: f64,
    /// Shift of the reduced pressure π = p/p*.
    pub(super) a: f64,
    /// Shift of the reduced temperature θ = T/T*.
    pub(super) b: f64,
    pub(super) form: Form,
    /// (Iᵢ, Jᵢ, nᵢ) in the release's order.
    pub(super) terms: &'static [(i32, i32, f64)],
}

impl Subregion {
    /// Specific volume [m³/kg] at p [MPa] and T [K] from this subregion's
    /// equation. Outside its subregion the value is an extrapolation, NaN
    /// where a fractional power of a negative base would be needed.
    pub(super) fn v(&self, p: f64, t: f64) -> f64 {
        let x = p / self.p_star - self.a;
        let y = t / self.t_star - self.b;
        let reduced = match self.form {
            Form::Power { c, d, e } => self.sum(x.powf(c), y.powf(d)).powi(e),
            Form::Exponential => self.sum(x, y).exp(),
        };
        self.v_star * reduced
    }

    /// Σ nᵢ x^Iᵢ y^Jᵢ.
    fn sum(&self, x: f64, y: f64) -> f64 {
        self.terms
            .iter()
            .map(|&(i, j, n)| n * x.powi(i) * y.powi(j))
            .sum()
    }
}
