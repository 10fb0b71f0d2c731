//! The RTL in rust-hdl, one file per block:
//!
//! * [`exponent`]: leading-one detector, `e(a)`.
//! * [`recoder`]: weight to sign and digit planes (binary or NAF).
//! * [`comparator`]: which planes pass the sieve.
//! * [`adder_tree`]: pipelined sum of the partial-product rows.
//! * [`popcount`]: plane counts for the counters.
//! * [`sieve_dot`]: the streaming unit (stages, accumulator, counters).
//! * [`mac_baseline`]: an exact multiply-accumulate with the same ports.
//!
//! rust-hdl needs every width as a const generic, and stable Rust cannot
//! derive one const from another, so [`with_design!`] maps each supported
//! [`UnitConfig`] to its full parameter list. [`sim`] drives a design
//! cycle by cycle; [`verilog`] writes it out.

pub mod adder_tree;
pub mod comparator;
pub mod exponent;
pub mod mac_baseline;
pub mod popcount;
pub mod recoder;
pub mod sieve_dot;
pub mod sim;
pub mod verilog;

use crate::config::UnitConfig;
use serde::{Deserialize, Serialize};

/// What to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// The sieving unit, `parallel` architecture; `counters: false` is
    /// `--no-counters` (counter outputs tied to zero, no counting logic).
    Sieve { counters: bool },
    /// The exact multiply-accumulate baseline (no sieve, counters zero).
    ExactMac,
}

impl Design {
    /// Edges from consuming a vector's last pair to its `out_valid`.
    pub fn latency(&self, cfg: &UnitConfig) -> usize {
        match self {
            Design::Sieve { .. } => sieve_dot::sieve_latency(cfg.w_bits as usize),
            Design::ExactMac => 1,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Design::Sieve { counters: true } => "sieve",
            Design::Sieve { counters: false } => "sieve-no-counters",
            Design::ExactMac => "exact-mac",
        }
    }
}

/// The configurations the RTL, the export and the `rtl`/`verilog` engines
/// support (SPEC section 6), as `(a_bits, w_bits, t_bits, acc_bits, cnt_bits)`.
pub const SUPPORTED: &[(u32, u32, u32, u32, u32)] = &[
    (4, 4, 8, 32, 32),
    (4, 8, 8, 32, 32),
    (4, 16, 8, 32, 32),
    (8, 4, 8, 32, 32),
    (8, 8, 8, 32, 32),
    (8, 16, 8, 32, 32),
    (16, 4, 8, 32, 32),
    (16, 8, 8, 32, 32),
    (16, 16, 8, 40, 32),
    (8, 8, 8, 17, 8),
];

/// All supported configurations, both codings.
pub fn supported_configs() -> Vec<UnitConfig> {
    let mut v = Vec::new();
    for &(a, w, t, acc, cnt) in SUPPORTED {
        for coding in crate::config::Coding::ALL {
            v.push(
                UnitConfig::new(a, w, t, acc, cnt, coding).expect("supported configs are valid"),
            );
        }
    }
    v
}

/// The error for a legal configuration the RTL does not build.
pub fn unsupported(cfg: &UnitConfig) -> anyhow::Error {
    let list: Vec<String> = SUPPORTED
        .iter()
        .map(|(a, w, t, acc, cnt)| {
            format!("--a-bits {a} --w-bits {w} --t-bits {t} --acc-bits {acc} --cnt-bits {cnt}")
        })
        .collect();
    anyhow::anyhow!(
        "the RTL does not support a_bits = {}, w_bits = {}, t_bits = {}, acc_bits = {}, cnt_bits = {} \
         (the golden model does: use --engine model); supported, each with either coding:\n  {}",
        cfg.a_bits,
        cfg.w_bits,
        cfg.t_bits,
        cfg.acc_bits,
        cfg.cnt_bits,
        list.join("\n  ")
    )
}

/// Expands `$body` with `$sieve` and `$mac` bound to the concrete sieve and
/// baseline types for `$cfg`; evaluates to `anyhow::Result<_>`.
///
/// Derived parameters: `XW = A + 1`, `PW = A + W`, `EB = ceil(log2 A)`,
/// `VW = T + 1`, `HN = 2W - 1`, `DEPTH = log2 W`, `CW` holds `W + 1`.
#[macro_export]
macro_rules! with_design {
    ($cfg:expr, $sieve:ident, $mac:ident => $body:expr) => {{
        use $crate::rtl::mac_baseline::ExactMac;
        use $crate::rtl::sieve_dot::SieveDot;
        let c: &$crate::config::UnitConfig = $cfg;
        match (c.a_bits, c.w_bits, c.t_bits, c.acc_bits, c.cnt_bits) {
            (4, 4, 8, 32, 32) => {
                type $sieve = SieveDot<4, 4, 8, 32, 32, 5, 8, 2, 9, 7, 2, 3>;
                type $mac = ExactMac<4, 4, 8, 32, 32, 8>;
                Ok($body)
            }
            (4, 8, 8, 32, 32) => {
                type $sieve = SieveDot<4, 8, 8, 32, 32, 5, 12, 2, 9, 15, 3, 4>;
                type $mac = ExactMac<4, 8, 8, 32, 32, 12>;
                Ok($body)
            }
            (4, 16, 8, 32, 32) => {
                type $sieve = SieveDot<4, 16, 8, 32, 32, 5, 20, 2, 9, 31, 4, 5>;
                type $mac = ExactMac<4, 16, 8, 32, 32, 20>;
                Ok($body)
            }
            (8, 4, 8, 32, 32) => {
                type $sieve = SieveDot<8, 4, 8, 32, 32, 9, 12, 3, 9, 7, 2, 3>;
                type $mac = ExactMac<8, 4, 8, 32, 32, 12>;
                Ok($body)
            }
            (8, 8, 8, 32, 32) => {
                type $sieve = SieveDot<8, 8, 8, 32, 32, 9, 16, 3, 9, 15, 3, 4>;
                type $mac = ExactMac<8, 8, 8, 32, 32, 16>;
                Ok($body)
            }
            (8, 16, 8, 32, 32) => {
                type $sieve = SieveDot<8, 16, 8, 32, 32, 9, 24, 3, 9, 31, 4, 5>;
                type $mac = ExactMac<8, 16, 8, 32, 32, 24>;
                Ok($body)
            }
            (16, 4, 8, 32, 32) => {
                type $sieve = SieveDot<16, 4, 8, 32, 32, 17, 20, 4, 9, 7, 2, 3>;
                type $mac = ExactMac<16, 4, 8, 32, 32, 20>;
                Ok($body)
            }
            (16, 8, 8, 32, 32) => {
                type $sieve = SieveDot<16, 8, 8, 32, 32, 17, 24, 4, 9, 15, 3, 4>;
                type $mac = ExactMac<16, 8, 8, 32, 32, 24>;
                Ok($body)
            }
            (16, 16, 8, 40, 32) => {
                type $sieve = SieveDot<16, 16, 8, 40, 32, 17, 32, 4, 9, 31, 4, 5>;
                type $mac = ExactMac<16, 16, 8, 40, 32, 32>;
                Ok($body)
            }
            (8, 8, 8, 17, 8) => {
                type $sieve = SieveDot<8, 8, 8, 17, 8, 9, 16, 3, 9, 15, 3, 4>;
                type $mac = ExactMac<8, 8, 8, 17, 8, 16>;
                Ok($body)
            }
            _ => Err($crate::rtl::unsupported(c)),
        }
    }};
}
pub use with_design;
