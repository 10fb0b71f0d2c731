//! What hardware to build from a [`UnitConfig`]: the architecture, the
//! counters, and the timing the architecture promises (SPEC section 6).
//!
//! This is a description, not the RTL: the model, the preset table and the
//! reports name designs without depending on rust-hdl. The RTL (`rtl`)
//! builds them; its tests check the timing stated here cycle by cycle.

use crate::config::UnitConfig;
use crate::model::{sieve_pair, Pair};
use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The architecture of a unit (`--arch`, SPEC section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// One pair per clock, every plane in parallel, pipelined adder tree.
    Parallel,
    /// One kept digit per clock: a pair occupies `max(1, kept)` clocks.
    Serial,
    /// The exact multiply-accumulate baseline: no sieve, counters zero (in
    /// `export-mlp`, the masked lane's trimming without the mask).
    Mac,
    /// The accelerator's lean sieving lane: a MAC whose weight has its
    /// sieved digits masked off, the parallel unit's sum in one product
    /// (the whole-network accelerator only: `export-mlp`, `area-mlp`,
    /// `infer --engine mlp`, `power-mlp`; no counters).
    Masked,
}

impl Arch {
    pub const ALL: [Arch; 4] = [Arch::Parallel, Arch::Serial, Arch::Mac, Arch::Masked];

    /// Whether its lanes count the sieve's planes (`--counters`).
    pub fn counts(self) -> bool {
        matches!(self, Arch::Parallel | Arch::Serial)
    }

    pub fn name(self) -> &'static str {
        match self {
            Arch::Parallel => "parallel",
            Arch::Serial => "serial",
            Arch::Mac => "mac",
            Arch::Masked => "masked",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One buildable design: an architecture, with or without counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// The sieving unit, `parallel` architecture; `counters: false` is
    /// `--no-counters` (counter outputs tied to zero, no counting logic).
    Sieve { counters: bool },
    /// The sieving unit, `serial` architecture, with or without counters.
    Serial { counters: bool },
    /// The exact multiply-accumulate baseline (`--arch mac`).
    ExactMac,
}

impl Design {
    /// The design `export` builds for `--arch` and `--no-counters`.
    /// `Err` names what is not built.
    pub fn for_arch(arch: Arch, counters: bool) -> Result<Design, String> {
        match arch {
            Arch::Parallel => Ok(Design::Sieve { counters }),
            Arch::Mac => Ok(Design::ExactMac),
            Arch::Serial => Ok(Design::Serial { counters }),
            Arch::Masked => Err(
                "--arch masked is a lane of the whole-network accelerator: use export-mlp --arch masked"
                    .to_string(),
            ),
        }
    }

    pub fn arch(&self) -> Arch {
        match self {
            Design::Sieve { .. } => Arch::Parallel,
            Design::Serial { .. } => Arch::Serial,
            Design::ExactMac => Arch::Mac,
        }
    }

    /// Whether the counter outputs count.
    pub fn counters(&self) -> bool {
        matches!(
            self,
            Design::Sieve { counters: true } | Design::Serial { counters: true }
        )
    }

    /// Clock edges from the edge that consumes a vector's last pair to the
    /// edge after which its `out_valid` is high, at the least: exact for the
    /// fixed-latency architectures; for `serial`, the latency after a last
    /// pair with at most one kept digit (see [`Design::result_latency`]).
    pub fn latency(&self, cfg: &UnitConfig) -> usize {
        match self {
            Design::Sieve { .. } => parallel_latency(cfg.w_bits() as usize),
            Design::Serial { .. } => SERIAL_LATENCY_AFTER_DIGITS + 1,
            Design::ExactMac => MAC_LATENCY,
        }
    }

    /// The latency of the vector that ends with `last`: for `serial`, one
    /// clock per kept digit of that pair (at least one) plus the
    /// accumulator; the others' latency is fixed.
    pub fn result_latency(&self, cfg: &UnitConfig, last: &Pair) -> usize {
        match self {
            Design::Serial { .. } => SERIAL_LATENCY_AFTER_DIGITS + pair_cycles(cfg, last),
            _ => self.latency(cfg),
        }
    }

