//! The external tools (Verilator, Icarus, Yosys, nextpnr, git): finding
//! them, saying how to install a missing one, running them with errors that
//! show the command and its output, and reading their versions for reports.
//! Both the simulation engines and the EDA flows use this module; it uses
//! nothing of the project above the standard library.
//!
//! * [`lint`]: the SPEC section 6 lint checks of an exported file.

pub mod lint;

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Command, Output};

/// How to install the EDA tools, quoted in every missing-tool error.
pub const INSTALL_HINT: &str =
    "run scripts/install-eda.sh (or: apt-get install verilator iverilog yosys nextpnr-ice40 fpga-icestorm)";

/// The flag that makes `tool` print its version.
fn version_flag(tool: &str) -> &'static str {
    match tool {
        "iverilog" | "vvp" | "yosys" => "-V",
        _ => "--version",
    }
}

/// Whether `tool` is installed: `tool -V` (or `--version`) can be started.
pub fn tool_available(tool: &str) -> bool {
    Command::new(tool).arg(version_flag(tool)).output().is_ok()
}

/// An error unless `tool` is installed; the message names it and says how to
/// install it.
pub fn require_tool(tool: &str, purpose: &str) -> Result<()> {
    if tool_available(tool) {
        Ok(())
    } else {
        bail!("{tool} is not installed (needed for {purpose}): {INSTALL_HINT}")
    }
}

/// The first non-empty line `tool` prints for its version flag, or an error
/// naming the missing tool and how to install it.
pub fn tool_version(tool: &str, purpose: &str) -> Result<String> {
    require_tool(tool, purpose)?;
    let out = Command::new(tool).arg(version_flag(tool)).output()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    Ok(text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string())
}

/// The command line of `cmd`, for error messages.
pub fn command_text(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Runs `cmd`; an error (with the command and its whole output) unless it
/// started and exited with success.
pub fn run_checked(cmd: &mut Command, what: &str) -> Result<Output> {
    let text = command_text(cmd);
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {what} ({text}): {INSTALL_HINT}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {text}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

/// Runs `cmd`, writes its output to `log`, and returns it; on failure the
/// error names the log and quotes its last lines.
pub fn run_logged(cmd: &mut Command, what: &str, log: &Path) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {what}: {INSTALL_HINT}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "{what} failed ({}), log {}:\n{}",
            out.status,
            log.display(),
            tail.join("\n")
        );
    }
    Ok(text)
}

/// The commit of the source tree this program was run from, with
/// `-modified` when the tree has uncommitted changes to tracked files
/// outside `reports/`, or `unknown` outside a git checkout. Reports record
/// it. `reports/` holds the tools' own records: a study that copies one in
/// has not changed the code the next job runs.
pub fn source_commit() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .current_dir(dir)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    match git(&["rev-parse", "HEAD"]) {
        Some(sha) if !sha.is_empty() => {
            let dirty = git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)reports",
            ])
            .map(|s| !s.is_empty())
            .unwrap_or(false);
            if dirty {
                format!("{sha}-modified")
            } else {
                sha
            }
        }
        _ => "unknown".to_string(),
    }
}

/// Quotes a path for a Yosys script.
pub fn yosys_quote(path: &str) -> String {
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}
