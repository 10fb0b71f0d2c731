//! The serial unit (one kept digit per clock) against the golden model:
//! every vector's sum, overflow flag and four counters, the cycle of every
//! result (`1 + max(1, kept)` edges after the vector's last pair, checked by
//! every stream run), and the clocks of every pair: back to back, pair `i+1`
//! is consumed exactly `max(1, kept_i)` edges after pair `i`. Random idle
//! cycles on `in_valid` against the unit's own `in_ready` lose no pair and
//! no result.

mod common;

use rand::Rng;
use sievingnet::config::{Coding, UnitConfig};
use sievingnet::design::Design;
use sievingnet::model::{expected_results, run_stream, Pair, VectorResult};
use sievingnet::presets::rtl_configs;
use sievingnet::rtl::sim::{self, Pacing};

const SERIAL: Design = Design::Serial { counters: true };

fn check(cfg: &UnitConfig, design: Design, pairs: &[Pair], pacing: &Pacing, what: &str) {
    let seed = common::seed();
    let got = sim::run_stream(cfg, design, pairs, pacing)
        .unwrap_or_else(|e| panic!("{what} {} (seed {seed}): {e:#}", cfg.tag()));
    let want = expected_results(cfg, pairs, &pacing.resets_before);
    assert_eq!(
        got.len(),
        want.len(),
        "{what} {}: result count (seed {seed})",
        cfg.tag()
    );
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let w = if design.counters() {
            *w
        } else {
            VectorResult {
                zero_a: 0,
                zero_w: 0,
                sieved: 0,
                kept: 0,
                ..*w
            }
        };
        assert_eq!(*g, w, "{what} {} vector {i} (seed {seed})", cfg.tag());
    }
}

/// Back to back, each pair occupies exactly the clocks the model predicts.
fn check_pair_cycles(cfg: &UnitConfig, pairs: &[Pair], what: &str) {
    let run = sim::run_stream_timed(cfg, SERIAL, pairs, &Pacing::default()).unwrap();
    assert_eq!(
        run.pair_cycles.len(),
        pairs.len(),
        "{what}: every pair consumed"
    );
    for (i, w) in run.pair_cycles.windows(2).enumerate() {
        assert_eq!(
            (w[1] - w[0]) as usize,
            SERIAL.pair_cycles(cfg, &pairs[i]),
            "{what} {}: pair {i} {:?} (seed {})",
            cfg.tag(),
            pairs[i],
            common::seed()
        );
    }
}

#[test]
fn exhaustive_4x4_every_threshold_both_codings() {
    for coding in Coding::ALL {
        let cfg = common::cfg(4, 4, coding);
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
        check(&cfg, SERIAL, &single, &Pacing::default(), "length one");
        check_pair_cycles(&cfg, &single, "length one");
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
        check(&cfg, SERIAL, &long, &pacing, "long with gaps");
        check_pair_cycles(&cfg, &long, "long");
    }
}

#[test]
fn random_every_preset_with_back_pressure_and_resets() {
    let mut rng = common::rng(21);
    for cfg in rtl_configs() {
        let pairs = common::random_pairs(&cfg, 6_000, 30, &mut rng);
        let resets: Vec<usize> = (0..10).map(|_| rng.gen_range(0..pairs.len())).collect();
        let pacing = Pacing {
            gap_probability: 0.3,
            seed: rng.gen(),
            resets_before: resets,
        };
        check(&cfg, SERIAL, &pairs, &pacing, "gaps and resets");
        check(&cfg, SERIAL, &pairs, &Pacing::default(), "back to back");
        check_pair_cycles(&cfg, &pairs[..2_000], "random");
        check(
            &cfg,
            Design::Serial { counters: false },
            &pairs[..2_000],
            &Pacing::default(),
            "no counters",
        );
    }
}

#[test]
fn overflow_comes_back_and_counters_wrap() {
    for coding in Coding::ALL {
        let cfg = UnitConfig::new(8, 8, 8, 17, 8, coding).unwrap();
        let pairs = common::overflow_and_wrap_pairs();
        let want = run_stream(&cfg, &pairs);
        assert!(want[0].overflow && !want[1].overflow);
        check(&cfg, SERIAL, &pairs, &Pacing::default(), "overflow");
    }
}

/// Near the top of the range the pair's whole product decides the flag
/// (SPEC section 5: `acc + p`), whatever its digits add on the way: one
/// more unit of product turns it on.
#[test]
fn overflow_is_about_the_pair_not_its_digits() {
    let cfg = UnitConfig::new(8, 8, 8, 17, 8, Coding::Ternary).unwrap();
    let mut pairs = Vec::new();
    for _ in 0..4 {
        pairs.push(Pair {
            a: 127,
            w: 127,
            thr: 0,
            last: false,
        });
    }
    // 4 * 16129 = 64516, 1019 below 2^16 - 1 = 65535. Then w = 127 is
    // +128 - 1 in NAF: a = 8 adds -8 and +1024 (the +1024 digit alone would
    // leave the range, the pair's 1016 does not); a = 9 adds 1143: out.
    pairs.push(Pair {
        a: 8,
        w: 127,
        thr: 0,
        last: true,
    });
    let want = run_stream(&cfg, &pairs);
    assert!(!want[0].overflow, "{:?}", want[0]);
    check(
        &cfg,
        SERIAL,
        &pairs,
        &Pacing::default(),
        "digits out, pair in",
    );
    pairs[4].a = 9;
    assert!(run_stream(&cfg, &pairs)[0].overflow);
    check(&cfg, SERIAL, &pairs, &Pacing::default(), "pair out");
}

#[test]
fn long_random_8x8_and_16x16() {
    let mut rng = common::rng(23);
    for coding in Coding::ALL {
        for bits in [8, 16] {
            let cfg = common::cfg(bits, bits, coding);
            let pairs = common::random_pairs(&cfg, 30_000, 64, &mut rng);
            check(&cfg, SERIAL, &pairs, &Pacing::default(), "long random");
        }
    }
}
