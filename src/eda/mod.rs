//! EDA flows: the iCE40 area and timing comparison of the sieving unit with
//! the exact multiply-accumulate baseline (`sievingnet area`).
//!
//! * [`area`]: the flow, step by step, and the report files;
//! * [`yosys`], [`nextpnr`]: the tool steps;
//! * [`wrapper`]: the register wrapper that makes Fmax register to register;
//! * [`report`]: the report's data; [`markdown`] and [`plot`] render it;
//! * [`designs`]: what to measure (exported with [`crate::export`]);
//! * [`accelerator`]: the whole-network accelerator's flow (`sievingnet area-mlp`).
//!
//! Imports go one way (`tests/layering.rs` checks): `area` uses the steps
//! and the renderers; they use `designs` and `report`; nothing uses `area`.

pub mod accelerator;
pub mod area;
pub mod designs;
pub mod markdown;
pub mod nextpnr;
pub mod plot;
pub mod report;
pub mod wrapper;
pub mod yosys;

pub use area::{run_area, write_report};
pub use designs::{default_designs, design_from_manifest, AreaDesign, AreaOptions};
pub use report::{AreaReport, Device};
