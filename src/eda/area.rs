//! The iCE40 area and timing flow behind `sievingnet area`: the steps in
//! order, and the report files. The steps live in [`super::yosys`] and
//! [`super::nextpnr`]; the report's data in [`super::report`].
//!
//! For each design (a Verilog file, its top module and the [`UnitConfig`](crate::config::UnitConfig) of
//! its ports):
//!
//! 1. Yosys `synth_ice40` of the unit alone (`-dsp` for the DSP variant):
//!    LUT4s, carries, flip-flops, block RAMs and DSPs;
//! 2. a technology-independent figure from Yosys: `synth -flatten`, then
//!    `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX` (two-input gates, plus NOT) and
//!    `abc -g cmos2; stat -tech cmos` (an estimate of the transistors of the
//!    combinational logic; flip-flops are counted apart);
//! 3. nextpnr-ice40 on HX8K (`ct256`) and UP5K (`sg48`) of the unit inside
//!    the timing wrapper of [`super::wrapper`], once per placement seed; the
//!    report keeps every seed's Fmax and their median.
//!
//! These are FPGA estimates: LUT and flip-flop counts and a clock rate of one
//! FPGA family with one open-source tool chain. They are not the area,
//! timing or power of a chip; the CMOS transistor figure is Yosys's rough
//! count for a generic gate library, without flip-flops or wiring.

use super::designs::{AreaDesign, AreaOptions};
use super::report::{AreaReport, DesignReport, Device, MEANING};
use super::{markdown, nextpnr, plot, yosys};
use crate::files::{content_hash, write_atomic};
use crate::toolchain::tool_version;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The Yosys version and the nextpnr version (when `place` is set: only
/// placement needs nextpnr), or an error naming a missing tool and how to
/// install it.
pub fn tool_versions(place: bool) -> Result<(String, String)> {
    let yosys = tool_version("yosys", "the area flow")?;
    let nextpnr = if place {
        tool_version(
            "nextpnr-ice40",
            "placement in the area flow (or pass --devices none)",
        )?
    } else {
        "not run (no devices)".to_string()
    };
    Ok((yosys, nextpnr))
}

/// Runs the whole flow on every design, in order, calling `progress` with a
/// line of text before each step. Fails only on a tool or file problem; a
/// design that does not fit a part is recorded in its `error`.
pub fn run_area(
    designs: &[AreaDesign],
    opts: &AreaOptions,
    mut progress: impl FnMut(&str),
) -> Result<AreaReport> {
    if opts.seeds.is_empty() {
        bail!("seeds is empty: give at least one placement seed (e.g. --seeds 1,2,3)");
    }
    // The sources measured are those of the start: the tree may change
    // during a long run.
    let commit = crate::toolchain::source_commit();
    let (yosys_version, nextpnr_version) = tool_versions(!opts.devices.is_empty())?;
    let tmp;
    let root = match &opts.work_dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            d.clone()
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let mut names = std::collections::HashSet::new();
    let mut out = Vec::new();
    for d in designs {
        if !names.insert(d.name.clone()) {
            bail!(
                "two designs are named {:?}: give each design its own name",
                d.name
            );
        }
        if !d.verilog.is_file() {
            bail!(
                "the Verilog file {} of design {} does not exist",
                d.verilog.display(),
                d.name
            );
        }
        let work = root.join(&d.name);
        let verilog_hash = content_hash(
            &std::fs::read(&d.verilog)
                .with_context(|| format!("cannot read {}", d.verilog.display()))?,
        );
        yosys::stage(d, &work)?;
        progress(&format!(
            "{}: yosys synth_ice40{}",
            d.name,
            if d.dsp { " -dsp" } else { "" }
        ));
        let ice40 = yosys::synth_ice40_cells(&d.top, d.dsp, &work)?;
        progress(&format!("{}: yosys generic gates", d.name));
        let generic = yosys::generic_gates(&d.top, &work)?;
        progress(&format!(
            "{}: yosys synth_ice40 -noflatten (blocks)",
            d.name
        ));
        let blocks = yosys::block_breakdown(&d.top, d.dsp, &work)?;
        let mut placements = Vec::new();
        for &dev in &opts.devices {
            if d.dsp && dev != Device::Up5k {
                continue;
            }
            progress(&format!(
                "{}: nextpnr-ice40 --{} seeds {:?}",
                d.name,
                dev.name(),
                opts.seeds
            ));
            placements.push(nextpnr::place(d, dev, opts, &work)?);
        }
        out.push(DesignReport {
            name: d.name.clone(),
            kind: d.kind.clone(),
            config: d.cfg,
            verilog: d
                .verilog
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            verilog_hash,
            top: d.top.clone(),
            dsp: d.dsp,
            ice40,
            generic,
            blocks,
            placements,
        });
    }
    Ok(AreaReport {
        format: "sievingnet-area",
        version: 2,
        meaning: MEANING,
        commit,
        command: opts.command.clone(),
        yosys_version,
        nextpnr_version,
        seeds: opts.seeds.clone(),
        target_mhz: opts.target_mhz,
        wrapper:
            "every unit input from a shift register fed by one pin, every output registered \
                  and XOR-folded (one LUT4 per pipeline level) into one pin; see src/eda/wrapper.rs",
        designs: out,
    })
}

/// Writes `area.json`, `area.md` and `area.svg` into `dir` (created if
/// missing); each file appears whole or not at all.
pub fn write_report(report: &AreaReport, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let files = [
        (
            dir.join("area.json"),
            serde_json::to_string_pretty(report)? + "\n",
        ),
        (
            dir.join("area.md"),
            markdown::markdown(report)
                + "\n"
                + &markdown::markdown_blocks(report)
                + "\n"
                + &markdown::markdown_critical_paths(report),
        ),
        (dir.join("area.svg"), plot::area_svg(report)),
    ];
    for (path, text) in &files {
        write_atomic(path, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
