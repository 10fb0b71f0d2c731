//! The area report's plot: LUT4s of the unit alone and the median HX8K Fmax
//! against the operand width, one line per design series. Plain SVG text.

use super::report::{AreaReport, DesignReport, Device};
use std::collections::BTreeSet;
use std::fmt::Write;

const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
];

/// The series a design belongs to (its name without the width).
pub fn series(d: &DesignReport) -> String {
    let mut s = d.kind.clone();
    if d.kind.starts_with("sieve") {
        s.push_str(&format!(" {}", d.config.coding()));
    }
    if d.dsp {
        s.push_str(" (UP5K DSP)");
    }
    s
}

/// A round axis maximum at or above `v` (1, 2, 2.5 or 5 times a power of ten).
pub fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= v {
            return m * mag;
        }
    }
    10.0 * mag
}

/// `s` as SVG text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[allow(clippy::too_many_arguments)]
fn panel(
    svg: &mut String,
    x0: f64,
    title: &str,
    widths: &[u32],
    series: &[String],
    value: &dyn Fn(&str, u32) -> Option<f64>,
) {
    let (w, h, top, left, bottom) = (380.0, 260.0, 50.0, 60.0, 40.0);
    let plot_w = w - left - 20.0;
    let plot_h = h - bottom;
    let max = series
        .iter()
        .flat_map(|s| widths.iter().filter_map(move |&b| value(s, b)))
        .fold(0.0, f64::max);
    let ymax = nice_max(max * 1.05);
    let px = |i: usize| x0 + left + plot_w * (i as f64 + 0.5) / widths.len() as f64;
    let py = |v: f64| top + plot_h * (1.0 - v / ymax);
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="30" font-size="14" text-anchor="middle">{}</text>"#,
        x0 + left + plot_w / 2.0,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r##"<rect x="{:.1}" y="{top}" width="{plot_w:.1}" height="{plot_h:.1}" fill="none" stroke="#444"/>"##,
        x0 + left
    );
    for i in 0..=5 {
        let v = ymax * i as f64 / 5.0;
        let y = py(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            x0 + left,
            x0 + left + plot_w,
            x0 + left - 4.0,
            y + 4.0,
            v.round()
        );
    }
    for (i, b) in widths.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{b}x{b}</text>"#,
            px(i),
            top + plot_h + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">a_bits x w_bits</text>"#,
        x0 + left + plot_w / 2.0,
        top + plot_h + 32.0
    );
    for (k, s) in series.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let pts: Vec<(f64, f64)> = widths
            .iter()
            .enumerate()
            .filter_map(|(i, &b)| value(s, b).map(|v| (px(i), py(v))))
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                path.join(" ")
            );
        }
        for (x, y) in pts {
            let _ = writeln!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{color}"/>"#
            );
        }
    }
}

/// The SVG plot of a report.
pub fn area_svg(report: &AreaReport) -> String {
    let widths: Vec<u32> = report
        .designs
        .iter()
        .map(|d| d.config.a_bits())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut names: Vec<String> = Vec::new();
    for d in &report.designs {
        let s = series(d);
        if !names.contains(&s) {
            names.push(s);
        }
    }
    let find = |s: &str, b: u32| -> Option<&DesignReport> {
        report
            .designs
            .iter()
            .find(|d| series(d) == s && d.config.a_bits() == b)
    };
    let legend_h = 18.0 * names.len() as f64;
    let height = 360.0 + legend_h;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="780" height="{height:.0}" font-family="sans-serif">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    panel(
        &mut svg,
        0.0,
        "iCE40 LUT4s, unit alone (synth_ice40)",
        &widths,
        &names,
        &|s, b| find(s, b).map(|d| d.ice40.lut4 as f64),
    );
    panel(
        &mut svg,
        390.0,
        "HX8K Fmax, median of seeds (MHz)",
        &widths,
        &names,
        &|s, b| {
            find(s, b)
                .and_then(|d| d.placement(Device::Hx8k))
                .and_then(|p| p.median_fmax_mhz)
        },
    );
    for (k, s) in names.iter().enumerate() {
        let y = 340.0 + 18.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="70" y="{:.1}" width="14" height="4" fill="{}"/><text x="90" y="{:.1}" font-size="12">{}</text>"#,
            y - 4.0,
            COLORS[k % COLORS.len()],
            y,
            escape(s)
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="390" y="{:.1}" font-size="10" fill="#555">FPGA estimates (Yosys {}, nextpnr-ice40), not chip area or power.</text>"##,
        340.0 + legend_h,
        escape(report.yosys_version.split_whitespace().nth(1).unwrap_or("")),
    );
    svg.push_str("</svg>\n");
    svg
}
