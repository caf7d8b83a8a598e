//! The export queue state machine, driven through its public API.

use jiff::civil::date;
use jiff::tz::TimeZone;
use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::hours::ServiceHours;
use merchant_console_core::export::plan::MAX_EXPORT_SPAN_MS;
use merchant_console_core::export::policy::{Backoff, Jitter, Response, WaitReason};
use merchant_console_core::export::queue::*;
use merchant_console_core::export::status::format_duration;
use merchant_console_core::export::ExportType;
use merchant_console_core::range::TimeSpan;
use merchant_console_core::Millis;

const S: Millis = 1_000;
const MIN: Millis = 60 * S;

fn utc(y: i16, m: i8, d: i8, h: i8, mi: i8) -> Millis {
    date(y, m, d)
        .at(h, mi, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// A queue without jitter, so delays are exact.
fn queue() -> ExportQueue {
    let mut cfg = QueueConfig::default();
    cfg.retry.backoff = Backoff {
        jitter: Jitter::None,
        ..cfg.retry.backoff
    };
    cfg.retry.hours_spread_ms = 0;
    ExportQueue::with_config(cfg, 1)
}

fn request(merchant: &str, chunks: i64, hours: Option<ServiceHours>) -> NewRequest {
    NewRequest {
        merchant: merchant.into(),
        region: "sandbox".into(),
        export_type: ExportType::Orders,
        span: TimeSpan::new(0, chunks * MAX_EXPORT_SPAN_MS - 1).unwrap(),
        hours,
        label: None,
        auth: CredentialSource::Tab,
    }
}

fn open() -> Option<ServiceHours> {
    Some(ServiceHours::always_open())
}

fn body(id: &str, status: &str, percent: u8) -> String {
    format!(r#"{{"id":"{id}","type":"ORDERS","status":"{status}","percentComplete":{percent}}}"#)
}

fn ok(b: String) -> Response {
    Response::http(200, b)
}

fn done_body(id: &str, status: &str) -> String {
    format!(
        r#"{{"id":"{id}","status":"{status}","percentComplete":100,"availableUntil":{},"exportUrls":{{"elements":[{{"url":"https://f.example/{id}/1"}},{{"url":"javascript:alert(1)"}}]}}}}"#,
        100 * 3_600_000
    )
}

fn job(q: &ExportQueue, r: RequestId, i: usize) -> ExportJob {
    q.request(r).unwrap().exports[i].clone()
}

fn expect_create(a: Option<Action>) -> Action {
    let a = a.expect("an action");
    assert!(matches!(a.op, Op::Create { .. }), "{a:?}");
    a
}

fn expect_poll(a: Option<Action>, id: &str) -> Action {
    let a = a.expect("an action");
    match &a.op {
        Op::Poll { export_id, .. } => assert_eq!(export_id, id),
        other => panic!("expected poll, got {other:?}"),
    }
    a
}

#[test]
fn happy_path_single_export() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    assert_eq!(q.view(r).unwrap().status_text(0), "Queued");
    let a = expect_create(q.next_action(0));
    match &a.op {
        Op::Create {
            merchant,
            region,
            body,
        } => {
            assert_eq!(merchant, "M1");
            assert_eq!(region, "sandbox");
            assert_eq!(
                (body.start_time, body.end_time),
                (0, MAX_EXPORT_SPAN_MS - 1)
            );
        }
        _ => unreachable!(),
    }
    assert_eq!(a.op.method(), "POST");
    assert_eq!(a.op.path(), "/v3/merchants/M1/exports");
    assert_eq!(q.view(r).unwrap().status_text(0), "Creating export");
    assert!(
        q.next_action(0).is_none(),
        "one request in flight per merchant"
    );

    let ev = q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 100);
    assert!(ev.is_empty());
    assert_eq!(job(&q, r, 0).state, JobState::Pending);
    assert_eq!(job(&q, r, 0).server_id.as_deref(), Some("E1"));
    assert_eq!(
        q.view(r).unwrap().status_text(100),
        "Waiting in Clover's queue"
    );
    // First poll ~1 s after create.
    assert_eq!(q.next_wakeup(100), Some(1_100));
    assert!(q.next_action(1_099).is_none());
    let a = expect_poll(q.next_action(1_100), "E1");
    assert_eq!(a.op.method(), "GET");
    assert_eq!(a.op.path(), "/v3/merchants/M1/exports/E1");
    q.on_response(a.op_id, ok(body("E1", "IN_PROGRESS", 42)), 1_200);
    assert_eq!(q.view(r).unwrap().status_text(1_200), "Running 42%");
    assert_eq!(q.view(r).unwrap().percent(), 42);

    let t = q.next_wakeup(1_200).unwrap();
    let a = expect_poll(q.next_action(t), "E1");
    let ev = q.on_response(a.op_id, ok(done_body("E1", "DONE")), t + 50);
    assert_eq!(
        ev,
        vec![
            Event::ExportDone {
                request: r,
                export: job(&q, r, 0).id
            },
            Event::RequestFinished { request: r }
        ]
    );
    match job(&q, r, 0).state {
        JobState::Done {
            urls,
            available_until,
        } => {
            // All urls are kept; filtering happens at render time.
            assert_eq!(urls.len(), 2);
            assert_eq!(available_until, Some(100 * 3_600_000));
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(q.view(r).unwrap().status_text(t + 50), "Done");
    assert_eq!(q.view(r).unwrap().percent(), 100);
    assert!(q.next_action(t + 10 * S).is_none());
    // Only expiry remains to wake up for.
    assert_eq!(q.next_wakeup(t + 10 * S), Some(100 * 3_600_000));
}

#[test]
fn complete_is_success_and_create_may_finish_immediately() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 10);
    let a = expect_poll(q.next_action(2_000), "E1");
    let b = r#"{"id":"E1","status":"COMPLETE","exportUrls":{"elements":{"url":"https://f/1"}}}"#;
    q.on_response(a.op_id, ok(b.into()), 2_010);
    assert_eq!(
        job(&q, r, 0).state,
        JobState::Done {
            urls: vec!["https://f/1".into()],
            available_until: None
        }
    );

    let r2 = q.add_request(request("M1", 1, open()), 3_000).unwrap();
    let a = expect_create(q.next_action(3_000));
    q.on_response(a.op_id, ok(done_body("E2", "DONE")), 3_010);
    assert!(job(&q, r2, 0).state.is_success());
}

#[test]
fn failed_status_is_shown_raw() {
    for raw in ["FAILED", "ERROR", "Cancelled_By_Server"] {
        let mut q = queue();
        let r = q.add_request(request("M1", 1, open()), 0).unwrap();
        let a = expect_create(q.next_action(0));
        q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 10);
        let a = expect_poll(q.next_action(5_000), "E1");
        let ev = q.on_response(a.op_id, ok(body("E1", raw, 0)), 5_010);
        assert_eq!(job(&q, r, 0).state, JobState::Failed { reason: raw.into() });
        assert_eq!(
            q.view(r).unwrap().status_text(5_010),
            format!("Failed: {raw}")
        );
        assert!(matches!(ev[0], Event::ExportFailed { .. }));
    }
}

