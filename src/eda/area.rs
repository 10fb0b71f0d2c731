//! The iCE40 area and timing flow behind `sievingnet area` (issue 4).
//!
//! For each design (a Verilog file, its top module and the [`UnitConfig`] of
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

use super::wrapper::{timing_wrapper, WRAPPER_TOP};
use crate::config::UnitConfig;
use crate::engine::verilog::{require_tool, INSTALL_HINT};
use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the report says about its own numbers.
pub const MEANING: &str = "FPGA estimates from Yosys and nextpnr for Lattice iCE40 parts: \
LUT4, carry, flip-flop and DSP counts of the unit synthesized alone, placed logic cells and \
register-to-register Fmax of the unit inside a wrapper that registers every input and output. \
They are not a chip's area, timing or power. The CMOS transistor count is Yosys's estimate for \
the combinational gates of a generic library (flip-flops and wiring not included).";

/// One unit to measure.
#[derive(Clone, Debug)]
pub struct AreaDesign {
    /// A short unique name, e.g. `sieve-ternary-a8w8`.
    pub name: String,
    /// What it is: `sieve`, `sieve-no-counters`, `exact-mac`, ...
    pub kind: String,
    /// The widths of its ports (and, for the sieve, its coding).
    pub cfg: UnitConfig,
    pub verilog: PathBuf,
    pub top: String,
    /// Synthesize with `synth_ice40 -dsp` (UP5K DSP blocks); such a design is
    /// placed on UP5K only, the one part with DSPs.
    pub dsp: bool,
}

/// An iCE40 part for nextpnr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Hx8k,
    Up5k,
}

impl Device {
    pub fn name(self) -> &'static str {
        match self {
            Device::Hx8k => "hx8k",
            Device::Up5k => "up5k",
        }
    }
    pub fn package(self) -> &'static str {
        match self {
            Device::Hx8k => "ct256",
            Device::Up5k => "sg48",
        }
    }
}

impl std::str::FromStr for Device {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hx8k" => Ok(Device::Hx8k),
            "up5k" => Ok(Device::Up5k),
            other => bail!("device = {other:?} is not supported: allowed hx8k or up5k"),
        }
    }
}

/// How the flow runs.
#[derive(Clone, Debug)]
pub struct AreaOptions {
    /// nextpnr placement seeds; the median Fmax over them is reported.
    pub seeds: Vec<u64>,
    /// Parts to place on (DSP designs go on UP5K only).
    pub devices: Vec<Device>,
    /// nextpnr's target clock (`--freq`), in MHz; timing may fail it
    /// (`--timing-allow-fail`): the achieved Fmax is what is reported.
    pub target_mhz: f64,
    /// Where the intermediate files go (kept for inspection); a temporary
    /// folder when `None`.
    pub work_dir: Option<PathBuf>,
}

impl Default for AreaOptions {
    fn default() -> Self {
        AreaOptions {
            seeds: vec![1, 2, 3],
            devices: vec![Device::Hx8k, Device::Up5k],
            target_mhz: 200.0,
            work_dir: None,
        }
    }
}

/// Cells of `synth_ice40`, unit alone.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Ice40Cells {
    pub lut4: u64,
    pub carry: u64,
    /// Every `SB_DFF*` flavour.
    pub dff: u64,
    /// `SB_RAM40_4K`.
    pub ram: u64,
    /// `SB_MAC16`.
    pub dsp: u64,
    pub by_type: BTreeMap<String, u64>,
}

/// Technology-independent figures from Yosys's generic gates.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GenericGates {
    /// Two-input gates (AND, NAND, OR, NOR, XOR, XNOR), 2:1 MUXes and NOTs
    /// after `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX`.
    pub gates: u64,
    /// Flip-flops (every `$_*DFF*` cell).
    pub flip_flops: u64,
    /// `stat -tech cmos` after `abc -g cmos2`: transistors of the
    /// combinational gates only.
    pub cmos_transistors: u64,
    pub by_type: BTreeMap<String, u64>,
}

