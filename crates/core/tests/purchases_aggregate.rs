//! Aggregation with hand-computed expectations, time-zone day boundaries and a property
//! test on random data.

use std::collections::HashMap;

use jiff::civil::{date, Date};
use merchant_console_core::purchases::{
    percent_change, summarize, AggregateOptions, BucketSize, BuyerStat, Excluded, LocalSpan,
    Purchase, Summary, MAX_PRICE, MAX_SERIES,
};
use merchant_console_core::zone::Zone;
use proptest::prelude::*;

fn ms(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn tz(name: &str) -> Zone {
    Zone::from_jiff(name, &jiff::tz::TimeZone::get(name).unwrap())
}

fn buy(
    at: &str,
    price: i64,
    sales: &str,
    pay: &str,
    buyer: &str,
    article: &str,
    title: &str,
) -> Purchase {
    Purchase {
        payment_model: pay.into(),
        sales_model: sales.into(),
        price,
        title: title.into(),
        expiry: None.into(),
        item_url: format!("https://example.com/{article}/{}", title.replace(' ', "-")).into(),
        purchase_time: ms(at),
        shared_user_id: buyer.into(),
        payment_time: Some(ms(at)).into(),
        article_id: article.into(),
    }
}

const SP: &str = "Single Purchase";
const TP: &str = "Time Pass";
const NOW: &str = "Pay Now";
const LATER: &str = "Pay Later";

/// Twelve purchases on Mon 2 .. Wed 4 March 2026 (UTC), three in the previous period and
/// two outside both. See the expected values in `hand_computed_summary`.
fn sample() -> Vec<Purchase> {
    vec![
        buy("2026-03-02T09:00:00Z", 200, SP, NOW, "u1", "a1", "A1 old"),
        buy("2026-03-02T10:00:00Z", 200, SP, LATER, "u2", "a1", ""),
        buy("2026-03-02T23:59:59Z", 500, TP, NOW, "u3", "a2", "A2"),
        buy("2026-03-03T00:00:00Z", 150, SP, NOW, "u1", "a3", "A3"),
        buy("2026-03-03T12:00:00Z", 200, SP, LATER, "u1", "a1", "A1 old"),
        buy(
            "2026-03-03T13:00:00Z",
            999,
            "Subscription",
            NOW,
            "u4",
            "a4",
            "A4",
        ),
        buy("2026-03-03T14:00:00Z", 500, TP, NOW, "u2", "a2", "A2"),
        buy("2026-03-04T08:00:00Z", 200, SP, NOW, "u5", "a1", "A1 old"),
        buy("2026-03-04T09:00:00Z", 150, SP, LATER, "u3", "a3", "A3"),
        buy(
            "2026-03-04T10:00:00Z",
            100,
            "Contribution",
            NOW,
            "u6",
            "a5",
            "A5",
        ),
        buy(
            "2026-03-04T11:00:00Z",
            100,
            "Contribution",
            NOW,
            "",
            "a5",
            "A5",
        ),
        buy("2026-03-04T23:59:00Z", 200, SP, NOW, "u1", "a1", "A1 new"),
        // Previous period: Fri 27 Feb .. Sun 1 Mar.
        buy(
            "2026-03-01T23:59:59.999Z",
            300,
            SP,
            NOW,
            "u1",
            "a1",
            "A1 older",
        ),
        buy("2026-02-27T00:00:00Z", 100, SP, NOW, "u7", "a9", "A9"),
        buy("2026-02-28T12:00:00Z", 100, SP, NOW, "u1", "a1", "A1 older"),
        // Outside both periods: ignored.
        buy("2026-02-26T23:59:59Z", 1000, SP, NOW, "u8", "a8", "A8"),
        buy("2026-03-05T00:00:00Z", 1000, SP, NOW, "u8", "a8", "A8"),
    ]
}

fn utc_span() -> LocalSpan {
    LocalSpan::new(date(2026, 3, 2), date(2026, 3, 4), Zone::utc())
}

fn opts(span: &LocalSpan, now: &str, top_n: usize) -> AggregateOptions {
    AggregateOptions {
        top_n,
        ..AggregateOptions::new(span, ms(now), "EUR")
    }
}

/// (key, revenue per bucket, count per bucket, total revenue, total count)
type SeriesRow = (String, Vec<i128>, Vec<u64>, i128, u64);

fn series(s: &Summary, by_sales: bool) -> Vec<SeriesRow> {
    let list = if by_sales {
        &s.by_sales_model
    } else {
        &s.by_payment_model
    };
    list.iter()
        .map(|x| {
            (
                x.key.clone(),
                x.revenue.clone(),
                x.count.clone(),
                x.total_revenue,
                x.total_count,
            )
        })
        .collect()
}

#[test]
fn hand_computed_summary() {
    let span = utc_span();
    let s = summarize(&sample(), &span, &opts(&span, "2026-03-04T12:00:00Z", 3));
    assert_eq!(s.currency, "EUR");
    assert_eq!(s.bucket_size, BucketSize::Day);

    let b: Vec<_> = s
        .buckets
        .iter()
        .map(|b| (b.label, b.revenue, b.count, b.partial))
        .collect();
    assert_eq!(
        b,
        [
            (date(2026, 3, 2), 900, 3, false),
            (date(2026, 3, 3), 1849, 4, false),
            (date(2026, 3, 4), 750, 5, true),
        ]
    );
    assert_eq!(s.buckets[0].start, ms("2026-03-02T00:00:00Z"));
    assert_eq!(s.buckets[2].end, ms("2026-03-05T00:00:00Z"));

    let t = s.totals;
    assert_eq!(
        (t.revenue, t.purchases, t.unique_buyers, t.repeat_buyers),
        (3499, 12, 6, 3)
    );
    assert_eq!(t.average_price, 292); // 3499 / 12 = 291.58
    assert!((t.average_price_f64() - 291.583_333).abs() < 1e-5);

    let v = |k: &str, r: [i128; 3], c: [u64; 3], tr: i128, tc: u64| {
        (k.to_string(), r.to_vec(), c.to_vec(), tr, tc)
    };
    assert_eq!(
        series(&s, true),
        [
            v(SP, [400, 350, 550], [2, 2, 3], 1300, 7),
            v(TP, [500, 500, 0], [1, 1, 0], 1000, 2),
            v("Subscription", [0, 999, 0], [0, 1, 0], 999, 1),
            v("Contribution", [0, 0, 200], [0, 0, 2], 200, 2),
        ]
    );
    assert_eq!(
        series(&s, false),
        [
            v(NOW, [700, 1649, 600], [2, 3, 4], 2949, 9),
            v(LATER, [200, 200, 150], [1, 1, 1], 550, 3),
        ]
    );
    let share: Vec<_> = s
        .payment_share
        .iter()
        .map(|x| (x.key.as_str(), x.revenue, x.count))
        .collect();
    assert_eq!(share, [(NOW, 2949, 9), (LATER, 550, 3)]);
    assert!((s.payment_share[0].fraction - 2949.0 / 3499.0).abs() < 1e-12);
    assert!((s.payment_share.iter().map(|x| x.fraction).sum::<f64>() - 1.0).abs() < 1e-12);

    // a1 and a2 tie on revenue (1000): more purchases first.
    let top: Vec<_> = s
        .top_by_revenue
        .iter()
        .map(|i| (i.article_id.as_str(), i.revenue, i.count))
        .collect();
    assert_eq!(top, [("a1", 1000, 5), ("a2", 1000, 2), ("a4", 999, 1)]);
    let top: Vec<_> = s
        .top_by_count
        .iter()
        .map(|i| (i.article_id.as_str(), i.count, i.revenue))
        .collect();
    assert_eq!(top, [("a1", 5, 1000), ("a2", 2, 1000), ("a3", 2, 300)]);
    // Title and URL of the most recent titled purchase.
    assert_eq!(s.top_by_revenue[0].title, "A1 new");
    assert_eq!(
        s.top_by_revenue[0].item_url,
        "https://example.com/a1/A1-new"
    );

    assert_eq!(
        s.top_repeat_buyers,
        [
            BuyerStat {
                shared_user_id: "u1".into(),
                purchases: 4,
                revenue: 750
            },
            BuyerStat {
                shared_user_id: "u2".into(),
                purchases: 2,
                revenue: 700
            },
            BuyerStat {
                shared_user_id: "u3".into(),
                purchases: 2,
                revenue: 650
            },
        ]
    );

    let p = s.previous;
    assert_eq!(
        (p.revenue, p.purchases, p.unique_buyers, p.repeat_buyers),
        (500, 3, 2, 1)
    );
    assert_eq!(p.average_price, 167); // 166.67
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
    assert!(close(s.revenue_change(), 599.8));
    assert!(close(s.purchases_change(), 300.0));
    assert!(close(s.buyers_change(), 200.0));
    assert!(close(
        s.average_price_change(),
        (292.0 - 167.0) / 167.0 * 100.0
    ));
}

#[test]
fn top_n_limits_lists() {
    let span = utc_span();
    let s = summarize(&sample(), &span, &opts(&span, "2027-01-01T00:00:00Z", 1));
    assert_eq!(s.top_by_revenue.len(), 1);
    assert_eq!(s.top_by_count.len(), 1);
    assert_eq!(s.top_repeat_buyers.len(), 1);
    assert_eq!(s.totals.repeat_buyers, 3, "the count is not cut by top_n");
    assert!(s.buckets.iter().all(|b| !b.partial));
}

#[test]
fn percent_change_rules() {
    assert_eq!(percent_change(150, 100), Some(50.0));
    assert_eq!(percent_change(50, 100), Some(-50.0));
    assert_eq!(percent_change(0, 100), Some(-100.0));
    assert_eq!(percent_change(100, 0), None);
    assert_eq!(percent_change(0, 0), None);
    assert_eq!(percent_change(-50, -100), Some(50.0));
}

#[test]
fn average_rounds_half_away_from_zero() {
    let span = utc_span();
    let o = opts(&span, "2027-01-01T00:00:00Z", 5);
    let at = |price| buy("2026-03-02T12:00:00Z", price, SP, NOW, "u", "a", "t");
    assert_eq!(
        summarize(&[at(1), at(2)], &span, &o).totals.average_price,
        2
    );
    assert_eq!(
        summarize(&[at(-1), at(-2)], &span, &o).totals.average_price,
        -2
    );
    assert_eq!(
        summarize(&[at(1), at(1), at(2)], &span, &o)
            .totals
            .average_price,
        1
    );
    assert_eq!(
        summarize(&[at(1), at(2), at(2)], &span, &o)
            .totals
            .average_price,
        2
    );
}

#[test]
fn empty_input() {
    let span = utc_span();
    let s = summarize(&[], &span, &opts(&span, "2026-03-03T00:00:00Z", 10));
    assert_eq!(s.buckets.len(), 3);
    assert!(s.buckets.iter().all(|b| b.revenue == 0 && b.count == 0));
    assert_eq!(
        s.buckets.iter().map(|b| b.partial).collect::<Vec<_>>(),
        [false, true, true]
    );
    assert!(
        s.by_sales_model.is_empty() && s.by_payment_model.is_empty() && s.payment_share.is_empty()
    );
    assert_eq!(s.totals, Default::default());
    assert_eq!(s.previous, Default::default());
    assert!(
        s.top_by_revenue.is_empty() && s.top_by_count.is_empty() && s.top_repeat_buyers.is_empty()
    );
    assert_eq!(s.revenue_change(), None);
    assert_eq!(s.totals.average_price_f64(), 0.0);
}

#[test]
fn bucket_size_auto() {
    assert_eq!(BucketSize::auto(1), BucketSize::Day);
    assert_eq!(BucketSize::auto(62), BucketSize::Day);
    assert_eq!(BucketSize::auto(63), BucketSize::Week);
    assert_eq!(BucketSize::auto(366), BucketSize::Week);
    assert_eq!(BucketSize::auto(367), BucketSize::Month);
    assert_eq!(
        BucketSize::Week.period_start(date(2026, 1, 1)),
        date(2025, 12, 29)
    );
    assert_eq!(
        BucketSize::Month.period_start(date(2024, 2, 29)),
        date(2024, 2, 1)
    );
}

fn day_buckets(span: &LocalSpan, purchases: &[Purchase]) -> Vec<(Date, i64, i128, u64)> {
    let s = summarize(purchases, span, &opts(span, "2030-01-01T00:00:00Z", 5));
    s.buckets
        .iter()
        .map(|b| (b.label, b.end - b.start, b.revenue, b.count))
        .collect()
}

const H: i64 = 3_600_000;

#[test]
fn late_utc_evening_is_next_day_in_berlin() {
    let p = [buy("2026-03-02T23:30:00Z", 100, SP, NOW, "u", "a", "t")];
    let (from, to) = (date(2026, 3, 2), date(2026, 3, 3));
    assert_eq!(
        day_buckets(&LocalSpan::new(from, to, Zone::utc()), &p),
        [(from, 24 * H, 100, 1), (to, 24 * H, 0, 0)]
    );
    assert_eq!(
        day_buckets(&LocalSpan::new(from, to, tz("Europe/Berlin")), &p),
        [(from, 24 * H, 0, 0), (to, 24 * H, 100, 1)]
    );
}

#[test]
fn dst_days_in_berlin() {
    let berlin = tz("Europe/Berlin");
    // Spring forward on Sun 29 March 2026: a 23-hour day, 00:00 CET = 23:00Z.
    let span = LocalSpan::new(date(2026, 3, 28), date(2026, 3, 30), berlin.clone());
    let p = [
        buy("2026-03-28T23:00:00Z", 1, SP, NOW, "u", "a", "t"), // 29th 00:00 CET
        buy("2026-03-29T21:59:59Z", 2, SP, NOW, "u", "a", "t"), // 29th 23:59:59 CEST
        buy("2026-03-29T22:00:00Z", 4, SP, NOW, "u", "a", "t"), // 30th 00:00 CEST
    ];
    assert_eq!(
        day_buckets(&span, &p),
        [
            (date(2026, 3, 28), 24 * H, 0, 0),
            (date(2026, 3, 29), 23 * H, 3, 2),
            (date(2026, 3, 30), 24 * H, 4, 1),
        ]
    );
    // Fall back on Sun 25 October 2026: a 25-hour day.
    let span = LocalSpan::new(date(2026, 10, 25), date(2026, 10, 25), berlin);
    let p = [
        buy("2026-10-24T21:59:59Z", 1, SP, NOW, "u", "a", "t"), // 24th 23:59:59 CEST
        buy("2026-10-24T22:00:00Z", 2, SP, NOW, "u", "a", "t"), // 25th 00:00 CEST
        buy("2026-10-25T22:59:59Z", 4, SP, NOW, "u", "a", "t"), // 25th 23:59:59 CET
        buy("2026-10-25T23:00:00Z", 8, SP, NOW, "u", "a", "t"), // 26th
    ];
    assert_eq!(day_buckets(&span, &p), [(date(2026, 10, 25), 25 * H, 6, 2)]);
    assert_eq!(span.start_ms(), ms("2026-10-24T22:00:00Z"));
}

#[test]
fn dst_days_in_new_york() {
    let ny = tz("America/New_York");
    // Spring forward on Sun 8 March 2026.
    let span = LocalSpan::new(date(2026, 3, 8), date(2026, 3, 9), ny.clone());
    let p = [
        buy("2026-03-08T04:59:59Z", 1, SP, NOW, "u", "a", "t"), // 7th 23:59:59 EST: outside
        buy("2026-03-08T05:00:00Z", 2, SP, NOW, "u", "a", "t"), // 8th 00:00 EST
        buy("2026-03-09T03:59:59Z", 4, SP, NOW, "u", "a", "t"), // 8th 23:59:59 EDT
        buy("2026-03-09T04:00:00Z", 8, SP, NOW, "u", "a", "t"), // 9th 00:00 EDT
    ];
    assert_eq!(
        day_buckets(&span, &p),
        [
            (date(2026, 3, 8), 23 * H, 6, 2),
            (date(2026, 3, 9), 24 * H, 8, 1)
        ]
    );
    // Fall back on Sun 1 November 2026.
    let span = LocalSpan::new(date(2026, 11, 1), date(2026, 11, 1), ny);
    assert_eq!(day_buckets(&span, &[]), [(date(2026, 11, 1), 25 * H, 0, 0)]);
    assert_eq!(span.end_ms(), ms("2026-11-02T05:00:00Z"));
}

#[test]
fn week_buckets_start_monday_and_flag_cut_weeks() {
    // Wed 4 .. Fri 20 March 2026.
    let span = LocalSpan::new(date(2026, 3, 4), date(2026, 3, 20), tz("Europe/Berlin"));
    let o = AggregateOptions {
        bucket: BucketSize::Week,
        ..opts(&span, "2026-06-01T00:00:00Z", 5)
    };
    let p = [
        buy("2026-03-08T22:59:59Z", 1, SP, NOW, "u", "a", "t"), // Sun 8th 23:59:59 local
        buy("2026-03-08T23:00:00Z", 2, SP, NOW, "u", "a", "t"), // Mon 9th 00:00 local
        buy("2026-03-20T22:59:59Z", 4, SP, NOW, "u", "a", "t"), // Fri 20th, last instant
    ];
    let s = summarize(&p, &span, &o);
    let b: Vec<_> = s
        .buckets
        .iter()
        .map(|b| (b.label, b.revenue, b.partial))
        .collect();
    assert_eq!(
        b,
        [
            (date(2026, 3, 2), 1, true),
            (date(2026, 3, 9), 2, false),
            (date(2026, 3, 16), 4, true)
        ]
    );
    assert_eq!(
        s.buckets[0].start,
        ms("2026-03-03T23:00:00Z"),
        "cut to the span start"
    );
    assert_eq!(s.buckets[1].start, ms("2026-03-08T23:00:00Z"));
    assert_eq!(
        s.buckets[2].end,
        ms("2026-03-20T23:00:00Z"),
        "cut to the span end"
    );

    // An ISO week across the new year is one bucket.
    let span = LocalSpan::new(date(2025, 12, 29), date(2026, 1, 4), Zone::utc());
    let s = summarize(&[], &span, &o);
    assert_eq!(s.buckets.len(), 1);
    assert_eq!(
        (s.buckets[0].label, s.buckets[0].partial),
        (date(2025, 12, 29), false)
    );
}

#[test]
fn month_buckets() {
    let ny = tz("America/New_York");
    let span = LocalSpan::new(date(2024, 1, 15), date(2024, 3, 31), ny);
    let o = AggregateOptions {
        bucket: BucketSize::Month,
        ..opts(&span, "2024-03-20T00:00:00Z", 5)
    };
    let p = [
        buy("2024-03-01T04:59:59Z", 1, SP, NOW, "u", "a", "t"), // 29 Feb 23:59:59 EST
        buy("2024-03-01T05:00:00Z", 2, SP, NOW, "u", "a", "t"), // 1 Mar 00:00 EST
        buy("2024-04-01T03:59:59Z", 4, SP, NOW, "u", "a", "t"), // 31 Mar 23:59:59 EDT
        buy("2024-04-01T04:00:00Z", 8, SP, NOW, "u", "a", "t"), // April: outside
    ];
    let s = summarize(&p, &span, &o);
    let b: Vec<_> = s
        .buckets
        .iter()
        .map(|b| (b.label, b.revenue, b.partial))
        .collect();
    assert_eq!(
        b,
        [
            (date(2024, 1, 1), 0, true),
            (date(2024, 2, 1), 1, false),
            (date(2024, 3, 1), 6, true)
        ]
    );
    assert_eq!(
        s.buckets[1].end - s.buckets[1].start,
        29 * 24 * H,
        "leap February"
    );
}

#[test]
fn partial_flags_follow_now() {
    let span = utc_span();
    let flags = |now: &str| {
        summarize(&[], &span, &opts(&span, now, 1))
            .buckets
            .iter()
            .map(|b| b.partial)
            .collect::<Vec<_>>()
    };
    assert_eq!(flags("2026-03-01T00:00:00Z"), [true, true, true]);
    assert_eq!(flags("2026-03-02T23:59:59.999Z"), [true, true, true]);
    assert_eq!(flags("2026-03-03T00:00:00Z"), [false, true, true]);
    assert_eq!(flags("2026-03-04T15:00:00Z"), [false, false, true]);
    assert_eq!(flags("2026-03-05T00:00:00Z"), [false, false, false]);
}

#[test]
fn previous_period_has_equal_length() {
    let span = LocalSpan::new(date(2026, 3, 1), date(2026, 3, 31), tz("Europe/Berlin"));
    let prev = span.previous();
    assert_eq!(
        (prev.from, prev.to, prev.days()),
        (date(2026, 1, 29), date(2026, 2, 28), 31)
    );
    assert_eq!(span.with_previous().from, date(2026, 1, 29));
    // Reversed input is normalised.
    assert_eq!(
        LocalSpan::new(date(2026, 3, 31), date(2026, 3, 1), Zone::utc()).days(),
        31
    );
}

const ZONES: [&str; 6] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
];

