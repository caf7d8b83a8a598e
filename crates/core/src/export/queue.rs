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
//!     queue.handle_timeout(now);                        // ops past their deadline
//!     while let Some(action) = queue.next_action(now) {
//!         spawn: let resp = http(action.op.method(), base_url(region) + action.op.path(),
//!                                 credentials (action.auth), action.op.body_json(),
//!                                 timeout action.timeout_ms);
//!                then queue.on_response(action.op_id, resp, Date.now()) and wake this loop
//!     }
//!     if changed { persist(queue.to_json()) }  // no credentials inside
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
//! "Alive server-side" is our view. A known export is never given up because its polls
//! failed (see [`policy`](super::policy)); but a create whose answer was lost, or an
//! export the person cancelled, may still run at Clover. The next create then meets a
//! 503 "busy" and backs off until it is through; after a lost create answer that is
//! said in words ("probably the export asked for at …") and the export is listed in
//! [`ExportRequest::suspected_orphans`].
//!
//! # Timeouts
//!
//! Every [`Action`] carries the time the app should wait for its answer. A timeout is an
//! input like any other response ([`Response::Timeout`]); the queue also keeps its own
//! deadline a little later and times the operation out in
//! [`handle_timeout`](ExportQueue::handle_timeout), so a lost answer can never hold the
//! merchant's only slot for ever.
//!
//! # Cancelling
//!
//! Clover has no endpoint to cancel an export: cancelling only stops *us* from polling
//! it. A response to a request that was in flight when its export was cancelled, retried
//! or removed is ignored (but still counts as in flight until it arrives, so the
//! one-request-per-merchant rule holds) — except what a create's answer says about the
//! export Clover made: its id is kept, so the export is not abandoned unseen.

use serde::{Deserialize, Serialize};

pub use super::action::{Action, Event, Op};
use super::job::MerchantMap;
pub use super::job::{
    ExportJob, ExportRequest, JobId, JobState, MerchantState, NewRequest, OpId, RangeLabel,
    RequestId, StopReason, SuspectedOrphan,
};
use super::model::{CreateExportBody, Export, ExportStatus};
use super::plan::{exports_needed, plan_chunks};
use super::policy::{
    classify, Class, Decision, Failure, JitterRng, Phase, Response, RetryPolicy, RetryState,
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

/// How long the app waits for each kind of answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeouts {
    /// A create (30 s).
    pub create_ms: Millis,
    /// A poll (20 s).
    pub poll_ms: Millis,
    /// The queue's own deadline comes this much after the app's timeout (2 s), so the
    /// app's abort normally arrives first.
    pub grace_ms: Millis,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            create_ms: 30_000,
            poll_ms: 20_000,
            grace_ms: 2_000,
        }
    }
}

/// Polls after which DONE without a file list is accepted as "no files".
const DONE_WITHOUT_URLS_POLLS: u8 = 3;

