//! The invariants of the simulation, checked after every step (and the rate rules once
//! a seed has ended).
//!
//! 1. **No second export while one is known alive.** A create never reaches Clover while
//!    the merchant has an export alive there whose id the queue is still following
//!    (Pending, InProgress, or queued to be checked). Clover refuses such creates with
//!    503 in most seeds; in the lenient ones it accepts them, as a region with more
//!    slots does, so the check is about what the client sends, not what Clover allows.
//! 2. **Exact tiling.** The chunks of every request tile its span to the millisecond (no
//!    gap, no overlap, none over 30 days), and every create asks for its chunk's span.
//! 3. **Orphans come only from lost answers.** Every export Clover made either reached a
//!    job of the live queue, or the answer of the create that made it was lost (no
//!    answer, timeout, 502/504, unreadable, no id, a reload or a second tab meanwhile).
//!    An answer with an id that the queue received is never dropped, so orphans are no
//!    more than the lost create answers. And when a create is refused as busy because of
//!    the orphan its own chunk made, the request lists a suspected orphan for that chunk
//!    (unless the client's own windows say Clover is closed: then it cannot tell "busy"
//!    from "closed", the hours text being undocumented).
//! 4. **Request rate.** Per merchant: request starts at least 63 ms apart; after a failure
//!    the next request of that export no sooner than the 2.5 s backoff floor, whatever
//!    `Retry-After` said; after a good answer about a running export at least 2 s; after
//!    a create at least 1 s (the first poll) — unless the export ended, the wait was for
//!    service hours, or a person, a reload or a second tab intervened. Hence at most
//!    60 / 2.5 + 1 = 25 requests in any minute of failures ([`MAX_PER_MINUTE_FAILING`]).
//! 5. **Liveness.** From the moment the server recovers (no more faults), every request
//!    ends — every chunk Done, Failed with a reason, Expired or Cancelled — within a
//!    bound computed from what is left at that moment (see [`World::recover`]).
//! 6. **No live export lost.** A job never gives up, or swaps for another, an export that
//!    Clover still runs or whose files are still there, unless its polls had been failing
//!    for the whole lost-contact limit (24 h). A Done job holds the links of its own
//!    export, every one of them.
//! 7. **Nothing panics**; every status line renders, no percentage exceeds 100, and
//!    `next_wakeup` never asks to be woken for nothing.

use merchant_console_core::export::plan::MAX_EXPORT_SPAN_MS;
use merchant_console_core::export::queue::*;
use merchant_console_core::Millis;

use super::{Class, Seen, Sent, World};
use crate::sim::clover::*;

// The stated bounds. Written out rather than read from the policy, so that a change of
// the policy has to change them here too.
/// No two requests of one merchant start closer than this (1/16 s, rounded up).
pub const MIN_GAP: Millis = 63;
/// The backoff floor: no retry after a failure sooner than this.
pub const RETRY_FLOOR: Millis = 2_500;
/// The shortest poll interval of a running export.
pub const POLL_MIN: Millis = 2_000;
/// The first poll after a create.
pub const FIRST_POLL: Millis = 1_000;
/// A known export may be given up after its polls failed this long.
pub const LOST_CONTACT: Millis = 24 * HOUR;
/// Requests in any 60 s of failures only: 60 s / 2.5 s + 1.
pub const MAX_PER_MINUTE_FAILING: usize = 25;
/// The longest wait a fault can leave behind: `Retry-After` is capped at 1 h.
pub(super) const MAX_CARRIED_WAIT: Millis = HOUR + 5 * MIN;

