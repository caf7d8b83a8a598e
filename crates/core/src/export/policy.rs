//! What to do after an unsuccessful response: back off, wait for service hours, or give up.
//!
//! Every failure of one export counts against **one** budget, whatever its kind (503
//! busy, 429, 5xx, no answer, timeout), and every failure grows **one** backoff:
//!
//! | condition | treatment |
//! |---|---|
//! | 503 outside service hours | wait until the next window opens (+ a few random seconds); 15 min when the windows are unknown. Not a failure: neither counted nor reset |
//! | any other failure | backoff: full jitter between a 2.5 s floor and a ceiling that doubles from 5 s to 5 min. `Retry-After` is a minimum on top: it can lengthen a wait, never shorten it below the backoff |
//! | … of a create (no export id yet) | the export fails after [`RetryPolicy::max_create_failures`] failures in a row |
//! | … of a poll (the export id is known) | never given up for failures: polls go on until the export is terminal, is provably gone (404/410 for that id), or its polls have been failing for [`RetryPolicy::lost_contact_limit_ms`] in a row (24 h: its files would have expired) |
//!
//! A single counter means a server that alternates 503, 5xx and 429 cannot reset the
//! count, and the backoff keeps growing. The floor bounds the request rate whatever the
//! server says: `Retry-After: 0` on every answer gives at most one retry per 2.5 s.
//!
//! Jitter spreads retries of many tabs and clients so they do not hit the server in
//! lockstep. The core has no randomness source: [`JitterRng`] is a tiny xorshift generator
//! whose state is part of the (serialisable) queue and is seeded by the app, and every
//! function here takes the random draw `rand01` as an argument, so tests are deterministic.

use serde::{Deserialize, Serialize};

use super::hours::ServiceHours;
use super::model::error_message;
use crate::Millis;

/// An HTTP outcome as the app observed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// The server answered.
    Http {
        /// HTTP status code.
        status: u16,
        /// The `Retry-After` header, verbatim, when present.
        retry_after: Option<String>,
        /// The response body (may be empty).
        body: String,
    },
    /// No HTTP answer: DNS/TLS/connection failure, CORS rejection, offline.
    Network {
        /// A human description of the failure.
        message: String,
    },
    /// No answer within the operation's timeout ([`Action::timeout_ms`](super::action::Action::timeout_ms)):
    /// the app aborted the request, or the queue's own deadline passed.
    Timeout,
    /// Nothing was sent: this tab holds no credentials for the request (after a reload
    /// without "remember", or in a tab that took over from the one that signed in).
    NoCredentials,
    /// Nothing was sent, for a reason that may pass (the sign-in could not be renewed for
    /// now): retried like a failure, but never taken for a lost answer.
    NotSent {
        /// A human description of why.
        message: String,
    },
}

impl Response {
    /// Shorthand for an HTTP response without `Retry-After`.
    pub fn http(status: u16, body: impl Into<String>) -> Self {
        Response::Http {
            status,
            retry_after: None,
            body: body.into(),
        }
    }

    /// Whether the request may have been carried out although its answer never arrived:
    /// no answer at all, a timeout, or a gateway's 502/504 (the gateway may have passed
    /// the request on before it lost the upstream). For a create, that means an export
    /// may exist at Clover whose id we never saw.
    pub fn answer_may_be_lost(&self) -> bool {
        match self {
            Response::Network { .. } | Response::Timeout => true,
            Response::Http { status, .. } => matches!(status, 502 | 504),
            Response::NoCredentials | Response::NotSent { .. } => false,
        }
    }
}

/// How randomness enters retry delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jitter {
    /// Deterministic: always the ceiling (tests, or a single client).
    None,
    /// "Full jitter": uniform between the floor and the ceiling.
    Full,
}