/// Retry, polling and timeout configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueConfig {
    /// Backoff and service-hours waits.
    pub retry: RetryPolicy,
    /// Polling schedule and stall threshold.
    pub poll: PollSchedule,
    /// Request timeouts.
    pub timeouts: Timeouts,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct InFlight {
    op_id: OpId,
    merchant: String,
    request: RequestId,
    export: JobId,
    sent_at: Millis,
    deadline: Millis,
    /// A create (its answer may carry the id of an export Clover made).
    create: bool,
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
    pub(super) rng: JitterRng,
    pub(super) next_id: u64,
    pub(super) next_op: OpId,
    pub(super) requests: Vec<ExportRequest>,
    pub(super) merchants: MerchantMap,
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
            merchants: MerchantMap::default(),
            in_flight: Vec::new(),
        }
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

    /// Whether the merchant's queue is stopped (token refused or missing).
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

    /// Whether operation `op_id` is in flight and still expected (its answer would be used).
    pub fn is_in_flight(&self, op_id: OpId) -> bool {
        self.in_flight.iter().any(|f| f.op_id == op_id)
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
        self.merchants.entry(&req.merchant);
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
            auth: req.auth,
            suspected_orphans: Vec::new(),
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

    /// Cancels one export (Queued, Creating, Pending or InProgress). Clover has no cancel
    /// endpoint: an export it runs goes on there, and a retry checks on it first.
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

    /// Puts a Failed, Expired or Cancelled export back to work. When its export id is
    /// known and Clover has not said it is over, that export is polled first (it may
    /// have finished meanwhile); otherwise, and for expired files, a **new** export is
    /// created for the chunk.
    pub fn retry_export(
        &mut self,
        request: RequestId,
        export: JobId,
        now: Millis,
    ) -> Result<(), QueueError> {
        let schedule = self.config.poll.clone();
        let j = self.job_mut(request, export)?;
        if !matches!(
            j.state,
            JobState::Failed { .. } | JobState::Expired { .. } | JobState::Cancelled
        ) {
            return Err(QueueError::InvalidState);
        }
        requeue(j, &schedule, now);
        Ok(())
    }

    /// Retries every Failed, Expired or Cancelled export of a request (as
    /// [`retry_export`](Self::retry_export)); returns how many.
    pub fn retry_request(&mut self, request: RequestId, now: Millis) -> Result<usize, QueueError> {
        let schedule = self.config.poll.clone();
        let r = self.request_mut(request)?;
        let mut n = 0;
        for j in r.exports.iter_mut() {
            if matches!(
                j.state,
                JobState::Failed { .. } | JobState::Expired { .. } | JobState::Cancelled
            ) {
                requeue(j, &schedule, now);
                n += 1;
            }
        }
        Ok(n)
    }

    /// "Check now": the export's next request goes out at once instead of at the end of
    /// its wait (the spacing between requests still applies). It does not reset the
    /// failure count.
    pub fn check_now(
        &mut self,
        request: RequestId,
        export: JobId,
        now: Millis,
    ) -> Result<(), QueueError> {
        let j = self.job_mut(request, export)?;
        if j.state.is_terminal() || j.state == JobState::Creating {
            return Err(QueueError::InvalidState);
        }
        if let Some(w) = j.wait.as_mut() {
            w.until = w.until.min(now);
        }
        if let Some(p) = j.poll.as_mut() {
            p.next_poll_at = p.next_poll_at.min(now);
        }
        Ok(())
    }

    /// Removes a request entirely. Its exports still running at Clover go on there
    /// (Clover has no cancel endpoint); the app asks before removing an unfinished one.
    pub fn remove_request(&mut self, request: RequestId) -> Result<ExportRequest, QueueError> {
        let pos = self
            .requests
            .iter()
            .position(|r| r.id == request)
            .ok_or(QueueError::UnknownRequest)?;
        Ok(self.requests.remove(pos))
    }

    /// The merchant's credentials were replaced or became available: restart its queue.
    /// Exports that were running are polled again, queued ones created.
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

    /// A file of a Done export answered "gone" (404/410, or 403 for an expired signed
    /// link) before its `availableUntil`: the export counts as Expired, so the person gets
    /// "Request this range again" on its row. Only a Done export changes.
    pub fn files_gone(
        &mut self,
        request: RequestId,
        export: JobId,
        now: Millis,
    ) -> Result<(), QueueError> {
        let j = self.job_mut(request, export)?;
        let JobState::Done {
            urls,
            available_until,
        } = &j.state
        else {
            return Err(QueueError::InvalidState);
        };
        j.state = JobState::Expired {
            urls: urls.clone(),
            available_until: Some(available_until.map_or(now, |u| u.min(now))),
        };
        Ok(())
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
    /// forgotten (their answers can no longer arrive). Pending/InProgress exports are
    /// polled again, never re-created. A Creating export (reloaded while its create was
    /// in flight) goes back to Queued with its create marked as answer-lost: Clover may
    /// have made it, and a "busy" answer to the next create is then recognised as
    /// probably ours.
    pub fn resume_after_reload(&mut self, now: Millis) {
        self.in_flight.clear();
        for j in self.requests.iter_mut().flat_map(|r| r.exports.iter_mut()) {
            j.pending_op = None;
            match j.state {
                JobState::Creating => {
                    j.state = JobState::Queued;
                    let sent = j.create_sent_at.unwrap_or(now);
                    j.create_answer_lost_at.get_or_insert(sent);
                }
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

    /// Times out every operation whose deadline has passed at `now`, exactly as if the
    /// app had reported [`Response::Timeout`]. Call before [`next_action`](Self::next_action).
    pub fn handle_timeout(&mut self, now: Millis) -> Vec<Event> {
        self.follow_clock_back(now);
        let late: Vec<OpId> = self
            .in_flight
            .iter()
            .filter(|f| f.deadline <= now)
            .map(|f| f.op_id)
            .collect();
        let mut events = Vec::new();
        for op in late {
            events.extend(self.on_response(op, Response::Timeout, now));
        }
        events
    }

    /// The next request to send at `now`, if any. Call repeatedly until `None`: each call
    /// hands out at most one operation, and never a second one for a merchant that has
    /// one in flight.
    ///
    /// Also runs [`expire`](Self::expire), so that an expiry time reported by
    /// [`next_wakeup`](Self::next_wakeup) is always consumed by the next call.
    pub fn next_action(&mut self, now: Millis) -> Option<Action> {
        self.follow_clock_back(now);
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

    /// When [`next_action`](Self::next_action), [`expire`](Self::expire) or
    /// [`handle_timeout`](Self::handle_timeout) will next have something to do, clamped
    /// to `now` or later; `None` when only responses or user commands can change anything.
    pub fn next_wakeup(&self, now: Millis) -> Option<Millis> {
        let mut best: Option<Millis> = None;
        let mut consider = |t: Millis| best = Some(best.map_or(t, |b: Millis| b.min(t)));
        for merchant in self.merchant_order() {
            if let Some((ri, ji)) = self.candidate(merchant) {
                let j = &self.requests[ri].exports[ji];
                consider(self.due_time(merchant, j));
            }
        }
        for f in &self.in_flight {
            consider(f.deadline);
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
            // Cancelled, retried or otherwise superseded while in flight. A create may
            // have made an export at Clover all the same: keep what its answer says.
            if op.create {
                self.keep_superseded_create(ri, ji, op.sent_at, &resp, now);
            }
            return Vec::new();
        }
        self.requests[ri].exports[ji].pending_op = None;
        let creating = self.requests[ri].exports[ji].state == JobState::Creating;
        if creating && resp.answer_may_be_lost() {
            let j = &mut self.requests[ri].exports[ji];
            j.create_answer_lost_at.get_or_insert(op.sent_at);
        }

        let mut events = Vec::new();
        match classify(&resp, now) {
            Class::Success => {
                let body = match &resp {
                    Response::Http { body, .. } => body.as_str(),
                    _ => "",
                };
                match Export::from_json(body) {
                    Ok(export) => self.apply_export(ri, ji, export, now, &mut events),
                    Err(e) => {
                        if creating {
                            // Clover answered 2xx: the export probably exists.
                            let j = &mut self.requests[ri].exports[ji];
                            j.create_answer_lost_at.get_or_insert(op.sent_at);
                        }
                        self.apply_failure(
                            ri,
                            ji,
                            Failure::transient(format!("unreadable answer: {e}")),
                            now,
                            &mut events,
                        )
                    }
                }
            }
            Class::Credentials { status } => {
                self.stop_merchant(ri, ji, StopReason::NeedsCredentials { status }, &mut events)
            }
            Class::NoCredentials => {
                self.stop_merchant(ri, ji, StopReason::MissingCredentials, &mut events)
            }
            Class::Rejected { status, message } => {
                let gone = matches!(status, 404 | 410) && !creating;
                let reason = if message == format!("HTTP {status}") {
                    message
                } else {
                    format!("{message} (HTTP {status})")
                };
                if gone {
                    let schedule = self.config.poll.clone();
                    let j = &mut self.requests[ri].exports[ji];
                    j.export_gone = true;
                    if j.verify_first {
                        // Checked on request of a retry: nothing there, so make a new one.
                        requeue(j, &schedule, now);
                        return events;
                    }
                    let reason = format!("Clover no longer knows this export ({reason}).");
                    self.fail(ri, ji, reason, now, &mut events);
                } else {
                    self.fail(ri, ji, reason, now, &mut events);
                }
            }
            Class::Retry(failure) => self.apply_failure(ri, ji, failure, now, &mut events),
        }
        events
    }

    // ---- internals -------------------------------------------------------------------

    /// The device's clock was set back (a merchant's last request lies in the future):
    /// every wait and deadline of that merchant moves back by as much, so a clock set back
    /// an hour does not hold the queue for an hour. Waits are absolute times; this keeps
    /// their lengths.
    fn follow_clock_back(&mut self, now: Millis) {
        for (merchant, m) in self.merchants.iter_mut() {
            let Some(last) = m.last_request_at.filter(|&l| l > now.saturating_add(1_000)) else {
                continue;
            };
            let back = last - now;
            m.last_request_at = Some(now);
            let earlier = |t: &mut Millis| *t = t.saturating_sub(back);
            for j in self
                .requests
                .iter_mut()
                .filter(|r| r.merchant == *merchant)
                .flat_map(|r| r.exports.iter_mut())
            {
                if let Some(w) = j.wait.as_mut() {
                    earlier(&mut w.until);
                }
                if let Some(p) = j.poll.as_mut() {
                    earlier(&mut p.next_poll_at);
                }
            }
            for f in self
                .in_flight
                .iter_mut()
                .filter(|f| f.merchant == *merchant)
            {
                earlier(&mut f.sent_at);
                earlier(&mut f.deadline);
            }
        }
    }

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
        // A retried export whose id is known is checked on before anything new is
        // created: it may still run at Clover and hold the merchant's slot. Found by the
        // simulation (seeds 10643, 33386 of `export_sim`): a chunk queued earlier was
        // created first, while the export about to be checked was still running.
        let verify = |j: &ExportJob| j.state == JobState::Queued && j.verify_first;
        if let Some((ri, ji, _)) = jobs().find(|(_, _, j)| verify(j) && j.server_id.is_some()) {
            return Some((ri, ji));
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
        let timeouts = self.config.timeouts;
        let r = &mut self.requests[ri];
        let j = &mut r.exports[ji];
        j.wait = None;
        j.pending_op = Some(op_id);
        let verify = j.state == JobState::Queued && j.verify_first && j.server_id.is_some();
        if verify {
            // A retry's check on the export Clover already has: it counts as alive again.
            let mark = j.poll.map(|p| p.mark).unwrap_or(ProgressMark {
                started: false,
                percent: 0,
            });
            j.state = if mark.started {
                JobState::InProgress {
                    percent: mark.percent.min(99),
                }
            } else {
                JobState::Pending
            };
        }
        let (op, timeout_ms) = if j.state == JobState::Queued {
            j.state = JobState::Creating;
            j.started_at.get_or_insert(now);
            j.create_sent_at = Some(now);
            let op = Op::Create {
                merchant: r.merchant.clone(),
                region: r.region.clone(),
                body: CreateExportBody {
                    export_type: r.export_type,
                    start_time: j.span.start,
                    end_time: j.span.end,
                },
            };
            (op, timeouts.create_ms)
        } else {
            let op = Op::Poll {
                merchant: r.merchant.clone(),
                region: r.region.clone(),
                export_id: j.server_id.clone().unwrap_or_default(),
            };
            (op, timeouts.poll_ms)
        };
        let timeout_ms = timeout_ms.max(1);
        let action = Action {
            op_id,
            request: r.id,
            export: j.id,
            op,
            timeout_ms,
            auth: r.auth,
        };
        let merchant = r.merchant.clone();
        self.in_flight.push(InFlight {
            op_id,
            merchant: merchant.clone(),
            request: action.request,
            export: action.export,
            sent_at: now,
            deadline: now
                .saturating_add(timeout_ms)
                .saturating_add(timeouts.grace_ms.max(0)),
            create: matches!(action.op, Op::Create { .. }),
        });
        self.merchants.entry(&merchant).last_request_at = Some(now);
        action
    }

    /// The answer to a create that was in flight when its export was cancelled (and
    /// perhaps retried since). Found by the simulation (`tests/export_sim.rs`): the
    /// answer used to be dropped with the export's id, so Clover ran an export nobody
    /// followed, and a retry made a second one. Now the id is kept: a cancelled export
    /// says Clover may still finish it and a retry checks on it first; a retried one
    /// checks on it instead of making another. A lost answer is remembered, so that a
    /// later "busy" is recognised as probably ours.
    fn keep_superseded_create(
        &mut self,
        ri: usize,
        ji: usize,
        sent_at: Millis,
        resp: &Response,
        now: Millis,
    ) {
        let schedule = self.config.poll.clone();
        let j = &mut self.requests[ri].exports[ji];
        // Only a cancel (and a retry after it) supersedes a create, and while it is in
        // flight no other request of the merchant goes out.
        if j.server_id.is_some() || !matches!(j.state, JobState::Cancelled | JobState::Queued) {
            return;
        }
        let ok = matches!(
            resp,
            Response::Http {
                status: 200..=299,
                ..
            }
        );
        let id = match resp {
            Response::Http { body, .. } if ok => Export::from_json(body)
                .ok()
                .and_then(|e| e.id)
                .filter(|id| !id.trim().is_empty()),
            _ => None,
        };
        match id {
            Some(id) => {
                j.server_id = Some(id);
                j.created_at = Some(now);
                j.last_contact_at = Some(now);
                j.create_answer_lost_at = None;
                if j.state == JobState::Queued {
                    requeue(j, &schedule, now);
                }
            }
            None if ok || resp.answer_may_be_lost() => {
                j.create_answer_lost_at.get_or_insert(sent_at);
            }
            None => {}
        }
    }

    fn stop_merchant(&mut self, ri: usize, ji: usize, why: StopReason, events: &mut Vec<Event>) {
        let r = &mut self.requests[ri];
        let merchant = r.merchant.clone();
        let j = &mut r.exports[ji];
        if j.state == JobState::Creating {
            j.state = JobState::Queued;
        }
        j.wait = None;
        let m = self.merchants.entry(&merchant);
        let missing = why == StopReason::MissingCredentials;
        m.stopped = Some(why);
        events.push(if missing {
            Event::MissingCredentials { merchant }
        } else {
            Event::NeedsCredentials { merchant }
        });
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
            // Clover took the create (2xx) but we cannot poll what it made.
            let sent = self.requests[ri].exports[ji].create_sent_at.unwrap_or(now);
            self.requests[ri].exports[ji]
                .create_answer_lost_at
                .get_or_insert(sent);
            return self.apply_failure(
                ri,
                ji,
                Failure::transient("the create answer has no export id"),
                now,
                events,
            );
        }
        let schedule = self.config.poll.clone();
        let j = &mut self.requests[ri].exports[ji];
        j.retry = RetryState::default();
        j.wait = None;
        j.last_contact_at = Some(now);
        if creating {
            j.server_id = export.id.clone();
            j.created_at = Some(now);
            j.create_answer_lost_at = None;
        }
        if let Some(s) = &export.status {
            j.server_status = Some(s.as_str().to_string());
        }
        let status = export.status.clone();
        match status {
            Some(s)
                if s.is_success()
                    && export.export_urls.is_none()
                    && j.done_without_urls < DONE_WITHOUT_URLS_POLLS =>
            {
                // DONE without a file list: Clover may still be writing it; look again.
                j.done_without_urls += 1;
                j.state = JobState::InProgress { percent: 99 };
                let mark = ProgressMark {
                    started: true,
                    percent: 99,
                };
                match (creating, j.poll.as_mut()) {
                    (false, Some(p)) => schedule.observe(p, mark, now),
                    _ => j.poll = Some(schedule.start(mark, now)),
                }
            }
            Some(s) if s.is_success() => {
                j.state = JobState::Done {
                    urls: export.urls(),
                    available_until: export.available_until,
                };
                j.verify_first = false;
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
            Some(s) if s.is_failure() => {
                j.export_gone = true;
                if j.verify_first {
                    // Checked on request of a retry: it failed at Clover, so make a new one.
                    requeue(j, &schedule, now);
                    return;
                }
                self.fail(ri, ji, s.as_str().to_string(), now, events)
            }
            running => {
                j.verify_first = false;
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
                // The percentage never contradicts the status: a running export is
                // below 100 until Clover says DONE.
                let percent = percent.min(99);
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
        let creating = j.state == JobState::Creating;
        let phase = if creating || j.server_id.is_none() {
            Phase::Create {
                answer_lost_at: j.create_answer_lost_at,
            }
        } else {
            Phase::Poll {
                last_contact_at: j
                    .last_contact_at
                    .or(j.created_at)
                    .or(j.started_at)
                    .unwrap_or(now),
            }
        };
        let busy = matches!(failure, Failure::Unavailable { .. });
        let decision =
            self.config
                .retry
                .on_failure(failure, &mut j.retry, phase, hours.as_ref(), now, rand01);
        // "Busy" after a lost create answer: probably the export that create made. It is
        // reported also when this answer uses up the budget (found by the simulation,
        // seed 33436 of `export_sim`: the 24th attempt met our own orphan, and the
        // request failed without a word about it).
        let probably_ours = match &decision {
            Decision::Wait(w) => {
                matches!(w.reason, super::policy::WaitReason::BusyProbablyOurs { .. })
            }
            Decision::Fail(_) => matches!(
                phase,
                Phase::Create {
                    answer_lost_at: Some(_)
                }
            ),
        };
        if busy && probably_ours {
            let orphan = SuspectedOrphan {
                export: j.id,
                span: j.span,
                asked_at: j.create_answer_lost_at.unwrap_or(now),
            };
            if !r.suspected_orphans.contains(&orphan) {
                r.suspected_orphans.push(orphan);
            }
        }
        match decision {
            Decision::Wait(w) => {
                if creating {
                    j.state = JobState::Queued;
                }
                j.wait = Some(w);
            }
            Decision::Fail(reason) => {
                if j.verify_first {
                    // A retry whose check could not reach the export in time (its files
                    // would be gone by now): make a new one instead.
                    j.reset_for_requeue();
                    return;
                }
                self.fail(ri, ji, reason, now, events)
            }
        }
    }

    fn fail(&mut self, ri: usize, ji: usize, reason: String, now: Millis, events: &mut Vec<Event>) {
        let j = &mut self.requests[ri].exports[ji];
        j.state = JobState::Failed {
            reason: reason.clone(),
        };
        j.wait = None;
        j.verify_first = false;
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

/// A Failed, Expired or Cancelled export back to work: its known export is checked on
/// first (when Clover has not said it is over and its files can still exist), else the
/// chunk is queued for a new export. A fresh failure budget either way: the person asked.
fn requeue(j: &mut ExportJob, schedule: &PollSchedule, now: Millis) {
    let expired = matches!(j.state, JobState::Expired { .. });
    if j.may_still_exist() && !expired {
        // Queued, so it waits behind the merchant's running export; it goes before the
        // chunks still to be created, and it is polled, not created.
        let mark = j.poll.map(|p| p.mark).unwrap_or(ProgressMark {
            started: false,
            percent: 0,
        });
        let mut poll = schedule.start(mark, now);
        poll.next_poll_at = now;
        j.state = JobState::Queued;
        j.poll = Some(poll);
        j.verify_first = true;
        j.wait = None;
        j.retry = RetryState::default();
        j.finished_at = None;
        j.pending_op = None;
    } else {
        j.reset_for_requeue();
    }
}