#[test]
fn bad_request_fails_one_export_and_the_next_chunk_continues() {
    let mut q = queue();
    let r = q.add_request(request("M1", 2, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    let ev = q.on_response(
        a.op_id,
        Response::http(400, r#"{"message":"Invalid time range"}"#),
        10,
    );
    let reason = match job(&q, r, 0).state {
        JobState::Failed { reason } => reason,
        s => panic!("{s:?}"),
    };
    assert!(reason.contains("Invalid time range"), "{reason}");
    assert!(reason.contains("400"), "{reason}");
    assert!(matches!(&ev[..], [Event::ExportFailed { .. }]));
    let a = expect_create(q.next_action(1_000));
    match a.op {
        Op::Create { body, .. } => assert_eq!(body.start_time, MAX_EXPORT_SPAN_MS),
        _ => unreachable!(),
    }
    assert_eq!(a.export, job(&q, r, 1).id);
}

#[test]
fn unauthorized_stops_the_merchant_until_credentials_are_updated() {
    let mut q = queue();
    let r1 = q.add_request(request("M1", 2, open()), 0).unwrap();
    let r2 = q.add_request(request("M2", 1, open()), 0).unwrap();
    let a1 = expect_create(q.next_action(0));
    let a2 = expect_create(q.next_action(0));
    assert_eq!(a1.op.merchant(), "M1");
    assert_eq!(a2.op.merchant(), "M2");
    q.on_response(a1.op_id, ok(body("E1", "PENDING", 0)), 10);
    let p = expect_poll(q.next_action(2_000), "E1");
    let ev = q.on_response(
        p.op_id,
        Response::http(401, r#"{"message":"Unauthorized"}"#),
        2_010,
    );
    assert_eq!(
        ev,
        vec![Event::NeedsCredentials {
            merchant: "M1".into()
        }]
    );
    assert!(q.is_stopped("M1"));
    assert_eq!(
        q.view(r1).unwrap().status_text(2_010),
        "Stopped: the token was refused (401). Enter a valid token to continue."
    );
    // M1 is silent, M2 still works: only M2's create answer (its deadline) is awaited.
    assert!(q.next_action(20 * S).is_none());
    assert_eq!(q.next_wakeup(2_010), Some(32 * S));
    q.on_response(a2.op_id, ok(body("F1", "PENDING", 0)), 20 * S);
    expect_poll(q.next_action(61 * MIN), "F1");
    assert_eq!(q.request(r2).unwrap().exports[0].state, JobState::Pending);

    // The export is polled again (never re-created) once the token is replaced.
    q.credentials_updated("M1", 62 * MIN);
    assert!(!q.is_stopped("M1"));
    expect_poll(q.next_action(62 * MIN), "E1");
}

#[test]
fn unauthorized_create_goes_back_to_the_queue() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, Response::http(401, ""), 10);
    assert_eq!(job(&q, r, 0).state, JobState::Queued);
    assert!(q.next_action(S).is_none());
    q.credentials_updated("M1", 2 * S);
    expect_create(q.next_action(2 * S));
}

#[test]
fn rate_limited_with_and_without_retry_after() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(
        a.op_id,
        Response::Http {
            status: 429,
            retry_after: Some("7".into()),
            body: String::new(),
        },
        100,
    );
    let j = job(&q, r, 0);
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(j.wait.as_ref().unwrap().reason, WaitReason::RateLimited);
    assert_eq!(q.next_wakeup(100), Some(7_100));
    assert_eq!(
        q.view(r).unwrap().status_text(100),
        "Rate limited — retrying in 7 s"
    );
    assert!(q.next_action(7_099).is_none());
    let a = expect_create(q.next_action(7_100));
    // No Retry-After: the backoff, grown by the first 429 (second failure: 10 s).
    q.on_response(a.op_id, Response::http(429, ""), 8_000);
    assert_eq!(q.next_wakeup(8_000), Some(18_000));
    let a = expect_create(q.next_action(18_000));
    q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 18_100);
    assert_eq!(job(&q, r, 0).retry.failures, 0);
}

