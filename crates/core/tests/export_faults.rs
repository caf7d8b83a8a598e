//! The export queue under the faults of the real world: outages while polling, lost
//! create answers, timeouts, missing credentials, Retry-After abuse, reloads.

use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::hours::ServiceHours;
use merchant_console_core::export::plan::MAX_EXPORT_SPAN_MS;
use merchant_console_core::export::policy::{Backoff, Jitter, Response, WaitReason};
use merchant_console_core::export::queue::*;
use merchant_console_core::export::ExportType;
use merchant_console_core::range::TimeSpan;
use merchant_console_core::Millis;

const S: Millis = 1_000;
const MIN: Millis = 60 * S;
/// 2026-03-16T14:02:00Z, a Monday.
const T0: Millis = 1_773_669_720_000;

fn queue() -> ExportQueue {
    let mut cfg = QueueConfig::default();
    cfg.retry.backoff = Backoff {
        jitter: Jitter::None,
        ..cfg.retry.backoff
    };
    cfg.retry.hours_spread_ms = 0;
    ExportQueue::with_config(cfg, 1)
}

fn request(chunks: i64) -> NewRequest {
    NewRequest {
        merchant: "M1".into(),
        region: "sandbox".into(),
        export_type: ExportType::Orders,
        span: TimeSpan::new(0, chunks * MAX_EXPORT_SPAN_MS - 1).unwrap(),
        hours: Some(ServiceHours::always_open()),
        label: None,
        auth: CredentialSource::Tab,
    }
}

fn exp(id: &str, status: &str, percent: u8) -> Response {
    Response::http(
        200,
        format!(r#"{{"id":"{id}","status":"{status}","percentComplete":{percent}}}"#),
    )
}

fn done(id: &str) -> Response {
    Response::http(
        200,
        format!(
            r#"{{"id":"{id}","status":"DONE","availableUntil":{},"exportUrls":{{"elements":[{{"url":"https://f.example/{id}"}}]}}}}"#,
            T0 + 48 * 3_600_000
        ),
    )
}

fn job(q: &ExportQueue, r: RequestId) -> ExportJob {
    q.request(r).unwrap().exports[0].clone()
}

/// Runs the queue until its next action, advancing the clock through its wakeups.
fn next(q: &mut ExportQueue, now: &mut Millis) -> Action {
    for _ in 0..10_000 {
        q.handle_timeout(*now);
        if let Some(a) = q.next_action(*now) {
            return a;
        }
        *now = q.next_wakeup(*now).expect("a wakeup");
    }
    panic!("no action");
}

fn is_create(a: &Action) -> bool {
    matches!(a.op, Op::Create { .. })
}

#[test]
fn a_poll_outage_never_loses_a_live_export() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    assert!(is_create(&a));
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 10), now);
    // The proxy restarts: 15 minutes of 502s to every poll.
    let outage_from = now + S;
    let mut polls = 0;
    while now < T0 + 15 * MIN {
        let a = next(&mut q, &mut now);
        assert!(!is_create(&a), "a second export was created");
        q.on_response(a.op_id, Response::http(502, "Bad Gateway"), now);
        polls += 1;
    }
    let j = job(&q, r);
    assert_eq!(j.state, JobState::InProgress { percent: 10 });
    match &j.wait.as_ref().unwrap().reason {
        WaitReason::PollFailing { since, cause } => {
            assert_eq!(*since, outage_from);
            assert_eq!(cause, "HTTP 502: Bad Gateway");
        }
        other => panic!("{other:?}"),
    }
    let text = j.status_text(now);
    assert!(
        text.starts_with("Running 10% — can't reach Clover since 14:02 UTC (HTTP 502: Bad Gateway), next try in "),
        "{text}"
    );
    // The backoff grew, but never past its cap: a handful of polls in 15 minutes.
    assert!((5..=12).contains(&polls), "{polls} polls");
    // Back: the export is done, and it is the one we created; seen within one backoff
    // cap of the recovery.
    let recovered = now;
    let a = next(&mut q, &mut now);
    assert!(!is_create(&a));
    q.on_response(a.op_id, done("E1"), now);
    assert!(job(&q, r).state.is_success());
    assert!(now - recovered <= 5 * MIN);
}

