//! Backoff, jitter, service hours, Retry-After and response classification.

use jiff::civil::date;
use jiff::tz::TimeZone;
use merchant_console_core::export::hours::{Region, ServiceHours};
use merchant_console_core::export::policy::*;
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

fn no_jitter(b: Backoff) -> Backoff {
    Backoff {
        jitter: Jitter::None,
        ..b
    }
}

#[test]
fn calendar_sanity() {
    // The tests below rely on 2026-03-16 being a Monday.
    assert_eq!(date(2026, 3, 16).weekday(), jiff::civil::Weekday::Monday);
}

#[test]
fn one_backoff_grows_to_five_minutes() {
    let b = no_jitter(Backoff::default());
    let d: Vec<Millis> = (1..=9).map(|n| b.delay(n, 0.3)).collect();
    assert_eq!(
        d,
        vec![
            5 * S,
            10 * S,
            20 * S,
            40 * S,
            80 * S,
            160 * S,
            300 * S,
            300 * S,
            300 * S
        ]
    );
    assert_eq!(b.ceiling(u32::MAX), 300 * S);
    assert_eq!(b.ceiling(0), 5 * S);
}

#[test]
fn full_jitter_lies_between_floor_and_ceiling() {
    let b = Backoff::default();
    assert_eq!(b.jitter, Jitter::Full);
    let mut rng = JitterRng::new(42);
    for attempt in 1..40 {
        let ceiling = b.ceiling(attempt);
        assert!(ceiling <= b.cap_ms);
        for _ in 0..200 {
            let d = b.delay(attempt, rng.next_f64());
            assert!(
                (b.floor_ms..=ceiling).contains(&d),
                "attempt {attempt}: {d}"
            );
        }
        assert_eq!(b.delay(attempt, 1.0), ceiling);
        assert_eq!(b.delay(attempt, 0.0), b.floor_ms);
    }
    // Out-of-range draws are clamped, NaN is treated as the middle.
    assert_eq!(b.delay(3, 7.0), b.ceiling(3));
    assert_eq!(b.delay(3, -1.0), b.floor_ms);
    assert!(b.delay(3, f64::NAN) > b.floor_ms);
    // A floor above the ceiling never lengthens the ceiling.
    let odd = Backoff {
        floor_ms: 60 * S,
        ..b
    };
    assert_eq!(odd.delay(1, 0.0), 5 * S);
}

#[test]
fn jitter_rng_is_deterministic_and_uniformish() {
    let mut a = JitterRng::new(0);
    let mut b = JitterRng::new(0);
    let xs: Vec<f64> = (0..1000).map(|_| a.next_f64()).collect();
    assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
    assert_eq!(xs[0], b.next_f64());
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((0.4..0.6).contains(&mean), "{mean}");
}

#[test]
fn us_service_hours() {
    let us = ServiceHours::us();
    assert!(us.is_open(utc(2026, 3, 16, 10, 0)));
    assert!(us.is_open(utc(2026, 3, 16, 14, 59)));
    assert!(!us.is_open(utc(2026, 3, 16, 15, 0)));
    assert!(!us.is_open(utc(2026, 3, 16, 9, 59)));
    assert_eq!(
        us.next_opening(utc(2026, 3, 16, 9, 0)),
        Some(utc(2026, 3, 16, 10, 0))
    );
    assert_eq!(
        us.next_opening(utc(2026, 3, 16, 16, 0)),
        Some(utc(2026, 3, 17, 10, 0))
    );
    assert_eq!(
        us.next_opening(utc(2026, 3, 22, 20, 0)),
        Some(utc(2026, 3, 23, 10, 0))
    );
    assert_eq!(
        us.next_opening(utc(2026, 3, 16, 12, 0)),
        Some(utc(2026, 3, 16, 12, 0))
    );
    assert_eq!(
        us.closes_at(utc(2026, 3, 16, 12, 0)),
        Some(utc(2026, 3, 16, 15, 0))
    );
}

