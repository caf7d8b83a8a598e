//! Arbitrary export-file bodies -> `Merger` -> CSV (both styles), JSON and NDJSON, with
//! the checks of `crates/core/tests/support/pipeline.rs`. The first byte picks the export
//! type and CSV style; the rest is split into up to eight bodies at each 0xFF byte (never
//! part of UTF-8 text), and each body is read as the app reads a download (lossy UTF-8).
#![no_main]

#[path = "../../crates/core/tests/support/pipeline.rs"]
mod pipeline;

use libfuzzer_sys::fuzz_target;
use merchant_console_core::export::ExportType;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let bodies: Vec<String> = rest
        .split(|&b| b == 0xFF)
        .take(8)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let export_type = if pick & 1 == 0 {
        ExportType::Orders
    } else {
        ExportType::Payments
    };
    pipeline::merge(&bodies, export_type, pick & 2 != 0, pick & 4 != 0);
});
