//! `sievingnet dot` and `sievingnet export` on real files (SPEC sections 6, 7):
//! good input, and every kind of bad input (message names the line, non-zero
//! exit, nothing on stdout).

use assert_cmd::Command;
use std::path::Path;

fn sievingnet() -> Command {
    Command::cargo_bin("sievingnet").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn dot_model_prints_one_json_line_per_vector() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "in.txt",
        "# a,w,thr,last\n5,3,3,0\n\n-128,-128,0,1\n0,7,2,1\n",
    );
    let out = sievingnet()
        .args(["dot", "--input"])
        .arg(&input)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // 5*3 with T=3 ternary: 3 = 4 - 1, plane 0 sieved (2+0<3): 20; then 16384.
    assert_eq!(
        stdout,
        "{\"sum\":16404,\"overflow\":false,\"zero_a\":0,\"zero_w\":15,\"sieved\":1,\"kept\":2}\n\
         {\"sum\":0,\"overflow\":false,\"zero_a\":9,\"zero_w\":0,\"sieved\":0,\"kept\":0}\n"
    );
    let out = sievingnet()
        .args(["dot", "--coding", "binary", "--input"])
        .arg(&input)
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // Binary: 3 = planes 0 and 1; plane 0 sieved: 10 + 16384.
    assert!(stdout.starts_with("{\"sum\":16394,"), "{stdout}");
}

fn assert_fails(args: &[&str], input_text: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.txt", input_text);
    let out = sievingnet()
        .args(args)
        .arg("--input")
        .arg(&input)
        .assert()
        .failure();
    let o = out.get_output();
    assert!(o.stdout.is_empty(), "stdout must be empty on error");
    let stderr = String::from_utf8(o.stderr.clone()).unwrap();
    assert!(
        stderr.contains(needle),
        "stderr {stderr:?} lacks {needle:?}"
    );
}

#[test]
fn dot_rejects_bad_input_naming_the_line() {
    let dot = ["dot"];
    assert_fails(
        &dot,
        "1,2,3,1\n128,1,0,1\n",
        "line 2: a = 128 is out of range for a_bits = 8: allowed -128..=127",
    );
    assert_fails(
        &dot,
        "1,-129,3,1\n",
        "line 1: w = -129 is out of range for w_bits = 8",
    );
    assert_fails(
        &dot,
        "1,1,200,1\n",
        "line 1: thr = 200 is out of range for t_bits = 8",
    );
    assert_fails(
        &dot,
        "#x\n1,2,3\n",
        "line 2: expected 4 comma-separated fields",
    );
    assert_fails(
        &dot,
        "1,2,three,1\n",
        "line 1: thr = \"three\" is not a decimal integer",
    );
    assert_fails(&dot, "1,2,3,5\n", "line 1: last = \"5\" must be 0 or 1");
    assert_fails(
        &dot,
        "1,2,3,1\n4,5,6,0\n7,8,9,0\n",
        "line 2: the vector starting here has no pair with last = 1",
    );
    assert_fails(
        &["dot", "--a-bits", "4"],
        "8,1,1,1\n",
        "line 1: a = 8 is out of range for a_bits = 4: allowed -8..=7",
    );
}

#[test]
fn dot_rejects_bad_configurations_and_missing_files() {
    assert_fails(
        &["dot", "--a-bits", "17"],
        "1,1,1,1\n",
        "a_bits = 17 is out of range: allowed 2..=16",
    );
    assert_fails(
        &["dot", "--acc-bits", "10"],
        "1,1,1,1\n",
        "acc_bits = 10 is out of range: allowed 17..=64",
    );
    assert_fails(
        &["dot", "--cnt-bits", "65"],
        "1,1,1,1\n",
        "cnt_bits = 65 is out of range: allowed 8..=64",
    );
    // A legal configuration the RTL does not build: the model runs it, rtl refuses.
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.txt", "1,1,1,1\n");
    sievingnet()
        .args(["dot", "--a-bits", "5", "--input"])
        .arg(&input)
        .assert()
        .success();
    assert_fails(
        &["dot", "--a-bits", "5", "--engine", "rtl"],
        "1,1,1,1\n",
        "the RTL does not build a_bits = 5",
    );
    let out = sievingnet()
        .args(["dot", "--input", "/nonexistent/pairs.txt"])
        .assert()
        .failure();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("cannot read input file /nonexistent/pairs.txt"),
        "{stderr}"
    );
}