#[test]
fn check_now_skips_the_wait_but_keeps_the_count() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "PENDING", 0), now);
    for _ in 0..4 {
        let a = next(&mut q, &mut now);
        q.on_response(a.op_id, Response::Timeout, now);
    }
    let j = job(&q, r);
    assert_eq!(j.retry.failures, 4);
    assert!(j.waiting_until(now).unwrap() > now + 30 * S);
    let id = j.id;
    now += S;
    q.check_now(r, id, now).unwrap();
    let a = q.next_action(now).expect("polled at once");
    assert!(!is_create(&a));
    assert_eq!(job(&q, r).retry.failures, 4);
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 5), now);
    assert_eq!(job(&q, r).retry.failures, 0);
    assert_eq!(q.check_now(r, 999, now), Err(QueueError::UnknownExport));
}

#[test]
fn retry_of_a_known_export_polls_it_first() {
    let mut q = queue();
    q.config.retry.lost_contact_limit_ms = 10 * MIN;
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 40), now);
    // Unreachable past the limit: given up with a reason.
    while !job(&q, r).state.is_terminal() {
        let a = next(&mut q, &mut now);
        q.on_response(
            a.op_id,
            Response::Network {
                message: "offline".into(),
            },
            now,
        );
    }
    let j = job(&q, r);
    match &j.state {
        JobState::Failed { reason } => assert!(reason.contains("would have expired"), "{reason}"),
        s => panic!("{s:?}"),
    }
    // Retry: the same export is asked about, not a new one created.
    q.retry_export(r, j.id, now).unwrap();
    assert_eq!(
        job(&q, r).status_text(now),
        "Queued to check on the export Clover already has"
    );
    let a = next(&mut q, &mut now);
    match &a.op {
        Op::Poll { export_id, .. } => assert_eq!(export_id, "E1"),
        other => panic!("{other:?}"),
    }
    q.on_response(a.op_id, done("E1"), now);
    assert!(job(&q, r).state.is_success());
}

#[test]
fn retry_creates_a_new_export_only_when_the_old_one_is_gone() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "PENDING", 0), now);
    let id = job(&q, r).id;
    q.cancel_export(r, id, now).unwrap();
    assert!(job(&q, r)
        .status_text(now)
        .contains("Clover may still finish it"));
    q.retry_export(r, id, now).unwrap();
    // Checked first: Clover does not know it any more (404), so a new one is made.
    let a = next(&mut q, &mut now);
    assert!(!is_create(&a));
    q.on_response(a.op_id, Response::http(404, ""), now);
    assert_eq!(job(&q, r).state, JobState::Queued);
    let a = next(&mut q, &mut now);
    assert!(is_create(&a));
    q.on_response(a.op_id, exp("E2", "PENDING", 0), now);
    // A 404 while simply polling fails the export, and says why.
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, Response::http(404, ""), now);
    match job(&q, r).state {
        JobState::Failed { reason } => {
            assert_eq!(reason, "Clover no longer knows this export (HTTP 404).")
        }
        s => panic!("{s:?}"),
    }
    // And a retry then creates a new export straight away.
    q.retry_export(r, id, now).unwrap();
    assert!(is_create(&next(&mut q, &mut now)));
}

