//! SievingNet: a dot product computed bit-plane by bit-plane, where partial
//! products too small for the output are *sieved*.
//!
//! Layers, from the ground up (a module imports only from its own layer or
//! below; `tests/layering.rs` checks it):
//!
//! 1. the ground: [`config`] (the one configuration of a unit, SPEC section
//!    1), [`design`] (what hardware to build and its timing), [`presets`]
//!    (the named configurations), [`model`] (the golden model, sections 2 to
//!    5 and 8), [`rom`] (the weight ROM), [`vectors`] (the `dot` input
//!    format), and the utilities [`files`], [`seed`], [`toolchain`];
//!    beside [`rom`], [`dataflow`]: lane schedules of accelerator dataflows
//!    counted on a ROM's samples;
//! 2. `rtl` and `export` (feature `rtl`): the rust-hdl unit and its Verilog
//!    export (section 6);
//! 3. `engine`: the simulators behind `dot --engine` and `infer`;
//! 4. `eda`: the Yosys/nextpnr area flow;
//! 5. `power`: switching activity of the mapped units on real streams;
//! 6. the command line (`src/cli`, in the binary).

pub mod config;
pub mod dataflow;
pub mod design;
#[cfg(feature = "rtl")]
pub mod eda;
#[cfg(feature = "rtl")]
pub mod engine;
#[cfg(feature = "rtl")]
pub mod export;
pub mod files;
pub mod model;
#[cfg(feature = "rtl")]
pub mod power;
pub mod presets;
pub mod rom;
#[cfg(feature = "rtl")]
pub mod rtl;
pub mod seed;
pub mod toolchain;
pub mod vectors;

pub use config::{Coding, ConfigError, UnitConfig};
