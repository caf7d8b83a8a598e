//! Comparison spans (previous period, last year, weekdays matched, none) and what a load
//! with a comparison fetches.

use jiff::civil::{date, Date, Weekday};
use merchant_console_core::purchases::{
    Chunk, Comparison, Decoded, FetchPlan, LocalSpan, Purchase, SplitPurchases,
};
use merchant_console_core::zone::Zone;

fn tz(name: &str) -> Zone {
    Zone::from_jiff(name, &jiff::tz::TimeZone::get(name).unwrap())
}

fn utc(from: Date, to: Date) -> LocalSpan {
    LocalSpan::new(from, to, Zone::utc())
}

fn ends(s: &LocalSpan) -> (Date, Date) {
    (s.from, s.to)
}

fn months(chunks: &[Chunk]) -> Vec<(String, String)> {
    chunks
        .iter()
        .map(|c| (c.from_date(), c.to_date()))
        .collect()
}

#[test]
fn each_choice_names_its_span() {
    let span = utc(date(2026, 3, 10), date(2026, 3, 16));
    let at = |c| span.compared_with(c).map(|s| ends(&s));
    assert_eq!(
        at(Comparison::PreviousPeriod),
        Some((date(2026, 3, 3), date(2026, 3, 9)))
    );
    assert_eq!(
        at(Comparison::PreviousYear),
        Some((date(2025, 3, 10), date(2025, 3, 16)))
    );
    // 364 days back: Tuesday 2026-03-10 is compared with Tuesday 2025-03-11.
    let weekdays = span
        .compared_with(Comparison::PreviousYearWeekdays)
        .unwrap();
    assert_eq!(ends(&weekdays), (date(2025, 3, 11), date(2025, 3, 17)));
    assert_eq!(weekdays.from.weekday(), span.from.weekday());
    assert_eq!(weekdays.from.weekday(), Weekday::Tuesday);
    assert_eq!(weekdays.days(), span.days());
    assert_eq!(at(Comparison::None), None);
    // The zone comes along.
    let berlin = LocalSpan::new(date(2026, 3, 1), date(2026, 3, 31), tz("Europe/Berlin"));
    assert_eq!(berlin.year_before().zone, berlin.zone);
}

#[test]
fn ids_are_stable_and_round_trip() {
    let ids: Vec<&str> = Comparison::ALL.iter().map(|c| c.id()).collect();
    assert_eq!(ids, ["previous", "year", "year-weekdays", "none"]);
    for c in Comparison::ALL {
        assert_eq!(Comparison::from_id(c.id()), Some(c));
    }
    assert_eq!(Comparison::from_id("yoy"), None);
    assert_eq!(Comparison::default(), Comparison::PreviousPeriod);
}

#[test]
fn last_year_handles_leap_days_and_month_ends() {
    let year = |from, to| ends(&utc(from, to).year_before());
    // 29 February has no twin: it becomes the 28th.
    assert_eq!(
        year(date(2024, 2, 29), date(2024, 2, 29)),
        (date(2023, 2, 28), date(2023, 2, 28))
    );
    // Whole months stay whole, in both directions.
    assert_eq!(
        year(date(2025, 2, 1), date(2025, 2, 28)),
        (date(2024, 2, 1), date(2024, 2, 29))
    );
    assert_eq!(
        year(date(2024, 2, 1), date(2024, 2, 29)),
        (date(2023, 2, 1), date(2023, 2, 28))
    );
    assert_eq!(
        year(date(2025, 1, 1), date(2025, 3, 31)),
        (date(2024, 1, 1), date(2024, 3, 31))
    );
    // A single 28 February stays the 28th (not a month end of a whole month).
    assert_eq!(
        year(date(2025, 2, 28), date(2025, 2, 28)),
        (date(2024, 2, 28), date(2024, 2, 28))
    );
    // Year to date across a leap day.
    assert_eq!(
        year(date(2024, 1, 1), date(2024, 3, 16)),
        (date(2023, 1, 1), date(2023, 3, 16))
    );
    // Weekday matching keeps the length even over 29 February.
    let s = utc(date(2024, 2, 20), date(2024, 3, 5));
    let w = s.weeks_before_year();
    assert_eq!(ends(&w), (date(2023, 2, 21), date(2023, 3, 7)));
    assert_eq!(w.from.weekday(), s.from.weekday());
    assert_eq!(w.days(), s.days());
    // Limits saturate instead of panicking.
    let _ = utc(Date::MIN, Date::MIN).year_before();
    let _ = utc(Date::MIN, Date::MIN).weeks_before_year();
}

