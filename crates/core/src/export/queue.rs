//! The export queue: a sans-IO state machine (in the style of `quinn-proto`).
//!
//! The queue decides *what* to send and *when*; the app does the sending. It never
//! touches the network, a clock, storage or a random source: time and randomness come
//! in as arguments/state, responses come in through [`ExportQueue::on_response`].
//!
//! # Driving it
//!
//! ```text
//! loop {
//!     let now = Date.now();
//!     while let Some(action) = queue.next_action(now) {
//!         spawn: let resp = http(action.op.method(), base_url(region) + action.op.path(),
//!                                 bearer token of action.op.merchant(), action.op.body_json());
//!                then queue.on_response(action.op_id, resp, Date.now()) and wake this loop
//!     }
//!     persist(serde_json::to_string(&queue));           // no credentials inside
//!     sleep until queue.next_wakeup(now), or until a response/command arrives
//! }
//! ```
//!
//! After a page reload, deserialise and call [`ExportQueue::resume_after_reload`] (or
//! use [`ExportQueue::from_json`], which does both).
//!
//! # Invariants
//!
//! Per merchant (one merchant = one token):
//! * at most **one request in flight** (create or poll), and request starts at least
//!   [`MIN_REQUEST_GAP_MS`] apart — far below the 16 req/s limit;
//! * at most **one export alive server-side** (Creating, Pending or InProgress): Clover
//!   runs only a few exports at once and asks clients to wait for one to finish before
//!   creating the next, so the next chunk is created only once the previous one is
//!   Done, Failed or Cancelled.
//!
//! Exports are served first-come first-served across a merchant's requests.
//!
//! "Alive server-side" is our view: an export given up after repeated poll errors, or
//! cancelled by the user, may still run at Clover. The next create then typically meets
//! a 503 "busy" and backs off until it is through.
//!
//! # Cancelling
//!
//! Clover has no endpoint to cancel an export: cancelling only stops *us* from polling
//! it. A response to a request that was in flight when its export was cancelled, retried
//! or removed is ignored (but still counts as in flight until it arrives, so the
//! one-request-per-merchant rule holds).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::action::{Action, Event, Op};
pub use super::job::{
    ExportJob, ExportRequest, JobId, JobState, MerchantState, NewRequest, OpId, RangeLabel,
    RequestId, StopReason,
};
use super::model::{CreateExportBody, Export, ExportStatus};
use super::plan::{exports_needed, plan_chunks};
use super::policy::{
    classify, Class, Decision, Failure, JitterRng, Response, RetryPolicy, RetryState,
};
use super::poll::{PollSchedule, ProgressMark, MIN_REQUEST_GAP_MS};
use crate::Millis;

/// Most exports one request may plan (1000 × 30 days ≈ 82 years): a guard against a
/// bogus span allocating millions of chunks.
pub const MAX_EXPORTS_PER_REQUEST: usize = 1000;

/// Errors of the user commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueError {
    /// No such request.
    UnknownRequest,
    /// No such export.
    UnknownExport,
    /// The command does not apply in the export's current state.
    InvalidState,
    /// The request is malformed (empty merchant, end before start).
    InvalidRequest(&'static str),
}

impl core::fmt::Display for QueueError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            QueueError::UnknownRequest => f.write_str("unknown request"),
            QueueError::UnknownExport => f.write_str("unknown export"),
            QueueError::InvalidState => f.write_str("not possible in the current state"),
            QueueError::InvalidRequest(why) => write!(f, "invalid request: {why}"),
        }
    }
}

impl std::error::Error for QueueError {}

/// Retry and polling configuration. Missing fields take their defaults when loading, so
/// a queue stored by an older version still loads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// Backoff and service-hours waits.
    pub retry: RetryPolicy,
    /// Polling schedule and stall threshold.
    pub poll: PollSchedule,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct InFlight {
    op_id: OpId,
    merchant: String,
    request: RequestId,
    export: JobId,
}

