//! The trainer's outputs under hostile conditions (issue 9): a `--rom` that
//! holds other files, outputs at or under a file, an interrupt in the middle
//! of a run. Nothing the program did not write is ever deleted, a run
//! folder is the complete old run or the complete new one, and an interrupt
//! leaves no temporary folder.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet-train"))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Fault 1, the issue's own command: a folder with a `model.json` beside
/// other files was wiped. Now the run is refused before training and the
/// folder is untouched.
#[test]
fn rom_folder_with_foreign_files_is_refused_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = tmp.path().join("x/proj");
    std::fs::create_dir_all(proj.join("sub")).unwrap();
    std::fs::write(proj.join("model.json"), "{}").unwrap();
    std::fs::write(proj.join("keep.txt"), "hi").unwrap();
    let out = bin()
        .args([
            "train",
            "--dataset",
            "iris",
            "--epochs",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(tmp.path().join("x/run"))
        .arg("--rom")
        .arg(&proj)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert!(
        !stderr.contains("epoch"),
        "refused before the first epoch: {stderr}"
    );
    assert_eq!(names(&proj), ["keep.txt", "model.json", "sub"]);
    assert!(!tmp.path().join("x/run").exists());
    assert_eq!(
        names(&tmp.path().join("x")),
        ["proj"],
        "no staging folder left"
    );
}

/// Fault 5: `--out` or `--rom` at or under a file fails at once.
#[test]
fn outputs_at_or_under_a_file_fail_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    for args in [
        vec!["--out".to_string(), file.display().to_string()],
        vec!["--out".to_string(), file.join("run").display().to_string()],
        vec![
            "--out".to_string(),
            tmp.path().join("run").display().to_string(),
            "--rom".to_string(),
            file.join("rom").display().to_string(),
        ],
    ] {
        let t0 = Instant::now();
        let out = bin()
            .args(["train", "--dataset", "iris", "--quiet"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("is a file"), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("epoch") && !stderr.contains("warning"),
            "{stderr}"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "refused before training"
        );
    }
    assert_eq!(names(tmp.path()), ["file"]);
}

/// Fault 4: Ctrl-C in the middle of a run leaves the previous complete run
/// as it was (its `run.json` beside its own ROM) and no temporary folder.
#[test]
fn an_interrupted_run_leaves_the_old_run_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let first = bin()
        .args([
            "train",
            "--dataset",
            "iris",
            "--epochs",
            "3",
            "--seed",
            "4",
            "--quiet",
            "--no-plots",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let old_run = std::fs::read_to_string(out.join("run.json")).unwrap();
    let old_rom = std::fs::read_to_string(out.join("rom/model.json")).unwrap();

    let mut child = bin()
        .args([
            "train",
            "--dataset",
            "digits",
            "--epochs",
            "400",
            "--seed",
            "5",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the staging folder has its first epoch, then interrupt.
    let t0 = Instant::now();
    loop {
        let staged = names(tmp.path())
            .into_iter()
            .find(|n| n.starts_with(".run.partial-"))
            .map(|n| tmp.path().join(n).join("epochs.csv"));
        if staged.is_some_and(|p| p.exists()) {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "exit status after Ctrl-C");
    assert_eq!(names(tmp.path()), ["run"], "no temporary folder is left");
    assert_eq!(
        std::fs::read_to_string(out.join("run.json")).unwrap(),
        old_run
    );
    assert_eq!(
        std::fs::read_to_string(out.join("rom/model.json")).unwrap(),
        old_rom
    );
}
