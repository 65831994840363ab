//! Evaluation of the sparse double power series Σ nₖ·a^Iₖ·b^Jₖ that every
//! IF97 equation is made of.
//!
//! Calling `powi` per term costs a chain of dependent multiplications for
//! every term (region 2 has exponents up to 58). Instead the powers of each
//! base are tabulated once per call, each power the product of two lower ones
//! (x^k = x^⌊k/2⌋·x^⌈k/2⌉), so the multiplication tree is only log₂ k deep and
//! the multiplications pipeline. Sums run in independent accumulators for the
//! same reason. Every loop over a table runs through [`unrolled`], which
//! spells it out as straight-line code; with the tables `const`, every
//! exponent and coefficient becomes an immediate operand, and the powers no
//! term needs are dropped as dead code.

/// A coefficient-table row (I, J, n): the term n·a^I·b^J.
pub(crate) type Term = (i32, i32, f64);

/// Most rows of a table, or entries of a power table, that [`unrolled`] handles.
pub(crate) const MAX_UNROLLED: usize = 64;

/// Calls f(0), f(1), …, f(N − 1) as straight-line code.
///
/// A `for` loop over a 40-row table is left rolled by the optimiser, with
/// the row's exponents loaded at run time; here each call sees a constant k,
/// so table lookups fold to constants and index checks vanish.
#[inline(always)]
pub(crate) fn unrolled<const N: usize>(mut f: impl FnMut(usize)) {
    const { assert!(N <= MAX_UNROLLED, "table too long for unrolled()") };
    macro_rules! steps {
        ($($k:literal)*) => { $( if $k < N { f($k); } )* };
    }
    steps!(
        0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60
        61 62 63
    );
}

/// x⁰ ..= x^(N−1).
#[inline(always)]
pub(crate) fn powers<const N: usize>(x: f64) -> [f64; N] {
    let mut table = [1.0; N];
    unrolled::<N>(|k| match k {
        0 => {}
        1 => table[1] = x,
        _ => table[k] = table[k / 2] * table[k - k / 2],
    });
    table
}

/// Integer powers x^e for −NEG < e < POS, the negative ones from 1/x.
#[derive(Clone, Copy)]
pub(crate) struct Powers<const NEG: usize, const POS: usize> {
    neg: [f64; NEG],
    pos: [f64; POS],
}

impl<const NEG: usize, const POS: usize> Powers<NEG, POS> {
    #[inline(always)]
    pub(crate) fn new(x: f64) -> Self {
        // Without negative exponents, skip the division.
        let inv = if NEG > 1 { 1.0 / x } else { 1.0 };
        Self::with_inverse(x, inv)
    }

    /// As [`Self::new`], when 1/x is known without a division.
    #[inline(always)]
    pub(crate) fn with_inverse(x: f64, inv: f64) -> Self {
        Self {
            neg: powers(inv),
            pos: powers(x),
        }
    }

    /// x^e; NaN for an exponent outside the table (a coefficient-table bug,
    /// which the verification tests would catch).
    #[inline(always)]
    pub(crate) fn get(&self, e: i32) -> f64 {
        let found = if e >= 0 {
            self.pos.get(e.unsigned_abs() as usize)
        } else {
            self.neg.get(e.unsigned_abs() as usize)
        };
        found.copied().unwrap_or(f64::NAN)
    }
}

/// Sizes `(NEG, POS)` of the [`Powers`] table that holds every exponent in
/// column `column` (0 for I, 1 for J) of `terms`, at compile time.
pub(crate) const fn exponent_bounds(terms: &[Term], column: usize) -> (usize, usize) {
    let (mut neg, mut pos) = (1, 1);
    let mut k = 0;
    while k < terms.len() {
        let e = if column == 0 { terms[k].0 } else { terms[k].1 };
        let size = e.unsigned_abs() as usize + 1;
        if e < 0 && size > neg {
            neg = size;
        } else if e >= 0 && size > pos {
            pos = size;
        }
        k += 1;
    }
    (neg, pos)
}

/// Σ n·x^I·y^J over a `const` table of (I, J, n) rows, with the power
/// tables of x and y sized to the table's exponents at compile time (by
/// [`exponent_bounds`]), so no exponent can fall outside them.
macro_rules! power_series {
    ($table:expr, $x:expr, $y:expr) => {{
        use $crate::if97::series::{Powers, exponent_bounds, series};
        let x_pow =
            Powers::<{ exponent_bounds(&$table, 0).0 }, { exponent_bounds(&$table, 0).1 }>::new($x);
        let y_pow =
            Powers::<{ exponent_bounds(&$table, 1).0 }, { exponent_bounds(&$table, 1).1 }>::new($y);
        series(&$table, |i| x_pow.get(i), |j| y_pow.get(j))
    }};
}
pub(crate) use power_series;

/// Σ n·a(I)·b(J) over `terms`, in four accumulators.
#[inline(always)]
pub(crate) fn series<const K: usize>(
    terms: &[Term; K],
    a: impl Fn(i32) -> f64,
    b: impl Fn(i32) -> f64,
) -> f64 {
    let mut lanes = [0.0; 4];
    unrolled::<K>(|k| {
        let (i, j, n) = terms[k];
        lanes[k % 4] += n * a(i) * b(j);
    });
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// The sums a Gibbs or Helmholtz equation needs for all its derivatives:
/// with tₖ = nₖ·a^Iₖ·b^Jₖ, `s0` = Σ tₖ, `si` = Σ Iₖ·tₖ, `sii` = Σ Iₖ(Iₖ−1)·tₖ,
/// `sj` = Σ Jₖ·tₖ, `sjj` = Σ Jₖ(Jₖ−1)·tₖ and `sij` = Σ Iₖ·Jₖ·tₖ. Dividing by
/// the bases turns them into the partial derivatives.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sums {
    pub s0: f64,
    pub si: f64,
    pub sii: f64,
    pub sj: f64,
    pub sjj: f64,
    pub sij: f64,
}

