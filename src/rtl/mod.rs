//! The RTL in rust-hdl, one file per block:
//!
//! * [`exponent`]: leading-one detector, `e(a)`.
//! * [`recoder`]: weight to sign and digit planes (binary or NAF).
//! * [`comparator`]: which planes pass the sieve.
//! * [`adder_tree`]: pipelined sum of the partial-product rows.
//! * [`popcount`]: plane counts for the counters.
//! * [`sieve_dot`]: the streaming unit, `parallel` architecture.
//! * [`serial_dot`]: the streaming unit, `serial` architecture (one kept
//!   digit per clock).
//! * [`mac_baseline`]: an exact multiply-accumulate with the same ports.
//!
//! rust-hdl needs every width as a const generic, and stable Rust cannot
//! derive one const from another, so [`with_design!`] maps each supported
//! [`UnitConfig`](crate::config::UnitConfig) to its full parameter list. [`sim`] drives a design
//! cycle by cycle; [`generate`] writes it out as Verilog.

pub mod adder_tree;
pub mod comparator;
pub mod exponent;
pub mod generate;
pub mod mac_baseline;
pub mod mlp;
pub mod popcount;
pub mod recoder;
pub mod serial_dot;
pub mod sieve_dot;
pub mod sim;

pub use crate::design::{Arch, Design};

/// Panics, naming the width, unless `cfg`'s widths are the const
/// parameters `[A, W, T, ACC, CNT]` a block was built with.
pub fn check_widths(cfg: &crate::config::UnitConfig, params: [usize; 5], block: &str) {
    for (name, cfg_value, param) in [
        ("a_bits", cfg.a_bits(), params[0]),
        ("w_bits", cfg.w_bits(), params[1]),
        ("t_bits", cfg.t_bits(), params[2]),
        ("acc_bits", cfg.acc_bits(), params[3]),
        ("cnt_bits", cfg.cnt_bits(), params[4]),
    ] {
        assert_eq!(
            cfg_value as usize, param,
            "{name} = {cfg_value} but {block} was built with {param}"
        );
    }
}

