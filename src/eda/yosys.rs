//! The Yosys steps of the area flow: `synth_ice40` cell counts, the
//! technology-independent gate figures and the per-block breakdown. Yosys
//! runs in a work folder holding the unit as `unit.v` (see [`stage`]).

use super::designs::AreaDesign;
use super::report::{BlockCells, GenericGates, Ice40Cells};
use crate::toolchain::run_logged;
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Each module's own cells and its sub-module instances (type, count).
type HierStat = BTreeMap<String, (BlockCells, Vec<(String, u64)>)>;

/// Parses Yosys `stat` text of a hierarchical design into each module's own
/// cells and its sub-module instances.
fn parse_hier_stat(text: &str) -> HierStat {
    let mut mods: HierStat = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("=== ").and_then(|r| r.strip_suffix(" ===")) {
            if name == "design hierarchy" {
                break;
            }
            mods.entry(name.to_string()).or_default();
            current = Some(name.to_string());
            continue;
        }
        let Some(cur) = &current else { continue };
        let f: Vec<&str> = t.split_whitespace().collect();
        if f.len() != 2 || f[0] == "Number" || t.starts_with("Number") {
            continue;
        }
        let Ok(n) = f[1].parse::<u64>() else { continue };
        let entry = mods.get_mut(cur).expect("module entry exists");
        match f[0] {
            "SB_LUT4" => entry.0.lut4 += n,
            "SB_CARRY" => entry.0.carry += n,
            k if k.starts_with("SB_DFF") => entry.0.dff += n,
            k if k.starts_with("SB_") || k.starts_with('$') => {}
            k => entry.1.push((k.to_string(), n)),
        }
    }
    mods
}

fn rolled_up(name: &str, mods: &HierStat, depth: usize) -> BlockCells {
    let mut total = BlockCells::default();
    if let Some((own, children)) = mods.get(name) {
        total = *own;
        if depth < 64 {
            for (child, n) in children {
                total.add_scaled(&rolled_up(child, mods, depth + 1), *n);
            }
        }
    }
    total
}

/// Where the unit's cells go, from `synth_ice40 -noflatten` (Yosys runs in
/// `work` on `unit.v`, with `-dsp` when asked): one entry per sub-module of the top that has logic
/// (LUT4s or carries, its own sub-modules included), `registers` for the
/// sub-modules that hold only flip-flops, and `top-level logic` for the
/// cells of the top module itself (in the exported unit: operand masking,
/// accumulator, counters). Without flattening Yosys cannot optimize across
/// blocks, so the parts add up to more than the flattened unit; they show
/// where the logic is, not exact shares.
pub fn block_breakdown(top: &str, dsp: bool, work: &Path) -> Result<BTreeMap<String, BlockCells>> {
    let script = format!(
        "read_verilog unit.v; synth_ice40 -noflatten -top {top}{}; tee -q -o hier_stat.txt stat",
        if dsp { " -dsp" } else { "" }
    );
    run_logged(
        Command::new("yosys")
            .current_dir(work)
            .args(["-q", "-p", &script]),
        &format!(
            "yosys synth_ice40 -noflatten of {}",
            work.join("unit.v").display()
        ),
        &work.join("hier.log"),
    )?;
    let mods = parse_hier_stat(&std::fs::read_to_string(work.join("hier_stat.txt"))?);
    let mut out = BTreeMap::new();
    let Some((own, children)) = mods.get(top) else {
        bail!("Yosys stat of {top} lists no module {top}");
    };
    out.insert("top-level logic".to_string(), *own);
    let prefix = format!("{top}$");
    for (child, n) in children {
        let cells = rolled_up(child, &mods, 0);
        let short = child.strip_prefix(&prefix).unwrap_or(child);
        let key = if cells.lut4 == 0 && cells.carry == 0 {
            "registers".to_string()
        } else {
            // Numbered copies (`name$0`, `name$1`) count as one block.
            short.split('$').next().unwrap_or(short).to_string()
        };
        out.entry(key)
            .or_insert_with(BlockCells::default)
            .add_scaled(&cells, *n);
    }
    Ok(out)
}

fn cells_by_type(stat_json: &str) -> Result<BTreeMap<String, u64>> {
    let v: serde_json::Value =
        serde_json::from_str(stat_json).context("Yosys stat -json output is not JSON")?;
    let cells = v
        .get("design")
        .and_then(|d| d.get("num_cells_by_type"))
        .and_then(|c| c.as_object())
        .ok_or_else(|| anyhow!("Yosys stat -json output has no design.num_cells_by_type"))?;
    Ok(cells
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect())
}