    /// Clocks the unit spends on `pair` when the input never waits: the gap
    /// between its consuming edge and the next pair's.
    pub fn pair_cycles(&self, cfg: &UnitConfig, pair: &Pair) -> usize {
        match self {
            Design::Serial { .. } => pair_cycles(cfg, pair),
            _ => 1,
        }
    }

    /// How the cycles depend on the data, in words (manifests and reports).
    pub fn timing(&self, cfg: &UnitConfig) -> String {
        match self {
            Design::Serial { .. } => format!(
                "data-dependent: a pair occupies max(1, kept digits) clocks (in_ready low meanwhile); \
                 out_valid {} + max(1, kept digits of the vector's last pair) edges after the edge \
                 that consumes that pair",
                SERIAL_LATENCY_AFTER_DIGITS
            ),
            _ => format!(
                "fixed: one pair per clock, out_valid {} edges after the edge that consumes a \
                 vector's last pair",
                self.latency(cfg)
            ),
        }
    }

    /// The name in manifests, reports and the preset table.
    pub fn name(&self) -> &'static str {
        match self {
            Design::Sieve { counters: true } => "sieve",
            Design::Sieve { counters: false } => "sieve-no-counters",
            Design::Serial { counters: true } => "serial",
            Design::Serial { counters: false } => "serial-no-counters",
            Design::ExactMac => "exact-mac",
        }
    }

    /// The file stem of this design for `cfg` in `hdl/` and the area flow,
    /// e.g. `sieve_dot_a8w8_ternary_no_counters` or `exact_mac_a8w8`.
    pub fn file_stem(&self, cfg: &UnitConfig) -> String {
        let (a, w) = (cfg.a_bits(), cfg.w_bits());
        match self {
            Design::Sieve { counters } => format!(
                "sieve_dot_a{a}w{w}_{}{}",
                cfg.coding(),
                if *counters { "" } else { "_no_counters" }
            ),
            Design::Serial { counters } => format!(
                "serial_dot_a{a}w{w}_{}{}",
                cfg.coding(),
                if *counters { "" } else { "_no_counters" }
            ),
            Design::ExactMac => format!("exact_mac_a{a}w{w}"),
        }
    }
}

/// The serial unit's edges after a pair's last digit enters the term
/// register (`max(1, kept)` edges after the pair's consuming edge): one,
/// into the accumulator.
pub const SERIAL_LATENCY_AFTER_DIGITS: usize = 1;

/// The serial unit's clocks for one pair: `max(1, kept digits)` (SPEC
/// section 6), from the golden model's classification of its planes.
pub fn pair_cycles(cfg: &UnitConfig, pair: &Pair) -> usize {
    let kept = sieve_pair(cfg, pair.a, pair.w, pair.thr).counts.kept;
    (kept as usize).max(1)
}

/// The weight width of the whole-network accelerator's lanes (SPEC section
/// 9): a ROM's `w_bits`, rounded up to a unit it builds, 4 or 8 (narrower
/// weights are sign-extended).
pub fn accelerator_lane_w_bits(w_bits: u32) -> u32 {
    if w_bits <= 4 {
        4
    } else {
        8
    }
}

/// The exact MAC's latency: input registers, the product and its sign
/// correction, the corrected product, the accumulator.
pub const MAC_LATENCY: usize = 3;

/// Levels of the parallel unit's adder tree over `w_bits` rows, plus the
/// register of its leaves: `log2(w_bits) + 1`.
pub fn tree_latency(w_bits: usize) -> usize {
    assert!(
        w_bits.is_power_of_two() && w_bits >= 2,
        "the adder tree needs a power-of-two number of rows, got w_bits = {w_bits}"
    );
    w_bits.trailing_zeros() as usize + 1
}

/// The parallel unit's latency: input registers, the recoder stage, the
/// comparator stage, the tree (leaves and levels), then the accumulator:
/// `4 + log2(w_bits)`.
pub fn parallel_latency(w_bits: usize) -> usize {
    3 + tree_latency(w_bits)
}

