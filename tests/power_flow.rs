//! The toggle flow (`sievingnet power`, issue 13) on small units: its count
//! equals a count made by hand from a VCD of the same run, the report is
//! the same byte for byte for the same seed, and a stream of zero
//! activations toggles no datapath net. Needs Yosys and Verilator.

mod common;

use assert_cmd::Command;
use rand::Rng;
use sievingnet::design::Design;
use sievingnet::engine::verilog::{
    run_built, verilator_build_with, Harness, VerilogSimOptions, VERILATOR_DRIVER,
};
use sievingnet::export::export;
use sievingnet::model::Pair;
use sievingnet::power::streams::{from_pairs, Stream};
use sievingnet::power::{count, coverage, netlist, prepare, PowerDesign, POWER_HARNESS};
use sievingnet::{Coding, UnitConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn require_tools() {
    for tool in ["yosys", "verilator"] {
        if !sievingnet::toolchain::tool_available(tool) {
            panic!(
                "{tool} is not installed: {}",
                sievingnet::toolchain::INSTALL_HINT
            );
        }
    }
}

fn a4w4() -> UnitConfig {
    common::cfg(4, 4, Coding::Ternary)
}

/// Vectors of 8 pairs, one threshold per vector; `zero_a`: every `a = 0`.
fn stream(cfg: &UnitConfig, n: usize, zero_a: bool, salt: u64) -> Stream {
    let mut rng = common::rng(salt);
    let (alo, ahi) = cfg.a_range();
    let (wlo, whi) = cfg.w_range();
    let mut thr = 0;
    let pairs: Vec<Pair> = (0..n)
        .map(|i| {
            if i % 8 == 0 {
                thr = rng.gen_range(-2..=6);
            }
            Pair {
                a: if zero_a { 0 } else { rng.gen_range(alo..=ahi) },
                w: rng.gen_range(wlo..=whi),
                thr,
                last: i % 8 == 7,
            }
        })
        .collect();
    from_pairs("test".into(), true, 0, cfg, pairs)
}

/// Toggles of cell outputs counted from a VCD: in every scope that is a
/// cell (a LUT has `I0`..`I3` and `O`, a carry `CI` and `CO`, a flip-flop
/// `C`, `D` and `Q`), the value changes of its output after the first dump.
fn hand_count(vcd: &str) -> u64 {
    let mut scopes: Vec<(BTreeSet<String>, BTreeMap<String, String>)> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut lines = vcd.lines();
    for line in lines.by_ref() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.first().copied() {
            Some("$scope") => {
                scopes.push(Default::default());
                stack.push(scopes.len() - 1);
            }
            Some("$upscope") => {
                stack.pop();
            }
            Some("$var") => {
                let (code, name) = (f[3], f[4]);
                let s = &mut scopes[*stack.last().unwrap()];
                s.0.insert(name.to_string());
                s.1.insert(name.to_string(), code.to_string());
            }
            Some("$enddefinitions") => break,
            _ => {}
        }
    }
    let mut outputs: BTreeSet<String> = BTreeSet::new();
    for (names, codes) in &scopes {
        let has = |v: &[&str]| v.iter().all(|n| names.contains(*n));
        let out = if has(&["I0", "I1", "I2", "I3", "O"]) {
            "O"
        } else if has(&["CI", "I0", "I1", "CO"]) {
            "CO"
        } else if has(&["C", "D", "Q"]) {
            "Q"
        } else {
            continue;
        };
        assert!(
            outputs.insert(codes[out].clone()),
            "two cells drive one VCD code"
        );
    }
    assert!(!outputs.is_empty(), "the VCD has no cell scopes");
    let mut changes = 0u64;
    let mut timestamps = 0;
    for line in lines {
        if line.starts_with('#') {
            timestamps += 1;
            continue;
        }
        if timestamps < 2 {
            continue; // the first dump: the starting values
        }
        let (value, code) = if let Some(rest) = line.strip_prefix('b') {
            let mut p = rest.split_whitespace();
            (p.next().unwrap_or(""), p.next().unwrap_or(""))
        } else if !line.is_empty() && !line.starts_with('$') {
            (&line[..1], &line[1..])
        } else {
            continue;
        };
        if outputs.contains(code) {
            assert_eq!(value.len(), 1, "cell outputs are single bits");
            changes += 1;
        }
    }
    changes
}