/// nextpnr results of one design on one part.
#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub device: Device,
    pub package: &'static str,
    pub seeds: Vec<u64>,
    /// Achieved Fmax per seed, MHz, in the order of `seeds`.
    pub fmax_mhz: Vec<f64>,
    pub median_fmax_mhz: Option<f64>,
    /// `ICESTORM_LC` used, wrapper included (same for every seed).
    pub logic_cells: Option<u64>,
    pub logic_cells_available: Option<u64>,
    /// The register-to-register critical path of the first seed, as
    /// `start cell -> end cell` (nextpnr's cell names), to show what limits Fmax.
    pub critical_path: Option<String>,
    /// Why it was not placed (e.g. it does not fit the part).
    pub error: Option<String>,
}

/// The clock-to-clock critical path of a nextpnr `--report`, as
/// `start cell -> end cell`.
fn critical_path(report: &serde_json::Value) -> Option<String> {
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

/// Everything measured for one design.
#[derive(Clone, Debug, Serialize)]
pub struct DesignReport {
    pub name: String,
    pub kind: String,
    pub config: UnitConfig,
    pub verilog: String,
    pub top: String,
    pub dsp: bool,
    pub ice40: Ice40Cells,
    pub generic: GenericGates,
    /// Cells per block of the unit, from `synth_ice40 -noflatten` (see
    /// [`block_breakdown`]).
    pub blocks: BTreeMap<String, BlockCells>,
    pub placements: Vec<Placement>,
}

/// The iCE40 cells of one block, its sub-blocks included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BlockCells {
    pub lut4: u64,
    pub carry: u64,
    pub dff: u64,
}

impl BlockCells {
    fn add_scaled(&mut self, o: &BlockCells, n: u64) {
        self.lut4 += o.lut4 * n;
        self.carry += o.carry * n;
        self.dff += o.dff * n;
    }
}

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
    run_tool(
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

/// The whole report, as written to `area.json`.
#[derive(Clone, Debug, Serialize)]
pub struct AreaReport {
    pub format: &'static str,
    pub version: u32,
    pub meaning: &'static str,
    pub yosys_version: String,
    pub nextpnr_version: String,
    pub seeds: Vec<u64>,
    pub target_mhz: f64,
    pub wrapper: &'static str,
    pub designs: Vec<DesignReport>,
}

/// The tool versions, or an error naming a missing tool and how to install it.
pub fn tool_versions() -> Result<(String, String)> {
    require_tool("yosys", "the area flow")?;
    require_tool("nextpnr-ice40", "the area flow")?;
    let y = Command::new("yosys").arg("-V").output()?;
    let n = Command::new("nextpnr-ice40").arg("--version").output()?;
    let first = |o: &std::process::Output| {
        let s =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        s.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    Ok((first(&y), first(&n)))
}

fn run_tool(cmd: &mut Command, what: &str, log: &Path) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {what}: {INSTALL_HINT}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{what} failed ({}), log {}:\n{}",
            out.status,
            log.display(),
            tail.join("\n")
        );
    }
    Ok(text)
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
    run_tool(
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
    run_tool(
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

/// Synthesizes the unit inside the timing wrapper and places it on `device`
/// once per seed (`work` as prepared by [`stage`]).
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
    run_tool(
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
        let mut cmd = Command::new("nextpnr-ice40");
        cmd.arg(format!("--{}", device.name()))
            .args(["--package", device.package(), "--json"])
            .arg(&netlist)
            .args([
                "--freq",
                &format!("{}", opts.target_mhz),
                "--timing-allow-fail",
            ])
            .args(["--seed", &seed.to_string(), "--report"])
            .arg(&report)
            .arg("--quiet");
        let log = work.join(format!("pnr_{}_seed{seed}.log", device.name()));
        if let Err(e) = run_tool(
            &mut cmd,
            &format!("nextpnr-ice40 --{} (seed {seed})", device.name()),
            &log,
        ) {
            // Not fitting the part is a result, not a failure of the flow.
            p.error = Some(format!("{e:#}"));
            return Ok(p);
        }
        let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report)?)
            .with_context(|| format!("nextpnr report {} is not JSON", report.display()))?;
        let fmax = r
            .get("fmax")
            .and_then(|f| f.as_object())
            .and_then(|f| {
                f.values()
                    .filter_map(|c| c.get("achieved").and_then(|a| a.as_f64()))
                    .reduce(f64::min)
            })
            .ok_or_else(|| anyhow!("nextpnr report {} has no fmax", report.display()))?;
        let lc = r.get("utilization").and_then(|u| u.get("ICESTORM_LC"));
        p.logic_cells = lc.and_then(|l| l.get("used")).and_then(|v| v.as_u64());
        p.logic_cells_available = lc.and_then(|l| l.get("available")).and_then(|v| v.as_u64());
        if p.critical_path.is_none() {
            p.critical_path = critical_path(&r);
        }
        p.seeds.push(seed);
        p.fmax_mhz.push((fmax * 100.0).round() / 100.0);
    }
    p.median_fmax_mhz = median(&p.fmax_mhz);
    Ok(p)
}

