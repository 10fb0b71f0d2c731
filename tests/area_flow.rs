//! The iCE40 area flow (src/eda) on the small exact-MAC fixture: every
//! figure is filled in, the report files appear, bad input is named.
//! Needs Yosys and nextpnr-ice40 (`scripts/install-eda.sh`); a missing tool
//! fails these tests with the install command.

use sievingnet::eda::design_from_manifest;
use sievingnet::eda::markdown::markdown;
use sievingnet::eda::{run_area, write_report, AreaDesign, AreaOptions, Device};
use sievingnet::UnitConfig;
use std::path::{Path, PathBuf};

fn fixture() -> AreaDesign {
    AreaDesign {
        name: "exact-mac-fixture".to_string(),
        kind: "exact-mac".to_string(),
        cfg: UnitConfig::builder()
            .acc_bits(17)
            .cnt_bits(8)
            .build()
            .unwrap(),
        verilog: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/exact_mac_fixture.v"),
        top: "exact_mac_fixture".to_string(),
        dsp: false,
    }
}

fn quick() -> AreaOptions {
    AreaOptions {
        seeds: vec![1],
        devices: vec![Device::Hx8k],
        ..Default::default()
    }
}

#[test]
fn the_fixture_gets_every_figure() {
    let report = run_area(&[fixture()], &quick(), |_| {}).unwrap();
    assert!(
        report.yosys_version.starts_with("Yosys "),
        "{}",
        report.yosys_version
    );
    assert!(
        report.nextpnr_version.contains("nextpnr-ice40"),
        "{}",
        report.nextpnr_version
    );
    let d = &report.designs[0];
    assert!(d.ice40.lut4 > 20, "{:?}", d.ice40);
    assert!(d.ice40.carry > 0 && d.ice40.dff > 17 + 17, "{:?}", d.ice40);
    assert_eq!((d.ice40.ram, d.ice40.dsp), (0, 0));
    assert!(
        d.generic.gates > 50 && d.generic.flip_flops >= 35,
        "{:?}",
        d.generic
    );
    assert!(
        d.generic.cmos_transistors > 4 * d.generic.gates / 2,
        "{:?}",
        d.generic
    );
    let p = &d.placements[0];
    assert_eq!((p.device, p.seeds.clone()), (Device::Hx8k, vec![1]));
    assert!(p.error.is_none(), "{:?}", p.error);
    let fmax = p.median_fmax_mhz.unwrap();
    assert!(fmax > 20.0 && fmax < 500.0, "{fmax}");
    assert!(p.logic_cells.unwrap() > d.ice40.lut4);
    assert_eq!(p.logic_cells_available, Some(7680));

    let out = tempfile::tempdir().unwrap();
    let files = write_report(&report, out.path()).unwrap();
    let names: Vec<PathBuf> = files
        .iter()
        .map(|f| PathBuf::from(f.file_name().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            PathBuf::from("area.json"),
            "area.md".into(),
            "area.svg".into()
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(json["format"], "sievingnet-area");
    assert_eq!(json["designs"][0]["config"]["acc_bits"], 17);
    let md = markdown(&report);
    assert!(md.contains("They are not a chip's area, timing or power."));
    assert!(md.contains("| exact-mac-fixture | 8x8 |"));
    let svg = std::fs::read_to_string(&files[2]).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

#[test]
fn bad_designs_are_named() {
    let mut missing = fixture();
    missing.verilog = PathBuf::from("no/such/unit.v");
    let e = run_area(&[missing], &quick(), |_| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the Verilog file no/such/unit.v of design exact-mac-fixture does not exist"
    );
    let e = run_area(&[fixture(), fixture()], &quick(), |_| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "two designs are named \"exact-mac-fixture\": give each design its own name"
    );
    let opts = AreaOptions {
        seeds: vec![],
        ..quick()
    };
    let e = run_area(&[fixture()], &opts, |_| {}).unwrap_err();
    assert!(e.to_string().starts_with("seeds is empty"));
    let e = design_from_manifest(Path::new("tests/data/exact_mac_fixture.v")).unwrap_err();
    assert!(
        format!("{e:#}")
            .starts_with("cannot read tests/data/exact_mac_fixture.json, the manifest of"),
        "{e:#}"
    );
}

#[test]
fn a_yosys_error_fails_the_flow_and_names_the_step() {
    // A Yosys error (here: a wrong top) stops the flow; a part that is too
    // small is recorded in the placement instead.
    let mut wrong = fixture();
    wrong.top = "no_such_top".to_string();
    let e = run_area(&[wrong], &quick(), |_| {}).unwrap_err();
    assert!(format!("{e:#}").contains("yosys synth_ice40"), "{e:#}");
}