fn size_of(i: u8) -> BucketSize {
    [BucketSize::Day, BucketSize::Week, BucketSize::Month][i as usize % 3]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bucket_sums_equal_totals(
        zone in 0..ZONES.len(),
        start_day in 0i64..1100,
        len in 1i64..420,
        size in 0u8..3,
        items in prop::collection::vec((0i64..500 * 86_400_000, -5_000i64..50_000, 0u8..4, 0u8..3), 0..200),
    ) {
        // The reference reading of local dates is jiff's own, not our offset table.
        let reference = jiff::tz::TimeZone::get(ZONES[zone]).unwrap();
        let zone = tz(ZONES[zone]);
        let from = date(2024, 1, 1).checked_add(jiff::Span::new().days(start_day)).unwrap();
        let to = from.checked_add(jiff::Span::new().days(len - 1)).unwrap();
        let span = LocalSpan::new(from, to, zone.clone());
        let base = span.start_ms() - 40 * 86_400_000;
        let purchases: Vec<Purchase> = items
            .iter()
            .map(|&(off, price, sales, pay)| Purchase {
                purchase_time: base + off,
                price,
                sales_model: format!("S{sales}").into(),
                payment_model: format!("P{pay}").into(),
                shared_user_id: format!("u{}", off % 7).into(),
                article_id: format!("a{}", price % 5).into(),
                ..Purchase::default()
            })
            .collect();
        let size = size_of(size);
        let o = AggregateOptions { bucket: size, now: 0, top_n: 3, currency: "EUR".into() };
        let s = summarize(&purchases, &span, &o);

        // Buckets tile the span exactly.
        prop_assert_eq!(s.buckets[0].start, span.start_ms());
        prop_assert_eq!(s.buckets.last().unwrap().end, span.end_ms());
        for w in s.buckets.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
            prop_assert!(w[0].label < w[1].label);
        }

        let inside: Vec<&Purchase> = purchases.iter().filter(|p| span.contains(p.purchase_time)).collect();
        let total: i128 = inside.iter().map(|p| i128::from(p.price)).sum();
        prop_assert_eq!(s.totals.revenue, total);
        prop_assert_eq!(s.totals.purchases, inside.len() as u64);
        prop_assert_eq!(s.buckets.iter().map(|b| b.revenue).sum::<i128>(), total);
        prop_assert_eq!(s.buckets.iter().map(|b| b.count).sum::<u64>(), inside.len() as u64);
        for list in [&s.by_sales_model, &s.by_payment_model] {
            prop_assert_eq!(list.iter().map(|x| x.total_revenue).sum::<i128>(), total);
            for (i, b) in s.buckets.iter().enumerate() {
                prop_assert_eq!(list.iter().map(|x| x.revenue[i]).sum::<i128>(), b.revenue);
            }
        }

        // Each purchase lands in the bucket of its own local date (one conversion each,
        // done here the slow way).
        let mut expected: HashMap<Date, i128> = HashMap::new();
        for p in &inside {
            let local = jiff::Timestamp::from_millisecond(p.purchase_time).unwrap().to_zoned(reference.clone()).date();
            *expected.entry(size.period_start(local)).or_default() += i128::from(p.price);
        }
        for b in &s.buckets {
            prop_assert_eq!(b.revenue, expected.get(&b.label).copied().unwrap_or(0), "bucket {}", b.label);
        }

        let prev = span.previous();
        let prev_total: i128 = purchases.iter().filter(|p| prev.contains(p.purchase_time)).map(|p| i128::from(p.price)).sum();
        prop_assert_eq!(s.previous.revenue, prev_total);
    }
}

