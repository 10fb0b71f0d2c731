//! Reading Verilator's toggle coverage (`coverage.dat`): every change of a
//! signal bit, either way, adds one to its point. Verilator sums the points
//! of all instances of one module at one source line, which is why the
//! netlist's cell types are renamed per module (see [`super::netlist`]).

use super::netlist::{
    cell_kind, is_cell_output, split_cell_type, split_memory_index, READS_SIGNAL, WRITES_SIGNAL,
};
use anyhow::{bail, Result};
use std::collections::BTreeMap;

/// One coverage point: a signal bit of a module, and its toggles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// The module (Verilator's `page` without `v_toggle/`).
    pub module: String,
    /// The signal, with its bit (`O`, `O[3]`).
    pub signal: String,
    pub toggles: u64,
}

/// Parses `coverage.dat` text: lines `C '<keys>' <count>`, the keys as
/// `\x01key\x02value` fields. Other lines (the header) are skipped; a
/// malformed `C` line is an error.
pub fn parse(text: &str) -> Result<Vec<Point>> {
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("C '") else {
            continue;
        };
        let Some((keys, count)) = rest.rsplit_once("' ") else {
            bail!("coverage line {} is malformed: {line:?}", n + 1);
        };
        let toggles: u64 = count
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("coverage line {} has no count: {line:?}", n + 1))?;
        let mut page = None;
        let mut signal = None;
        for field in keys.split('\x01').filter(|f| !f.is_empty()) {
            if let Some((k, v)) = field.split_once('\x02') {
                match k {
                    "page" => page = Some(v),
                    "o" => signal = Some(v),
                    _ => {}
                }
            }
        }
        let (Some(page), Some(signal)) = (page, signal) else {
            bail!("coverage line {} has no page or signal: {line:?}", n + 1);
        };
        let Some(module) = page.strip_prefix("v_toggle/") else {
            continue;
        };
        points.push(Point {
            module: module.to_string(),
            signal: signal.to_string(),
            toggles,
        });
    }
    Ok(points)
}

/// Toggles by (module index of the netlist, cell kind).
pub type ByModuleKind = BTreeMap<(usize, &'static str), u64>;

/// Toggles of the nets driven by cells, by (module index of the netlist,
/// cell kind). Points of other signals (cell inputs, the models' internal
/// wires, the netlist's own wires) are left out: each net is counted once,
/// at its driver.
pub fn cell_output_toggles(points: &[Point]) -> ByModuleKind {
    let mut out = BTreeMap::new();
    for p in points {
        let Some((cell, module)) = split_cell_type(&p.module) else {
            continue;
        };
        let port = p.signal.split('[').next().unwrap_or("");
        if is_cell_output(cell, port) {
            *out.entry((module, cell_kind(cell))).or_insert(0) += p.toggles;
        }
    }
    out
}

/// Reads and writes of one memory cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accesses {
    pub reads: u64,
    pub writes: u64,
}

/// Reads and writes by memory cell index (see
/// [`super::netlist::instrument_memory`]: each access flips one bit).
pub fn memory_accesses(points: &[Point]) -> BTreeMap<usize, Accesses> {
    let mut out: BTreeMap<usize, Accesses> = BTreeMap::new();
    for p in points {
        let Some(j) = split_memory_index(&p.module) else {
            continue;
        };
        let a = out.entry(j).or_default();
        if p.signal == READS_SIGNAL {
            a.reads += p.toggles;
        } else if p.signal == WRITES_SIGNAL {
            a.writes += p.toggles;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: &str, signal: &str, n: u64) -> String {
        format!("C '\x01f\x02cells.v\x01l\x0219\x01page\x02v_toggle/{page}\x01o\x02{signal}\x01h\x02dut.top.*' {n}\n")
    }

    #[test]
    fn outputs_are_summed_per_module_and_kind() {
        let text = String::from("# SystemC::Coverage-3\n")
            + &line("SB_LUT4__b0__Lz1", "O", 5)
            + &line("SB_LUT4__b0__Lz2", "O", 7)
            + &line("SB_LUT4__b0__Lz2", "I0", 100)
            + &line("SB_LUT4__b0__Lz2", "s3[1]", 100)
            + &line("SB_DFF__b1", "Q", 3)
            + &line("SB_DFF__b1", "C", 1000)
            + &line("SB_MAC16__b1", "O[4]", 2)
            + &line("top", "x", 50);
        let points = parse(&text).unwrap();
        assert_eq!(points.len(), 8);
        let t = cell_output_toggles(&points);
        assert_eq!(t[&(0, "lut")], 12);
        assert_eq!(t[&(1, "ff")], 3);
        assert_eq!(t[&(1, "dsp")], 2);
        assert_eq!(t.len(), 3);
        assert!(parse("C 'x' y\n").is_err());
    }

    #[test]
    fn memory_outputs_and_accesses_are_counted() {
        let text = line("SB_RAM40_4K__b0m2__Lz1", "RDATA[3]", 4)
            + &line("SB_RAM40_4K__b0m2__Lz1", "sievingnet_reads", 9)
            + &line("SB_RAM40_4K__b0m2__Lz1", "sievingnet_writes", 1)
            + &line("SB_RAM40_4K__b0m2__Lz1", "RADDR[0]", 50)
            + &line("SB_SPRAM256KA__b0m0", "DATAOUT[15]", 6)
            + &line("SB_SPRAM256KA__b0m0", "sievingnet_reads", 7)
            + &line("SB_LUT4__b0", "O", 3);
        let points = parse(&text).unwrap();
        let t = cell_output_toggles(&points);
        assert_eq!(
            (t[&(0, "ram")], t[&(0, "spram")], t[&(0, "lut")]),
            (4, 6, 3)
        );
        let a = memory_accesses(&points);
        assert_eq!(
            a[&2],
            Accesses {
                reads: 9,
                writes: 1
            }
        );
        assert_eq!(
            a[&0],
            Accesses {
                reads: 7,
                writes: 0
            }
        );
        assert_eq!(a.len(), 2);
    }
}
