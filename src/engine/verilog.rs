//! The `verilog` engine: runs a Verilog file whose top module has the SPEC
//! section 6 ports in a Verilog simulator and returns its results, and the
//! SPEC's three lint checks.
//!
//! * Verilator (preferred): the file is compiled once with
//!   `sim/verilator_main.cpp` (embedded in this crate) into a build directory
//!   named by a hash of everything that goes into it, so repeated runs and
//!   parallel tests share one build. Pairs go in and results come out as
//!   binary files.
//! * Icarus Verilog (fallback, or on request): `sim/tb_sieve_dot.v` with a
//!   `$readmemh` vector file.
//!
//! Both drivers follow the same rules: a pair is consumed at a rising edge
//! where `reset` is low and `in_valid && in_ready` (the driver holds it until
//! then), seeded random idle cycles before each pair, a reset before the
//! first pair with randomized register state, outputs sampled just before
//! each rising edge. A pair listed in [`VerilogSimOptions::resets_before`]
//! makes the driver wait until every finished vector has come out, then hold
//! `reset` for 1 to 3 cycles (with `in_valid` high and random data, which must
//! not be consumed): the partial vector in flight is dropped, and
//! [`expected_results`] gives the golden model's answer for such a run.

use crate::config::UnitConfig;
use crate::model::{run_stream, Pair, VectorResult};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// The C++ driver compiled with every Verilated unit.
pub const VERILATOR_DRIVER: &str = include_str!("../../sim/verilator_main.cpp");
/// The Icarus testbench.
pub const ICARUS_TESTBENCH: &str = include_str!("../../sim/tb_sieve_dot.v");

/// How to install the EDA tools, quoted in every missing-tool error.
pub const INSTALL_HINT: &str =
    "run scripts/install-eda.sh (or: apt-get install verilator iverilog yosys nextpnr-ice40 fpga-icestorm)";

/// Which Verilog simulator runs the unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulator {
    /// Verilator if installed, else Icarus; the environment variable
    /// `SIEVINGNET_SIMULATOR=verilator|icarus` overrides the choice.
    Auto,
    Verilator,
    Icarus,
}

impl Simulator {
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Auto => "auto",
            Simulator::Verilator => "verilator",
            Simulator::Icarus => "icarus",
        }
    }
}

impl std::str::FromStr for Simulator {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Simulator::Auto),
            "verilator" => Ok(Simulator::Verilator),
            "icarus" | "iverilog" => Ok(Simulator::Icarus),
            other => bail!("simulator = {other:?} is not known: allowed auto, verilator or icarus"),
        }
    }
}

/// How a simulation drives the unit.
#[derive(Clone, Debug)]
pub struct VerilogSimOptions {
    pub simulator: Simulator,
    /// Probability of an idle cycle before each pair, drawn again after each
    /// idle cycle (so the gap length is geometric); 0 = back to back. Must be
    /// in `[0, 1)`.
    pub gap_prob: f64,
    /// Seed of the driver's random gaps, reset data and initial register state.
    pub seed: u64,
    /// Indices of pairs before which the driver resets the unit (reset in
    /// mid-vector test mode). Sorted or not; each index below `pairs.len()`.
    pub resets_before: Vec<usize>,
    /// Where Verilator builds are cached; default: the environment variable
    /// `SIEVINGNET_SIM_CACHE`, else `target/verilator-cache` of this crate.
    pub build_dir: Option<PathBuf>,
    /// How many cycles the driver waits for an outstanding result, or for
    /// `in_ready`, before it gives up with a timeout error.
    pub max_wait: u64,
}

impl Default for VerilogSimOptions {
    fn default() -> Self {
        VerilogSimOptions {
            simulator: Simulator::Auto,
            gap_prob: 0.0,
            seed: 1,
            resets_before: Vec::new(),
            build_dir: None,
            max_wait: 100_000,
        }
    }
}

