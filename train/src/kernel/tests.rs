//! The fast kernels against the golden model's `IntMlp::infer`.

use super::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sievingnet::config::{Coding, UnitConfig};
use sievingnet::model::mlp::{IntLayer, IntMlp};

fn seed() -> u64 {
    sievingnet::seed::from_env(2024)
}

fn random_mlp(rng: &mut ChaCha8Rng, unit: UnitConfig, sizes: &[usize], sparse: f64) -> IntMlp {
    let (wl, wh) = unit.w_range();
    let (tl, th) = unit.t_range();
    let (bl, bh) = unit.acc_range();
    let top = (unit.a_bits() + unit.planes()) as i64;
    let layers = sizes
        .windows(2)
        .enumerate()
        .map(|(li, s)| {
            let (i, o) = (s[0], s[1]);
            IntLayer {
                inputs: i,
                outputs: o,
                weights: (0..i * o)
                    .map(|_| match rng.gen_range(0..10) {
                        0 => wl,
                        1 => wh,
                        2 => 0,
                        _ => rng.gen_range(wl..=wh),
                    })
                    .collect(),
                bias: (0..o).map(|_| rng.gen_range(bl / 4..=bh / 4)).collect(),
                // Mostly where the sieve cuts (`0..=e_max + P`), sometimes
                // below every pair's size.
                thresholds: (0..o)
                    .map(|_| match rng.gen_range(0..8) {
                        0 => rng.gen_range(tl..=0),
                        _ => rng.gen_range(0..=th.min(top)),
                    })
                    .collect(),
                shift: if li + 2 == sizes.len() {
                    0
                } else {
                    rng.gen_range(0..12)
                },
                relu: rng.gen_bool(0.7),
            }
        })
        .collect();
    let _ = sparse;
    IntMlp { unit, layers }
}

fn check_equal(mlp: &IntMlp, inputs: &[Vec<i64>], seed: u64) {
    let fast = FastMlp::new(mlp);
    for (s, x) in inputs.iter().enumerate() {
        let gold = mlp.infer(x);
        let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
        let f = fast.infer(&x32);
        assert_eq!(
            f.logits,
            gold.logits,
            "seed {seed} sample {s} unit {}",
            mlp.unit.tag()
        );
        assert_eq!(f.prediction, gold.prediction, "seed {seed} sample {s}");
        assert_eq!(f.counts, gold.counts, "seed {seed} sample {s}");
        assert_eq!(f.kept_pairs, gold.kept_pairs, "seed {seed} sample {s}");
        assert_eq!(f.overflow, gold.overflow, "seed {seed} sample {s}");
    }
}

fn random_inputs(rng: &mut ChaCha8Rng, unit: &UnitConfig, n: usize, f: usize) -> Vec<Vec<i64>> {
    let (lo, hi) = unit.a_range();
    (0..n)
        .map(|_| {
            (0..f)
                .map(|_| match rng.gen_range(0..8) {
                    0 | 1 => 0,
                    2 => lo,
                    3 => hi,
                    _ => rng.gen_range(lo..=hi),
                })
                .collect()
        })
        .collect()
}

#[test]
fn lut_matches_sieve_pair() {
    use sievingnet::model::sieve_pair;
    for coding in Coding::ALL {
        let unit = UnitConfig::builder()
            .a_bits(4)
            .w_bits(4)
            .coding(coding)
            .build()
            .unwrap();
        let lut = WeightLut::new(&unit);
        let p = unit.planes() as i64;
        for a in -8i64..=7 {
            for w in -8i64..=7 {
                for t in -2i64..=10 {
                    let r = sieve_pair(&unit, a, w, t);
                    if a == 0 {
                        assert_eq!(r.product, 0);
                        continue;
                    }
                    let e = exponent(a).unwrap() as i64;
                    let kmin = (t - e).clamp(0, p) as usize;
                    assert_eq!(
                        r.product,
                        a * lut.trunc(w, kmin) as i64,
                        "{coding} a {a} w {w} t {t}"
                    );
                    assert_eq!(r.counts.kept, lut.above(w, kmin) as u64);
                    assert_eq!(r.counts.sieved + r.counts.kept, lut.above(w, 0) as u64);
                }
            }
        }
    }
}

#[test]
fn fast_equals_golden_default_unit() {
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed, 0);
    for coding in Coding::ALL {
        let unit = UnitConfig::builder().coding(coding).build().unwrap();
        let mlp = random_mlp(&mut rng, unit, &[40, 24, 7], 0.3);
        let inputs = random_inputs(&mut rng, &unit, 30, 40);
        check_equal(&mlp, &inputs, seed);
    }
}