/// `synth_ice40` of the unit alone. Yosys runs in `work`, which must hold
/// the unit as `unit.v` (see [`stage`]).
pub fn synth_ice40_cells(top: &str, dsp: bool, work: &Path) -> Result<Ice40Cells> {
    let stat = work.join("ice40_stat.json");
    let script = format!(
        "read_verilog unit.v; synth_ice40 -top {top}{}; tee -q -o ice40_stat.json stat -json",
        if dsp { " -dsp" } else { "" },
    );
    run_logged(
        Command::new("yosys")
            .current_dir(work)
            .args(["-q", "-p", &script]),
        &format!("yosys synth_ice40 of {}", work.join("unit.v").display()),
        &work.join("ice40.log"),
    )?;
    let by_type = cells_by_type(&std::fs::read_to_string(&stat)?)?;
    let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
        by_type
            .iter()
            .filter(|(k, _)| pred(k))
            .map(|(_, v)| v)
            .sum()
    };
    Ok(Ice40Cells {
        lut4: sum(&|k| k == "SB_LUT4"),
        carry: sum(&|k| k == "SB_CARRY"),
        dff: sum(&|k| k.starts_with("SB_DFF")),
        ram: sum(&|k| k.starts_with("SB_RAM")),
        dsp: sum(&|k| k == "SB_MAC16"),
        by_type,
    })
}

/// The technology-independent figures (Yosys runs in `work`, on `unit.v`).
pub fn generic_gates(top: &str, work: &Path) -> Result<GenericGates> {
    let stat = work.join("generic_stat.json");
    let cmos = work.join("cmos_stat.txt");
    let script = format!(
        "read_verilog unit.v; synth -flatten -top {top}; design -save synthesized; \
         abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; opt_clean; tee -q -o generic_stat.json stat -json; \
         design -load synthesized; abc -g cmos2; opt_clean; tee -q -o cmos_stat.txt stat -tech cmos"
    );
    run_logged(
        Command::new("yosys")
            .current_dir(work)
            .args(["-q", "-p", &script]),
        &format!(
            "yosys generic synthesis of {}",
            work.join("unit.v").display()
        ),
        &work.join("generic.log"),
    )?;
    let by_type = cells_by_type(&std::fs::read_to_string(&stat)?)?;
    let flip_flops = by_type
        .iter()
        .filter(|(k, _)| k.contains("DFF"))
        .map(|(_, v)| v)
        .sum();
    let gates = by_type
        .iter()
        .filter(|(k, _)| {
            [
                "$_AND_", "$_NAND_", "$_OR_", "$_NOR_", "$_XOR_", "$_XNOR_", "$_MUX_", "$_NOT_",
            ]
            .contains(&k.as_str())
        })
        .map(|(_, v)| v)
        .sum();
    let text = std::fs::read_to_string(&cmos)?;
    let cmos_transistors = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Estimated number of transistors:"))
        .map(|v| v.trim().trim_end_matches('+').trim())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            anyhow!(
                "Yosys stat -tech cmos printed no transistor estimate in {}",
                cmos.display()
            )
        })?;
    Ok(GenericGates {
        gates,
        flip_flops,
        cmos_transistors,
        by_type,
    })
}

/// Copies the unit's Verilog into `work` as `unit.v`, where the Yosys steps
/// read it (so no path needs quoting in a Yosys script).
pub fn stage(design: &AreaDesign, work: &Path) -> Result<()> {
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))?;
    std::fs::copy(&design.verilog, work.join("unit.v")).with_context(|| {
        format!(
            "cannot copy {} into {}",
            design.verilog.display(),
            work.display()
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchical_stat_rolls_up() {
        let text = "=== top ===\n   Number of cells: 3\n     SB_LUT4 4\n     top$tree 1\n     top$r$0 1\n     top$r$1 1\n\
                    === top$r$0 ===\n     SB_DFF 8\n=== top$r$1 ===\n     SB_DFFE 8\n\
                    === top$tree ===\n     SB_CARRY 5\n     SB_LUT4 6\n     top$tree$heap 2\n\
                    === top$tree$heap ===\n     SB_LUT4 1\n     SB_DFF 2\n\
                    === design hierarchy ===\n     top$tree 1\n";
        let mods = parse_hier_stat(text);
        assert_eq!(
            mods["top"].0,
            BlockCells {
                lut4: 4,
                carry: 0,
                dff: 0
            }
        );
        assert_eq!(
            rolled_up("top$tree", &mods, 0),
            BlockCells {
                lut4: 8,
                carry: 5,
                dff: 4
            }
        );
        assert_eq!(
            rolled_up("top", &mods, 0),
            BlockCells {
                lut4: 12,
                carry: 5,
                dff: 20
            }
        );
    }

    #[test]
    fn stat_json_cells_are_read() {
        let j =
            r#"{"design": {"num_cells": 3, "num_cells_by_type": {"SB_LUT4": 2, "SB_DFFE": 1}}}"#;
        let c = cells_by_type(j).unwrap();
        assert_eq!(c["SB_LUT4"], 2);
        assert!(cells_by_type("{}").is_err());
    }
}
