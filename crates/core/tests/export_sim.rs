//! Deterministic simulation of the export engine against a model of Clover (issue 12).
//! The world and its invariants: `sim/world.rs`; the Clover model: `sim/clover.rs`.
//!
//! * `cargo test -p merchant-console-core --test export_sim` runs 10 000 seeds.
//! * `SIM_SEED=1234 cargo test -p merchant-console-core --test export_sim -- --nocapture`
//!   replays one seed; a failure prints the seed's story (add `SIM_STORY=1` to print it
//!   for a seed that passes).
//! * `SIM_SEEDS=100000` runs more seeds (`SIM_FIRST=` where to start, `SIM_THREADS=` on
//!   how many threads: all cores by default).
//! * `cargo test -p merchant-console-core --test export_sim -- --ignored --nocapture`
//!   prints seeds per second and what the seeds measured.

mod sim;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use sim::Report;

const DEFAULT_SEEDS: u64 = 10_000;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Runs one seed; a panic is a failure like any other, with its seed.
fn run_seed(seed: u64, trace: bool) -> Result<Report, String> {
    match catch_unwind(AssertUnwindSafe(|| sim::run(seed, trace))) {
        Ok(r) => r,
        Err(p) => Err(format!(
            "panicked: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

/// Reports of the seeds that passed, and the seeds that failed with why.
type Outcomes = (Vec<Report>, Vec<(u64, String)>);

/// Runs `seeds` on every core.
fn run_many(seeds: std::ops::Range<u64>) -> Outcomes {
    let threads = env_u64("SIM_THREADS")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()) as u64)
        .max(1);
    let results: Vec<Outcomes> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let seeds = seeds.clone();
                s.spawn(move || {
                    let mut ok = Vec::new();
                    let mut failed = Vec::new();
                    for seed in seeds.filter(|s| s % threads == t) {
                        match run_seed(seed, false) {
                            Ok(r) => ok.push(r),
                            Err(e) => failed.push((seed, e)),
                        }
                    }
                    (ok, failed)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for (r, f) in results {
        reports.extend(r);
        failures.extend(f);
    }
    failures.sort_by_key(|f| f.0);
    (reports, failures)
}

fn summary(reports: &[Report]) -> String {
    let sum = |f: fn(&Report) -> u64| reports.iter().map(f).sum::<u64>();
    let max = |f: fn(&Report) -> i64| reports.iter().map(f).max().unwrap_or(0);
    format!(
        "{} seeds: {} steps, {} requests ({} creates), {} exports made, {} orphans from {} lost create answers ({} reported as suspected), {} chunks done, {} failed ({} for lost contact); {} reloads, {} takeovers, {} sleeps; at most {} requests of one merchant in a minute; longest end after recovery {} min (bound there {} min)",
        reports.len(),
        sum(|r| r.steps),
        sum(|r| r.requests),
        sum(|r| r.creates),
        sum(|r| r.exports_made),
        sum(|r| r.orphans),
        sum(|r| r.lost_create_answers),
        sum(|r| r.suspected_orphans),
        sum(|r| r.chunks_done),
        sum(|r| r.chunks_failed),
        sum(|r| r.lost_contact),
        sum(|r| r.reloads),
        sum(|r| r.takeovers),
        sum(|r| r.jumps),
        max(|r| r.max_per_minute as i64),
        max(|r| r.after_recovery_ms) / 60_000,
        reports
            .iter()
            .max_by_key(|r| r.after_recovery_ms)
            .map_or(0, |r| r.liveness_bound_ms / 60_000),
    )
}

#[test]
fn simulated_seeds_keep_every_invariant() {
    if let Some(seed) = env_u64("SIM_SEED") {
        match run_seed(seed, true) {
            Ok(r) => println!("seed {seed}: ok\n{r:#?}"),
            Err(e) => panic!("seed {seed}: {e}"),
        }
        return;
    }
    let n = env_u64("SIM_SEEDS").unwrap_or(DEFAULT_SEEDS);
    let first = env_u64("SIM_FIRST").unwrap_or(0);
    // Failures report themselves below, with their seeds; no panic noise per seed.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let (reports, failures) = run_many(first..first + n);
    let secs = started.elapsed().as_secs_f64();
    std::panic::set_hook(hook);
    println!(
        "export_sim: {n} seeds in {secs:.1} s ({:.0} seeds/s)\n{}",
        n as f64 / secs,
        summary(&reports)
    );
    if let Some((seed, first)) = failures.first() {
        let seeds: Vec<String> = failures.iter().take(20).map(|f| f.0.to_string()).collect();
        panic!(
            "{} of {n} seeds failed (first: {}). Seed {seed}: {first}\nReplay one with: SIM_SEED={seed} cargo test -p merchant-console-core --test export_sim -- --nocapture",
            failures.len(),
            seeds.join(", ")
        );
    }
}

/// Seeds per second on one thread, and what the seeds measured.
#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn bench_seeds_per_second() {
    let n = env_u64("SIM_SEEDS").unwrap_or(DEFAULT_SEEDS);
    let started = Instant::now();
    let mut reports = Vec::new();
    let mut failed = 0;
    let mut slowest: Vec<(f64, u64, u64)> = Vec::new();
    for seed in 0..n {
        let t = Instant::now();
        match run_seed(seed, false) {
            Ok(r) => {
                slowest.push((t.elapsed().as_secs_f64() * 1000.0, seed, r.steps));
                reports.push(r)
            }
            Err(_) => failed += 1,
        }
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top: Vec<String> = slowest
        .iter()
        .take(10)
        .map(|(ms, seed, steps)| format!("seed {seed}: {ms:.1} ms, {steps} steps"))
        .collect();
    println!("slowest: {}", top.join("; "));
    let secs = started.elapsed().as_secs_f64();
    println!(
        "export_sim bench: {n} seeds on one thread in {secs:.2} s = {:.0} seeds/s ({failed} failed)\n{}",
        n as f64 / secs,
        summary(&reports)
    );
}
