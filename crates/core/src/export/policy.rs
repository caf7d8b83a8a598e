//! What to do after an unsuccessful response: back off, wait for service hours, or give up.
//!
//! Clover's export service signals several different conditions, and each wants its own
//! treatment:
//!
//! | condition | treatment |
//! |---|---|
//! | 503, server busy (only a few exports run at once) | exponential backoff, base 5 s, ×2, cap 5 min, unlimited |
//! | 503 outside service hours | wait until the next window opens (+ a few random seconds); 15 min when the windows are unknown |
//! | 429 rate limited | honour `Retry-After`, else backoff base 1 s, cap 60 s, unlimited |
//! | network error, 5xx other than 503, 408 | backoff base 2 s, cap 60 s, fail after 5 consecutive attempts |
//!
//! Jitter spreads retries of many tabs/clients so they do not hit the server in lockstep.
//! The core has no randomness source: [`JitterRng`] is a tiny xorshift generator whose
//! state is part of the (serialisable) queue and is seeded by the app, and every function
//! here takes the random draw `rand01` as an argument, so tests are deterministic.

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
    /// No HTTP answer: DNS/TLS/connection failure, CORS rejection, timeout, offline.
    Network {
        /// A human description of the failure.
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
}

/// How randomness enters retry delays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jitter {
    /// Deterministic exponential backoff (tests, or a single client).
    None,
    /// "Full jitter": uniform between a small floor ([`MIN_RETRY_DELAY_MS`]) and the
    /// exponential ceiling. Spreads clients best; the floor keeps an unlucky draw from
    /// retrying immediately.
    Full,
    /// "Decorrelated jitter": uniform between `base` and three times the previous delay,
    /// capped. Never shorter than `base`.
    Decorrelated,
}

/// Smallest delay a jittered retry uses, so a draw near 0 does not hammer the server.
pub const MIN_RETRY_DELAY_MS: Millis = 500;

/// Exponential backoff parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    /// Ceiling of the first retry's delay.
    pub base_ms: Millis,
    /// Growth per consecutive attempt.
    pub factor: u32,
    /// No delay exceeds this.
    pub cap_ms: Millis,
    /// How randomness is applied.
    pub jitter: Jitter,
}

impl Backoff {
    /// 503 "busy": base 5 s, ×2, cap 5 min.
    pub const BUSY: Backoff = Backoff {
        base_ms: 5_000,
        factor: 2,
        cap_ms: 300_000,
        jitter: Jitter::Full,
    };
    /// 429 without `Retry-After`: base 1 s, ×2, cap 60 s.
    pub const RATE_LIMITED: Backoff = Backoff {
        base_ms: 1_000,
        factor: 2,
        cap_ms: 60_000,
        jitter: Jitter::Full,
    };
    /// Network errors and 5xx: base 2 s, ×2, cap 60 s.
    pub const TRANSIENT: Backoff = Backoff {
        base_ms: 2_000,
        factor: 2,
        cap_ms: 60_000,
        jitter: Jitter::Full,
    };

    /// The un-jittered delay before retry number `attempt` (1-based):
    /// `min(cap, base * factor^(attempt-1))`, computed without overflow.
    pub fn ceiling(&self, attempt: u32) -> Millis {
        let mut d = self.base_ms.max(0);
        for _ in 1..attempt.max(1) {
            if d >= self.cap_ms {
                break;
            }
            d = d.saturating_mul(Millis::from(self.factor));
        }
        d.min(self.cap_ms)
    }