/// A finished simulation: the results and what it cost.
#[derive(Clone, Debug)]
pub struct SimReport {
    /// One entry per `out_valid` cycle after the initial reset, in order.
    pub results: Vec<VectorResult>,
    /// The simulator that ran.
    pub simulator: Simulator,
    /// Clock cycles simulated, including the initial reset and the tail.
    pub cycles: u64,
    /// Pairs consumed by the unit.
    pub pairs: u64,
    /// Resets in mid-vector performed.
    pub resets: u64,
    /// Seconds inside the simulation loop (Verilator: measured by the driver;
    /// Icarus: the `vvp` run).
    pub sim_seconds: f64,
    /// Processor seconds inside the simulation loop (Verilator only; equal to
    /// `sim_seconds` for Icarus). Steadier than `sim_seconds` on a busy machine.
    pub sim_cpu_seconds: f64,
    /// Seconds spent building (0 when the Verilator build was cached).
    pub build_seconds: f64,
    /// Seconds of the whole call, build and file I/O included.
    pub total_seconds: f64,
}

/// Runs `pairs` through the unit in `verilog` (top module `top`) and returns
/// one result per `out_valid` cycle. Compare it with [`expected_results`].
pub fn run_verilog(
    cfg: &UnitConfig,
    verilog: &Path,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<Vec<VectorResult>> {
    Ok(simulate(cfg, verilog, top, pairs, opts)?.results)
}

/// The golden model's results for a run with resets before the pairs listed
/// in `resets_before`: each reset drops the partial vector before it.
pub fn expected_results(
    cfg: &UnitConfig,
    pairs: &[Pair],
    resets_before: &[usize],
) -> Vec<VectorResult> {
    let mut cuts: Vec<usize> = resets_before.to_vec();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&pairs.len())) {
        let cut = cut.min(pairs.len());
        if cut < start {
            continue;
        }
        out.extend(run_stream(cfg, &pairs[start..cut]));
        start = cut;
    }
    out
}

