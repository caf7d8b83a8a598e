//! One simulated world: a tab running the export queue as the app does, the Clover model,
//! and everything that happens to them (answers, timeouts, a laptop asleep, reloads, a
//! second tab, a person clicking), in simulated time, all drawn from one seed.
//!
//! The invariants it checks: [`checks`].

use std::fmt::Write as _;

use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::hours::{ServiceHours, WeekdaySet, Window};
use merchant_console_core::export::model::Export;
use merchant_console_core::export::plan::MAX_EXPORT_SPAN_MS;
use merchant_console_core::export::policy::{Response, WaitReason};
use merchant_console_core::export::queue::*;
use merchant_console_core::export::ExportType;
use merchant_console_core::range::TimeSpan;
use merchant_console_core::Millis;

use super::clover::*;
use super::rng::Rng;

/// 2026-03-02T00:00:00Z, a Monday.
const MONDAY: Millis = 1_772_409_600_000;

/// What one seed measured.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub steps: u64,
    pub requests: u64,
    pub creates: u64,
    pub exports_made: u64,
    pub orphans: u64,
    /// Creates whose answer was lost (whether or not Clover made an export).
    pub lost_create_answers: u64,
    pub suspected_orphans: u64,
    pub chunks_done: u64,
    pub chunks_failed: u64,
    /// Chunks given up after no word from Clover for the lost-contact limit.
    pub lost_contact: u64,
    pub reloads: u64,
    pub takeovers: u64,
    pub jumps: u64,
    /// Most requests of one merchant in any 60 s.
    pub max_per_minute: usize,
    /// Simulated time from the first request to the end.
    pub sim_ms: Millis,
    /// Simulated time from the recovery to the end (0 when everything ended before).
    pub after_recovery_ms: Millis,
    /// The bound that applied after the recovery.
    pub liveness_bound_ms: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A create answered with an export.
    CreatedOk,
    /// A poll answered: the export is running.
    RunningOk,
    /// Any failure the backoff applies to.
    Failure,
    /// A 503 outside service hours: waits for the window, not for the backoff.
    Hours,
    /// The export ended (or is to be created anew).
    Ended,
    /// The merchant's queue stopped for credentials.
    Stopped,
}

/// One request that reached the network.
#[derive(Clone, Debug)]
struct Sent {
    merchant: usize,
    job: JobId,
    create: bool,
    at: Millis,
    answered: Option<Millis>,
    class: Option<Class>,
}

/// An operation of the live queue whose answer is still to come.
#[derive(Clone, Debug)]
struct Open {
    op_id: OpId,
    sent: Option<usize>,
    merchant: usize,
    request: RequestId,
    job: JobId,
    create: bool,
    committed: Option<usize>,
    busy_by: Option<usize>,
}

#[derive(Clone, Debug)]
struct Delivery {
    at: Millis,
    seq: u64,
    op_id: OpId,
    resp: Response,
}

#[derive(Clone, Debug)]
enum Ev {
    Add(Box<NewRequest>),
    Jump(Millis),
    SleepDuringNextPoll(Millis),
    Reload,
    ReloadDuringNextCreate,
    Takeover,
    Person,
    Credentials(usize),
    Recover,
}

/// What the checks remember of a job between steps.
#[derive(Clone, Debug, Default)]
struct Seen {
    server_id: Option<String>,
    since: Option<Millis>,
    failed: bool,
    done: bool,
}

pub struct World {
    rng: Rng,
    t0: Millis,
    now: Millis,
    clover: Clover,
    q: ExportQueue,
    names: Vec<String>,
    creds: Vec<bool>,
    events: Vec<(Millis, u64, Ev)>,
    seq: u64,
    deliveries: Vec<Delivery>,
    open: Vec<Open>,
    sent: Vec<Sent>,
    /// Per merchant: when a person, a reload or a second tab changed the plan.
    interventions: Vec<Vec<Millis>>,
    /// By job id (ids are small integers).
    seen: Vec<Seen>,
    /// By request id.
    spans: Vec<Option<TimeSpan>>,
    pending_adds: usize,
    reload_on_create: bool,
    sleep_on_poll: Option<Millis>,
    /// Creates whose answer never reached the live queue with an export id.
    lost_creates: u64,
    recovered_at: Option<Millis>,
    horizon: Millis,
    /// The queue's `next_wakeup` after the last step.
    wakeup: Option<Millis>,
    report: Report,
    trace: Option<Vec<String>>,
}

