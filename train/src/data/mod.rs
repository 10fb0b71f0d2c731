//! Data sets: MNIST from IDX files (plain or gzip), Iris and the 8x8 digits
//! from CSV (the latter two shipped in `train/data`).
//!
//! Every loader checks what it reads and names the file, the problem and the
//! fix: bad magic numbers, inconsistent sizes, truncated files, malformed CSV
//! fields and classes out of range.

use anyhow::{anyhow, bail, Context, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Samples with raw (not yet normalized) features.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Features per sample.
    pub features: usize,
    /// Number of classes; every label is below it.
    pub classes: usize,
    /// Sample-major features, `len() == labels.len() * features`.
    pub x: Vec<f32>,
    pub labels: Vec<u8>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.features..(i + 1) * self.features]
    }
    /// The samples at `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(idx.len() * self.features);
        for &i in idx {
            x.extend_from_slice(self.row(i));
        }
        Dataset {
            features: self.features,
            classes: self.classes,
            x,
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }
}

/// A training and a test set.
#[derive(Clone, Debug)]
pub struct Split {
    pub name: String,
    pub train: Dataset,
    pub test: Dataset,
}

impl Split {
    /// An error unless both parts hold samples (an empty split would train
    /// on nothing or report an accuracy of nothing).
    pub fn check_not_empty(self) -> Result<Split> {
        for (part, d) in [("training", &self.train), ("test", &self.test)] {
            if d.labels.is_empty() {
                bail!(
                    "the {} {part} set holds no samples: check the data files (a truncated \
                     download?) and fetch them again",
                    self.name
                );
            }
        }
        Ok(self)
    }
}

/// Reads a whole file, gunzipping it when its content is gzip (by its magic
/// bytes, whatever its name), so every data set may be stored plain or
/// compressed.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| {
                anyhow!(
                    "{}: not a valid gzip file ({e}): the download may be truncated; fetch it \
                     again, or store it uncompressed (plain and gzip files are both read)",
                    path.display()
                )
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// `dir/name`, or `dir/name.gz` when only that exists.
fn find_data_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let plain = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    if plain.exists() {
        Ok(plain)
    } else if gz.exists() {
        Ok(gz)
    } else {
        bail!(
            "{}: no {name} or {name}.gz (plain or gzip): restore the file or point --data-dir \
             at the folder that holds it",
            dir.display()
        )
    }
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses IDX images (magic 0x00000803): returns (count, rows, cols, pixels).
pub fn parse_idx_images(bytes: &[u8], name: &str) -> Result<(usize, usize, usize, Vec<u8>)> {
    if bytes.len() < 16 {
        bail!(
            "{name}: {} bytes is too short for an IDX image header (16 bytes): the file is truncated; \
             fetch it again",
            bytes.len()
        );
    }
    let magic = be_u32(bytes, 0);
    if magic != 0x0803 {
        bail!(
            "{name}: bad magic 0x{magic:08x}, expected 0x00000803 (IDX unsigned-byte images): \
             is this an images file (labels files have 0x00000801)?"
        );
    }
    let (n, rows, cols) = (
        be_u32(bytes, 4) as usize,
        be_u32(bytes, 8) as usize,
        be_u32(bytes, 12) as usize,
    );
    let want = n
        .checked_mul(rows)
        .and_then(|v| v.checked_mul(cols))
        .and_then(|v| v.checked_add(16))
        .ok_or_else(|| {
            anyhow!("{name}: the header promises {n} images of {rows}x{cols}, which is impossibly large: the header is corrupt; fetch the file again")
        })?;
    if bytes.len() < want {
        bail!(
            "{name}: truncated: the header promises {n} images of {rows}x{cols} ({want} bytes) but the \
             file has {} bytes; fetch it again",
            bytes.len()
        );
    }
    if bytes.len() > want {
        bail!(
            "{name}: {} bytes, but the header promises {n} images of {rows}x{cols} ({want} bytes): \
             the header and the data disagree; fetch the file again",
            bytes.len()
        );
    }
    Ok((n, rows, cols, bytes[16..].to_vec()))
}

