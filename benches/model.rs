//! Throughput of the golden model and of the rust-hdl simulation, in pairs
//! per second, at 8x8 bits, both codings. Run: `cargo bench --bench model`.
//! Seeded inputs; figures go to BENCHMARKS.md by hand.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sievingnet::config::{Coding, UnitConfig};
use sievingnet::model::{run_stream, sieve_pair, Pair};
use std::hint::black_box;
use std::time::Instant;

fn pairs(cfg: &UnitConfig, n: usize, seed: u64) -> Vec<Pair> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (alo, ahi) = cfg.a_range();
    let (wlo, whi) = cfg.w_range();
    (0..n)
        .map(|i| Pair {
            a: rng.gen_range(alo..=ahi),
            w: rng.gen_range(wlo..=whi),
            thr: rng.gen_range(-2..=16),
            last: i % 64 == 63 || i + 1 == n,
        })
        .collect()
}

/// Best of `reps` runs of `f` over `n` pairs, in pairs per second.
fn rate(n: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    n as f64 / best
}

fn main() {
    let n = 2_000_000;
    println!("| what | coding | pairs | Mpairs/s |");
    println!("|---|---|---|---|");
    for coding in Coding::ALL {
        let cfg = UnitConfig::builder().coding(coding).build().unwrap();
        let p = pairs(&cfg, n, sievingnet::seed::from_env(1));
        let r = rate(n, 5, || {
            let mut acc = 0i64;
            for q in &p {
                acc = acc.wrapping_add(sieve_pair(&cfg, q.a, q.w, q.thr).product);
            }
            black_box(acc);
        });
        println!("| model sieve_pair | {coding} | {n} | {:.1} |", r / 1e6);
        let r = rate(n, 5, || {
            black_box(run_stream(&cfg, &p));
        });
        println!(
            "| model stream (run_stream) | {coding} | {n} | {:.1} |",
            r / 1e6
        );
    }
    #[cfg(feature = "rtl")]
    {
        use sievingnet::rtl::{sim, Design};
        let m = 200_000;
        for coding in Coding::ALL {
            let cfg = UnitConfig::builder().coding(coding).build().unwrap();
            let p = pairs(&cfg, m, sievingnet::seed::from_env(1) + 1);
            let want = run_stream(&cfg, &p);
            let mut got = Vec::new();
            let r = rate(m, 2, || {
                got = sim::run_stream(
                    &cfg,
                    Design::Sieve { counters: true },
                    &p,
                    &sim::Pacing::default(),
                )
                .unwrap();
            });
            assert_eq!(got, want, "rust-hdl simulation disagrees with the model");
            println!(
                "| rust-hdl simulation (direct clock loop) | {coding} | {m} | {:.3} |",
                r / 1e6
            );
        }
    }
}