#[test]
fn eu_service_hours_with_weekends_and_wrap() {
    let eu = ServiceHours::eu();
    // Weekdays 01:00-05:00.
    assert!(eu.is_open(utc(2026, 3, 20, 4, 59)));
    assert!(!eu.is_open(utc(2026, 3, 20, 5, 0)));
    assert_eq!(
        eu.next_opening(utc(2026, 3, 16, 0, 59)),
        Some(utc(2026, 3, 16, 1, 0))
    );
    // Friday after closing -> Saturday 02:00.
    assert_eq!(
        eu.next_opening(utc(2026, 3, 20, 6, 0)),
        Some(utc(2026, 3, 21, 2, 0))
    );
    // Saturday 01:30 is closed (opens at 02:00 on Saturdays).
    assert!(!eu.is_open(utc(2026, 3, 21, 1, 30)));
    assert_eq!(
        eu.next_opening(utc(2026, 3, 21, 1, 30)),
        Some(utc(2026, 3, 21, 2, 0))
    );
    // Saturday after closing -> Sunday 02:00.
    assert_eq!(
        eu.next_opening(utc(2026, 3, 21, 5, 30)),
        Some(utc(2026, 3, 22, 2, 0))
    );
    // Sunday is open until 06:00.
    assert!(eu.is_open(utc(2026, 3, 22, 5, 30)));
    // Sunday -> Monday wrap.
    assert_eq!(
        eu.next_opening(utc(2026, 3, 22, 6, 30)),
        Some(utc(2026, 3, 23, 1, 0))
    );
    assert_eq!(
        eu.next_opening(utc(2026, 3, 22, 23, 59)),
        Some(utc(2026, 3, 23, 1, 0))
    );
}

#[test]
fn region_configuration() {
    assert_eq!(Region::La.service_hours(), None);
    let sandbox = Region::Sandbox.service_hours().unwrap();
    assert!(sandbox.is_always_open());
    assert!(sandbox.is_open(0));
    assert_eq!(sandbox.next_opening(123), Some(123));
    assert_eq!(Region::from_id("eu"), Some(Region::Eu));
    assert_eq!(Region::Eu.api_base(), "https://api.eu.clover.com");
}

#[test]
fn classify_503_busy_vs_hours() {
    let us = ServiceHours::us();
    let open = utc(2026, 3, 16, 12, 0);
    let closed = utc(2026, 3, 16, 16, 0);
    assert_eq!(classify_503(false, Some(&us), open), Unavailable::Busy);
    // Windows say closed: hours, even if the body does not say so.
    assert_eq!(
        classify_503(false, Some(&us), closed),
        Unavailable::OutsideHours {
            opens_at: Some(utc(2026, 3, 17, 10, 0))
        }
    );
    // Body says hours but our windows say open (outdated config): opening unknown.
    assert_eq!(
        classify_503(true, Some(&us), open),
        Unavailable::OutsideHours { opens_at: None }
    );
    // Unknown windows.
    assert_eq!(
        classify_503(true, None, open),
        Unavailable::OutsideHours { opens_at: None }
    );
    assert_eq!(classify_503(false, None, open), Unavailable::Busy);
    assert!(body_mentions_hours(
        r#"{"message":"Export service is available during these HOURS: ..."}"#
    ));
    assert!(!body_mentions_hours("Service Unavailable"));
}

fn unavailable(body: &str) -> Failure {
    match classify(&Response::http(503, body), 0) {
        Class::Retry(f) => f,
        other => panic!("{other:?}"),
    }
}

const CREATE: Phase = Phase::Create {
    answer_lost_at: None,
};

fn no_jitter_policy() -> RetryPolicy {
    RetryPolicy {
        backoff: no_jitter(Backoff::default()),
        hours_spread_ms: 0,
        ..RetryPolicy::default()
    }
}

fn wait(d: Decision) -> Wait {
    match d {
        Decision::Wait(w) => w,
        Decision::Fail(why) => panic!("gave up: {why}"),
    }
}

#[test]
fn hours_503_waits_until_next_opening_with_spread() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let now = utc(2026, 3, 16, 16, 0);
    for r in [0.0, 0.5, 1.0] {
        let w = wait(p.on_failure(
            unavailable("available hours 10-15"),
            &mut st,
            CREATE,
            Some(&ServiceHours::us()),
            now,
            r,
        ));
        let opens = utc(2026, 3, 17, 10, 0);
        assert_eq!(
            w.reason,
            WaitReason::ServiceHours {
                opens_at: Some(opens)
            }
        );
        assert!(w.until >= opens && w.until <= opens + 5 * S);
        assert_eq!(w.message.as_deref(), Some("available hours 10-15"));
    }
    // Waiting for the window is not a failure of ours: nothing was counted.
    assert_eq!(st.failures, 0);
    // EU, Sunday evening -> Monday 01:00.
    let w = wait(p.on_failure(
        unavailable("busy"),
        &mut st,
        CREATE,
        Some(&ServiceHours::eu()),
        utc(2026, 3, 22, 7, 0),
        0.0,
    ));
    assert_eq!(w.until, utc(2026, 3, 23, 1, 0));
}