/// Exponential backoff parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    /// Ceiling of the first retry's delay.
    pub base_ms: Millis,
    /// Growth of the ceiling per consecutive failure.
    pub factor: u32,
    /// No ceiling exceeds this.
    pub cap_ms: Millis,
    /// No delay is shorter than this (nor than the ceiling, when that is lower).
    pub floor_ms: Millis,
    /// How randomness is applied.
    pub jitter: Jitter,
}

impl Default for Backoff {
    /// Ceiling 5 s, ×2 per failure, cap 5 min, floor 2.5 s, full jitter.
    fn default() -> Self {
        Backoff {
            base_ms: 5_000,
            factor: 2,
            cap_ms: 300_000,
            floor_ms: 2_500,
            jitter: Jitter::Full,
        }
    }
}

impl Backoff {
    /// The un-jittered delay before retry number `attempt` (1-based):
    /// `min(cap, base * factor^(attempt-1))`, computed without overflow.
    pub fn ceiling(&self, attempt: u32) -> Millis {
        let mut d = self.base_ms.max(0);
        for _ in 1..attempt.max(1) {
            if d >= self.cap_ms {
                break;
            }
            d = d.saturating_mul(Millis::from(self.factor.max(1)));
        }
        d.min(self.cap_ms.max(0))
    }

    /// The shortest delay before retry number `attempt`.
    pub fn floor(&self, attempt: u32) -> Millis {
        self.floor_ms.max(0).min(self.ceiling(attempt))
    }

    /// The delay before retry number `attempt` (1-based), `rand01` a uniform draw in
    /// `[0, 1]`: exactly the ceiling without jitter, else in `[floor, ceiling]`.
    pub fn delay(&self, attempt: u32, rand01: f64) -> Millis {
        let hi = self.ceiling(attempt);
        match self.jitter {
            Jitter::None => hi,
            Jitter::Full => {
                let lo = self.floor(attempt);
                lo + ((hi - lo) as f64 * unit(rand01)) as Millis
            }
        }
    }
}

/// `rand01` clamped to `[0, 1]` (NaN as 0.5).
fn unit(rand01: f64) -> f64 {
    if rand01.is_nan() {
        0.5
    } else {
        rand01.clamp(0.0, 1.0)
    }
}

/// A tiny xorshift64* generator for jitter. Not cryptographic, not meant to be: it only
/// spreads retry times. Its state lives in the serialised queue; the app seeds it (e.g.
/// from `Math.random()` or `crypto.getRandomValues`) via [`JitterRng::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JitterRng {
    state: u64,
}

impl JitterRng {
    /// A generator from any seed (0 is replaced by a fixed non-zero constant, since
    /// xorshift's state must never be 0).
    pub fn new(seed: u64) -> Self {
        Self {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// A generator in the state it was saved in.
    pub(super) fn from_state(state: u64) -> Self {
        Self { state }
    }

    /// The state it is saved in.
    pub(super) fn state(&self) -> u64 {
        self.state
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Next uniform draw in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Upper bound applied to `Retry-After`, protecting against absurd values.
pub const MAX_RETRY_AFTER_MS: Millis = 3_600_000;

/// Parses a `Retry-After` header into a delay from `now` in ms: either delay-seconds
/// (`"120"`) or an HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Past dates give 0.
/// The result is capped at [`MAX_RETRY_AFTER_MS`]. `None` when unparseable.
pub fn parse_retry_after(value: &str, now: Millis) -> Option<Millis> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let delay = if v.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate on overflow: "99999999999999999999" is "a long time".
        let secs: u64 = v.parse().unwrap_or(u64::MAX);
        Millis::try_from(secs.saturating_mul(1000)).unwrap_or(Millis::MAX)
    } else {
        // httpdate (IMF-fixdate, RFC 850, asctime) is a few KB of wasm; jiff's RFC 2822
        // parser with its error texts is several times that.
        let at = httpdate::parse_http_date(v).ok()?;
        let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Millis::try_from(secs)
            .ok()?
            .saturating_mul(1000)
            .saturating_sub(now)
            .max(0)
    };
    Some(delay.min(MAX_RETRY_AFTER_MS))
}

/// How a response is to be handled, before any policy is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// 2xx: parse the body.
    Success,
    /// 401/403: the token is invalid or lacks ORDERS_R/PAYMENTS_R (Clover answers 401 for
    /// both). Retrying cannot help: the merchant's queue stops until new credentials.
    Credentials {
        /// 401 or 403.
        status: u16,
    },
    /// Nothing was sent for want of credentials in this tab.
    NoCredentials,
    /// Another 4xx: this request is wrong (bad range, export gone ...).
    Rejected {
        /// The status code.
        status: u16,
        /// The server's message, or "HTTP 400".
        message: String,
    },
    /// Worth retrying later.
    Retry(Failure),
}

/// A failure that may be retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// 429.
    RateLimited {
        /// Parsed `Retry-After`, ms from now.
        retry_after_ms: Option<Millis>,
    },
    /// 503: busy or outside service hours (see [`RetryPolicy::on_failure`]).
    Unavailable {
        /// The server's text.
        message: Option<String>,
        /// Whether the body talks about (available/service) hours.
        mentions_hours: bool,
        /// Parsed `Retry-After`, ms from now.
        retry_after_ms: Option<Millis>,
    },
    /// No answer, a timeout, 408, a 5xx other than 503, or an unreadable 2xx body.
    Transient {
        /// Human cause, kept to show while retrying and when giving up.
        cause: String,
        /// Parsed `Retry-After`, ms from now (some gateways send one with 502/504).
        retry_after_ms: Option<Millis>,
    },
}

