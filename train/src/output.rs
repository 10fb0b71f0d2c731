//! A run's output folder, written whole: the run is staged in a hidden
//! folder beside `--out` and renamed into place when it is complete, so the
//! folder always holds either the complete old run or the complete new one.
//! An interrupt (Ctrl-C) removes the staging folder. Every output location
//! is checked before training starts, and an existing folder is replaced
//! only when it holds nothing but a run's own files.

use anyhow::{bail, Context, Result};
use sievingnet::files::{track, Pending};
use std::path::{Path, PathBuf};

/// The files and folders a run writes into `--out` (the ROM folder is `rom`).
pub const RUN_FILES: &[&str] = &[
    "run.json",
    "epochs.csv",
    "train.log",
    "exponents.svg",
    "learning_curves.svg",
    "sweep.json",
    "sweep.csv",
    "sweep.svg",
    "rom",
];

/// An error if `path` or one of its ancestors is an existing file (then
/// nothing can be created there).
fn check_creatable(path: &Path, flag: &str) -> Result<()> {
    let mut p = Some(path);
    while let Some(q) = p {
        if q.exists() {
            if q.is_dir() {
                return Ok(());
            }
            bail!(
                "{flag} {}: {} is a file, so the folder cannot be created there; choose another {flag}",
                path.display(),
                q.display()
            );
        }
        p = q.parent().filter(|q| !q.as_os_str().is_empty());
    }
    Ok(())
}

/// Checks that `out` can take a run: it does not exist, or it is a folder
/// holding only a run's files (a ROM in `rom`, the logs, the plots).
pub fn check_out_dir(out: &Path) -> Result<()> {
    check_creatable(out, "--out")?;
    if !out.exists() {
        return Ok(());
    }
    let mut foreign = Vec::new();
    for e in std::fs::read_dir(out).with_context(|| format!("cannot list {}", out.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !RUN_FILES.contains(&name.as_str()) {
            foreign.push(name);
        } else if name == "rom" {
            sievingnet::rom::check_replaceable(&e.path())?;
        }
    }
    if !foreign.is_empty() {
        foreign.sort();
        bail!(
            "--out {} holds {}, which a run does not write: the run replaces the folder, so choose \
             another --out (or move those files away)",
            out.display(),
            foreign.join(", ")
        );
    }
    Ok(())
}

/// Checks a `--rom` outside the run folder: creatable, and if it exists a
/// ROM folder the writer may replace.
pub fn check_rom_dir(rom: &Path) -> Result<()> {
    check_creatable(rom, "--rom")?;
    if rom.is_dir() {
        sievingnet::rom::check_replaceable(rom)?;
    }
    Ok(())
}

/// A run being written: everything goes into [`RunOutput::dir`] until
/// [`RunOutput::finish`] puts it in place.
#[derive(Debug)]
pub struct RunOutput {
    target: PathBuf,
    staging: Pending,
}

impl RunOutput {
    /// Checks `out` and creates the staging folder beside it.
    pub fn start(out: &Path) -> Result<RunOutput> {
        check_out_dir(out)?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        let staging = track(staging);
        std::fs::create_dir(staging.path())
            .with_context(|| format!("cannot create {}", staging.path().display()))?;
        Ok(RunOutput {
            target: out.to_path_buf(),
            staging,
        })
    }

    /// Where the run's files go while it runs.
    pub fn dir(&self) -> &Path {
        self.staging.path()
    }

    /// The folder the run ends up in.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Replaces the target with the staged run: the old run is moved aside,
    /// the new one renamed into place, then the old one removed.
    pub fn finish(self) -> Result<()> {
        check_out_dir(&self.target)?;
        let staged = self.staging.path().to_path_buf();
        let aside = self.target.exists().then(|| {
            let mut a = staged.clone().into_os_string();
            a.push(".old");
            PathBuf::from(a)
        });
        if let Some(a) = &aside {
            std::fs::rename(&self.target, a).with_context(|| {
                format!("cannot move the old run {} aside", self.target.display())
            })?;
        }
        if let Err(e) = std::fs::rename(&staged, &self.target) {
            if let Some(a) = &aside {
                let _ = std::fs::rename(a, &self.target);
            }
            return Err(e)
                .with_context(|| format!("cannot move the run into {}", self.target.display()));
        }
        if let Some(a) = aside {
            let _ = std::fs::remove_dir_all(a);
        }
        Ok(())
    }
}

impl Drop for RunOutput {
    fn drop(&mut self) {
        // An unfinished run (an error) leaves nothing behind.
        let p = self.staging.path();
        if p.exists() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_replaces_a_run_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("run");
        let r = RunOutput::start(&out).unwrap();
        std::fs::write(r.dir().join("run.json"), "new").unwrap();
        assert!(!out.exists(), "nothing appears before the run is complete");
        r.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("run.json")).unwrap(),
            "new"
        );
        // Again, over the old run.
        let r = RunOutput::start(&out).unwrap();
        std::fs::write(r.dir().join("epochs.csv"), "e").unwrap();
        r.finish().unwrap();
        assert!(out.join("epochs.csv").exists() && !out.join("run.json").exists());
        // An unfinished run leaves the old one and no staging folder.
        let r = RunOutput::start(&out).unwrap();
        std::fs::write(r.dir().join("run.json"), "half").unwrap();
        drop(r);
        assert!(out.join("epochs.csv").exists());
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["run".to_string()]);
    }

    /// Issue 9, fault 5: outputs at or under a file are refused at once.
    #[test]
    fn outputs_at_or_under_a_file_and_foreign_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = check_out_dir(&file).unwrap_err().to_string();
        assert!(
            e.contains("is a file, so the folder cannot be created there"),
            "{e}"
        );
        let e = check_rom_dir(&file.join("rom")).unwrap_err().to_string();
        assert!(e.starts_with("--rom"), "{e}");
        let dir = tmp.path().join("proj");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("keep.txt"), "mine").unwrap();
        let e = check_out_dir(&dir).unwrap_err().to_string();
        assert!(
            e.contains("holds keep.txt, which a run does not write"),
            "{e}"
        );
        assert!(dir.join("keep.txt").exists());
    }
}
