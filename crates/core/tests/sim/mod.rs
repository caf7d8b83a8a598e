//! Deterministic simulation of the export engine: an [`ExportQueue`] driven as the app
//! drives it (`handle_timeout`, `next_action`, `on_response`, `next_wakeup`) against a
//! model of Clover ([`clover`]), with faults, sleeping laptops, reloads, a second tab and
//! a person clicking, all drawn from one seed. [`run`] checks the invariants after every
//! step and returns what it measured, or the first violation.

pub mod clover;
pub mod rng;
pub mod world;

pub use world::{run, Report};
