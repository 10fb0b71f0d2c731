//! The SPEC section 6 lint checks of an exported Verilog file.

use super::{require_tool, yosys_quote};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Command, Output};

/// The SPEC section 6 lint checks of `path` with top module `top`:
/// `verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-WIDTH`,
/// `iverilog -g2005` and Yosys `synth_ice40`. Fails on any warning or error,
/// with the tool's output in the message.
pub fn lint_verilog(path: &Path, top: &str) -> Result<()> {
    if !path.is_file() {
        bail!("the Verilog file {} does not exist", path.display());
    }
    if top.is_empty() || !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("top = {top:?} is not a Verilog module name: use letters, digits and '_'");
    }
    for tool in ["verilator", "iverilog", "yosys"] {
        require_tool(tool, "the Verilog lint checks")?;
    }
    let file = path.to_string_lossy().into_owned();
    let verilator = Command::new("verilator")
        .args([
            "--lint-only",
            "-Wall",
            "-Wno-DECLFILENAME",
            "-Wno-WIDTH",
            "--top-module",
            top,
            &file,
        ])
        .output()?;
    check_clean(
        "verilator --lint-only -Wall -Wno-DECLFILENAME -Wno-WIDTH",
        &verilator,
        &file,
    )?;

    let work = tempfile::tempdir().context("cannot create a temporary directory")?;
    let iverilog = Command::new("iverilog")
        .args(["-g2005", "-s", top, "-o"])
        .arg(work.path().join("lint.vvp"))
        .arg(&file)
        .output()?;
    check_clean("iverilog -g2005", &iverilog, &file)?;

    let script = format!(
        "read_verilog {}; synth_ice40 -top {top}",
        yosys_quote(&file)
    );
    let yosys = Command::new("yosys").args(["-q", "-p", &script]).output()?;
    check_clean(&format!("yosys -p \"{script}\""), &yosys, &file)?;
    let log = String::from_utf8_lossy(&yosys.stdout).into_owned()
        + &String::from_utf8_lossy(&yosys.stderr);
    if log.contains("Warning") || log.contains("ERROR") {
        bail!("yosys synth_ice40 reported problems in {file}:\n{log}");
    }
    Ok(())
}

fn check_clean(what: &str, out: &Output, file: &str) -> Result<()> {
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !text.trim().is_empty() {
        bail!(
            "{what} does not pass on {file} ({}):\n{}",
            if out.status.success() {
                "warnings".to_string()
            } else {
                out.status.to_string()
            },
            text.trim_end()
        );
    }
    Ok(())
}
