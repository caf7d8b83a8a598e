//! Native benchmark of the purchase-history pipeline (BENCHMARKS.md, issue 15): decode of
//! sandbox-shaped month bodies, then the dashboard's two `summarize` calls, and the heap
//! the loaded purchases keep.
//!
//! ```sh
//! cargo run --release -p merchant-console-core --example bench_history -- --days 200 --runs 5
//! ```
//!
//! `--days N` days of 1,000 purchases (N/2 in the span, N/2 in its previous period),
//! bodies of 30 days each like the app's month requests. Prints one JSON line: body
//! bytes, median decode and aggregate times, MB/s, and heap bytes per loaded purchase
//! (heap in use after the load, counted by a global allocator wrapper, bodies freed).
//! Native pointers are 8 bytes, wasm32's 4: `purchase_size` says what one record is here.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Instant;

use jiff::civil::date;
use merchant_console_core::purchases::{
    parse_response, summarize, AggregateOptions, LocalSpan, Purchase,
};
use merchant_console_core::zone::Zone;

#[path = "support/bench_support.rs"]
mod bench_support;
use bench_support::{Counting, Rng, IN_USE, PEAK};

#[global_allocator]
static GLOBAL: Counting = Counting;

impl Rng {
    /// Skewed towards 0, like the sandbox's heavy buyers and popular articles.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (u * u * n as f64) as u64
    }
}

fn datetime(out: &mut String, secs: i64) {
    let days = secs.div_euclid(86_400);
    let d = date(1970, 1, 1) + jiff::Span::new().days(days);
    let s = secs.rem_euclid(86_400);
    let _ = write!(
        out,
        "{}T{:02}:{:02}:{:02}",
        d,
        s / 3600,
        s / 60 % 60,
        s % 60
    );
}

/// One body of `days` days of 1,000 purchases from `first_day` (days since 1970), in the
/// sandbox's record shape (~360 bytes each).
fn body(first_day: i64, days: i64, rng: &mut Rng) -> String {
    let mut out = String::from(r#"{"status":"ok","data":["#);
    for day in first_day..first_day + days {
        for i in 0..1000 {
            if out.len() > 24 {
                out.push(',');
            }
            let t = day * 86_400 + i * 86;
            let article = 1_000_000 + rng.skewed(500) * 7919;
            let (sales, title, price) = match rng.below(10) {
                0..=5 => (
                    "Single Purchase",
                    format!("Generated Article ID {article}"),
                    199,
                ),
                6 => ("Time Pass", "7 Day Pass".to_string(), 299),
                7 | 8 => ("Subscription", "Monthly Subscription".to_string(), 499),
                _ => ("Contribution", "Contribution".to_string(), 100),
            };
            let pay = if rng.below(3) == 0 {
                "Pay Later"
            } else {
                "Pay Now"
            };
            let _ = write!(
                out,
                r#"{{"payment_model":"{pay}","sales_model":"{sales}","price":{price},"title":"{title}","expiry_date":"","item_url":"http://example.com/article-{article}","purchase_date":""#
            );
            datetime(&mut out, t);
            let user = rng.skewed(2000);
            let _ = write!(
                out,
                r#"+00:00","shared_user_id":"{:08x}-1d63-406f-b0d8-{:012x}","payment_date":""#,
                user * 2_654_435_761 % (1 << 32),
                user * 40_503
            );
            datetime(&mut out, t);
            let _ = write!(
                out,
                r#".{:06}+00:00","article_id":"{article}"}}"#,
                i * 7 % 1_000_000
            );
        }
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

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let days = arg(&args, "--days", 200).max(2) as i64 / 2 * 2;
    let runs = arg(&args, "--runs", 5).max(1);
    let first = 20_000; // 2024-10-04
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let bodies: Vec<String> = (0..days)
        .step_by(30)
        .map(|d| body(first + d, (days - d).min(30), &mut rng))
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let half = days / 2;
    let day = |n: i64| date(1970, 1, 1) + jiff::Span::new().days(n);
    let span = LocalSpan::new(day(first + half), day(first + days - 1), Zone::utc());
    let opts = AggregateOptions::new(&span, 0, "EUR");

    let (mut decode_ms, mut aggregate_ms, mut retained, mut peak) = (vec![], vec![], 0, 0);
    let mut loaded = 0;
    for _ in 0..runs {
        let before = IN_USE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let t0 = Instant::now();
        let mut all: Vec<Vec<Purchase>> = Vec::new();
        for b in &bodies {
            let mut d = parse_response(b.as_bytes()).expect("decodes");
            d.purchases.shrink_to_fit();
            all.push(d.purchases);
        }
        decode_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        retained = IN_USE.load(Ordering::Relaxed) - before;
        peak = PEAK.load(Ordering::Relaxed) - before;
        loaded = all.iter().map(Vec::len).sum::<usize>();
        let t1 = Instant::now();
        let s = summarize(all.iter().flatten(), &span, &opts);
        let p = summarize(all.iter().flatten(), &span.previous(), &opts);
        aggregate_ms.push(t1.elapsed().as_secs_f64() * 1e3);
        assert!(s.totals.purchases > 0 && p.totals.purchases > 0);
    }
    let (d, a) = (median(decode_ms), median(aggregate_ms));
    println!(
        "{{\"loaded\":{loaded},\"bodies\":{},\"body_bytes\":{bytes},\"decode_ms\":{d:.1},\"decode_mb_per_s\":{:.0},\"aggregate_ms\":{a:.1},\"retained_bytes_per_purchase\":{:.1},\"peak_heap_bytes\":{peak},\"purchase_size\":{}}}",
        bodies.len(),
        bytes as f64 / 1e3 / d,
        retained as f64 / loaded as f64,
        std::mem::size_of::<Purchase>()
    );
}
