//! The frontier study end to end on Iris (shipped): plan, run, resume,
//! merge; its cost figures against the golden model's on the same network.

use sievingnet_train::frontier::{read_plan, read_points};
use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sievingnet-train"))
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn plan(dir: &Path, extra: &[&str]) -> Output {
    bin()
        .args(["frontier", "plan", "--out"])
        .arg(dir)
        .args([
            "--seeds",
            "3",
            "--exact-a-bits",
            "8",
            "--exact-w-bits",
            "3",
            "--sieve-w-bits",
            "8",
            "--ims",
            "0.3",
            "--post-ims",
            "0.4",
            "--targets",
            "0.8",
        ])
        .args(extra)
        .args(["--", "--dataset", "iris", "--weight-scale", "mse"])
        .output()
        .unwrap()
}

#[test]
fn a_study_plans_runs_resumes_and_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("study");
    ok(plan(&dir, &[]));
    let p = read_plan(&dir).unwrap();
    let names: Vec<&str> = p.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["exact-a8w3-s3", "sieve-ternary-w8-im0.3-s3"]);
    let jobs = std::fs::read_to_string(dir.join("jobs.txt")).unwrap();
    assert_eq!(jobs.lines().count(), 2);
    assert!(jobs.contains("frontier run") && jobs.contains("--job exact-a8w3-s3"));
    assert!(std::fs::read_to_string(dir.join("slurm.sh"))
        .unwrap()
        .contains("#SBATCH --array=1-2"));

    // One job on its own, as a scheduler runs it: no merge yet.
    ok(bin()
        .args(["frontier", "run"])
        .arg(&dir)
        .args(["--job", "exact-a8w3-s3"])
        .output()
        .unwrap());
    let first = dir.join("jobs/exact-a8w3-s3/points.json");
    let stamp = std::fs::metadata(&first).unwrap().modified().unwrap();
    assert!(!dir.join("frontier.csv").exists());

    // The rest: the finished job is not trained again; all done, it merges.
    let out = ok(bin().args(["frontier", "run"]).arg(&dir).output().unwrap());
    assert!(out.contains("all 2 jobs finished"), "{out}");
    assert_eq!(
        std::fs::metadata(&first).unwrap().modified().unwrap(),
        stamp
    );
    let out = ok(bin().args(["frontier", "run"]).arg(&dir).output().unwrap());
    assert!(out.contains("all 2 jobs finished"), "{out}");
    assert_eq!(
        std::fs::metadata(&first).unwrap().modified().unwrap(),
        stamp
    );

    let exact = read_points(&first).unwrap();
    let families: Vec<String> = exact
        .points
        .iter()
        .map(|p| format!("{} {}", p.family, p.coding))
        .collect();
    // w_bits 3: 3 planes binary (truncation k 1, 2), 4 ternary (k 1, 2, 3).
    assert_eq!(
        families,
        [
            "exact binary",
            "truncation binary",
            "truncation binary",
            "exact ternary",
            "truncation ternary",
            "truncation ternary",
            "truncation ternary",
            "post-sieve ternary"
        ]
    );
    for p in &exact.points {
        assert!(p.cost.kept_terms <= p.cost.pairs * 4.0);
        assert!(p.cost.kept_pairs <= p.cost.active_pairs);
        match p.family.as_str() {
            "exact" => {
                assert_eq!(p.accuracy, p.exact_accuracy);
                assert_eq!(p.cost.sieved_share, 0.0);
            }
            _ => assert!(p.cost.sieved_share > 0.0, "{p:?}"),
        }
    }
    let csv = std::fs::read_to_string(dir.join("frontier.csv")).unwrap();
    // One row per setting: 8 of the exact job and 1 sieve-aware, plus a header.
    assert_eq!(csv.lines().count(), 10, "{csv}");
    assert!(csv
        .lines()
        .all(|l| l.ends_with(",true") || l.ends_with(",false") || l.starts_with("series")));
    for f in [
        "frontier_points.csv",
        "frontier.md",
        "frontier.json",
        "frontier.svg",
    ] {
        assert!(dir.join(f).exists(), "{f}");
    }

    // The same network trained by `train` and evaluated by the golden model
    // (`eval-rom`) has the exact point's accuracy and cost.
    let run = tmp.path().join("run");
    let mut args = p.jobs[0].args.clone();
    args.extend([
        "--no-plots".into(),
        "--out".into(),
        run.display().to_string(),
    ]);
    ok(bin().arg("train").args(&args).output().unwrap());
    let ev: serde_json::Value = serde_json::from_str(&ok(bin()
        .args(["eval-rom", "--json"])
        .arg(run.join("rom"))
        .output()
        .unwrap()))
    .unwrap();
    let ternary = exact
        .points
        .iter()
        .find(|p| p.family == "exact" && p.coding == "ternary")
        .unwrap();
    assert_eq!(ev["accuracy"].as_f64().unwrap(), ternary.accuracy);
    let total = &ev["total_cost"];
    for (k, v) in [
        ("kept_terms", ternary.cost.kept_terms),
        ("kept_pairs", ternary.cost.kept_pairs),
        ("active_pairs", ternary.cost.active_pairs),
        ("pairs", ternary.cost.pairs),
    ] {
        assert_eq!(total[k].as_f64().unwrap(), v, "{k}");
    }

    // `best` retrains the cheapest setting that reaches the accuracy.
    let best = tmp.path().join("best");
    let out = ok(bin()
        .args(["frontier", "best"])
        .arg(&dir)
        .args(["--family", "exact", "--min-accuracy", "0.5", "--out"])
        .arg(&best)
        .output()
        .unwrap());
    assert!(out.contains("exact"), "{out}");
    assert!(best.join("rom").is_dir());
    let out = bin()
        .args(["frontier", "best"])
        .arg(&dir)
        .args(["--min-accuracy", "1.01", "--out"])
        .arg(tmp.path().join("none"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reaches 101.00% mean accuracy"));
    assert!(!tmp.path().join("none").exists());
    // Several studies: each must be one, and nothing is trained otherwise.
    let out = bin()
        .args(["frontier", "best"])
        .arg(&dir)
        .arg(tmp.path().join("no-study"))
        .args(["--family", "exact", "--min-accuracy", "0.5", "--out"])
        .arg(tmp.path().join("none2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-study"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!tmp.path().join("none2").exists());
}

#[test]
fn the_headline_of_several_studies_takes_the_cheapest_of_all() {
    let tmp = tempfile::tempdir().unwrap();
    let study = |name: &str, families: &str, train: &[&str]| {
        let dir = tmp.path().join(name);
        ok(bin()
            .args(["frontier", "plan", "--out"])
            .arg(&dir)
            .args(["--seeds", "3", "--families", families])
            .args(["--exact-a-bits", "8", "--exact-w-bits", "8"])
            .args(["--sieve-w-bits", "8", "--ims", "0.3", "--targets", "0.8"])
            .args(["--", "--dataset", "iris", "--weight-scale", "mse"])
            .args(train)
            .output()
            .unwrap());
        ok(bin().args(["frontier", "run"]).arg(&dir).output().unwrap());
        dir
    };
    let exact = study("exact", "exact", &[]);
    // Learned thresholds pass through a study like any training flag.
    let learned = study(
        "learned",
        "sieve",
        &["--learn-thresholds", "--threshold-cost", "1"],
    );
    let out = ok(bin()
        .args(["frontier", "headline"])
        .arg(&exact)
        .arg(&learned)
        .output()
        .unwrap());
    let json: serde_json::Value = serde_json::from_str(&out[out.find('{').unwrap()..]).unwrap();
    let head = &json["headline"];
    assert!(out.starts_with("At "), "{out}");
    assert!(head["reference"].as_str().unwrap().contains("[exact]"));
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(learned.join("frontier.json")).unwrap())
            .unwrap();
    let group = &merged["groups"][0];
    let target = head["target"].as_f64().unwrap();
    if group["accuracy_mean"].as_f64().unwrap() >= target {
        let sieve = &head["sieve"];
        assert!(
            sieve["series"].as_str().unwrap().ends_with("[learned]"),
            "{head}"
        );
        assert_eq!(sieve["kept_terms"], group["kept_terms"]);
    } else {
        assert!(head["sieve"].is_null(), "{head}");
    }
    // A headline needs an 8-bit exact network.
    let out = bin()
        .args(["frontier", "headline"])
        .arg(&learned)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no 8-bit exact network"));
}

#[test]
fn bad_plans_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("study");
    let out = bin()
        .args(["frontier", "plan", "--out"])
        .arg(&dir)
        .args(["--", "--dataset", "iris", "--seed", "4"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--seed after `--` is set by each job"));
    assert!(!dir.exists());

    let out = plan(&dir, &["--ims", "1.5"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("acceptance rate 1.5 is outside (0, 1]"));

    ok(plan(&dir, &[]));
    // The same plan again is fine, and so is a larger one; one that drops
    // or changes jobs would orphan them.
    ok(plan(&dir, &[]));
    ok(plan(&dir, &["--seeds", "3,4"]));
    assert_eq!(read_plan(&dir).unwrap().jobs.len(), 4);
    let dropping = bin()
        .args(["frontier", "plan", "--out"])
        .arg(&dir)
        .args(["--seeds", "4", "--", "--dataset", "iris"])
        .output()
        .unwrap();
    for out in [dropping, plan(&dir, &["--post-ims", "0.5"])] {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("does not extend"));
    }

    let out = bin()
        .args(["frontier", "run"])
        .arg(&dir)
        .args(["--job", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no job named nope"));
    let out = bin()
        .args(["frontier", "merge"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no job of"));
}

/// The committed studies (`scripts/frontier-mnist*.sh`): each one's tables
/// are the merge of its committed job points, every job names the clean
/// commit it ran at and its versions, and none is missing.
#[test]
fn the_shipped_frontiers_are_the_merge_of_their_points() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/frontier");
    let mut studies = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let record = entry.unwrap().path();
        if record.is_dir() {
            check_shipped_study(&record);
            studies += 1;
        }
    }
    assert!(studies >= 1, "no study in {}", root.display());
}

fn check_shipped_study(record: &Path) {
    let name = record.file_name().unwrap().to_string_lossy().into_owned();
    let plan = read_plan(record).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join(&name);
    std::fs::create_dir_all(copy.join("jobs")).unwrap();
    std::fs::copy(record.join("plan.json"), copy.join("plan.json")).unwrap();
    for job in &plan.jobs {
        let f = record.join("jobs").join(&job.name).join("points.json");
        let points = read_points(&f).unwrap();
        assert_eq!(points.args, job.args, "{name} {}", job.name);
        assert!(
            points.commit.len() >= 40 && !points.commit.ends_with("-modified"),
            "{name} {}: commit {:?}: a job's points must come from a committed tree (rerun it from one)",
            job.name,
            points.commit
        );
        assert!(
            points.versions["rustc"].is_string(),
            "{name} {}: versions",
            job.name
        );
        assert!(!points.points.is_empty(), "{name} {}", job.name);
        std::fs::create_dir_all(copy.join("jobs").join(&job.name)).unwrap();
        std::fs::copy(&f, copy.join("jobs").join(&job.name).join("points.json")).unwrap();
    }
    ok(bin()
        .args(["frontier", "merge"])
        .arg(&copy)
        .output()
        .unwrap());
    for f in ["frontier.csv", "frontier_points.csv", "frontier.md"] {
        assert_eq!(
            std::fs::read_to_string(copy.join(f)).unwrap(),
            std::fs::read_to_string(record.join(f)).unwrap(),
            "{name}: {f} is not the merge of the committed points: rerun its script"
        );
    }
}