#[test]
fn hours_503_with_unknown_windows_waits_15_minutes_and_keeps_text() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let w = wait(p.on_failure(
        unavailable("Outside of available hours"),
        &mut st,
        CREATE,
        None,
        1_000,
        0.9,
    ));
    assert_eq!(w.until, 1_000 + 15 * MIN);
    assert_eq!(w.reason, WaitReason::ServiceHours { opens_at: None });
    assert_eq!(w.message.as_deref(), Some("Outside of available hours"));
}

#[test]
fn one_budget_for_every_kind_of_failure() {
    // A server alternating 503 busy, 5xx and 429 can neither reset the count nor keep
    // the backoff at its first steps.
    let p = no_jitter_policy();
    let mut st = RetryState::default();
    let kinds = [
        unavailable("busy"),
        Failure::transient("HTTP 500"),
        Failure::RateLimited {
            retry_after_ms: None,
        },
    ];
    let mut t = 0;
    let mut delays = vec![];
    let mut gave_up = None;
    for i in 0..100 {
        let f = kinds[i % 3].clone();
        match p.on_failure(f, &mut st, CREATE, None, t, 0.5) {
            Decision::Wait(w) => {
                delays.push(w.until - t);
                t = w.until;
            }
            Decision::Fail(why) => {
                gave_up = Some((i + 1, why));
                break;
            }
        }
    }
    let (n, why) = gave_up.expect("a create gives up");
    assert_eq!(n as u32, p.max_create_failures);
    assert!(why.contains("24 attempts"), "{why}");
    assert!(why.contains("last: rate limited, HTTP 429"), "{why}");
    assert_eq!(
        &delays[..7],
        &[5 * S, 10 * S, 20 * S, 40 * S, 80 * S, 160 * S, 300 * S]
    );
    assert!(delays[7..].iter().all(|&d| d == 300 * S));
    assert_eq!(st.since, Some(0));
}

#[test]
fn retry_after_is_a_minimum_never_a_shortcut() {
    let p = no_jitter_policy();
    let limited = |ms| Failure::RateLimited {
        retry_after_ms: Some(ms),
    };
    // Retry-After: 0 waits the backoff.
    let mut st = RetryState::default();
    let w = wait(p.on_failure(limited(0), &mut st, CREATE, None, 100, 0.0));
    assert_eq!(w.until, 100 + 5 * S);
    assert_eq!(w.reason, WaitReason::RateLimited);
    // A longer Retry-After is honoured.
    let mut st = RetryState::default();
    let w = wait(p.on_failure(limited(7 * S), &mut st, CREATE, None, 100, 0.0));
    assert_eq!(w.until, 100 + 7 * S);
    // Jittered: never below the floor, whatever the draw.
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let mut t = 0;
    let mut polls = 1;
    let mut rng = JitterRng::new(3);
    while t < 20 * S {
        let w = wait(p.on_failure(
            limited(0),
            &mut st,
            Phase::Poll { last_contact_at: 0 },
            None,
            t,
            rng.next_f64(),
        ));
        assert!(w.until - t >= p.backoff.floor_ms);
        t = w.until;
        polls += 1;
    }
    assert!(polls <= 10, "{polls} polls in 20 s");
}

#[test]
fn a_known_export_is_polled_until_its_files_would_have_expired() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let last_contact = utc(2026, 3, 16, 14, 2);
    let mut t = last_contact + 10 * S;
    let mut tries = 0;
    let why = loop {
        let f = Failure::transient("HTTP 502: Bad Gateway");
        match p.on_failure(
            f,
            &mut st,
            Phase::Poll {
                last_contact_at: last_contact,
            },
            None,
            t,
            0.5,
        ) {
            Decision::Wait(w) => {
                assert_eq!(
                    w.reason,
                    WaitReason::PollFailing {
                        since: last_contact + 10 * S,
                        cause: "HTTP 502: Bad Gateway".into()
                    }
                );
                assert!(w.until - t <= p.backoff.cap_ms);
                t = w.until;
                tries += 1;
            }
            Decision::Fail(why) => break why,
        }
    };
    assert!(t - last_contact >= FILE_LIFETIME_MS);
    assert!(tries > 250, "{tries}");
    assert!(why.contains("would have expired"), "{why}");
}