#[test]
fn busy_503_backs_off_and_says_so() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let mut t = 0;
    let mut waits = vec![];
    for _ in 0..4 {
        let a = expect_create(q.next_action(t));
        q.on_response(a.op_id, Response::http(503, "Too many exports"), t);
        let w = q.next_wakeup(t).unwrap();
        waits.push(w - t);
        t = w;
    }
    assert_eq!(waits, vec![5 * S, 10 * S, 20 * S, 40 * S]);
    let j = job(&q, r, 0);
    assert_eq!(j.wait.as_ref().unwrap().reason, WaitReason::Busy);
    assert_eq!(
        j.wait.as_ref().unwrap().message.as_deref(),
        Some("Too many exports")
    );
    assert_eq!(
        q.view(r).unwrap().status_text(t - 8 * S),
        "Retrying in 8 s (server busy)"
    );
}

#[test]
fn hours_503_waits_for_the_next_window() {
    let mut q = queue();
    let monday_16h = utc(2026, 3, 16, 16, 0);
    let r = q
        .add_request(request("M1", 1, Some(ServiceHours::us())), monday_16h)
        .unwrap();
    let a = expect_create(q.next_action(monday_16h));
    q.on_response(
        a.op_id,
        Response::http(503, "Service unavailable"),
        monday_16h,
    );
    let opens = utc(2026, 3, 17, 10, 0);
    let j = job(&q, r, 0);
    assert_eq!(
        j.wait.as_ref().unwrap().reason,
        WaitReason::ServiceHours {
            opens_at: Some(opens)
        }
    );
    assert_eq!(q.next_wakeup(monday_16h), Some(opens));
    let now = utc(2026, 3, 17, 7, 47);
    assert_eq!(
        q.view(r).unwrap().status_text(now),
        "Waiting for service hours — opens 10:00 UTC (in 2 h 13 min)"
    );
    assert_eq!(
        q.view(r).unwrap().status_text(monday_16h),
        "Waiting for service hours — opens Tue 10:00 UTC (in 18 h)"
    );
    assert!(q.next_action(opens - 1).is_none());
    expect_create(q.next_action(opens));
}

