//! Sieve-aware MLP training for SievingNet.
//!
//! * [`data`]: MNIST (IDX, plain or gzip), Iris and 8x8 digits (CSV).
//! * [`kernel`]: the fast batched integer inference, bit-exact with the
//!   golden model's `IntMlp::infer` (tested against it).
pub mod data;
pub mod kernel;
