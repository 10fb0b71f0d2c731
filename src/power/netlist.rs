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
    ("SB_RAM40_4K", &["RDATA"]),
    ("SB_SPRAM256KA", &["DATAOUT"]),
];

/// The signal each simulated memory model flips on a read, and on a write:
/// its toggles count the accesses (see [`instrument_memory`]).
pub const READS_SIGNAL: &str = "sievingnet_reads";
pub const WRITES_SIGNAL: &str = "sievingnet_writes";

/// Whether `port` is an output of the cell type `cell` (flip-flops: `Q`).
pub fn is_cell_output(cell: &str, port: &str) -> bool {
    if cell.starts_with("SB_DFF") {
        return port == "Q";
    }
    CELL_OUTPUTS
        .iter()
        .any(|(c, ports)| *c == cell && ports.contains(&port))
}

/// What kind of cell a type is, for the report: `lut`, `carry`, `ff`, `dsp`,
/// `ram` (block RAM), `spram`.
pub fn cell_kind(cell: &str) -> &'static str {
    match cell {
        "SB_LUT4" => "lut",
        "SB_CARRY" => "carry",
        "SB_MAC16" => "dsp",
        "SB_RAM40_4K" => "ram",
        "SB_SPRAM256KA" => "spram",
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
    let options = if dsp { "-dsp" } else { "" };
    mapped_netlist_with(verilog, top, options, keep_blocks, work)
}

/// [`mapped_netlist`] with any `synth_ice40` options (e.g. the UP5K's
/// `-device u -spram -dsp`).
pub fn mapped_netlist_with(
    verilog: &str,
    top: &str,
    options: &str,
    keep_blocks: bool,
    work: &Path,
) -> Result<String> {
    require_tool("yosys", "the toggle flow (synth_ice40)")?;
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))?;
    std::fs::write(work.join("design.v"), verilog)?;
    let script = format!(
        "read_verilog design.v; synth_ice40 -top {top}{} {options}; write_verilog -noattr mapped.v",
        if keep_blocks { " -noflatten" } else { "" },
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
/// model, come out per module. Each memory cell gets a model of its own
/// (`SB_RAM40_4K__b0m5`: memory cell 5), instrumented to count its reads
/// and writes.
#[derive(Clone, Debug)]
pub struct SimNetlist {
    pub verilog: String,
    /// The netlist's modules in order; index `k` is the `__bk` suffix.
    pub modules: Vec<String>,
    /// Its cells by kind ([`cell_kind`]).
    pub cells: BTreeMap<String, u64>,
    /// Its memory cells in order; index `j` is the `mj` suffix.
    pub memories: Vec<MemoryCell>,
}

/// One memory cell of a netlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryCell {
    /// `SB_RAM40_4K` or `SB_SPRAM256KA`.
    pub cell: String,
    /// The instance name Yosys gave it (`wstore.mem.0.1`).
    pub instance: String,
    /// The index of the netlist module that holds it.
    pub module: usize,
}

impl MemoryCell {
    /// The renamed model of memory cell `j` (`SB_RAM40_4K__b0m5`).
    pub fn type_name(&self, j: usize) -> String {
        format!("{}__b{}m{j}", self.cell, self.module)
    }

    /// The design's memory the cell belongs to: the instance name before
    /// Yosys's `.mem.` suffix (`wstore`, `tstore`).
    pub fn memory(&self) -> &str {
        self.instance
            .split_once(".mem.")
            .map(|(m, _)| m)
            .unwrap_or(&self.instance)
    }
}

/// The instance name at the start of `text` (`\wstore.mem.0.0  (`).
fn instance_name(text: &str) -> Option<String> {
    let t = text.trim_start();
    let t = t.strip_prefix('\\').unwrap_or(t);
    let name: String = t.chars().take_while(|c| !c.is_whitespace()).collect();
    (!name.is_empty() && name != "(").then_some(name)
}

