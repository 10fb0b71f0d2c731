//! The nextpnr step of the area flow: the unit inside the timing wrapper,
//! placed and routed once per seed; Fmax, logic cells, critical path.

use super::designs::{AreaDesign, AreaOptions};
use super::report::{Device, Placement};
use super::wrapper::{timing_wrapper, WRAPPER_TOP};
use crate::toolchain::run_logged;
use anyhow::{anyhow, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// `nextpnr-ice40` for `device` (its package) on the Yosys netlist
/// `netlist`; the caller adds what it asks of it.
pub fn nextpnr_command(device: Device, netlist: &Path) -> Command {
    let mut cmd = Command::new("nextpnr-ice40");
    cmd.arg(format!("--{}", device.name()))
        .args(["--package", device.package(), "--json"])
        .arg(netlist);
    cmd
}

/// The clock-to-clock critical path of a nextpnr `--report`, as
/// `start cell -> end cell`.
pub fn critical_path(report: &serde_json::Value) -> Option<String> {
    let paths = report.get("critical_paths")?.as_array()?;
    let p = paths.iter().find(|p| {
        let from = p.get("from").and_then(|v| v.as_str()).unwrap_or("");
        from.starts_with("posedge") && p.get("to").and_then(|v| v.as_str()) == Some(from)
    })?;
    let steps = p.get("path")?.as_array()?;
    let cell = |s: &serde_json::Value, end: &str| {
        s.get(end)
            .and_then(|e| e.get("cell"))
            .and_then(|c| c.as_str())
            .map(str::to_string)
    };
    Some(format!(
        "{} -> {}",
        cell(steps.first()?, "from")?,
        cell(steps.last()?, "to")?
    ))
}

/// The median of `v` (mean of the two middle values for an even count).
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

/// Synthesizes the unit inside the timing wrapper and places it on `device`
/// once per seed (`work` as prepared by [`stage`](crate::eda::yosys::stage)).
pub fn place(
    design: &AreaDesign,
    device: Device,
    opts: &AreaOptions,
    work: &Path,
) -> Result<Placement> {
    std::fs::write(
        work.join("timing_wrapper.v"),
        timing_wrapper(&design.cfg, &design.top),
    )?;
    let netlist = work.join(format!("wrapped_{}.json", device.name()));
    let script = format!(
        "read_verilog unit.v timing_wrapper.v; synth_ice40 -top {WRAPPER_TOP}{} -json wrapped_{}.json",
        if design.dsp { " -dsp" } else { "" },
        device.name()
    );
    run_logged(
        Command::new("yosys")
            .current_dir(work)
            .args(["-q", "-p", &script]),
        &format!("yosys synth_ice40 of {} in the timing wrapper", design.name),
        &work.join(format!("wrapped_{}.log", device.name())),
    )?;
    let mut p = Placement {
        device,
        package: device.package(),
        seeds: Vec::new(),
        fmax_mhz: Vec::new(),
        median_fmax_mhz: None,
        logic_cells: None,
        logic_cells_available: None,
        critical_path: None,
        error: None,
    };
    for &seed in &opts.seeds {
        let report = work.join(format!("pnr_{}_seed{seed}.json", device.name()));
        let mut cmd = nextpnr_command(device, &netlist);
        cmd.args([
            "--freq",
            &format!("{}", opts.target_mhz),
            "--timing-allow-fail",
        ])
        .args(["--seed", &seed.to_string(), "--report"])
        .arg(&report)
        .arg("--quiet");
        let log = work.join(format!("pnr_{}_seed{seed}.log", device.name()));
        if let Err(e) = run_logged(
            &mut cmd,
            &format!("nextpnr-ice40 --{} (seed {seed})", device.name()),
            &log,
        ) {
            // Not fitting the part is a result, not a failure of the flow.
            p.error = Some(format!("{e:#}"));
            return Ok(p);
        }
        let (fmax, used, available, r) = read_report(&report)?;
        p.logic_cells = used;
        p.logic_cells_available = available;
        if p.critical_path.is_none() {
            p.critical_path = critical_path(&r);
        }
        p.seeds.push(seed);
        p.fmax_mhz.push((fmax * 100.0).round() / 100.0);
    }
    p.median_fmax_mhz = median(&p.fmax_mhz);
    Ok(p)
}

/// nextpnr's `--report` JSON: the lowest achieved Fmax over the clocks
/// (MHz), the logic cells used and available, and the whole report.
pub fn read_report(path: &Path) -> Result<(f64, Option<u64>, Option<u64>, serde_json::Value)> {
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)
        .with_context(|| format!("nextpnr report {} is not JSON", path.display()))?;
    let fmax = r
        .get("fmax")
        .and_then(|f| f.as_object())
        .and_then(|f| {
            f.values()
                .filter_map(|c| c.get("achieved").and_then(|a| a.as_f64()))
                .reduce(f64::min)
        })
        .ok_or_else(|| anyhow!("nextpnr report {} has no fmax", path.display()))?;
    let lc = utilization(&r).and_then(|u| u.get("ICESTORM_LC").copied());
    Ok((fmax, lc.map(|c| c.0), lc.map(|c| c.1), r))
}

/// The cells used and available, by type (`ICESTORM_LC`, `ICESTORM_RAM`,
/// ...), of a nextpnr `--report`.
fn utilization(report: &serde_json::Value) -> Option<BTreeMap<String, (u64, u64)>> {
    let cells = report.get("utilization")?.as_object()?;
    Some(
        cells
            .iter()
            .filter_map(|(k, v)| {
                let count = |key: &str| v.get(key).and_then(|n| n.as_u64());
                Some((k.clone(), (count("used")?, count("available")?)))
            })
            .collect(),
    )
}

/// nextpnr's `--report` JSON (e.g. of `--pack-only`): `utilization`.
pub fn read_utilization(path: &Path) -> Result<BTreeMap<String, (u64, u64)>> {
    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)
        .with_context(|| format!("nextpnr report {} is not JSON", path.display()))?;
    utilization(&r).ok_or_else(|| anyhow!("nextpnr report {} has no utilization", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_of_a_packed_design() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack.json");
        std::fs::write(
            &path,
            r#"{"utilization": {"ICESTORM_LC": {"available": 5280, "used": 6300},
                "ICESTORM_RAM": {"available": 30, "used": 34}}}"#,
        )
        .unwrap();
        let used = read_utilization(&path).unwrap();
        assert_eq!(used["ICESTORM_LC"], (6300, 5280));
        assert_eq!(used["ICESTORM_RAM"], (34, 30));
        std::fs::write(&path, "{}").unwrap();
        let err = read_utilization(&path).unwrap_err().to_string();
        assert!(err.contains("no utilization"), "{err}");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn critical_path_names_start_and_end() {
        let r: serde_json::Value = serde_json::from_str(
            r#"{"critical_paths": [
                {"from": "<async>", "to": "posedge clk", "path": []},
                {"from": "posedge clk", "to": "posedge clk", "path": [
                    {"from": {"cell": "a"}, "to": {"cell": "b"}},
                    {"from": {"cell": "b"}, "to": {"cell": "c"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(critical_path(&r).as_deref(), Some("a -> c"));
    }
}
