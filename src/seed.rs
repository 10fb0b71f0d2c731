//! Seeds of every random choice in the project: tests, benchmarks, the
//! trainer. `SIEVINGNET_SEED` overrides a default seed everywhere, and every
//! user of a seed prints it on failure so a run can be repeated exactly.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The environment variable that overrides default seeds.
pub const ENV: &str = "SIEVINGNET_SEED";

/// The seed in `SIEVINGNET_SEED`, if set; an error naming the variable when
/// it is not an unsigned integer.
pub fn try_from_env() -> Result<Option<u64>, String> {
    match std::env::var(ENV) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map(Some).map_err(|_| {
            format!("{ENV} = {v:?} is not a seed: set it to an unsigned integer, or unset it")
        }),
        _ => Ok(None),
    }
}

/// The seed in `SIEVINGNET_SEED`, else `default`. Panics, naming the
/// variable, when it is set to something that is not a number (a test or
/// benchmark must not silently run another seed than asked).
pub fn from_env(default: u64) -> u64 {
    match try_from_env() {
        Ok(s) => s.unwrap_or(default),
        Err(e) => panic!("{e}"),
    }
}

/// A generator for `seed`, with `salt` separating independent streams drawn
/// from one seed (one test's pairs and its pacing, say).
pub fn rng(seed: u64, salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn salts_give_independent_streams() {
        let a: u64 = rng(1, 0).gen();
        let b: u64 = rng(1, 1).gen();
        assert_ne!(a, b);
        assert_eq!(a, rng(1, 0).gen::<u64>());
    }
}