/// Holds a simulation to a design's timing: result `i` must come exactly
/// `latency(i)` edges after the edge that consumed vector `i`'s last pair,
/// one result per consumed vector, none extra, none lost. Every driver (the
/// rust-hdl one, Verilator, Icarus) records the edge of each consumed last
/// pair and of each `out_valid`, counting edges the same way.
pub fn check_result_timing(
    last_cycles: &[u64],
    result_cycles: &[u64],
    latency: impl Fn(usize) -> u64,
) -> Result<()> {
    if last_cycles.len() != result_cycles.len() {
        bail!(
            "{} vectors were consumed but {} results came out{}",
            last_cycles.len(),
            result_cycles.len(),
            if result_cycles.len() > last_cycles.len() {
                " (an extra out_valid)"
            } else {
                " (a result was lost)"
            }
        );
    }
    for (i, (&l, &r)) in last_cycles.iter().zip(result_cycles).enumerate() {
        let want = latency(i);
        if r.checked_sub(l) != Some(want) {
            bail!(
                "vector {i}: its last pair was consumed at edge {l} and out_valid came after edge {r}, \
                 {} edges later; the design's latency is {want}",
                r as i64 - l as i64
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn timing_check_catches_late_extra_and_lost_results() {
        let fixed = |_| 6;
        check_result_timing(&[10, 11], &[16, 17], fixed).unwrap();
        let e = check_result_timing(&[10, 11], &[16, 18], fixed).unwrap_err();
        assert_eq!(
            e.to_string(),
            "vector 1: its last pair was consumed at edge 11 and out_valid came after edge 18, \
             7 edges later; the design's latency is 6"
        );
        let e = check_result_timing(&[10], &[16, 17], fixed).unwrap_err();
        assert!(e.to_string().ends_with("(an extra out_valid)"), "{e}");
        let e = check_result_timing(&[10, 11], &[16], fixed).unwrap_err();
        assert!(e.to_string().ends_with("(a result was lost)"), "{e}");
        // Per-vector latencies (the serial unit's are data-dependent).
        check_result_timing(&[10, 11], &[13, 20], |i| [3, 9][i]).unwrap();
    }

    #[test]
    fn latency_formula() {
        let cfg = UnitConfig::default();
        assert_eq!(Design::Sieve { counters: true }.latency(&cfg), 7);
        assert_eq!(Design::ExactMac.latency(&cfg), 3);
        assert_eq!(parallel_latency(4), 6);
        assert_eq!(parallel_latency(16), 8);
    }

    #[test]
    fn serial_timing_follows_the_kept_digits() {
        let cfg = UnitConfig::default();
        let serial = Design::Serial { counters: true };
        let p = |a, w, thr| Pair {
            a,
            w,
            thr,
            last: true,
        };
        // 127 * 127 with nothing sieved: NAF(127) = 2^7 - 1, two digits.
        assert_eq!(serial.pair_cycles(&cfg, &p(127, 127, 0)), 2);
        assert_eq!(serial.result_latency(&cfg, &p(127, 127, 0)), 3);
        // Zero activation, zero weight, everything sieved: one clock.
        for pair in [p(0, 5, 0), p(5, 0, 0), p(1, 1, 100)] {
            assert_eq!(serial.pair_cycles(&cfg, &pair), 1);
            assert_eq!(serial.result_latency(&cfg, &pair), 2);
        }
        // Binary 255-style weights keep every plane: 127 has 7 ones.
        let bin = cfg.with_coding(crate::config::Coding::Binary);
        assert_eq!(serial.pair_cycles(&bin, &p(1, 127, 0)), 7);
        assert_eq!(Design::ExactMac.pair_cycles(&cfg, &p(1, 127, 0)), 1);
    }

    #[test]
    fn arch_maps_to_designs() {
        assert_eq!(
            Design::for_arch(Arch::Parallel, false),
            Ok(Design::Sieve { counters: false })
        );
        assert_eq!(Design::for_arch(Arch::Mac, true), Ok(Design::ExactMac));
        assert_eq!(
            Design::for_arch(Arch::Serial, false),
            Ok(Design::Serial { counters: false })
        );
    }

    #[test]
    #[should_panic(expected = "w_bits = 6")]
    fn tree_needs_power_of_two() {
        tree_latency(6);
    }
}
