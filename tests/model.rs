//! The golden model against the SPEC's arithmetic (sections 2 to 5):
//! exhaustive at 4 bits, named corners, and seeded random properties.

mod common;

use sievingnet::config::{Coding, UnitConfig};
use sievingnet::model::{
    exponent, run_stream, sieve_pair, weight_digits, Pair, PlaneCounts, VectorResult,
};

#[test]
fn exhaustive_4_bit_pairs_every_threshold_both_codings() {
    for coding in Coding::ALL {
        let cfg = common::cfg(4, 4, coding);
        let p = cfg.planes() as u64;
        for a in -8..=7i64 {
            for w in -8..=7i64 {
                let d = weight_digits(w, 4, coding);
                assert_eq!(d.magnitude(), w.abs(), "digits of {w}");
                if coding == Coding::Ternary {
                    for k in 1..d.planes {
                        assert!(d.d[k] == 0 || d.d[k - 1] == 0, "NAF of {w} adjacent at {k}");
                    }
                }
                for thr in -2..=10i64 {
                    let r = sieve_pair(&cfg, a, w, thr);
                    assert_eq!(r.counts.total(), p, "a={a} w={w} thr={thr} {coding}");
                    if thr <= 0 {
                        assert_eq!(
                            r.product,
                            a * w,
                            "T <= 0 must be exact: a={a} w={w} thr={thr}"
                        );
                        assert_eq!(r.counts.sieved, 0);
                    }
                    // The sieved product is the exact one minus the sieved terms.
                    let mut lost = 0i64;
                    if a != 0 {
                        let e = exponent(a).unwrap() as i64;
                        for (k, &dk) in d.digits().iter().enumerate() {
                            if dk != 0 && e + (k as i64) < thr {
                                lost += dk as i64 * (a.abs() << k);
                            }
                        }
                        let sign = if (a < 0) != (w < 0) { -1 } else { 1 };
                        assert_eq!(r.product, a * w - sign * lost, "a={a} w={w} thr={thr}");
                    } else {
                        assert_eq!(
                            r.counts,
                            PlaneCounts {
                                zero_a: p,
                                ..Default::default()
                            }
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn corner_zero_activation_and_zero_weight() {
    let cfg = UnitConfig::default();
    let r = sieve_pair(&cfg, 0, -128, -5);
    assert_eq!((r.product, r.counts.zero_a, r.counts.total()), (0, 9, 9));
    let r = sieve_pair(&cfg, 5, 0, -5);
    assert_eq!((r.product, r.counts.zero_w, r.counts.total()), (0, 9, 9));
}

#[test]
fn corner_most_negative_operands() {
    for coding in Coding::ALL {
        let cfg = UnitConfig::builder().coding(coding).build().unwrap();
        let r = sieve_pair(&cfg, -128, -128, 0);
        assert_eq!(r.product, 16384);
        // |a| = 128 (e = 7) and |w| = 128 (one digit on plane 7).
        assert_eq!(
            (r.counts.kept, r.counts.zero_w),
            (1, cfg.planes() as u64 - 1)
        );
        // 7 + 7 = 14 < 15: sieved.
        let r = sieve_pair(&cfg, -128, -128, 15);
        assert_eq!((r.product, r.counts.sieved), (0, 1));
        let cfg16 = UnitConfig::builder()
            .a_bits(16)
            .w_bits(16)
            .coding(coding)
            .build()
            .unwrap();
        assert_eq!(sieve_pair(&cfg16, -32768, -32768, -128).product, 1 << 30);
    }
}

#[test]
fn corner_all_ones_magnitudes() {
    // 127 = 0b1111111: binary keeps 7 digits; ternary is 128 - 1 (2 digits).
    let b = sieve_pair(&common::cfg(8, 8, Coding::Binary), 127, 127, 0);
    assert_eq!((b.product, b.counts.kept, b.counts.zero_w), (16129, 7, 1));
    let t = sieve_pair(&common::cfg(8, 8, Coding::Ternary), 127, 127, 0);
    assert_eq!((t.product, t.counts.kept, t.counts.zero_w), (16129, 2, 7));
    // T = 7: a = 127 (e = 6) keeps planes k >= 1: ternary loses the -1 on plane 0.
    let t = sieve_pair(&common::cfg(8, 8, Coding::Ternary), 127, 127, 7);
    assert_eq!((t.product, t.counts.sieved), (127 * 128, 1));
}

#[test]
fn corner_single_nonzero_digit() {
    for k in 0..7 {
        let w = 1i64 << k;
        for coding in Coding::ALL {
            let cfg = common::cfg(8, 8, coding);
            let r = sieve_pair(&cfg, 3, w, 0);
            assert_eq!((r.product, r.counts.kept), (3 * w, 1));
            // e(3) = 1: plane k survives exactly when 1 + k >= T.
            let r = sieve_pair(&cfg, 3, -w, k as i64 + 2);
            assert_eq!((r.product, r.counts.sieved), (0, 1));
            let r = sieve_pair(&cfg, 3, -w, k as i64 + 1);
            assert_eq!((r.product, r.counts.kept), (-3 * w, 1));
        }
    }
}

#[test]
fn corner_threshold_above_every_plane() {
    let cfg = UnitConfig::default();
    let pairs: Vec<Pair> = (-128..=127)
        .map(|a| Pair {
            a,
            w: 77,
            thr: 127,
            last: a == 127,
        })
        .collect();
    let r = run_stream(&cfg, &pairs);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].sum, 0);
    assert_eq!(r[0].kept, 0);
    assert_eq!(r[0].zero_a, 9);
    // 77 = 64 + 16 - 4 + 1: 4 NAF digits per non-zero a.
    assert_eq!(r[0].sieved, 255 * 4);
}

#[test]
fn corner_vectors_of_length_one() {
    let cfg = UnitConfig::default();
    let pairs = [
        Pair {
            a: 3,
            w: 5,
            thr: 0,
            last: true,
        },
        Pair {
            a: -3,
            w: 5,
            thr: 0,
            last: true,
        },
        Pair {
            a: 0,
            w: 5,
            thr: 0,
            last: true,
        },
    ];
    let r = run_stream(&cfg, &pairs);
    assert_eq!(
        r.iter().map(|v| v.sum).collect::<Vec<_>>(),
        vec![15, -15, 0]
    );
    assert_eq!(r[2].zero_a, 9);
    // Counters restart at every vector.
    assert_eq!(r[0].zero_w + r[0].kept, 9);
}

#[test]
fn accumulator_wraps_and_overflow_is_sticky() {
    let cfg = UnitConfig::builder()
        .acc_bits(17)
        .cnt_bits(8)
        .build()
        .unwrap();
    // 127 * 127 = 16129; 5 of them = 80645 > 65535.
    let mut pairs: Vec<Pair> = (0..5)
        .map(|_| Pair {
            a: 127,
            w: 127,
            thr: 0,
            last: false,
        })
        .collect();
    // Coming back into range does not clear the flag.
    pairs.extend((0..5).map(|i| Pair {
        a: -127,
        w: 127,
        thr: 0,
        last: i == 4,
    }));
    pairs.push(Pair {
        a: 1,
        w: 1,
        thr: 0,
        last: true,
    });
    let r = run_stream(&cfg, &pairs);
    assert_eq!(r[0].sum, 0);
    assert!(r[0].overflow);
    assert_eq!(
        r[1],
        VectorResult {
            sum: 1,
            overflow: false,
            zero_a: 0,
            zero_w: 8,
            sieved: 0,
            kept: 1
        }
    );
    // The wrapped sum after the first 5 pairs: 80645 - 131072.
    let r = run_stream(
        &cfg,
        &[
            pairs[0],
            pairs[1],
            pairs[2],
            pairs[3],
            Pair {
                last: true,
                ..pairs[4]
            },
        ],
    );
    assert_eq!((r[0].sum, r[0].overflow), (80645 - 131072, true));
    // Exactly at the edge: 65535 does not overflow, 65536 does.
    let r = run_stream(
        &cfg,
        &[Pair {
            a: 127,
            w: 127,
            thr: 0,
            last: false,
        }; 4]
            .iter()
            .copied()
            .chain([Pair {
                a: 1,
                w: 1,
                thr: 0,
                last: true,
            }])
            .collect::<Vec<_>>(),
    );
    assert_eq!(r[0].sum, 64517);
    assert!(!r[0].overflow);
    let neg = [
        Pair {
            a: -128,
            w: 127,
            thr: 0,
            last: false,
        },
        Pair {
            a: -128,
            w: 127,
            thr: 0,
            last: false,
        },
        Pair {
            a: -128,
            w: 127,
            thr: 0,
            last: false,
        },
        Pair {
            a: -128,
            w: 127,
            thr: 0,
            last: false,
        },
        Pair {
            a: -128,
            w: 8,
            thr: 0,
            last: true,
        },
    ];
    // -4 * 16256 - 1024 = -66048 < -65536.
    let r = run_stream(&cfg, &neg);
    assert!(r[0].overflow);
    assert_eq!(r[0].sum, -66048 + 131072);
}

#[test]
fn counters_wrap_at_cnt_bits() {
    let cfg = UnitConfig::builder()
        .acc_bits(17)
        .cnt_bits(8)
        .build()
        .unwrap();
    // 30 zero activations: 30 * 9 = 270 zero_a planes, 270 mod 256 = 14.
    let mut pairs: Vec<Pair> = (0..30)
        .map(|_| Pair {
            a: 0,
            w: 1,
            thr: 0,
            last: false,
        })
        .collect();
    pairs.last_mut().unwrap().last = true;
    let r = run_stream(&cfg, &pairs);
    assert_eq!(r[0].zero_a, 14);
    let wide = UnitConfig::default();
    assert_eq!(run_stream(&wide, &pairs)[0].zero_a, 270);
}

#[test]
fn random_streams_match_an_independent_reference() {
    // A second, differently written reference: the exact dot product minus
    // each sieved term, wrapped at the end (wrapping is a ring morphism).
    let mut rng = common::rng(1);
    for coding in Coding::ALL {
        for (a_bits, w_bits) in [(8, 8), (16, 16), (3, 11), (2, 2)] {
            let cfg = common::cfg(a_bits, w_bits, coding);
            let pairs = common::random_pairs(&cfg, 3000, 40, &mut rng);
            let results = run_stream(&cfg, &pairs);
            let mut it = results.iter();
            let mut sum = 0i128;
            let mut counts = 0u64;
            for p in &pairs {
                let r = sieve_pair(&cfg, p.a, p.w, p.thr);
                sum += r.product as i128;
                counts += r.counts.total();
                if p.last {
                    let v = it.next().unwrap();
                    let wrapped = sievingnet::model::stream::wrap_signed(sum, cfg.acc_bits());
                    assert_eq!(v.sum, wrapped, "seed {}", common::seed());
                    assert_eq!(v.zero_a + v.zero_w + v.sieved + v.kept, counts);
                    sum = 0;
                    counts = 0;
                }
            }
        }
    }
}

/// Each layer's input, fed to the rest of the network, gives the
/// whole network's logits (Iris 4-10-3: the hidden activations).
#[test]
fn layer_inputs_continue_to_the_same_logits() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iris_rom");
    let rom = sievingnet::rom::read_rom(&dir).unwrap();
    let mut hidden_nonzero = 0;
    for x in &rom.test_set.as_ref().unwrap().inputs {
        let inputs = rom.mlp.layer_inputs(x);
        assert_eq!(inputs.len(), rom.mlp.layers.len());
        assert_eq!(&inputs[0], x);
        let whole = rom.mlp.infer(x);
        for (li, input) in inputs.iter().enumerate() {
            assert_eq!(input.len(), rom.mlp.layers[li].inputs);
            let rest = sievingnet::model::mlp::IntMlp {
                unit: rom.mlp.unit,
                layers: rom.mlp.layers[li..].to_vec(),
            };
            assert_eq!(rest.infer(input).logits, whole.logits, "from layer {li}");
        }
        hidden_nonzero += inputs[1].iter().filter(|&&a| a != 0).count();
    }
    assert!(hidden_nonzero > 0, "the hidden activations are all zero");
}