/// Like [`run_verilog`], with the run's statistics.
pub fn simulate(
    cfg: &UnitConfig,
    verilog: &Path,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<SimReport> {
    let t0 = Instant::now();
    cfg.validate().map_err(|e| anyhow!("{e}"))?;
    check_inputs(cfg, top, pairs, opts)?;
    let source = std::fs::read(verilog)
        .with_context(|| format!("cannot read the Verilog file {}", verilog.display()))?;
    let sim = choose_simulator(opts.simulator)?;
    let mut report = match sim {
        Simulator::Verilator => run_verilator(cfg, &source, top, pairs, opts)?,
        _ => run_icarus(cfg, &source, top, pairs, opts)?,
    };
    report.total_seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

fn check_inputs(
    cfg: &UnitConfig,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<()> {
    if top.is_empty() || !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("top = {top:?} is not a Verilog module name: use letters, digits and '_'");
    }
    if !(0.0..1.0).contains(&opts.gap_prob) {
        bail!(
            "gap_prob = {} is out of range: allowed 0 <= gap_prob < 1",
            opts.gap_prob
        );
    }
    for (i, p) in pairs.iter().enumerate() {
        for (name, v, (lo, hi), width, bits) in [
            ("a", p.a, cfg.a_range(), "a_bits", cfg.a_bits),
            ("w", p.w, cfg.w_range(), "w_bits", cfg.w_bits),
            ("thr", p.thr, cfg.t_range(), "t_bits", cfg.t_bits),
        ] {
            if v < lo || v > hi {
                bail!("pair {i}: {name} = {v} is out of range for {width} = {bits}: allowed {lo}..={hi}");
            }
        }
    }
    if let Some(&bad) = opts.resets_before.iter().find(|&&r| r >= pairs.len()) {
        bail!(
            "resets_before holds {bad}, past the last pair (there are {} pairs): a reset goes before an existing pair",
            pairs.len()
        );
    }
    Ok(())
}

/// Whether `tool` is installed: `tool -V` (or `--version`) can be started.
pub fn tool_available(tool: &str) -> bool {
    let flag = match tool {
        "iverilog" | "vvp" | "yosys" => "-V",
        _ => "--version",
    };
    Command::new(tool).arg(flag).output().is_ok()
}

/// An error unless `tool` is installed; the message names it and says how to
/// install it.
pub fn require_tool(tool: &str, purpose: &str) -> Result<()> {
    if tool_available(tool) {
        Ok(())
    } else {
        bail!("{tool} is not installed (needed for {purpose}): {INSTALL_HINT}")
    }
}

fn choose_simulator(wanted: Simulator) -> Result<Simulator> {
    let wanted = match (wanted, std::env::var("SIEVINGNET_SIMULATOR")) {
        (Simulator::Auto, Ok(v)) if !v.is_empty() => v
            .parse::<Simulator>()
            .context("in the environment variable SIEVINGNET_SIMULATOR")?,
        (w, _) => w,
    };
    match wanted {
        Simulator::Verilator => {
            require_tool("verilator", "the verilog engine with Verilator")?;
            Ok(Simulator::Verilator)
        }
        Simulator::Icarus => {
            require_tool("iverilog", "the verilog engine with Icarus")?;
            require_tool("vvp", "the verilog engine with Icarus")?;
            Ok(Simulator::Icarus)
        }
        Simulator::Auto => {
            if tool_available("verilator") {
                Ok(Simulator::Verilator)
            } else if tool_available("iverilog") {
                Ok(Simulator::Icarus)
            } else {
                bail!("neither verilator nor iverilog is installed (needed for the verilog engine): {INSTALL_HINT}")
            }
        }
    }
}

/// FNV-1a, 64 bits: a stable content hash for cache keys.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain((part.len() as u64).to_le_bytes().iter()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn default_cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("SIEVINGNET_SIM_CACHE") {
        return PathBuf::from(dir);
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    if target.parent().map(|p| p.is_dir()).unwrap_or(false) {
        target.join("verilator-cache")
    } else {
        std::env::temp_dir().join("sievingnet-verilator-cache")
    }
}

/// Flags of the Verilator build; part of the cache key.
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--build",
    "--exe",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "unique",
    "--noassert",
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
    "--prefix",
    "Vsieve_dot",
    "-CFLAGS",
    "-O2",
    // The generated model compiles with -Os by default; -O3 doubles the speed.
    "-MAKEFLAGS",
    "OPT_FAST=-O3",
    "-MAKEFLAGS",
    "OPT_SLOW=-O1",
    "-MAKEFLAGS",
    "OPT_GLOBAL=-O2",
];