/// The whole export queue. Serialisable (serde_json) for persistence; contains no
/// credentials. Operations in flight are not persisted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportQueue {
    /// Configuration. Code, not state: not saved, so a reload runs with this version's
    /// policy (service hours move; an old save must not pin the old ones). Not saving it
    /// also keeps its serde code out of the wasm.
    #[serde(skip)]
    pub config: QueueConfig,
    rng: JitterRng,
    next_id: u64,
    next_op: OpId,
    requests: Vec<ExportRequest>,
    merchants: BTreeMap<String, MerchantState>,
    #[serde(skip)]
    in_flight: Vec<InFlight>,
}

impl ExportQueue {
    /// An empty queue with the default configuration. `seed` feeds jitter (use a random
    /// value from the app; any value works, including 0).
    pub fn new(seed: u64) -> Self {
        Self::with_config(QueueConfig::default(), seed)
    }

    /// An empty queue with a custom configuration.
    pub fn with_config(config: QueueConfig, seed: u64) -> Self {
        Self {
            config,
            rng: JitterRng::new(seed),
            next_id: 1,
            next_op: 1,
            requests: Vec::new(),
            merchants: BTreeMap::new(),
            in_flight: Vec::new(),
        }
    }

    /// Deserialises a persisted queue and calls [`resume_after_reload`](Self::resume_after_reload).
    pub fn from_json(json: &str, now: Millis) -> Result<Self, serde_json::Error> {
        let mut q: ExportQueue = serde_json::from_str(json)?;
        q.resume_after_reload(now);
        Ok(q)
    }

