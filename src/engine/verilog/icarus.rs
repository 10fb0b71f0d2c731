//! The Icarus Verilog driver of the `verilog` engine (the fallback, or on
//! request): `sim/tb_sieve_dot.v` with a `$readmemh` vector file.

use super::{SimReport, Simulator, VerilogSimOptions};
use crate::config::UnitConfig;
use crate::model::{Pair, VectorResult};
use crate::toolchain::run_checked;
use anyhow::{bail, Context, Result};
use std::process::Command;
use std::time::Instant;

/// The Icarus testbench.
pub const ICARUS_TESTBENCH: &str = include_str!("../../../sim/tb_sieve_dot.v");

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

/// Runs `pairs` through `source` in Icarus.
pub(super) fn run(
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
        ("A_BITS", cfg.a_bits() as usize),
        ("W_BITS", cfg.w_bits() as usize),
        ("T_BITS", cfg.t_bits() as usize),
        ("ACC_BITS", cfg.acc_bits() as usize),
        ("CNT_BITS", cfg.cnt_bits() as usize),
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
    parse_icarus_results(&text, empty_stream).map(|p| SimReport {
        results: p.results,
        result_cycles: p.result_cycles,
        last_cycles: p.last_cycles,
        simulator: Simulator::Icarus,
        cycles: p.cycles,
        pairs: p.consumed,
        resets: p.resets,
        sim_seconds,
        sim_cpu_seconds: sim_seconds,
        build_seconds,
        total_seconds: 0.0,
    })
}

/// The testbench's results file, parsed.
#[derive(Debug)]
struct Parsed {
    results: Vec<VectorResult>,
    result_cycles: Vec<u64>,
    last_cycles: Vec<u64>,
    cycles: u64,
    consumed: u64,
    resets: u64,
}

/// Parses the testbench's text results: `R cycle sum overflow zero_a zero_w
/// sieved kept` per result, `L cycle` per consumed last pair, then `S` and
/// `END`. With `empty_stream`, the one pair the testbench needed (a zero
/// pair without `last`) is not counted.
fn parse_icarus_results(text: &str, empty_stream: bool) -> Result<Parsed> {
    let mut p = Parsed {
        results: Vec::new(),
        result_cycles: Vec::new(),
        last_cycles: Vec::new(),
        cycles: 0,
        consumed: 0,
        resets: 0,
    };
    let mut end = None;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| -> Result<u64> {
            f[i].parse::<u64>()
                .with_context(|| format!("bad number in {line:?}"))
        };
        match f.first() {
            Some(&"R") if f.len() == 8 => {
                p.result_cycles.push(n(1)?);
                p.results.push(VectorResult {
                    sum: f[2]
                        .parse::<i64>()
                        .with_context(|| format!("bad sum in {line:?}"))?,
                    overflow: n(3)? != 0,
                    zero_a: n(4)?,
                    zero_w: n(5)?,
                    sieved: n(6)?,
                    kept: n(7)?,
                });
            }
            Some(&"L") if f.len() == 2 => p.last_cycles.push(n(1)?),
            Some(&"S") if f.len() == 5 => {
                p.cycles = n(1)?;
                p.consumed = n(2)?;
                p.resets = n(4)?;
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
    if empty_stream {
        p.consumed = p.consumed.saturating_sub(1);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_encode_as_hex_words() {
        let pairs = [Pair {
            a: -128,
            w: 127,
            thr: -1,
            last: true,
        }];
        assert_eq!(encode_pairs_hex(&pairs, &[]), "1ff007fff80\n");
        assert_eq!(encode_pairs_hex(&pairs, &[0]), "3ff007fff80\n");
    }

    #[test]
    fn results_parse_and_timeouts_are_reported() {
        let p =
            parse_icarus_results("L 3\nR 9 -5 1 0 2 3 4\nS 100 7 1 0\nEND ok\n", false).unwrap();
        assert_eq!(
            p.results[0],
            VectorResult {
                sum: -5,
                overflow: true,
                zero_a: 0,
                zero_w: 2,
                sieved: 3,
                kept: 4
            }
        );
        assert_eq!((p.last_cycles, p.result_cycles), (vec![3], vec![9]));
        assert_eq!((p.cycles, p.consumed, p.resets), (100, 7, 0));
        let e =
            parse_icarus_results("S 1 1 0 0\nEND timeout 1 vectors consumed\n", false).unwrap_err();
        assert!(e.to_string().contains("stopped early: timeout"));
        let e = parse_icarus_results("R 1 x 0 0 0 0 0\nEND ok\n", false).unwrap_err();
        assert!(e.to_string().contains("bad sum"));
    }
}