#[test]
fn prices_beyond_the_bound_are_left_out_and_counted() {
    let span = LocalSpan::new(date(2026, 3, 2), date(2026, 3, 4), Zone::utc());
    let mut list = vec![
        buy(
            "2026-03-02T09:00:00Z",
            MAX_PRICE,
            SP,
            NOW,
            "u1",
            "a1",
            "max",
        ),
        buy(
            "2026-03-02T10:00:00Z",
            -MAX_PRICE,
            SP,
            NOW,
            "u2",
            "a1",
            "min",
        ),
        buy("2026-03-03T10:00:00Z", 250, SP, NOW, "u2", "a2", "ok"),
    ];
    for (at, price) in [
        ("2026-03-02T11:00:00Z", 9_000_000_000_000_000_000),
        ("2026-03-03T11:00:00Z", MAX_PRICE + 1),
        ("2026-03-04T11:00:00Z", i64::MIN),
        // In the previous period (27 Feb .. 1 Mar).
        ("2026-02-28T11:00:00Z", i64::MAX),
    ] {
        list.push(buy(at, price, TP, LATER, "u9", "big", "=1+1"));
    }
    let s = summarize(&list, &span, &opts(&span, "2026-03-05T00:00:00Z", 5));
    assert_eq!(s.totals.revenue, 250);
    assert_eq!(s.totals.purchases, 3);
    assert_eq!(s.totals.unique_buyers, 2);
    assert_eq!(
        s.excluded,
        Excluded {
            price_out_of_range: 3,
            date_out_of_range: 0
        }
    );
    assert_eq!(s.previous_excluded.price_out_of_range, 1);
    assert_eq!(s.previous.purchases, 0);
    assert!(
        s.by_sales_model.iter().all(|x| x.key != TP),
        "no series of left-out records"
    );
    assert!(s.top_by_revenue.iter().all(|i| i.article_id != "big"));
    assert_eq!(s.buckets.iter().map(|b| b.count).sum::<u64>(), 3);
}