    /// Mixes fresh entropy into the jitter generator (e.g. after loading).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = JitterRng::new(self.rng.next_u64() ^ seed);
    }

    // ---- reading ---------------------------------------------------------------------

    /// All requests, oldest first.
    pub fn requests(&self) -> &[ExportRequest] {
        &self.requests
    }

    /// One request.
    pub fn request(&self, id: RequestId) -> Option<&ExportRequest> {
        self.requests.iter().find(|r| r.id == id)
    }

    /// State of a merchant (default when never seen).
    pub fn merchant_state(&self, merchant: &str) -> MerchantState {
        self.merchants.get(merchant).cloned().unwrap_or_default()
    }

    /// Why the merchant's queue is stopped, if it is.
    pub fn merchant_stopped(&self, merchant: &str) -> Option<&StopReason> {
        self.merchants
            .get(merchant)
            .and_then(|m| m.stopped.as_ref())
    }

    /// Whether the merchant's queue is stopped (token refused).
    pub fn is_stopped(&self, merchant: &str) -> bool {
        self.merchants
            .get(merchant)
            .is_some_and(|m| m.stopped.is_some())
    }

    /// Number of operations in flight (all merchants).
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }

    /// Number of operations in flight for one merchant (0 or 1).
    pub fn in_flight_for(&self, merchant: &str) -> usize {
        self.in_flight
            .iter()
            .filter(|f| f.merchant == merchant)
            .count()
    }

    // ---- commands --------------------------------------------------------------------

    /// Adds a request; its span is split into 30-day exports, queued behind the
    /// merchant's earlier requests.
    pub fn add_request(&mut self, req: NewRequest, now: Millis) -> Result<RequestId, QueueError> {
        if req.merchant.trim().is_empty() {
            return Err(QueueError::InvalidRequest("merchant id is empty"));
        }
        if req.span.end < req.span.start {
            return Err(QueueError::InvalidRequest("the span ends before it starts"));
        }
        if exports_needed(req.span) > MAX_EXPORTS_PER_REQUEST {
            return Err(QueueError::InvalidRequest("the span is too long"));
        }
        let id = self.fresh_id();
        let exports = plan_chunks(req.span)
            .into_iter()
            .enumerate()
            .map(|(i, span)| {
                let jid = self.fresh_id();
                ExportJob::new(jid, i, span)
            })
            .collect();
        self.merchants.entry(req.merchant.clone()).or_default();
        self.requests.push(ExportRequest {
            id,
            merchant: req.merchant,
            region: req.region,
            export_type: req.export_type,
            span: req.span,
            created_at: now,
            hours: req.hours,
            label: req.label,
            exports,
        });
        Ok(id)
    }

    /// Cancels every export of the request that has not finished. Finished exports keep
    /// their files.
    pub fn cancel_request(&mut self, request: RequestId, now: Millis) -> Result<(), QueueError> {
        let r = self.request_mut(request)?;
        for j in r.exports.iter_mut().filter(|j| !j.state.is_terminal()) {
            cancel_job(j, now);
        }
        Ok(())
    }

    /// Cancels one export (Queued, Creating, Pending or InProgress).
    pub fn cancel_export(
        &mut self,
        request: RequestId,
        export: JobId,
        now: Millis,
    ) -> Result<(), QueueError> {
        let j = self.job_mut(request, export)?;
        if j.state.is_terminal() {
            return Err(QueueError::InvalidState);
        }
        cancel_job(j, now);
        Ok(())
    }

    /// Puts a Failed, Expired or Cancelled export back in the queue: a **new** export
    /// will be created for its chunk.
    pub fn retry_export(&mut self, request: RequestId, export: JobId) -> Result<(), QueueError> {
        let j = self.job_mut(request, export)?;
        match j.state {
            JobState::Failed { .. } | JobState::Expired { .. } | JobState::Cancelled => {
                j.reset_for_requeue();
                Ok(())
            }
            _ => Err(QueueError::InvalidState),
        }
    }

    /// Retries every Failed, Expired or Cancelled export of a request; returns how many.
    pub fn retry_request(&mut self, request: RequestId) -> Result<usize, QueueError> {
        let r = self.request_mut(request)?;
        let mut n = 0;
        for j in r.exports.iter_mut() {
            if matches!(
                j.state,
                JobState::Failed { .. } | JobState::Expired { .. } | JobState::Cancelled
            ) {
                j.reset_for_requeue();
                n += 1;
            }
        }
        Ok(n)
    }

    /// Removes a request entirely (running exports are abandoned, not cancelled
    /// server-side: Clover has no cancel endpoint).
    pub fn remove_request(&mut self, request: RequestId) -> Result<ExportRequest, QueueError> {
        let pos = self
            .requests
            .iter()
            .position(|r| r.id == request)
            .ok_or(QueueError::UnknownRequest)?;
        Ok(self.requests.remove(pos))
    }

    /// The merchant's token was replaced: restart its queue. Exports that were running
    /// are polled again, queued ones created.
    pub fn credentials_updated(&mut self, merchant: &str, now: Millis) {
        if let Some(m) = self.merchants.get_mut(merchant) {
            m.stopped = None;
        }
        for j in self
            .requests
            .iter_mut()
            .filter(|r| r.merchant == merchant)
            .flat_map(|r| r.exports.iter_mut())
        {
            if let Some(p) = j.poll.as_mut() {
                p.next_poll_at = p.next_poll_at.min(now);
            }
        }
    }

    /// Marks Done exports whose `availableUntil` has passed as Expired (URLs kept).
    /// Returns how many changed.
    pub fn expire(&mut self, now: Millis) -> usize {
        let mut n = 0;
        for j in self.requests.iter_mut().flat_map(|r| r.exports.iter_mut()) {
            if let JobState::Done {
                urls,
                available_until: Some(until),
            } = &j.state
            {
                if now >= *until {
                    j.state = JobState::Expired {
                        urls: urls.clone(),
                        available_until: Some(*until),
                    };
                    n += 1;
                }
            }
        }
        n
    }

    /// Call after loading a persisted queue. Operations that were in flight are
    /// forgotten (their responses can no longer arrive). Pending/InProgress exports are
    /// polled again — never re-created. A Creating export (reloaded while its create was
    /// in flight) goes back to Queued: we cannot know whether the server created it, so
    /// **this is the only case where a duplicate export is possible** (the old one, if
    /// any, finishes unobserved; merged files are deduped by id anyway) — apart from the
    /// risk inherent to any non-idempotent POST, a create whose answer was lost in
    /// transit (network error or unreadable 2xx) and is therefore retried.
    pub fn resume_after_reload(&mut self, now: Millis) {
        self.in_flight.clear();
        for j in self.requests.iter_mut().flat_map(|r| r.exports.iter_mut()) {
            j.pending_op = None;
            match j.state {
                JobState::Creating => j.state = JobState::Queued,
                JobState::Pending | JobState::InProgress { .. } => {
                    if let Some(p) = j.poll.as_mut() {
                        p.next_poll_at = p.next_poll_at.min(now);
                    }
                }
                _ => {}
            }
        }
        self.expire(now);
    }

    // ---- driving ---------------------------------------------------------------------

    /// The next request to send at `now`, if any. Call repeatedly until `None`: each call
    /// hands out at most one operation, and never a second one for a merchant that has
    /// one in flight.
    ///
    /// Also runs [`expire`](Self::expire), so that an expiry time reported by
    /// [`next_wakeup`](Self::next_wakeup) is always consumed by the next call.
    pub fn next_action(&mut self, now: Millis) -> Option<Action> {
        self.expire(now);
        let merchants: Vec<String> = self
            .merchant_order()
            .into_iter()
            .map(str::to_string)
            .collect();
        for merchant in merchants {
            if let Some((ri, ji)) = self.due_job(&merchant, now) {
                return Some(self.issue(ri, ji, now));
            }
        }
        None
    }

    /// When [`next_action`](Self::next_action) (or [`expire`](Self::expire)) will next
    /// have something to do, clamped to `now` or later; `None` when only responses or
    /// user commands can change anything.
    pub fn next_wakeup(&self, now: Millis) -> Option<Millis> {
        let mut best: Option<Millis> = None;
        let mut consider = |t: Millis| best = Some(best.map_or(t, |b: Millis| b.min(t)));
        for merchant in self.merchant_order() {
            if let Some((ri, ji)) = self.candidate(merchant) {
                let j = &self.requests[ri].exports[ji];
                consider(self.due_time(merchant, j));
            }
        }
        for j in self.requests.iter().flat_map(|r| r.exports.iter()) {
            if let JobState::Done {
                available_until: Some(u),
                ..
            } = j.state
            {
                consider(u);
            }
        }
        best.map(|b| b.max(now))
    }

    /// Feeds the response of operation `op_id`, received at `now`. Unknown or stale
    /// operations are ignored. Returns notable events.
    pub fn on_response(&mut self, op_id: OpId, resp: Response, now: Millis) -> Vec<Event> {
        let Some(pos) = self.in_flight.iter().position(|f| f.op_id == op_id) else {
            return Vec::new();
        };
        let op = self.in_flight.remove(pos);
        let Some(ri) = self.requests.iter().position(|r| r.id == op.request) else {
            return Vec::new();
        };
        let Some(ji) = self.requests[ri]
            .exports
            .iter()
            .position(|j| j.id == op.export)
        else {
            return Vec::new();
        };
        if self.requests[ri].exports[ji].pending_op != Some(op_id) {
            // Cancelled, retried or otherwise superseded while in flight.
            return Vec::new();
        }
        self.requests[ri].exports[ji].pending_op = None;

        let mut events = Vec::new();
        match classify(&resp, now) {
            Class::Success => {
                let body = match &resp {
                    Response::Http { body, .. } => body.as_str(),
                    Response::Network { .. } => "",
                };
                match Export::from_json(body) {
                    Ok(export) => self.apply_export(ri, ji, export, now, &mut events),
                    Err(e) => self.apply_failure(
                        ri,
                        ji,
                        Failure::Transient {
                            cause: format!("unreadable response: {e}"),
                        },
                        now,
                        &mut events,
                    ),
                }
            }
            Class::Credentials { status } => {
                let r = &mut self.requests[ri];
                let merchant = r.merchant.clone();
                let j = &mut r.exports[ji];
                if j.state == JobState::Creating {
                    j.state = JobState::Queued;
                }
                j.wait = None;
                let m = self.merchants.entry(merchant.clone()).or_default();
                m.stopped = Some(StopReason::NeedsCredentials { status });
                events.push(Event::NeedsCredentials { merchant });
            }
            Class::Rejected { status, message } => {
                let reason = if message == format!("HTTP {status}") {
                    message
                } else {
                    format!("{message} (HTTP {status})")
                };
                self.fail(ri, ji, reason, now, &mut events);
            }
            Class::Retry(failure) => self.apply_failure(ri, ji, failure, now, &mut events),
        }
        events
    }

    // ---- internals -------------------------------------------------------------------

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Merchants in the order of their oldest request.
    fn merchant_order(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.requests {
            if !out.contains(&r.merchant.as_str()) {
                out.push(&r.merchant);
            }
        }
        out
    }

    fn request_mut(&mut self, id: RequestId) -> Result<&mut ExportRequest, QueueError> {
        self.requests
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or(QueueError::UnknownRequest)
    }

    fn job_mut(&mut self, request: RequestId, export: JobId) -> Result<&mut ExportJob, QueueError> {
        self.request_mut(request)?
            .exports
            .iter_mut()
            .find(|j| j.id == export)
            .ok_or(QueueError::UnknownExport)
    }

    /// The job that would get the merchant's next request (regardless of timing): its
    /// active export if any, else its first queued one. `None` when the merchant is
    /// stopped, has a request in flight, or has nothing to do.
    fn candidate(&self, merchant: &str) -> Option<(usize, usize)> {
        if self.is_stopped(merchant) || self.in_flight.iter().any(|f| f.merchant == merchant) {
            return None;
        }
        let jobs = || {
            self.requests
                .iter()
                .enumerate()
                .filter(move |(_, r)| r.merchant == merchant)
                .flat_map(|(ri, r)| r.exports.iter().enumerate().map(move |(ji, j)| (ri, ji, j)))
        };
        if let Some((ri, ji, j)) = jobs().find(|(_, _, j)| j.state.is_active()) {
            // A Creating job without an op in flight only exists if resume was skipped
            // after a reload; it must not be polled or re-created here.
            return matches!(j.state, JobState::Pending | JobState::InProgress { .. })
                .then_some((ri, ji));
        }
        jobs()
            .find(|(_, _, j)| j.state == JobState::Queued)
            .map(|(ri, ji, _)| (ri, ji))
    }

    fn due_time(&self, merchant: &str, j: &ExportJob) -> Millis {
        let mut due = j.wait.as_ref().map_or(Millis::MIN, |w| w.until);
        if let (true, Some(p)) = (j.state.is_active(), j.poll.as_ref()) {
            due = due.max(p.next_poll_at);
        }
        if let Some(last) = self.merchants.get(merchant).and_then(|m| m.last_request_at) {
            due = due.max(last.saturating_add(MIN_REQUEST_GAP_MS));
        }
        due
    }

    fn due_job(&self, merchant: &str, now: Millis) -> Option<(usize, usize)> {
        let (ri, ji) = self.candidate(merchant)?;
        (self.due_time(merchant, &self.requests[ri].exports[ji]) <= now).then_some((ri, ji))
    }

    fn issue(&mut self, ri: usize, ji: usize, now: Millis) -> Action {
        let op_id = self.next_op;
        self.next_op += 1;
        let r = &mut self.requests[ri];
        let j = &mut r.exports[ji];
        j.wait = None;
        j.pending_op = Some(op_id);
        let op = if j.state == JobState::Queued {
            j.state = JobState::Creating;
            j.started_at.get_or_insert(now);
            Op::Create {
                merchant: r.merchant.clone(),
                region: r.region.clone(),
                body: CreateExportBody {
                    export_type: r.export_type,
                    start_time: j.span.start,
                    end_time: j.span.end,
                },
            }
        } else {
            Op::Poll {
                merchant: r.merchant.clone(),
                region: r.region.clone(),
                export_id: j.server_id.clone().unwrap_or_default(),
            }
        };
        let action = Action {
            op_id,
            request: r.id,
            export: j.id,
            op,
        };
        let merchant = r.merchant.clone();
        self.in_flight.push(InFlight {
            op_id,
            merchant: merchant.clone(),
            request: action.request,
            export: action.export,
        });
        self.merchants.entry(merchant).or_default().last_request_at = Some(now);
        action
    }

    fn apply_export(
        &mut self,
        ri: usize,
        ji: usize,
        export: Export,
        now: Millis,
        events: &mut Vec<Event>,
    ) {
        let creating = self.requests[ri].exports[ji].state == JobState::Creating;
        if creating && export.id.as_deref().is_none_or(|id| id.trim().is_empty()) {
            return self.apply_failure(
                ri,
                ji,
                Failure::Transient {
                    cause: "the create response has no export id".to_string(),
                },
                now,
                events,
            );
        }
        let schedule = self.config.poll.clone();
        let j = &mut self.requests[ri].exports[ji];
        j.retry = RetryState::default();
        j.wait = None;
        if creating {
            j.server_id = export.id.clone();
            j.created_at = Some(now);
        }
        if let Some(s) = &export.status {
            j.server_status = Some(s.as_str().to_string());
        }
        let status = export.status.clone();
        match status {
            Some(s) if s.is_success() => {
                j.state = JobState::Done {
                    urls: export.urls(),
                    available_until: export.available_until,
                };
                j.finished_at = Some(now);
                let id = j.id;
                let request = self.requests[ri].id;
                events.push(Event::ExportDone {
                    request,
                    export: id,
                });
                self.push_finished(ri, events);
            }
            // Any other final status (FAILED, ERROR, unknown): show it raw.
            Some(s) if s.is_failure() => self.fail(ri, ji, s.as_str().to_string(), now, events),
            running => {
                // PENDING, IN_PROGRESS, or no status at all (keep what we knew).
                let (started, percent) = match running {
                    Some(ExportStatus::InProgress) => {
                        (true, export.percent_complete.unwrap_or(j.percent()))
                    }
                    Some(ExportStatus::Pending) => (false, export.percent_complete.unwrap_or(0)),
                    _ => match j.state {
                        JobState::InProgress { percent } => {
                            (true, export.percent_complete.unwrap_or(percent))
                        }
                        _ => (false, export.percent_complete.unwrap_or(0)),
                    },
                };
                j.state = if started {
                    JobState::InProgress { percent }
                } else {
                    JobState::Pending
                };
                let mark = ProgressMark { started, percent };
                match (creating, j.poll.as_mut()) {
                    (false, Some(p)) => schedule.observe(p, mark, now),
                    _ => j.poll = Some(schedule.start(mark, now)),
                }
            }
        }
    }

    fn apply_failure(
        &mut self,
        ri: usize,
        ji: usize,
        failure: Failure,
        now: Millis,
        events: &mut Vec<Event>,
    ) {
        let rand01 = self.rng.next_f64();
        let r = &mut self.requests[ri];
        let hours = r.hours.clone();
        let j = &mut r.exports[ji];
        let decision =
            self.config
                .retry
                .on_failure(failure, &mut j.retry, hours.as_ref(), now, rand01);
        match decision {
            Decision::Wait(w) => {
                if j.state == JobState::Creating {
                    j.state = JobState::Queued;
                }
                j.wait = Some(w);
            }
            Decision::Fail(reason) => self.fail(ri, ji, reason, now, events),
        }
    }

    fn fail(&mut self, ri: usize, ji: usize, reason: String, now: Millis, events: &mut Vec<Event>) {
        let j = &mut self.requests[ri].exports[ji];
        j.state = JobState::Failed {
            reason: reason.clone(),
        };
        j.wait = None;
        j.finished_at = Some(now);
        let export = j.id;
        let request = self.requests[ri].id;
        events.push(Event::ExportFailed {
            request,
            export,
            reason,
        });
        self.push_finished(ri, events);
    }

    fn push_finished(&self, ri: usize, events: &mut Vec<Event>) {
        let r = &self.requests[ri];
        if r.is_finished() {
            events.push(Event::RequestFinished { request: r.id });
        }
    }
}

fn cancel_job(j: &mut ExportJob, now: Millis) {
    j.state = JobState::Cancelled;
    j.wait = None;
    j.pending_op = None;
    j.finished_at = Some(now);
}
