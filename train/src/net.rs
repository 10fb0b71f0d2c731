//! The float MLP: dense layers, ReLU, softmax cross-entropy, SGD with
//! momentum and Adam.
//!
//! Every dense product is one SGEMM from `matrixmultiply` (pure Rust, runtime
//! AVX2/FMA dispatch, its own threads with the `threading` feature): the
//! forward pass is `X W^T`, the backward pass `dZ^T X` and `dZ W`, with the
//! transposes expressed as strides so nothing is copied. That keeps an epoch
//! of 784-512-10 on MNIST to a few seconds on 2 cores without a system BLAS.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One dense layer: `z = x W^T + b`, `W` stored output-major (`out x in`).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub inputs: usize,
    pub outputs: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

/// A stack of dense layers, ReLU after every layer but the last.
#[derive(Clone, Debug, PartialEq)]
pub struct Net {
    pub layers: Vec<Layer>,
}

/// `C (m x n) = alpha * A (m x k) * B (k x n) + beta * C`, arbitrary strides.
#[allow(clippy::too_many_arguments)]
fn sgemm(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    rsa: isize,
    csa: isize,
    b: &[f32],
    rsb: isize,
    csb: isize,
    beta: f32,
    c: &mut [f32],
) {
    assert!(c.len() >= m * n);
    // SAFETY: the strides describe matrices inside `a`, `b` and `c`, whose
    // lengths the callers size as m*k, k*n and m*n.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// `out (B x o) = x (B x i) * W^T + b`.
pub fn dense_forward(l: &Layer, x: &[f32], batch: usize, out: &mut Vec<f32>) {
    let (ni, no) = (l.inputs, l.outputs);
    out.clear();
    out.reserve(batch * no);
    for _ in 0..batch {
        out.extend_from_slice(&l.b);
    }
    sgemm(
        batch,
        ni,
        no,
        x,
        ni as isize,
        1,
        &l.w,
        1,
        ni as isize,
        1.0,
        out,
    );
}

/// Gradients of one layer: `dW = dZ^T x`, `db = sum dZ`, and if asked
/// `dX = dZ W` (with `w` the weights the forward pass used).
#[allow(clippy::too_many_arguments)]
pub fn dense_backward(
    ni: usize,
    no: usize,
    w: &[f32],
    x: &[f32],
    dz: &[f32],
    batch: usize,
    dw: &mut [f32],
    db: &mut [f32],
    dx: Option<&mut Vec<f32>>,
) {
    sgemm(
        no,
        batch,
        ni,
        dz,
        1,
        no as isize,
        x,
        ni as isize,
        1,
        0.0,
        dw,
    );
    db.iter_mut().for_each(|v| *v = 0.0);
    for r in dz.chunks(no) {
        for (d, &g) in db.iter_mut().zip(r) {
            *d += g;
        }
    }
    if let Some(dx) = dx {
        dx.clear();
        dx.resize(batch * ni, 0.0);
        sgemm(
            batch,
            no,
            ni,
            dz,
            no as isize,
            1,
            w,
            ni as isize,
            1,
            0.0,
            dx,
        );
    }
}

/// Softmax cross-entropy over a batch of logits: returns the summed loss,
/// the number of correct argmax predictions, and writes
/// `dZ = (softmax - onehot) / batch` into `dz`.
pub fn softmax_xent(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    dz: &mut Vec<f32>,
) -> (f64, usize) {
    dz.clear();
    dz.resize(logits.len(), 0.0);
    let batch = labels.len();
    let mut loss = 0f64;
    let mut correct = 0;
    for (s, (z, g)) in logits
        .chunks(classes)
        .zip(dz.chunks_mut(classes))
        .enumerate()
    {
        let m = z.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f32;
        for (gi, &zi) in g.iter_mut().zip(z) {
            *gi = (zi - m).exp();
            sum += *gi;
        }
        let y = labels[s] as usize;
        loss += -((g[y] / sum).max(1e-30) as f64).ln();
        if sievingnet::model::mlp::argmax_first(z) == y {
            correct += 1;
        }
        for (k, gi) in g.iter_mut().enumerate() {
            *gi = (*gi / sum - if k == y { 1.0 } else { 0.0 }) / batch as f32;
        }
    }
    (loss, correct)
}

impl Net {
    /// He-normal initialisation (std `sqrt(2 / inputs)`), zero biases.
    pub fn new(sizes: &[usize], rng: &mut ChaCha8Rng) -> Net {
        let layers = sizes
            .windows(2)
            .map(|s| {
                let (ni, no) = (s[0], s[1]);
                let std = (2.0 / ni as f64).sqrt();
                let w = (0..ni * no).map(|_| (normal(rng) * std) as f32).collect();
                Layer {
                    inputs: ni,
                    outputs: no,
                    w,
                    b: vec![0.0; no],
                }
            })
            .collect();
        Net { layers }
    }

    pub fn sizes(&self) -> Vec<usize> {
        let mut v = vec![self.layers[0].inputs];
        v.extend(self.layers.iter().map(|l| l.outputs));
        v
    }

    /// The float forward pass; returns every layer's input and the logits
    /// (`acts[l]` is layer `l`'s input, `acts[L]` the logits).
    pub fn forward(&self, x: &[f32], batch: usize) -> Vec<Vec<f32>> {
        let mut acts = vec![x.to_vec()];
        for (li, l) in self.layers.iter().enumerate() {
            let mut z = Vec::new();
            dense_forward(l, acts.last().unwrap(), batch, &mut z);
            if li + 1 < self.layers.len() {
                z.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            acts.push(z);
        }
        acts
    }

    /// Predicted classes of a sample-major input array, in chunks.
    pub fn predict(&self, x: &[f32], features: usize) -> Vec<usize> {
        let classes = self.layers.last().unwrap().outputs;
        let mut out = Vec::with_capacity(x.len() / features);
        for chunk in x.chunks(features * 1000) {
            let n = chunk.len() / features;
            let acts = self.forward(chunk, n);
            out.extend(
                acts.last()
                    .unwrap()
                    .chunks(classes)
                    .map(sievingnet::model::mlp::argmax_first),
            );
        }
        out
    }
}

/// A standard normal sample (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Which update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptKind {
    /// SGD with (heavy-ball) momentum.
    Sgd,
    /// Adam (Kingma and Ba), bias-corrected.
    Adam,
}

/// Optimizer state for every weight and bias of a net.
#[derive(Clone, Debug)]
pub struct Optimizer {
    pub kind: OptKind,
    pub momentum: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// L2 weight decay on weights (not biases).
    pub weight_decay: f32,
    t: i32,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

impl Optimizer {
    pub fn new(kind: OptKind, net: &Net, momentum: f32, weight_decay: f32) -> Optimizer {
        let shapes: Vec<usize> = net
            .layers
            .iter()
            .flat_map(|l| [l.w.len(), l.b.len()])
            .collect();
        Optimizer {
            kind,
            momentum,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            t: 0,
            m: shapes.iter().map(|&n| vec![0.0; n]).collect(),
            v: shapes.iter().map(|&n| vec![0.0; n]).collect(),
        }
    }

    /// One update with learning rate `lr`; `grads[2l]`, `grads[2l+1]` are the
    /// gradients of layer `l`'s weights and biases.
    pub fn step(&mut self, net: &mut Net, grads: &[Vec<f32>], lr: f32) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.t);
        let c2 = 1.0 - b2.powi(self.t);
        for (li, l) in net.layers.iter_mut().enumerate() {
            for (pi, params) in [&mut l.w, &mut l.b].into_iter().enumerate() {
                let slot = 2 * li + pi;
                let g = &grads[slot];
                let wd = if pi == 0 { self.weight_decay } else { 0.0 };
                let m = &mut self.m[slot];
                match self.kind {
                    OptKind::Sgd => {
                        for ((p, &gi), mi) in params.iter_mut().zip(g).zip(m.iter_mut()) {
                            *mi = self.momentum * *mi + gi + wd * *p;
                            *p -= lr * *mi;
                        }
                    }
                    OptKind::Adam => {
                        let v = &mut self.v[slot];
                        for (((p, &gi), mi), vi) in
                            params.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut())
                        {
                            let gi = gi + wd * *p;
                            *mi = b1 * *mi + (1.0 - b1) * gi;
                            *vi = b2 * *vi + (1.0 - b2) * gi * gi;
                            *p -= lr * (*mi / c1) / ((*vi / c2).sqrt() + self.eps);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn gradients_match_finite_differences() {
        let seed = sievingnet::seed::from_env(3);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let net = Net::new(&[5, 4, 3], &mut rng);
        let batch = 2;
        let x: Vec<f32> = (0..batch * 5).map(|_| normal(&mut rng) as f32).collect();
        let labels = [1u8, 2];
        let loss_of = |n: &Net| {
            let a = n.forward(&x, batch);
            let mut dz = Vec::new();
            softmax_xent(a.last().unwrap(), &labels, 3, &mut dz).0 / batch as f64
        };
        // Analytic gradient of layer 0's weight 7.
        let acts = net.forward(&x, batch);
        let mut dz = Vec::new();
        softmax_xent(&acts[2], &labels, 3, &mut dz);
        let l1 = &net.layers[1];
        let (mut dw1, mut db1, mut dx) = (vec![0.0; 12], vec![0.0; 3], Vec::new());
        dense_backward(
            4,
            3,
            &l1.w,
            &acts[1],
            &dz,
            batch,
            &mut dw1,
            &mut db1,
            Some(&mut dx),
        );
        for (d, &a) in dx.iter_mut().zip(&acts[1]) {
            if a <= 0.0 {
                *d = 0.0;
            }
        }
        let (mut dw0, mut db0) = (vec![0.0; 20], vec![0.0; 4]);
        dense_backward(
            5,
            4,
            &net.layers[0].w,
            &acts[0],
            &dx,
            batch,
            &mut dw0,
            &mut db0,
            None,
        );
        for (li, idx, analytic) in [(0usize, 7usize, dw0[7]), (1, 5, dw1[5])] {
            let h = 1e-3;
            let mut p = net.clone();
            p.layers[li].w[idx] += h;
            let mut m = net.clone();
            m.layers[li].w[idx] -= h;
            let numeric = (loss_of(&p) - loss_of(&m)) / (2.0 * h as f64);
            assert!(
                (numeric - analytic as f64).abs() < 1e-3,
                "layer {li}: {numeric} vs {analytic}"
            );
        }
    }
}
