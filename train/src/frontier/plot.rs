//! The frontier figure: accuracy against kept digit-terms per inference
//! (log scale), one panel per activation width, one colour per family and
//! coding, the spread over seeds as a bar, each series' Pareto front as a
//! line.

use super::merge::Group;
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use std::path::Path;

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("plotting failed: {e:?}")
}

const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// How far below the best mean accuracy the figure reaches; settings below
/// it are in the CSV but not drawn.
const SPAN: f64 = 0.08;

/// Two panels, one per activation width (8 bits above); within a panel one
/// colour per family and coding.
pub fn frontier(path: &Path, groups: &[Group]) -> Result<()> {
    let mut widths: Vec<u32> = groups.iter().map(|g| g.a_bits).collect();
    widths.sort_unstable_by(|a, b| b.cmp(a));
    widths.dedup();
    let root = SVGBackend::new(path, (1000, 560 * widths.len().max(1) as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let panels = root.split_evenly((widths.len().max(1), 1));
    let mut keys: Vec<String> = groups
        .iter()
        .map(|g| format!("{} {}", g.family, g.coding))
        .collect();
    keys.sort();
    keys.dedup();
    for (area, &a_bits) in panels.iter().zip(&widths) {
        let gs: Vec<&Group> = groups.iter().filter(|g| g.a_bits == a_bits).collect();
        panel(area, &gs, a_bits, &keys)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

fn panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    groups: &[&Group],
    a_bits: u32,
    keys: &[String],
) -> Result<()> {
    let best = groups.iter().map(|g| g.accuracy_mean).fold(0.0, f64::max);
    let lo = (best - SPAN).max(0.0);
    let shown: Vec<&Group> = groups
        .iter()
        .copied()
        .filter(|g| g.accuracy_mean >= lo && g.kept_terms > 0.0)
        .collect();
    let xmin = shown
        .iter()
        .map(|g| g.kept_terms)
        .fold(f64::INFINITY, f64::min);
    let xmax = shown.iter().map(|g| g.kept_terms).fold(0.0, f64::max);
    let (xmin, xmax) = if shown.is_empty() {
        (1.0, 10.0)
    } else {
        (xmin / 1.3, xmax * 1.3)
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{a_bits}-bit activations: accuracy against work (mean over seeds, bars min-max, lines Pareto fronts)"
            ),
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((xmin..xmax).log_scale(), lo..(best + 0.005).min(1.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("kept digit-terms per inference (log scale)")
        .y_desc("test accuracy")
        .x_labels(8)
        .x_label_formatter(&|x| {
            if *x >= 1000.0 {
                format!("{:.0}k", x / 1000.0)
            } else {
                format!("{x:.0}")
            }
        })
        .y_label_formatter(&|y| format!("{:.1}%", 100.0 * y))
        .draw()
        .map_err(err)?;
    for (i, key) in keys.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let gs: Vec<&&Group> = shown
            .iter()
            .filter(|g| format!("{} {}", g.family, g.coding) == *key)
            .collect();
        if gs.is_empty() {
            continue;
        }
        chart
            .draw_series(gs.iter().map(|g| {
                PathElement::new(
                    vec![
                        (g.kept_terms, g.accuracy_min.max(lo)),
                        (g.kept_terms, g.accuracy_max),
                    ],
                    c.mix(0.5),
                )
            }))
            .map_err(err)?;
        chart
            .draw_series(
                gs.iter()
                    .map(|g| Circle::new((g.kept_terms, g.accuracy_mean), 3, c.filled())),
            )
            .map_err(err)?;
        let front: Vec<(f64, f64)> = gs
            .iter()
            .filter(|g| g.front)
            .map(|g| (g.kept_terms, g.accuracy_mean))
            .collect();
        chart
            .draw_series(LineSeries::new(front, c.stroke_width(2)))
            .map_err(err)?
            .label(key.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}
