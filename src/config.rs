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

    /// Number of bit-planes `P` of a `w_bits` weight (SPEC section 2).
    pub const fn planes(self, w_bits: u32) -> u32 {
        match self {
            Coding::Binary => w_bits,
            Coding::Ternary => w_bits + 1,
        }
    }

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
///
/// The fields are private: every `UnitConfig` in the program went through
/// [`UnitConfig::new`] (or the builder, or deserialization, which call it),
/// so every one of them is inside the ranges of SPEC section 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawUnitConfig")]
pub struct UnitConfig {
    a_bits: u32,
    w_bits: u32,
    t_bits: u32,
    acc_bits: u32,
    cnt_bits: u32,
    coding: Coding,
}

/// The serialized form, validated into a [`UnitConfig`].
#[derive(Deserialize)]
struct RawUnitConfig {
    a_bits: u32,
    w_bits: u32,
    t_bits: u32,
    acc_bits: u32,
    cnt_bits: u32,
    coding: Coding,
}

impl TryFrom<RawUnitConfig> for UnitConfig {
    type Error = ConfigError;
    fn try_from(r: RawUnitConfig) -> Result<Self, ConfigError> {
        UnitConfig::new(
            r.a_bits, r.w_bits, r.t_bits, r.acc_bits, r.cnt_bits, r.coding,
        )
    }
}

/// The largest number of planes any legal configuration has (ternary, 16 bits).
pub const MAX_PLANES: usize = 17;

impl Default for UnitConfig {
    fn default() -> Self {
        UnitConfig::DEFAULT
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
    /// The contract's default unit (SPEC section 1): 8-bit activations,
    /// weights and thresholds, 32-bit accumulator and counters, ternary.
    pub const DEFAULT: UnitConfig = UnitConfig {
        a_bits: 8,
        w_bits: 8,
        t_bits: 8,
        acc_bits: 32,
        cnt_bits: 32,
        coding: Coding::Ternary,
    };

    /// A validated configuration.
    pub fn new(
        a_bits: u32,
        w_bits: u32,
        t_bits: u32,
        acc_bits: u32,
        cnt_bits: u32,
        coding: Coding,
    ) -> Result<Self, ConfigError> {
        check_range("a_bits", a_bits, 2, 16, "")?;
        check_range("w_bits", w_bits, 2, 16, "")?;
        check_range("t_bits", t_bits, 2, 8, "")?;
        check_range(
            "acc_bits",
            acc_bits,
            a_bits + w_bits + 1,
            64,
            " (a_bits + w_bits + 1 ..= 64)",
        )?;
        check_range("cnt_bits", cnt_bits, 8, 64, "")?;
        Ok(UnitConfig {
            a_bits,
            w_bits,
            t_bits,
            acc_bits,
            cnt_bits,
            coding,
        })
    }

    /// A builder starting from the defaults; `acc_bits` follows the widths
    /// (32, or 40 when `a_bits + w_bits > 31`) unless set.
    pub fn builder() -> UnitConfigBuilder {
        UnitConfigBuilder::default()
    }

    /// A builder starting from this configuration (every field set).
    pub fn to_builder(&self) -> UnitConfigBuilder {
        UnitConfigBuilder {
            a_bits: Some(self.a_bits),
            w_bits: Some(self.w_bits),
            t_bits: Some(self.t_bits),
            acc_bits: Some(self.acc_bits),
            cnt_bits: Some(self.cnt_bits),
            coding: Some(self.coding),
        }
    }

    /// The same configuration with another coding (always valid).
    pub fn with_coding(&self, coding: Coding) -> UnitConfig {
        UnitConfig { coding, ..*self }
    }

    /// The same configuration with 64-bit counters, which never wrap in
    /// practice (always valid): for exact counts in the model.
    pub fn with_wide_counters(&self) -> UnitConfig {
        UnitConfig {
            cnt_bits: 64,
            ..*self
        }
    }

    /// The default accumulator width for these operand widths.
    pub const fn default_acc_bits(a_bits: u32, w_bits: u32) -> u32 {
        if a_bits + w_bits > 31 {
            40
        } else {
            32
        }
    }

    /// Activation width, two's complement (2..=16).
    pub const fn a_bits(&self) -> u32 {
        self.a_bits
    }
    /// Weight width, two's complement (2..=16).
    pub const fn w_bits(&self) -> u32 {
        self.w_bits
    }
    /// Threshold width, two's complement (2..=8).
    pub const fn t_bits(&self) -> u32 {
        self.t_bits
    }
    /// Accumulator width, two's complement (`a_bits + w_bits + 1`..=64).
    pub const fn acc_bits(&self) -> u32 {
        self.acc_bits
    }
    /// Width of each counter output (8..=64); counters wrap at `2^cnt_bits`.
    pub const fn cnt_bits(&self) -> u32 {
        self.cnt_bits
    }
    /// Weight digit coding.
    pub const fn coding(&self) -> Coding {
        self.coding
    }

    /// Number of bit-planes `P` of a weight.
    pub const fn planes(&self) -> u32 {
        self.coding.planes(self.w_bits)
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
    /// Forget a set `acc_bits`: it follows the operand widths again.
    pub fn default_acc_bits(mut self) -> Self {
        self.acc_bits = None;
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
        let d = UnitConfig::DEFAULT;
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
    fn deserialization_validates() {
        let ok: UnitConfig = serde_json::from_str(
            r#"{"a_bits":4,"w_bits":4,"t_bits":8,"acc_bits":32,"cnt_bits":32,"coding":"binary"}"#,
        )
        .unwrap();
        assert_eq!(
            ok,
            UnitConfig::builder()
                .a_bits(4)
                .w_bits(4)
                .coding(Coding::Binary)
                .build()
                .unwrap()
        );
        let e = serde_json::from_str::<UnitConfig>(
            r#"{"a_bits":17,"w_bits":4,"t_bits":8,"acc_bits":32,"cnt_bits":32,"coding":"binary"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("a_bits = 17 is out of range"), "{e}");
    }

    #[test]
    fn ranges_include_most_negative() {
        let c = UnitConfig::default();
        assert_eq!(c.a_range(), (-128, 127));
        assert_eq!(signed_range(64), (i64::MIN, i64::MAX));
        assert_eq!(signed_range(2), (-2, 1));
    }
}
