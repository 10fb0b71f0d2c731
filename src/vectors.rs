//! The `dot` input format (SPEC section 7): one pair per line, `a,w,thr,last`
//! in decimal; blank lines and lines starting with `#` are ignored.

use crate::config::UnitConfig;
use crate::model::Pair;
use std::fmt;

/// A bad input line, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for InputError {}

fn field(
    line: usize,
    name: &str,
    text: &str,
    range: (i64, i64),
    width: &str,
) -> Result<i64, InputError> {
    let t = text.trim();
    let v: i64 = t.parse().map_err(|e: std::num::ParseIntError| {
        use std::num::IntErrorKind::{NegOverflow, PosOverflow};
        let message = if matches!(e.kind(), PosOverflow | NegOverflow) {
            format!(
                "{name} = {t} is out of range for {width}: allowed {}..={}",
                range.0, range.1
            )
        } else {
            format!("{name} = {t:?} is not a decimal integer")
        };
        InputError { line, message }
    })?;
    if v < range.0 || v > range.1 {
        return Err(InputError {
            line,
            message: format!(
                "{name} = {v} is out of range for {width}: allowed {}..={}",
                range.0, range.1
            ),
        });
    }
    Ok(v)
}

/// Parses the bytes of an input file: like [`parse_pairs`], and a line that
/// is not UTF-8 text is an error naming that line.
pub fn parse_pairs_bytes(cfg: &UnitConfig, bytes: &[u8]) -> Result<Vec<Pair>, InputError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_pairs(cfg, text),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            Err(InputError {
                line,
                message: "is not UTF-8 text: write the pairs as plain ASCII decimal numbers"
                    .to_string(),
            })
        }
    }
}

/// Parses a whole input file. Every pair must fit the unit's widths and the
/// last pair must end its vector.
pub fn parse_pairs(cfg: &UnitConfig, text: &str) -> Result<Vec<Pair>, InputError> {
    let mut pairs = Vec::new();
    let mut open_since: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = t.split(',').collect();
        if parts.len() != 4 {
            return Err(InputError {
                line,
                message: format!(
                    "expected 4 comma-separated fields a,w,thr,last but found {}: {t:?}",
                    parts.len()
                ),
            });
        }
        let a = field(
            line,
            "a",
            parts[0],
            cfg.a_range(),
            &format!("a_bits = {}", cfg.a_bits()),
        )?;
        let w = field(
            line,
            "w",
            parts[1],
            cfg.w_range(),
            &format!("w_bits = {}", cfg.w_bits()),
        )?;
        let thr = field(
            line,
            "thr",
            parts[2],
            cfg.t_range(),
            &format!("t_bits = {}", cfg.t_bits()),
        )?;
        let last = match parts[3].trim() {
            "0" => false,
            "1" => true,
            other => {
                return Err(InputError {
                    line,
                    message: format!("last = {other:?} must be 0 or 1"),
                })
            }
        };
        if last {
            open_since = None;
        } else if open_since.is_none() {
            open_since = Some(line);
        }
        pairs.push(Pair { a, w, thr, last });
    }
    if let Some(start) = open_since {
        return Err(InputError {
            line: start,
            message: "the vector starting here has no pair with last = 1 (end every vector with last = 1)"
                .to_string(),
        });
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_and_blank_lines() {
        let cfg = UnitConfig::default();
        let p = parse_pairs(&cfg, "# header\n\n1,2,3,0\n -128 , 127 , -128 , 1 \n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[1],
            Pair {
                a: -128,
                w: 127,
                thr: -128,
                last: true
            }
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cfg = UnitConfig::default();
        let e = parse_pairs(&cfg, "1,2,3,1\n128,0,0,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: a = 128 is out of range for a_bits = 8: allowed -128..=127"
        );
        let e = parse_pairs(&cfg, "1,2,3\n").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("line 1: expected 4 comma-separated fields"));
        let e = parse_pairs(&cfg, "1,x,3,1\n").unwrap_err();
        assert_eq!(e.to_string(), "line 1: w = \"x\" is not a decimal integer");
        // Issue 9, fault 14: a number too long for any integer is out of range.
        let e = parse_pairs(&cfg, "99999999999999999999999,0,0,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1: a = 99999999999999999999999 is out of range for a_bits = 8: allowed -128..=127"
        );
        let e = parse_pairs(&cfg, "1,-99999999999999999999999,0,1\n").unwrap_err();
        assert!(
            e.message
                .starts_with("w = -99999999999999999999999 is out of range"),
            "{e}"
        );
        // Issue 9, fault 8: bytes that are not UTF-8 are named by their line.
        let e = parse_pairs_bytes(&cfg, b"1,2,3,1\n# ok\n4,\xff,6,1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: is not UTF-8 text: write the pairs as plain ASCII decimal numbers"
        );
        let e = parse_pairs(&cfg, "1,2,3,2\n").unwrap_err();
        assert_eq!(e.to_string(), "line 1: last = \"2\" must be 0 or 1");
        let e = parse_pairs(&cfg, "1,2,3,1\n\n1,2,3,0\n4,5,6,0\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("no pair with last = 1"));
    }
}
