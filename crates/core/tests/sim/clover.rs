//! A model of Clover's export service with its own state: exports per merchant and
//! their lifecycle on the simulated clock (pending, a percentage that grows, stalls,
//! DONE with files for 24 h, then forgotten), service hours, one export at a time per
//! merchant, and the faults of the real world drawn from the seed until `recover_at`.

use merchant_console_core::export::hours::ServiceHours;
use merchant_console_core::export::policy::Response;
use merchant_console_core::export::queue::JobId;
use merchant_console_core::range::TimeSpan;
use merchant_console_core::Millis;

use super::rng::Rng;

pub const S: Millis = 1_000;
pub const MIN: Millis = 60 * S;
pub const HOUR: Millis = 60 * MIN;
pub const DAY: Millis = 24 * HOUR;
/// Files are deleted this long after an export finishes.
pub const FILE_LIFETIME: Millis = 24 * HOUR;
/// Longest pending and processing time of an export without faults.
pub const MAX_PENDING: Millis = 5 * MIN;
pub const MAX_PROCESSING: Millis = 10 * MIN;
/// Longest stall (a fault).
pub const MAX_STALL: Millis = HOUR;

pub const BUSY: &str =
    r#"{"message":"Too many concurrent exports. Please wait for your current export to finish."}"#;

/// One export Clover made.
#[derive(Clone, Debug)]
pub struct SrvExport {
    pub id: String,
    pub merchant: usize,
    pub span: TimeSpan,
    pub created_at: Millis,
    pub pending_ms: Millis,
    pub processing_ms: Millis,
    /// Progress freezes at this percentage for this long.
    pub stall: Option<(Millis, Millis)>,
    /// Ends with this status instead of DONE.
    pub fail_status: Option<&'static str>,
    pub files: usize,
    /// `false`: an empty export whose answer has no `exportUrls` at all.
    pub lists_files: bool,
    /// `exportUrls.elements` as a single object (one file).
    pub object_urls: bool,
    /// DONE is reported this long without `exportUrls` (Clover still writing the list).
    pub urls_late_ms: Millis,
    /// Forgotten (404) this long after finishing.
    pub purge_after_ms: Millis,
    // --- what the checks need to know -------------------------------------------------
    /// The chunk whose create made it.
    pub creator: JobId,
    /// Its id reached the live queue (a job holds it).
    pub adopted: bool,
    /// The answer of the create that made it never reached the live queue with its id.
    pub answer_lost: bool,
}

impl SrvExport {
    pub fn finish_at(&self) -> Millis {
        self.created_at + self.pending_ms + self.processing_ms + self.stall.map_or(0, |s| s.1)
    }

    /// PENDING or IN_PROGRESS: it holds the merchant's slot.
    pub fn alive(&self, t: Millis) -> bool {
        t < self.finish_at()
    }

    /// Finished successfully and its files are still there.
    pub fn available(&self, t: Millis) -> bool {
        self.fail_status.is_none() && t >= self.finish_at() && t < self.finish_at() + FILE_LIFETIME
    }

    pub fn purged(&self, t: Millis) -> bool {
        t >= self.finish_at() + self.purge_after_ms
    }

    fn percent(&self, t: Millis) -> i64 {
        let run = t - self.created_at - self.pending_ms;
        let p = |r: Millis| (r * 100 / self.processing_ms.max(1)).clamp(0, 99);
        match self.stall {
            Some((at, dur)) => {
                let stall_from = at * self.processing_ms / 100;
                if run < stall_from {
                    p(run)
                } else if run < stall_from + dur {
                    at
                } else {
                    p(run - dur)
                }
            }
            None => p(run),
        }
    }

