//! Writing results safely and naming contents: every file the program
//! writes appears whole or not at all, temporary files and folders of
//! unfinished work are removed when the user interrupts (Ctrl-C), and
//! content hashes key caches and tie reports to the exact files they
//! measured.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files and folders of work in progress, removed on interrupt.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary path of work in progress: removed by the interrupt handler
/// while this guard lives ([`on_interrupt_remove_pending`]); dropping the
/// guard only forgets the path (its owner removes or renames it).
#[derive(Debug)]
pub struct Pending(PathBuf);

impl Pending {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

/// Registers `path` for removal on interrupt.
pub fn track(path: impl Into<PathBuf>) -> Pending {
    let path = path.into();
    PENDING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.clone());
    Pending(path)
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut v = PENDING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = v.iter().rposition(|p| *p == self.0) {
            v.remove(i);
        }
    }
}

/// The tracked paths, oldest first.
pub fn pending_paths() -> Vec<PathBuf> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Removes files and folders (what exists of them). A folder that another
/// thread is still writing into may refuse to go at first (a file created
/// during the removal): try again for up to a second.
fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        for _ in 0..100 {
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
            if !p.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Removes every tracked path (files or folders); returns those removed.
pub fn remove_pending() -> Vec<PathBuf> {
    let v = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    remove_all(&v);
    v
}

/// Installs the Ctrl-C handler of a command: remove the tracked temporary
/// paths, say so, and exit with status 130. Call once, at start.
pub fn on_interrupt_remove_pending() {
    let _ = ctrlc::set_handler(|| {
        let removed = remove_pending();
        eprintln!(
            "\ninterrupted: removed {} temporary path(s) of unfinished work; finished outputs are untouched",
            removed.len()
        );
        std::process::exit(130);
    });
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// folder, renamed into place, so a failure leaves nothing half-written.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_atomic_all(&[(path, contents)])
}

/// Writes several files, each atomically, all staged before any is put in
/// place: a target that is a folder, a missing folder or a failed write
/// leaves every target as it was. (The renames themselves come one after
/// the other.)
pub fn write_atomic_all(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for &(path, contents) in files {
        if path.is_dir() {
            bail!(
                "{} is a directory: choose another output path",
                path.display()
            );
        }
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
        staged.push((tmp, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
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
    fn pending_paths_are_removed_until_their_guard_drops() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("x"), "x").unwrap();
        std::fs::write(&b, "b").unwrap();
        // Other tests may track paths at the same time: look at ours only.
        let ga = track(&a);
        {
            let _gb = track(&b);
            assert!(pending_paths().contains(&b));
        }
        let pending = pending_paths();
        assert!(pending.contains(&a) && !pending.contains(&b), "{pending:?}");
        remove_all(std::slice::from_ref(&a));
        assert!(!a.exists() && b.exists());
        drop(ga);
        assert!(!pending_paths().contains(&a));
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
