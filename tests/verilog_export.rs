//! The exported Verilog: every supported configuration passes the SPEC's
//! three checks (Verilator lint, Icarus, Yosys synth_ice40), runs a million
//! seeded random pairs in Verilator against the golden model, and the files
//! shipped in `hdl/` are what `sievingnet export` writes today.
//! Needs Verilator, Icarus Verilog and Yosys (`scripts/install-eda.sh`).

mod common;

use rand::Rng;
use sievingnet::config::UnitConfig;
use sievingnet::design::Design;
use sievingnet::engine::verilog::{simulate, VerilogSimOptions};
use sievingnet::export::{export, export_to};
use sievingnet::model::{expected_results, Pair, VectorResult};
use sievingnet::presets::{rtl_configs, shipped_designs};
use sievingnet::toolchain::lint::lint_verilog;
use std::path::Path;

fn write_design(dir: &Path, cfg: &UnitConfig, design: Design) -> std::path::PathBuf {
    let path = dir.join(format!(
        "{}_{}.v",
        design.name().replace('-', "_"),
        cfg.tag().replace('-', "_")
    ));
    export_to(cfg, design, "sieve_dot", &path).unwrap();
    path
}

fn cosim(cfg: &UnitConfig, design: Design, pairs: &[Pair], opts: &VerilogSimOptions, path: &Path) {
    let seed = common::seed();
    let report = simulate(cfg, path, "sieve_dot", pairs, opts)
        .unwrap_or_else(|e| panic!("{} {} (seed {seed}): {e:#}", cfg.tag(), design.name()));
    let latencies = sievingnet::rtl::sim::result_latencies(cfg, design, pairs);
    report
        .check_timing(|i| latencies[i])
        .unwrap_or_else(|e| panic!("{} {} (seed {seed}): {e:#}", cfg.tag(), design.name()));
    let mut want = expected_results(cfg, pairs, &opts.resets_before);
    if !design.counters() {
        for w in &mut want {
            *w = VectorResult {
                zero_a: 0,
                zero_w: 0,
                sieved: 0,
                kept: 0,
                ..*w
            };
        }
    }
    assert_eq!(
        report.results.len(),
        want.len(),
        "{} {}: result count (seed {seed})",
        cfg.tag(),
        design.name()
    );
    for (i, (g, w)) in report.results.iter().zip(&want).enumerate() {
        assert_eq!(
            g,
            w,
            "{} {} vector {i} (seed {seed})",
            cfg.tag(),
            design.name(),
        );
    }
    eprintln!(
        "{} {}: {} pairs, {} vectors, {:.1} M pairs/s in {:?}",
        cfg.tag(),
        design.name(),
        pairs.len(),
        want.len(),
        pairs.len() as f64 / report.sim_seconds.max(1e-9) / 1e6,
        report.simulator
    );
}

/// Lint and a million random pairs (with gaps and resets) for every
/// supported configuration with counters.
#[test]
fn every_configuration_lints_and_matches_the_model_on_a_million_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = common::rng(11);
    for cfg in rtl_configs() {
        let path = write_design(dir.path(), &cfg, Design::Sieve { counters: true });
        lint_verilog(&path, "sieve_dot").unwrap();
        let pairs = common::random_pairs(&cfg, 1_000_000, 40, &mut rng);
        let resets: Vec<usize> = (0..20).map(|_| rng.gen_range(0..pairs.len())).collect();
        let opts = VerilogSimOptions {
            gap_prob: 0.1,
            seed: rng.gen(),
            resets_before: resets,
            ..Default::default()
        };
        cosim(&cfg, Design::Sieve { counters: true }, &pairs, &opts, &path);
    }
}

/// The serial unit (`--arch serial`) of every preset: lint, and random pairs
/// with idle gaps and resets through Verilator, every result and its cycle
/// (`1 + max(1, kept)` edges after its last pair) against the model.
#[test]
fn serial_every_configuration_lints_and_matches_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = common::rng(14);
    let serial = Design::Serial { counters: true };
    for cfg in rtl_configs() {
        let path = write_design(dir.path(), &cfg, serial);
        lint_verilog(&path, "sieve_dot").unwrap();
        let pairs = common::random_pairs(&cfg, 200_000, 40, &mut rng);
        let resets: Vec<usize> = (0..10).map(|_| rng.gen_range(0..pairs.len())).collect();
        let opts = VerilogSimOptions {
            gap_prob: 0.2,
            seed: rng.gen(),
            resets_before: resets,
            ..Default::default()
        };
        cosim(&cfg, serial, &pairs, &opts, &path);
    }
    for coding in [sievingnet::Coding::Ternary, sievingnet::Coding::Binary] {
        let cfg = common::cfg(8, 8, coding);
        let design = Design::Serial { counters: false };
        let path = write_design(dir.path(), &cfg, design);
        lint_verilog(&path, "sieve_dot").unwrap();
        let pairs = common::random_pairs(&cfg, 50_000, 40, &mut rng);
        cosim(&cfg, design, &pairs, &VerilogSimOptions::default(), &path);
    }
}