/// All six [`Sums`] in one pass over `terms`.
#[inline(always)]
pub(crate) fn sums<const K: usize>(
    terms: &[Term; K],
    a: impl Fn(i32) -> f64,
    b: impl Fn(i32) -> f64,
) -> Sums {
    // Two lanes per sum: twelve independent chains keep the adders busy
    // without running out of registers.
    let mut lanes = [Sums::default(); 2];
    unrolled::<K>(|k| {
        let (i, j, n) = terms[k];
        let t = n * a(i) * b(j);
        let (fi, fj) = (f64::from(i), f64::from(j));
        let lane = &mut lanes[k % 2];
        // I and J are constants here, so the tests fold away; they skip the
        // terms whose weight is zero, which IEEE rules forbid the compiler
        // to drop by itself (0·t is not 0 for every t).
        lane.s0 += t;
        if i != 0 {
            lane.si += fi * t;
        }
        if i != 0 && i != 1 {
            lane.sii += fi * (fi - 1.0) * t;
        }
        if j != 0 {
            lane.sj += fj * t;
        }
        if j != 0 && j != 1 {
            lane.sjj += fj * (fj - 1.0) * t;
        }
        if i != 0 && j != 0 {
            lane.sij += fi * fj * t;
        }
    });
    let [x, y] = lanes;
    Sums {
        s0: x.s0 + y.s0,
        si: x.si + y.si,
        sii: x.sii + y.sii,
        sj: x.sj + y.sj,
        sjj: x.sjj + y.sjj,
        sij: x.sij + y.sij,
    }
}

/// The table of ∂/∂b: rows (I, J−1, n·J) for the rows with J ≠ 0, computed at
/// compile time. `M` must be the number of rows with J ≠ 0.
pub(crate) const fn d_db<const K: usize, const M: usize>(terms: &[Term; K]) -> [Term; M] {
    let mut out = [(0, 0, 0.0); M];
    let (mut k, mut m) = (0, 0);
    while k < K {
        let (i, j, n) = terms[k];
        if j != 0 {
            out[m] = (i, j - 1, n * j as f64);
            m += 1;
        }
        k += 1;
    }
    assert!(m == M, "M must count the rows with J != 0");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_match_powi() {
        let x = 1.137_f64;
        let table = powers::<60>(x);
        for (k, &p) in table.iter().enumerate() {
            let exact = x.powi(k as i32);
            assert!((p - exact).abs() <= 1e-14 * exact, "x^{k}");
        }
        let signed = Powers::<8, 8>::new(x);
        assert!((signed.get(-7) - x.powi(-7)).abs() < 1e-15);
        assert!(signed.get(8).is_nan() && signed.get(-8).is_nan());
    }

    #[test]
    fn exponent_bounds_cover_the_table() {
        const T: [Term; 3] = [(-12, 0, 1.0), (3, 36, 1.0), (0, -2, 1.0)];
        assert_eq!(exponent_bounds(&T, 0), (13, 4));
        assert_eq!(exponent_bounds(&T, 1), (3, 37));
        assert_eq!(exponent_bounds(&[], 1), (1, 1));
        let direct: f64 = T
            .iter()
            .map(|&(i, j, n)| n * 1.1f64.powi(i) * 0.9f64.powi(j))
            .sum();
        let fast = power_series!(T, 1.1, 0.9);
        assert!((fast - direct).abs() <= 1e-14 * direct.abs());
    }

    #[test]
    fn series_and_sums_agree_with_direct_evaluation() {
        const T: [Term; 5] = [
            (0, 0, 1.5),
            (1, 3, -2.0),
            (2, 0, 0.25),
            (3, 7, 1e-3),
            (5, -2, 4.0),
        ];
        const DT: [Term; 3] = d_db(&T);
        let (a, b) = (0.7_f64, 1.3_f64);
        let direct = |w: &dyn Fn(f64, f64) -> f64| -> f64 {
            T.iter()
                .map(|&(i, j, n)| w(f64::from(i), f64::from(j)) * n * a.powi(i) * b.powi(j))
                .sum()
        };
        let pa = Powers::<1, 8>::new(a);
        let pb = Powers::<4, 8>::new(b);
        let s = sums(&T, |i| pa.get(i), |j| pb.get(j));
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-14 * y.abs().max(1.0);
        assert!(close(
            series(&T, |i| pa.get(i), |j| pb.get(j)),
            direct(&|_, _| 1.0)
        ));
        assert!(close(s.s0, direct(&|_, _| 1.0)));
        assert!(close(s.si, direct(&|i, _| i)));
        assert!(close(s.sii, direct(&|i, _| i * (i - 1.0))));
        assert!(close(s.sj, direct(&|_, j| j)));
        assert!(close(s.sjj, direct(&|_, j| j * (j - 1.0))));
        assert!(close(s.sij, direct(&|i, j| i * j)));
        // The ∂/∂b table gives Σ n·J·a^I·b^(J−1) = sj / b.
        assert!(close(series(&DT, |i| pa.get(i), |j| pb.get(j)), s.sj / b));
    }
}
