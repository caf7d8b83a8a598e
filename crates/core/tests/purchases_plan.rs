//! Month chunking, UTC fetch dates and the fetch plan state.

use jiff::civil::{date, Date};
use merchant_console_core::purchases::{
    fetch_dates_for, in_span, month_chunks, parse_response, Chunk, ChunkStatus, Decoded, FetchPlan,
    LocalSpan, Purchase, SplitPurchases, DEFAULT_MAX_IN_FLIGHT,
};
use merchant_console_core::zone::Zone;

fn tz(name: &str) -> Zone {
    Zone::from_jiff(name, &jiff::tz::TimeZone::get(name).unwrap())
}

fn ranges(chunks: &[Chunk]) -> Vec<(String, String)> {
    chunks
        .iter()
        .map(|c| (c.from_date(), c.to_date()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn chunks_across_month_and_year_end() {
    let c = month_chunks(date(2025, 11, 15), date(2026, 2, 3));
    assert_eq!(
        ranges(&c),
        pairs(&[
            ("2025-11-15", "2025-11-30"),
            ("2025-12-01", "2025-12-31"),
            ("2026-01-01", "2026-01-31"),
            ("2026-02-01", "2026-02-03"),
        ])
    );
    assert_eq!(c[0].query(), "from_date=2025-11-15&to_date=2025-11-30");
}

#[test]
fn chunks_leap_february_and_single_days() {
    assert_eq!(
        ranges(&month_chunks(date(2024, 2, 10), date(2024, 3, 1))),
        pairs(&[("2024-02-10", "2024-02-29"), ("2024-03-01", "2024-03-01")])
    );
    assert_eq!(
        ranges(&month_chunks(date(2025, 2, 1), date(2025, 3, 31))),
        pairs(&[("2025-02-01", "2025-02-28"), ("2025-03-01", "2025-03-31")])
    );
    assert_eq!(
        ranges(&month_chunks(date(2026, 1, 31), date(2026, 1, 31))),
        pairs(&[("2026-01-31", "2026-01-31")])
    );
    assert!(month_chunks(date(2026, 2, 1), date(2026, 1, 31)).is_empty());
    assert_eq!(month_chunks(date(2020, 1, 1), date(2025, 12, 31)).len(), 72);
    assert_eq!(month_chunks(Date::MAX, Date::MAX).len(), 1);
}

#[test]
fn fetch_dates_add_the_needed_utc_day_only() {
    let (from, to) = (date(2026, 3, 1), date(2026, 3, 31));
    assert_eq!(fetch_dates_for(from, to, &Zone::utc()), (from, to));
    // Berlin is ahead of UTC: local 1 March starts on 28 Feb 23:00 UTC.
    assert_eq!(
        fetch_dates_for(from, to, &tz("Europe/Berlin")),
        (date(2026, 2, 28), to)
    );
    // New York is behind: local 31 March ends on 1 April 03:59 UTC.
    assert_eq!(
        fetch_dates_for(from, to, &tz("America/New_York")),
        (from, date(2026, 4, 1))
    );
    // Far zones on both sides.
    assert_eq!(
        fetch_dates_for(from, to, &tz("Pacific/Kiritimati")).0,
        date(2026, 2, 28)
    );
    assert_eq!(
        fetch_dates_for(from, to, &tz("Pacific/Pago_Pago")).1,
        date(2026, 4, 1)
    );
}

#[test]
fn plan_for_span_filters_by_instant() {
    let span = LocalSpan::new(date(2026, 1, 1), date(2026, 1, 31), tz("Europe/Berlin"));
    let plan = FetchPlan::for_span(&span);
    assert_eq!(
        ranges(plan.chunks()),
        pairs(&[("2025-12-31", "2025-12-31"), ("2026-01-01", "2026-01-31")])
    );
    let at = |ms: i64| Purchase {
        purchase_time: ms,
        ..Purchase::default()
    };
    // 2025-12-31T22:59:59Z is 23:59:59 on 31 Dec in Berlin: outside; 23:00Z is inside.
    let dec31_23h = 1_767_222_000_000;
    let mut list = vec![
        at(dec31_23h - 1000),
        at(dec31_23h),
        at(span.end_ms() - 1),
        at(span.end_ms()),
    ];
    let kept: Vec<&Purchase> = in_span(&list, &span).collect();
    assert_eq!(kept, [&list[1], &list[2]]);
    span.retain_in(&mut list, |p| p.purchase_time);
    assert_eq!(list, vec![at(dec31_23h), at(span.end_ms() - 1)]);
}

fn decoded(n: usize, tag: &str) -> Decoded {
    Decoded {
        purchases: (0..n)
            .map(|i| Purchase {
                title: format!("{tag}{i}").into(),
                ..Purchase::default()
            })
            .collect(),
        skipped: 1,
        first_skip_reason: Some(format!("bad record in {tag}")),
    }
}

#[test]
fn plan_failure_and_retry_keep_done_chunks() {
    let mut plan = FetchPlan::new(month_chunks(date(2026, 1, 1), date(2026, 4, 30)));
    assert_eq!(plan.chunks().len(), 4);
    assert_eq!(plan.progress(), 0.0);

    // Concurrency never exceeds the limit.
    assert_eq!(plan.start_next(DEFAULT_MAX_IN_FLIGHT), Some(0));
    assert_eq!(plan.start_next(DEFAULT_MAX_IN_FLIGHT), Some(1));
    assert_eq!(plan.start_next(DEFAULT_MAX_IN_FLIGHT), None);
    assert_eq!(plan.next_to_start(DEFAULT_MAX_IN_FLIGHT), None);
    assert_eq!(plan.in_flight(), 2);

    // Chunk 1 answers first; chunk 0 fails.
    assert!(plan.mark_done(1, decoded(2, "feb")));
    assert!(
        !plan.mark_done(1, decoded(9, "dup")),
        "late duplicate is ignored"
    );
    assert_eq!(plan.start_next(2), Some(2));
    assert!(plan.mark_failed(0, "HTTP 500"));
    assert!(!plan.mark_failed(3, "never started"));
    assert_eq!(plan.start_next(2), Some(3));
    assert_eq!(plan.in_flight(), 2);
    assert!(plan.mark_done(2, decoded(1, "mar")));
    assert!(plan.mark_done(3, decoded(0, "apr")));

    assert!(plan.is_finished());
    assert!(!plan.is_complete());
    assert_eq!(plan.progress(), 0.75);
    assert_eq!(
        plan.statuses(),
        &[
            ChunkStatus::Failed("HTTP 500".into()),
            ChunkStatus::Done(2),
            ChunkStatus::Done(1),
            ChunkStatus::Done(0),
        ]
    );

    // Only the failed chunk goes back to pending.
    assert_eq!(plan.retry_failed(), 1);
    assert_eq!(plan.statuses()[1], ChunkStatus::Done(2));
    assert_eq!(plan.start_next(2), Some(0));
    assert_eq!(plan.start_next(2), None, "nothing else pending");
    assert!(plan.mark_done(0, decoded(1, "jan")));
    assert!(plan.is_complete());
    assert_eq!(plan.progress(), 1.0);
    assert_eq!(plan.skipped(), 4);
    assert_eq!(plan.first_skip_reason(), Some("bad record in feb"));

    // Results merged in chunk order, not arrival order.
    let titles: Vec<&str> = plan.purchases().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["jan0", "feb0", "feb1", "mar0"]);
    let owned: Vec<String> = plan
        .into_purchases()
        .into_iter()
        .map(|p| p.title.into())
        .collect();
    assert_eq!(owned, ["jan0", "feb0", "feb1", "mar0"]);
}

#[test]
fn plan_edge_cases() {
    let mut empty = FetchPlan::new(vec![]);
    assert_eq!(empty.progress(), 1.0);
    assert!(empty.is_finished() && empty.is_complete());
    assert_eq!(empty.start_next(2), None);
    assert!(!empty.mark_done(5, Decoded::default()));

    // A limit of 0 still lets one request run, so a plan can always progress.
    let mut plan = FetchPlan::new(month_chunks(date(2026, 1, 1), date(2026, 2, 28)));
    assert_eq!(plan.start_next(0), Some(0));
    assert_eq!(plan.start_next(0), None);
    assert!(plan.mark_in_flight(1));
    assert!(!plan.mark_in_flight(1));
    assert!(plan.mark_done(1, parse_response(r#"{"status":"ok","data":[]}"#).unwrap()));
}

#[test]
fn plan_splits_into_current_and_previous_period() {
    let span = LocalSpan::new(date(2026, 3, 1), date(2026, 3, 31), tz("Europe/Berlin"));
    let previous = span.previous();
    let mut plan = FetchPlan::for_span(&span.with_previous());
    let at = |ms: i64, title: &str| Purchase {
        purchase_time: ms,
        title: title.into(),
        ..Purchase::default()
    };
    let n = plan.chunks().len();
    assert!(n >= 2);
    while plan.start_next(n).is_some() {}
    for i in 0..n {
        let purchases = match i {
            // One purchase before both periods is dropped.
            0 => vec![
                at(previous.start_ms() - 1, "too early"),
                at(previous.start_ms(), "prev a"),
            ],
            i if i == n - 1 => vec![
                at(previous.end_ms() - 1, "prev b"),
                at(span.start_ms(), "cur a"),
                at(span.end_ms() - 1, "cur b"),
                at(span.end_ms(), "too late"),
                // Dated where no figure can place it: kept for the table and the CSV.
                at(ms_of_year(9999), "year 9999"),
            ],
            _ => Vec::new(),
        };
        let decoded = Decoded {
            purchases,
            ..Decoded::default()
        };
        assert!(plan.mark_done(i, decoded));
    }
    assert!(plan.is_complete());
    let SplitPurchases { current, previous } = plan.into_split(&span, Some(&previous));
    let titles = |list: &[Purchase]| list.iter().map(|p| p.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&current), ["cur a", "cur b", "year 9999"]);
    assert_eq!(titles(&previous), ["prev a", "prev b"]);
    assert_eq!(current.capacity(), 3);
    assert_eq!(previous.capacity(), 2);
}

/// Midnight UTC on 1 January of `year`.
fn ms_of_year(year: i16) -> i64 {
    merchant_console_core::civil::day_number(jiff::civil::date(year, 1, 1)) * 86_400_000
}