#[test]
fn a_lost_create_answer_then_busy_is_probably_our_own_export() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    assert!(is_create(&a));
    assert_eq!(a.timeout_ms, 30 * S);
    // The proxy timed out (504) after Clover had made the export.
    q.on_response(
        a.op_id,
        Response::http(504, "Gateway Timeout"),
        now + 30 * S,
    );
    assert_eq!(job(&q, r).create_answer_lost_at, Some(T0));
    let a = next(&mut q, &mut now);
    assert!(is_create(&a));
    q.on_response(a.op_id, Response::http(503, "Too many exports"), now);
    let j = job(&q, r);
    assert_eq!(
        j.wait.as_ref().unwrap().reason,
        WaitReason::BusyProbablyOurs { asked_at: T0 }
    );
    // Counted as the same streak, not a new kind.
    assert_eq!(j.retry.failures, 2);
    assert!(
        j.status_text(now).starts_with(
            "Clover is busy, probably with the export asked for at 14:02 UTC whose answer was lost"
        ),
        "{}",
        j.status_text(now)
    );
    let orphans = &q.request(r).unwrap().suspected_orphans;
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0].asked_at, T0);
    assert_eq!(orphans[0].span, j.span);
    let notice = q.view(r).unwrap().orphan_notice().unwrap();
    assert_eq!(
        notice,
        "An export may have been made at Clover although its answer was lost: 1970-01-01 – 1970-01-30 (asked for at 2026-03-16 14:02:00 UTC). It cannot be followed without its id and will finish at Clover on its own; this request's own export of the same days is shown below."
    );
    // More busy answers report the same orphan once.
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, Response::http(503, "Too many exports"), now);
    assert_eq!(q.request(r).unwrap().suspected_orphans.len(), 1);
    // The orphan finished: our create goes through.
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E2", "PENDING", 0), now);
    let j = job(&q, r);
    assert_eq!(j.create_answer_lost_at, None);
    assert_eq!(j.server_id.as_deref(), Some("E2"));
}

#[test]
fn a_request_that_never_answers_times_out_and_frees_the_slot() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let other = q
        .add_request(
            NewRequest {
                merchant: "M2".into(),
                ..request(1)
            },
            T0,
        )
        .unwrap();
    let a = q.next_action(T0).unwrap();
    let b = q.next_action(T0).unwrap();
    assert_eq!(b.op.merchant(), "M2");
    q.on_response(b.op_id, exp("F1", "PENDING", 0), T0 + S);
    // The app's own timeout is 30 s; the queue's deadline comes 2 s later.
    assert_eq!(q.next_wakeup(T0 + S), Some(T0 + 2 * S));
    assert!(q.handle_timeout(T0 + 31 * S).is_empty());
    assert_eq!(q.in_flight_for("M1"), 1);
    q.handle_timeout(T0 + 32 * S);
    assert_eq!(q.in_flight_for("M1"), 0);
    let j = job(&q, r);
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(j.create_answer_lost_at, Some(T0));
    // A late answer to the timed-out op changes nothing.
    q.on_response(a.op_id, exp("E1", "PENDING", 0), T0 + 33 * S);
    assert_eq!(job(&q, r).server_id, None);
    // The other merchant was never held up.
    assert_eq!(
        q.request(other).unwrap().exports[0].server_id.as_deref(),
        Some("F1")
    );
}

#[test]
fn a_create_not_sent_is_retried_later_and_never_taken_for_a_lost_answer() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    let message = "the Clover sign-in could not be renewed for now".to_string();
    q.on_response(a.op_id, Response::NotSent { message }, T0);
    let j = job(&q, r);
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(j.create_answer_lost_at, None);
    assert_eq!(j.retry.failures, 1);
    assert_eq!(q.in_flight_for("M1"), 0);
    assert_eq!(q.merchant_stopped("M1"), None);
    assert!(q.next_action(T0).is_none(), "backs off first");
    let later = q.next_wakeup(T0).expect("a retry is scheduled");
    assert!(is_create(&q.next_action(later).unwrap()));
}

