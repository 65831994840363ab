//! Seeded Gaussian noise for the statistical tests (no dependency): the
//! SplitMix64 generator (Steele, Lea & Flood 2014) and the Box–Muller
//! transform.

/// A seeded source of standard normal numbers.
pub(crate) struct Gauss {
    state: u64,
    spare: Option<f64>,
}

impl Gauss {
    pub(crate) fn new(seed: u64) -> Self {
        Gauss {
            state: seed,
            spare: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal number.
    pub(crate) fn next(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let theta = std::f64::consts::TAU * self.uniform();
        self.spare = Some(r * theta.sin());
        r * theta.cos()
    }
}

#[test]
fn gauss_has_unit_moments() {
    let mut g = Gauss::new(7);
    let n = 200_000;
    let (mut sum, mut sq) = (0.0, 0.0);
    for _ in 0..n {
        let z = g.next();
        sum += z;
        sq += z * z;
    }
    let mean = sum / f64::from(n);
    let var = sq / f64::from(n) - mean * mean;
    assert!(mean.abs() < 0.01, "{mean}");
    assert!((var - 1.0).abs() < 0.01, "{var}");
}
