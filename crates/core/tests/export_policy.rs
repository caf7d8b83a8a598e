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
fn busy_backoff_grows_to_five_minutes() {
    let b = no_jitter(Backoff::BUSY);
    let d: Vec<Millis> = (1..=9).map(|n| b.delay(n, 0, 0.3)).collect();
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
}

#[test]
fn rate_limit_and_transient_backoff_caps() {
    assert_eq!(
        (1..=8)
            .map(|n| Backoff::RATE_LIMITED.ceiling(n))
            .collect::<Vec<_>>(),
        vec![S, 2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 60 * S, 60 * S]
    );
    assert_eq!(
        (1..=7)
            .map(|n| Backoff::TRANSIENT.ceiling(n))
            .collect::<Vec<_>>(),
        vec![2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 60 * S, 60 * S]
    );
}

#[test]
fn full_jitter_bounds_and_cap() {
    let b = Backoff::BUSY;
    assert_eq!(b.jitter, Jitter::Full);
    let mut rng = JitterRng::new(42);
    for attempt in 1..40 {
        let ceiling = b.ceiling(attempt);
        assert!(ceiling <= b.cap_ms);
        for _ in 0..200 {
            let d = b.delay(attempt, 0, rng.next_f64());
            assert!(
                (MIN_RETRY_DELAY_MS..=ceiling).contains(&d),
                "attempt {attempt}: {d}"
            );
        }
        assert_eq!(b.delay(attempt, 0, 1.0), ceiling);
        assert_eq!(b.delay(attempt, 0, 0.0), MIN_RETRY_DELAY_MS);
    }
    // Out-of-range draws are clamped, NaN is treated as the middle.
    assert_eq!(b.delay(3, 0, 7.0), b.ceiling(3));
    assert_eq!(b.delay(3, 0, -1.0), MIN_RETRY_DELAY_MS);
    assert!(b.delay(3, 0, f64::NAN) > MIN_RETRY_DELAY_MS);
}

#[test]
fn decorrelated_jitter_bounds() {
    let b = Backoff {
        jitter: Jitter::Decorrelated,
        ..Backoff::BUSY
    };
    let mut rng = JitterRng::new(7);
    let mut prev = 0;
    for attempt in 1..100 {
        let d = b.delay(attempt, prev, rng.next_f64());
        assert!(d >= b.base_ms && d <= b.cap_ms, "{d}");
        assert!(d <= (prev.max(b.base_ms) * 3).min(b.cap_ms));
        prev = d;
    }
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

#[test]
fn hours_503_waits_until_next_opening_with_spread() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let now = utc(2026, 3, 16, 16, 0);
    for r in [0.0, 0.5, 1.0] {
        let Decision::Wait(w) = p.on_failure(
            unavailable("available hours 10-15"),
            &mut st,
            Some(&ServiceHours::us()),
            now,
            r,
        ) else {
            panic!()
        };
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
    // EU, Sunday evening -> Monday 01:00.
    let Decision::Wait(w) = p.on_failure(
        unavailable("busy"),
        &mut st,
        Some(&ServiceHours::eu()),
        utc(2026, 3, 22, 7, 0),
        0.0,
    ) else {
        panic!()
    };
    assert_eq!(w.until, utc(2026, 3, 23, 1, 0));
}

#[test]
fn hours_503_with_unknown_windows_waits_15_minutes_and_keeps_text() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let Decision::Wait(w) = p.on_failure(
        unavailable("Outside of available hours"),
        &mut st,
        None,
        1_000,
        0.9,
    ) else {
        panic!()
    };
    assert_eq!(w.until, 1_000 + 15 * MIN);
    assert_eq!(w.reason, WaitReason::ServiceHours { opens_at: None });
    assert_eq!(w.message.as_deref(), Some("Outside of available hours"));
}

#[test]
fn busy_503_backs_off_exponentially_without_limit() {
    let p = RetryPolicy {
        busy: no_jitter(Backoff::BUSY),
        ..RetryPolicy::default()
    };
    let mut st = RetryState::default();
    let mut delays = vec![];
    for _ in 0..10 {
        match p.on_failure(
            unavailable("busy"),
            &mut st,
            Some(&ServiceHours::always_open()),
            0,
            0.5,
        ) {
            Decision::Wait(w) => {
                assert_eq!(w.reason, WaitReason::Busy);
                delays.push(w.until);
            }
            Decision::Fail(_) => panic!("busy never fails"),
        }
    }
    assert_eq!(&delays[..4], &[5 * S, 10 * S, 20 * S, 40 * S]);
    assert_eq!(delays[9], 300 * S);
}