/// Parses IDX labels (magic 0x00000801).
pub fn parse_idx_labels(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    if bytes.len() < 8 {
        bail!(
            "{name}: {} bytes is too short for an IDX label header (8 bytes): the file is truncated; \
             fetch it again",
            bytes.len()
        );
    }
    let magic = be_u32(bytes, 0);
    if magic != 0x0801 {
        bail!(
            "{name}: bad magic 0x{magic:08x}, expected 0x00000801 (IDX unsigned-byte labels): \
             is this a labels file (images files have 0x00000803)?"
        );
    }
    let n = be_u32(bytes, 4) as usize;
    if bytes.len() != 8 + n {
        bail!(
            "{name}: the header promises {n} labels ({} bytes) but the file has {} bytes: {}; fetch it again",
            8 + n,
            bytes.len(),
            if bytes.len() < 8 + n { "truncated" } else { "trailing data" }
        );
    }
    Ok(bytes[8..].to_vec())
}

/// Finds `stem` or `stem.gz` in `dir`.
fn find_idx(dir: &Path, stem: &str) -> Result<PathBuf> {
    for cand in [dir.join(stem), dir.join(format!("{stem}.gz"))] {
        if cand.exists() {
            return Ok(cand);
        }
    }
    // Some mirrors use a dot instead of a dash before "idx".
    let dotted = stem.replacen("-idx", ".idx", 1);
    for cand in [dir.join(&dotted), dir.join(format!("{dotted}.gz"))] {
        if cand.exists() {
            return Ok(cand);
        }
    }
    bail!(
        "{}: no {stem} or {stem}.gz: --data-dir must be the folder holding the four MNIST IDX files \
         (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, \
         t10k-labels-idx1-ubyte, plain or .gz)",
        dir.display()
    )
}

fn load_idx_pair(dir: &Path, images: &str, labels: &str) -> Result<Dataset> {
    let ip = find_idx(dir, images)?;
    let lp = find_idx(dir, labels)?;
    let (n, rows, cols, px) = parse_idx_images(&read_maybe_gz(&ip)?, &ip.display().to_string())?;
    let lab = parse_idx_labels(&read_maybe_gz(&lp)?, &lp.display().to_string())?;
    if lab.len() != n {
        bail!(
            "{} holds {n} images but {} holds {} labels: they must come from the same set",
            ip.display(),
            lp.display(),
            lab.len()
        );
    }
    if let Some((i, &c)) = lab.iter().enumerate().find(|(_, &c)| c > 9) {
        bail!(
            "{}: label {i} is {c}, MNIST classes are 0..=9",
            lp.display()
        );
    }
    Ok(Dataset {
        features: rows * cols,
        classes: 10,
        x: px.iter().map(|&p| p as f32).collect(),
        labels: lab,
    })
}

/// MNIST from `dir` (60,000 training and 10,000 test images, pixels 0..255).
pub fn load_mnist(dir: &Path) -> Result<Split> {
    let train = load_idx_pair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte")?;
    let test = load_idx_pair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")?;
    if train.features != test.features {
        bail!(
            "{}: training images have {} pixels, test images {}: both must be 28x28",
            dir.display(),
            train.features,
            test.features
        );
    }
    Split {
        name: "mnist".into(),
        train,
        test,
    }
    .check_not_empty()
}

