//! How a batch's loss and work change with each neuron's threshold: what
//! learned thresholds descend (see [`crate::learned`]).
//!
//! A threshold is an integer, so its slope is a central difference. Moving
//! `T_j` from `T_j - 1` to `T_j + 1` changes neuron `j`'s accumulator by
//! `sum_i a_i (tw(w_ji, kmin(T_j + 1)) - tw(w_ji, kmin(T_j - 1)))` and its
//! kept digit-terms by the matching count of digits. The loss changes, to
//! first order, by `dL/dacc` times the first (straight-through, like the
//! weights' gradient); the work by the second, exactly.

use super::batch::{BatchMlp, Nonzeros};
use rayon::prelude::*;

/// One layer's slopes over a batch, per output neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdSlopes {
    /// `sum_s dL/dacc_sj * (acc_sj(T_j + 1) - acc_sj(T_j - 1)) / 2`.
    pub loss: Vec<f64>,
    /// `sum_s (kept_sj(T_j + 1) - kept_sj(T_j - 1)) / 2`, kept digit-terms
    /// (never positive).
    pub kept: Vec<f64>,
}

impl BatchMlp<'_> {
    /// Layer `li`'s slopes, for its inputs `a` (`batch x inputs`, as
    /// [`BatchMlp::forward`] returns them) and the loss's gradient `dacc`
    /// in its accumulators (`batch x outputs`).
    pub fn threshold_slopes(
        &self,
        li: usize,
        a: &[i32],
        batch: usize,
        dacc: &[f32],
    ) -> ThresholdSlopes {
        let l = &self.layers[li];
        let (ni, no) = (l.inputs, l.outputs);
        assert_eq!(a.len(), batch * ni, "a is batch x inputs");
        assert_eq!(dacc.len(), batch * no, "dacc is batch x outputs");
        let p = self.unit.planes() as i64;
        let kmin = |t: i64, e: usize| (t - e as i64).clamp(0, p) as usize;
        let Nonzeros { keys, nz, starts } = self.nonzeros(ni, a, batch);
        // Per row (e, i): the change of tw and of the kept digits, per output.
        let mut dv = vec![0f32; keys.len() * no];
        let mut dk = vec![0f32; keys.len() * no];
        dv.par_chunks_mut(no)
            .zip(dk.par_chunks_mut(no))
            .zip(keys.par_iter())
            .for_each(|((dv, dk), &(e, i))| {
                let wrow = &l.wt[i * no..(i + 1) * no];
                for (j, (&wo, &t)) in wrow.iter().zip(&l.thresholds).enumerate() {
                    let (hi, lo) = (wo as usize + kmin(t + 1, e), wo as usize + kmin(t - 1, e));
                    dv[j] = (self.lut.trunc[hi] - self.lut.trunc[lo]) as f32;
                    dk[j] = self.lut.above[hi] as f32 - self.lut.above[lo] as f32;
                }
            });
        // Loss: sum over samples and their non-zero inputs, in f32 per
        // sample (at most `inputs` terms), in f64 across samples.
        let loss = (0..batch)
            .into_par_iter()
            .fold(
                || vec![0f64; no],
                |mut g, s| {
                    let d = &dacc[s * no..(s + 1) * no];
                    let mut gs = vec![0f32; no];
                    for &(k, v) in &nz[starts[s]..starts[s + 1]] {
                        let row = &dv[k as usize * no..(k as usize + 1) * no];
                        let v = v as f32;
                        for ((g, &r), &d) in gs.iter_mut().zip(row).zip(d) {
                            *g += v * r * d;
                        }
                    }
                    for (g, gs) in g.iter_mut().zip(gs) {
                        *g += gs as f64;
                    }
                    g
                },
            )
            .reduce(|| vec![0f64; no], add);
        // Work: each row counts once per sample it occurs in.
        let mut uses = vec![0u32; keys.len()];
        for &(k, _) in &nz {
            uses[k as usize] += 1;
        }
        let mut kept = vec![0f64; no];
        for (row, &n) in dk.chunks(no).zip(&uses) {
            for (c, &r) in kept.iter_mut().zip(row) {
                *c += r as f64 * n as f64;
            }
        }
        ThresholdSlopes {
            loss: loss.into_iter().map(|v| v / 2.0).collect(),
            kept: kept.into_iter().map(|v| v / 2.0).collect(),
        }
    }
}

fn add(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
    a
}