    /// The export object at `t`.
    pub fn body(&self, t: Millis, with_id: bool) -> String {
        let id = if with_id {
            format!(r#""id":"{}","#, self.id)
        } else {
            String::new()
        };
        // Only what the client reads, and `type`: every field costs parse time in a
        // debug build, and the engine ignores the rest.
        let head = format!(r#"{{{id}"type":"ORDERS""#);
        if t < self.created_at + self.pending_ms {
            return format!(r#"{head},"status":"PENDING","percentComplete":0}}"#);
        }
        let finish = self.finish_at();
        if t < finish {
            return format!(
                r#"{head},"status":"IN_PROGRESS","percentComplete":{}}}"#,
                self.percent(t)
            );
        }
        if let Some(status) = self.fail_status {
            return format!(r#"{head},"status":"{status}","percentComplete":99}}"#);
        }
        let mut out = format!(
            r#"{head},"status":"DONE","percentComplete":100,"availableUntil":{}"#,
            finish + FILE_LIFETIME
        );
        if self.lists_files && t >= finish + self.urls_late_ms {
            let url = |k: usize| {
                format!(
                    r#"{{"url":"https://files.example/{}/{k}","export":{{"id":"{}"}}}}"#,
                    self.id, self.id
                )
            };
            if self.object_urls {
                out.push_str(&format!(r#","exportUrls":{{"elements":{}}}"#, url(0)));
            } else {
                let all: Vec<String> = (0..self.files).map(url).collect();
                out.push_str(&format!(
                    r#","exportUrls":{{"elements":[{}]}}"#,
                    all.join(",")
                ));
            }
        }
        out.push('}');
        out
    }

    /// The number of file links a client should end up with.
    pub fn links(&self) -> usize {
        if self.lists_files {
            self.files
        } else {
            0
        }
    }
}

/// What became of a request on the wire.
#[derive(Clone, Debug)]
pub enum Wire {
    /// This answer arrives after `latency`.
    Answer { resp: Response, latency: Millis },
    /// No answer ever comes.
    Hang,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub wire: Wire,
    /// The export this create made (committed at Clover, whatever the answer).
    pub committed: Option<usize>,
    /// A 503 "busy" caused by this live export of the merchant.
    pub busy_by: Option<usize>,
}

impl Outcome {
    fn answer(resp: Response, latency: Millis) -> Self {
        Outcome {
            wire: Wire::Answer { resp, latency },
            committed: None,
            busy_by: None,
        }
    }

    fn hang() -> Self {
        Outcome {
            wire: Wire::Hang,
            committed: None,
            busy_by: None,
        }
    }
}

fn http(status: u16, body: &str) -> Response {
    Response::http(status, body)
}

fn network() -> Response {
    Response::Network {
        message: "Failed to fetch".into(),
    }
}

pub struct Clover {
    pub exports: Vec<SrvExport>,
    /// Empty: always open.
    pub hours: ServiceHours,
    /// Accepts a second create while one export is alive (flagged by the checks) instead
    /// of answering 503 busy.
    pub lenient: bool,
    /// Chance of a fault per request before `recover_at`.
    pub p: f64,
    pub recover_at: Millis,
    /// Proxy or network down: `[from, to)`.
    pub outages: Vec<(Millis, Millis)>,
    /// After a wake-up the network takes a moment to come back.
    pub flaky_until: Millis,
    next_id: u64,
}

impl Clover {
    pub fn new(hours: ServiceHours, lenient: bool, p: f64, recover_at: Millis) -> Self {
        Clover {
            exports: Vec::new(),
            hours,
            lenient,
            p,
            recover_at,
            outages: Vec::new(),
            flaky_until: Millis::MIN,
            next_id: 1,
        }
    }

    pub fn faulty(&self, now: Millis) -> bool {
        now < self.recover_at
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.exports.iter().position(|e| e.id == id)
    }

    fn latency(rng: &mut Rng) -> Millis {
        rng.log_range(5, 1_500)
    }

    /// Down or flaky: the request never gets to Clover.
    fn unreachable(&self, rng: &mut Rng, now: Millis) -> Option<Outcome> {
        if now < self.flaky_until {
            return Some(Outcome::answer(network(), rng.range(1, 50)));
        }
        if !self.outages.iter().any(|&(a, b)| a <= now && now < b) {
            return None;
        }
        let lat = Self::latency(rng);
        Some(match rng.range(0, 9) {
            0..=4 => Outcome::answer(http(502, "Bad Gateway"), lat),
            5 => Outcome::answer(http(503, "Service Unavailable"), lat),
            6 | 7 => Outcome::answer(network(), lat),
            _ => Outcome::hang(),
        })
    }

    fn rate_limited(rng: &mut Rng, now: Millis) -> Response {
        let date = |t: Millis| {
            httpdate::fmt_http_date(
                std::time::UNIX_EPOCH + std::time::Duration::from_millis(t.max(0) as u64),
            )
        };
        let retry_after = match rng.range(0, 7) {
            0 => None,
            1 | 2 => Some("0".to_string()),
            3 => Some(date(now - HOUR)),
            4 => Some("86400".to_string()),
            5 => Some("99999999999999999999".to_string()),
            6 => Some(date(now + 30 * S)),
            _ => Some("soon".to_string()),
        };
        Response::Http {
            status: 429,
            retry_after,
            body: r#"{"message":"Too many requests"}"#.into(),
        }
    }

    /// `POST /v3/merchants/{m}/exports`, received at `now`.
    pub fn create(
        &mut self,
        rng: &mut Rng,
        merchant: usize,
        span: TimeSpan,
        creator: JobId,
        now: Millis,
    ) -> Outcome {
        let faulty = self.faulty(now);
        if faulty {
            if let Some(o) = self.unreachable(rng, now) {
                return o;
            }
        }
        let lat = Self::latency(rng);
        // A fault that hits after Clover made the export: how its answer is lost.
        let mut lost_after_commit: Option<u8> = None;
        let mut slow = false;
        if faulty && rng.chance(self.p) {
            match rng.range(0, 11) {
                0 => return Outcome::answer(http(500, "Internal Server Error"), lat),
                1 => return Outcome::answer(http(502, "Bad Gateway"), lat),
                2 => return Outcome::answer(http(504, "Gateway Timeout"), lat),
                3 => return Outcome::answer(Self::rate_limited(rng, now), lat),
                4 => return Outcome::answer(http(503, BUSY), lat),
                5 => return Outcome::hang(),
                6 if rng.chance(0.3) => return Outcome::answer(http(401, "401 Unauthorized"), lat),
                7 => slow = true,
                _ => lost_after_commit = Some(rng.range(0, 5) as u8),
            }
        }
        if !self.hours.is_always_open() && !self.hours.is_open(now) {
            return Outcome::answer(
                http(
                    503,
                    r#"{"message":"The export service is available during these hours (UTC): see the docs"}"#,
                ),
                lat,
            );
        }
        if let Some(x) = self
            .exports
            .iter()
            .position(|e| e.merchant == merchant && e.alive(now))
        {
            if !self.lenient {
                return Outcome {
                    busy_by: Some(x),
                    ..Outcome::answer(http(503, BUSY), lat)
                };
            }
        }
        let e = self.new_export(rng, merchant, span, creator, now, faulty);
        let body = e.body(now, true);
        self.exports.push(e);
        let x = self.exports.len() - 1;
        let committed = Some(x);
        let wire = match lost_after_commit {
            None if slow => Wire::Answer {
                resp: http(200, &body),
                latency: rng.range(25 * S, 90 * S),
            },
            None => Wire::Answer {
                resp: http(200, &body),
                latency: lat,
            },
            Some(0) => Wire::Hang,
            Some(1) => Wire::Answer {
                resp: network(),
                latency: lat,
            },
            Some(2) => Wire::Answer {
                resp: http(504, "Gateway Timeout"),
                latency: lat,
            },
            Some(3) => Wire::Answer {
                resp: http(200, &body[..body.len() / 2]),
                latency: lat,
            },
            Some(4) => Wire::Answer {
                resp: http(200, &self.exports[x].body(now, false)),
                latency: lat,
            },
            Some(_) => Wire::Answer {
                resp: http(502, "Bad Gateway"),
                latency: lat,
            },
        };
        Outcome {
            wire,
            committed,
            busy_by: None,
        }
    }

    fn new_export(
        &mut self,
        rng: &mut Rng,
        merchant: usize,
        span: TimeSpan,
        creator: JobId,
        now: Millis,
        faulty: bool,
    ) -> SrvExport {
        let id = format!("EX{:011}", self.next_id);
        self.next_id += 1;
        let fault = |rng: &mut Rng, p: f64| faulty && rng.chance(p);
        let objects = if rng.chance(0.1) {
            0
        } else {
            rng.range(1, 4_500) as usize
        };
        let object_urls = objects > 0 && fault(rng, 0.3);
        let fail_status = if fault(rng, self.p * 0.4) {
            Some(rng.pick(&["FAILED", "ERROR", "CANCELLED_BY_CLOVER"]))
        } else {
            None
        };
        let stall = if fault(rng, self.p * 0.4) {
            Some((rng.range(0, 99), rng.log_range(MIN, MAX_STALL)))
        } else {
            None
        };
        SrvExport {
            id,
            merchant,
            span,
            created_at: now,
            pending_ms: rng.log_range(300, MAX_PENDING),
            processing_ms: rng.log_range(S, MAX_PROCESSING),
            stall,
            fail_status,
            files: if object_urls {
                1
            } else {
                objects.div_ceil(1000)
            },
            lists_files: objects > 0 || rng.chance(0.5),
            object_urls,
            // Fewer than the client's three patient polls (2 s apart at least) can see.
            urls_late_ms: if fault(rng, 0.3) {
                rng.range(0, 3_999)
            } else {
                0
            },
            purge_after_ms: FILE_LIFETIME + rng.range(0, 48 * HOUR),
            creator,
            adopted: false,
            answer_lost: false,
        }
    }

    /// `GET /v3/merchants/{m}/exports/{id}`, received at `now`.
    pub fn poll(&mut self, rng: &mut Rng, merchant: usize, id: &str, now: Millis) -> Outcome {
        if self.faulty(now) {
            if let Some(o) = self.unreachable(rng, now) {
                return o;
            }
        }
        let lat = Self::latency(rng);
        let mut slow = false;
        let mut no_id = false;
        if self.faulty(now) && rng.chance(self.p) {
            match rng.range(0, 9) {
                0 => return Outcome::answer(http(500, "Internal Server Error"), lat),
                1 => return Outcome::answer(http(502, "Bad Gateway"), lat),
                2 => return Outcome::answer(http(504, ""), lat),
                3 | 4 => return Outcome::answer(Self::rate_limited(rng, now), lat),
                5 => return Outcome::answer(network(), lat),
                6 => return Outcome::hang(),
                7 => slow = true,
                _ => no_id = true,
            }
        }
        let found = self
            .exports
            .iter()
            .find(|e| e.id == id && e.merchant == merchant && !e.purged(now));
        let resp = match found {
            None => http(404, r#"{"message":"Not Found"}"#),
            // A truncated body (proxy cut it off).
            Some(e) if no_id => {
                let b = e.body(now, true);
                http(200, &b[..b.len() / 3])
            }
            Some(e) => http(200, &e.body(now, true)),
        };
        let latency = if slow { rng.range(15 * S, 60 * S) } else { lat };
        Outcome::answer(resp, latency)
    }
}