/// Toggle coverage and a hand count from a VCD of the same run agree.
#[test]
fn toggles_equal_a_hand_count_from_a_vcd() {
    require_tools();
    const TRACED: Harness = Harness {
        driver: VERILATOR_DRIVER,
        prefix: "Vsieve_dot",
        flags: &[
            "--coverage-toggle",
            "--trace",
            "-Wno-UNOPTFLAT",
            "-Wno-TIMESCALEMOD",
            "-MAKEFLAGS",
            "OPT_FAST=-O1",
            "-MAKEFLAGS",
            "OPT_GLOBAL=-O1",
        ],
    };
    // The traced build is the power flow's, plus the trace.
    assert_eq!(
        TRACED
            .flags
            .iter()
            .filter(|f| **f != "--trace")
            .collect::<Vec<_>>(),
        POWER_HARNESS.flags.iter().collect::<Vec<_>>()
    );
    let cfg = a4w4();
    let work = tempfile::tempdir().unwrap();
    let (verilog, _) = export(&cfg, Design::Sieve { counters: false }, "sieve_dot", "x.v").unwrap();
    let cells = std::fs::read_to_string(netlist::cells_sim_path().unwrap()).unwrap();
    let mapped = netlist::mapped_netlist(&verilog, "sieve_dot", false, false, work.path()).unwrap();
    let sim = netlist::sim_netlist(&mapped, &cells).unwrap();
    let (exe, _) =
        verilator_build_with(sim.verilog.as_bytes(), "sieve_dot", &TRACED, None).unwrap();
    let s = stream(&cfg, 200, false, 1301);
    let cov = work.path().join("coverage.dat");
    let vcd = work.path().join("run.vcd");
    let report = run_built(
        &exe,
        &cfg,
        "sieve_dot",
        &s.pairs,
        &VerilogSimOptions::default(),
        &[
            "--coverage".into(),
            cov.clone().into_os_string(),
            "--vcd".into(),
            vcd.clone().into_os_string(),
        ],
    )
    .unwrap();
    let sums: Vec<i64> = report.results.iter().map(|r| r.sum).collect();
    let want: Vec<i64> = s.expected.iter().map(|r| r.sum).collect();
    assert_eq!(sums, want, "the mapped netlist computes the golden sums");
    let points = coverage::parse(&std::fs::read_to_string(&cov).unwrap()).unwrap();
    let counted: u64 = coverage::cell_output_toggles(&points).values().sum();
    let by_hand = hand_count(&std::fs::read_to_string(&vcd).unwrap());
    assert!(
        counted > 1000,
        "a random stream toggles the unit: {counted}"
    );
    assert_eq!(counted, by_hand, "seed {}", common::seed());
}

/// The blocks a zero activation may toggle: control (valid, last, restart,
/// the skip flags) and the top level's own logic, checked apart below.
fn is_control(block: &str) -> bool {
    [
        "valid",
        "last",
        "restart",
        "skip",
        "zero_a",
        "first",
        "top-level logic",
    ]
    .iter()
    .any(|k| block.contains(k))
}

/// Zero activations toggle no datapath block of any unit (counters off),
/// while a stream with activations toggles each of those blocks.
#[test]
fn zero_activations_toggle_no_datapath_net() {
    require_tools();
    let cfg = a4w4();
    let work = tempfile::tempdir().unwrap();
    for name in ["parallel", "serial", "mac"] {
        let d = PowerDesign::named(name, cfg).unwrap();
        let p = prepare(&d, true, &work.path().join(name), None).unwrap();
        let live = stream(&cfg, 400, false, 1302);
        let zero = stream(&cfg, 400, true, 1303);
        let (live, zero) = if d.sieves() {
            (live, zero)
        } else {
            // The MAC runs exact streams (its sums are not sieved).
            let off = |s: Stream| {
                from_pairs(
                    "off".into(),
                    false,
                    0,
                    &cfg,
                    common::unsieved(&cfg, &s.pairs),
                )
            };
            (off(live), off(zero))
        };
        let on = count(&p, &live, 1).unwrap();
        let off = count(&p, &zero, 1).unwrap();
        let datapath: Vec<&String> = on.by_block.keys().filter(|b| !is_control(b)).collect();
        // Not vacuous: with activations most datapath blocks toggle (the
        // overflow flag of a short random stream need not).
        let live_blocks = datapath.iter().filter(|b| on.by_block[**b] > 0).count();
        assert!(live_blocks >= 4, "{name}: blocks {:?}", on.by_block);
        for b in &datapath {
            assert_eq!(
                off.by_block.get(*b).copied().unwrap_or(0),
                0,
                "{name}: {b} toggles with a = 0"
            );
        }
        // What still toggles (control, and the top level's own LUTs) is a
        // small part of a live stream's toggles.
        assert!(
            off.total * 10 < on.total,
            "{name}: zero activations {} toggles, live {}",
            off.total,
            on.total
        );
    }
}