#[test]
fn eu_hours_503_on_saturday_waits_for_sunday() {
    let mut q = queue();
    let sat = utc(2026, 3, 21, 5, 30);
    q.add_request(request("M1", 1, Some(ServiceHours::eu())), sat)
        .unwrap();
    let a = expect_create(q.next_action(sat));
    q.on_response(a.op_id, Response::http(503, "available hours: ..."), sat);
    assert_eq!(q.next_wakeup(sat), Some(utc(2026, 3, 22, 2, 0)));
}

#[test]
fn unknown_hours_503_waits_15_minutes_and_shows_the_text() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, None), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(
        a.op_id,
        Response::http(503, r#"{"message":"Available hours 10-15 UTC"}"#),
        0,
    );
    assert_eq!(q.next_wakeup(0), Some(15 * MIN));
    assert_eq!(
        q.view(r).unwrap().status_text(0),
        "Outside service hours — retrying in 15 min. Server said: Available hours 10-15 UTC"
    );
}

#[test]
fn create_errors_retry_then_fail_with_cause_and_continue() {
    let mut q = queue();
    q.config.retry.max_create_failures = 5;
    let r = q.add_request(request("M1", 2, open()), 0).unwrap();
    let mut t = 0;
    let failures = [
        Response::Network {
            message: "offline".into(),
        },
        Response::http(500, ""),
        Response::http(429, ""),
        Response::http(503, "Too many exports"),
        Response::Network {
            message: "connection reset".into(),
        },
    ];
    let mut waits = vec![];
    for (i, f) in failures.into_iter().enumerate() {
        let a = expect_create(q.next_action(t));
        assert_eq!(a.export, job(&q, r, 0).id);
        q.on_response(a.op_id, f, t);
        if i < 4 {
            let w = q.next_wakeup(t).unwrap();
            waits.push(w - t);
            if i == 1 {
                assert_eq!(
                    q.view(r).unwrap().status_text(t),
                    "Export 1 of 2: Retrying in 10 s (retry 2, last error: HTTP 500)"
                );
            }
            t = w;
        }
    }
    // One backoff across every kind of failure.
    assert_eq!(waits, vec![5 * S, 10 * S, 20 * S, 40 * S]);
    let reason = match job(&q, r, 0).state {
        JobState::Failed { reason } => reason,
        s => panic!("{s:?}"),
    };
    assert_eq!(
        reason,
        "Clover did not take the export: 5 attempts in 1 min 15 s (last: no response: connection reset)."
    );
    // The next chunk goes on.
    let a = expect_create(q.next_action(t + S));
    assert_eq!(a.export, job(&q, r, 1).id);
}

