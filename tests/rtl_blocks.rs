//! Each RTL block on its own: exhaustive against the golden model's stage
//! of the same name, and synthesizable (Yosys reads and elaborates it).

mod common;

use rand::Rng;
use rust_hdl::prelude::*;
use sievingnet::config::Coding;
use sievingnet::model::{exponent, weight_digits};
use sievingnet::rtl::adder_tree::{tree_latency, AdderTree};
use sievingnet::rtl::comparator::PlaneComparator;
use sievingnet::rtl::exponent::{LeadingOne, SignedExponent};
use sievingnet::rtl::popcount::PopCount;
use sievingnet::rtl::recoder::DigitRecoder;

fn settle<B: Block>(b: &mut B) {
    assert!(simulate(b, 100), "did not converge");
}

fn leading_one_exhaustive<const A: usize, const EB: usize>() {
    let mut b = LeadingOne::<A, EB>::default();
    b.connect_all();
    for m in 1..(1u64 << A) {
        b.mag.next = m.into();
        settle(&mut b);
        assert_eq!(
            b.e.val().to_u64(),
            exponent(m as i64).unwrap() as u64,
            "mag = {m}"
        );
    }
    yosys_validate(&format!("blocks_lod_{A}"), &generate_verilog(&b)).unwrap();
}

#[test]
fn leading_one_every_magnitude() {
    leading_one_exhaustive::<4, 2>();
    leading_one_exhaustive::<8, 3>();
    leading_one_exhaustive::<16, 4>();
}

fn signed_exponent_exhaustive<const A: usize, const EB: usize>() {
    let mut b = SignedExponent::<A, EB>::default();
    b.connect_all();
    let half = 1i64 << (A - 1);
    for a in -half..half {
        b.a.next = ((a as u64) & ((1u64 << A) - 1)).into();
        settle(&mut b);
        // Zero has no exponent; the block gives 0, as LeadingOne does.
        assert_eq!(
            b.e.val().to_u64(),
            exponent(a).unwrap_or(0) as u64,
            "a = {a}"
        );
    }
    yosys_validate(&format!("blocks_signed_exp_{A}"), &generate_verilog(&b)).unwrap();
}

#[test]
fn signed_exponent_every_activation() {
    signed_exponent_exhaustive::<4, 2>();
    signed_exponent_exhaustive::<8, 3>();
    signed_exponent_exhaustive::<16, 4>();
}

fn recoder_exhaustive<const W: usize>(coding: Coding) {
    let mut b = DigitRecoder::<W>::new(coding == Coding::Ternary);
    b.connect_all();
    let half = 1i64 << (W - 1);
    for w in -half..half {
        b.w.next = ((w as u64) & ((1u64 << W) - 1)).into();
        settle(&mut b);
        let d = weight_digits(w, W as u32, coding);
        assert_eq!(b.negative.val(), w < 0, "w = {w}");
        let (pos, neg) = (b.pos.val().to_u64(), b.neg.val().to_u64());
        assert_eq!(pos & neg, 0);
        for k in 0..W {
            let digit = ((pos >> k) & 1) as i8 - ((neg >> k) & 1) as i8;
            assert_eq!(digit, d.d[k], "w = {w} plane {k} {coding}");
        }
        // The ternary coding's extra plane W never holds a digit.
        assert_eq!(d.d[W], 0, "w = {w}: NAF digit on plane {W}");
    }
    yosys_validate(
        &format!("blocks_recoder_{W}_{coding}"),
        &generate_verilog(&b),
    )
    .unwrap();
}

#[test]
fn recoder_every_weight_both_codings() {
    for coding in Coding::ALL {
        recoder_exhaustive::<4>(coding);
        recoder_exhaustive::<8>(coding);
        recoder_exhaustive::<16>(coding);
    }
}

fn comparator_exhaustive<const W: usize, const VW: usize>(
    t_bits: usize,
    exp_bits: usize,
    a_bits: usize,
) {
    let mut b = PlaneComparator::<W, VW>::new(t_bits, exp_bits);
    b.connect_all();
    let half = 1i64 << (t_bits - 1);
    for thr in -half..half {
        for e in 0..a_bits as i64 {
            let v = (thr + half) + ((1i64 << exp_bits) - 1 - e);
            b.v.next = (v as u64).into();
            settle(&mut b);
            let keep = b.keep.val().to_u64();
            for k in 0..W as i64 {
                assert_eq!(
                    (keep >> k) & 1 == 1,
                    e + k >= thr,
                    "thr {thr} e {e} plane {k}"
                );
            }
        }
    }
    yosys_validate(&format!("blocks_cmp_{W}"), &generate_verilog(&b)).unwrap();
}

#[test]
fn comparator_every_threshold_and_exponent() {
    comparator_exhaustive::<4, 9>(8, 2, 4);
    comparator_exhaustive::<8, 9>(8, 3, 8);
    comparator_exhaustive::<16, 9>(8, 4, 16);
}

fn tree_random<const W: usize, const PW: usize, const HN: usize>() {
    let mut rng = common::rng(W as u64);
    let mut b = AdderTree::<W, PW, HN>::default();
    b.connect_all();
    let mask = (1u64 << PW) - 1;
    let lat = tree_latency(W);
    // Leaf k takes row k when load[k]; the others clear or hold.
    let mut leaves = vec![0u64; W];
    let mut sums = Vec::new();
    let (mut holds, mut clears) = (0, 0);
    for cycle in 0..3000 {
        let rows: Vec<u64> = (0..W).map(|_| rng.gen::<u64>() & mask).collect();
        let load: Vec<bool> = (0..W).map(|_| rng.gen_range(0..3) != 0).collect();
        let clear = rng.gen_bool(0.5);
        for k in 0..W {
            if load[k] {
                leaves[k] = rows[k];
            } else if clear {
                leaves[k] = 0;
                clears += 1;
            } else {
                holds += 1;
            }
        }
        sums.push(leaves.iter().fold(0u64, |s, r| s.wrapping_add(*r)) & mask);
        for k in 0..W {
            b.rows[k].next = rows[k].into();
            b.load[k].next = load[k];
        }
        b.clear.next = clear;
        b.clock.next = false.into();
        settle(&mut b);
        b.clock.next = true.into();
        settle(&mut b);
        if cycle + 1 >= lat {
            assert_eq!(
                b.sum.val().to_u64(),
                sums[cycle + 1 - lat],
                "cycle {cycle} seed {}",
                common::seed()
            );
        }
    }
    assert!(
        holds > 500 && clears > 500,
        "the stream must hold and clear leaves often"
    );
    yosys_validate(&format!("blocks_tree_{W}"), &generate_verilog(&b)).unwrap();
}

#[test]
fn adder_tree_sums_every_cycle() {
    tree_random::<4, 8, 7>();
    tree_random::<8, 16, 15>();
    tree_random::<16, 32, 31>();
}

fn popcount_exhaustive<const W: usize, const CW: usize, const HN: usize>() {
    let mut b = PopCount::<W, CW, HN>::default();
    b.connect_all();
    for x in 0..(1u64 << W) {
        b.bits.next = x.into();
        settle(&mut b);
        assert_eq!(
            b.count.val().to_u64(),
            x.count_ones() as u64,
            "bits = {x:#b}"
        );
    }
    yosys_validate(&format!("blocks_popcount_{W}"), &generate_verilog(&b)).unwrap();
}

#[test]
fn popcount_every_input() {
    popcount_exhaustive::<4, 3, 7>();
    popcount_exhaustive::<8, 4, 15>();
    popcount_exhaustive::<16, 5, 31>();
}