#[test]
fn missing_credentials_wait_without_a_made_up_401() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    let ev = q.on_response(a.op_id, Response::NoCredentials, T0);
    assert_eq!(
        ev,
        vec![Event::MissingCredentials {
            merchant: "M1".into()
        }]
    );
    assert_eq!(
        q.merchant_stopped("M1"),
        Some(&StopReason::MissingCredentials)
    );
    let j = job(&q, r);
    assert_eq!(j.state, JobState::Queued);
    // Nothing was sent: no lost answer, no failure counted.
    assert_eq!(j.create_answer_lost_at, None);
    assert_eq!(j.retry.failures, 0);
    assert!(q
        .view(r)
        .unwrap()
        .status_text(T0)
        .starts_with("Waiting for credentials"));
    assert!(q.next_action(T0 + MIN).is_none());
    assert_eq!(q.next_wakeup(T0 + MIN), None);
    q.credentials_updated("M1", T0 + MIN);
    assert!(is_create(&q.next_action(T0 + MIN).unwrap()));
}

#[test]
fn the_proxy_choice_is_saved_with_the_request() {
    let mut q = queue();
    let r = q
        .add_request(request(1).with_auth(CredentialSource::Proxy), T0)
        .unwrap();
    let a = q.next_action(T0).unwrap();
    assert_eq!(a.auth, CredentialSource::Proxy);
    q.on_response(a.op_id, exp("E1", "PENDING", 0), T0);
    let json = serde_json::to_string(&q).unwrap();
    let mut q = ExportQueue::from_json(&json, T0 + MIN).unwrap();
    assert_eq!(q.request(r).unwrap().auth, CredentialSource::Proxy);
    let a = q.next_action(T0 + MIN).unwrap();
    assert!(!is_create(&a));
    assert_eq!(a.auth, CredentialSource::Proxy);
}

#[test]
fn a_reload_while_creating_remembers_the_create_may_have_happened() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let _lost = q.next_action(T0).unwrap();
    let json = serde_json::to_string(&q).unwrap();
    let mut q = ExportQueue::from_json(&json, T0 + 5 * S).unwrap();
    let j = job(&q, r);
    assert_eq!(j.state, JobState::Queued);
    assert_eq!(j.create_answer_lost_at, Some(T0));
    let a = q.next_action(T0 + 5 * S).unwrap();
    q.on_response(a.op_id, Response::http(503, "busy"), T0 + 6 * S);
    assert_eq!(q.request(r).unwrap().suspected_orphans.len(), 1);
}

#[test]
fn done_without_a_file_list_is_looked_at_again_then_accepted() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 50), now);
    for _ in 0..3 {
        let a = next(&mut q, &mut now);
        q.on_response(a.op_id, exp("E1", "DONE", 100), now);
        assert!(!job(&q, r).state.is_terminal());
    }
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "DONE", 100), now);
    assert_eq!(
        job(&q, r).state,
        JobState::Done {
            urls: vec![],
            available_until: None
        }
    );
}

#[test]
fn retry_after_zero_on_every_poll_never_hammers() {
    for seed in 0..200 {
        let mut q = ExportQueue::new(seed);
        q.add_request(request(1), T0).unwrap();
        let mut now = T0;
        let a = next(&mut q, &mut now);
        q.on_response(a.op_id, exp("E1", "PENDING", 0), now);
        let start = now;
        let mut polls = 0;
        loop {
            let a = next(&mut q, &mut now);
            if now > start + 20 * S {
                break;
            }
            polls += 1;
            q.on_response(
                a.op_id,
                Response::Http {
                    status: 429,
                    retry_after: Some("0".into()),
                    body: String::new(),
                },
                now,
            );
        }
        assert!(polls <= 10, "seed {seed}: {polls} polls in 20 s");
    }
}

#[test]
fn a_running_percentage_never_claims_done() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 100), T0);
    assert_eq!(job(&q, r).state, JobState::InProgress { percent: 99 });
    assert!(q.view(r).unwrap().percent() < 100);
}