#[test]
fn dates_outside_the_supported_years_are_left_out_and_counted() {
    let span = LocalSpan::new(date(2026, 3, 2), date(2026, 3, 4), Zone::utc());
    let list = vec![
        buy("2026-03-02T09:00:00Z", 100, SP, NOW, "u1", "a1", "ok"),
        buy("9999-12-30T00:00:00Z", 100, SP, NOW, "u1", "a1", "far"),
        buy("0001-01-01T00:00:00Z", 100, SP, NOW, "u1", "a1", "early"),
        buy("1969-12-31T23:59:59Z", 100, SP, NOW, "u1", "a1", "before"),
        buy("2101-01-01T00:00:00Z", 100, SP, NOW, "u1", "a1", "after"),
        buy(
            "2100-12-31T23:59:59Z",
            100,
            SP,
            NOW,
            "u1",
            "a1",
            "last year, outside the span",
        ),
    ];
    let s = summarize(&list, &span, &opts(&span, "2026-03-05T00:00:00Z", 5));
    assert_eq!(s.totals.purchases, 1);
    assert_eq!(s.excluded.date_out_of_range, 4);
    assert_eq!(s.excluded.total(), 4);
}

#[test]
fn sums_cannot_overflow() {
    // Ten thousand purchases at the largest counted price: beyond i64, exact in i128.
    let span = LocalSpan::new(date(2026, 3, 2), date(2026, 3, 2), Zone::utc());
    let list: Vec<Purchase> = (0..10_000)
        .map(|i| {
            buy(
                "2026-03-02T09:00:00Z",
                MAX_PRICE,
                SP,
                NOW,
                &format!("u{}", i % 3),
                "a",
                "t",
            )
        })
        .collect();
    let s = summarize(&list, &span, &opts(&span, "2026-03-05T00:00:00Z", 5));
    let expected = 10_000 * i128::from(MAX_PRICE);
    assert!(expected > i128::from(i64::MAX));
    assert_eq!(s.totals.revenue, expected);
    assert_eq!(s.buckets[0].revenue, expected);
    assert_eq!(s.by_sales_model[0].total_revenue, expected);
    assert_eq!(s.top_by_revenue[0].revenue, expected);
    assert_eq!(s.totals.average_price, i128::from(MAX_PRICE));
    assert_eq!(s.payment_share[0].fraction, 1.0);
}

#[test]
fn models_beyond_the_cap_share_the_last_series() {
    let span = LocalSpan::new(date(2026, 3, 2), date(2026, 3, 2), Zone::utc());
    let list: Vec<Purchase> = (0..MAX_SERIES + 10)
        .map(|i| {
            buy(
                "2026-03-02T09:00:00Z",
                100,
                &format!("model {i:02}"),
                NOW,
                "u",
                "a",
                "t",
            )
        })
        .collect();
    let s = summarize(&list, &span, &opts(&span, "2026-03-05T00:00:00Z", 5));
    assert_eq!(s.by_sales_model.len(), MAX_SERIES);
    assert_eq!(
        s.by_sales_model.iter().map(|x| x.total_count).sum::<u64>(),
        list.len() as u64
    );
    let last = s.by_sales_model.iter().find(|x| x.models > 1).unwrap();
    assert_eq!(last.models, 11);
    assert_eq!(last.total_count, 11);
    assert_eq!(last.key, "model 23 and 10 more models");
}