impl World {
    /// Invariant 1: a create is sent only when no export the queue follows is alive.
    pub(super) fn check_no_known_live_export(&self, m: usize) -> Result<(), String> {
        for r in self
            .q
            .requests()
            .iter()
            .filter(|r| r.merchant == self.names[m])
        {
            for j in &r.exports {
                let following = matches!(j.state, JobState::Pending | JobState::InProgress { .. })
                    || (j.state == JobState::Queued && j.verify_first);
                let Some(id) = j.server_id.as_deref().filter(|_| following) else {
                    continue;
                };
                if let Some(x) = self.clover.find(id) {
                    if self.clover.exports[x].alive(self.now) {
                        bail!(
                            "a create was sent while job {} follows export {id}, alive at Clover ({:?})",
                            j.id,
                            j.state
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Invariants 2 and 7, after every step.
    pub(super) fn check(&self) -> Result<(), String> {
        let now = self.now;
        for r in self.q.requests() {
            let span = self.spans[r.id as usize].unwrap();
            if r.span != span {
                bail!("request {} changed its span", r.id);
            }
            let ex = &r.exports;
            if ex.is_empty()
                || ex[0].span.start != span.start
                || ex[ex.len() - 1].span.end != span.end
            {
                bail!("the chunks of request {} do not cover its ends", r.id);
            }
            for (i, j) in ex.iter().enumerate() {
                if j.index != i
                    || j.span.end < j.span.start
                    || j.span.len_ms() > i128::from(MAX_EXPORT_SPAN_MS)
                {
                    bail!("chunk {i} of request {} is malformed: {:?}", r.id, j.span);
                }
                if i > 0 && ex[i - 1].span.end + 1 != j.span.start {
                    bail!(
                        "gap or overlap between chunks {} and {i} of request {}",
                        i - 1,
                        r.id
                    );
                }
                // The request's line (below) renders its current job at every step; each
                // job's own line is rendered every fourth step.
                let render = (self.report.steps + j.id).is_multiple_of(4);
                if j.percent() > 100 || (render && j.status_text(now).is_empty()) {
                    bail!(
                        "job {} shows {}%: {:?}",
                        j.id,
                        j.percent(),
                        j.status_text(now)
                    );
                }
                if let JobState::Failed { reason } = &j.state {
                    if reason.trim().is_empty() {
                        bail!("job {} failed without a reason", j.id);
                    }
                }
            }
            let v = self.q.view(r.id).unwrap();
            let (text, percent) = (v.status_text(now), v.percent());
            if text.is_empty() || percent > 100 {
                bail!("request {} shows {percent}%: {text:?}", r.id);
            }
            if (self.report.steps + r.id).is_multiple_of(4) {
                let fraction = v.fraction();
                if !(0.0..=1.0).contains(&fraction) || v.eta_ms(now).is_some_and(|e| e < 0) {
                    bail!(
                        "request {} is {fraction} done, ETA {:?}",
                        r.id,
                        v.eta_ms(now)
                    );
                }
            }
        }
        for name in &self.names {
            if self.q.in_flight_for(name) > 1 {
                bail!("two requests in flight for {name}");
            }
        }
        Ok(())
    }

    /// Invariant 6, and adoption of export ids, after every step.
    pub(super) fn track_jobs(&mut self) -> Result<(), String> {
        let now = self.now;
        let long_streak = |since: Option<Millis>| since.is_some_and(|s| now - s >= LOST_CONTACT);
        for r in self.q.requests() {
            for j in &r.exports {
                let i = j.id as usize;
                if self.seen.len() <= i {
                    self.seen.resize(i + 1, Seen::default());
                }
                let seen = &mut self.seen[i];
                let id_now = j.server_id.as_deref();
                if seen.server_id.as_deref() != id_now {
                    if let Some(old) = seen.server_id.as_deref() {
                        let e = &self.clover.exports[self.clover.find(old).unwrap()];
                        if (e.alive(now) || e.available(now)) && !long_streak(seen.since) {
                            bail!(
                                "job {} let go of export {old}, which Clover still has ({}), after polls failing since {:?}",
                                j.id,
                                if e.alive(now) { "running" } else { "files available" },
                                seen.since.map(|s| (now - s) / S)
                            );
                        }
                    }
                    if let Some(new) = id_now {
                        let Some(x) = self.clover.find(new) else {
                            bail!("job {} holds an id Clover never gave: {new}", j.id);
                        };
                        let e = &mut self.clover.exports[x];
                        if e.span != j.span {
                            bail!("job {} holds export {new} of another span", j.id);
                        }
                        e.adopted = true;
                    }
                    seen.server_id = id_now.map(str::to_string);
                }
                let failed = matches!(j.state, JobState::Failed { .. });
                if failed && !seen.failed {
                    self.report.chunks_failed += 1;
                    if let JobState::Failed { reason } = &j.state {
                        if reason.contains("would have expired") {
                            self.report.lost_contact += 1;
                        }
                    }
                    if let Some(id) = id_now {
                        let e = &self.clover.exports[self.clover.find(id).unwrap()];
                        if (e.alive(now) || e.available(now)) && !long_streak(j.retry.since) {
                            bail!(
                                "job {} gave up export {id}, which Clover still has ({}): {:?}",
                                j.id,
                                if e.alive(now) {
                                    "running"
                                } else {
                                    "files available"
                                },
                                j.state
                            );
                        }
                    }
                }
                let done = matches!(j.state, JobState::Done { .. });
                if done && !seen.done {
                    self.report.chunks_done += 1;
                    let JobState::Done { urls, .. } = &j.state else {
                        unreachable!()
                    };
                    let Some(x) = id_now.and_then(|id| self.clover.find(id)) else {
                        bail!("job {} is done without an export", j.id);
                    };
                    let e = &self.clover.exports[x];
                    if e.alive(now) || e.fail_status.is_some() || urls.len() != e.links() {
                        bail!(
                            "job {} is done with {} links, its export {} has {} ({:?})",
                            j.id,
                            urls.len(),
                            e.id,
                            e.links(),
                            e.fail_status
                        );
                    }
                }
                seen.failed = failed;
                seen.done = done;
                seen.since = j.retry.since;
            }
        }
        Ok(())
    }

    /// Invariants 3 and 4, once everything ended.
    pub(super) fn final_checks(&mut self) -> Result<(), String> {
        let now = self.now;
        if !self.deliveries.is_empty() || !self.open.is_empty() {
            // Answers to superseded operations may still come; let them.
            for d in std::mem::take(&mut self.deliveries) {
                self.now = self.now.max(d.at);
                self.deliver(d)?;
            }
            self.now = now;
        }
        for e in &self.clover.exports {
            if !e.adopted && !e.answer_lost {
                bail!(
                    "export {} never reached a job, yet no answer of its create was lost",
                    e.id
                );
            }
        }
        let orphans = self.clover.exports.iter().filter(|e| !e.adopted).count() as u64;
        let lost = self.lost_creates;
        if orphans > lost {
            bail!("{orphans} orphans but only {lost} lost create answers");
        }
        self.report.orphans = orphans;
        self.report.lost_create_answers = lost;
        self.report.suspected_orphans = self
            .q
            .requests()
            .iter()
            .map(|r| r.suspected_orphans.len() as u64)
            .sum();
        self.check_rate()?;
        self.report.sim_ms = now - self.t0;
        self.report.after_recovery_ms = self.recovered_at.map_or(0, |r| (now - r).max(0));
        Ok(())
    }

    fn intervened(&self, m: usize, from: Millis, to: Millis) -> bool {
        let v = &self.interventions[m];
        let i = v.partition_point(|&t| t < from);
        i < v.len() && v[i] <= to
    }

    /// Invariant 4.
    fn check_rate(&mut self) -> Result<(), String> {
        for m in 0..self.names.len() {
            let reqs: Vec<&Sent> = self.sent.iter().filter(|s| s.merchant == m).collect();
            for w in reqs.windows(2) {
                let (a, b) = (w[0], w[1]);
                if b.at - a.at < MIN_GAP {
                    bail!("two requests of M{m} {} ms apart", b.at - a.at);
                }
                if a.job != b.job || self.intervened(m, a.at, b.at) {
                    continue;
                }
                let (Some(answered), Some(class)) = (a.answered, a.class) else {
                    continue;
                };
                let need = match class {
                    Class::CreatedOk => FIRST_POLL,
                    Class::RunningOk => POLL_MIN,
                    Class::Failure => RETRY_FLOOR,
                    Class::Hours | Class::Ended | Class::Stopped => 0,
                };
                if b.at < answered + need {
                    bail!(
                        "job {}: {} {} ms after a {:?} answer at {} (create: {}), at least {need} ms expected",
                        b.job,
                        if b.create { "create" } else { "poll" },
                        b.at - answered,
                        class,
                        self.rel(answered),
                        a.create
                    );
                }
            }
            // Sliding minute: the most requests, and the most while everything failed.
            let mut hi = 0;
            for lo in 0..reqs.len() {
                while hi < reqs.len() && reqs[hi].at < reqs[lo].at + MIN {
                    hi += 1;
                }
                let n = hi - lo;
                self.report.max_per_minute = self.report.max_per_minute.max(n);
                let failing = reqs[lo..hi]
                    .iter()
                    .all(|s| s.class.is_none_or(|c| c == Class::Failure));
                if failing
                    && n > MAX_PER_MINUTE_FAILING
                    && !self.intervened(m, reqs[lo].at, reqs[hi - 1].at)
                {
                    bail!("{n} requests of M{m} in one minute of failures");
                }
            }
        }
        Ok(())
    }
}
