//! Property tests: chunk tiling, service hours, and random event sequences against the
//! queue's invariants.

use std::collections::{HashMap, HashSet};

use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::hours::ServiceHours;
use merchant_console_core::export::plan::{exports_needed, plan_chunks, MAX_EXPORT_SPAN_MS};
use merchant_console_core::export::policy::Response;
use merchant_console_core::export::queue::*;
use merchant_console_core::export::{ExportType, MIN_REQUEST_GAP_MS};
use merchant_console_core::range::TimeSpan;
use merchant_console_core::Millis;
use proptest::prelude::*;

const DAY: Millis = 86_400_000;
const MERCHANTS: [&str; 3] = ["M1", "M2", "M3"];

fn assert_tiles(span: TimeSpan, chunks: &[TimeSpan]) {
    assert!(!chunks.is_empty());
    assert_eq!(chunks[0].start, span.start);
    assert_eq!(chunks.last().unwrap().end, span.end);
    for c in chunks {
        assert!(c.start <= c.end);
        assert!(c.len_ms() <= i128::from(MAX_EXPORT_SPAN_MS));
    }
    for w in chunks.windows(2) {
        assert_eq!(w[0].end + 1, w[1].start, "no gap, no overlap");
    }
}

proptest! {
    #[test]
    fn random_spans_tile_exactly(
        start in -10_000_000_000_000i64..10_000_000_000_000,
        len in prop_oneof![1i64..1_000, 1i64..400 * DAY, (1i64..14).prop_map(|k| k * MAX_EXPORT_SPAN_MS), (1i64..14).prop_map(|k| k * MAX_EXPORT_SPAN_MS + 1)],
    ) {
        let span = TimeSpan::new(start, start + len - 1).unwrap();
        let chunks = plan_chunks(span);
        assert_tiles(span, &chunks);
        prop_assert_eq!(exports_needed(span), chunks.len());
        let total: i128 = chunks.iter().map(|c| c.len_ms()).sum();
        prop_assert_eq!(total, span.len_ms());
        for c in &chunks[..chunks.len() - 1] {
            prop_assert_eq!(c.len_ms(), i128::from(MAX_EXPORT_SPAN_MS));
        }
    }

    #[test]
    fn next_opening_is_the_first_open_instant(now in 1_600_000_000_000i64..1_900_000_000_000, eu in any::<bool>()) {
        let h = if eu { ServiceHours::eu() } else { ServiceHours::us() };
        let next = h.next_opening(now).unwrap();
        prop_assert!(next >= now);
        prop_assert!(next - now <= 7 * DAY);
        prop_assert!(h.is_open(next));
        if next > now {
            prop_assert!(!h.is_open(now));
            prop_assert!(!h.is_open(next - 1));
            // Closed all the way: sample the interval.
            let step = ((next - now) / 50).max(1);
            let mut t = now;
            while t < next {
                prop_assert!(!h.is_open(t));
                t += step;
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Outcome {
    Pending,
    InProgress(u8),
    Done,
    Complete,
    Failed,
    Unknown,
    Garbage,
    NoId,
    S400,
    S401,
    S404,
    S429(Option<u8>),
    S503Busy,
    S503Hours,
    S500,
    S502,
    Network,
}

#[derive(Clone, Debug)]
enum Step {
    Advance(Millis),
    Act,
    Respond(usize, Outcome),
    CancelRequest(usize),
    CancelExport(usize, usize),
    RetryExport(usize, usize),
    RetryRequest(usize),
    Credentials(usize),
    Remove(usize),
    Add(usize, Millis, u8),
    Reload,
    Expire,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        4 => Just(Outcome::Pending),
        4 => (0u8..=100).prop_map(Outcome::InProgress),
        3 => Just(Outcome::Done),
        1 => Just(Outcome::Complete),
        1 => Just(Outcome::Failed),
        1 => Just(Outcome::Unknown),
        1 => Just(Outcome::Garbage),
        1 => Just(Outcome::NoId),
        1 => Just(Outcome::S400),
        1 => Just(Outcome::S401),
        1 => Just(Outcome::S404),
        1 => proptest::option::of(0u8..20).prop_map(Outcome::S429),
        2 => Just(Outcome::S503Busy),
        1 => Just(Outcome::S503Hours),
        1 => Just(Outcome::S500),
        1 => Just(Outcome::S502),
        2 => Just(Outcome::Network),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => prop_oneof![0i64..200, 0i64..120_000, 0i64..4 * 3_600_000].prop_map(Step::Advance),
        8 => Just(Step::Act),
        10 => (any::<usize>(), outcome()).prop_map(|(i, o)| Step::Respond(i, o)),
        1 => any::<usize>().prop_map(Step::CancelRequest),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::CancelExport(a, b)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Step::RetryExport(a, b)),
        1 => any::<usize>().prop_map(Step::RetryRequest),
        2 => any::<usize>().prop_map(Step::Credentials),
        1 => any::<usize>().prop_map(Step::Remove),
        1 => (0usize..3, 1i64..100 * DAY, 0u8..4).prop_map(|(m, len, h)| Step::Add(m, len, h)),
        1 => Just(Step::Reload),
        1 => Just(Step::Expire),
    ]
}

fn hours(kind: u8) -> Option<ServiceHours> {
    match kind {
        0 => Some(ServiceHours::always_open()),
        1 => Some(ServiceHours::us()),
        2 => Some(ServiceHours::eu()),
        _ => None,
    }
}

struct Harness {
    q: ExportQueue,
    now: Millis,
    in_flight: Vec<Action>,
    last_start: HashMap<String, Millis>,
    server_ids: u64,
    /// Exports the user cancelled: they must stay Cancelled until retried, whatever
    /// responses arrive late.
    cancelled: HashSet<JobId>,
}

impl Harness {
    fn new(seed: u64) -> Self {
        Self {
            q: ExportQueue::new(seed),
            now: 1_773_655_200_000, // 2026-03-16T10:00Z
            in_flight: Vec::new(),
            last_start: HashMap::new(),
            server_ids: 0,
            cancelled: HashSet::new(),
        }
    }

    fn add(&mut self, m: usize, len: Millis, h: u8) {
        let start = self.now - 200 * DAY;
        let req = NewRequest {
            merchant: MERCHANTS[m % MERCHANTS.len()].to_string(),
            region: "r".into(),
            export_type: if len % 2 == 0 {
                ExportType::Orders
            } else {
                ExportType::Payments
            },
            span: TimeSpan::new(start, start + len - 1).unwrap(),
            hours: hours(h),
            label: None,
            auth: CredentialSource::Tab,
        };
        self.q.add_request(req, self.now).unwrap();
    }

    fn act(&mut self) {
        self.q.handle_timeout(self.now);
        // Operations the queue timed out are no longer expected.
        let q = &self.q;
        self.in_flight.retain(|a| q.is_in_flight(a.op_id));
        while let Some(a) = self.q.next_action(self.now) {
            let m = a.op.merchant().to_string();
            assert!(
                !self.in_flight.iter().any(|f| f.op.merchant() == m),
                "two requests in flight for {m}"
            );
            if let Some(&last) = self.last_start.get(&m) {
                assert!(
                    self.now - last >= MIN_REQUEST_GAP_MS,
                    "requests too close for {m}"
                );
            }
            self.last_start.insert(m, self.now);
            self.in_flight.push(a);
        }
    }

    fn response(&mut self, a: &Action, o: &Outcome) -> Response {
        let id = match &a.op {
            Op::Create { .. } => {
                self.server_ids += 1;
                format!("S{}", self.server_ids)
            }
            Op::Poll { export_id, .. } => export_id.clone(),
        };
        let until = self.now + DAY;
        let exp = |status: &str, pct: u8| {
            Response::http(
                200,
                format!(r#"{{"id":"{id}","status":"{status}","percentComplete":{pct}}}"#),
            )
        };
        match o {
            Outcome::Pending => exp("PENDING", 0),
            Outcome::InProgress(p) => exp("IN_PROGRESS", *p),
            Outcome::Done | Outcome::Complete => Response::http(
                200,
                format!(
                    r#"{{"id":"{id}","status":"{}","availableUntil":{until},"exportUrls":{{"elements":[{{"url":"https://f/{id}"}}]}}}}"#,
                    if matches!(o, Outcome::Done) {
                        "DONE"
                    } else {
                        "COMPLETE"
                    }
                ),
            ),
            Outcome::Failed => exp("FAILED", 0),
            Outcome::Unknown => exp("SOMETHING_NEW", 0),
            Outcome::Garbage => Response::http(200, "<html>oops</html>"),
            Outcome::NoId => Response::http(200, r#"{"status":"PENDING"}"#),
            Outcome::S400 => Response::http(400, r#"{"message":"bad"}"#),
            Outcome::S401 => Response::http(401, ""),
            Outcome::S404 => Response::http(404, "not found"),
            Outcome::S429(ra) => Response::Http {
                status: 429,
                retry_after: ra.map(|s| s.to_string()),
                body: String::new(),
            },
            Outcome::S503Busy => Response::http(503, "busy"),
            Outcome::S503Hours => Response::http(503, "outside available hours"),
            Outcome::S500 => Response::http(500, ""),
            Outcome::S502 => Response::http(502, ""),
            Outcome::Network => Response::Network {
                message: "reset".into(),
            },
        }
    }

    fn respond(&mut self, i: usize, o: &Outcome) {
        if self.in_flight.is_empty() {
            return;
        }
        let a = self.in_flight.remove(i % self.in_flight.len());
        let resp = self.response(&a, o);
        self.q.on_response(a.op_id, resp, self.now);
    }

    fn pick_request(&self, i: usize) -> Option<RequestId> {
        let rs = self.q.requests();
        (!rs.is_empty()).then(|| rs[i % rs.len()].id)
    }

    fn pick_export(&self, i: usize, j: usize) -> Option<(RequestId, JobId)> {
        let rs = self.q.requests();
        if rs.is_empty() {
            return None;
        }
        let r = &rs[i % rs.len()];
        Some((r.id, r.exports[j % r.exports.len()].id))
    }

    fn note_cancelled(&mut self) {
        for j in self.q.requests().iter().flat_map(|r| r.exports.iter()) {
            if j.state == JobState::Cancelled {
                self.cancelled.insert(j.id);
            } else {
                self.cancelled.remove(&j.id);
            }
        }
    }

    fn apply(&mut self, s: &Step) {
        self.apply_inner(s);
        if matches!(
            s,
            Step::CancelRequest(_)
                | Step::CancelExport(..)
                | Step::RetryExport(..)
                | Step::RetryRequest(_)
        ) {
            self.note_cancelled();
        }
    }

    fn apply_inner(&mut self, s: &Step) {
        match s {
            Step::Advance(d) => self.now += d,
            Step::Act => {
                self.act();
                if let Some(w) = self.q.next_wakeup(self.now) {
                    assert!(w > self.now, "due work left behind by next_action");
                }
            }
            Step::Respond(i, o) => self.respond(*i, o),
            Step::CancelRequest(i) => {
                if let Some(r) = self.pick_request(*i) {
                    self.q.cancel_request(r, self.now).unwrap();
                }
            }
            Step::CancelExport(i, j) => {
                if let Some((r, e)) = self.pick_export(*i, *j) {
                    let _ = self.q.cancel_export(r, e, self.now);
                }
            }
            Step::RetryExport(i, j) => {
                if let Some((r, e)) = self.pick_export(*i, *j) {
                    let _ = self.q.retry_export(r, e, self.now);
                }
            }
            Step::RetryRequest(i) => {
                if let Some(r) = self.pick_request(*i) {
                    self.q.retry_request(r, self.now).unwrap();
                }
            }
            Step::Credentials(m) => self
                .q
                .credentials_updated(MERCHANTS[m % MERCHANTS.len()], self.now),
            Step::Remove(i) => {
                if let Some(r) = self.pick_request(*i) {
                    self.q.remove_request(r).unwrap();
                }
            }
            Step::Add(m, len, h) => self.add(*m, *len, *h),
            Step::Reload => {
                // `to_json` writes by hand what the derived `Serialize` writes.
                let json = self.q.to_json();
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(&json).unwrap(),
                    serde_json::to_value(&self.q).unwrap()
                );
                self.q = ExportQueue::from_json(&json, self.now).unwrap();
                // `from_json` reads by hand what the derived `Deserialize` reads.
                let mut derived: ExportQueue = serde_json::from_str(&json).unwrap();
                derived.resume_after_reload(self.now);
                assert_eq!(self.q, derived);
                // The page reloaded: requests that were in flight are gone.
                self.in_flight.clear();
            }
            Step::Expire => {
                self.q.expire(self.now);
            }
        }
    }

    fn check(&self) {
        for m in MERCHANTS {
            let active = self
                .q
                .requests()
                .iter()
                .filter(|r| r.merchant == m)
                .flat_map(|r| r.exports.iter())
                .filter(|j| j.state.is_active())
                .count();
            assert!(active <= 1, "{active} exports alive for {m}");
            let harness = self
                .in_flight
                .iter()
                .filter(|a| a.op.merchant() == m)
                .count();
            assert!(harness <= 1);
            assert_eq!(self.q.in_flight_for(m), harness);
        }
        if let Some(w) = self.q.next_wakeup(self.now) {
            assert!(w >= self.now);
        }
        for j in self.q.requests().iter().flat_map(|r| r.exports.iter()) {
            if self.cancelled.contains(&j.id) {
                assert_eq!(j.state, JobState::Cancelled, "a cancelled export came back");
            }
        }
        for v in self.q.views() {
            let _ = v.status_text(self.now);
            assert!(v.percent() <= 100);
        }
    }

    /// Everything succeeds from now on: all exports must end up Done exactly tiling
    /// their requests.
    fn finish_successfully(&mut self) {
        let pending: Vec<Action> = std::mem::take(&mut self.in_flight);
        for a in pending {
            let resp = self.response(&a, &Outcome::Pending);
            self.q.on_response(a.op_id, resp, self.now);
        }
        for m in MERCHANTS {
            self.q.credentials_updated(m, self.now);
        }
        let ids: Vec<RequestId> = self.q.requests().iter().map(|r| r.id).collect();
        for r in ids {
            self.q.retry_request(r, self.now).unwrap();
        }
        self.cancelled.clear();
        let mut guard = 0;
        while !self.q.requests().iter().all(|r| r.is_finished()) {
            guard += 1;
            assert!(guard < 10_000, "no progress");
            self.act();
            self.check();
            if self.in_flight.is_empty() {
                let next = self.q.next_wakeup(self.now).expect("stuck without wakeup");
                // next_action consumed everything that was due.
                assert!(
                    next > self.now,
                    "wakeup at {next} but nothing to do at {}",
                    self.now
                );
                self.now = next;
                continue;
            }
            let batch: Vec<Action> = std::mem::take(&mut self.in_flight);
            for a in batch {
                let o = match a.op {
                    Op::Create { .. } => Outcome::Pending,
                    Op::Poll { .. } => Outcome::Done,
                };
                let resp = self.response(&a, &o);
                self.q.on_response(a.op_id, resp, self.now);
            }
            self.check();
        }
        for r in self.q.requests() {
            assert!(r.exports.iter().all(|j| j.state.is_success()), "{r:?}");
            let mut spans: Vec<TimeSpan> = r.exports.iter().map(|j| j.span).collect();
            spans.sort();
            assert_tiles(r.span, &spans);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn random_event_sequences_keep_the_invariants(
        seed in any::<u64>(),
        initial in proptest::collection::vec((0usize..3, 1i64..100 * DAY, 0u8..4), 1..5),
        steps in proptest::collection::vec(step(), 1..150),
    ) {
        let mut h = Harness::new(seed);
        for (m, len, hk) in initial {
            h.add(m, len, hk);
        }
        h.check();
        for s in &steps {
            h.apply(s);
            h.check();
        }
        h.finish_successfully();
    }
}