#[test]
fn polling_slows_while_nothing_moves_and_resets_on_progress() {
    let mut q = queue();
    q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 0);
    let mut t = 0;
    let mut gaps = vec![];
    for _ in 0..10 {
        let w = q.next_wakeup(t).unwrap();
        gaps.push(w - t);
        t = w;
        let p = expect_poll(q.next_action(t), "E1");
        q.on_response(p.op_id, ok(body("E1", "PENDING", 0)), t);
    }
    assert_eq!(
        gaps,
        vec![1_000, 2_000, 3_000, 4_500, 6_750, 10_125, 15_187, 22_780, 30_000, 30_000]
    );
    // Progress: back to 2 s.
    let w = q.next_wakeup(t).unwrap();
    t = w;
    let p = expect_poll(q.next_action(t), "E1");
    q.on_response(p.op_id, ok(body("E1", "IN_PROGRESS", 5)), t);
    assert_eq!(q.next_wakeup(t), Some(t + 2_000));
}

#[test]
fn stalled_export_is_flagged_but_still_polled() {
    let mut cfg = QueueConfig::default();
    cfg.poll.stall_after_ms = 5 * MIN;
    let mut q = ExportQueue::with_config(cfg, 9);
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(body("E1", "IN_PROGRESS", 10)), 0);
    let mut t = 0;
    while t < 5 * MIN {
        t = q.next_wakeup(t).unwrap();
        let p = expect_poll(q.next_action(t), "E1");
        q.on_response(p.op_id, ok(body("E1", "IN_PROGRESS", 10)), t);
        assert_eq!(job(&q, r, 0).stalled(), t >= 5 * MIN);
    }
    assert!(job(&q, r, 0).stalled());
    let text = q.view(r).unwrap().status_text(t);
    assert!(text.starts_with("Running 10% (no progress for "), "{text}");
    assert_eq!(job(&q, r, 0).last_progress_at(), Some(0));
    // Still polled; progress clears the flag.
    t = q.next_wakeup(t).unwrap();
    let p = expect_poll(q.next_action(t), "E1");
    q.on_response(p.op_id, ok(body("E1", "IN_PROGRESS", 11)), t);
    assert!(!job(&q, r, 0).stalled());
}

