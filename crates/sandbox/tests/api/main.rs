//! Black-box tests: the sandbox router runs in-process on an ephemeral port and is
//! driven with a real HTTP client. Each test starts its own instance (fresh state).

mod common;

mod clover_exports;
mod clover_faults;
mod clover_limits;
mod connection_faults;
mod control;
mod embedding;
mod example_client;
mod files;
mod laterpay;
mod oauth;
mod process;
mod web;