#[test]
fn dot_rtl_engine_prints_what_the_model_prints() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..500i64 {
        text.push_str(&format!(
            "{},{},{},{}\n",
            (i * 37) % 256 - 128,
            (i * 91) % 256 - 128,
            i % 13 - 2,
            (i % 7 == 6) as u8
        ));
    }
    text.push_str("1,1,1,1\n");
    let input = write(dir.path(), "in.txt", &text);
    for extra in [
        &[][..],
        &["--coding", "binary"][..],
        &["--acc-bits", "17", "--cnt-bits", "8"][..],
    ] {
        let model = sievingnet()
            .args(["dot"])
            .args(extra)
            .arg("--input")
            .arg(&input)
            .assert()
            .success();
        let rtl = sievingnet()
            .args(["dot", "--engine", "rtl"])
            .args(extra)
            .arg("--input")
            .arg(&input)
            .assert()
            .success();
        assert_eq!(model.get_output().stdout, rtl.get_output().stdout);
        assert_eq!(
            String::from_utf8_lossy(&model.get_output().stdout)
                .lines()
                .count(),
            72
        );
    }
}

#[test]
fn export_writes_verilog_and_manifest_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("unit.v");
    sievingnet()
        .args([
            "export", "--a-bits", "4", "--w-bits", "16", "--coding", "binary", "--top", "my_sieve",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v = std::fs::read_to_string(&out).unwrap();
    assert!(v.contains("module my_sieve(clock,reset,in_valid,in_ready,in_a,in_w,in_thr,in_last,out_valid,out_sum,out_overflow,out_zero_a,out_zero_w,out_sieved,out_kept);"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("unit.json")).unwrap())
            .unwrap();
    assert_eq!(m["latency"], 8);
    assert_eq!(m["arch"], "parallel");
    assert_eq!(m["coding"], "binary");
    assert_eq!(m["top"], "my_sieve");
    // Bad requests write nothing.
    for (args, needle) in [
        (&["--arch", "mac", "--baseline"][..], "cannot be used with"),
        (&["--a-bits", "6"][..], "the RTL does not build a_bits = 6"),
        (&["--top", "9bad"][..], "is not a plain Verilog module name"),
        // Issue 9, fault 2: keywords made files that Icarus and Verilator reject.
        (&["--top", "module"][..], "is a Verilog keyword"),
        (&["--top", "logic"][..], "is a Verilog keyword"),
    ] {
        let bad = dir.path().join("bad.v");
        let o = sievingnet()
            .arg("export")
            .args(args)
            .arg("--out")
            .arg(&bad)
            .assert()
            .failure();
        let stderr = String::from_utf8(o.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(needle), "{stderr}");
        assert!(!bad.exists() && !dir.path().join("bad.json").exists());
    }
    let o = sievingnet()
        .args(["export", "--out"])
        .arg(dir.path().join("x.txt"))
        .assert()
        .failure();
    assert!(String::from_utf8_lossy(&o.get_output().stderr).contains("must end in .v"));
    let o = sievingnet()
        .args(["export", "--out", "/nonexistent/dir/x.v"])
        .assert()
        .failure();
    assert!(String::from_utf8_lossy(&o.get_output().stderr).contains("does not exist"));
}

/// A folder holding symlinks to just these tools, for a PATH without the
/// others (to see the error a missing tool gives).
fn path_with_only(tools: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for t in tools {
        let real = ["/usr/bin", "/usr/local/bin", "/bin"]
            .iter()
            .map(|d| Path::new(d).join(t))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{t} is not installed: run scripts/install-eda.sh"));
        std::os::unix::fs::symlink(real, dir.path().join(t)).unwrap();
    }
    dir
}

/// Issue 9, fault 11: Verilator without make names make and how to install it.
#[test]
fn verilator_without_make_says_how_to_install_it() {
    let path = path_with_only(&["verilator", "perl"]);
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.txt", "1,2,0,1\n");
    let o = sievingnet()
        .env("PATH", path.path())
        .env("SIEVINGNET_SIM_CACHE", cache.path())
        .env("SIEVINGNET_SIMULATOR", "verilator")
        .args(["dot", "--engine", "verilog", "--input"])
        .arg(&input)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(stderr.contains("make is not installed"), "{stderr}");
    assert!(stderr.contains("apt-get install make g++"), "{stderr}");
}

/// Issue 9, fault 6: `area --devices none` needs Yosys only.
#[test]
fn area_without_devices_needs_no_nextpnr() {
    // Debian's Yosys runs ABC as berkeley-abc.
    let path = path_with_only(&["yosys", "berkeley-abc"]);
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("unit.v");
    sievingnet()
        .args(["export", "--preset", "a4w4", "--arch", "mac", "--out"])
        .arg(&unit)
        .assert()
        .success();
    let out = dir.path().join("report");
    let o = sievingnet()
        .env("PATH", path.path())
        .args(["area", "--devices", "none", "--seeds", "1", "--verilog"])
        .arg(&unit)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&o.get_output().stdout).into_owned();
    assert!(stdout.contains("| unit | 4x4 |"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("area.json")).unwrap()).unwrap();
    assert_eq!(json["nextpnr_version"], "not run (no devices)");
    // With a device, the missing nextpnr is named with the way out.
    let o = sievingnet()
        .env("PATH", path.path())
        .args(["area", "--devices", "hx8k", "--seeds", "1", "--verilog"])
        .arg(&unit)
        .arg("--out")
        .arg(dir.path().join("r2"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert!(
        stderr.contains("nextpnr-ice40 is not installed"),
        "{stderr}"
    );
    assert!(stderr.contains("or pass --devices none"), "{stderr}");
}

/// Issue 9, fault 9: a manifest path that is a folder fails before anything
/// is written, naming it once, and an older export stays as it was.
#[test]
fn export_onto_a_manifest_folder_keeps_the_old_files() {
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("unit.v");
    std::fs::write(&v, "// an older export\n").unwrap();
    std::fs::create_dir(dir.path().join("unit.json")).unwrap();
    let o = sievingnet()
        .args(["export", "--out"])
        .arg(&v)
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&o.get_output().stderr).into_owned();
    assert_eq!(stderr.matches("is a directory").count(), 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&v).unwrap(), "// an older export\n");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no temporary file is left");
}

/// `power-mlp` refuses what it cannot run, names the problem, and writes
/// nothing.
#[test]
fn power_mlp_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let rom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let cases: [(Vec<&str>, &str); 5] = [
        (vec!["--samples", "0"], "--samples 0"),
        (vec!["--lanes", "0"], "lanes"),
        (vec!["--lanes", "4,33"], "--lanes 33 cannot be built"),
        (vec!["--lanes", "4,4"], "--lanes has 2 numbers for 1 --rom"),
        (vec!["--arch", "dsp"], "invalid value 'dsp'"),
    ];
    for (args, says) in cases {
        let a = sievingnet()
            .args(["power-mlp", "--rom"])
            .arg(&rom)
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .failure();
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    let a = sievingnet()
        .args(["power-mlp", "--rom"])
        .arg(dir.path().join("missing"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("missing"), "{err}");
    assert!(!out.exists());
}
