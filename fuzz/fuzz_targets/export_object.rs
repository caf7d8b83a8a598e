//! A Clover export object (the create and poll answers) -> decode -> status, URLs, error
//! text, and the saved form read back, with the checks of
//! `crates/core/tests/support/pipeline.rs`.
#![no_main]

#[path = "../../crates/core/tests/support/pipeline.rs"]
mod pipeline;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        pipeline::export_object(text);
    }
});