fn command_text(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn run_checked(cmd: &mut Command, what: &str) -> Result<Output> {
    let text = command_text(cmd);
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {what} ({text}): {INSTALL_HINT}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {text}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

/// Builds (or finds in the cache) the Verilated executable of `source`.
/// Returns its path and the seconds spent building.
pub fn verilator_build(
    source: &[u8],
    top: &str,
    cache_root: Option<&Path>,
) -> Result<(PathBuf, f64)> {
    require_tool("verilator", "the verilog engine with Verilator")?;
    let version = run_checked(
        Command::new("verilator").arg("--version"),
        "verilator --version",
    )?;
    let key = fnv1a(&[
        source,
        top.as_bytes(),
        VERILATOR_DRIVER.as_bytes(),
        &version.stdout,
        VERILATOR_FLAGS.join(" ").as_bytes(),
    ]);
    let root = cache_root
        .map(Path::to_path_buf)
        .unwrap_or_else(default_cache_root);
    let dir = root.join(format!("{top}-{key:016x}"));
    let exe = dir.join("Vsieve_dot");
    if exe.is_file() {
        return Ok((exe, 0.0));
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create the build directory {}", root.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{top}-{key:016x}-"))
        .tempdir_in(&root)
        .with_context(|| format!("cannot create a build directory in {}", root.display()))?;
    std::fs::write(tmp.path().join("unit.v"), source)?;
    std::fs::write(tmp.path().join("verilator_main.cpp"), VERILATOR_DRIVER)?;
    let mut cmd = Command::new("verilator");
    cmd.current_dir(tmp.path()).args(VERILATOR_FLAGS).args([
        "--top-module",
        top,
        "-Mdir",
        "obj",
        "-j",
        "1",
        "unit.v",
        "verilator_main.cpp",
    ]);
    run_checked(&mut cmd, "the Verilator build")?;
    std::fs::rename(
        tmp.path().join("obj").join("Vsieve_dot"),
        tmp.path().join("Vsieve_dot"),
    )?;
    // Keep only the executable: the object files are large.
    let _ = std::fs::remove_dir_all(tmp.path().join("obj"));
    let staged = tmp.keep();
    if std::fs::rename(&staged, &dir).is_err() {
        // Another process finished the same build first; use its result.
        let _ = std::fs::remove_dir_all(&staged);
        if !exe.is_file() {
            bail!("cannot move the Verilator build into {}", dir.display());
        }
    }
    Ok((exe, t0.elapsed().as_secs_f64()))
}

const PAIRS_MAGIC: &[u8; 8] = b"SNVP0001";
const RESULTS_MAGIC: &[u8; 8] = b"SNVR0001";

/// Encodes pairs in the driver's binary format (see sim/verilator_main.cpp).
pub fn encode_pairs(pairs: &[Pair], resets_before: &[usize]) -> Vec<u8> {
    let mut reset = vec![false; pairs.len()];
    for &r in resets_before {
        if r < reset.len() {
            reset[r] = true;
        }
    }
    let mut buf = Vec::with_capacity(8 + pairs.len() * 8);
    buf.extend_from_slice(PAIRS_MAGIC);
    for (p, &rst) in pairs.iter().zip(&reset) {
        buf.extend_from_slice(&(p.a as i16).to_le_bytes());
        buf.extend_from_slice(&(p.w as i16).to_le_bytes());
        buf.push(p.thr as i8 as u8);
        buf.push(p.last as u8 | (rst as u8) << 1);
        buf.extend_from_slice(&[0, 0]);
    }
    buf
}

fn decode_results(bytes: &[u8]) -> Result<Vec<VectorResult>> {
    if bytes.len() < 8
        || &bytes[..8] != RESULTS_MAGIC
        || !bytes[8..].chunks_exact(48).remainder().is_empty()
    {
        bail!(
            "the simulator's results file is malformed ({} bytes)",
            bytes.len()
        );
    }
    let word = |rec: &[u8], i: usize| u64::from_le_bytes(rec[i * 8..i * 8 + 8].try_into().unwrap());
    Ok(bytes[8..]
        .chunks_exact(48)
        .map(|rec| VectorResult {
            sum: word(rec, 0) as i64,
            overflow: word(rec, 1) != 0,
            zero_a: word(rec, 2),
            zero_w: word(rec, 3),
            sieved: word(rec, 4),
            kept: word(rec, 5),
        })
        .collect())
}

fn stat_field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
}