#[test]
fn one_export_at_a_time_per_merchant_and_merchants_in_parallel() {
    let mut q = queue();
    let r = q.add_request(request("M1", 3, open()), 0).unwrap();
    let r_other = q.add_request(request("M1", 1, open()), 0).unwrap();
    q.add_request(request("M2", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    let b = expect_create(q.next_action(0));
    assert_eq!((a.op.merchant(), b.op.merchant()), ("M1", "M2"));
    assert!(q.next_action(0).is_none());
    q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 10);
    // While chunk 1 runs, M1 only polls.
    for t in [2_000, 10_000, 60_000] {
        let p = q.next_action(t).expect("poll");
        assert!(matches!(p.op, Op::Poll { .. }));
        q.on_response(p.op_id, ok(body("E1", "IN_PROGRESS", 1)), t);
        assert!(q.next_action(t).is_none());
    }
    let p = q.next_action(120_000).unwrap();
    q.on_response(p.op_id, ok(done_body("E1", "DONE")), 120_000);
    // Request spacing: not within 1/16 s of the previous request start.
    assert!(q.next_action(120_000 + 62).is_none());
    let c = expect_create(q.next_action(120_000 + 63));
    assert_eq!(c.export, job(&q, r, 1).id);
    assert_eq!(
        q.view(r).unwrap().status_text(120_063),
        "Export 2 of 3: Creating export"
    );
    assert_eq!(q.view(r_other).unwrap().status_text(120_063), "Queued");
}

#[test]
fn cancel_while_in_flight_keeps_the_merchant_busy_and_ignores_the_answer() {
    let mut q = queue();
    let r = q.add_request(request("M1", 2, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.cancel_export(r, job(&q, r, 0).id, 5).unwrap();
    assert_eq!(job(&q, r, 0).state, JobState::Cancelled);
    // The create is still travelling: no second request for M1.
    assert!(q.next_action(S).is_none());
    assert_eq!(q.in_flight_for("M1"), 1);
    let ev = q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 2 * S);
    assert!(ev.is_empty());
    assert_eq!(job(&q, r, 0).state, JobState::Cancelled);
    let b = expect_create(q.next_action(2 * S));
    assert_eq!(b.export, job(&q, r, 1).id);
    // Unknown op ids are ignored.
    assert!(q
        .on_response(9_999, Response::http(200, "{}"), 3 * S)
        .is_empty());
    assert_eq!(
        q.view(r).unwrap().status_text(3 * S),
        "Export 2 of 2: Creating export"
    );
    q.cancel_request(r, 4 * S).unwrap();
    assert_eq!(q.view(r).unwrap().status_text(4 * S), "Cancelled");
    assert_eq!(
        q.cancel_export(r, job(&q, r, 0).id, 5),
        Err(QueueError::InvalidState)
    );
}

#[test]
fn retry_creates_a_new_export() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(body("E1", "PENDING", 0)), 10);
    let p = expect_poll(q.next_action(2_000), "E1");
    q.on_response(p.op_id, ok(body("E1", "FAILED", 0)), 2_000);
    let id = job(&q, r, 0).id;
    assert_eq!(q.retry_export(r, id, 0), Ok(()));
    let j = job(&q, r, 0);
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(j.server_id, None);
    let a = expect_create(q.next_action(3_000));
    q.on_response(a.op_id, ok(body("E2", "PENDING", 0)), 3_000);
    assert_eq!(job(&q, r, 0).server_id.as_deref(), Some("E2"));
    assert_eq!(q.retry_export(r, id, 0), Err(QueueError::InvalidState));
    assert_eq!(q.retry_export(r, 12_345, 0), Err(QueueError::UnknownExport));
    assert_eq!(q.retry_export(777, id, 0), Err(QueueError::UnknownRequest));
}

#[test]
fn create_without_id_is_retried() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(r#"{"status":"PENDING"}"#.into()), 0);
    assert!(matches!(
        job(&q, r, 0).wait.unwrap().reason,
        WaitReason::Retrying { attempt: 1, .. }
    ));
    let a = expect_create(q.next_action(5 * S));
    q.on_response(a.op_id, ok("<html>".into()), 5 * S);
    assert_eq!(job(&q, r, 0).state, JobState::Queued);
}

#[test]
fn reload_polls_running_exports_and_requeues_creating_ones() {
    let mut q = queue();
    let r1 = q.add_request(request("M1", 1, open()), 0).unwrap();
    let r2 = q.add_request(request("M2", 1, open()), 0).unwrap();
    let a1 = expect_create(q.next_action(0));
    let _a2 = expect_create(q.next_action(0)); // never answered: the page reloads
    q.on_response(a1.op_id, ok(body("E1", "IN_PROGRESS", 30)), 10);
    let _p = expect_poll(q.next_action(1_010), "E1"); // in flight at reload

    let json = serde_json::to_string(&q).unwrap();
    assert!(!json.to_lowercase().contains("token"));
    assert!(!json.to_lowercase().contains("authorization"));
    let mut q2 = ExportQueue::from_json(&json, 60_000).unwrap();
    // The configuration is code, not state: a reload runs with this version's defaults.
    assert_ne!(q.config, QueueConfig::default());
    assert_eq!(q2.config, QueueConfig::default());
    assert_eq!(q2.in_flight_count(), 0);
    assert_eq!(job(&q2, r2, 0).state, JobState::Queued);
    assert_eq!(job(&q2, r1, 0).state, JobState::InProgress { percent: 30 });
    let x = q2.next_action(60_000).unwrap();
    let y = q2.next_action(60_000).unwrap();
    assert!(q2.next_action(60_000).is_none());
    let (m1, m2) = if x.op.merchant() == "M1" {
        (x, y)
    } else {
        (y, x)
    };
    expect_poll(Some(m1), "E1");
    expect_create(Some(m2));
}

