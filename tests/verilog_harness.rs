//! The Verilog harness itself (src/engine/verilog, src/toolchain, sim/): the SPEC's lint
//! checks on known-good and known-bad files, and both simulators on a small
//! fixture (an exact multiply-accumulate with the SPEC ports) against the
//! golden model. These tests need Verilator, Icarus Verilog and Yosys; a
//! missing tool fails them with the install command.
//!
//! Seeds: `SIEVINGNET_SEED` overrides the default; failures print the seed.

use rand::Rng;
use sievingnet::engine::verilog::{run_verilog, simulate, Simulator, VerilogSimOptions};
use sievingnet::model::{expected_results, Pair, VectorResult};
use sievingnet::toolchain::lint::lint_verilog;
use sievingnet::toolchain::require_tool;
use sievingnet::UnitConfig;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn seed() -> u64 {
    sievingnet::seed::from_env(20261121)
}

/// The configuration of the exact MAC fixture.
fn fixture_cfg() -> UnitConfig {
    UnitConfig::builder()
        .acc_bits(17)
        .cnt_bits(8)
        .build()
        .unwrap()
}

/// Random pairs with thresholds <= 0 (nothing sieved), vectors of 1 to about
/// 40 pairs, the last pair always ending its vector; a few vectors of length
/// one and runs of large values so the 17-bit accumulator overflows.
fn mac_pairs(n: usize, seed: u64) -> Vec<Pair> {
    let mut rng = sievingnet::seed::rng(seed, 0);
    let mut v: Vec<Pair> = (0..n)
        .map(|i| {
            let big = (i / 200) % 3 == 0;
            let (a, w) = if big {
                (
                    if rng.gen_bool(0.5) { -128 } else { 127 },
                    rng.gen_range(100..=127),
                )
            } else {
                (rng.gen_range(-128..=127), rng.gen_range(-128..=127))
            };
            Pair {
                a,
                w,
                thr: rng.gen_range(-128..=0),
                last: rng.gen_bool(0.05),
            }
        })
        .collect();
    v.last_mut().unwrap().last = true;
    v
}

/// Sum and overflow only: the fixture has no counters.
fn sums(r: &[VectorResult]) -> Vec<(i64, bool)> {
    r.iter().map(|r| (r.sum, r.overflow)).collect()
}

#[test]
fn lint_accepts_the_exact_mac_fixture() {
    lint_verilog(&data("exact_mac_fixture.v"), "exact_mac_fixture").unwrap();
}

#[test]
fn lint_rejects_an_unused_signal_with_verilator_output() {
    let e = lint_verilog(&data("lint_bad_unused.v"), "lint_bad_unused").unwrap_err();
    let msg = format!("{e:#}");
    assert!(
        msg.starts_with("verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-WIDTH does not pass"),
        "{msg}"
    );
    assert!(msg.contains("UNUSEDSIGNAL"), "{msg}");
}

#[test]
fn lint_rejects_systemverilog_with_iverilog_output() {
    let e = lint_verilog(&data("lint_bad_sv.v"), "lint_bad_sv").unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.starts_with("iverilog -g2005 does not pass"), "{msg}");
    assert!(msg.contains("syntax error"), "{msg}");
}

#[test]
fn lint_names_a_missing_file() {
    let e = lint_verilog(Path::new("no/such/unit.v"), "sieve_dot").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the Verilog file no/such/unit.v does not exist"
    );
}

#[test]
fn a_missing_tool_names_the_install_command() {
    let e = require_tool("no-such-eda-tool", "a test").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no-such-eda-tool is not installed (needed for a test): run scripts/install-eda.sh \
         (or: apt-get install verilator iverilog yosys nextpnr-ice40 fpga-icestorm)"
    );
}

fn check_fixture(sim: Simulator, n: usize, gap_prob: f64, resets: Vec<usize>) {
    let cfg = fixture_cfg();
    let seed = seed();
    let pairs = mac_pairs(n, seed);
    let opts = VerilogSimOptions {
        simulator: sim,
        gap_prob,
        seed,
        resets_before: resets.clone(),
        ..Default::default()
    };
    let report = simulate(
        &cfg,
        &data("exact_mac_fixture.v"),
        "exact_mac_fixture",
        &pairs,
        &opts,
    )
    .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    let want = expected_results(&cfg, &pairs, &resets);
    assert!(
        want.iter().any(|r| r.overflow) && want.iter().any(|r| !r.overflow),
        "the stimulus should exercise both overflow values"
    );
    assert_eq!(report.simulator, sim);
    assert_eq!(report.resets, resets.len() as u64, "seed {seed}");
    let got = sums(&report.results);
    let want = sums(&want);
    assert_eq!(got.len(), want.len(), "seed {seed}: number of results");
    if let Some(i) = got.iter().zip(&want).position(|(g, w)| g != w) {
        panic!(
            "seed {seed}, {sim:?}: result {i} is {:?}, the golden model says {:?}",
            got[i], want[i]
        );
    }
    assert!(report.results.iter().all(|r| r.zero_a == 0 && r.kept == 0));
    // The fixture raises out_valid on the edge that consumes the last pair:
    // latency 0.
    report
        .check_timing(|_| 0)
        .unwrap_or_else(|e| panic!("seed {seed}, {sim:?}: {e:#}"));
}

#[test]
fn a_late_result_fails_the_timing_check() {
    // The fixture's latency is 0: held to 1, every result is "early".
    let cfg = fixture_cfg();
    let pairs = mac_pairs(100, seed());
    for sim in [Simulator::Verilator, Simulator::Icarus] {
        let opts = VerilogSimOptions {
            simulator: sim,
            ..Default::default()
        };
        let report = simulate(
            &cfg,
            &data("exact_mac_fixture.v"),
            "exact_mac_fixture",
            &pairs,
            &opts,
        )
        .unwrap();
        let e = report.check_timing(|_| 1).unwrap_err().to_string();
        assert!(
            e.contains("0 edges later; the design's latency is 1"),
            "{sim:?}: {e}"
        );
    }
}

#[test]
fn verilator_back_to_back_matches_the_model() {
    check_fixture(Simulator::Verilator, 50_000, 0.0, vec![]);
}

#[test]
fn verilator_random_gaps_and_resets_in_mid_vector_match_the_model() {
    check_fixture(
        Simulator::Verilator,
        50_000,
        0.3,
        vec![0, 7, 8, 999, 20_000, 49_999],
    );
}

#[test]
fn icarus_random_gaps_and_resets_match_the_model() {
    check_fixture(Simulator::Icarus, 3_000, 0.25, vec![3, 1_500]);
}

#[test]
fn a_wrong_unit_is_caught() {
    // The fixture does not sieve: with thresholds above every plane the
    // golden model's sums are 0 while the fixture's are not.
    let cfg = fixture_cfg();
    let mut pairs = mac_pairs(500, seed());
    for p in &mut pairs {
        p.thr = 100;
    }
    let got = run_verilog(
        &cfg,
        &data("exact_mac_fixture.v"),
        "exact_mac_fixture",
        &pairs,
        &VerilogSimOptions::default(),
    )
    .unwrap();
    assert_ne!(sums(&got), sums(&expected_results(&cfg, &pairs, &[])));
}

#[test]
fn a_wrong_top_name_is_reported() {
    let e = run_verilog(
        &fixture_cfg(),
        &data("exact_mac_fixture.v"),
        "no_such_top",
        &mac_pairs(10, 1),
        &VerilogSimOptions::default(),
    )
    .unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains("the Verilator build failed"), "{msg}");
    assert!(msg.contains("no_such_top"), "{msg}");
}
