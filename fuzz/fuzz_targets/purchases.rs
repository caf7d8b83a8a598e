//! A purchase-history body -> decode -> aggregate -> chart model -> CSV, with the
//! invariants of `crates/core/tests/support/pipeline.rs`. The first byte picks the
//! bucket size, the zone and the CSV style; the rest is the body.
#![no_main]

#[path = "../../crates/core/tests/support/pipeline.rs"]
mod pipeline;

use libfuzzer_sys::fuzz_target;
use merchant_console_core::purchases::BucketSize;
use merchant_console_core::zone::Zone;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let bucket = [BucketSize::Day, BucketSize::Week, BucketSize::Month][usize::from(pick % 3)];
    let zone = match (pick / 3) % 3 {
        0 => Zone::utc(),
        1 => Zone::fixed("UTC+05:30", 19_800),
        _ => Zone::fixed("UTC-10:00", -36_000),
    };
    pipeline::purchases(body, bucket, zone, pick & 0x40 != 0, pick & 0x80 != 0);
});
