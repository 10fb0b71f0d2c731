//! The Verilator driver of the `verilog` engine: `sim/verilator_main.cpp`
//! compiled with the unit into an executable cached by a hash of everything
//! that goes into it, so repeated runs and parallel tests share one build.
//! Pairs go in and results come out as binary files.

use super::{SimReport, Simulator, VerilogSimOptions};
use crate::config::UnitConfig;
use crate::files::fnv1a;
use crate::model::{Pair, VectorResult};
use crate::toolchain::{require_tool, run_checked};
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The C++ driver compiled with every Verilated unit.
pub const VERILATOR_DRIVER: &str = include_str!("../../../sim/verilator_main.cpp");

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

/// A C++ driver compiled with a Verilated design.
#[derive(Clone, Copy, Debug)]
pub struct Harness {
    /// The driver's source text.
    pub driver: &'static str,
    /// The model class it includes (`--prefix`), also the executable's name.
    pub prefix: &'static str,
    /// Verilator flags beyond the common ones (part of the cache key).
    pub flags: &'static [&'static str],
}

/// The driver of one dot-product unit (SPEC section 6 ports).
pub const UNIT_HARNESS: Harness = Harness {
    driver: VERILATOR_DRIVER,
    prefix: "Vsieve_dot",
    flags: &[],
};

/// Flags of the Verilator build (the prefix follows); part of the cache key.
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

/// Whether a built driver starts: without arguments it prints its usage and
/// exits with status 2 (see `sim/verilator_main.cpp`).
fn runs(exe: &Path) -> bool {
    Command::new(exe)
        .output()
        .is_ok_and(|o| o.status.code() == Some(2))
}

/// Builds (or finds in the cache) the Verilated executable of `source`.
/// A cached executable that does not start is rebuilt.
/// Returns its path and the seconds spent building.
pub fn verilator_build(
    source: &[u8],
    top: &str,
    cache_root: Option<&Path>,
) -> Result<(PathBuf, f64)> {
    verilator_build_with(source, top, &UNIT_HARNESS, cache_root)
}