#[test]
fn plan_fetches_both_spans_each_month_once_and_none_fetches_only_the_span() {
    let span = utc(date(2026, 3, 1), date(2026, 3, 16));
    // Previous period: adjacent, so one range.
    let plan = FetchPlan::for_comparison(&span, span.previous().as_some());
    assert_eq!(
        months(plan.chunks()),
        [("2026-02-13", "2026-02-28"), ("2026-03-01", "2026-03-16")].map(own)
    );
    // Last year: two separate pieces, nothing in between.
    let plan = FetchPlan::for_comparison(&span, Some(&span.year_before()));
    assert_eq!(
        months(plan.chunks()),
        [("2025-03-01", "2025-03-16"), ("2026-03-01", "2026-03-16")].map(own)
    );
    // None: the span alone.
    let plan = FetchPlan::for_comparison(&span, None);
    assert_eq!(
        months(plan.chunks()),
        [("2026-03-01", "2026-03-16")].map(own)
    );
    assert_eq!(
        months(FetchPlan::for_span(&span).chunks()),
        months(plan.chunks())
    );

    // A zone off UTC adds the day it needs on each piece.
    let ny = LocalSpan::new(date(2026, 3, 1), date(2026, 3, 16), tz("America/New_York"));
    let plan = FetchPlan::for_comparison(&ny, Some(&ny.weeks_before_year()));
    assert_eq!(
        months(plan.chunks()),
        [("2025-03-02", "2025-03-18"), ("2026-03-01", "2026-03-17"),].map(own)
    );

    // Over a year against last year: the pieces overlap and are fetched once.
    let long = utc(date(2024, 7, 1), date(2026, 3, 16));
    let plan = FetchPlan::for_comparison(&long, Some(&long.year_before()));
    let got = months(plan.chunks());
    assert_eq!(got.first().unwrap().0, "2023-07-01");
    assert_eq!(got.last().unwrap().1, "2026-03-16");
    assert_eq!(got.len(), 33); // July 2023 to March 2026, each month once
    let mut seen: Vec<&str> = got.iter().map(|(f, _)| &f[..7]).collect();
    seen.dedup();
    assert_eq!(seen.len(), got.len());
}

#[test]
fn pieces_in_one_month_are_one_request() {
    // Not produced by the choices above, but the plan never asks for a month twice.
    let a = utc(date(2026, 3, 20), date(2026, 3, 31));
    let b = utc(date(2026, 3, 1), date(2026, 3, 5));
    let plan = FetchPlan::for_comparison(&a, Some(&b));
    assert_eq!(
        months(plan.chunks()),
        [("2026-03-01", "2026-03-31")].map(own)
    );
    // The order of the two does not matter.
    let plan = FetchPlan::for_comparison(&b, Some(&a));
    assert_eq!(
        months(plan.chunks()),
        [("2026-03-01", "2026-03-31")].map(own)
    );
}

#[test]
fn split_puts_overlapping_purchases_in_both_and_drops_the_gap() {
    let span = utc(date(2025, 1, 1), date(2026, 1, 31));
    let year = span.year_before(); // 2024-01-01 ..= 2025-01-31: overlaps January 2025
    let mut plan = FetchPlan::for_comparison(&span, Some(&year));
    let n = plan.chunks().len();
    while plan.start_next(n).is_some() {}
    let at = |d: Date, title: &str| Purchase {
        purchase_time: Zone::utc().start_of_day(d) + 3_600_000,
        title: title.into(),
        ..Purchase::default()
    };
    for i in 0..n {
        let from = plan.chunks()[i].from;
        let purchases = if from == date(2025, 1, 1) {
            vec![at(date(2025, 1, 15), "both")]
        } else if from == date(2024, 6, 1) {
            vec![at(date(2024, 6, 2), "last year")]
        } else if from == date(2026, 1, 1) {
            vec![at(date(2026, 1, 2), "this year")]
        } else {
            Vec::new()
        };
        assert!(plan.mark_done(
            i,
            Decoded {
                purchases,
                ..Decoded::default()
            }
        ));
    }
    let SplitPurchases { current, previous } = plan.into_split(&span, Some(&year));
    let titles = |l: &[Purchase]| l.iter().map(|p| p.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&current), ["both", "this year"]);
    assert_eq!(titles(&previous), ["last year", "both"]);

    // Without a comparison only the span's purchases are kept.
    let s = utc(date(2026, 3, 1), date(2026, 3, 2));
    let mut plan = FetchPlan::for_comparison(&s, None);
    plan.start_next(1);
    plan.mark_done(
        0,
        Decoded {
            purchases: vec![at(date(2026, 3, 1), "in")],
            ..Decoded::default()
        },
    );
    let split = plan.into_split(&s, None);
    assert_eq!(titles(&split.current), ["in"]);
    assert!(split.previous.is_empty());
}

fn own((a, b): (&str, &str)) -> (String, String) {
    (a.to_string(), b.to_string())
}

trait AsSome {
    fn as_some(&self) -> Option<&Self>;
}

impl AsSome for LocalSpan {
    fn as_some(&self) -> Option<&Self> {
        Some(self)
    }
}

#[test]
fn labels_read_in_a_sentence_and_as_a_title() {
    for c in Comparison::ALL {
        let (label, title) = (c.label(), c.title());
        assert_eq!(label.to_ascii_lowercase(), title.to_ascii_lowercase());
        assert!(title.starts_with(|ch: char| ch.is_ascii_uppercase()));
    }
    assert_eq!(Comparison::PreviousYear.label(), "same period last year");
}

#[test]
fn comparison_text_names_the_choice_and_its_dates() {
    let span = utc(date(2026, 3, 10), date(2026, 3, 16));
    assert_eq!(
        span.comparison_text(Comparison::PreviousYear),
        "compared with the same period last year (2025-03-10 to 2025-03-16)"
    );
    assert_eq!(
        span.comparison_text(Comparison::PreviousYearWeekdays),
        "compared with the same weekdays last year (2025-03-11 to 2025-03-17)"
    );
    assert_eq!(
        span.comparison_text(Comparison::PreviousPeriod),
        "compared with the previous period (2026-03-03 to 2026-03-09)"
    );
    assert_eq!(span.comparison_text(Comparison::None), "no comparison");
}