/// Parses CSV rows of `features` numbers followed by an integer class.
fn parse_csv_rows(
    text: &str,
    name: &str,
    skip: usize,
    features: usize,
    classes: usize,
) -> Result<Dataset> {
    let mut x = Vec::new();
    let mut labels = Vec::new();
    for (n, line) in text.lines().enumerate().skip(skip) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != features + 1 {
            bail!(
                "{name} line {}: {} fields, expected {} ({features} features then the class)",
                n + 1,
                fields.len(),
                features + 1
            );
        }
        for f in &fields[..features] {
            let v: f32 = f
                .parse()
                .map_err(|_| anyhow!("{name} line {}: {f:?} is not a number", n + 1))?;
            if !v.is_finite() {
                bail!("{name} line {}: {f:?} is not a finite number", n + 1);
            }
            x.push(v);
        }
        let c: usize = fields[features].parse().map_err(|_| {
            anyhow!(
                "{name} line {}: class {:?} is not an integer",
                n + 1,
                fields[features]
            )
        })?;
        if c >= classes {
            bail!(
                "{name} line {}: class {c} is out of range 0..={}",
                n + 1,
                classes - 1
            );
        }
        labels.push(c as u8);
    }
    if labels.is_empty() {
        bail!("{name}: no samples");
    }
    Ok(Dataset {
        features,
        classes,
        x,
        labels,
    })
}

/// Iris CSV: header `count,features,name0,name1,...`, then rows.
pub fn parse_iris(text: &str, name: &str) -> Result<Dataset> {
    let header: Vec<&str> = text.lines().next().unwrap_or("").split(',').collect();
    let bad = || {
        anyhow!(
            "{name} line 1: expected the header `count,features,class names...` \
             (e.g. 150,4,setosa,versicolor,virginica)"
        )
    };
    if header.len() < 3 {
        return Err(bad());
    }
    let count: usize = header[0].trim().parse().map_err(|_| bad())?;
    let features: usize = header[1].trim().parse().map_err(|_| bad())?;
    let classes = header.len() - 2;
    let d = parse_csv_rows(text, name, 1, features, classes)?;
    if d.len() != count {
        bail!(
            "{name}: the header promises {count} samples but the file has {}: truncated?",
            d.len()
        );
    }
    Ok(d)
}

/// The 8x8 digits: 64 pixels (0..16) then the class, no header.
pub fn parse_digits(text: &str, name: &str) -> Result<Dataset> {
    parse_csv_rows(text, name, 0, 64, 10)
}

/// A seeded, stratified split: `test_fraction` of each class goes to the test set.
pub fn stratified_split(name: &str, d: &Dataset, test_fraction: f64, seed: u64) -> Split {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train_idx = Vec::new();
    let mut test_idx = Vec::new();
    for c in 0..d.classes {
        let mut idx: Vec<usize> = (0..d.len())
            .filter(|&i| d.labels[i] as usize == c)
            .collect();
        idx.shuffle(&mut rng);
        let k = (idx.len() as f64 * test_fraction).round() as usize;
        test_idx.extend_from_slice(&idx[..k]);
        train_idx.extend_from_slice(&idx[k..]);
    }
    train_idx.sort_unstable();
    test_idx.sort_unstable();
    Split {
        name: name.into(),
        train: d.subset(&train_idx),
        test: d.subset(&test_idx),
    }
}

/// Fold `fold` (0-based) of a stratified `folds`-fold partition of `d` as
/// the test set, the other folds as training. The partition is fixed by
/// `partition_seed` alone, so the folds of one partition are disjoint and
/// together test every sample exactly once.
pub fn kfold_split(
    name: &str,
    d: &Dataset,
    folds: usize,
    fold: usize,
    partition_seed: u64,
) -> Split {
    assert!(fold < folds, "fold = {fold} must be below folds = {folds}");
    let mut rng = ChaCha8Rng::seed_from_u64(partition_seed);
    let mut train_idx = Vec::new();
    let mut test_idx = Vec::new();
    for c in 0..d.classes {
        let mut idx: Vec<usize> = (0..d.len())
            .filter(|&i| d.labels[i] as usize == c)
            .collect();
        idx.shuffle(&mut rng);
        for (r, &i) in idx.iter().enumerate() {
            if r % folds == fold {
                test_idx.push(i);
            } else {
                train_idx.push(i);
            }
        }
    }
    train_idx.sort_unstable();
    test_idx.sort_unstable();
    Split {
        name: name.into(),
        train: d.subset(&train_idx),
        test: d.subset(&test_idx),
    }
}

