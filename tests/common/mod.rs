//! Shared helpers of the integration tests: seeded randomness and stream
//! generators. `SIEVINGNET_SEED` overrides the seed; every failure message
//! carries the seed so it can be reproduced.
#![allow(dead_code)]

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sievingnet::model::Pair;
use sievingnet::UnitConfig;

/// The seed of the integration tests: `SIEVINGNET_SEED`, else a fixed one.
pub fn seed() -> u64 {
    sievingnet::seed::from_env(20261121)
}

/// The generator of one test (its `salt`), from [`seed`].
pub fn rng(salt: u64) -> ChaCha8Rng {
    sievingnet::seed::rng(seed(), salt)
}

/// A value of `bits` two's complement bits, biased towards the corners
/// (zero, one, all-ones magnitudes, most negative) a quarter of the time.
pub fn value(rng: &mut ChaCha8Rng, (lo, hi): (i64, i64)) -> i64 {
    if rng.gen_bool(0.25) {
        let corners = [0, 1, -1, lo, hi, lo + 1, hi / 2 + 1, -(hi / 2 + 1)];
        corners[rng.gen_range(0..corners.len())]
    } else {
        rng.gen_range(lo..=hi)
    }
}

/// `pairs` with every threshold the lowest (nothing sieved): the exact
/// products the MAC computes.
pub fn unsieved(cfg: &UnitConfig, pairs: &[Pair]) -> Vec<Pair> {
    let thr = cfg.t_range().0;
    pairs.iter().map(|&p| Pair { thr, ..p }).collect()
}

/// Random pairs: vectors of 1 to `max_len` pairs, thresholds around the
/// interesting range (-2 ..= a_bits + w_bits + 1), sometimes the extremes.
pub fn random_pairs(cfg: &UnitConfig, n: usize, max_len: usize, rng: &mut ChaCha8Rng) -> Vec<Pair> {
    let (tlo, thi) = cfg.t_range();
    let top = (cfg.a_bits() + cfg.w_bits() + 1) as i64;
    let mut pairs = Vec::with_capacity(n);
    let mut left = rng.gen_range(1..=max_len);
    for i in 0..n {
        let thr = if rng.gen_bool(0.05) {
            if rng.gen_bool(0.5) {
                tlo
            } else {
                thi
            }
        } else {
            rng.gen_range(-2..=top.min(thi))
        };
        left -= 1;
        let last = left == 0 || i + 1 == n;
        if left == 0 {
            left = rng.gen_range(1..=max_len);
        }
        pairs.push(Pair {
            a: value(rng, cfg.a_range()),
            w: value(rng, cfg.w_range()),
            thr,
            last,
        });
    }
    pairs
}

pub fn cfg(a: u32, w: u32, coding: sievingnet::Coding) -> UnitConfig {
    UnitConfig::builder()
        .a_bits(a)
        .w_bits(w)
        .coding(coding)
        .build()
        .unwrap()
}

/// Overflow that comes back into range (the flag stays set), the most
/// negative operands as a vector of one, and 300 zero activations (the
/// counters wrap at 8 bits), for the 8x8 unit with acc_bits 17, cnt_bits 8.
pub fn overflow_and_wrap_pairs() -> Vec<Pair> {
    let mut pairs = Vec::new();
    pairs.extend((0..5).map(|_| Pair {
        a: 127,
        w: 127,
        thr: 0,
        last: false,
    }));
    pairs.extend((0..5).map(|i| Pair {
        a: -127,
        w: 127,
        thr: 0,
        last: i == 4,
    }));
    pairs.push(Pair {
        a: -128,
        w: -128,
        thr: -128,
        last: true,
    });
    pairs.extend((0..300).map(|i| Pair {
        a: 0,
        w: 3,
        thr: 5,
        last: i == 299,
    }));
    pairs
}

/// Compiles the testbench `sim/{tb}.v` with `files` (in `dir`) and the
/// `params` of module `tb` in Icarus, runs it in `dir` and returns the
/// `classes.txt` it writes. The folder holds the testbench's `.mem` files.
#[allow(dead_code)]
pub fn run_icarus_testbench(
    dir: &std::path::Path,
    tb: &str,
    params: &[(&str, usize)],
    files: &[&str],
) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("sim/{tb}.v"));
    let st = std::process::Command::new("iverilog")
        .current_dir(dir)
        .args(["-g2005", "-o", "sim.vvp"])
        .args(params.iter().map(|(k, v)| format!("-P{tb}.{k}={v}")))
        .arg(&path)
        .args(files)
        .output()
        .expect("iverilog runs (scripts/install-eda.sh)");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let run = std::process::Command::new("vvp")
        .current_dir(dir)
        .args(["-n", "sim.vvp"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success() && !log.contains("error"), "{log}");
    std::fs::read_to_string(dir.join("classes.txt")).unwrap()
}

/// One 16-bit hex line per feature of `samples`, sample-major (the
/// testbenches' `samples.mem`).
#[allow(dead_code)]
pub fn samples_mem(samples: &[Vec<i64>]) -> String {
    samples
        .iter()
        .flatten()
        .map(|&x| format!("{:04x}\n", x as u16))
        .collect()
}
