//! The one configuration of a sieving unit (SPEC section 1).
//!
//! `UnitConfig` is the single source of truth for the golden model, the RTL,
//! the exported Verilog, the ROM header and every report. Construct it with
//! [`UnitConfig::new`] or [`UnitConfig::builder`]; both validate, and every
//! error names the parameter, its value and the allowed range.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a weight is split into digits, one per bit-plane (SPEC section 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coding {
    /// Sign-magnitude bit-planes: `w_bits` planes, digits 0 or 1.
    Binary,
    /// Non-adjacent form of the magnitude: `w_bits + 1` planes, digits -1, 0, +1.
    Ternary,
}

impl Coding {
    pub const ALL: [Coding; 2] = [Coding::Binary, Coding::Ternary];

    pub fn name(self) -> &'static str {
        match self {
            Coding::Binary => "binary",
            Coding::Ternary => "ternary",
        }
    }
}

impl fmt::Display for Coding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Coding {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "binary" => Ok(Coding::Binary),
            "ternary" => Ok(Coding::Ternary),
            other => Err(ConfigError(format!(
                "coding = {other:?} is not a known coding: allowed binary or ternary"
            ))),
        }
    }
}

/// A configuration the contract rejects. The message names the parameter,
/// its value and the allowed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Widths and coding of one sieving dot-product unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitConfig {
    /// Activation width, two's complement (2..=16).
    pub a_bits: u32,
    /// Weight width, two's complement (2..=16).
    pub w_bits: u32,
    /// Threshold width, two's complement (2..=8).
    pub t_bits: u32,
    /// Accumulator width, two's complement (`a_bits + w_bits + 1`..=64).
    pub acc_bits: u32,
    /// Width of each counter output (8..=64); counters wrap at `2^cnt_bits`.
    pub cnt_bits: u32,
    /// Weight digit coding.
    pub coding: Coding,
}

/// The largest number of planes any legal configuration has (ternary, 16 bits).
pub const MAX_PLANES: usize = 17;

impl Default for UnitConfig {
    fn default() -> Self {
        UnitConfig {
            a_bits: 8,
            w_bits: 8,
            t_bits: 8,
            acc_bits: 32,
            cnt_bits: 32,
            coding: Coding::Ternary,
        }
    }
}

fn check_range(name: &str, value: u32, lo: u32, hi: u32, why: &str) -> Result<(), ConfigError> {
    if value < lo || value > hi {
        Err(ConfigError(format!(
            "{name} = {value} is out of range: allowed {lo}..={hi}{why}"
        )))
    } else {
        Ok(())
    }
}

