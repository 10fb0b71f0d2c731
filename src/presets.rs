//! The named unit configurations of the project, in one table.
//!
//! Everything that lists configurations derives from [`PRESETS`]: the
//! configurations the RTL builds (the `rtl::with_design!` arms are checked
//! against it by a test), the Verilog shipped in `hdl/`
//! (`scripts/regenerate-hdl.sh` reads `sievingnet presets --shipped`), the
//! widths of the default area comparison, and the defaults of the unit flags
//! (`--preset`, and `UnitConfig::DEFAULT` for the preset named
//! [`DEFAULT_PRESET`]). `sievingnet presets` prints the table.
//!
//! A preset fixes the widths; both codings are supported for each.

use crate::config::{Coding, ConfigError, UnitConfig};
use crate::design::Design;
use serde::Serialize;

/// One named configuration: its widths, what it is for, and what is built
/// from it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Preset {
    /// Name for `--preset` and reports.
    pub name: &'static str,
    pub a_bits: u32,
    pub w_bits: u32,
    pub t_bits: u32,
    pub acc_bits: u32,
    pub cnt_bits: u32,
    /// What the configuration is for.
    pub purpose: &'static str,
    /// Whether `sievingnet area` compares it by default.
    pub area: bool,
    /// The designs shipped as Verilog in `hdl/`, with their coding.
    pub shipped: &'static [(Coding, Design)],
}

/// The preset whose widths are the contract's defaults (SPEC section 1).
pub const DEFAULT_PRESET: &str = "a8w8";

const SIEVE: Design = Design::Sieve { counters: true };
const SIEVE_NO_COUNTERS: Design = Design::Sieve { counters: false };

/// Every configuration the RTL, the export and the `rtl`/`verilog` engines
/// build (SPEC section 6 lists the minimum; these are exactly it).
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "a4w4",
        a_bits: 4,
        w_bits: 4,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "smallest unit: exhaustive RTL tests, area scaling",
        area: true,
        shipped: &[(Coding::Ternary, SIEVE)],
    },
    Preset {
        name: "a4w8",
        a_bits: 4,
        w_bits: 8,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "4-bit activations, 8-bit weights",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a4w16",
        a_bits: 4,
        w_bits: 16,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "4-bit activations, 16-bit weights",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a8w4",
        a_bits: 8,
        w_bits: 4,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "8-bit activations, 4-bit weights (low-precision networks)",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a8w8",
        a_bits: 8,
        w_bits: 8,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "the default unit: trained networks, area and timing reference",
        area: true,
        shipped: &[
            (Coding::Ternary, SIEVE),
            (Coding::Binary, SIEVE),
            (Coding::Ternary, SIEVE_NO_COUNTERS),
            (Coding::Ternary, Design::Serial { counters: true }),
            (Coding::Ternary, Design::Serial { counters: false }),
            (Coding::Ternary, Design::ExactMac),
        ],
    },
    Preset {
        name: "a8w16",
        a_bits: 8,
        w_bits: 16,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "8-bit activations, 16-bit weights",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a16w4",
        a_bits: 16,
        w_bits: 4,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "16-bit activations, 4-bit weights",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a16w8",
        a_bits: 16,
        w_bits: 8,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "16-bit activations, 8-bit weights",
        area: false,
        shipped: &[],
    },
    Preset {
        name: "a16w16",
        a_bits: 16,
        w_bits: 16,
        t_bits: 8,
        acc_bits: 40,
        cnt_bits: 32,
        purpose: "widest unit (40-bit accumulator): area scaling",
        area: true,
        shipped: &[(Coding::Ternary, SIEVE)],
    },
    Preset {
        name: "a8w8-wrap",
        a_bits: 8,
        w_bits: 8,
        t_bits: 8,
        acc_bits: 17,
        cnt_bits: 8,
        purpose: "17-bit accumulator and 8-bit counters: overflow and counter wrap",
        area: false,
        shipped: &[],
    },
];

/// Widths the exact MAC baseline (`--arch mac`) builds besides
/// [`PRESETS`]: 8-bit activations with every weight width up to 8, so that
/// a sieving unit can be held against the exact unit of the precision that
/// reaches the same accuracy (an exact 2-bit network against a sieved
/// 8-bit one). The sieving units do not build these (their adder tree and
/// popcounts need a power-of-two `w_bits`).
pub const MAC_PRESETS: &[Preset] = &[
    mac_preset("a8w2", 2),
    mac_preset("a8w3", 3),
    mac_preset("a8w5", 5),
    mac_preset("a8w6", 6),
    mac_preset("a8w7", 7),
];

const fn mac_preset(name: &'static str, w_bits: u32) -> Preset {
    Preset {
        name,
        a_bits: 8,
        w_bits,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        purpose: "exact MAC only: 8-bit activations, low-precision weights",
        area: true,
        shipped: &[],
    }
}