macro_rules! bail {
    ($($t:tt)*) => { return Err(format!($($t)*)) };
}

mod checks;
use checks::MAX_CARRIED_WAIT;

/// Runs one seed to its end. `Err` holds the first violation (and, with `trace`, the
/// story of the seed).
pub fn run(seed: u64, trace: bool) -> Result<Report, String> {
    let mut w = World::new(seed, trace);
    let result = w.run_to_end();
    if trace && std::env::var_os("SIM_STORY").is_some() {
        println!("{}", w.trace_text());
    }
    match result {
        Ok(()) => Ok(w.report),
        Err(e) => Err(format!(
            "at {} (t0 + {}): {e}{}",
            w.now,
            w.rel(w.now),
            w.trace_text()
        )),
    }
}

impl World {
    fn new(seed: u64, trace: bool) -> Self {
        let mut rng = Rng::new(seed);
        let t0 = MONDAY + rng.range(0, 7 * DAY);
        let hours = match rng.range(0, 9) {
            0..=5 => ServiceHours::always_open(),
            6 | 7 => ServiceHours::us(),
            _ => ServiceHours::eu(),
        };
        let lenient = rng.chance(0.3);
        let p = rng.pick(&[0.02, 0.1, 0.3, 0.6]);
        let recover_at = t0 + rng.log_range(5 * MIN, 36 * HOUR);
        let mut clover = Clover::new(hours.clone(), lenient, p, recover_at);
        for _ in 0..rng.range(0, 3) {
            let from = rng.range(t0, recover_at);
            let to = (from + rng.log_range(5 * S, 8 * HOUR)).min(recover_at);
            clover.outages.push((from, to));
        }
        let merchants = rng.range(1, 2) as usize;
        let names: Vec<String> = (0..merchants).map(|m| format!("M{m}")).collect();
        let mut w = World {
            rng,
            t0,
            now: t0,
            clover,
            q: ExportQueue::new(seed ^ 0x5EED),
            creds: vec![true; merchants],
            names,
            events: Vec::new(),
            seq: 0,
            deliveries: Vec::new(),
            open: Vec::new(),
            sent: Vec::new(),
            interventions: vec![Vec::new(); merchants],
            seen: Vec::new(),
            spans: Vec::new(),
            pending_adds: 0,
            reload_on_create: false,
            sleep_on_poll: None,
            lost_creates: 0,
            recovered_at: None,
            horizon: Millis::MAX,
            wakeup: None,
            report: Report::default(),
            trace: trace.then(Vec::new),
        };
        let before = |w: &mut World| w.rng.range(t0, recover_at);
        let requests = w.rng.pick(&[1, 1, 2, 2, 3, 4]);
        for i in 0..requests {
            let at = if i == 0 { t0 } else { before(&mut w) };
            let req = w.new_request(&hours, at);
            w.schedule(at, Ev::Add(Box::new(req)));
            w.pending_adds += 1;
        }
        for _ in 0..w.rng.range(0, 3) {
            let at = before(&mut w);
            // A weekend shut is longer than the 24 h lost-contact limit; most of those
            // end near it, where files may or may not have expired.
            let sleep = if w.rng.chance(0.15) {
                24 * HOUR + w.rng.log_range(S, 40 * HOUR)
            } else {
                w.rng.log_range(10 * MIN, 30 * HOUR)
            };
            // Half of them while an export runs (the lid shut during a poll).
            let ev = if w.rng.chance(0.5) {
                Ev::SleepDuringNextPoll(sleep)
            } else {
                Ev::Jump(sleep)
            };
            w.schedule(at, ev);
        }
        for _ in 0..w.rng.range(0, 3) {
            let at = before(&mut w);
            let ev = if w.rng.chance(0.5) {
                Ev::ReloadDuringNextCreate
            } else {
                Ev::Reload
            };
            w.schedule(at, ev);
        }
        for _ in 0..w.rng.range(0, 1) {
            let at = before(&mut w);
            w.schedule(at, Ev::Takeover);
        }
        for _ in 0..w.rng.range(0, 6) {
            let at = before(&mut w);
            w.schedule(at, Ev::Person);
        }
        w.schedule(recover_at, Ev::Recover);
        w
    }

