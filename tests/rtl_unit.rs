//! The rust-hdl unit against the golden model: every vector's sum, overflow
//! flag and four counters, and the cycle on which `out_valid` rises (every
//! stream run checks each result's cycle against the latency, then runs
//! idle cycles so an extra result fails).

mod common;

use rand::Rng;
use rust_hdl::prelude::Block;
use sievingnet::config::{Coding, UnitConfig};
use sievingnet::model::{expected_results, run_stream, Pair};
use sievingnet::presets::rtl_configs;
use sievingnet::rtl::mac_baseline::ExactMac;
use sievingnet::rtl::sim::{self, Pacing, PortsIn};
use sievingnet::rtl::Design;

const SIEVE: Design = Design::Sieve { counters: true };

fn check(cfg: &UnitConfig, design: Design, pairs: &[Pair], pacing: &Pacing, what: &str) {
    // run_stream also holds every result to the design's latency.
    let got = sim::run_stream(cfg, design, pairs, pacing)
        .unwrap_or_else(|e| panic!("{what} {} (seed {}): {e:#}", cfg.tag(), common::seed()));
    let want = expected_results(cfg, pairs, &pacing.resets_before);
    assert_eq!(got.len(), want.len(), "{what} {}: result count", cfg.tag());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let w = match design {
            Design::Sieve { counters: false } => sievingnet::model::VectorResult {
                zero_a: 0,
                zero_w: 0,
                sieved: 0,
                kept: 0,
                ..*w
            },
            _ => *w,
        };
        assert_eq!(
            *g,
            w,
            "{what} {} vector {i} (seed {})",
            cfg.tag(),
            common::seed()
        );
    }
}

#[test]
fn exhaustive_4x4_every_threshold_both_codings() {
    for coding in Coding::ALL {
        let cfg = common::cfg(4, 4, coding);
        // Every (a, w, thr) as a vector of length one, back to back ...
        let mut single = Vec::new();
        for thr in -2..=10 {
            for a in -8..=7 {
                for w in -8..=7 {
                    single.push(Pair {
                        a,
                        w,
                        thr,
                        last: true,
                    });
                }
            }
        }
        check(&cfg, SIEVE, &single, &Pacing::default(), "length one");
        // ... and as long vectors with random gaps.
        let long: Vec<Pair> = single
            .iter()
            .enumerate()
            .map(|(i, p)| Pair {
                last: i % 256 == 255,
                ..*p
            })
            .collect();
        let pacing = Pacing {
            gap_probability: 0.3,
            seed: common::seed(),
            ..Default::default()
        };
        check(&cfg, SIEVE, &long, &pacing, "long");
    }
}

#[test]
fn random_every_supported_configuration_with_gaps() {
    let mut rng = common::rng(2);
    for cfg in rtl_configs() {
        let pairs = common::random_pairs(&cfg, 20_000, 30, &mut rng);
        let pacing = Pacing {
            gap_probability: 0.25,
            seed: rng.gen(),
            ..Default::default()
        };
        check(&cfg, SIEVE, &pairs, &pacing, "random");
        check(&cfg, SIEVE, &pairs, &Pacing::default(), "back to back");
    }
}

#[test]
fn random_8x8_and_16x16_long() {
    let mut rng = common::rng(3);
    for coding in Coding::ALL {
        for bits in [8, 16] {
            let cfg = common::cfg(bits, bits, coding);
            let pairs = common::random_pairs(&cfg, 100_000, 64, &mut rng);
            check(&cfg, SIEVE, &pairs, &Pacing::default(), "long random");
        }
    }
}

#[test]
fn overflow_and_counter_wrap_at_small_widths() {
    for coding in Coding::ALL {
        let cfg = UnitConfig::new(8, 8, 8, 17, 8, coding).unwrap();
        let pairs = common::overflow_and_wrap_pairs();
        let want = run_stream(&cfg, &pairs);
        assert!(want[0].overflow && !want[1].overflow);
        assert_eq!(want[2].zero_a, 300 * cfg.planes() as u64 % 256);
        check(&cfg, SIEVE, &pairs, &Pacing::default(), "overflow");
    }
}

#[test]
fn reset_in_mid_vector_drops_the_partial_vector() {
    let mut rng = common::rng(4);
    for coding in Coding::ALL {
        let cfg = common::cfg(8, 8, coding);
        let pairs = common::random_pairs(&cfg, 5_000, 20, &mut rng);
        let resets: Vec<usize> = (0..40).map(|_| rng.gen_range(0..pairs.len())).collect();
        let pacing = Pacing {
            gap_probability: 0.2,
            seed: 9,
            resets_before: resets,
        };
        check(&cfg, SIEVE, &pairs, &pacing, "resets");
    }
}