impl Preset {
    /// The preset's configuration in `coding`.
    pub fn config(&self, coding: Coding) -> UnitConfig {
        UnitConfig::new(
            self.a_bits,
            self.w_bits,
            self.t_bits,
            self.acc_bits,
            self.cnt_bits,
            coding,
        )
        .unwrap_or_else(|e| panic!("preset {}: {e}", self.name))
    }

    /// Whether `cfg` has this preset's widths (either coding).
    pub fn matches(&self, cfg: &UnitConfig) -> bool {
        (
            cfg.a_bits(),
            cfg.w_bits(),
            cfg.t_bits(),
            cfg.acc_bits(),
            cfg.cnt_bits(),
        ) == (
            self.a_bits,
            self.w_bits,
            self.t_bits,
            self.acc_bits,
            self.cnt_bits,
        )
    }

    /// The unit flags that select this preset's widths.
    pub fn flags(&self) -> String {
        format!(
            "--a-bits {} --w-bits {} --t-bits {} --acc-bits {} --cnt-bits {}",
            self.a_bits, self.w_bits, self.t_bits, self.acc_bits, self.cnt_bits
        )
    }
}

/// The preset called `name`; the error lists the names.
pub fn find(name: &str) -> Result<&'static Preset, ConfigError> {
    let all = || PRESETS.iter().chain(MAC_PRESETS);
    all().find(|p| p.name == name).ok_or_else(|| {
        ConfigError(format!(
            "preset = {name:?} is not a known preset: allowed {}",
            all().map(|p| p.name).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The preset with `cfg`'s widths, if any: the RTL builds exactly these.
pub fn preset_of(cfg: &UnitConfig) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.matches(cfg))
}

/// The MAC-only preset with `cfg`'s widths, if any ([`MAC_PRESETS`]).
pub fn mac_preset_of(cfg: &UnitConfig) -> Option<&'static Preset> {
    MAC_PRESETS.iter().find(|p| p.matches(cfg))
}

/// The weight widths below 8 at which the default area comparison adds the
/// exact MAC with 8-bit activations: every preset of that shape that the
/// MAC builds ([`MAC_PRESETS`], and `a8w4`).
pub fn mac_area_weight_widths() -> Vec<u32> {
    let mut w: Vec<u32> = PRESETS
        .iter()
        .chain(MAC_PRESETS)
        .filter(|p| (p.a_bits, p.t_bits, p.acc_bits, p.cnt_bits) == (8, 8, 32, 32) && p.w_bits < 8)
        .map(|p| p.w_bits)
        .collect();
    w.sort_unstable();
    w
}

/// Every configuration the RTL builds: each preset in both codings.
pub fn rtl_configs() -> Vec<UnitConfig> {
    PRESETS
        .iter()
        .flat_map(|p| Coding::ALL.map(|c| p.config(c)))
        .collect()
}

/// The operand widths (`a_bits = w_bits`) of the default area comparison.
pub fn area_widths() -> Vec<u32> {
    PRESETS
        .iter()
        .filter(|p| p.area)
        .map(|p| {
            assert_eq!(
                p.a_bits, p.w_bits,
                "area preset {}: the comparison is by one width",
                p.name
            );
            p.a_bits
        })
        .collect()
}

/// The Verilog shipped in `hdl/`: `(file stem, configuration, design)`.
pub fn shipped_designs() -> Vec<(String, UnitConfig, Design)> {
    PRESETS
        .iter()
        .flat_map(|p| {
            p.shipped.iter().map(move |&(coding, design)| {
                let cfg = p.config(coding);
                (design.file_stem(&cfg), cfg, design)
            })
        })
        .collect()
}

/// The error for a legal configuration the RTL does not build.
pub fn unsupported(cfg: &UnitConfig) -> ConfigError {
    let list = |table: &[Preset]| -> String {
        table
            .iter()
            .map(|p| format!("--preset {:<10} ({})", p.name, p.flags()))
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    ConfigError(format!(
        "the RTL does not build a_bits = {}, w_bits = {}, t_bits = {}, acc_bits = {}, cnt_bits = {} \
         (only the golden model computes it: `sievingnet dot --engine model`); the RTL builds \
         these presets, each with either coding:\n  {}\nand the exact MAC (`--arch mac`) also \
         these:\n  {}",
        cfg.a_bits(),
        cfg.w_bits(),
        cfg.t_bits(),
        cfg.acc_bits(),
        cfg.cnt_bits(),
        list(PRESETS),
        list(MAC_PRESETS)
    ))
}

/// The unit flags of every command that takes a unit (SPEC section 1):
/// a preset, then each width on its own. A width given on its own wins
/// over the preset's.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct UnitArgs {
    /// Start from a named configuration (`sievingnet presets` lists them)
    /// [default: a8w8].
    #[arg(long)]
    pub preset: Option<String>,
    /// Activation width in bits, two's complement (2..=16) [default: 8].
    #[arg(long)]
    pub a_bits: Option<u32>,
    /// Weight width in bits, two's complement (2..=16) [default: 8].
    #[arg(long)]
    pub w_bits: Option<u32>,
    /// Threshold width in bits, two's complement (2..=8) [default: 8].
    #[arg(long)]
    pub t_bits: Option<u32>,
    /// Accumulator width (a_bits + w_bits + 1 ..= 64) [default: 32, or 40
    /// when a_bits + w_bits > 31].
    #[arg(long)]
    pub acc_bits: Option<u32>,
    /// Width of each counter output (8..=64); counters wrap [default: 32].
    #[arg(long)]
    pub cnt_bits: Option<u32>,
    /// Weight digit coding: binary (w_bits planes, digits 0/1) or ternary
    /// (non-adjacent form, w_bits + 1 planes, digits -1/0/+1)
    /// [default: ternary].
    #[arg(long)]
    pub coding: Option<Coding>,
}

impl UnitArgs {
    /// The validated configuration; an error names the flag to change.
    pub fn config(&self) -> Result<UnitConfig, ConfigError> {
        let mut b = match &self.preset {
            Some(name) => find(name)?
                .config(UnitConfig::DEFAULT.coding())
                .to_builder(),
            None => UnitConfig::builder(),
        };
        let explicit_width = self.a_bits.is_some() || self.w_bits.is_some();
        if let Some(v) = self.a_bits {
            b = b.a_bits(v);
        }
        if let Some(v) = self.w_bits {
            b = b.w_bits(v);
        }
        if let Some(v) = self.t_bits {
            b = b.t_bits(v);
        }
        match self.acc_bits {
            Some(v) => b = b.acc_bits(v),
            // New operand widths get their own default accumulator.
            None if explicit_width => b = b.default_acc_bits(),
            None => {}
        }
        if let Some(v) = self.cnt_bits {
            b = b.cnt_bits(v);
        }
        if let Some(v) = self.coding {
            b = b.coding(v);
        }
        b.build().map_err(|e| {
            let flag = e.0.split(' ').next().unwrap_or("").replace('_', "-");
            ConfigError(format!("{e} (set it with --{flag})"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_configs_valid() {
        let mut names: Vec<&str> = PRESETS.iter().chain(MAC_PRESETS).map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            PRESETS.len() + MAC_PRESETS.len(),
            "duplicate preset names"
        );
        for p in PRESETS.iter().chain(MAC_PRESETS) {
            for c in Coding::ALL {
                assert!(p.matches(&p.config(c)), "{}", p.name);
            }
        }
        assert_eq!(rtl_configs().len(), 2 * PRESETS.len());
    }

    #[test]
    fn default_preset_is_the_contract_default() {
        let p = find(DEFAULT_PRESET).unwrap();
        assert_eq!(p.config(Coding::Ternary), UnitConfig::DEFAULT);
        assert_eq!(UnitArgs::default().config().unwrap(), UnitConfig::DEFAULT);
    }

    #[test]
    fn spec_minimum_is_built() {
        // SPEC section 6: every a_bits, w_bits in {4, 8, 16} with the default
        // t, acc and cnt widths, and 8x8 with acc 17, cnt 8.
        for a in [4, 8, 16] {
            for w in [4, 8, 16] {
                let cfg = UnitConfig::builder().a_bits(a).w_bits(w).build().unwrap();
                assert!(preset_of(&cfg).is_some(), "a{a}w{w}");
            }
        }
        let wrap = UnitConfig::builder()
            .acc_bits(17)
            .cnt_bits(8)
            .build()
            .unwrap();
        assert_eq!(preset_of(&wrap).unwrap().name, "a8w8-wrap");
    }

    #[test]
    fn flags_and_preset_combine() {
        let args = UnitArgs {
            preset: Some("a16w16".into()),
            coding: Some(Coding::Binary),
            ..Default::default()
        };
        let c = args.config().unwrap();
        assert_eq!(
            (c.a_bits(), c.acc_bits(), c.coding()),
            (16, 40, Coding::Binary)
        );
        let args = UnitArgs {
            preset: Some("a16w16".into()),
            w_bits: Some(8),
            ..Default::default()
        };
        assert_eq!(args.config().unwrap().acc_bits(), 32);
        let e = UnitArgs {
            preset: Some("huge".into()),
            ..Default::default()
        }
        .config()
        .unwrap_err();
        assert!(
            e.0.starts_with("preset = \"huge\" is not a known preset: allowed a4w4,"),
            "{e}"
        );
        let e = UnitArgs {
            a_bits: Some(17),
            ..Default::default()
        }
        .config()
        .unwrap_err();
        assert_eq!(
            e.0,
            "a_bits = 17 is out of range: allowed 2..=16 (set it with --a-bits)"
        );
    }

    #[test]
    fn shipped_names_are_unique() {
        let mut stems: Vec<String> = shipped_designs().into_iter().map(|d| d.0).collect();
        let n = stems.len();
        stems.sort();
        stems.dedup();
        assert_eq!(stems.len(), n);
        assert_eq!(area_widths(), vec![4, 8, 16]);
    }
}
