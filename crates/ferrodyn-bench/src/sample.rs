//! Choosing keys: a small fast random generator, and uniform or Zipfian
//! choice of an index in `0..n`.
//!
//! The Zipfian sampler is the one YCSB uses (Gray et al., "Quickly
//! generating billion-record synthetic databases", SIGMOD 1994): after an
//! O(n) set-up that sums `1/i^theta`, each draw costs one `powf`. Rank 0 is
//! the most popular. Ranks are then scattered over the key space by a
//! bijection, as YCSB's "scrambled Zipfian" does, so that the hot keys are
//! not all neighbours (which would put them in one partition and, on an
//! ordered store, in one block).

/// YCSB's default skew: the most popular of 10,000 keys gets about 10% of
/// the draws.
pub const ZIPF_THETA: f64 = 0.99;

/// A prime larger than any key count, so that multiplying by it modulo `n`
/// permutes `0..n`.
const SCATTER_PRIME: u128 = (1 << 61) - 1;

/// wyrand: one multiply per draw, good enough statistically for choosing
/// keys and filling values, and not for anything secret.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift; the bias
    /// is below 2^-32 for any `n` the generator uses.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Zipfian ranks in `0..n`.
#[derive(Debug, Clone, Copy)]
pub struct Zipfian {
    n: u64,
    alpha: f64,
    zeta_n: f64,
    eta: f64,
    /// `1 + 0.5^theta`: below it (in units of `zeta_n`) the draw is rank 0 or 1.
    zeta_2: f64,
}

impl Zipfian {
    /// A sampler over `0..n` (`n >= 1`) with skew `theta` in `(0, 1)`.
    pub fn new(n: u64, theta: f64) -> Zipfian {
        let n = n.max(1);
        let zeta_n: f64 = (1..=n).map(|i| 1.0 / (i as f64).powf(theta)).sum();
        let zeta_2 = 1.0 + 0.5f64.powf(theta);
        let eta = (1.0 - (2.0 / n as f64).powf(1.0 - theta)) / (1.0 - zeta_2 / zeta_n);
        Zipfian {
            n,
            alpha: 1.0 / (1.0 - theta),
            zeta_n,
            eta,
            zeta_2,
        }
    }

    /// The probability of rank 0, `1 / zeta(n)`.
    pub fn top_probability(&self) -> f64 {
        1.0 / self.zeta_n
    }

    /// A rank, 0 the most popular.
    pub fn rank(&self, rng: &mut Rng) -> u64 {
        let u = rng.unit();
        let uz = u * self.zeta_n;
        if uz < 1.0 {
            return 0;
        }
        if uz < self.zeta_2 {
            return 1.min(self.n - 1);
        }
        // For n <= 2 the branches above take every draw, so `eta` (not
        // finite there) is never used.
        let r = (self.n as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64;
        r.min(self.n - 1)
    }
}

/// Chooses an index in `0..n`.
#[derive(Debug, Clone, Copy)]
pub enum Chooser {
    /// Every index equally likely.
    Uniform(u64),
    /// Zipfian ranks, scattered over `0..n`.
    Zipfian(Zipfian),
}

impl Chooser {
    /// One index.
    pub fn next(&self, rng: &mut Rng) -> u64 {
        match self {
            Chooser::Uniform(n) => rng.below(*n),
            Chooser::Zipfian(z) => scatter(z.rank(rng), z.n),
        }
    }

    /// How many indexes it chooses from.
    pub fn count(&self) -> u64 {
        match self {
            Chooser::Uniform(n) => *n,
            Chooser::Zipfian(z) => z.n,
        }
    }
}

/// A bijection of `0..n` onto itself, for any `n` below 2^61 - 1.
pub fn scatter(rank: u64, n: u64) -> u64 {
    ((u128::from(rank) * SCATTER_PRIME) % u128::from(n)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipfian_distribution_is_sane() {
        let n = 1000;
        let z = Zipfian::new(n, ZIPF_THETA);
        let mut rng = Rng::new(42);
        let draws = 400_000;
        let mut counts = vec![0u64; n as usize];
        for _ in 0..draws {
            let r = z.rank(&mut rng);
            assert!(r < n);
            counts[r as usize] += 1;
        }
        // Rank 0's share matches 1/zeta(n) within 5%.
        let p0 = counts[0] as f64 / draws as f64;
        let expected = z.top_probability();
        assert!(
            (p0 - expected).abs() / expected < 0.05,
            "p0 {p0} vs {expected}"
        );
        // Rank 1 has about half of rank 0's draws (1/2^0.99).
        let ratio = counts[1] as f64 / counts[0] as f64;
        assert!((0.45..0.56).contains(&ratio), "ratio {ratio}");
        // Popularity falls with rank, and the head dominates the tail.
        assert!(counts[0] > counts[9] && counts[9] > counts[99] && counts[99] > counts[999]);
        let head: u64 = counts[..10].iter().sum();
        let tail: u64 = counts[500..].iter().sum();
        assert!(head > tail, "head {head} tail {tail}");
    }

    #[test]
    fn tiny_key_spaces() {
        let mut rng = Rng::new(7);
        for n in [1, 2, 3] {
            let z = Zipfian::new(n, ZIPF_THETA);
            for _ in 0..1000 {
                assert!(z.rank(&mut rng) < n);
            }
        }
    }

    #[test]
    fn scatter_is_a_permutation() {
        for n in [1u64, 10, 1000, 1001, 4096] {
            let mut seen = vec![false; n as usize];
            for r in 0..n {
                let i = scatter(r, n) as usize;
                assert!(!seen[i], "{r} collides in {n}");
                seen[i] = true;
            }
        }
    }

    #[test]
    fn uniform_covers_the_range() {
        let c = Chooser::Uniform(10);
        let mut rng = Rng::new(1);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[c.next(&mut rng) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&k| (9_000..11_000).contains(&k)),
            "{counts:?}"
        );
    }
}
