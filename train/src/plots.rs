//! SVG figures (plotters, SVG backend only, no system fonts): exponent
//! histograms of every layer's inputs and weights, learning curves, the
//! partial products of each kind per layer, and savings against accuracy
//! over an `im` sweep for both codings.

use crate::train::EpochLog;
use anyhow::{anyhow, Result};
use plotters::prelude::*;
use sievingnet::model::exponent;
use std::path::Path;

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("plotting failed: {e:?}")
}

const COLORS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
];

/// Bars of `values` (fractions) labelled `zero, 0, 1, ...` on one area.
fn bars(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    values: &[f64],
) -> Result<()> {
    let ymax = values.iter().cloned().fold(0.0, f64::max).max(1e-9) * 1.1;
    let n = values.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(45)
        .build_cartesian_2d(-1.0f64..(n as f64 - 1.0), 0f64..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&|x| {
            let k = x.round() as i64;
            if (x - k as f64).abs() > 0.01 || k >= n as i64 - 1 {
                String::new()
            } else if k < 0 {
                "zero".into()
            } else {
                k.to_string()
            }
        })
        .x_desc("exponent")
        .y_desc("fraction")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(values.iter().enumerate().map(|(b, &v)| {
            let x = b as f64 - 1.0;
            Rectangle::new([(x - 0.4, 0.0), (x + 0.4, v)], COLORS[0].filled())
        }))
        .map_err(err)?;
    Ok(())
}