impl Failure {
    /// A transient failure with this cause and no `Retry-After`.
    pub fn transient(cause: impl Into<String>) -> Self {
        Failure::Transient {
            cause: cause.into(),
            retry_after_ms: None,
        }
    }

    fn retry_after_ms(&self) -> Option<Millis> {
        match self {
            Failure::RateLimited { retry_after_ms }
            | Failure::Unavailable { retry_after_ms, .. }
            | Failure::Transient { retry_after_ms, .. } => *retry_after_ms,
        }
    }

    /// A short cause for status lines and failure reasons.
    fn cause(&self) -> String {
        match self {
            Failure::RateLimited { .. } => "rate limited, HTTP 429".to_string(),
            Failure::Unavailable { message, .. } => match message {
                Some(m) => format!("server busy, HTTP 503: {m}"),
                None => "server busy, HTTP 503".to_string(),
            },
            Failure::Transient { cause, .. } => cause.clone(),
        }
    }
}

/// Sorts a response into a [`Class`].
pub fn classify(resp: &Response, now: Millis) -> Class {
    match resp {
        Response::Network { message } => {
            Class::Retry(Failure::transient(if message.trim().is_empty() {
                "no response".to_string()
            } else {
                format!("no response: {}", message.trim())
            }))
        }
        Response::Timeout => Class::Retry(Failure::transient("no answer in time")),
        Response::NoCredentials => Class::NoCredentials,
        Response::NotSent { message } => Class::Retry(Failure::transient(message.clone())),
        Response::Http {
            status,
            retry_after,
            body,
        } => {
            let status = *status;
            let retry_after_ms = retry_after
                .as_deref()
                .and_then(|v| parse_retry_after(v, now));
            match status {
                200..=299 => Class::Success,
                401 | 403 => Class::Credentials { status },
                429 => Class::Retry(Failure::RateLimited { retry_after_ms }),
                503 => Class::Retry(Failure::Unavailable {
                    mentions_hours: body_mentions_hours(body),
                    message: error_message(body),
                    retry_after_ms,
                }),
                408 | 500..=599 => Class::Retry(Failure::Transient {
                    cause: match error_message(body) {
                        Some(m) => format!("HTTP {status}: {m}"),
                        None => format!("HTTP {status}"),
                    },
                    retry_after_ms,
                }),
                _ => Class::Rejected {
                    status,
                    message: error_message(body).unwrap_or_else(|| format!("HTTP {status}")),
                },
            }
        }
    }
}

