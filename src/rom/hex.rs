//! The `$readmemh` codec of the ROM's memory files: one `bits`-wide two's
//! complement value per line, lower-case hex, zero-padded.

/// Number of hex digits of a `bits`-wide value: `ceil(bits / 4)`.
pub fn hex_digits(bits: u32) -> usize {
    bits.div_ceil(4) as usize
}

/// The `$readmemh` line of `value` as a `bits`-wide two's complement number.
/// The value must fit (checked by the caller).
pub fn format_hex(value: i64, bits: u32) -> String {
    let pattern = if bits >= 64 {
        value as u64
    } else {
        (value as u64) & ((1u64 << bits) - 1)
    };
    format!("{:0width$x}", pattern, width = hex_digits(bits))
}

/// Parses one `$readmemh` line of a `bits`-wide two's complement value.
/// `Err` holds the reason, without the file and line (the caller adds them).
pub fn parse_hex(text: &str, bits: u32) -> std::result::Result<i64, String> {
    let digits = hex_digits(bits);
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "{text:?} is not a {digits}-digit hex value: write each {bits}-bit value as its \
             two's complement in exactly {digits} hex digits (e.g. {} for -1)",
            format_hex(-1, bits)
        ));
    }
    let pattern = u64::from_str_radix(text, 16).map_err(|e| format!("{text:?}: {e}"))?;
    if bits < 64 && pattern >> bits != 0 {
        return Err(format!(
            "0x{text} is out of range for a {bits}-bit value: the largest pattern is {} \
             (write only the low {bits} bits of the two's complement)",
            format_hex(-1, bits)
        ));
    }
    // Sign-extend the `bits`-wide pattern.
    let shift = 64 - bits;
    Ok(((pattern << shift) as i64) >> shift)
}

pub(crate) fn mem_body(values: &[i64], bits: u32) -> String {
    let mut s = String::with_capacity(values.len() * (hex_digits(bits) + 1));
    for &v in values {
        s.push_str(&format_hex(v, bits));
        s.push('\n');
    }
    s
}

pub(crate) fn classes_body(values: &[usize]) -> String {
    let mut s = String::with_capacity(values.len() * 2);
    for v in values {
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s
}
