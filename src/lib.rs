//! SievingNet: a dot product computed bit-plane by bit-plane, where partial
//! products too small for the output are *sieved*.
//!
//! * [`config`]: the one configuration of a unit (SPEC section 1).
//! * [`model`]: the golden model (sections 2 to 5, and the integer MLP of 8).
//! * [`rom`]: the weight ROM of a trained network (section 8).
//! * [`vectors`]: the `dot` input file format (section 7).
//! * `rtl`, `export`, `engine` (feature `rtl`): the rust-hdl unit, its Verilog
//!   export (section 6) and the simulation engines behind `dot --engine`.

pub mod config;
#[cfg(feature = "rtl")]
pub mod eda;
#[cfg(feature = "rtl")]
pub mod engine;
#[cfg(feature = "rtl")]
pub mod export;
pub mod model;
pub mod rom;
#[cfg(feature = "rtl")]
pub mod rtl;
pub mod vectors;

pub use config::{Coding, ConfigError, UnitConfig};
