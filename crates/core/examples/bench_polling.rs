//! Export polling at real speed, simulated (BENCHMARKS.md, `scripts/bench.sh`): the app's
//! poll schedule (`PollSchedule::default()`) against the sandbox's lifecycle (`PENDING`
//! for `--pending-ms`, then a percentage rising 0..99 over `--processing-ms`, then `DONE`),
//! with responses taken as instant. The browser run of the benchmark checks the same
//! schedule against the real sandbox, time-scaled.
//!
//! ```sh
//! cargo run --release -p merchant-console-core --example bench_polling -- --processing-ms 300000
//! ```
//!
//! Prints one JSON line: polls until `DONE` is seen, how long after the export finished
//! that poll came, and the longest gap between two polls. `--trace` also prints every
//! poll (time, status seen, next gap) to stderr.

use merchant_console_core::export::poll::{PollSchedule, ProgressMark};

fn arg(args: &[String], name: &str, default: i64) -> i64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pending = arg(&args, "--pending-ms", 1_000);
    let processing = arg(&args, "--processing-ms", 300_000).max(1);
    let finish = pending + processing;
    // The sandbox's status at `t` ms after the create: None once DONE.
    let mark_at = |t: i64| -> Option<ProgressMark> {
        if t >= finish {
            None
        } else if t < pending {
            Some(ProgressMark {
                started: false,
                percent: 0,
            })
        } else {
            let percent = ((t - pending) * 100 / processing).min(99) as u8;
            Some(ProgressMark {
                started: true,
                percent,
            })
        }
    };
    let trace = args.iter().any(|a| a == "--trace");
    let schedule = PollSchedule::default();
    let mut state = schedule.start(mark_at(0).expect("pending at first"), 0);
    let (mut polls, mut last, mut max_gap) = (0, 0, 0);
    loop {
        let t = state.next_poll_at;
        polls += 1;
        max_gap = max_gap.max(t - last);
        last = t;
        match mark_at(t) {
            Some(mark) => {
                schedule.observe(&mut state, mark, t);
                if trace {
                    eprintln!(
                        "poll {polls:3} at {t:8} ms: {:>3} %{}, next in {} ms",
                        mark.percent,
                        if mark.started { "" } else { " (pending)" },
                        state.next_poll_at - t
                    );
                }
            }
            None => {
                if trace {
                    eprintln!("poll {polls:3} at {t:8} ms: DONE");
                }
                println!(
                    "{{\"pending_ms\":{pending},\"processing_ms\":{processing},\"polls\":{polls},\"done_to_seen_ms\":{},\"max_gap_ms\":{max_gap}}}",
                    t - finish
                );
                return;
            }
        }
    }
}