/// Runs the whole flow on every design, in order, calling `progress` with a
/// line of text before each step. Fails only on a tool or file problem; a
/// design that does not fit a part is recorded in its [`Placement::error`].
pub fn run_area(
    designs: &[AreaDesign],
    opts: &AreaOptions,
    mut progress: impl FnMut(&str),
) -> Result<AreaReport> {
    if opts.seeds.is_empty() {
        bail!("seeds is empty: give at least one placement seed (e.g. --seeds 1,2,3)");
    }
    let (yosys_version, nextpnr_version) = tool_versions()?;
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
        stage(d, &work)?;
        progress(&format!(
            "{}: yosys synth_ice40{}",
            d.name,
            if d.dsp { " -dsp" } else { "" }
        ));
        let ice40 = synth_ice40_cells(&d.top, d.dsp, &work)?;
        progress(&format!("{}: yosys generic gates", d.name));
        let generic = generic_gates(&d.top, &work)?;
        progress(&format!(
            "{}: yosys synth_ice40 -noflatten (blocks)",
            d.name
        ));
        let blocks = block_breakdown(&d.top, d.dsp, &work)?;
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
            placements.push(place(d, dev, opts, &work)?);
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
        version: 1,
        meaning: MEANING,
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

impl DesignReport {
    pub fn placement(&self, device: Device) -> Option<&Placement> {
        self.placements.iter().find(|p| p.device == device)
    }
}

fn fmt_fmax(p: Option<&Placement>) -> String {
    match p {
        None => "-".to_string(),
        Some(p) => match (p.median_fmax_mhz, &p.error) {
            (Some(m), _) => {
                let lo = p.fmax_mhz.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = p.fmax_mhz.iter().cloned().fold(0.0, f64::max);
                format!("{m:.1} ({lo:.1}-{hi:.1})")
            }
            (None, Some(e))
                if e.contains("Unable to place")
                    || e.contains("too many")
                    || e.contains("exceed") =>
            {
                "does not fit".to_string()
            }
            (None, _) => "failed".to_string(),
        },
    }
}

/// The report as a markdown table, with the ratios against the exact
/// baseline (`exact-mac`, no DSP) of the same width.
pub fn markdown(report: &AreaReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Yosys: {}; nextpnr: {}; placement seeds {:?}, target {} MHz; Fmax is the median over the \
         seeds (min-max in brackets), register to register in the timing wrapper.\n\n{}\n\n",
        report.yosys_version,
        report.nextpnr_version,
        report.seeds,
        report.target_mhz,
        report.meaning
    ));
    s.push_str(
        "| design | a x w | LUT4 | carry | DFF | DSP | generic gates | CMOS transistors | HX8K LCs (wrapped) | HX8K Fmax MHz | UP5K LCs (wrapped) | UP5K Fmax MHz | LUT4 / baseline | HX8K Fmax / baseline |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for d in &report.designs {
        let base = report.designs.iter().find(|b| {
            b.kind == "exact-mac"
                && !b.dsp
                && b.config.a_bits == d.config.a_bits
                && b.config.w_bits == d.config.w_bits
        });
        let hx = d.placement(Device::Hx8k);
        let up = d.placement(Device::Up5k);
        let lcs = |p: Option<&Placement>| {
            p.and_then(|p| p.logic_cells)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".to_string())
        };
        let lut_ratio = base
            .filter(|b| b.ice40.lut4 > 0)
            .map(|b| format!("{:.2}", d.ice40.lut4 as f64 / b.ice40.lut4 as f64))
            .unwrap_or_else(|| "-".to_string());
        let fmax_ratio = base
            .and_then(|b| b.placement(Device::Hx8k))
            .and_then(|b| b.median_fmax_mhz)
            .zip(hx.and_then(|p| p.median_fmax_mhz))
            .map(|(b, m)| format!("{:.2}", m / b))
            .unwrap_or_else(|| "-".to_string());
        s.push_str(&format!(
            "| {} | {}x{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            d.name,
            d.config.a_bits,
            d.config.w_bits,
            d.ice40.lut4,
            d.ice40.carry,
            d.ice40.dff,
            d.ice40.dsp,
            d.generic.gates,
            d.generic.cmos_transistors,
            lcs(hx),
            fmt_fmax(hx),
            lcs(up),
            fmt_fmax(up),
            lut_ratio,
            fmax_ratio
        ));
    }
    s
}