/// `--no-counters` and the exact baseline: lint and co-simulation.
#[test]
fn no_counters_and_baseline_lint_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = common::rng(12);
    for cfg in rtl_configs() {
        let mut designs = vec![Design::Sieve { counters: false }];
        if cfg.coding() == sievingnet::Coding::Ternary {
            designs.push(Design::ExactMac); // the baseline does not depend on the coding
        }
        for design in designs {
            let path = write_design(dir.path(), &cfg, design);
            lint_verilog(&path, "sieve_dot").unwrap();
            let mut pairs = common::random_pairs(&cfg, 100_000, 40, &mut rng);
            if design == Design::ExactMac {
                let t_min = cfg.t_range().0;
                pairs.iter_mut().for_each(|p| p.thr = t_min);
            }
            let opts = VerilogSimOptions {
                gap_prob: 0.2,
                seed: rng.gen(),
                ..Default::default()
            };
            cosim(&cfg, design, &pairs, &opts, &path);
        }
    }
}

/// The exact MAC at the MAC-only presets (8-bit activations, weights of 2
/// to 7 bits): lint, then random pairs with idle gaps and resets through
/// Verilator, every result, its overflow and its cycle against the model's
/// exact stream.
#[test]
fn mac_presets_lint_and_match() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = common::rng(15);
    for p in sievingnet::presets::MAC_PRESETS {
        let cfg = p.config(sievingnet::Coding::Ternary);
        let path = write_design(dir.path(), &cfg, Design::ExactMac);
        lint_verilog(&path, "sieve_dot").unwrap();
        let mut pairs = common::random_pairs(&cfg, 100_000, 40, &mut rng);
        let t_min = cfg.t_range().0;
        pairs.iter_mut().for_each(|q| q.thr = t_min);
        let resets: Vec<usize> = (0..5).map(|_| rng.gen_range(0..pairs.len())).collect();
        let opts = VerilogSimOptions {
            gap_prob: 0.2,
            seed: rng.gen(),
            resets_before: resets,
            ..Default::default()
        };
        cosim(&cfg, Design::ExactMac, &pairs, &opts, &path);
    }
}

/// A renamed top module lints and runs (sub-modules follow the new name).
#[test]
fn renamed_top_module() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = UnitConfig::default();
    let path = dir.path().join("renamed.v");
    export_to(&cfg, Design::Sieve { counters: true }, "my_unit", &path).unwrap();
    lint_verilog(&path, "my_unit").unwrap();
    let pairs = common::random_pairs(&cfg, 10_000, 10, &mut common::rng(13));
    let r = simulate(
        &cfg,
        &path,
        "my_unit",
        &pairs,
        &VerilogSimOptions::default(),
    )
    .unwrap();
    let latency = Design::Sieve { counters: true }.latency(&cfg) as u64;
    r.check_timing(|_| latency).unwrap();
    assert_eq!(
        r.results,
        expected_results(&cfg, &pairs, &[]),
        "seed {}",
        common::seed()
    );
}

/// The shipped files in `hdl/` are exactly today's export of the preset
/// table's shipped designs, and nothing else is there (regenerate them with
/// `scripts/regenerate-hdl.sh`).
#[test]
fn shipped_hdl_is_fresh() {
    let hdl = Path::new(env!("CARGO_MANIFEST_DIR")).join("hdl");
    let shipped = shipped_designs();
    for (stem, cfg, design) in &shipped {
        let name = format!("{stem}.v");
        let (text, manifest) = export(cfg, *design, "sieve_dot", &name).unwrap();
        let file = std::fs::read_to_string(hdl.join(&name))
            .unwrap_or_else(|_| panic!("hdl/{name} is missing: run scripts/regenerate-hdl.sh"));
        assert!(
            file == text,
            "hdl/{name} is stale: run scripts/regenerate-hdl.sh"
        );
        let json = std::fs::read_to_string(hdl.join(format!("{stem}.json"))).unwrap_or_else(|_| {
            panic!("hdl/{stem}.json is missing: run scripts/regenerate-hdl.sh")
        });
        assert_eq!(
            json,
            serde_json::to_string_pretty(&manifest).unwrap() + "\n",
            "hdl/{stem}.json is stale: run scripts/regenerate-hdl.sh"
        );
    }
    let mut extra = Vec::new();
    for entry in std::fs::read_dir(&hdl).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name);
        if !shipped.iter().any(|(s, _, _)| s == stem) {
            extra.push(name);
        }
    }
    assert!(
        extra.is_empty(),
        "hdl/ holds files no preset ships: {extra:?}; add them to src/presets.rs or delete them"
    );
    assert!(
        shipped.len() >= 4,
        "the presets ship {} designs",
        shipped.len()
    );
}