    fn new_request(&mut self, server_hours: &ServiceHours, at: Millis) -> NewRequest {
        let rng = &mut self.rng;
        let merchant = rng.range(0, self.names.len() as i64 - 1) as usize;
        let chunks = rng.pick(&[1, 1, 1, 1, 2, 2, 2, 3, 3, 4]);
        let len = match rng.range(0, 19) {
            0 => 1,
            1 => chunks * MAX_EXPORT_SPAN_MS,
            _ => (chunks - 1) * MAX_EXPORT_SPAN_MS + rng.range(1, MAX_EXPORT_SPAN_MS),
        };
        let start = at - len - rng.range(0, 400 * DAY);
        // What the client believes about service hours: right, unknown, or an hour off
        // (the windows moved since this version was built).
        let hours = match rng.range(0, 9) {
            0 | 1 => None,
            2 if server_hours == &ServiceHours::us() => Some(ServiceHours {
                windows: vec![Window::hours(WeekdaySet::ALL, 11, 16)],
            }),
            _ => Some(server_hours.clone()),
        };
        NewRequest {
            merchant: self.names[merchant].clone(),
            region: "us".into(),
            export_type: ExportType::Orders,
            span: TimeSpan::new(start, start + len - 1).unwrap(),
            hours,
            label: None,
            auth: CredentialSource::Tab,
        }
    }

    fn schedule(&mut self, at: Millis, ev: Ev) {
        self.seq += 1;
        let key = (at, self.seq);
        let pos = self.events.partition_point(|(t, s, _)| (*t, *s) <= key);
        self.events.insert(pos, (at, self.seq, ev));
    }

    fn rel(&self, t: Millis) -> String {
        let d = t - self.t0;
        format!(
            "{}h{:02}m{:02}.{:03}s",
            d / HOUR,
            d % HOUR / MIN,
            d % MIN / S,
            d % S
        )
    }

    fn note(&mut self, what: impl FnOnce() -> String) {
        if self.trace.is_some() {
            let line = format!("{} {}", self.rel(self.now), what());
            if let Some(t) = &mut self.trace {
                t.push(line);
            }
        }
    }