/// Found by the simulation (seed 596 of `export_sim`): a laptop asleep for a day woke to
/// one failed poll, and the export was given up at once, files still there.
#[test]
fn a_long_silence_without_polls_is_not_a_day_of_failures() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let last_contact = utc(2026, 3, 16, 14, 2);
    let woke = last_contact + 25 * 3_600 * S;
    let poll = Phase::Poll {
        last_contact_at: last_contact,
    };
    let failed = |st: &mut RetryState, t| {
        p.on_failure(
            Failure::transient("no answer in time"),
            st,
            poll,
            None,
            t,
            0.5,
        )
    };
    // The first failure after the wake-up: keep trying.
    let w = wait(failed(&mut st, woke));
    assert_eq!(
        w.reason,
        WaitReason::PollFailing {
            since: woke,
            cause: "no answer in time".into()
        }
    );
    // Given up only once the polls themselves have failed for the whole limit.
    assert!(matches!(
        failed(&mut st, woke + FILE_LIFETIME_MS - S),
        Decision::Wait(_)
    ));
    match failed(&mut st, woke + FILE_LIFETIME_MS) {
        Decision::Fail(why) => assert!(
            why.starts_with("No word from Clover about this export for 2 d 1 h"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn busy_after_a_lost_create_answer_is_probably_ours() {
    let p = no_jitter_policy();
    let mut st = RetryState::default();
    let asked = utc(2026, 3, 16, 14, 2);
    // The lost answer counted once, the busy answer counts as the same streak.
    wait(p.on_failure(
        Failure::transient("no answer in time"),
        &mut st,
        CREATE,
        None,
        asked + 30 * S,
        0.5,
    ));
    let w = wait(p.on_failure(
        unavailable("Too many exports"),
        &mut st,
        Phase::Create {
            answer_lost_at: Some(asked),
        },
        None,
        asked + 40 * S,
        0.5,
    ));
    assert_eq!(w.reason, WaitReason::BusyProbablyOurs { asked_at: asked });
    assert_eq!(w.until, asked + 40 * S + 10 * S);
    assert_eq!(st.failures, 2);
}

#[test]
fn classification() {
    assert_eq!(classify(&Response::http(200, "{}"), 0), Class::Success);
    assert_eq!(classify(&Response::http(201, "{}"), 0), Class::Success);
    assert_eq!(
        classify(&Response::http(401, ""), 0),
        Class::Credentials { status: 401 }
    );
    assert_eq!(
        classify(&Response::http(403, ""), 0),
        Class::Credentials { status: 403 }
    );
    assert_eq!(
        classify(
            &Response::http(400, r#"{"message":"Time range exceeds 30 days"}"#),
            0
        ),
        Class::Rejected {
            status: 400,
            message: "Time range exceeds 30 days".into()
        }
    );
    assert_eq!(
        classify(&Response::http(404, ""), 0),
        Class::Rejected {
            status: 404,
            message: "HTTP 404".into()
        }
    );
    for s in [408, 500, 502, 504, 599] {
        assert!(
            matches!(
                classify(&Response::http(s, ""), 0),
                Class::Retry(Failure::Transient { .. })
            ),
            "{s}"
        );
    }
    assert!(matches!(
        classify(&Response::http(429, ""), 0),
        Class::Retry(Failure::RateLimited {
            retry_after_ms: None
        })
    ));
    assert!(matches!(
        classify(&Response::http(503, "x"), 0),
        Class::Retry(Failure::Unavailable {
            mentions_hours: false,
            ..
        })
    ));
}

#[test]
fn timeouts_missing_credentials_and_lost_answers() {
    assert!(matches!(
        classify(&Response::Timeout, 0),
        Class::Retry(Failure::Transient { .. })
    ));
    assert_eq!(classify(&Response::NoCredentials, 0), Class::NoCredentials);
    for lost in [
        Response::Timeout,
        Response::Network {
            message: "reset".into(),
        },
        Response::http(502, ""),
        Response::http(504, ""),
    ] {
        assert!(lost.answer_may_be_lost(), "{lost:?}");
    }
    assert!(matches!(
        classify(&Response::NotSent { message: "sign-in not renewed".into() }, 0),
        Class::Retry(Failure::Transient { cause, .. }) if cause == "sign-in not renewed"
    ));
    for kept in [
        Response::NoCredentials,
        Response::NotSent {
            message: "sign-in not renewed".into(),
        },
        Response::http(500, ""),
        Response::http(503, ""),
        Response::http(200, "{}"),
    ] {
        assert!(!kept.answer_may_be_lost(), "{kept:?}");
    }
}

#[test]
fn service_hours_never_panic_at_extreme_times() {
    for h in [ServiceHours::us(), ServiceHours::eu()] {
        for t in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let _ = h.is_open(t);
            let _ = h.next_opening(t);
            let _ = h.closes_at(t);
        }
    }
}