/// The block breakdown of every design that has one, as a markdown table
/// (LUT4 / carry / DFF per block).
pub fn markdown_blocks(report: &AreaReport) -> String {
    let mut names: Vec<String> = Vec::new();
    for d in &report.designs {
        for k in d.blocks.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    if names.is_empty() {
        return String::new();
    }
    names.sort_by_key(|n| (n == "registers", n == "top-level logic", n.clone()));
    let mut s = String::from(
        "Cells per block, `synth_ice40 -noflatten` (LUT4 / SB_CARRY / DFF; blocks are not optimized \
         across their boundaries, so they add up to more than the flattened unit):\n\n| design |",
    );
    for n in &names {
        s.push_str(&format!(" {n} |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(names.len()));
    s.push('\n');
    for d in report.designs.iter().filter(|d| !d.blocks.is_empty()) {
        s.push_str(&format!("| {} |", d.name));
        for n in &names {
            match d.blocks.get(n) {
                Some(b) => s.push_str(&format!(" {} / {} / {} |", b.lut4, b.carry, b.dff)),
                None => s.push_str(" - |"),
            }
        }
        s.push('\n');
    }
    s
}

/// The HX8K critical path of each design (first seed), as a markdown table.
pub fn markdown_critical_paths(report: &AreaReport) -> String {
    let mut s = String::from(
        "| design | HX8K critical path, first seed (nextpnr cell names) |\n|---|---|\n",
    );
    let mut any = false;
    for d in &report.designs {
        if let Some(cp) = d
            .placement(Device::Hx8k)
            .and_then(|p| p.critical_path.as_ref())
        {
            s.push_str(&format!("| {} | `{}` |\n", d.name, cp));
            any = true;
        }
    }
    if any {
        s
    } else {
        String::new()
    }
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
            markdown(report)
                + "\n"
                + &markdown_blocks(report)
                + "\n"
                + &markdown_critical_paths(report),
        ),
        (dir.join("area.svg"), super::plot::area_svg(report)),
    ];
    for (path, text) in &files {
        crate::export::write_atomic(path, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn devices_parse_and_name_the_allowed_ones() {
        assert_eq!("up5k".parse::<Device>().unwrap(), Device::Up5k);
        let e = "hx1k".parse::<Device>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "device = \"hx1k\" is not supported: allowed hx8k or up5k"
        );
    }

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

    #[test]
    fn stat_json_cells_are_read() {
        let j =
            r#"{"design": {"num_cells": 3, "num_cells_by_type": {"SB_LUT4": 2, "SB_DFFE": 1}}}"#;
        let c = cells_by_type(j).unwrap();
        assert_eq!(c["SB_LUT4"], 2);
        assert!(cells_by_type("{}").is_err());
    }
}