#[test]
fn files_gone_before_their_expiry_offer_the_range_again() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, done("E1"), now);
    let id = job(&q, r).id;
    // Only a Done export can lose its files.
    q.files_gone(r, id, now + MIN).unwrap();
    match job(&q, r).state {
        JobState::Expired {
            available_until, ..
        } => assert_eq!(available_until, Some(now + MIN)),
        s => panic!("{s:?}"),
    }
    assert_eq!(job(&q, r).status_text(now + MIN), "Link expired");
    assert_eq!(
        q.files_gone(r, id, now + MIN),
        Err(QueueError::InvalidState)
    );
    // Requested again: a new export, not a check on the old one.
    q.retry_export(r, id, now + MIN).unwrap();
    assert!(is_create(&q.next_action(now + MIN).unwrap()));
}

/// Found by the simulation (seed 2724 of `export_sim`): cancelling while the create was
/// in flight dropped its answer, and with it the id of the export Clover had made.
#[test]
fn a_create_answered_after_a_cancel_keeps_its_export() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    let id = job(&q, r).id;
    q.cancel_export(r, id, T0 + 10).unwrap();
    // Still in flight: nothing else goes out for the merchant meanwhile.
    assert!(q.next_action(T0 + S).is_none());
    assert!(q
        .on_response(a.op_id, exp("E1", "PENDING", 0), T0 + S)
        .is_empty());
    let j = job(&q, r);
    assert_eq!(j.state, JobState::Cancelled);
    assert_eq!(j.server_id.as_deref(), Some("E1"));
    assert!(j.status_text(T0 + S).contains("Clover may still finish it"));
    // A retry asks about that export instead of making a second one.
    q.retry_export(r, id, T0 + 2 * S).unwrap();
    let mut now = T0 + 2 * S;
    match next(&mut q, &mut now).op {
        Op::Poll { export_id, .. } => assert_eq!(export_id, "E1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_create_answered_after_a_cancel_and_a_retry_is_checked_on() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    let id = job(&q, r).id;
    q.cancel_export(r, id, T0).unwrap();
    q.retry_export(r, id, T0).unwrap();
    q.on_response(a.op_id, exp("E1", "PENDING", 0), T0 + S);
    let mut now = T0 + S;
    let a = next(&mut q, &mut now);
    match &a.op {
        Op::Poll { export_id, .. } => assert_eq!(export_id, "E1"),
        other => panic!("{other:?}"),
    }
    q.on_response(a.op_id, done("E1"), now);
    assert!(job(&q, r).state.is_success());
}

#[test]
fn a_lost_create_answer_after_a_cancel_is_remembered() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    let id = job(&q, r).id;
    q.cancel_export(r, id, T0).unwrap();
    q.on_response(a.op_id, Response::Timeout, T0 + 30 * S);
    assert_eq!(job(&q, r).create_answer_lost_at, Some(T0));
    // The retry meets "busy": probably the export that create made.
    q.retry_export(r, id, T0 + 31 * S).unwrap();
    let mut now = T0 + 31 * S;
    let a = next(&mut q, &mut now);
    assert!(is_create(&a));
    q.on_response(a.op_id, Response::http(503, "Too many exports"), now);
    assert_eq!(
        job(&q, r).wait.unwrap().reason,
        WaitReason::BusyProbablyOurs { asked_at: T0 }
    );
    assert_eq!(q.request(r).unwrap().suspected_orphans.len(), 1);
}