/// The exact MAC at the MAC-only presets, in rust-hdl, against the model's
/// exact stream (nothing sieved), overflow included.
#[test]
fn mac_presets_match_the_exact_model() {
    let mut rng = common::rng(6);
    for p in sievingnet::presets::MAC_PRESETS {
        let cfg = p.config(sievingnet::Coding::Ternary);
        let pairs = common::unsieved(&cfg, &common::random_pairs(&cfg, 5_000, 16, &mut rng));
        let got = sim::run_stream(&cfg, Design::ExactMac, &pairs, &Pacing::default()).unwrap();
        let want = run_stream(&cfg, &pairs);
        assert_eq!(got.len(), want.len(), "{}", p.name);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.sum, g.overflow), (w.sum, w.overflow), "{}", p.name);
        }
    }
}

#[test]
fn no_counters_and_exact_baseline() {
    let mut rng = common::rng(5);
    for cfg in rtl_configs() {
        let pairs = common::random_pairs(&cfg, 5_000, 16, &mut rng);
        check(
            &cfg,
            Design::Sieve { counters: false },
            &pairs,
            &Pacing::default(),
            "no counters",
        );
        // The baseline is the exact product: the model with T = min (nothing sieved).
        let exact = common::unsieved(&cfg, &pairs);
        let got = sim::run_stream(&cfg, Design::ExactMac, &pairs, &Pacing::default()).unwrap();
        let want = run_stream(&cfg, &exact);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (g.sum, g.overflow, g.kept),
                (w.sum, w.overflow, 0),
                "{}",
                cfg.tag()
            );
        }
    }
}

#[test]
fn out_valid_rises_latency_cycles_after_the_last_pair() {
    for cfg in rtl_configs() {
        for design in [SIEVE, Design::ExactMac] {
            let latency = design.latency(&cfg);
            let mut uut = sim::build(&cfg, design).unwrap();
            uut.apply(&PortsIn {
                reset: true,
                ..Default::default()
            });
            uut.clock();
            // Vectors of lengths 1, 1, 3, 1 back to back, then idle.
            let lasts = [true, true, false, false, true, true];
            let mut valid_cycles = Vec::new();
            for cycle in 0..(lasts.len() + latency + 5) {
                let inp = match lasts.get(cycle) {
                    Some(&last) => PortsIn {
                        in_valid: true,
                        a: 3,
                        w: 5,
                        thr: 0,
                        last,
                        ..Default::default()
                    },
                    None => PortsIn::default(),
                };
                assert!(uut.apply(&inp), "in_ready must stay high");
                let out = uut.clock();
                if out.out_valid {
                    valid_cycles.push(cycle);
                    assert_eq!(
                        out.result.sum,
                        if valid_cycles.len() == 3 { 45 } else { 15 }
                    );
                }
            }
            let want: Vec<usize> = [0, 1, 4, 5].iter().map(|c| c + latency).collect();
            assert_eq!(valid_cycles, want, "{} {}", cfg.tag(), design.name());
        }
    }
}

/// The accelerator's MAC lane variants (one product; shift-add products)
/// at `W`-bit weights, in rust-hdl with random gaps, against the model's
/// exact stream, overflow included.
fn check_product_variants<const W: usize, const PW: usize>(salt: u64) {
    type Lane<const W: usize, const PW: usize> = ExactMac<8, W, 8, 32, 32, PW>;
    let cfg = UnitConfig::new(8, W as u32, 8, 32, 32, Coding::Ternary).unwrap();
    let mut rng = common::rng(salt);
    let pairs = common::unsieved(&cfg, &common::random_pairs(&cfg, 3_000, 16, &mut rng));
    let want = run_stream(&cfg, &pairs);
    let variants = [
        ("split", Lane::<W, PW>::new(&cfg)),
        ("split, shift-add", Lane::<W, PW>::new(&cfg).lut_products()),
        ("single", Lane::<W, PW>::new(&cfg).single_product()),
        (
            "single, shift-add",
            Lane::<W, PW>::new(&cfg).single_product().lut_products(),
        ),
    ];
    for (name, mut unit) in variants {
        unit.connect_all();
        let pacing = Pacing {
            gap_probability: 0.2,
            seed: common::seed() ^ salt,
            resets_before: Vec::new(),
        };
        let got = sim::run_unit(Box::new(unit), &cfg, Design::ExactMac, &pairs, &pacing).unwrap();
        assert_eq!(got.len(), want.len(), "{name}, w_bits {W}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (g.sum, g.overflow),
                (w.sum, w.overflow),
                "{name}, w_bits {W}"
            );
        }
    }
}

#[test]
fn product_variants_are_exact() {
    check_product_variants::<4, 12>(41);
    check_product_variants::<8, 16>(42);
}
