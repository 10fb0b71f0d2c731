//! The simulation engines behind `sievingnet dot --engine`.

pub mod verilog;