/// [`verilator_build`] with another driver.
pub fn verilator_build_with(
    source: &[u8],
    top: &str,
    harness: &Harness,
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
        harness.driver.as_bytes(),
        harness.prefix.as_bytes(),
        &version.stdout,
        VERILATOR_FLAGS.join(" ").as_bytes(),
        harness.flags.join(" ").as_bytes(),
    ]);
    let root = cache_root
        .map(Path::to_path_buf)
        .unwrap_or_else(default_cache_root);
    let dir = root.join(format!("{top}-{key:016x}"));
    let exe = dir.join(harness.prefix);
    if exe.is_file() {
        if runs(&exe) {
            return Ok((exe, 0.0));
        }
        // A damaged build (a disk error, a copy from another machine):
        // build it again rather than fail forever.
        std::fs::remove_dir_all(&dir).with_context(|| {
            format!(
                "the cached Verilator build {} does not run and cannot be removed: delete the \
                 folder {} (or all of {}) and run again",
                exe.display(),
                dir.display(),
                root.display()
            )
        })?;
    }
    for tool in ["make", "g++"] {
        require_tool(
            tool,
            "building the Verilator simulation: Verilator compiles its C++ with make and g++",
        )
        .map_err(|e| anyhow!("{e} (or: apt-get install make g++)"))?;
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(&root)
        .with_context(|| format!("cannot create the build directory {}", root.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{top}-{key:016x}-"))
        .tempdir_in(&root)
        .with_context(|| format!("cannot create a build directory in {}", root.display()))?;
    // Removed on Ctrl-C too (the TempDir itself goes when dropped).
    let _pending = crate::files::track(tmp.path());
    std::fs::write(tmp.path().join("unit.v"), source)?;
    std::fs::write(tmp.path().join("verilator_main.cpp"), harness.driver)?;
    let mut cmd = Command::new("verilator");
    cmd.current_dir(tmp.path())
        .args(VERILATOR_FLAGS)
        .args(harness.flags)
        .args([
            "--prefix",
            harness.prefix,
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
        tmp.path().join("obj").join(harness.prefix),
        tmp.path().join(harness.prefix),
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
const RESULTS_MAGIC: &[u8; 8] = b"SNVR0002";
/// A results record: eight little-endian u64 words.
const RECORD: usize = 64;
const TAG_RESULT: u64 = 0;
const TAG_LAST: u64 = 1;

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

/// What the driver's results file holds: the results, their cycles and the
/// cycles of the consumed last pairs.
struct Decoded {
    results: Vec<VectorResult>,
    result_cycles: Vec<u64>,
    last_cycles: Vec<u64>,
}

/// Reads the driver's results file: records of `[tag, cycle, sum, overflow,
/// zero_a, zero_w, sieved, kept]`; tag 0 is a result, tag 1 a consumed
/// last pair (the other words zero).
fn decode_results(bytes: &[u8]) -> Result<Decoded> {
    if bytes.len() < 8
        || &bytes[..8] != RESULTS_MAGIC
        || !bytes[8..].chunks_exact(RECORD).remainder().is_empty()
    {
        bail!(
            "the simulator's results file is malformed ({} bytes)",
            bytes.len()
        );
    }
    let word = |rec: &[u8], i: usize| u64::from_le_bytes(rec[i * 8..i * 8 + 8].try_into().unwrap());
    let mut d = Decoded {
        results: Vec::new(),
        result_cycles: Vec::new(),
        last_cycles: Vec::new(),
    };
    for rec in bytes[8..].chunks_exact(RECORD) {
        match word(rec, 0) {
            TAG_RESULT => {
                d.result_cycles.push(word(rec, 1));
                d.results.push(VectorResult {
                    sum: word(rec, 2) as i64,
                    overflow: word(rec, 3) != 0,
                    zero_a: word(rec, 4),
                    zero_w: word(rec, 5),
                    sieved: word(rec, 6),
                    kept: word(rec, 7),
                });
            }
            TAG_LAST => d.last_cycles.push(word(rec, 1)),
            other => bail!("the simulator's results file has a record of unknown kind {other}"),
        }
    }
    Ok(d)
}

fn stat_field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
}

/// Runs `pairs` through the Verilated `source`.
pub(super) fn run(
    cfg: &UnitConfig,
    source: &[u8],
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
) -> Result<SimReport> {
    let (exe, build_seconds) = verilator_build(source, top, opts.build_dir.as_deref())?;
    let mut report = run_built(&exe, cfg, top, pairs, opts, &[])?;
    report.build_seconds = build_seconds;
    Ok(report)
}

/// Runs `pairs` through a driver built by [`verilator_build_with`] from
/// [`VERILATOR_DRIVER`] (any harness flags), with `extra` arguments for the
/// driver (e.g. `--coverage PATH`).
pub fn run_built(
    exe: &Path,
    cfg: &UnitConfig,
    top: &str,
    pairs: &[Pair],
    opts: &VerilogSimOptions,
    extra: &[std::ffi::OsString],
) -> Result<SimReport> {
    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let input = work.path().join("pairs.bin");
    let output = work.path().join("results.bin");
    std::fs::write(&input, encode_pairs(pairs, &opts.resets_before))
        .with_context(|| format!("cannot write {}", input.display()))?;
    let mut cmd = Command::new(exe);
    cmd.arg("--in")
        .arg(&input)
        .arg("--out")
        .arg(&output)
        .args(["--a-bits", &cfg.a_bits().to_string()])
        .args(["--w-bits", &cfg.w_bits().to_string()])
        .args(["--t-bits", &cfg.t_bits().to_string()])
        .args(["--acc-bits", &cfg.acc_bits().to_string()])
        .args(["--cnt-bits", &cfg.cnt_bits().to_string()])
        .args(["--gap-prob", &format!("{}", opts.gap_prob)])
        .args(["--seed", &opts.seed.to_string()])
        .args(["--max-wait", &opts.max_wait.to_string()])
        .args(extra);
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
    let decoded = decode_results(&bytes)?;
    Ok(SimReport {
        results: decoded.results,
        result_cycles: decoded.result_cycles,
        last_cycles: decoded.last_cycles,
        simulator: Simulator::Verilator,
        cycles: stat_field(line, "cycles").unwrap_or(0.0) as u64,
        pairs: stat_field(line, "pairs").unwrap_or(0.0) as u64,
        resets: stat_field(line, "resets").unwrap_or(0.0) as u64,
        sim_seconds: stat_field(line, "seconds").unwrap_or(0.0),
        sim_cpu_seconds: stat_field(line, "cpu_seconds").unwrap_or(0.0),
        build_seconds: 0.0,
        total_seconds: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_encode_every_field() {
        let pairs = [Pair {
            a: -128,
            w: 127,
            thr: -1,
            last: true,
        }];
        let bin = encode_pairs(&pairs, &[0]);
        assert_eq!(&bin[..8], PAIRS_MAGIC);
        assert_eq!(&bin[8..], &[0x80, 0xff, 0x7f, 0x00, 0xff, 0x03, 0, 0]);
    }

    /// Issue 9, fault 10: a damaged cached build is rebuilt, not run forever.
    #[test]
    fn a_damaged_cached_build_is_rebuilt() {
        if !crate::toolchain::tool_available("verilator") {
            panic!(
                "verilator is not installed: {}",
                crate::toolchain::INSTALL_HINT
            );
        }
        let cache = tempfile::tempdir().unwrap();
        let source = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/exact_mac_fixture.v"),
        )
        .unwrap();
        let (exe, _) = verilator_build(&source, "exact_mac_fixture", Some(cache.path())).unwrap();
        assert!(runs(&exe));
        std::fs::write(&exe, b"not an executable").unwrap();
        assert!(!runs(&exe));
        let (again, secs) =
            verilator_build(&source, "exact_mac_fixture", Some(cache.path())).unwrap();
        assert_eq!(again, exe);
        assert!(runs(&again) && secs > 0.0);
        // No temporary build folder is left behind.
        let names: Vec<String> = std::fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    }

    #[test]
    fn results_decode_with_cycles() {
        let mut bytes = RESULTS_MAGIC.to_vec();
        for words in [
            [TAG_LAST, 5, 0, 0, 0, 0, 0, 0],
            [TAG_RESULT, 11, (-3i64) as u64, 1, 2, 3, 4, 5],
        ] {
            for w in words {
                bytes.extend_from_slice(&w.to_le_bytes());
            }
        }
        let d = decode_results(&bytes).unwrap();
        assert_eq!((d.last_cycles, d.result_cycles), (vec![5], vec![11]));
        assert_eq!(
            d.results,
            vec![VectorResult {
                sum: -3,
                overflow: true,
                zero_a: 2,
                zero_w: 3,
                sieved: 4,
                kept: 5
            }]
        );
        assert!(decode_results(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_results(b"SNVR0001").is_err());
    }
}