/// The `n` low bits set (all 64 for `n >= 64`).
pub const fn low_ones(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Bits `from .. width` set: ORed into a negative `from`-bit value widened
/// to `width` bits, its sign extension (bits above 64 are not kept).
pub const fn sign_ext_mask(width: usize, from: usize) -> u64 {
    low_ones(width) & !low_ones(from)
}

/// `ceil(log2(n))` for `n >= 2`: the bits that index `n` positions.
pub const fn ceil_log2(n: usize) -> usize {
    (usize::BITS - (n - 1).leading_zeros()) as usize
}

/// Expands `$body` with `$sieve`, `$mac` (and optionally `$serial`) bound to
/// the concrete parallel, baseline and serial types for `$cfg`; evaluates to
/// `anyhow::Result<_>`, an error
/// listing the presets for a configuration the RTL does not build.
///
/// The arms are exactly the widths of [`crate::presets::PRESETS`] (a test
/// checks both ways). Each arm names the five widths; the derived ones are
/// computed by [`unit_types!`](crate::unit_types): `XW = A + 1`, `PW = A + W`,
/// `EB = ceil(log2 A)`, `VW = T + 1`, `HN = 2W - 1`, `DEPTH = log2 W`,
/// `CW = ceil(log2(W + 2))` (holds `W + 1` planes).
#[macro_export]
macro_rules! with_design {
    ($cfg:expr, $sieve:ident, $mac:ident => $body:expr) => {
        $crate::with_design!($cfg, $sieve, $mac, _Serial => $body)
    };
    ($cfg:expr, $sieve:ident, $mac:ident, $serial:ident => $body:expr) => {{
        let c: &$crate::config::UnitConfig = $cfg;
        $crate::unit_types!(c, $sieve, $mac, $serial => $body;
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
        )
    }};
}
pub use with_design;

/// Runs `$body` with `$mac` the exact MAC's type at `$cfg`'s widths, for
/// the MAC-only presets ([`crate::presets::MAC_PRESETS`], checked both ways
/// by a test); an error for any other configuration.
#[macro_export]
macro_rules! with_mac {
    ($cfg:expr, $mac:ident => $body:expr) => {{
        let c: &$crate::config::UnitConfig = $cfg;
        $crate::mac_types!(c, $mac => $body;
            (8, 2, 8, 32, 32),
            (8, 3, 8, 32, 32),
            (8, 5, 8, 32, 32),
            (8, 6, 8, 32, 32),
            (8, 7, 8, 32, 32),
        )
    }};
}
pub use with_mac;

/// The match behind [`with_mac!`].
#[doc(hidden)]
#[macro_export]
macro_rules! mac_types {
    ($c:ident, $mac:ident => $body:expr;
     $(($a:literal, $w:literal, $t:literal, $acc:literal, $cnt:literal),)*) => {
        match ($c.a_bits(), $c.w_bits(), $c.t_bits(), $c.acc_bits(), $c.cnt_bits()) {
            $(
                ($a, $w, $t, $acc, $cnt) => {
                    #[allow(unused)]
                    type $mac = $crate::rtl::mac_baseline::ExactMac<$a, $w, $t, $acc, $cnt, { $a + $w }>;
                    Ok($body)
                }
            )*
            _ => Err(anyhow::Error::from($crate::presets::unsupported($c))),
        }
    };
}

/// The three unit types at the widths `(A, W, T, ACC, CNT)`, with their
/// derived const parameters: the one place the formulas of [`with_design!`]
/// are written (the accelerator's lanes use it too).
#[doc(hidden)]
#[macro_export]
macro_rules! unit_type_aliases {
    ($sieve:ident, $mac:ident, $serial:ident; $a:literal, $w:literal, $t:literal, $acc:literal, $cnt:literal) => {
        #[allow(unused)]
        type $sieve = $crate::rtl::sieve_dot::SieveDot<
            $a,
            $w,
            $t,
            $acc,
            $cnt,
            { $a + 1 },
            { $a + $w },
            { $crate::rtl::ceil_log2($a) },
            { $t + 1 },
            { 2 * $w - 1 },
            { $crate::rtl::ceil_log2($w) },
            { $crate::rtl::ceil_log2($w + 2) },
        >;
        #[allow(unused)]
        type $mac = $crate::rtl::mac_baseline::ExactMac<$a, $w, $t, $acc, $cnt, { $a + $w }>;
        #[allow(unused)]
        type $serial = $crate::rtl::serial_dot::SerialDot<
            $a,
            $w,
            $t,
            $acc,
            $cnt,
            { $a + 1 },
            { $a + $w },
            { $crate::rtl::ceil_log2($a) },
            { $t + 1 },
            { 2 * $w - 1 },
            { $crate::rtl::ceil_log2($w + 2) },
            { $acc + 1 },
        >;
    };
}

/// The match behind [`with_design!`]: one arm per `(A, W, T, ACC, CNT)`,
/// with the derived const parameters computed from them.
#[doc(hidden)]
#[macro_export]
macro_rules! unit_types {
    ($c:ident, $sieve:ident, $mac:ident, $serial:ident => $body:expr;
     $(($a:literal, $w:literal, $t:literal, $acc:literal, $cnt:literal),)*) => {
        match ($c.a_bits(), $c.w_bits(), $c.t_bits(), $c.acc_bits(), $c.cnt_bits()) {
            $(
                ($a, $w, $t, $acc, $cnt) => {
                    $crate::unit_type_aliases!($sieve, $mac, $serial; $a, $w, $t, $acc, $cnt);
                    Ok($body)
                }
            )*
            _ => Err(anyhow::Error::from($crate::presets::unsupported($c))),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Coding, UnitConfig};
    use crate::presets::{preset_of, rtl_configs};

    #[test]
    fn ceil_log2_of_small_numbers() {
        let got: Vec<usize> = (2..=18).map(ceil_log2).collect();
        assert_eq!(got, [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5]);
    }

    /// Every preset builds in both codings, and its constructors accept the
    /// derived widths `with_design!` computed (they assert each one).
    #[test]
    fn every_preset_builds() {
        for cfg in rtl_configs() {
            with_design!(&cfg, Sieve, Mac, Serial => {
                let _ = Sieve::new(&cfg, true);
                let _ = Mac::new(&cfg);
                let _ = Serial::new(&cfg, true);
            })
            .unwrap_or_else(|e| panic!("{}: {e}", cfg.tag()));
        }
    }

    /// The MAC builds exactly the MAC-only presets through `with_mac!`.
    #[test]
    fn mac_presets_build_exactly() {
        use crate::presets::{mac_preset_of, MAC_PRESETS};
        for p in MAC_PRESETS {
            let cfg = p.config(Coding::Ternary);
            with_mac!(&cfg, Mac => {
                let _ = Mac::new(&cfg);
            })
            .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
        for a in 2..=16 {
            for w in 2..=16 {
                let Ok(cfg) = UnitConfig::builder().a_bits(a).w_bits(w).build() else {
                    continue;
                };
                let built = with_mac!(&cfg, Mac => ()).is_ok();
                assert_eq!(built, mac_preset_of(&cfg).is_some(), "{}", cfg.tag());
            }
        }
    }

    /// No configuration outside the preset table builds: the arms of
    /// `with_design!` are exactly the presets.
    #[test]
    fn nothing_else_builds() {
        let mut refused = 0;
        for a in 2..=16 {
            for w in 2..=16 {
                for t in [4, 8] {
                    for acc in [a + w + 1, 17, 32, 40, 64] {
                        for cnt in [8, 32, 64] {
                            let Ok(cfg) = UnitConfig::new(a, w, t, acc, cnt, Coding::Binary) else {
                                continue;
                            };
                            let built = with_design!(&cfg, Sieve, Mac => ()).is_ok();
                            assert_eq!(built, preset_of(&cfg).is_some(), "{}", cfg.tag());
                            if !built {
                                refused += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(refused > 1000, "{refused}");
        let cfg = UnitConfig::builder().a_bits(5).build().unwrap();
        let e = with_design!(&cfg, Sieve, Mac => ())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("the RTL does not build a_bits = 5, w_bits = 8, t_bits = 8, acc_bits = 32, cnt_bits = 32 (only the golden model computes it: `sievingnet dot --engine model`); the RTL builds these presets, each with either coding:\n  --preset a4w4"),
            "{e}"
        );
    }
}