#[test]
fn fast_equals_golden_with_overflow_and_odd_widths() {
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed ^ 0x55, 0);
    let units = [
        UnitConfig::new(8, 8, 8, 17, 8, Coding::Ternary).unwrap(),
        UnitConfig::new(8, 8, 8, 17, 8, Coding::Binary).unwrap(),
        UnitConfig::new(16, 16, 8, 40, 32, Coding::Ternary).unwrap(),
        UnitConfig::new(16, 16, 8, 64, 32, Coding::Binary).unwrap(),
        UnitConfig::new(5, 3, 4, 9, 8, Coding::Ternary).unwrap(),
        UnitConfig::new(2, 2, 2, 5, 8, Coding::Binary).unwrap(),
    ];
    let mut saw_overflow = false;
    for unit in units {
        let mlp = random_mlp(&mut rng, unit, &[33, 9, 4], 0.3);
        let inputs = random_inputs(&mut rng, &unit, 25, 33);
        check_equal(&mlp, &inputs, seed);
        saw_overflow |= inputs
            .iter()
            .any(|x| mlp.infer(x).overflow.iter().any(|&o| o));
    }
    assert!(
        saw_overflow,
        "seed {seed}: the narrow accumulators should overflow somewhere"
    );
}

#[test]
fn named_corners() {
    let unit = UnitConfig::default();
    // A vector of length one, the most negative a and w, T above every plane.
    for (a, w, t) in [
        (-128i64, -128i64, 127i64),
        (-128, 127, -128),
        (1, 1, 0),
        (0, -128, 3),
        (127, 85, 9),
    ] {
        let mlp = IntMlp {
            unit,
            layers: vec![IntLayer {
                inputs: 1,
                outputs: 1,
                weights: vec![w],
                bias: vec![0],
                thresholds: vec![t],
                shift: 0,
                relu: false,
            }],
        };
        check_equal(&mlp, &[vec![a]], 0);
    }
}

#[test]
fn batched_training_forward_equals_the_golden_model() {
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed ^ 9, 0);
    // Wide layers split by outputs, narrow ones by samples; both codings,
    // several widths; batches that do not divide evenly.
    let cases: [(u32, u32, Coding, &[usize], usize); 5] = [
        (8, 8, Coding::Ternary, &[37, 300, 6], 13),
        (8, 8, Coding::Binary, &[37, 300, 6], 7),
        (4, 4, Coding::Ternary, &[20, 9, 5], 33),
        (6, 5, Coding::Binary, &[50, 130, 129, 3], 1),
        (8, 3, Coding::Ternary, &[64, 10], 64),
    ];
    for (a_bits, w_bits, coding, sizes, batch) in cases {
        let unit = UnitConfig::builder()
            .a_bits(a_bits)
            .w_bits(w_bits)
            .coding(coding)
            .build()
            .unwrap();
        let mlp = random_mlp(&mut rng, unit, sizes, 0.3);
        let lut = WeightLut::new(&unit);
        let inputs = random_inputs(&mut rng, &unit, batch, sizes[0]);
        let flat: Vec<i32> = inputs.iter().flatten().map(|&v| v as i32).collect();
        let fast = BatchMlp::new(&mlp, &lut).expect("narrow");
        let (acts, y) = fast.forward(&flat, batch);
        let no = *sizes.last().unwrap();
        let tag = unit.tag();
        for (s, x) in inputs.iter().enumerate() {
            let gold = mlp.infer(x);
            assert_eq!(
                &y[s * no..(s + 1) * no],
                &gold.logits[..],
                "seed {seed} {tag} sample {s}"
            );
            // Every layer's input, as the per-sample kernel records it.
            let mut a = Vec::new();
            let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
            FastMlp::new(&mlp).infer_with(&x32, Some(&mut a), None);
            for (li, (got, want)) in acts.iter().zip(&a).enumerate() {
                let n = want.len();
                assert_eq!(
                    &got[s * n..(s + 1) * n],
                    &want[..],
                    "seed {seed} {tag} layer {li} sample {s}"
                );
            }
        }
    }
    let narrow17 = UnitConfig::new(8, 8, 8, 17, 8, Coding::Ternary).unwrap();
    let wide = random_mlp(&mut rng, narrow17, &[37, 21, 6], 0.3);
    assert!(BatchMlp::new(&wide, &WeightLut::new(&narrow17)).is_none());
}

#[test]
fn batch_totals_add_up() {
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed ^ 7, 0);
    let unit = UnitConfig::default();
    let mlp = random_mlp(&mut rng, unit, &[20, 10, 3], 0.3);
    let inputs = random_inputs(&mut rng, &unit, 50, 20);
    let flat: Vec<i32> = inputs.iter().flatten().map(|&v| v as i32).collect();
    let b = FastMlp::new(&mlp).infer_batch(&flat, 20);
    let mut want = vec![sievingnet::model::Work::default(); 2];
    for (s, x) in inputs.iter().enumerate() {
        let g = mlp.infer(x);
        assert_eq!(b.predictions[s], g.prediction, "seed {seed}");
        for (w, c) in want.iter_mut().zip(&g.work()) {
            w.accumulate(c);
        }
    }
    assert_eq!(b.work(), want, "seed {seed}");
    assert!(
        want.iter().all(|w| w.kept_pairs > 0),
        "seed {seed}: nothing kept"
    );
    assert_eq!(b.counts[0].total(), 50 * 20 * 10 * 9);
}