#[test]
fn done_exports_expire() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(done_body("E1", "DONE")), 0);
    let until = 100 * 3_600_000;
    assert_eq!(q.expire(until - 1), 0);
    assert_eq!(q.expire(until), 1);
    match job(&q, r, 0).state {
        JobState::Expired {
            urls,
            available_until,
        } => {
            assert_eq!(urls.len(), 2);
            assert_eq!(available_until, Some(until));
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(q.view(r).unwrap().status_text(until), "Link expired");
    assert_eq!(q.next_wakeup(until), None);
    // An expired export can be exported again.
    q.retry_export(r, job(&q, r, 0).id, 0).unwrap();
    expect_create(q.next_action(until));
}

#[test]
fn progress_counts_elapsed_and_eta() {
    let mut q = queue();
    let r = q.add_request(request("M1", 4, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.on_response(a.op_id, ok(done_body("E1", "DONE")), 0);
    let a = expect_create(q.next_action(60 * S));
    q.on_response(a.op_id, ok(body("E2", "IN_PROGRESS", 50)), 60 * S);
    let v = q.view(r).unwrap();
    let c = v.counts();
    assert_eq!((c.total, c.done, c.active, c.queued), (4, 1, 1, 2));
    assert_eq!(v.percent(), 37);
    assert_eq!(v.elapsed_ms(90 * S), 90 * S);
    // 37.5% in 90 s -> 150 s left.
    assert_eq!(v.eta_ms(90 * S), Some(150 * S));
    assert_eq!(v.status_text(90 * S), "Export 2 of 4: Running 50%");
    assert_eq!(format_duration(150 * S), "2 min 30 s");
    assert_eq!(format_duration(1), "1 s");
    assert_eq!(format_duration(26 * 3_600 * S), "1 d 2 h");

    q.cancel_request(r, 100 * S).unwrap();
    let v = q.view(r).unwrap();
    assert_eq!(v.status_text(100 * S), "Finished: 1 done, 3 cancelled");
    assert_eq!(v.percent(), 100);
    assert_eq!(v.eta_ms(100 * S), None);
    assert_eq!(v.elapsed_ms(500 * S), 100 * S);
}

#[test]
fn commands_and_validation() {
    let mut q = queue();
    assert!(matches!(
        q.add_request(request(" ", 1, open()), 0),
        Err(QueueError::InvalidRequest(_))
    ));
    let mut bad = request("M1", 1, open());
    bad.span = TimeSpan { start: 10, end: 5 };
    assert!(q.add_request(bad, 0).is_err());
    let mut huge = request("M1", 1, open());
    huge.span = TimeSpan {
        start: i64::MIN,
        end: i64::MAX,
    };
    assert_eq!(
        q.add_request(huge, 0),
        Err(QueueError::InvalidRequest("the span is too long"))
    );
    assert!(q
        .add_request(request("M1", MAX_EXPORTS_PER_REQUEST as i64, open()), 0)
        .is_ok());
    q.remove_request(q.requests()[0].id).unwrap();
    let r = q.add_request(request("M1", 3, open()), 0).unwrap();
    assert_eq!(q.request(r).unwrap().exports.len(), 3);
    let removed = q.remove_request(r).unwrap();
    assert_eq!(removed.id, r);
    assert!(q.request(r).is_none());
    assert_eq!(q.remove_request(r).unwrap_err(), QueueError::UnknownRequest);
    assert!(q.next_action(0).is_none());
}

#[test]
fn removing_a_request_with_an_op_in_flight() {
    let mut q = queue();
    let r = q.add_request(request("M1", 1, open()), 0).unwrap();
    let r2 = q.add_request(request("M1", 1, open()), 0).unwrap();
    let a = expect_create(q.next_action(0));
    q.remove_request(r).unwrap();
    assert!(
        q.next_action(S).is_none(),
        "the removed request's create is still in flight"
    );
    assert!(q
        .on_response(a.op_id, ok(body("E1", "PENDING", 0)), S)
        .is_empty());
    let b = expect_create(q.next_action(S));
    assert_eq!(b.request, r2);
}