    fn trace_text(&self) -> String {
        let Some(t) = &self.trace else {
            return String::new();
        };
        let mut out = String::from("\n--- story of the seed ---\n");
        for line in t {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("--- queue at the end ---\n");
        for r in self.q.requests() {
            let _ = writeln!(
                out,
                "request {} {} {:?}: {}",
                r.id,
                r.merchant,
                r.span,
                self.q.view(r.id).unwrap().status_text(self.now)
            );
            for j in &r.exports {
                let _ = writeln!(
                    out,
                    "  job {} {:?} id={:?} {:?}: {}",
                    j.id,
                    j.span,
                    j.server_id,
                    j.state,
                    j.status_text(self.now)
                );
            }
        }
        out
    }

    fn merchant(&self, name: &str) -> usize {
        self.names.iter().position(|n| n == name).unwrap()
    }

    fn job(&self, request: RequestId, job: JobId) -> Option<&ExportJob> {
        self.q.request(request)?.export(job)
    }

    // ---- the loop --------------------------------------------------------------------

    fn run_to_end(&mut self) -> Result<(), String> {
        for _ in 0..500_000 {
            self.step()?;
            self.check()?;
            if self.finished() {
                return self.final_checks();
            }
            let next = self.next_time();
            let Some(next) = next else {
                bail!("nothing will ever happen again, yet requests are unfinished");
            };
            if self.recovered_at.is_some() && next > self.horizon {
                bail!(
                    "liveness: not every request ended within {} of the recovery",
                    self.rel(self.t0 + self.report.liveness_bound_ms)
                );
            }
            self.now = next;
        }
        bail!("500 000 steps without an end")
    }

    fn finished(&self) -> bool {
        self.pending_adds == 0
            && self.q.in_flight_count() == 0
            && self.q.requests().iter().all(|r| r.is_finished())
    }

    fn next_time(&self) -> Option<Millis> {
        let mut best = self.events.first().map(|e| e.0);
        let mut consider = |t: Millis| best = Some(best.map_or(t, |b: Millis| b.min(t)));
        for d in &self.deliveries {
            consider(d.at);
        }
        if let Some(t) = self.wakeup {
            consider(t);
        }
        best.map(|b| b.max(self.now))
    }

    /// Everything that is due at `now`, in the app's order.
    fn step(&mut self) -> Result<(), String> {
        self.report.steps += 1;
        while self.events.first().is_some_and(|e| e.0 <= self.now) {
            let (_, _, ev) = self.events.remove(0);
            self.fire(ev)?;
        }
        while let Some(i) = self.due_delivery() {
            let d = self.deliveries.swap_remove(i);
            self.deliver(d)?;
        }
        self.timeouts()?;
        while let Some(a) = self.q.next_action(self.now) {
            self.send(a)?;
        }
        self.track_jobs()?;
        self.wakeup = self.q.next_wakeup(self.now);
        if self.wakeup.is_some_and(|t| t <= self.now) {
            bail!("next_wakeup asks for now, but next_action has nothing: the app would spin");
        }
        Ok(())
    }

    fn due_delivery(&self) -> Option<usize> {
        self.deliveries
            .iter()
            .enumerate()
            .filter(|(_, d)| d.at <= self.now)
            .min_by_key(|(_, d)| (d.at, d.seq))
            .map(|(i, _)| i)
    }

    fn deliver_at(&mut self, at: Millis, op_id: OpId, resp: Response) {
        self.seq += 1;
        self.deliveries.push(Delivery {
            at,
            seq: self.seq,
            op_id,
            resp,
        });
    }

    /// The answer of `o` will never reach the live queue.
    fn lose_answer(&mut self, o: &Open) {
        if o.create && o.sent.is_some() {
            self.lost_creates += 1;
        }
        if let Some(x) = o.committed {
            self.clover.exports[x].answer_lost = true;
        }
    }

    fn intervene(&mut self, m: usize) {
        let now = self.now;
        self.interventions[m].push(now);
    }

    // ---- the world -------------------------------------------------------------------

    fn fire(&mut self, ev: Ev) -> Result<(), String> {
        let recovered = self.recovered_at.is_some();
        match ev {
            Ev::Add(req) => {
                let span = req.span;
                let id = self
                    .q
                    .add_request(*req, self.now)
                    .map_err(|e| format!("add_request: {e}"))?;
                let i = id as usize;
                if self.spans.len() <= i {
                    self.spans.resize(i + 1, None);
                }
                self.spans[i] = Some(span);
                self.pending_adds -= 1;
                self.note(|| format!("request {id} added, {span:?}"));
            }
            Ev::Recover => self.recover(),
            Ev::Credentials(m) => self.credentials(m),
            // The rest only happens before the recovery.
            _ if recovered => {}
            Ev::Jump(d) => self.sleep(d),
            Ev::Reload => self.reload(false)?,
            Ev::Takeover => self.reload(true)?,
            Ev::ReloadDuringNextCreate => self.reload_on_create = true,
            Ev::SleepDuringNextPoll(d) => self.sleep_on_poll = Some(d),
            Ev::Person => self.person(),
        }
        Ok(())
    }

    /// The laptop sleeps for `d`: no timer fires; answers that came meanwhile are
    /// handled at the wake-up, many of them replaced by a network error.
    fn sleep(&mut self, d: Millis) {
        let wake = self.now + d;
        for i in 0..self.deliveries.len() {
            if self.deliveries[i].at < wake {
                self.deliveries[i].at = wake;
                let timeout = matches!(self.deliveries[i].resp, Response::Timeout);
                if !timeout && self.rng.chance(0.5) {
                    self.deliveries[i].resp = Response::Network {
                        message: "The network connection was lost.".into(),
                    };
                }
            }
        }
        self.note(|| format!("laptop asleep for {}", d / S));
        self.now = wake;
        if self.rng.chance(0.6) {
            self.clover.flaky_until = wake + self.rng.range(0, 15 * S);
        }
        self.report.jumps += 1;
    }

    /// A reload (or a second tab taking over from the last save): a new queue from the
    /// saved JSON; operations in flight are lost (Clover may still have done them).
    fn reload(&mut self, takeover: bool) -> Result<(), String> {
        let json = serde_json::to_string(&self.q).map_err(|e| format!("save: {e}"))?;
        self.deliveries.clear();
        for o in std::mem::take(&mut self.open) {
            self.lose_answer(&o);
        }
        let before: Vec<(RequestId, Vec<TimeSpan>)> = self
            .q
            .requests()
            .iter()
            .map(|r| (r.id, r.exports.iter().map(|j| j.span).collect()))
            .collect();
        self.q = ExportQueue::from_json(&json, self.now).map_err(|e| format!("load: {e}"))?;
        self.q.reseed(self.rng.next_u64());
        let after: Vec<(RequestId, Vec<TimeSpan>)> = self
            .q
            .requests()
            .iter()
            .map(|r| (r.id, r.exports.iter().map(|j| j.span).collect()))
            .collect();
        if before != after {
            bail!("the reloaded queue has other requests or chunks");
        }
        let p_lost = if takeover { 0.5 } else { 0.3 };
        for m in 0..self.names.len() {
            self.intervene(m);
            if self.rng.chance(p_lost) {
                self.creds[m] = false;
                self.credentials_later(m);
            }
        }
        if takeover {
            self.report.takeovers += 1;
        } else {
            self.report.reloads += 1;
        }
        let what = if takeover {
            "second tab took over"
        } else {
            "reload"
        };
        self.note(|| what.to_string());
        Ok(())
    }

    /// The person enters the token again after a while (at the recovery at the latest).
    fn credentials_later(&mut self, m: usize) {
        let at = (self.now + self.rng.log_range(5 * S, 30 * MIN))
            .min(self.clover.recover_at.max(self.now));
        self.schedule(at, Ev::Credentials(m));
    }

    fn credentials(&mut self, m: usize) {
        if !self.creds[m] || self.q.is_stopped(&self.names[m]) {
            self.creds[m] = true;
            self.q.credentials_updated(&self.names[m], self.now);
            self.intervene(m);
            self.note(|| format!("credentials entered for M{m}"));
        }
    }

    /// A person clicks: "Check now", "Retry", "Request this range again", "Cancel".
    fn person(&mut self) {
        let jobs: Vec<(RequestId, JobId, JobState, usize)> = self
            .q
            .requests()
            .iter()
            .flat_map(|r| {
                let m = self.merchant(&r.merchant);
                r.exports
                    .iter()
                    .map(move |j| (r.id, j.id, j.state.clone(), m))
            })
            .collect();
        if jobs.is_empty() {
            return;
        }
        let (r, j, state, m) = jobs[self.rng.range(0, jobs.len() as i64 - 1) as usize].clone();
        let now = self.now;
        let (what, ok) = match self.rng.range(0, 9) {
            0..=3 => ("check now", self.q.check_now(r, j, now).is_ok()),
            4..=6 => ("retry", self.q.retry_export(r, j, now).is_ok()),
            7 => ("retry request", self.q.retry_request(r, now).is_ok()),
            _ if state.is_active() || state == JobState::Queued => {
                ("cancel", self.q.cancel_export(r, j, now).is_ok())
            }
            _ => ("nothing", false),
        };
        if ok {
            self.intervene(m);
            self.note(|| format!("person: {what} job {j}"));
        }
    }

    /// Faults stop. From here on every request must end within the bound.
    fn recover(&mut self) {
        let now = self.now;
        self.recovered_at = Some(now);
        for m in 0..self.names.len() {
            self.credentials(m);
        }
        let unfinished = self
            .q
            .requests()
            .iter()
            .flat_map(|r| &r.exports)
            .filter(|j| !j.state.is_terminal())
            .count() as Millis
            + self
                .events
                .iter()
                .filter_map(|e| match &e.2 {
                    Ev::Add(r) => Some(plan_len(r.span)),
                    _ => None,
                })
                .sum::<Millis>();
        // An export still running at Clover (ours, an orphan, or one we gave up) may hold
        // the merchant's slot until it finishes.
        let alive_left = self
            .clover
            .exports
            .iter()
            .filter(|e| e.alive(now))
            .map(|e| e.finish_at() - now)
            .max()
            .unwrap_or(0);
        let restricted = !self.clover.hours.is_always_open()
            || self
                .q
                .requests()
                .iter()
                .any(|r| r.hours.as_ref().is_some_and(|h| !h.is_always_open()));
        // Per chunk: its create, the export's longest run, the last poll's lag (30 s at
        // most), with room to spare.
        let per_chunk = MAX_PENDING + MAX_PROCESSING + 2 * MIN;
        let mut bound = MAX_CARRIED_WAIT + alive_left + unfinished * per_chunk + 16 * MIN;
        if restricted {
            // Each service window (3 h at least) takes 4 chunks at least; a window and
            // the closed time after it last 24 h at most; with unknown hours the client
            // looks every 15 min.
            bound += (unfinished / 4 + 2) * (DAY + 16 * MIN);
        }
        self.report.liveness_bound_ms = bound;
        self.horizon = now + bound;
        self.note(|| format!("recovered; every request must end within {} s", bound / S));
    }

    // ---- the app ---------------------------------------------------------------------

    fn send(&mut self, a: Action) -> Result<(), String> {
        let m = self.merchant(a.op.merchant());
        let create = matches!(a.op, Op::Create { .. });
        let mut open = Open {
            op_id: a.op_id,
            sent: None,
            merchant: m,
            request: a.request,
            job: a.export,
            create,
            committed: None,
            busy_by: None,
        };
        if create && self.reload_on_create {
            self.reload_on_create = false;
            let at = self.now + self.rng.range(0, 3 * S);
            self.schedule(at, Ev::Reload);
        }
        if !create {
            if let Some(d) = self.sleep_on_poll.take() {
                let at = self.now + self.rng.range(0, 2 * S);
                self.schedule(at, Ev::Jump(d));
            }
        }
        if !self.creds[m] {
            // This tab holds no token: nothing is sent.
            self.deliver_at(self.now, a.op_id, Response::NoCredentials);
            self.open.push(open);
            return Ok(());
        }
        let Some(chunk) = self.job(a.request, a.export).map(|j| j.span) else {
            bail!("an action for a job that does not exist");
        };
        let now = self.now;
        let outcome = match &a.op {
            Op::Create { body, .. } => {
                self.report.creates += 1;
                let span = TimeSpan::new(body.start_time, body.end_time).unwrap_or(chunk);
                if span != chunk || body.start_time > body.end_time {
                    bail!(
                        "create asks for {}..{}, the chunk is {:?}",
                        body.start_time,
                        body.end_time,
                        chunk
                    );
                }
                self.check_no_known_live_export(m)?;
                self.clover.create(&mut self.rng, m, span, a.export, now)
            }
            Op::Poll { export_id, .. } => self.clover.poll(&mut self.rng, m, export_id, now),
        };
        self.report.requests += 1;
        open.committed = outcome.committed;
        open.busy_by = outcome.busy_by;
        if outcome.committed.is_some() {
            self.report.exports_made += 1;
        }
        self.sent.push(Sent {
            merchant: m,
            job: a.export,
            create,
            at: now,
            answered: None,
            class: None,
        });
        open.sent = Some(self.sent.len() - 1);
        // The app aborts a request after its timeout (the new driver does, with an
        // AbortController); in one case in five it does not, and the queue's own deadline
        // must free the slot. A late answer then still arrives, and must change nothing.
        let app_aborts = self.rng.chance(0.8);
        let op_id = a.op_id;
        match outcome.wire {
            Wire::Answer { resp, latency } if !(app_aborts && latency >= a.timeout_ms) => {
                self.note(|| {
                    format!(
                        "send {op_id} {} job {} -> in {latency} ms",
                        a.op.method(),
                        a.export
                    )
                });
                self.deliver_at(now + latency, op_id, resp);
            }
            _ => {
                self.note(|| {
                    format!(
                        "send {op_id} {} job {} -> no answer",
                        a.op.method(),
                        a.export
                    )
                });
                if let Some(x) = outcome.committed {
                    self.clover.exports[x].answer_lost = true;
                }
                if app_aborts {
                    self.deliver_at(now + a.timeout_ms, op_id, Response::Timeout);
                }
            }
        }
        self.open.push(open);
        Ok(())
    }

    fn deliver(&mut self, d: Delivery) -> Result<(), String> {
        let now = self.now;
        let Some(pos) = self.open.iter().position(|o| o.op_id == d.op_id) else {
            // Late: the operation already timed out. The queue must ignore it.
            let before = format!("{:?}", self.q.requests());
            let events = self.q.on_response(d.op_id, d.resp, now);
            if !events.is_empty() || before != format!("{:?}", self.q.requests()) {
                bail!("a late answer to op {} changed the queue", d.op_id);
            }
            return Ok(());
        };
        let o = self.open.swap_remove(pos);
        let in_flight = self.q.is_in_flight(d.op_id);
        let resp_text = self.trace.is_some().then(|| format!("{:?}", d.resp));
        let answer_id = o.create
            && match &d.resp {
                Response::Http { status, body, .. } if (200..300).contains(status) => {
                    Export::from_json(body).ok().and_then(|e| e.id).is_some()
                }
                _ => false,
            };
        let carries_id = o.committed.is_some() && answer_id;
        // No answer, a timeout, a gateway's 502/504, or a 2xx without a readable id: Clover
        // may have made the export, and we cannot know which.
        let lost = match &d.resp {
            Response::Http { status, .. } if (200..300).contains(status) => !answer_id,
            r => r.answer_may_be_lost(),
        };
        if o.create && o.sent.is_some() && lost {
            self.lost_creates += 1;
        }
        let events = self.q.on_response(d.op_id, d.resp, now);
        self.note(|| {
            let text = resp_text.unwrap_or_default();
            format!("answer {} job {}: {}", d.op_id, o.job, cut(&text, 90))
        });
        if !in_flight {
            bail!("op {} was open but not in flight", d.op_id);
        }
        for ev in &events {
            if let Event::NeedsCredentials { merchant } = ev {
                let m = self.merchant(merchant);
                self.credentials_later(m);
            }
        }
        if let Some(i) = o.sent {
            let class = self.classify(&o);
            self.sent[i].answered = Some(now);
            self.sent[i].class = Some(class);
        }
        if let Some(x) = o.committed {
            if carries_id {
                let held = self
                    .job(o.request, o.job)
                    .and_then(|j| j.server_id.as_deref())
                    == Some(self.clover.exports[x].id.as_str());
                if !held {
                    bail!(
                        "the create answer of job {} carried export {}, but no job holds it: an export we were told about is abandoned",
                        o.job,
                        self.clover.exports[x].id
                    );
                }
                self.clover.exports[x].adopted = true;
            } else {
                self.clover.exports[x].answer_lost = true;
            }
        }
        if let Some(x) = o.busy_by {
            let e = &self.clover.exports[x];
            // When the client's own windows say Clover is closed, it cannot tell "busy"
            // from "closed" (the hours text is undocumented) and waits for the window.
            let closed_to_client = self
                .q
                .request(o.request)
                .and_then(|r| r.hours.as_ref())
                .is_some_and(|h| !h.is_open(now));
            if !e.adopted && e.creator == o.job && !closed_to_client {
                let listed = self
                    .q
                    .request(o.request)
                    .is_some_and(|r| r.suspected_orphans.iter().any(|s| s.export == o.job));
                let reason = self
                    .job(o.request, o.job)
                    .and_then(|j| j.wait.as_ref())
                    .map(|w| w.reason.clone());
                let ours = matches!(reason, Some(WaitReason::BusyProbablyOurs { .. }) | None);
                if !listed || !ours {
                    bail!(
                        "job {} was refused as busy by its own orphan {} but the request does not say so (listed: {listed}, wait: {reason:?})",
                        o.job,
                        e.id
                    );
                }
            }
        }
        Ok(())
    }

    /// What an answer did, as far as the rate rules care.
    fn classify(&self, o: &Open) -> Class {
        if self.q.is_stopped(&self.names[o.merchant]) {
            return Class::Stopped;
        }
        let Some(j) = self.job(o.request, o.job) else {
            return Class::Ended;
        };
        if j.state.is_terminal() || (!o.create && j.state == JobState::Queued && j.wait.is_none()) {
            return Class::Ended;
        }
        match &j.wait {
            Some(w) if matches!(w.reason, WaitReason::ServiceHours { .. }) => Class::Hours,
            Some(_) => Class::Failure,
            None if o.create => Class::CreatedOk,
            None => Class::RunningOk,
        }
    }

    /// The queue's own deadlines.
    fn timeouts(&mut self) -> Result<(), String> {
        let events = self.q.handle_timeout(self.now);
        if events
            .iter()
            .any(|e| matches!(e, Event::NeedsCredentials { .. }))
        {
            bail!("a timeout asked for credentials");
        }
        let mut i = 0;
        while i < self.open.len() {
            if self.q.is_in_flight(self.open[i].op_id) {
                i += 1;
                continue;
            }
            let o = self.open.swap_remove(i);
            self.note(|| format!("op {} timed out by the queue", o.op_id));
            if let Some(s) = o.sent {
                let class = self.classify(&o);
                self.sent[s].answered = Some(self.now);
                self.sent[s].class = Some(class);
            }
            self.lose_answer(&o);
        }
        Ok(())
    }
}

fn plan_len(span: TimeSpan) -> Millis {
    merchant_console_core::export::exports_needed(span) as Millis
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n).collect();
        format!("{head}…")
    }
}