/// Exponent histograms: for each layer, its inputs (from the calibration
/// pass's exponent counts; `samples` samples) and its integer weights.
pub fn exponent_histograms(
    path: &Path,
    a_bits: u32,
    w_bits: u32,
    layers: &[(usize, &[u64], &[i64])],
    samples: u64,
) -> Result<()> {
    let rows = layers.len();
    let root = SVGBackend::new(path, (900, 280 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let cells = root.split_evenly((rows, 2));
    for (li, (inputs, stats, weights)) in layers.iter().enumerate() {
        let ne = a_bits as usize;
        let mut h = vec![0f64; ne + 1];
        let mut nonzero = 0u64;
        for e in 0..ne {
            let c: u64 = stats[e * inputs..(e + 1) * inputs].iter().sum();
            h[e + 1] = c as f64;
            nonzero += c;
        }
        let total = (samples * *inputs as u64).max(1) as f64;
        h[0] = total - nonzero as f64;
        h.iter_mut().for_each(|v| *v /= total);
        bars(&cells[2 * li], &format!("layer {li} inputs: e(a)"), &h)?;
        let mut hw = vec![0f64; w_bits as usize + 1];
        for &w in weights.iter() {
            match exponent(w) {
                None => hw[0] += 1.0,
                Some(e) => hw[e as usize + 1] += 1.0,
            }
        }
        let n = weights.len().max(1) as f64;
        hw.iter_mut().for_each(|v| *v /= n);
        bars(
            &cells[2 * li + 1],
            &format!("layer {li} weights: e(w)"),
            &hw,
        )?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Accuracies, sieved share and loss per epoch.
pub fn learning_curves(path: &Path, logs: &[EpochLog]) -> Result<()> {
    let root = SVGBackend::new(path, (900, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, bottom) = root.split_vertically(420);
    let n = logs.len().max(2) as f64;
    let lo = logs
        .iter()
        .flat_map(|l| [l.test_float_acc, l.test_exact_acc, l.test_sieved_acc])
        .fold(1.0, f64::min)
        .min(0.9);
    let mut chart = ChartBuilder::on(&top)
        .caption("test accuracy and sieved share", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(1f64..n, (lo - 0.02).max(0.0)..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("fraction")
        .draw()
        .map_err(err)?;
    type Getter = fn(&EpochLog) -> f64;
    let series: [(&str, Getter); 4] = [
        ("float", |l| l.test_float_acc),
        ("exact (integer)", |l| l.test_exact_acc),
        ("sieved (integer)", |l| l.test_sieved_acc),
        ("sieved share of terms", |l| l.total.sieved_share),
    ];
    for (k, (name, f)) in series.iter().enumerate() {
        let c = COLORS[k];
        chart
            .draw_series(LineSeries::new(
                logs.iter().map(|l| (l.epoch as f64, f(l))),
                c.stroke_width(2),
            ))
            .map_err(err)?
            .label(*name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    let lmax = logs
        .iter()
        .map(|l| l.train_loss)
        .fold(0.0, f64::max)
        .max(1e-6)
        * 1.05;
    let mut chart = ChartBuilder::on(&bottom)
        .caption("training loss", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(1f64..n, 0f64..lmax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("cross-entropy")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            logs.iter().map(|l| (l.epoch as f64, l.train_loss)),
            COLORS[1].stroke_width(2),
        ))
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// One point of an `im` sweep.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepPoint {
    /// `binary` or `ternary`, with ` running-sum` for the running-sum rule.
    pub coding: String,
    /// The acceptance rate (static thresholds) or `beta` (running-sum rule).
    pub im: f64,
    pub sieved_share: f64,
    pub exact_acc: f64,
    pub sieved_acc: f64,
}

/// Sieved accuracy against the sieved share of terms, one line per coding.
pub fn sweep(path: &Path, points: &[SweepPoint]) -> Result<()> {
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let lo = points.iter().map(|p| p.sieved_acc).fold(1.0, f64::min);
    let hi = points
        .iter()
        .map(|p| p.exact_acc.max(p.sieved_acc))
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .caption("savings against accuracy (im sweep)", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(0f64..1f64, (lo - 0.01).max(0.0)..(hi + 0.005).min(1.0))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("sieved / (sieved + kept)")
        .y_desc("test accuracy (integer, sieved)")
        .draw()
        .map_err(err)?;
    let mut codings: Vec<String> = points.iter().map(|p| p.coding.clone()).collect();
    codings.dedup();
    for (k, coding) in codings.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let mut pts: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| &p.coding == coding)
            .map(|p| (p.sieved_share, p.sieved_acc))
            .collect();
        pts.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        chart
            .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
            .map_err(err)?
            .label(coding.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, c.filled())))
            .map_err(err)?;
        if let Some(p) = points.iter().find(|p| &p.coding == coding) {
            let e = p.exact_acc;
            chart
                .draw_series(LineSeries::new(vec![(0.0, e), (1.0, e)], c.mix(0.4)))
                .map_err(err)?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// The partial products of each kind, per layer and over the network, on
/// the test set of the final network: saved because `a == 0`, because the
/// weight digit is zero, by the sieve, and kept (stacked to 1).
pub fn savings(path: &Path, log: &EpochLog) -> Result<()> {
    let mut rows: Vec<(String, [f64; 4])> = log
        .layers
        .iter()
        .enumerate()
        .map(|(li, c)| (format!("layer {li}"), kinds(c)))
        .collect();
    rows.push(("network".into(), kinds(&log.total)));
    // The top two rows stay empty for the legend.
    let root = SVGBackend::new(path, (720, 200 + 60 * rows.len() as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let n = rows.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "partial products by kind (test set, epoch {}, im {:.2})",
                log.epoch, log.im
            ),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..1f64, -0.5f64..(n + 1.5))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows.len() + 3)
        .y_label_formatter(&|y| {
            let k = y.round();
            if (y - k).abs() > 0.01 || k < 0.0 || k >= n {
                String::new()
            } else {
                rows[rows.len() - 1 - k as usize].0.clone()
            }
        })
        .x_desc("share of all partial products (inputs x outputs x planes)")
        .draw()
        .map_err(err)?;
    let names = ["a = 0", "weight digit 0", "sieved", "kept"];
    for (kind, name) in names.iter().enumerate() {
        let color = COLORS[kind];
        chart
            .draw_series(rows.iter().enumerate().map(|(r, (_, v))| {
                let y = (rows.len() - 1 - r) as f64;
                let x0: f64 = v[..kind].iter().sum();
                Rectangle::new([(x0, y - 0.35), (x0 + v[kind], y + 0.35)], color.filled())
            }))
            .map_err(err)?
            .label(name.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// `a = 0`, digit zero, sieved, kept: shares of all partial products.
fn kinds(c: &sievingnet::model::Cost) -> [f64; 4] {
    let kept = 1.0 - c.saved_zero_a - c.saved_zero_w - c.saved_sieved;
    [
        c.saved_zero_a,
        c.saved_zero_w,
        c.saved_sieved,
        kept.max(0.0),
    ]
}
