//! The golden model: a naive, obviously right reference of the sieve.
//!
//! It mirrors the hardware's stages, one file each:
//! [`exponent`](mod@exponent) (leading one of |a|), [`digits`] (weight recoder),
//! [`sieve`] (plane comparator and shift-add of one pair), [`stream`]
//! (the dot-product stream with its wrapping accumulator and counters),
//! [`running_sum`] (the whole-vector threshold variants the trainer uses),
//! [`mlp`] (integer MLP inference of a weight ROM) and [`cost`] (the one
//! cost model every report uses). Everything else in the
//! project (RTL, exported Verilog, the trainer's fast kernels) is tested
//! against these functions, never the other way round.

pub mod cost;
pub mod digits;
pub mod exponent;
pub mod mlp;
pub mod running_sum;
pub mod sieve;
pub mod stream;

pub use cost::{Cost, Work};
pub use digits::{weight_digits, Digits};
pub use exponent::exponent;
pub use sieve::{sieve_pair, PairResult, PlaneClass, PlaneCounts};
pub use stream::{
    expected_results, run_stream, run_stream_counting, DotStream, Pair, VectorResult,
};
