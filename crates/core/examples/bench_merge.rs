//! Benchmark of the export merge (BENCHMARKS.md, `scripts/bench.sh`): `files` synthetic
//! Clover order files of `per-file` orders each (shaped like the sandbox's), merged to CSV
//! by the core's `Merger` exactly as the app feeds it (one file at a time).
//!
//! ```sh
//! cargo run --release -p merchant-console-core --example bench_merge -- --files 100 --per-file 1000 --runs 5
//! ```
//!
//! Prints one JSON line: input and output bytes, the median wall time over the runs, the
//! throughput in MB/s of input (10^6 bytes per second), and the peak heap in use during a
//! merge, measured by a counting global allocator (heap bytes allocated and not yet freed,
//! above what was in use before the merge; the input files are generated beforehand and
//! counted separately as `input_bytes`).

use std::sync::atomic::Ordering;
use std::time::Instant;

use merchant_console_core::export::{ExportType, MergeOptions, Merger, OutputFormat};

#[path = "support/bench_support.rs"]
mod bench_support;
use bench_support::{Counting, Rng, IN_USE, PEAK};

#[global_allocator]
static GLOBAL: Counting = Counting;

impl Rng {
    fn id(&mut self) -> String {
        const A: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";
        (0..13)
            .map(|_| A[self.below(A.len() as u64) as usize] as char)
            .collect()
    }
}

const TITLES: [&str; 6] = [
    "Lunch",
    "Dinner for two",
    "Coffee & cake",
    "Take-away",
    "Table 7",
    "Bar tab",
];
const ITEMS: [&str; 6] = [
    "Espresso",
    "Flat white",
    "Club sandwich",
    "Soup of the day",
    "Cheesecake",
    "Sparkling water",
];

/// One export file body: `{"elements":[...]}` with `n` orders.
fn order_file(rng: &mut Rng, start_ms: i64, n: usize) -> String {
    let mut out = String::from("{\"elements\":[");
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let created = start_ms + (i as i64) * 60_000 + rng.below(50_000) as i64;
        let items = 1 + rng.below(4) as usize;
        let mut total = 0;
        let mut lines = String::new();
        for k in 0..items {
            let price = 150 + rng.below(2500) as i64;
            total += price;
            if k > 0 {
                lines.push(',');
            }
            lines.push_str(&format!(
                r#"{{"id":"{}","name":"{}","price":{price},"printed":true}}"#,
                rng.id(),
                ITEMS[rng.below(ITEMS.len() as u64) as usize]
            ));
        }
        let note = if rng.below(10) == 0 {
            "\"No onions, please\""
        } else {
            "\"\""
        };
        out.push_str(&format!(
            r#"{{"id":"{}","currency":"USD","total":{total},"paymentState":"PAID","state":"locked","payType":"FULL","title":"{}","note":{note},"createdTime":{created},"clientCreatedTime":{created},"modifiedTime":{},"employee":{{"id":"{}"}},"device":{{"id":"{}"}},"manualTransaction":false,"testMode":false,"lineItems":{{"elements":[{lines}]}}}}"#,
            rng.id(),
            TITLES[rng.below(TITLES.len() as u64) as usize],
            created + 30_000,
            rng.id(),
            rng.id(),
        ));
    }
    out.push_str("]}");
    out
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let files = arg(&args, "--files", 100);
    let per_file = arg(&args, "--per-file", 1000);
    let runs = arg(&args, "--runs", 5).max(1);

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = 1_735_689_600_000; // 2025-01-01T00:00:00Z
    let bodies: Vec<String> = (0..files)
        .map(|f| order_file(&mut rng, start + (f * per_file) as i64 * 60_000, per_file))
        .collect();
    let input_bytes: usize = bodies.iter().map(String::len).sum();
    let largest_file = bodies.iter().map(String::len).max().unwrap_or(0);

    let mut times = Vec::new();
    let mut output_bytes = 0;
    let mut rows = 0;
    let mut peak = 0;
    for _ in 0..runs {
        let base = IN_USE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = Instant::now();
        let mut merger = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Csv));
        for (i, body) in bodies.iter().enumerate() {
            merger.add_file(i, body).expect("synthetic file merges");
        }
        rows = merger.totals().added;
        let out = merger.finish();
        let elapsed = t.elapsed().as_secs_f64();
        output_bytes = out.len();
        peak = PEAK.load(Ordering::Relaxed) - base;
        drop(out);
        times.push(elapsed);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"files\":{files},\"per_file\":{per_file},\"rows\":{rows},\"runs\":{runs},\"input_bytes\":{input_bytes},\"largest_file_bytes\":{largest_file},\"output_bytes\":{output_bytes},\"median_ms\":{:.1},\"mb_per_s\":{:.1},\"peak_heap_bytes\":{peak}}}",
        median * 1000.0,
        input_bytes as f64 / median / 1e6
    );
}
