//! Fetch planning: split a long range into month-sized requests and track them.
//!
//! The API documents neither pagination nor a maximum range, so a year of purchases in
//! one response could be slow or huge. Asking month by month keeps each response
//! moderate, shows progress, and lets one failed month be retried alone. This module is
//! only state: the app performs the requests and reports back.

use jiff::civil::Date;

use super::model::{Decoded, Purchase};
use super::span::LocalSpan;
use crate::civil::{add_days, utc_date, ymd};
use crate::zone::Zone;
use crate::Millis;

/// Requests running at once by default: enough to overlap latency, gentle on the API.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 2;

/// One request's inclusive UTC date range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub from: Date,
    pub to: Date,
}

impl Chunk {
    /// `from_date` query value, `YYYY-MM-DD`.
    pub fn from_date(&self) -> String {
        ymd(self.from)
    }

    /// `to_date` query value, `YYYY-MM-DD`, inclusive.
    pub fn to_date(&self) -> String {
        ymd(self.to)
    }

    /// `from_date=...&to_date=...`: both are always sent (the docs disagree on whether
    /// they are optional).
    pub fn query(&self) -> String {
        format!("from_date={}&to_date={}", ymd(self.from), ymd(self.to))
    }
}

/// Splits `from..=to` into calendar months; the first and last may be partial. Empty when
/// `from > to`.
pub fn month_chunks(from: Date, to: Date) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start.last_of_month().min(to);
        out.push(Chunk {
            from: start,
            to: end,
        });
        if end >= to || end == Date::MAX {
            break;
        }
        start = add_days(end, 1);
    }
    out
}

/// UTC dates to request so that every instant of the local days `from..=to` in `zone` is
/// covered. The API filters by UTC date, so for a zone ahead of UTC the local day begins
/// on the previous UTC date and for a zone behind UTC it ends on the next one: this adds
/// that extra day only where needed (UTC gives back `from..=to`). Filter the result with
/// [`LocalSpan::contains`] / [`LocalSpan::retain_in`].
pub fn fetch_dates_for(from: Date, to: Date, zone: &Zone) -> (Date, Date) {
    let start = utc_date(zone.start_of_day(from));
    let end = utc_date(zone.start_of_day(add_days(to, 1)).saturating_sub(1));
    (start, end)
}

/// The purchases that fall on the span's local days, in their original order: drops the
/// extra UTC day fetched on either side (and the previous period, if fetched).
pub fn in_span<'a>(
    purchases: &'a [Purchase],
    span: &LocalSpan,
) -> impl Iterator<Item = &'a Purchase> + 'a {
    let range = span.range_ms();
    purchases
        .iter()
        .filter(move |p| range.contains(&p.purchase_time))
}

/// Progress of one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkStatus {
    Pending,
    InFlight,
    /// Finished with this many purchases.
    Done(usize),
    /// Failed with a message to show; [`FetchPlan::retry_failed`] puts it back to pending.
    Failed(String),
}

/// The purchases of a finished load, by period (see [`FetchPlan::into_split`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SplitPurchases {
    pub current: Vec<Purchase>,
    /// Those of the span compared with (the previous period, last year ...).
    pub previous: Vec<Purchase>,
}

/// The requests of one load and their results, kept in chunk (time) order.
#[derive(Clone, Debug, Default)]
pub struct FetchPlan {
    chunks: Vec<Chunk>,
    status: Vec<ChunkStatus>,
    results: Vec<Vec<Purchase>>,
    skipped: usize,
    first_skip_reason: Option<String>,
}

impl FetchPlan {
    pub fn new(chunks: Vec<Chunk>) -> Self {
        let n = chunks.len();
        FetchPlan {
            chunks,
            status: vec![ChunkStatus::Pending; n],
            results: vec![Vec::new(); n],
            skipped: 0,
            first_skip_reason: None,
        }
    }

    /// Monthly chunks covering every instant of `span` (see [`fetch_dates_for`]).
    pub fn for_span(span: &LocalSpan) -> Self {
        Self::for_comparison(span, None)
    }

    /// Monthly chunks covering `span` and, when there is one, the span it is compared
    /// with, which may lie far before it (a year) or overlap it (a long span against last
    /// year). Each calendar month is requested at most once: dates both need are fetched
    /// once, and two pieces in one month become one request (the days between are dropped
    /// by [`into_split`](Self::into_split)). Without a comparison only `span` is fetched.
    pub fn for_comparison(span: &LocalSpan, compare: Option<&LocalSpan>) -> Self {
        let dates = |s: &LocalSpan| fetch_dates_for(s.from, s.to, &s.zone);
        let own = dates(span);
        // Earlier piece first (no sort: it would cost its own code in the wasm).
        let merged = match compare.map(dates) {
            None => vec![own],
            Some(other) => {
                let (a, b) = if other < own {
                    (other, own)
                } else {
                    (own, other)
                };
                if b.0 <= add_days(a.1, 1) || b.0.first_of_month() == a.1.first_of_month() {
                    vec![(a.0, a.1.max(b.1))]
                } else {
                    vec![a, b]
                }
            }
        };
        let chunks = merged
            .into_iter()
            .flat_map(|(from, to)| month_chunks(from, to))
            .collect();
        Self::new(chunks)
    }

    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    pub fn statuses(&self) -> &[ChunkStatus] {
        &self.status
    }

    pub fn in_flight(&self) -> usize {
        self.count(|s| matches!(s, ChunkStatus::InFlight))
    }

    pub fn done(&self) -> usize {
        self.count(|s| matches!(s, ChunkStatus::Done(_)))
    }

    pub fn failed(&self) -> usize {
        self.count(|s| matches!(s, ChunkStatus::Failed(_)))
    }

