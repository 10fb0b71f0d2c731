//! Writing results safely and naming contents: every file the program
//! writes appears whole or not at all, and content hashes key caches and
//! tie reports to the exact files they measured.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, renamed into place, so a failure leaves nothing half-written.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!("folder {} does not exist: create it first", dir.display());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(contents)?;
    // Temporary files are created private (0600); results are for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// FNV-1a, 64 bits, over the parts and their lengths: a stable content hash
/// for cache keys and report fingerprints (not cryptographic).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain((part.len() as u64).to_le_bytes().iter()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// [`fnv1a`] of one text, as 16 hex digits.
pub fn content_hash(text: &[u8]) -> String {
    format!("{:016x}", fnv1a(&[text]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(content_hash(b""), format!("{:016x}", fnv1a(&[b""])));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        // Pinned: caches and shipped reports depend on this value.
        assert_eq!(content_hash(b"sievingnet"), "615f453d6415d9ff");
    }

    #[test]
    fn atomic_write_needs_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let e = write_atomic(&dir.path().join("no/x.txt"), b"").unwrap_err();
        assert!(
            e.to_string().contains("does not exist: create it first"),
            "{e}"
        );
    }
}