#[test]
fn rate_limited_honours_retry_after() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let f = match classify(
        &Response::Http {
            status: 429,
            retry_after: Some("7".into()),
            body: String::new(),
        },
        100,
    ) {
        Class::Retry(f) => f,
        other => panic!("{other:?}"),
    };
    let Decision::Wait(w) = p.on_failure(f, &mut st, None, 100, 0.99) else {
        panic!()
    };
    assert_eq!(w.until, 100 + 7 * S);
    assert_eq!(w.reason, WaitReason::RateLimited);
}

#[test]
fn rate_limited_without_retry_after_backs_off_from_one_second() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let mut uppers = vec![];
    for _ in 0..8 {
        let Decision::Wait(w) = p.on_failure(
            Failure::RateLimited {
                retry_after_ms: None,
            },
            &mut st,
            None,
            0,
            1.0,
        ) else {
            panic!()
        };
        uppers.push(w.until);
    }
    assert_eq!(
        uppers,
        vec![S, 2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 60 * S, 60 * S]
    );
    let Decision::Wait(w) = p.on_failure(
        Failure::RateLimited {
            retry_after_ms: None,
        },
        &mut RetryState::default(),
        None,
        0,
        0.0,
    ) else {
        panic!()
    };
    assert_eq!(w.until, MIN_RETRY_DELAY_MS);
}

#[test]
fn retry_after_formats() {
    let now = utc(2015, 10, 21, 7, 27);
    assert_eq!(parse_retry_after("120", now), Some(120 * S));
    assert_eq!(parse_retry_after(" 0 ", now), Some(0));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
        Some(60 * S)
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
        Some(0)
    );
    assert_eq!(
        parse_retry_after("99999999999999999999999", now),
        Some(MAX_RETRY_AFTER_MS)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-5", now), None);
    assert_eq!(parse_retry_after("", now), None);
}

#[test]
fn transient_errors_fail_after_five_attempts_with_cause() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let responses = [
        Response::Network {
            message: "connection reset".into(),
        },
        Response::http(500, ""),
        Response::http(502, "Bad Gateway"),
        Response::http(504, ""),
        Response::Network {
            message: "timeout".into(),
        },
    ];
    let mut waits = 0;
    let mut last = None;
    for (i, r) in responses.iter().enumerate() {
        let Class::Retry(f) = classify(r, 0) else {
            panic!()
        };
        match p.on_failure(f, &mut st, None, 0, 1.0) {
            Decision::Wait(w) => {
                waits += 1;
                assert_eq!(
                    w.reason,
                    WaitReason::Retrying {
                        attempt: i as u32 + 1,
                        cause: match classify(r, 0) {
                            Class::Retry(Failure::Transient { cause }) => cause,
                            _ => unreachable!(),
                        }
                    }
                );
                assert_eq!(w.until, Backoff::TRANSIENT.ceiling(i as u32 + 1));
            }
            Decision::Fail(reason) => last = Some(reason),
        }
    }
    assert_eq!(waits, 4);
    let reason = last.expect("fifth failure gives up");
    assert!(reason.contains("network error: timeout"), "{reason}");
    assert!(reason.contains("5 attempts"), "{reason}");
}

#[test]
fn transient_counter_resets_on_other_kinds() {
    let p = RetryPolicy::default();
    let mut st = RetryState::default();
    let net = || Failure::Transient { cause: "x".into() };
    for _ in 0..4 {
        assert!(matches!(
            p.on_failure(net(), &mut st, None, 0, 0.5),
            Decision::Wait(_)
        ));
    }
    // A 429 in between breaks the streak.
    p.on_failure(
        Failure::RateLimited {
            retry_after_ms: None,
        },
        &mut st,
        None,
        0,
        0.5,
    );
    for _ in 0..4 {
        assert!(matches!(
            p.on_failure(net(), &mut st, None, 0, 0.5),
            Decision::Wait(_)
        ));
    }
    assert!(matches!(
        p.on_failure(net(), &mut st, None, 0, 0.5),
        Decision::Fail(_)
    ));
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
fn service_hours_never_panic_at_extreme_times() {
    for h in [ServiceHours::us(), ServiceHours::eu()] {
        for t in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let _ = h.is_open(t);
            let _ = h.next_opening(t);
            let _ = h.closes_at(t);
        }
    }
}