    /// Records skipped by the decoder across all finished chunks.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Why the first skipped record was dropped (see [`Decoded::first_skip_reason`]).
    pub fn first_skip_reason(&self) -> Option<&str> {
        self.first_skip_reason.as_deref()
    }

    /// The first pending chunk, if fewer than `max_in_flight` (at least 1) are running.
    pub fn next_to_start(&self, max_in_flight: usize) -> Option<usize> {
        if self.in_flight() >= max_in_flight.max(1) {
            return None;
        }
        self.status.iter().position(|s| *s == ChunkStatus::Pending)
    }

    /// [`next_to_start`](Self::next_to_start) and mark it in flight, so the same chunk is
    /// never handed out twice.
    pub fn start_next(&mut self, max_in_flight: usize) -> Option<usize> {
        let i = self.next_to_start(max_in_flight)?;
        self.status[i] = ChunkStatus::InFlight;
        Some(i)
    }

    /// Marks a pending chunk as in flight; false if it was not pending.
    pub fn mark_in_flight(&mut self, i: usize) -> bool {
        self.transition(i, ChunkStatus::Pending, ChunkStatus::InFlight)
    }

    /// Stores a chunk's purchases. Only accepted for a chunk in flight (a late duplicate
    /// answer is ignored); returns whether it was applied.
    pub fn mark_done(&mut self, i: usize, decoded: Decoded) -> bool {
        let done = ChunkStatus::Done(decoded.purchases.len());
        if !self.transition(i, ChunkStatus::InFlight, done) {
            return false;
        }
        self.skipped += decoded.skipped;
        if self.first_skip_reason.is_none() {
            self.first_skip_reason = decoded.first_skip_reason;
        }
        let mut purchases = decoded.purchases;
        // The decoder's list grows by doubling; kept until the load ends, the unused half
        // would raise the page's peak memory (shrinking frees the tail in place).
        purchases.shrink_to_fit();
        self.results[i] = purchases;
        true
    }

    /// Records a failure of a chunk in flight; returns whether it was applied.
    pub fn mark_failed(&mut self, i: usize, message: impl Into<String>) -> bool {
        self.transition(
            i,
            ChunkStatus::InFlight,
            ChunkStatus::Failed(message.into()),
        )
    }

    /// Puts failed chunks (only those) back to pending; returns how many.
    pub fn retry_failed(&mut self) -> usize {
        let mut n = 0;
        for s in &mut self.status {
            if matches!(s, ChunkStatus::Failed(_)) {
                *s = ChunkStatus::Pending;
                n += 1;
            }
        }
        n
    }

    /// Share of chunks done, 0..=1 (1 for an empty plan).
    pub fn progress(&self) -> f64 {
        if self.chunks.is_empty() {
            1.0
        } else {
            self.done() as f64 / self.chunks.len() as f64
        }
    }

    /// Nothing pending or running (some chunks may have failed).
    pub fn is_finished(&self) -> bool {
        self.count(|s| matches!(s, ChunkStatus::Pending | ChunkStatus::InFlight)) == 0
    }

    /// Every chunk done.
    pub fn is_complete(&self) -> bool {
        self.done() == self.chunks.len()
    }

    /// Purchases of the finished chunks, in chunk order then response order. Chunks cover
    /// disjoint dates, so nothing is duplicated.
    pub fn purchases(&self) -> impl Iterator<Item = &Purchase> {
        self.results.iter().flatten()
    }

    /// Like [`purchases`](Self::purchases) but moves them out without copying.
    pub fn into_purchases(self) -> Vec<Purchase> {
        let total = self.results.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(total);
        for r in self.results {
            out.extend(r);
        }
        out
    }

    /// Moves the purchases out into those of `current` and those of the span it is
    /// compared with (in chunk order, then response order). A purchase dated outside the
    /// supported years ([`supported_instant`](super::supported_instant)) joins `current`:
    /// the response had it, so the table and CSV keep it, while the figures leave it out
    /// with a notice. Anything else in neither span is dropped (the extra UTC days). Both
    /// lists are allocated at their exact size and each chunk's list is freed once moved,
    /// so the peak is the chunks plus one copy of what is kept, never a concatenation as
    /// well. Where the two spans overlap, a purchase is in both lists.
    pub fn into_split(self, current: &LocalSpan, compare: Option<&LocalSpan>) -> SplitPurchases {
        let cur = current.range_ms();
        // An empty range when there is nothing to compare with.
        let prev = compare.map_or(0..0, LocalSpan::range_ms);
        let in_current = |t: Millis| cur.contains(&t) || !super::aggregate::supported_instant(t);
        let (mut n_cur, mut n_prev) = (0, 0);
        for p in self.purchases() {
            n_cur += usize::from(in_current(p.purchase_time));
            n_prev += usize::from(prev.contains(&p.purchase_time));
        }
        let mut out = SplitPurchases {
            current: Vec::with_capacity(n_cur),
            previous: Vec::with_capacity(n_prev),
        };
        for chunk in self.results {
            for p in chunk {
                match (in_current(p.purchase_time), prev.contains(&p.purchase_time)) {
                    (true, true) => {
                        out.previous.push(p.clone());
                        out.current.push(p);
                    }
                    (true, false) => out.current.push(p),
                    (false, true) => out.previous.push(p),
                    (false, false) => {}
                }
            }
        }
        out
    }

    fn count(&self, f: impl Fn(&ChunkStatus) -> bool) -> usize {
        self.status.iter().filter(|s| f(s)).count()
    }

    fn transition(&mut self, i: usize, from: ChunkStatus, to: ChunkStatus) -> bool {
        match self.status.get_mut(i) {
            Some(s) if *s == from => {
                *s = to;
                true
            }
            _ => false,
        }
    }
}