/// Static truncation at plane `k` computes, for every pair, the product of
/// the weight truncated to its planes `>= k`: the golden model on the
/// truncated weights (one bit wider, since a NAF truncation can round a
/// weight up to `2^(w_bits-1)`) gives the same logits, the same kept digits
/// and the same kept pairs.
#[test]
fn truncation_equals_the_golden_model_on_truncated_weights() {
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed ^ 11, 0);
    for coding in Coding::ALL {
        let unit = UnitConfig::builder().coding(coding).build().unwrap();
        let mut mlp = random_mlp(&mut rng, unit, &[24, 9, 4], 0.3);
        for l in &mut mlp.layers {
            l.thresholds.iter_mut().for_each(|t| *t = 0);
        }
        let lut = WeightLut::new(&unit);
        let wide = UnitConfig::builder()
            .coding(coding)
            .w_bits(unit.w_bits() + 1)
            .build()
            .unwrap();
        let inputs = random_inputs(&mut rng, &unit, 30, 24);
        for k in 0..=unit.planes() {
            let fast = FastMlp::truncated(&mlp, &lut, k);
            let mut golden = mlp.clone();
            golden.unit = wide;
            for l in &mut golden.layers {
                for w in &mut l.weights {
                    *w = lut.trunc(*w, k as usize) as i64;
                }
            }
            for (s, x) in inputs.iter().enumerate() {
                let x32: Vec<i32> = x.iter().map(|&v| v as i32).collect();
                let f = fast.infer(&x32);
                let g = golden.infer(x);
                let what = format!("seed {seed} {coding} k {k} sample {s}");
                assert_eq!(f.logits, g.logits, "{what}");
                assert_eq!(f.kept_pairs, g.kept_pairs, "{what}");
                let kept: Vec<u64> = f.counts.iter().map(|c| c.kept).collect();
                let want: Vec<u64> = g.counts.iter().map(|c| c.kept).collect();
                assert_eq!(kept, want, "{what}");
            }
        }
    }
}

#[test]
fn threshold_slopes_are_central_differences_of_the_golden_pairs() {
    use sievingnet::model::sieve_pair;
    let seed = seed();
    let mut rng = sievingnet::seed::rng(seed ^ 17, 0);
    let cases: [(u32, u32, Coding, &[usize], usize); 3] = [
        (8, 8, Coding::Ternary, &[40, 70, 6], 9),
        (8, 4, Coding::Binary, &[33, 12, 5], 16),
        (4, 4, Coding::Ternary, &[20, 9, 5], 3),
    ];
    for (a_bits, w_bits, coding, sizes, batch) in cases {
        let unit = UnitConfig::builder()
            .a_bits(a_bits)
            .w_bits(w_bits)
            .coding(coding)
            .build()
            .unwrap();
        let mlp = random_mlp(&mut rng, unit, sizes, 0.3);
        let lut = WeightLut::new(&unit);
        let inputs = random_inputs(&mut rng, &unit, batch, sizes[0]);
        let flat: Vec<i32> = inputs.iter().flatten().map(|&v| v as i32).collect();
        let fast = BatchMlp::new(&mlp, &lut).expect("narrow");
        let (acts, _) = fast.forward(&flat, batch);
        let mut moved = false;
        for (li, l) in mlp.layers.iter().enumerate() {
            let (ni, no) = (l.inputs, l.outputs);
            let dacc: Vec<f32> = (0..batch * no)
                .map(|_| rng.gen_range(-1.0f32..1.0))
                .collect();
            let got = fast.threshold_slopes(li, &acts[li], batch, &dacc);
            for j in 0..no {
                let t = l.thresholds[j];
                let (mut loss, mut scale, mut kept) = (0f64, 0f64, 0i64);
                for s in 0..batch {
                    let mut dv = 0i64;
                    for i in 0..ni {
                        let (a, w) = (acts[li][s * ni + i] as i64, l.weights[j * ni + i]);
                        let (up, down) = (
                            sieve_pair(&unit, a, w, t + 1),
                            sieve_pair(&unit, a, w, t - 1),
                        );
                        dv += up.product - down.product;
                        kept += up.counts.kept as i64 - down.counts.kept as i64;
                    }
                    let d = dacc[s * no + j] as f64;
                    loss += d * dv as f64;
                    scale += (d * dv as f64).abs();
                }
                let tag = format!("seed {seed} {} layer {li} output {j}", unit.tag());
                assert_eq!(got.kept[j], kept as f64 / 2.0, "{tag}");
                assert!(
                    (got.loss[j] - loss / 2.0).abs() <= 1e-5 * scale.max(1.0),
                    "{tag}: {} against {}",
                    got.loss[j],
                    loss / 2.0
                );
                moved |= kept != 0 && loss != 0.0;
            }
        }
        assert!(
            moved,
            "seed {seed} {}: no threshold moves any digit",
            unit.tag()
        );
    }
}