fn run_verilator(
    cfg: &UnitConfig,
    source: &[u8],
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<SimReport> {
    let (exe, build_seconds) = verilator_build(source, top, opts.build_dir.as_deref())?;
    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let input = work.path().join("pairs.bin");
    let output = work.path().join("results.bin");
    std::fs::write(&input, encode_pairs(pairs, &opts.resets_before))
        .with_context(|| format!("cannot write {}", input.display()))?;
    let mut cmd = Command::new(&exe);
    cmd.arg("--in")
        .arg(&input)
        .arg("--out")
        .arg(&output)
        .args(["--a-bits", &cfg.a_bits.to_string()])
        .args(["--w-bits", &cfg.w_bits.to_string()])
        .args(["--t-bits", &cfg.t_bits.to_string()])
        .args(["--acc-bits", &cfg.acc_bits.to_string()])
        .args(["--cnt-bits", &cfg.cnt_bits.to_string()])
        .args(["--gap-prob", &format!("{}", opts.gap_prob)])
        .args(["--seed", &opts.seed.to_string()])
        .args(["--max-wait", &opts.max_wait.to_string()]);
    let out = run_checked(
        &mut cmd,
        &format!("the Verilator simulation of {top} (seed {})", opts.seed),
    )?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rfind(|l| l.starts_with("sim "))
        .ok_or_else(|| anyhow!("the Verilator driver printed no summary line: {stdout}"))?;
    let bytes =
        std::fs::read(&output).with_context(|| format!("cannot read {}", output.display()))?;
    Ok(SimReport {
        results: decode_results(&bytes)?,
        simulator: Simulator::Verilator,
        cycles: stat_field(line, "cycles").unwrap_or(0.0) as u64,
        pairs: stat_field(line, "pairs").unwrap_or(0.0) as u64,
        resets: stat_field(line, "resets").unwrap_or(0.0) as u64,
        sim_seconds: stat_field(line, "seconds").unwrap_or(0.0),
        sim_cpu_seconds: stat_field(line, "cpu_seconds").unwrap_or(0.0),
        build_seconds,
        total_seconds: 0.0,
    })
}

/// Encodes pairs as the Icarus testbench's `$readmemh` file.
pub fn encode_pairs_hex(pairs: &[Pair], resets_before: &[usize]) -> String {
    let mut reset = vec![false; pairs.len()];
    for &r in resets_before {
        if r < reset.len() {
            reset[r] = true;
        }
    }
    let mut s = String::with_capacity(pairs.len() * 12);
    for (p, &rst) in pairs.iter().zip(&reset) {
        let word: u64 = (p.a as u16 as u64)
            | (p.w as u16 as u64) << 16
            | (p.thr as u8 as u64) << 32
            | (p.last as u64) << 40
            | (rst as u64) << 41;
        s.push_str(&format!("{word:011x}\n"));
    }
    s
}

fn run_icarus(
    cfg: &UnitConfig,
    source: &[u8],
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<SimReport> {
    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let w = work.path();
    std::fs::write(w.join("unit.v"), source)?;
    std::fs::write(w.join("tb_sieve_dot.v"), ICARUS_TESTBENCH)?;
    std::fs::write(
        w.join("pairs.hex"),
        encode_pairs_hex(pairs, &opts.resets_before),
    )?;
    let t_build = Instant::now();
    let mut cmd = Command::new("iverilog");
    cmd.current_dir(w)
        .args(["-g2005", &format!("-DDUT={top}"), "-s", "tb_sieve_dot"]);
    for (name, v) in [
        ("A_BITS", cfg.a_bits as usize),
        ("W_BITS", cfg.w_bits as usize),
        ("T_BITS", cfg.t_bits as usize),
        ("ACC_BITS", cfg.acc_bits as usize),
        ("CNT_BITS", cfg.cnt_bits as usize),
        ("NPAIRS", pairs.len().max(1)),
    ] {
        cmd.args(["-P", &format!("tb_sieve_dot.{name}={v}")]);
    }
    cmd.args(["-o", "tb.vvp", "tb_sieve_dot.v", "unit.v"]);
    run_checked(&mut cmd, "the Icarus build")?;
    let build_seconds = t_build.elapsed().as_secs_f64();
    // An empty stream still runs (reset and tail only) to catch spurious results.
    // (The testbench needs one pair: a zero pair without `last`.)
    let empty_stream = pairs.is_empty();
    let vectors = if empty_stream {
        std::fs::write(w.join("empty.hex"), "0\n")?;
        "empty.hex"
    } else {
        "pairs.hex"
    };
    let t_sim = Instant::now();
    let mut cmd = Command::new("vvp");
    cmd.current_dir(w).args([
        "-n".to_string(),
        "tb.vvp".to_string(),
        format!("+vectors={vectors}"),
        "+out=results.txt".to_string(),
        format!("+seed={}", opts.seed as i32),
        format!("+gap_ppm={}", (opts.gap_prob * 1e6).round() as u64),
        format!("+max_wait={}", opts.max_wait.min(i32::MAX as u64)),
    ]);
    run_checked(
        &mut cmd,
        &format!("the Icarus simulation of {top} (seed {})", opts.seed),
    )?;
    let sim_seconds = t_sim.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(w.join("results.txt"))
        .context("the Icarus testbench wrote no results file")?;
    parse_icarus_results(&text, empty_stream).map(|(results, cycles, consumed, resets)| SimReport {
        results,
        simulator: Simulator::Icarus,
        cycles,
        pairs: consumed,
        resets,
        sim_seconds,
        sim_cpu_seconds: sim_seconds,
        build_seconds,
        total_seconds: 0.0,
    })
}

/// Parses the testbench's text results. With `empty_stream`, the one pair
/// the testbench needed (a zero pair without `last`) is not counted.
fn parse_icarus_results(
    text: &str,
    empty_stream: bool,
) -> Result<(Vec<VectorResult>, u64, u64, u64)> {
    let mut results = Vec::new();
    let mut stats = (0, 0, 0);
    let mut end = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.first() {
            Some(&"R") if f.len() == 7 => {
                let n = |i: usize| -> Result<u64> {
                    f[i].parse::<u64>()
                        .with_context(|| format!("bad number in {line:?}"))
                };
                results.push(VectorResult {
                    sum: f[1]
                        .parse::<i64>()
                        .with_context(|| format!("bad sum in {line:?}"))?,
                    overflow: n(2)? != 0,
                    zero_a: n(3)?,
                    zero_w: n(4)?,
                    sieved: n(5)?,
                    kept: n(6)?,
                });
            }
            Some(&"S") if f.len() == 5 => {
                let n = |i: usize| f[i].parse::<u64>().unwrap_or(0);
                stats = (n(1), n(2), n(4));
            }
            Some(&"END") => end = Some(line.to_string()),
            _ => bail!("unexpected line in the Icarus results: {line:?} (x or z on an output?)"),
        }
    }
    match end.as_deref() {
        Some("END ok") => {}
        Some(other) => bail!(
            "the Icarus simulation stopped early: {}",
            other.trim_start_matches("END ")
        ),
        None => bail!("the Icarus simulation ended without its summary (did it crash?)"),
    }
    let consumed = if empty_stream {
        stats.1.saturating_sub(1)
    } else {
        stats.1
    };
    Ok((results, stats.0, consumed, stats.2))
}

/// The SPEC section 6 lint checks of `path` with top module `top`:
/// `verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-WIDTH`,
/// `iverilog -g2005` and Yosys `synth_ice40`. Fails on any warning or error,
/// with the tool's output in the message.
pub fn lint_verilog(path: &Path, top: &str) -> Result<()> {
    if !path.is_file() {
        bail!("the Verilog file {} does not exist", path.display());
    }
    if top.is_empty() || !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("top = {top:?} is not a Verilog module name: use letters, digits and '_'");
    }
    for tool in ["verilator", "iverilog", "yosys"] {
        require_tool(tool, "the Verilog lint checks")?;
    }
    let file = path.to_string_lossy().into_owned();
    let verilator = Command::new("verilator")
        .args([
            "--lint-only",
            "-Wall",
            "-Wno-DECLFILENAME",
            "-Wno-WIDTH",
            "--top-module",
            top,
            &file,
        ])
        .output()?;
    check_clean(
        "verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-WIDTH",
        &verilator,
        &file,
    )?;

    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let iverilog = Command::new("iverilog")
        .args(["-g2005", "-s", top, "-o"])
        .arg(work.path().join("lint.vvp"))
        .arg(&file)
        .output()?;
    check_clean("iverilog -g2005", &iverilog, &file)?;

    let script = format!(
        "read_verilog {}; synth_ice40 -top {top}",
        yosys_quote(&file)
    );
    let yosys = Command::new("yosys").args(["-q", "-p", &script]).output()?;
    check_clean(&format!("yosys -p \"{script}\""), &yosys, &file)?;
    let log = String::from_utf8_lossy(&yosys.stdout).into_owned()
        + &String::from_utf8_lossy(&yosys.stderr);
    if log.contains("Warning") || log.contains("ERROR") {
        bail!("yosys synth_ice40 reported problems in {file}:\n{log}");
    }
    Ok(())
}