/// Found by the simulation (seed 596 of `export_sim`): the lid shut while a poll was in
/// flight; a day later the aborted poll was the first thing the queue heard, and it gave
/// up an export whose files Clover still had.
#[test]
fn a_laptop_asleep_for_a_day_still_collects_its_export() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 90), now);
    let poll = next(&mut q, &mut now);
    // Asleep for a day and a minute; the poll that hung meanwhile times out at the wake-up.
    now += 24 * 60 * MIN + MIN;
    q.on_response(poll.op_id, Response::Timeout, now);
    let j = job(&q, r);
    assert_eq!(j.state, JobState::InProgress { percent: 90 });
    assert!(
        j.status_text(now).contains("can't reach Clover since"),
        "{}",
        j.status_text(now)
    );
    // The network is back: the export (done minutes after the lid shut) is collected.
    let a = next(&mut q, &mut now);
    assert!(!is_create(&a));
    q.on_response(a.op_id, done("E1"), now);
    assert!(job(&q, r).state.is_success());
}

/// Found by the simulation (seeds 10643 and 33386 of `export_sim`): a retried export
/// whose id is known waited behind chunks still to be created, so a new export was
/// made while the known one might still run at Clover.
#[test]
fn a_known_export_is_checked_on_before_anything_new_is_created() {
    let mut q = queue();
    let older = q.add_request(request(1), T0).unwrap();
    let newer = q.add_request(request(1), T0).unwrap();
    let (jo, jn) = (job(&q, older).id, job(&q, newer).id);
    let mut now = T0;
    // The older request's chunk is cancelled before it was created; the newer one's
    // while Clover runs it.
    q.cancel_export(older, jo, now).unwrap();
    let a = next(&mut q, &mut now);
    assert_eq!((a.request, is_create(&a)), (newer, true));
    q.on_response(a.op_id, exp("E1", "IN_PROGRESS", 10), now);
    q.cancel_export(newer, jn, now).unwrap();
    // Both retried: the known export is asked about first, then the older chunk created.
    q.retry_export(older, jo, now).unwrap();
    q.retry_export(newer, jn, now).unwrap();
    let a = next(&mut q, &mut now);
    match &a.op {
        Op::Poll { export_id, .. } => assert_eq!(export_id, "E1"),
        other => panic!("a create while E1 may still run: {other:?}"),
    }
    q.on_response(a.op_id, done("E1"), now);
    assert!(job(&q, newer).state.is_success());
    let a = next(&mut q, &mut now);
    assert_eq!((a.request, is_create(&a)), (older, true));
}

/// Found by the simulation (seed 33436 of `export_sim`): the busy answer that used up a
/// create's budget came from the export a lost create had made, and the request failed
/// without a word about it.
#[test]
fn a_budget_used_up_by_our_own_orphan_still_reports_it() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let mut now = T0;
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, Response::http(504, "Gateway Timeout"), now);
    // The lost answer was failure 1; 2 ..= budget - 1 are 502s.
    let budget = q.config.retry.max_create_failures;
    for _ in 2..budget {
        let a = next(&mut q, &mut now);
        q.on_response(a.op_id, Response::http(502, "Bad Gateway"), now);
    }
    assert!(q.request(r).unwrap().suspected_orphans.is_empty());
    // The last attempt meets "busy": our orphan.
    let a = next(&mut q, &mut now);
    q.on_response(a.op_id, Response::http(503, "Too many exports"), now);
    assert!(matches!(job(&q, r).state, JobState::Failed { .. }));
    let orphans = &q.request(r).unwrap().suspected_orphans;
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0].asked_at, T0);
}

#[test]
fn a_clock_set_back_does_not_hold_the_queue() {
    let mut q = queue();
    let r = q.add_request(request(1), T0).unwrap();
    let a = q.next_action(T0).unwrap();
    q.on_response(a.op_id, Response::http(503, "Too many exports"), T0);
    assert_eq!(q.next_wakeup(T0), Some(T0 + 5 * S));
    // The device's clock goes back an hour (a sync, a time-zone mistake fixed).
    let back = T0 - 60 * MIN;
    q.handle_timeout(back);
    assert_eq!(q.next_wakeup(back), Some(back + 5 * S));
    assert!(q.next_action(back + 5 * S).is_some());
    assert_eq!(job(&q, r).state, JobState::Creating);
}
