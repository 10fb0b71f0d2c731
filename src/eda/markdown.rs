//! The area report as markdown tables (`area.md`): cells and Fmax with
//! the ratios against the exact baseline, cells per block, critical paths.

use super::report::{AreaReport, Device, Placement};

fn fmt_fmax(p: Option<&Placement>) -> String {
    match p {
        None => "-".to_string(),
        Some(p) => match (p.median_fmax_mhz, &p.error) {
            (Some(m), _) => {
                let lo = p.fmax_mhz.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = p.fmax_mhz.iter().cloned().fold(0.0, f64::max);
                format!("{m:.1} ({lo:.1}-{hi:.1})")
            }
            (None, Some(e))
                if e.contains("Unable to place")
                    || e.contains("too many")
                    || e.contains("exceed") =>
            {
                "does not fit".to_string()
            }
            (None, _) => "failed".to_string(),
        },
    }
}

/// The report as a markdown table, with the ratios against the exact
/// baseline (`exact-mac`, no DSP) of the same width.
pub fn markdown(report: &AreaReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Yosys: {}; nextpnr: {}; placement seeds {:?}, target {} MHz; Fmax is the median over the \
         seeds (min-max in brackets), register to register in the timing wrapper.\n\n{}\n\n",
        report.yosys_version,
        report.nextpnr_version,
        report.seeds,
        report.target_mhz,
        report.meaning
    ));
    s.push_str(
        "| design | a x w | LUT4 | carry | DFF | DSP | generic gates | CMOS transistors | HX8K LCs (wrapped) | HX8K Fmax MHz | UP5K LCs (wrapped) | UP5K Fmax MHz | LUT4 / baseline | HX8K Fmax / baseline |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for d in &report.designs {
        let base = report.designs.iter().find(|b| {
            b.kind == "exact-mac"
                && !b.dsp
                && b.config.a_bits() == d.config.a_bits()
                && b.config.w_bits() == d.config.w_bits()
        });
        let hx = d.placement(Device::Hx8k);
        let up = d.placement(Device::Up5k);
        let lcs = |p: Option<&Placement>| {
            p.and_then(|p| p.logic_cells)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".to_string())
        };
        let lut_ratio = base
            .filter(|b| b.ice40.lut4 > 0)
            .map(|b| format!("{:.2}", d.ice40.lut4 as f64 / b.ice40.lut4 as f64))
            .unwrap_or_else(|| "-".to_string());
        let fmax_ratio = base
            .and_then(|b| b.placement(Device::Hx8k))
            .and_then(|b| b.median_fmax_mhz)
            .zip(hx.and_then(|p| p.median_fmax_mhz))
            .map(|(b, m)| format!("{:.2}", m / b))
            .unwrap_or_else(|| "-".to_string());
        s.push_str(&format!(
            "| {} | {}x{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            d.name,
            d.config.a_bits(),
            d.config.w_bits(),
            d.ice40.lut4,
            d.ice40.carry,
            d.ice40.dff,
            d.ice40.dsp,
            d.generic.gates,
            d.generic.cmos_transistors,
            lcs(hx),
            fmt_fmax(hx),
            lcs(up),
            fmt_fmax(up),
            lut_ratio,
            fmax_ratio
        ));
    }
    s
}

/// The block breakdown of every design that has one, as a markdown table
/// (LUT4 / carry / DFF per block).
pub fn markdown_blocks(report: &AreaReport) -> String {
    let mut names: Vec<String> = Vec::new();
    for d in &report.designs {
        for k in d.blocks.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    if names.is_empty() {
        return String::new();
    }
    names.sort_by_key(|n| (n == "registers", n == "top-level logic", n.clone()));
    let mut s = String::from(
        "Cells per block, `synth_ice40 -noflatten` (LUT4 / SB_CARRY / DFF; blocks are not optimized \
         across their boundaries, so they add up to more than the flattened unit):\n\n| design |",
    );
    for n in &names {
        s.push_str(&format!(" {n} |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(names.len()));
    s.push('\n');
    for d in report.designs.iter().filter(|d| !d.blocks.is_empty()) {
        s.push_str(&format!("| {} |", d.name));
        for n in &names {
            match d.blocks.get(n) {
                Some(b) => s.push_str(&format!(" {} / {} / {} |", b.lut4, b.carry, b.dff)),
                None => s.push_str(" - |"),
            }
        }
        s.push('\n');
    }
    s
}

/// The HX8K critical path of each design (first seed), as a markdown table.
pub fn markdown_critical_paths(report: &AreaReport) -> String {
    let mut s = String::from(
        "| design | HX8K critical path, first seed (nextpnr cell names) |\n|---|---|\n",
    );
    let mut any = false;
    for d in &report.designs {
        if let Some(cp) = d
            .placement(Device::Hx8k)
            .and_then(|p| p.critical_path.as_ref())
        {
            s.push_str(&format!("| {} | `{}` |\n", d.name, cp));
            any = true;
        }
    }
    if any {
        s
    } else {
        String::new()
    }
}
