//! User Timing marks and measures for the benchmarks (`scripts/bench.sh`, BENCHMARKS.md).
//!
//! Names are stable: `mc-interactive` (a mark), `mc-history-fetch`, `mc-history-decode`,
//! `mc-history-aggregate` and `mc-history-render` (measures, one entry per run of the step).
//! Without a `performance` object (never in a browser) every call does nothing.

use std::cell::Cell;

thread_local! {
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

fn performance() -> Option<web_sys::Performance> {
    web_sys::window().and_then(|w| w.performance())
}

/// Places a mark named `name` now.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// A step being timed; [`Span::end`] records it as a measure named after the step.
pub struct Span {
    name: &'static str,
    start: String,
}

/// Starts timing a step (a uniquely named start mark, so steps may overlap).
pub fn start(name: &'static str) -> Span {
    let n = NEXT.with(|c| {
        c.set(c.get().wrapping_add(1));
        c.get()
    });
    let start = format!("{name}#{n}");
    mark(&start);
    Span { name, start }
}

impl Span {
    /// Records the measure from the start mark to now, and drops the start mark.
    pub fn end(self) {
        if let Some(p) = performance() {
            let _ = p.measure_with_start_mark(self.name, &self.start);
            p.clear_marks_with_mark_name(&self.start);
        }
    }
}

thread_local! {
    static RENDER: std::cell::RefCell<Option<Span>> = const { std::cell::RefCell::new(None) };
}

/// Starts `mc-history-render`: from the loaded purchases to the dashboard in the page.
pub fn render_started() {
    RENDER.with(|r| *r.borrow_mut() = Some(start("mc-history-render")));
}

/// Ends `mc-history-render` once the dashboard has been mounted (first time only).
pub fn render_done() {
    if let Some(span) = RENDER.with(|r| r.borrow_mut().take()) {
        span.end();
    }
}
