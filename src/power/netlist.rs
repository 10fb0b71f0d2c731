//! The mapped netlist a toggle count runs on: `synth_ice40` of a design,
//! flattened or keeping its blocks, written back as Verilog, and Yosys's own
//! iCE40 cell models made fit for Verilator.
//!
//! Every net of a mapped netlist is driven by one cell output (or by a
//! top-level input, which the testbench drives). Counting the toggles of the
//! cells' outputs therefore counts every net of the design once, whatever
//! names Yosys gives it, and never the clock (no cell drives it).

use crate::toolchain::{require_tool, run_logged};
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The output ports of the cells the toggle flow simulates: the nets they
/// drive are the nets counted.
pub const CELL_OUTPUTS: &[(&str, &[&str])] = &[
    ("SB_LUT4", &["O"]),
    ("SB_CARRY", &["CO"]),
    ("SB_MAC16", &["O", "CO", "ACCUMCO", "SIGNEXTOUT"]),
];

/// Whether `port` is an output of the cell type `cell` (flip-flops: `Q`).
pub fn is_cell_output(cell: &str, port: &str) -> bool {
    if cell.starts_with("SB_DFF") {
        return port == "Q";
    }
    CELL_OUTPUTS
        .iter()
        .any(|(c, ports)| *c == cell && ports.contains(&port))
}

/// What kind of cell a type is, for the report: `lut`, `carry`, `ff`, `dsp`.
pub fn cell_kind(cell: &str) -> &'static str {
    match cell {
        "SB_LUT4" => "lut",
        "SB_CARRY" => "carry",
        "SB_MAC16" => "dsp",
        c if c.starts_with("SB_DFF") => "ff",
        _ => "other",
    }
}

/// Where Yosys keeps `ice40/cells_sim.v`: `SIEVINGNET_YOSYS_SHARE` if set,
/// else `yosys-config --datdir`, else the Debian and source-install folders.
pub fn cells_sim_path() -> Result<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("SIEVINGNET_YOSYS_SHARE") {
        dirs.push(PathBuf::from(d));
    }
    if let Ok(out) = Command::new("yosys-config").arg("--datdir").output() {
        let d = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !d.is_empty() {
            dirs.push(PathBuf::from(d));
        }
    }
    dirs.push(PathBuf::from("/usr/share/yosys"));
    dirs.push(PathBuf::from("/usr/local/share/yosys"));
    for d in &dirs {
        let p = d.join("ice40").join("cells_sim.v");
        if p.is_file() {
            return Ok(p);
        }
    }
    bail!(
        "Yosys's iCE40 cell models (ice40/cells_sim.v) are not in {}: install Yosys \
         (scripts/install-eda.sh) or set SIEVINGNET_YOSYS_SHARE to the folder that holds ice40/",
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Synthesizes `verilog` (top module `top`) with `synth_ice40` in `work`
/// (`-dsp` when `dsp`; `-noflatten` when `keep_blocks`) and returns the
/// mapped netlist as Verilog.
pub fn mapped_netlist(
    verilog: &str,
    top: &str,
    dsp: bool,
    keep_blocks: bool,
    work: &Path,
) -> Result<String> {
    require_tool("yosys", "the toggle flow (synth_ice40)")?;
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))?;
    std::fs::write(work.join("design.v"), verilog)?;
    let script = format!(
        "read_verilog design.v; synth_ice40 -top {top}{}{}; write_verilog -noattr mapped.v",
        if keep_blocks { " -noflatten" } else { "" },
        if dsp { " -dsp" } else { "" },
    );
    run_logged(
        Command::new("yosys")
            .current_dir(work)
            .args(["-q", "-p", &script]),
        &format!("yosys synth_ice40 of {top} for the toggle flow"),
        &work.join("synth.log"),
    )?;
    std::fs::read_to_string(work.join("mapped.v")).context("Yosys wrote no mapped.v")
}

