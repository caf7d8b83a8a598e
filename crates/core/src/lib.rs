//! Merchant Console core: everything that decides *what* to do, with no I/O.
//!
//! The browser app performs the HTTP calls, timers and storage and feeds results back in.
//! Time is always passed in as epoch milliseconds (`Millis`); nothing here reads a clock.

pub mod base64;
pub mod chart;
pub mod civil;
pub mod credentials;
pub mod csv_writer;
pub mod embed;
pub mod export;
pub mod html;
pub mod oauth;
pub mod purchases;
pub mod range;
pub mod runtime_config;
pub mod url_gate;
pub mod view_state;
pub mod zone;

/// Milliseconds since the Unix epoch, UTC: the unit of every Clover time.
pub type Millis = i64;
