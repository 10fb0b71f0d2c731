//! Learned per-neuron thresholds: each sieved neuron's threshold is a real
//! number `tau_j`, used rounded (`T_j = round(tau_j)`), and descends
//!
//! ```text
//! loss + cost * (kept digit-terms per inference) / (weight pairs)
//! ```
//!
//! by Adam, a step per batch. The slopes are central differences in `T_j`
//! (see [`ThresholdSlopes`]): the loss's through `dL/dacc`
//! (straight-through), the work's exact. The work term is the frontier's
//! cost per weight pair, so `cost` is the loss one would trade for one kept
//! digit-term less per pair.
//!
//! Learning starts from the quantile thresholds of the acceptance rate
//! (`im`) once its warm-up has reached its final value; a layer whose final
//! rate is 1 keeps its thresholds.

use crate::config::ThresholdLearning;
use crate::kernel::ThresholdSlopes;

/// The learned thresholds of a network and their optimizer's state.
#[derive(Clone, Debug)]
pub struct LearnedThresholds {
    cfg: ThresholdLearning,
    /// Per layer: `Some(tau)` if the layer learns, else its fixed thresholds.
    tau: Vec<Option<Vec<f64>>>,
    fixed: Vec<Vec<i64>>,
    m: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
    t: i32,
    /// The largest useful threshold: above it every digit is sieved anyway.
    t_max: f64,
    /// Weight pairs of the network (the work term's unit).
    pairs: f64,
}

impl LearnedThresholds {
    /// Starts from `thresholds`; layer `li` learns if `learn[li]`.
    /// `t_max` is `a_bits - 1 + planes`.
    pub fn new(
        cfg: ThresholdLearning,
        thresholds: &[Vec<i64>],
        learn: &[bool],
        t_max: i64,
        pairs: usize,
    ) -> LearnedThresholds {
        assert_eq!(thresholds.len(), learn.len());
        LearnedThresholds {
            cfg,
            tau: thresholds
                .iter()
                .zip(learn)
                .map(|(t, &l)| l.then(|| t.iter().map(|&v| v as f64).collect()))
                .collect(),
            fixed: thresholds.to_vec(),
            m: thresholds.iter().map(|t| vec![0.0; t.len()]).collect(),
            v: thresholds.iter().map(|t| vec![0.0; t.len()]).collect(),
            t: 0,
            t_max: t_max as f64,
            pairs: pairs as f64,
        }
    }

    /// Which layers learn.
    pub fn layers(&self) -> Vec<bool> {
        self.tau.iter().map(Option::is_some).collect()
    }

    /// The thresholds to use now.
    pub fn thresholds(&self) -> Vec<Vec<i64>> {
        self.tau
            .iter()
            .zip(&self.fixed)
            .map(|(tau, fixed)| match tau {
                Some(tau) => tau.iter().map(|&v| v.round() as i64).collect(),
                None => fixed.clone(),
            })
            .collect()
    }

    /// Follows a change of the hidden layers' shifts: one more bit of shift
    /// halves the next layer's inputs, so their exponents drop by one, and
    /// so does that layer's threshold to sieve the same digits.
    pub fn follow_shifts(&mut self, old: &[u32], new: &[u32]) {
        for (li, (&o, &n)) in old.iter().zip(new).enumerate() {
            let Some(Some(tau)) = self.tau.get_mut(li + 1) else {
                continue;
            };
            let d = n as f64 - o as f64;
            for t in tau.iter_mut() {
                *t = (*t - d).clamp(0.0, self.t_max);
            }
        }
    }

    /// One Adam step from a batch of `batch` samples; `slopes[li]` is
    /// `Some` for every learning layer.
    pub fn step(&mut self, slopes: &[Option<ThresholdSlopes>], batch: usize) {
        const B1: f64 = 0.9;
        const B2: f64 = 0.999;
        const EPS: f64 = 1e-12;
        self.t += 1;
        let c1 = 1.0 - B1.powi(self.t);
        let c2 = 1.0 - B2.powi(self.t);
        let work_weight = self.cfg.cost / (batch as f64 * self.pairs);
        for (li, tau) in self.tau.iter_mut().enumerate() {
            let Some(tau) = tau else { continue };
            let s = slopes[li]
                .as_ref()
                .expect("a learning layer's slopes are computed");
            let (m, v) = (&mut self.m[li], &mut self.v[li]);
            for j in 0..tau.len() {
                let g = s.loss[j] + work_weight * s.kept[j];
                m[j] = B1 * m[j] + (1.0 - B1) * g;
                v[j] = B2 * v[j] + (1.0 - B2) * g * g;
                let step = self.cfg.lr * (m[j] / c1) / ((v[j] / c2).sqrt() + EPS);
                tau[j] = (tau[j] - step).clamp(0.0, self.t_max);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(cost: f64) -> ThresholdLearning {
        ThresholdLearning { cost, lr: 0.1 }
    }

    #[test]
    fn work_alone_raises_thresholds_and_loss_alone_lowers_them() {
        let t0 = vec![vec![5i64, 5], vec![3]];
        let mut l = LearnedThresholds::new(cfg(1.0), &t0, &[true, false], 20, 100);
        // Raising a threshold sieves work and costs no loss.
        let s = ThresholdSlopes {
            loss: vec![0.0, 0.0],
            kept: vec![-10.0, 0.0],
        };
        for _ in 0..30 {
            l.step(&[Some(s.clone()), None], 4);
        }
        let t = l.thresholds();
        assert!(t[0][0] > 5, "{t:?}");
        assert_eq!(t[0][1], 5, "no slope, no move");
        assert_eq!(t[1], vec![3], "a fixed layer stays");
        // A loss that grows with the threshold pulls it back down.
        let mut l = LearnedThresholds::new(cfg(0.0), &t0, &[true, false], 20, 100);
        let s = ThresholdSlopes {
            loss: vec![0.5, 0.5],
            kept: vec![-10.0, -10.0],
        };
        for _ in 0..30 {
            l.step(&[Some(s.clone()), None], 4);
        }
        assert!(l.thresholds()[0].iter().all(|&t| t < 5));
    }

    #[test]
    fn thresholds_stay_in_range_and_follow_shifts() {
        let mut l = LearnedThresholds::new(cfg(1.0), &[vec![1], vec![6]], &[true, true], 7, 10);
        let s = ThresholdSlopes {
            loss: vec![1.0],
            kept: vec![0.0],
        };
        for _ in 0..100 {
            l.step(&[Some(s.clone()), Some(s.clone())], 1);
        }
        assert_eq!(l.thresholds(), vec![vec![0], vec![0]], "clamped at 0");
        let mut l = LearnedThresholds::new(cfg(1.0), &[vec![1], vec![6]], &[true, true], 7, 10);
        l.follow_shifts(&[3], &[5]);
        assert_eq!(l.thresholds(), vec![vec![1], vec![4]]);
        l.follow_shifts(&[5], &[1]);
        assert_eq!(l.thresholds(), vec![vec![1], vec![7]], "clamped at t_max");
    }
}