    /// The delay before retry number `attempt` (1-based). `prev_delay_ms` is the delay
    /// used before the previous attempt (for decorrelated jitter; 0 for the first);
    /// `rand01` is a uniform draw in `[0, 1]`.
    ///
    /// Bounds: [`Jitter::None`] gives exactly [`ceiling`](Self::ceiling);
    /// [`Jitter::Full`] lies in `[min(MIN_RETRY_DELAY_MS, ceiling), ceiling]`;
    /// [`Jitter::Decorrelated`] in `[min(base, cap), cap]`.
    pub fn delay(&self, attempt: u32, prev_delay_ms: Millis, rand01: f64) -> Millis {
        let r = if rand01.is_nan() {
            0.5
        } else {
            rand01.clamp(0.0, 1.0)
        };
        let between = |lo: Millis, hi: Millis| -> Millis {
            let hi = hi.max(lo);
            lo + ((hi - lo) as f64 * r) as Millis
        };
        match self.jitter {
            Jitter::None => self.ceiling(attempt),
            Jitter::Full => {
                let hi = self.ceiling(attempt);
                between(MIN_RETRY_DELAY_MS.min(hi), hi)
            }
            Jitter::Decorrelated => {
                let lo = self.base_ms.min(self.cap_ms).max(0);
                let hi = prev_delay_ms.max(lo).saturating_mul(3).min(self.cap_ms);
                between(lo, hi)
            }
        }
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
        (Millis::try_from(secs).ok()?.saturating_mul(1000) - now).max(0)
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
    /// Another 4xx: this request is wrong (bad range, export gone ...). Fails one export.
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
    /// Network error, 408, or a 5xx other than 503, or an unreadable 2xx body.
    Transient {
        /// Human cause, kept to show when we give up.
        cause: String,
    },
}

/// Sorts a response into a [`Class`].
pub fn classify(resp: &Response, now: Millis) -> Class {
    match resp {
        Response::Network { message } => Class::Retry(Failure::Transient {
            cause: if message.trim().is_empty() {
                "network error".to_string()
            } else {
                format!("network error: {}", message.trim())
            },
        }),
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
                503 => {
                    let message = error_message(body);
                    Class::Retry(Failure::Unavailable {
                        mentions_hours: body_mentions_hours(body),
                        message,
                        retry_after_ms,
                    })
                }
                408 | 500..=599 => Class::Retry(Failure::Transient {
                    cause: match error_message(body) {
                        Some(m) => format!("HTTP {status}: {m}"),
                        None => format!("HTTP {status}"),
                    },
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
    /// 503 busy: too many exports running.
    Busy,
    /// 503 outside service hours; `opens_at` when the windows are known.
    ServiceHours {
        /// Next opening (without the random spread), if known.
        opens_at: Option<Millis>,
    },
    /// 429.
    RateLimited,
    /// Network error or 5xx; `attempt` is the number of the retry about to happen
    /// (1-based), `cause` the last error.
    Retrying {
        /// Upcoming retry number, 1-based.
        attempt: u32,
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

/// Which kind of failure the consecutive-attempt counter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryKind {
    /// 503 busy.
    Busy,
    /// 429.
    RateLimited,
    /// Network / 5xx.
    Transient,
}

/// Consecutive failures of one kind for one export; reset by any other response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryState {
    /// The kind being counted.
    pub kind: Option<RetryKind>,
    /// Consecutive failures of that kind.
    pub failures: u32,
    /// Delay used before the last retry (for decorrelated jitter).
    pub last_delay_ms: Millis,
}

impl RetryState {
    fn bump(&mut self, kind: RetryKind) -> u32 {
        if self.kind != Some(kind) {
            *self = RetryState {
                kind: Some(kind),
                failures: 0,
                last_delay_ms: 0,
            };
        }
        self.failures = self.failures.saturating_add(1);
        self.failures
    }
}

/// The outcome of applying the policy to a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try again after the wait.
    Wait(Wait),
    /// Give up with this reason.
    Fail(String),
}

/// The retry policy, as configuration (serialised with the queue).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// 503 busy.
    pub busy: Backoff,
    /// 429 without `Retry-After`.
    pub rate_limited: Backoff,
    /// Network errors and 5xx.
    pub transient: Backoff,
    /// Consecutive transient failures after which the export fails (5).
    pub max_transient_attempts: u32,
    /// Wait after an "outside hours" 503 when the next opening is unknown (15 min).
    pub unknown_hours_wait_ms: Millis,
    /// Random spread added after a window opens, so clients do not all arrive at
    /// exactly 10:00:00 (up to 5 s).
    pub hours_spread_ms: Millis,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            busy: Backoff::BUSY,
            rate_limited: Backoff::RATE_LIMITED,
            transient: Backoff::TRANSIENT,
            max_transient_attempts: 5,
            unknown_hours_wait_ms: 15 * 60_000,
            hours_spread_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// Applies the policy to `failure` at `now`, updating the consecutive-failure counter.
    /// `hours` are the region's windows (`None` = unknown), `rand01` a uniform draw.
    pub fn on_failure(
        &self,
        failure: Failure,
        state: &mut RetryState,
        hours: Option<&ServiceHours>,
        now: Millis,
        rand01: f64,
    ) -> Decision {
        let r = if rand01.is_nan() {
            0.5
        } else {
            rand01.clamp(0.0, 1.0)
        };
        match failure {
            Failure::RateLimited { retry_after_ms } => {
                let n = state.bump(RetryKind::RateLimited);
                let d = retry_after_ms
                    .unwrap_or_else(|| self.rate_limited.delay(n, state.last_delay_ms, r));
                state.last_delay_ms = d;
                Decision::Wait(Wait {
                    until: now.saturating_add(d),
                    reason: WaitReason::RateLimited,
                    message: None,
                })
            }
            Failure::Unavailable {
                message,
                mentions_hours,
                retry_after_ms,
            } => match classify_503(mentions_hours, hours, now) {
                Unavailable::Busy => {
                    let n = state.bump(RetryKind::Busy);
                    let d = retry_after_ms
                        .unwrap_or_else(|| self.busy.delay(n, state.last_delay_ms, r));
                    state.last_delay_ms = d;
                    Decision::Wait(Wait {
                        until: now.saturating_add(d),
                        reason: WaitReason::Busy,
                        message,
                    })
                }
                Unavailable::OutsideHours { opens_at } => {
                    // Not a failure of ours: do not count it against any limit.
                    *state = RetryState::default();
                    let until = match opens_at {
                        Some(t) => {
                            t.saturating_add((self.hours_spread_ms.max(0) as f64 * r) as Millis)
                        }
                        None => now.saturating_add(self.unknown_hours_wait_ms),
                    };
                    Decision::Wait(Wait {
                        until,
                        reason: WaitReason::ServiceHours { opens_at },
                        message,
                    })
                }
            },
            Failure::Transient { cause } => {
                let n = state.bump(RetryKind::Transient);
                if n >= self.max_transient_attempts {
                    return Decision::Fail(format!("{cause} (gave up after {n} attempts)"));
                }
                let d = self.transient.delay(n, state.last_delay_ms, r);
                state.last_delay_ms = d;
                Decision::Wait(Wait {
                    until: now.saturating_add(d),
                    reason: WaitReason::Retrying { attempt: n, cause },
                    message: None,
                })
            }
        }
    }
}
