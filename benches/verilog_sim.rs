//! Throughput of the exported Verilog in Verilator (and optionally Icarus),
//! in pairs per second, checked against the golden model.
//!
//! `cargo bench --bench verilog_sim` exports the parallel sieving unit at
//! 4x4, 8x8 and 16x16 (ternary) and streams random pairs through it, back to
//! back and with 25% random idle cycles. Environment:
//! * `SIEVINGNET_BENCH_PAIRS` (default 10000000): pairs per run;
//! * `SIEVINGNET_BENCH_VERILOG` and `SIEVINGNET_BENCH_TOP`: bench this file
//!   instead (8x8 ternary, acc 32, cnt 32 ports);
//! * `SIEVINGNET_BENCH_ICARUS=1`: also time Icarus on 1/100 of the pairs.
//!
//! "sim" is the driver's clock loop alone (wall-clock, and processor time,
//! which is steadier on a shared machine); "end to end" adds writing the
//! pairs, starting the simulator and reading the results (the Verilator
//! build is cached and not counted). A result that differs from the golden
//! model, or comes at another cycle than the latency, fails the benchmark
//! (non-zero exit) after the table. The pairs are seeded (`SIEVINGNET_SEED`,
//! default 1).

use rand::Rng;
use sievingnet::design::Design;
use sievingnet::engine::verilog::{simulate, Simulator, VerilogSimOptions};
use sievingnet::export::export_to;
use sievingnet::model::{expected_results, Pair};
use sievingnet::{Coding, UnitConfig};
use std::path::PathBuf;

fn random_pairs(cfg: &UnitConfig, n: usize, seed: u64) -> Vec<Pair> {
    let mut rng = sievingnet::seed::rng(seed, 0);
    let (alo, ahi) = cfg.a_range();
    let (wlo, whi) = cfg.w_range();
    let mut v: Vec<Pair> = (0..n)
        .map(|_| Pair {
            a: rng.gen_range(alo..=ahi),
            w: rng.gen_range(wlo..=whi),
            thr: rng.gen_range(-2..=(cfg.a_bits() + cfg.w_bits()) as i64),
            last: rng.gen_bool(1.0 / 64.0),
        })
        .collect();
    if let Some(p) = v.last_mut() {
        p.last = true;
    }
    v
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing and
    // only wants the bench to build and start.
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let n: usize = std::env::var("SIEVINGNET_BENCH_PAIRS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let icarus = std::env::var("SIEVINGNET_BENCH_ICARUS").is_ok_and(|v| v == "1");
    let work = tempfile::tempdir()?;
    let mut designs: Vec<(UnitConfig, PathBuf, String)> = Vec::new();
    match (
        std::env::var("SIEVINGNET_BENCH_VERILOG"),
        std::env::var("SIEVINGNET_BENCH_TOP"),
    ) {
        (Ok(path), Ok(top)) => designs.push((UnitConfig::default(), path.into(), top)),
        _ => {
            for bits in [4, 8, 16] {
                let cfg = UnitConfig::builder()
                    .a_bits(bits)
                    .w_bits(bits)
                    .coding(Coding::Ternary)
                    .build()?;
                let out = work.path().join(format!("{}.v", cfg.tag()));
                export_to(&cfg, Design::Sieve { counters: true }, "sieve_dot", &out)?;
                designs.push((cfg, out, "sieve_dot".to_string()));
            }
        }
    }
    let seed = sievingnet::seed::from_env(1);
    let mut failures = Vec::new();
    println!("| design | simulator | gap prob | pairs | cycles | sim Mpairs/s (wall) | sim Mpairs/s (cpu) | end-to-end Mpairs/s | matches model |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (cfg, path, top) in &designs {
        let pairs = random_pairs(cfg, n, seed);
        let want = expected_results(cfg, &pairs, &[]);
        let mut runs = vec![
            (Simulator::Verilator, 0.0, n),
            (Simulator::Verilator, 0.25, n),
        ];
        if icarus {
            runs.push((Simulator::Icarus, 0.0, (n / 100).max(1)));
        }
        for (sim, gap, count) in runs {
            let opts = VerilogSimOptions {
                simulator: sim,
                gap_prob: gap,
                seed,
                ..Default::default()
            };
            let slice = &pairs[..count];
            let mut slice_vec;
            let slice = if slice.last().is_some_and(|p| !p.last) {
                slice_vec = slice.to_vec();
                slice_vec.last_mut().unwrap().last = true;
                &slice_vec[..]
            } else {
                slice
            };
            // Warm the build cache first so the timed run does not build.
            if sim == Simulator::Verilator {
                simulate(cfg, path, top, &slice[..slice.len().min(1)], &opts)?;
            }
            let r = simulate(cfg, path, top, slice, &opts)?;
            let latency = Design::Sieve { counters: true }.latency(cfg) as u64;
            let values_ok = if count == n {
                r.results == want
            } else {
                r.results == expected_results(cfg, slice, &[])
            };
            let timing = r.check_timing(|_| latency);
            let ok = values_ok && timing.is_ok();
            if !ok {
                failures.push(format!(
                    "{} in {} (gap {gap}, seed {seed}): {}",
                    cfg.tag(),
                    sim.name(),
                    match timing {
                        Err(e) => format!("{e:#}"),
                        Ok(()) => "results differ from the golden model".to_string(),
                    }
                ));
            }
            println!(
                "| {} `{}` | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {} |",
                cfg.tag(),
                top,
                sim.name(),
                gap,
                r.pairs,
                r.cycles,
                r.pairs as f64 / r.sim_seconds / 1e6,
                r.pairs as f64 / r.sim_cpu_seconds / 1e6,
                r.pairs as f64 / (r.total_seconds - r.build_seconds) / 1e6,
                if ok { "yes" } else { "NO" }
            );
        }
    }
    if !failures.is_empty() {
        anyhow::bail!(
            "the Verilog disagrees with the model:\n  {}",
            failures.join("\n  ")
        );
    }
    Ok(())
}
