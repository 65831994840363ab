//! Deterministic random streams.
//!
//! Every random draw of a run comes from a named stream seeded from the run's
//! seed and the stream's name (FNV-1a, then SplitMix64 to fill the state of a
//! xoshiro256++ generator). Streams are independent: adding a fault that
//! draws from its own stream leaves the demand and the sensor noise of the
//! run exactly as they were.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// One named random stream.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    rng: Xoshiro256PlusPlus,
    /// The second normal deviate of the last Box–Muller pair.
    spare: Option<f64>,
}

/// FNV-1a of the name, mixed with the seed.
fn mix(seed: u64, name: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ seed.rotate_left(17);
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// SplitMix64 step (Steele, Lea & Flood 2014), used to expand one u64 seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Stream {
    /// The stream `name` of the run seeded with `seed`.
    pub(crate) fn new(seed: u64, name: &str) -> Self {
        let mut state = mix(seed, name);
        let mut bytes = [0_u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix(&mut state).to_le_bytes());
        }
        Stream {
            rng: Xoshiro256PlusPlus::from_seed(bytes),
            spare: None,
        }
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.uniform() < p
    }

    /// Standard normal deviate (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(spare) = self.spare.take() {
            return spare;
        }
        // 1 − u lies in (0, 1], so its logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let radius = (-2.0 * u1.ln()).sqrt();
        let angle = std::f64::consts::TAU * u2;
        self.spare = Some(radius * angle.sin());
        radius * angle.cos()
    }

    /// An index below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |seed, name| {
            let mut s = Stream::new(seed, name);
            (0..4).map(|_| s.uniform()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, "noise"), draw(7, "noise"));
        assert_ne!(draw(7, "noise"), draw(8, "noise"));
        assert_ne!(draw(7, "noise"), draw(7, "demand"));
    }

    #[test]
    fn normal_deviates_have_unit_variance() {
        let mut s = Stream::new(1, "test");
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n);
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