/// `model` (a cell's model from `cells_sim.v`) with Verilator's toggle
/// coverage kept on its output ports only: inputs and internal signals are
/// never counted (each net is counted at its driver), and leaving them out
/// makes the simulation several times smaller to compile and faster to run.
/// The coverage stays off after the model, so the netlist's own wires,
/// which are never counted either, get no points.
pub fn outputs_only_coverage(model: &str) -> String {
    let Some(header_end) = model.find(");") else {
        return model.to_string();
    };
    let mut out = String::with_capacity(model.len() + 256);
    let header = &model[..header_end];
    let mut rest = header;
    while let Some(i) = rest.find(['i', 'o']) {
        let word: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let boundary = rest[..i]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        out.push_str(&rest[..i]);
        if boundary && word == "input" {
            out.push_str("/*verilator coverage_off*/ ");
        } else if boundary && word == "output" {
            out.push_str("/*verilator coverage_on*/ ");
        }
        out.push_str(&word);
        // `word` holds at least the letter found.
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out.push_str(");\n/*verilator coverage_off*/");
    out.push_str(&model[header_end + 2..]);
    out
}

/// `model` (a memory cell's model from `cells_sim.v`) with a bit that flips
/// on every read and one that flips on every write: their toggles are the
/// accesses, counted by the same coverage as every net.
pub fn instrument_memory(cell: &str, model: &str) -> Result<String> {
    let body = match cell {
        "SB_RAM40_4K" => format!(
            "/*verilator coverage_on*/\n\treg {READS_SIGNAL} = 1'b0, {WRITES_SIGNAL} = 1'b0;\n\
             \talways @(posedge RCLK) if (RE && RCLKE) {READS_SIGNAL} <= !{READS_SIGNAL};\n\
             \talways @(posedge WCLK) if (WE && WCLKE) {WRITES_SIGNAL} <= !{WRITES_SIGNAL};\n\
             /*verilator coverage_off*/\n"
        ),
        "SB_SPRAM256KA" => format!(
            "/*verilator coverage_on*/\n\treg {READS_SIGNAL} = 1'b0, {WRITES_SIGNAL} = 1'b0;\n\
             \talways @(posedge CLOCK) if (CHIPSELECT && !STANDBY && !SLEEP && POWEROFF) begin\n\
             \t\tif (WREN) {WRITES_SIGNAL} <= !{WRITES_SIGNAL}; else {READS_SIGNAL} <= !{READS_SIGNAL};\n\
             \tend\n/*verilator coverage_off*/\n"
        ),
        other => bail!("no access count for the memory cell {other}"),
    };
    let end = model
        .rfind("endmodule")
        .with_context(|| format!("the model of {cell} has no endmodule"))?;
    Ok(format!("{}{body}{}", &model[..end], &model[end..]))
}

/// Builds the [`SimNetlist`] of a mapped `netlist` with the models of
/// `cells_sim` (Yosys's `ice40/cells_sim.v`).
pub fn sim_netlist(netlist: &str, cells_sim: &str) -> Result<SimNetlist> {
    let (header, models) = cell_modules(cells_sim);
    let mut modules: Vec<String> = Vec::new();
    let mut used: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut cells: BTreeMap<String, u64> = BTreeMap::new();
    let mut memories: Vec<MemoryCell> = Vec::new();
    // A memory cell whose instance name is still to come (after its
    // parameters).
    let mut unnamed: Option<usize> = None;
    let mut out = String::with_capacity(netlist.len() + netlist.len() / 8);
    for line in netlist.lines() {
        let t = line.trim_start();
        if let Some(j) = unnamed {
            if let Some(rest) = t.strip_prefix(") ") {
                memories[j].instance = instance_name(rest).unwrap_or_default();
                unnamed = None;
            }
        }
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
                let kind = cell_kind(&cell);
                if kind == "other" {
                    bail!(
                        "the netlist uses the cell {cell}: the toggle flow counts logic, carry, \
                         flip-flop, DSP, block RAM (SB_RAM40_4K) and SPRAM cells only"
                    );
                }
                *cells.entry(kind.to_string()).or_insert(0) += 1;
                let indent = &line[..line.len() - t.len()];
                let renamed = if kind == "ram" || kind == "spram" {
                    let j = memories.len();
                    let instance = if after.trim_start().starts_with('#') {
                        unnamed = Some(j);
                        String::new()
                    } else {
                        instance_name(after).unwrap_or_default()
                    };
                    memories.push(MemoryCell {
                        cell: cell.clone(),
                        instance,
                        module: k,
                    });
                    memories[j].type_name(j)
                } else {
                    used.insert((cell.clone(), k));
                    format!("{cell}__b{k}")
                };
                out.push_str(&format!("{indent}{renamed}{after}\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut text = header;
    // Verilator does not take default values on input ports.
    text.insert_str(0, "`define NO_ICE40_DEFAULT_ASSIGNMENTS\n");
    let rename = |model: &str, from: &str, to: &str| {
        model.replacen(&format!("module {from}"), &format!("module {to}"), 1)
    };
    for (cell, k) in &used {
        let model = outputs_only_coverage(&models[cell]);
        text.push_str(&rename(&model, cell, &format!("{cell}__b{k}")));
        text.push('\n');
    }
    for (j, m) in memories.iter().enumerate() {
        let model = instrument_memory(&m.cell, &outputs_only_coverage(&models[&m.cell]))?;
        text.push_str(&rename(&model, &m.cell, &m.type_name(j)));
        text.push('\n');
    }
    text.push_str(&out);
    Ok(SimNetlist {
        verilog: text,
        modules,
        cells,
        memories,
    })
}

/// The memory cell index of a renamed memory type (`SB_RAM40_4K__b0m5`,
/// `SB_RAM40_4K__b0m5__Lz2`): 5.
pub fn split_memory_index(name: &str) -> Option<usize> {
    let i = name.find("__b")?;
    let rest = name[i + 3..].trim_start_matches(|c: char| c.is_ascii_digit());
    let digits: String = rest
        .strip_prefix('m')?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
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
    fn coverage_is_kept_on_outputs_only() {
        let m = "module SB_X (\n\toutput O,\n\tinput I0 `D_0,\n\tinput I1\n);\n\twire inner;\nendmodule";
        let c = outputs_only_coverage(m);
        assert_eq!(
            c,
            "module SB_X (\n\t/*verilator coverage_on*/ output O,\n\t/*verilator coverage_off*/ input I0 `D_0,\n\t\
             /*verilator coverage_off*/ input I1\n);\n/*verilator coverage_off*/\n\twire inner;\nendmodule"
        );
        let last =
            outputs_only_coverage("module SB_Y (input [1:0] A, output reg [1:0] Q);\nendmodule");
        assert!(last.contains("coverage_off*/ input [1:0] A, /*verilator coverage_on*/ output reg"));
    }

    #[test]
    fn memory_cells_get_a_counting_model_each() {
        let cells = "`timescale 1ps / 1ps\nmodule SB_RAM40_4K (output [15:0] RDATA, input RCLK, RCLKE, RE, WCLK, WCLKE, WE);\n\
                     endmodule\nmodule SB_SPRAM256KA (input CLOCK, CHIPSELECT, WREN, STANDBY, SLEEP, POWEROFF, \
                     output reg [15:0] DATAOUT);\nendmodule\n";
        let net = "module top();\n  SB_RAM40_4K #(\n    .READ_MODE(2'h0)\n  ) \\nz_idx$2.mem.0.0  (\n    .RE(1'h1)\n  );\n  \
                   SB_SPRAM256KA \\wstore.mem.0.1  (\n    .CLOCK(c)\n  );\nendmodule\n";
        let s = sim_netlist(net, cells).unwrap();
        assert_eq!(s.memories.len(), 2);
        assert_eq!(
            (s.memories[0].instance.as_str(), s.memories[0].memory()),
            ("nz_idx$2.mem.0.0", "nz_idx$2")
        );
        assert_eq!(s.memories[1].memory(), "wstore");
        assert!(s.verilog.contains("  SB_RAM40_4K__b0m0 #(\n"));
        assert!(s.verilog.contains("  SB_SPRAM256KA__b0m1 \\wstore"));
        assert_eq!(s.verilog.matches("module SB_RAM40_4K__b0m0 (").count(), 1);
        assert_eq!(s.verilog.matches(READS_SIGNAL).count(), 2 * 3);
        assert_eq!((s.cells["ram"], s.cells["spram"]), (1, 1));
        assert_eq!(split_memory_index("SB_RAM40_4K__b0m12__Lz3"), Some(12));
        assert_eq!(split_memory_index("SB_LUT4__b0__Lz3"), None);
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