impl UnitConfig {
    /// A validated configuration.
    pub fn new(
        a_bits: u32,
        w_bits: u32,
        t_bits: u32,
        acc_bits: u32,
        cnt_bits: u32,
        coding: Coding,
    ) -> Result<Self, ConfigError> {
        let cfg = UnitConfig {
            a_bits,
            w_bits,
            t_bits,
            acc_bits,
            cnt_bits,
            coding,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// A builder starting from the defaults; `acc_bits` follows the widths
    /// (32, or 40 when `a_bits + w_bits > 31`) unless set.
    pub fn builder() -> UnitConfigBuilder {
        UnitConfigBuilder::default()
    }

    /// The default accumulator width for these operand widths.
    pub fn default_acc_bits(a_bits: u32, w_bits: u32) -> u32 {
        if a_bits + w_bits > 31 {
            40
        } else {
            32
        }
    }

    /// Checks every range of SPEC section 1.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("a_bits", self.a_bits, 2, 16, "")?;
        check_range("w_bits", self.w_bits, 2, 16, "")?;
        check_range("t_bits", self.t_bits, 2, 8, "")?;
        check_range(
            "acc_bits",
            self.acc_bits,
            self.a_bits + self.w_bits + 1,
            64,
            " (a_bits + w_bits + 1 ..= 64)",
        )?;
        check_range("cnt_bits", self.cnt_bits, 8, 64, "")?;
        Ok(())
    }

    /// Number of bit-planes `P` of a weight.
    pub fn planes(&self) -> u32 {
        match self.coding {
            Coding::Binary => self.w_bits,
            Coding::Ternary => self.w_bits + 1,
        }
    }

    pub fn a_range(&self) -> (i64, i64) {
        signed_range(self.a_bits)
    }
    pub fn w_range(&self) -> (i64, i64) {
        signed_range(self.w_bits)
    }
    pub fn t_range(&self) -> (i64, i64) {
        signed_range(self.t_bits)
    }
    pub fn acc_range(&self) -> (i64, i64) {
        signed_range(self.acc_bits)
    }

    /// A short name such as `a8w8t8acc32cnt32-ternary`, for files and reports.
    pub fn tag(&self) -> String {
        format!(
            "a{}w{}t{}acc{}cnt{}-{}",
            self.a_bits, self.w_bits, self.t_bits, self.acc_bits, self.cnt_bits, self.coding
        )
    }
}

/// Smallest and largest value of a `bits`-wide two's complement number (bits 1..=64).
pub fn signed_range(bits: u32) -> (i64, i64) {
    let lo = -(1i128 << (bits - 1));
    let hi = (1i128 << (bits - 1)) - 1;
    (lo as i64, hi as i64)
}

/// Builds a [`UnitConfig`] from the defaults, validating on [`build`](Self::build).
#[derive(Clone, Debug, Default)]
pub struct UnitConfigBuilder {
    a_bits: Option<u32>,
    w_bits: Option<u32>,
    t_bits: Option<u32>,
    acc_bits: Option<u32>,
    cnt_bits: Option<u32>,
    coding: Option<Coding>,
}

impl UnitConfigBuilder {
    pub fn a_bits(mut self, v: u32) -> Self {
        self.a_bits = Some(v);
        self
    }
    pub fn w_bits(mut self, v: u32) -> Self {
        self.w_bits = Some(v);
        self
    }
    pub fn t_bits(mut self, v: u32) -> Self {
        self.t_bits = Some(v);
        self
    }
    pub fn acc_bits(mut self, v: u32) -> Self {
        self.acc_bits = Some(v);
        self
    }
    pub fn cnt_bits(mut self, v: u32) -> Self {
        self.cnt_bits = Some(v);
        self
    }
    pub fn coding(mut self, v: Coding) -> Self {
        self.coding = Some(v);
        self
    }
    pub fn build(self) -> Result<UnitConfig, ConfigError> {
        let d = UnitConfig::default();
        let a_bits = self.a_bits.unwrap_or(d.a_bits);
        let w_bits = self.w_bits.unwrap_or(d.w_bits);
        UnitConfig::new(
            a_bits,
            w_bits,
            self.t_bits.unwrap_or(d.t_bits),
            self.acc_bits
                .unwrap_or_else(|| UnitConfig::default_acc_bits(a_bits, w_bits)),
            self.cnt_bits.unwrap_or(d.cnt_bits),
            self.coding.unwrap_or(d.coding),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_matches_spec() {
        let c = UnitConfig::default();
        c.validate().unwrap();
        assert_eq!(
            (c.a_bits, c.w_bits, c.t_bits, c.acc_bits, c.cnt_bits),
            (8, 8, 8, 32, 32)
        );
        assert_eq!(c.coding, Coding::Ternary);
        assert_eq!(c.planes(), 9);
    }

    #[test]
    fn acc_default_grows_for_wide_operands() {
        let c = UnitConfig::builder().a_bits(16).w_bits(16).build().unwrap();
        assert_eq!(c.acc_bits, 40);
        let c = UnitConfig::builder().a_bits(16).w_bits(8).build().unwrap();
        assert_eq!(c.acc_bits, 32);
    }

    #[test]
    fn errors_name_parameter_value_and_range() {
        let e = UnitConfig::builder().a_bits(17).build().unwrap_err();
        assert_eq!(e.to_string(), "a_bits = 17 is out of range: allowed 2..=16");
        let e = UnitConfig::builder().w_bits(1).build().unwrap_err();
        assert_eq!(e.to_string(), "w_bits = 1 is out of range: allowed 2..=16");
        let e = UnitConfig::builder().t_bits(9).build().unwrap_err();
        assert_eq!(e.to_string(), "t_bits = 9 is out of range: allowed 2..=8");
        let e = UnitConfig::builder().acc_bits(16).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            "acc_bits = 16 is out of range: allowed 17..=64 (a_bits + w_bits + 1 ..= 64)"
        );
        let e = UnitConfig::builder().acc_bits(65).build().unwrap_err();
        assert!(e.to_string().starts_with("acc_bits = 65 is out of range"));
        let e = UnitConfig::builder().cnt_bits(7).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            "cnt_bits = 7 is out of range: allowed 8..=64"
        );
        let e = "trinary".parse::<Coding>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "coding = \"trinary\" is not a known coding: allowed binary or ternary"
        );
    }

    #[test]
    fn ranges_include_most_negative() {
        let c = UnitConfig::default();
        assert_eq!(c.a_range(), (-128, 127));
        assert_eq!(signed_range(64), (i64::MIN, i64::MAX));
        assert_eq!(signed_range(2), (-2, 1));
    }
}