/// The Iris test fold of a seed: seeds 1 to 5 are folds 1 to 5 of one
/// stratified 5-fold partition (then it repeats), so the mean over seeds
/// 1-5 tests each of the 150 samples exactly once. With 30 test samples a
/// single split moves by 3.3 points per sample; independent random splits
/// test some samples several times and others never.
pub const IRIS_FOLDS: usize = 5;

/// The folder of the shipped data (`train/data`).
pub fn shipped_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Iris from `dir/iris.csv` (or `iris.csv.gz`), split 80/20 per class: the
/// test set is fold `(seed - 1) mod 5` of a fixed stratified 5-fold
/// partition (see [`IRIS_FOLDS`]).
pub fn load_iris(dir: &Path, seed: u64) -> Result<Split> {
    let p = find_data_file(dir, "iris.csv")?;
    let text = String::from_utf8(read_maybe_gz(&p)?)
        .with_context(|| format!("{}: not UTF-8 text", p.display()))?;
    let fold = (seed.wrapping_sub(1) % IRIS_FOLDS as u64) as usize;
    kfold_split(
        "iris",
        &parse_iris(&text, &p.display().to_string())?,
        IRIS_FOLDS,
        fold,
        0,
    )
    .check_not_empty()
}

/// The 8x8 digits from `dir/digits.csv` (or `digits.csv.gz`), split 80/20
/// per class with `seed`.
pub fn load_digits(dir: &Path, seed: u64) -> Result<Split> {
    let p = find_data_file(dir, "digits.csv")?;
    let text = String::from_utf8(read_maybe_gz(&p)?)
        .with_context(|| format!("{}: not UTF-8 text", p.display()))?;
    stratified_split(
        "digits",
        &parse_digits(&text, &p.display().to_string())?,
        0.2,
        seed,
    )
    .check_not_empty()
}

/// How raw features become the network's float inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalize {
    /// Divide by the largest raw value of the training set: zeros stay zero
    /// (which keeps the `zero_a` savings of blank pixels).
    Max,
    /// Per feature: subtract the training mean, divide by the training std.
    Zscore,
    /// Use the raw values.
    None,
}

/// A per-feature affine map `x' = (x - offset) * scale`, fitted on training data.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Normalizer {
    pub kind: Normalize,
    pub offset: Vec<f32>,
    pub scale: Vec<f32>,
}

impl Normalizer {
    pub fn fit(kind: Normalize, d: &Dataset) -> Normalizer {
        let f = d.features;
        let n = d.len().max(1) as f64;
        match kind {
            Normalize::None => Normalizer {
                kind,
                offset: vec![0.0; f],
                scale: vec![1.0; f],
            },
            Normalize::Max => {
                let m = d.x.iter().fold(0f32, |m, &v| m.max(v.abs()));
                let s = if m > 0.0 { 1.0 / m } else { 1.0 };
                Normalizer {
                    kind,
                    offset: vec![0.0; f],
                    scale: vec![s; f],
                }
            }
            Normalize::Zscore => {
                let mut mean = vec![0f64; f];
                let mut sq = vec![0f64; f];
                for r in 0..d.len() {
                    for (k, &v) in d.row(r).iter().enumerate() {
                        mean[k] += v as f64;
                        sq[k] += v as f64 * v as f64;
                    }
                }
                let offset: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
                let scale = (0..f)
                    .map(|k| {
                        let var = sq[k] / n - (mean[k] / n).powi(2);
                        if var > 1e-12 {
                            (1.0 / var.sqrt()) as f32
                        } else {
                            1.0
                        }
                    })
                    .collect();
                Normalizer {
                    kind,
                    offset,
                    scale,
                }
            }
        }
    }

    pub fn apply(&self, d: &Dataset) -> Dataset {
        let mut out = d.clone();
        for r in 0..d.len() {
            for k in 0..d.features {
                let v = &mut out.x[r * d.features + k];
                *v = (*v - self.offset[k]) * self.scale[k];
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