/// Quotes a path for a Yosys script.
pub fn yosys_quote(path: &str) -> String {
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}

fn check_clean(what: &str, out: &Output, file: &str) -> Result<()> {
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !text.trim().is_empty() {
        bail!(
            "{what} does not pass on {file} ({}):\n{}",
            if out.status.success() {
                "warnings".to_string()
            } else {
                out.status.to_string()
            },
            text.trim_end()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_results_drop_partial_vectors() {
        let cfg = UnitConfig::default();
        let p = |a, last| Pair {
            a,
            w: 1,
            thr: 0,
            last,
        };
        let pairs = [
            p(1, false),
            p(2, true),
            p(4, false),
            p(8, false),
            p(16, true),
            p(32, true),
        ];
        let full: Vec<i64> = expected_results(&cfg, &pairs, &[])
            .iter()
            .map(|r| r.sum)
            .collect();
        assert_eq!(full, vec![3, 28, 32]);
        // A reset before pair 3 drops pair 2 (the partial vector).
        let cut: Vec<i64> = expected_results(&cfg, &pairs, &[3])
            .iter()
            .map(|r| r.sum)
            .collect();
        assert_eq!(cut, vec![3, 24, 32]);
        // A reset at a vector boundary drops nothing.
        let edge: Vec<i64> = expected_results(&cfg, &pairs, &[2, 5])
            .iter()
            .map(|r| r.sum)
            .collect();
        assert_eq!(edge, full);
    }

    #[test]
    fn encodings_round_trip_fields() {
        let pairs = [Pair {
            a: -128,
            w: 127,
            thr: -1,
            last: true,
        }];
        let bin = encode_pairs(&pairs, &[0]);
        assert_eq!(&bin[..8], PAIRS_MAGIC);
        assert_eq!(&bin[8..], &[0x80, 0xff, 0x7f, 0x00, 0xff, 0x03, 0, 0]);
        assert_eq!(encode_pairs_hex(&pairs, &[]), "1ff007fff80\n");
    }

    #[test]
    fn bad_options_name_the_problem() {
        let cfg = UnitConfig::default();
        let pairs = [Pair {
            a: 200,
            w: 0,
            thr: 0,
            last: true,
        }];
        let e = check_inputs(&cfg, "sieve_dot", &pairs, &VerilogSimOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "pair 0: a = 200 is out of range for a_bits = 8: allowed -128..=127"
        );
        let opts = VerilogSimOptions {
            gap_prob: 1.0,
            ..Default::default()
        };
        let e = check_inputs(&cfg, "sieve_dot", &[], &opts).unwrap_err();
        assert!(e.to_string().starts_with("gap_prob = 1 is out of range"));
        let e = check_inputs(&cfg, "bad top", &[], &VerilogSimOptions::default()).unwrap_err();
        assert!(e.to_string().contains("is not a Verilog module name"));
    }

    #[test]
    fn icarus_results_parse_and_report_timeouts() {
        let (r, cycles, pairs, resets) =
            parse_icarus_results("R -5 1 0 2 3 4\nS 100 7 1 0\nEND ok\n", false).unwrap();
        assert_eq!(
            r[0],
            VectorResult {
                sum: -5,
                overflow: true,
                zero_a: 0,
                zero_w: 2,
                sieved: 3,
                kept: 4
            }
        );
        assert_eq!((cycles, pairs, resets), (100, 7, 0));
        let e =
            parse_icarus_results("S 1 1 0 0\nEND timeout 1 vectors consumed\n", false).unwrap_err();
        assert!(e.to_string().contains("stopped early: timeout"));
        let e = parse_icarus_results("R x 0 0 0 0 0\nEND ok\n", false).unwrap_err();
        assert!(e.to_string().contains("bad sum"));
    }
}