/// The module definitions of `cells_sim.v`, by name.
fn cell_modules(cells_sim: &str) -> (String, BTreeMap<String, String>) {
    let header = cells_sim
        .find("\nmodule ")
        .map(|i| cells_sim[..i + 1].to_string())
        .unwrap_or_default();
    let mut mods = BTreeMap::new();
    let mut rest = cells_sim;
    while let Some(i) = rest.find("\nmodule ") {
        let body = &rest[i + 1..];
        let end = body.find("\nendmodule").map(|e| e + "\nendmodule".len());
        let Some(end) = end else { break };
        let text = &body[..end];
        let name: String = text["module ".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        mods.insert(name, text.to_string());
        rest = &body[end..];
    }
    (header, mods)
}

/// A netlist ready for Verilator: the cell models it uses, then the netlist,
/// with every cell type renamed after the module that holds the cell
/// (`SB_LUT4` in the module of index 3 becomes `SB_LUT4__b3`), so that
/// Verilator's toggle counts, which it sums over instances of one cell
/// model, come out per module.
#[derive(Clone, Debug)]
pub struct SimNetlist {
    pub verilog: String,
    /// The netlist's modules in order; index `k` is the `__bk` suffix.
    pub modules: Vec<String>,
    /// Its cells by kind ([`cell_kind`]).
    pub cells: BTreeMap<String, u64>,
}

/// Builds the [`SimNetlist`] of a mapped `netlist` with the models of
/// `cells_sim` (Yosys's `ice40/cells_sim.v`).
pub fn sim_netlist(netlist: &str, cells_sim: &str) -> Result<SimNetlist> {
    let (header, models) = cell_modules(cells_sim);
    let mut modules: Vec<String> = Vec::new();
    let mut used: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut cells: BTreeMap<String, u64> = BTreeMap::new();
    let mut out = String::with_capacity(netlist.len() + netlist.len() / 8);
    for line in netlist.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("module ") {
            let name: String = rest
                .trim_start_matches('\\')
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '(')
                .collect();
            modules.push(name);
        } else if t.starts_with("SB_") && !modules.is_empty() {
            let cell: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let after = &t[cell.len()..];
            if after.starts_with([' ', '#', '(']) {
                let k = modules.len() - 1;
                if !models.contains_key(&cell) {
                    bail!(
                        "the netlist uses the cell {cell}, which ice40/cells_sim.v does not model"
                    );
                }
                if cell_kind(&cell) == "other" {
                    bail!(
                        "the netlist uses the cell {cell}: the toggle flow counts logic, carry, \
                         flip-flop and DSP cells only (memories are counted per read, not simulated here)"
                    );
                }
                used.insert((cell.clone(), k));
                *cells.entry(cell_kind(&cell).to_string()).or_insert(0) += 1;
                let indent = &line[..line.len() - t.len()];
                out.push_str(&format!("{indent}{cell}__b{k}{after}\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut text = header;
    // Verilator does not take default values on input ports.
    text.insert_str(0, "`define NO_ICE40_DEFAULT_ASSIGNMENTS\n");
    for (cell, k) in &used {
        let model = &models[cell];
        text.push_str(&model.replacen(
            &format!("module {cell}"),
            &format!("module {cell}__b{k}"),
            1,
        ));
        text.push('\n');
    }
    text.push_str(&out);
    Ok(SimNetlist {
        verilog: text,
        modules,
        cells,
    })
}

/// Splits a renamed cell type (`SB_LUT4__b3`, or Verilator's parameterized
/// copy `SB_LUT4__b3__Lz7`) into the cell type and the module index.
pub fn split_cell_type(name: &str) -> Option<(&str, usize)> {
    let i = name.find("__b")?;
    let digits: String = name[i + 3..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    Some((&name[..i], digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELLS: &str = "`timescale 1ps / 1ps\n`define X 1\n\
        module SB_LUT4 (output O, input I0);\nassign O = I0;\nendmodule\n\
        module SB_DFF (output reg Q, input C, D);\nalways @(posedge C) Q <= D;\nendmodule\n";

    #[test]
    fn cells_are_renamed_per_module() {
        let net = "module top(a, q);\n  SB_LUT4 #(\n    .LUT_INIT(16'h1)\n  ) _1_ (.O(x), .I0(a));\n  \
                   \\top$r  r (.d(x), .q(q));\nendmodule\n\
                   module \\top$r (d, q);\n  SB_DFF _2_ (.Q(q), .C(c), .D(d));\n  SB_LUT4 _3_ (.O(y), .I0(d));\nendmodule\n";
        let s = sim_netlist(net, CELLS).unwrap();
        assert_eq!(s.modules, vec!["top".to_string(), "top$r".to_string()]);
        assert!(s.verilog.contains("  SB_LUT4__b0 #(\n"));
        assert!(s.verilog.contains("  SB_DFF__b1 _2_"));
        assert!(s.verilog.contains("  SB_LUT4__b1 _3_"));
        for m in [
            "module SB_LUT4__b0 (",
            "module SB_LUT4__b1 (",
            "module SB_DFF__b1 (",
        ] {
            assert_eq!(s.verilog.matches(m).count(), 1, "{m}");
        }
        assert!(!s.verilog.contains("module SB_DFF__b0"));
        assert_eq!((s.cells["lut"], s.cells["ff"]), (2, 1));
        assert!(s
            .verilog
            .starts_with("`define NO_ICE40_DEFAULT_ASSIGNMENTS\n`timescale"));
        assert_eq!(split_cell_type("SB_LUT4__b12__Lz3"), Some(("SB_LUT4", 12)));
        assert_eq!(split_cell_type("SB_LUT4"), None);
    }

    #[test]
    fn unknown_and_memory_cells_are_refused() {
        let net = "module top();\n  SB_FOO _1_ (.O(x));\nendmodule\n";
        let e = sim_netlist(net, CELLS).unwrap_err().to_string();
        assert!(e.contains("SB_FOO"), "{e}");
        assert!(is_cell_output("SB_DFFESR", "Q") && !is_cell_output("SB_DFFESR", "D"));
        assert!(is_cell_output("SB_LUT4", "O") && !is_cell_output("SB_LUT4", "I0"));
        assert_eq!(cell_kind("SB_DFFE"), "ff");
    }
}