/// Whether a 503 body talks about service hours ("available hours", "hours of
/// operation" ...). The format is undocumented, so this is a loose, case-insensitive
/// search for "hour".
pub fn body_mentions_hours(body: &str) -> bool {
    body.to_ascii_lowercase().contains("hour")
}

/// What a 503 means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// Too many exports running: back off.
    Busy,
    /// Outside service hours; `opens_at` is the next window start when the region's
    /// windows are known and say we are closed.
    OutsideHours {
        /// Next opening, if known.
        opens_at: Option<Millis>,
    },
}

/// Classifies a 503: "outside service hours" when the body mentions hours **or** the
/// region's windows say we are closed; otherwise "busy". The opening time is only trusted
/// when the configured windows agree that we are closed.
pub fn classify_503(
    mentions_hours: bool,
    hours: Option<&ServiceHours>,
    now: Millis,
) -> Unavailable {
    match hours {
        Some(h) if !h.is_open(now) => Unavailable::OutsideHours {
            opens_at: h.next_opening(now),
        },
        _ if mentions_hours => Unavailable::OutsideHours { opens_at: None },
        _ => Unavailable::Busy,
    }
}

/// Why an export is waiting before its next request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitReason {
    /// Create: 503 busy (too many exports running).
    Busy,
    /// Create: 503 busy after a create whose answer was lost at `asked_at`: Clover is
    /// probably running the export that create made.
    BusyProbablyOurs {
        /// When the create whose answer was lost was sent.
        asked_at: Millis,
    },
    /// 503 outside service hours; `opens_at` when the windows are known.
    ServiceHours {
        /// Next opening (without the random spread), if known.
        opens_at: Option<Millis>,
    },
    /// Create: 429.
    RateLimited,
    /// Create: no answer, timeout or 5xx; `attempt` is the number of the retry about to
    /// happen (1-based), `cause` the last error.
    Retrying {
        /// Upcoming retry number, 1-based.
        attempt: u32,
        /// The last error.
        cause: String,
    },
    /// Poll of a known export failed (any reason but service hours) since `since`.
    PollFailing {
        /// The first failure of this streak.
        since: Millis,
        /// The last error.
        cause: String,
    },
}

/// A wait before the next request of one export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    /// No request before this time.
    pub until: Millis,
    /// Why.
    pub reason: WaitReason,
    /// The server's text (503 bodies), shown as-is.
    pub message: Option<String>,
}

/// Consecutive failures of one export, of every kind together; reset by a good answer.
/// Loads from queues saved by older versions (their extra fields are ignored).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryState {
    /// Consecutive failures.
    pub failures: u32,
    /// When the first of them happened.
    pub since: Option<Millis>,
}

impl RetryState {
    fn bump(&mut self, now: Millis) -> u32 {
        self.since.get_or_insert(now);
        self.failures = self.failures.saturating_add(1);
        self.failures
    }
}

/// Where the export stands when a request of it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Creating (no export id yet). `answer_lost_at`: an earlier create of this export
    /// may have been carried out by Clover although its answer was lost, at that time.
    Create {
        /// When the create whose answer was lost was sent.
        answer_lost_at: Option<Millis>,
    },
    /// Polling a known export; `last_contact_at` is the last good answer about it.
    Poll {
        /// The last good answer about the export.
        last_contact_at: Millis,
    },
}

/// The outcome of applying the policy to a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try again after the wait.
    Wait(Wait),
    /// Give up with this reason.
    Fail(String),
}