fn power_cli(out: &Path) -> Vec<u8> {
    Command::cargo_bin("sievingnet")
        .unwrap()
        .args(["power", "--rom"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom"))
        .args([
            "--designs",
            "parallel",
            "--samples",
            "3",
            "--random-pairs",
            "300",
        ])
        .args(["--no-blocks", "--seed", "7", "--out"])
        .arg(out)
        .assert()
        .success();
    std::fs::read(out.join("power.json")).unwrap()
}

/// The report is the same byte for byte for the same seed, records its
/// configuration, and its figures add up.
#[test]
fn the_report_is_identical_for_the_same_seed() {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    // The same output folder: the command line is part of the report.
    let out = dir.path().join("power");
    let first = power_cli(&out);
    let second = power_cli(&out);
    assert!(
        first == second,
        "two runs with seed 7 wrote different reports"
    );
    let j: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(j["seed"], 7);
    assert_eq!(j["samples"], 3);
    assert!(j["yosys_version"].as_str().unwrap().contains("Yosys"));
    assert!(j["meaning"].as_str().unwrap().contains("not milliwatts"));
    let runs = j["runs"].as_array().unwrap();
    // Sieve on and off, each on the ROM's stream and a random one.
    assert_eq!(runs.len(), 4);
    for r in runs {
        let toggles = r["toggles"].as_f64().unwrap();
        let kinds: f64 = r["toggles_by_kind"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(kinds, toggles);
        if let Some(per) = r["toggles_per_inference"].as_f64() {
            assert!((per * 3.0 - toggles).abs() < 1e-6);
        }
    }
    let ratios = j["ratios"].as_array().unwrap();
    assert!(ratios.iter().any(|q| q["what"]
        .as_str()
        .unwrap()
        .starts_with("parallel: sieve on / off")));
    assert!(out.join("power.svg").is_file() && out.join("power.md").is_file());
}

/// The whole accelerator (`power-mlp`) on the Iris ROM, with sieving
/// units and with the lean masked lanes: the mapped netlist predicts what
/// the golden model predicts (the count is refused otherwise), the memory
/// reads and writes its cell models count equal the memories' enables in
/// the rust-hdl simulation of the same samples, once per cell, and the
/// loading of the ROM is not counted.
#[test]
fn accelerator_memory_accesses_equal_the_rtl_enables() {
    use sievingnet::design::Arch;
    require_tools();
    let rom = sievingnet::rom::read_rom(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom"),
    )
    .unwrap();
    for (arch, lanes) in [(Arch::Parallel, 2), (Arch::Masked, 3)] {
        check_memory_accesses(&rom, arch, lanes, 12);
    }
}

fn check_memory_accesses(
    rom: &sievingnet::rom::Rom,
    arch: sievingnet::design::Arch,
    lanes: usize,
    n: usize,
) {
    use sievingnet::power::accelerator::count_mlp;
    use sievingnet::rtl::mlp::sim::{run_mlp, MlpPacing};
    use sievingnet::rtl::mlp::{load_stream, MlpShape};
    let what = format!("{lanes} x {}", arch.name());
    let shape = MlpShape::of_rom(rom, arch, lanes).unwrap();
    let samples = &rom.test_set.as_ref().unwrap().inputs[..n];
    let rtl = run_mlp(&shape, &load_stream(rom), samples, &MlpPacing::default()).unwrap();
    let work = tempfile::tempdir().unwrap();
    let counts = count_mlp(rom, arch, lanes, n, 1, work.path(), None).unwrap();
    assert_eq!(counts.samples, n);
    for kind in ["lut", "ff", "carry"] {
        assert!(
            counts.by_kind.get(kind).copied().unwrap_or(0) > 0,
            "{what}, {kind}: {counts:?}"
        );
    }
    assert_eq!(counts.total, counts.by_kind.values().sum::<u64>());
    assert!(
        !counts.memories.is_empty(),
        "{what}: no memory cell: {counts:?}"
    );
    let mut checked = BTreeSet::new();
    let mut nz_writes = 0;
    for m in &counts.memories {
        let &(reads, writes) = rtl.accesses.get(&m.memory).unwrap_or_else(|| {
            panic!(
                "{what}: {} is not a memory of the RTL: {:?}",
                m.memory, rtl.accesses
            )
        });
        let cells = m.cells as u64;
        assert_eq!(m.reads, reads * cells, "{what}, {}: reads", m.memory);
        if m.memory.starts_with("nz_") {
            // The activation buffers are written by the inference.
            assert_eq!(m.writes, writes * cells, "{what}, {}: writes", m.memory);
            nz_writes += m.writes;
        } else {
            // Weights, thresholds and biases are written by the load only.
            assert_eq!(m.writes, 0, "{what}, {}: writes", m.memory);
        }
        checked.insert(m.memory.clone());
    }
    assert!(checked.contains("wstore"), "{what}: {checked:?}");
    assert!(rtl.accesses["wstore"].0 > 0 && nz_writes > 0, "{what}");
}
