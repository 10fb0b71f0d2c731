//! The reports shipped in the repository are the ones today's code would
//! measure, and they say where they come from: `reports/area/area.json`
//! names its commit, command and tool versions, and each design's Verilog
//! hash equals the hash of today's export of that design (so a change to
//! the RTL fails this test until the report is regenerated with
//! `scripts/area.sh`); the training runs in `reports/train/` name their
//! commit, seed, command and versions.

use sievingnet::config::UnitConfig;
use sievingnet::design::Design;
use sievingnet::export::export;
use sievingnet::files::content_hash;
use sievingnet::presets::area_widths;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(rel: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The design a report entry measured, from its kind.
fn design_of(kind: &str) -> Design {
    match kind {
        "sieve" => Design::Sieve { counters: true },
        "sieve-no-counters" => Design::Sieve { counters: false },
        "serial" => Design::Serial { counters: true },
        "serial-no-counters" => Design::Serial { counters: false },
        "exact-mac" | "exact-mac-dsp" => Design::ExactMac,
        other => panic!("reports/area/area.json: unknown design kind {other:?}"),
    }
}

#[test]
fn the_area_report_measured_todays_verilog() {
    let report = read_json("reports/area/area.json");
    let stale = "reports/area is stale: regenerate it with scripts/area.sh";
    assert_eq!(report["format"], "sievingnet-area");
    assert_eq!(report["version"], 2, "{stale}");
    let commit = report["commit"].as_str().unwrap_or("");
    assert!(
        commit.len() >= 40 && !commit.ends_with("-modified"),
        "the area report must come from a committed tree, it says {commit:?}: {stale}"
    );
    for key in ["yosys_version", "nextpnr_version", "command"] {
        assert!(
            report[key].as_str().is_some_and(|s| !s.is_empty()),
            "area.json has no {key}"
        );
    }
    let designs = report["designs"].as_array().unwrap();
    let mut widths = BTreeSet::new();
    for d in designs {
        let name = d["name"].as_str().unwrap();
        let cfg: UnitConfig = serde_json::from_value(d["config"].clone()).unwrap();
        let top = d["top"].as_str().unwrap();
        let design = design_of(d["kind"].as_str().unwrap());
        let (text, _) = export(&cfg, design, top, d["verilog"].as_str().unwrap()).unwrap();
        assert_eq!(
            d["verilog_hash"].as_str(),
            Some(content_hash(text.as_bytes()).as_str()),
            "design {name}: the report measured other Verilog than today's export; {stale}"
        );
        widths.insert(cfg.a_bits());
    }
    let want: BTreeSet<u32> = area_widths().into_iter().collect();
    assert_eq!(
        widths, want,
        "the report's widths are not the area presets': {stale}"
    );
}

#[test]
fn every_training_run_names_its_commit_seed_and_versions() {
    let dir = root().join("reports/train");
    let mut runs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let run = entry.unwrap().path();
        if !run.is_dir() {
            continue;
        }
        let rel = format!(
            "reports/train/{}/run.json",
            run.file_name().unwrap().to_string_lossy()
        );
        let v = read_json(&rel);
        let commit = v["commit"].as_str().unwrap_or("");
        assert!(commit.len() >= 40, "{rel}: commit {commit:?}");
        assert!(v["seed"].is_u64(), "{rel}: no seed");
        assert!(
            v["command"]
                .as_str()
                .is_some_and(|c| c.contains("sievingnet-train")),
            "{rel}: no command"
        );
        assert!(
            v["versions"]["rustc"].is_string(),
            "{rel}: no rustc version"
        );
        assert!(
            v["versions"]["dependencies"].is_object(),
            "{rel}: no versions"
        );
        assert!(
            run.join("epochs.csv").is_file(),
            "{rel}: the run's epochs.csv is missing"
        );
        runs += 1;
    }
    assert!(runs >= 4, "reports/train holds {runs} runs");
}