/// The retry policy, as configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// The one backoff for every kind of failure.
    pub backoff: Backoff,
    /// Failures in a row after which a create gives up (24: about 40 min with full
    /// jitter, at most 1 h 40 min).
    pub max_create_failures: u32,
    /// A known export whose polls have been failing for this long in a row is given up:
    /// its files would have expired by now (24 h). Time without polls (a laptop asleep)
    /// does not count.
    pub lost_contact_limit_ms: Millis,
    /// Wait after an "outside hours" 503 when the next opening is unknown (15 min).
    pub unknown_hours_wait_ms: Millis,
    /// Random spread added after a window opens, so clients do not all arrive at
    /// exactly 10:00:00 (up to 5 s).
    pub hours_spread_ms: Millis,
}

/// How long Clover keeps an export's files after it finishes.
pub const FILE_LIFETIME_MS: Millis = 24 * 3_600_000;

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            backoff: Backoff::default(),
            max_create_failures: 24,
            lost_contact_limit_ms: FILE_LIFETIME_MS,
            unknown_hours_wait_ms: 15 * 60_000,
            hours_spread_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// Applies the policy to `failure` at `now`, updating the failure counter. `hours`
    /// are the region's windows (`None` = unknown), `rand01` a uniform draw.
    pub fn on_failure(
        &self,
        failure: Failure,
        state: &mut RetryState,
        phase: Phase,
        hours: Option<&ServiceHours>,
        now: Millis,
        rand01: f64,
    ) -> Decision {
        let r = unit(rand01);
        if let Failure::Unavailable {
            mentions_hours,
            message,
            ..
        } = &failure
        {
            if let Unavailable::OutsideHours { opens_at } =
                classify_503(*mentions_hours, hours, now)
            {
                // Not a failure of ours: neither counted nor a reason to reset the count.
                let until = match opens_at {
                    Some(t) => t.saturating_add((self.hours_spread_ms.max(0) as f64 * r) as Millis),
                    None => now.saturating_add(self.unknown_hours_wait_ms.max(0)),
                };
                return Decision::Wait(Wait {
                    until: until.max(now),
                    reason: WaitReason::ServiceHours { opens_at },
                    message: message.clone(),
                });
            }
        }
        let n = state.bump(now);
        let since = state.since.unwrap_or(now);
        let cause = failure.cause();
        match phase {
            Phase::Create { .. } if n >= self.max_create_failures.max(1) => {
                return Decision::Fail(format!(
                    "Clover did not take the export: {n} attempts in {} (last: {cause}).",
                    super::duration_text::format_duration(now.saturating_sub(since))
                ));
            }
            // Counted from the first failure of this streak, not from the last good
            // answer: after a long silence without polls (a laptop asleep over a
            // weekend) the first failed poll must not give up an export whose files
            // may still be there. Found by the simulation (seed 596 of `export_sim`).
            Phase::Poll { last_contact_at }
                if now.saturating_sub(since.max(last_contact_at)) >= self.lost_contact_limit_ms =>
            {
                return Decision::Fail(format!(
                    "No word from Clover about this export for {} (last: {cause}); its files would have expired.",
                    super::duration_text::format_duration(now.saturating_sub(last_contact_at))
                ));
            }
            _ => {}
        }
        // Retry-After is a minimum on top of the backoff, never a shortcut below it.
        let delay = self
            .backoff
            .delay(n, r)
            .max(failure.retry_after_ms().unwrap_or(0));
        let (reason, message) = match (phase, failure) {
            (Phase::Poll { .. }, _) => (WaitReason::PollFailing { since, cause }, None),
            (
                Phase::Create {
                    answer_lost_at: Some(asked_at),
                },
                Failure::Unavailable { message, .. },
            ) => (WaitReason::BusyProbablyOurs { asked_at }, message),
            (Phase::Create { .. }, Failure::Unavailable { message, .. }) => {
                (WaitReason::Busy, message)
            }
            (Phase::Create { .. }, Failure::RateLimited { .. }) => (WaitReason::RateLimited, None),
            (Phase::Create { .. }, Failure::Transient { cause, .. }) => {
                (WaitReason::Retrying { attempt: n, cause }, None)
            }
        };
        Decision::Wait(Wait {
            until: now.saturating_add(delay),
            reason,
            message,
        })
    }
}
