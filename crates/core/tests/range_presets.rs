//! Date-range presets and their conversion to spans: zones, DST, months, leap years.

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use merchant_console_core::range::{
    end_of_day, local_date, parse_date, start_of_day, DateRange, Preset, RangeError, TimeSpan,
    MS_PER_DAY,
};
use merchant_console_core::zone::Zone;
use merchant_console_core::Millis;

const HOUR: Millis = 3_600_000;

fn utc(y: i16, m: i8, d: i8, h: i8, mi: i8) -> Millis {
    date(y, m, d)
        .at(h, mi, 0, 0)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn tz(name: &str) -> Zone {
    Zone::from_jiff(name, &TimeZone::get(name).unwrap())
}

fn range(from: Date, to: Date) -> DateRange {
    DateRange::new(from, to).unwrap()
}

#[test]
fn last_n_days_include_today() {
    let now = utc(2026, 3, 16, 10, 0);
    let z = Zone::utc();
    assert_eq!(
        Preset::Today.resolve(now, &z).unwrap(),
        DateRange::day(date(2026, 3, 16))
    );
    assert_eq!(
        Preset::Yesterday.resolve(now, &z).unwrap(),
        DateRange::day(date(2026, 3, 15))
    );
    assert_eq!(
        Preset::Last7Days.resolve(now, &z).unwrap(),
        range(date(2026, 3, 10), date(2026, 3, 16))
    );
    assert_eq!(Preset::Last7Days.resolve(now, &z).unwrap().days(), 7);
    assert_eq!(
        Preset::Last30Days.resolve(now, &z).unwrap(),
        range(date(2026, 2, 15), date(2026, 3, 16))
    );
    assert_eq!(Preset::Last90Days.resolve(now, &z).unwrap().days(), 90);
    assert_eq!(
        Preset::Last90Days.resolve(now, &z).unwrap().from,
        date(2025, 12, 17)
    );
    assert_eq!(
        Preset::ThisMonth.resolve(now, &z).unwrap(),
        range(date(2026, 3, 1), date(2026, 3, 16))
    );
    assert_eq!(
        Preset::ThisYear.resolve(now, &z).unwrap(),
        range(date(2026, 1, 1), date(2026, 3, 16))
    );
}

#[test]
fn today_depends_on_the_zone() {
    // 23:30 UTC on the 16th is already the 17th in Berlin and still the 16th in New York.
    let now = utc(2026, 3, 16, 23, 30);
    assert_eq!(
        Preset::Today
            .resolve(now, &tz("Europe/Berlin"))
            .unwrap()
            .from,
        date(2026, 3, 17)
    );
    assert_eq!(
        Preset::Today
            .resolve(now, &tz("America/New_York"))
            .unwrap()
            .from,
        date(2026, 3, 16)
    );
    assert_eq!(local_date(now, &Zone::utc()).unwrap(), date(2026, 3, 16));
}

#[test]
fn month_boundaries_and_year_change() {
    let z = Zone::utc();
    let now = utc(2026, 1, 10, 12, 0);
    assert_eq!(
        Preset::LastMonth.resolve(now, &z).unwrap(),
        range(date(2025, 12, 1), date(2025, 12, 31))
    );
    let now = utc(2026, 3, 31, 12, 0);
    assert_eq!(
        Preset::LastMonth.resolve(now, &z).unwrap(),
        range(date(2026, 2, 1), date(2026, 2, 28))
    );
    // First of the month: "this month" is just today, "yesterday" is last month.
    let now = utc(2026, 5, 1, 0, 0);
    assert_eq!(
        Preset::ThisMonth.resolve(now, &z).unwrap(),
        DateRange::day(date(2026, 5, 1))
    );
    assert_eq!(
        Preset::Yesterday.resolve(now, &z).unwrap(),
        DateRange::day(date(2026, 4, 30))
    );
}

#[test]
fn leap_year() {
    let z = Zone::utc();
    let now = utc(2024, 3, 1, 8, 0);
    assert_eq!(
        Preset::Yesterday.resolve(now, &z).unwrap(),
        DateRange::day(date(2024, 2, 29))
    );
    assert_eq!(
        Preset::LastMonth.resolve(now, &z).unwrap(),
        range(date(2024, 2, 1), date(2024, 2, 29))
    );
    assert_eq!(
        Preset::Last30Days.resolve(now, &z).unwrap(),
        range(date(2024, 2, 1), date(2024, 3, 1))
    );
    let feb = range(date(2024, 2, 1), date(2024, 2, 29))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(feb.len_ms(), i128::from(29 * MS_PER_DAY));
    // Not a leap year.
    let feb = range(date(2026, 2, 1), date(2026, 2, 28))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(feb.len_ms(), i128::from(28 * MS_PER_DAY));
}

#[test]
fn dst_days_in_berlin() {
    let z = tz("Europe/Berlin");
    // Spring forward: 2026-03-29 has 23 hours, starting 23:00 UTC the day before.
    let s = DateRange::day(date(2026, 3, 29))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(s.start, utc(2026, 3, 28, 23, 0));
    assert_eq!(s.end, utc(2026, 3, 29, 22, 0) - 1);
    assert_eq!(s.len_ms(), i128::from(23 * HOUR));
    // Fall back: 2026-10-25 has 25 hours.
    let s = DateRange::day(date(2026, 10, 25))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(s.start, utc(2026, 10, 24, 22, 0));
    assert_eq!(s.end, utc(2026, 10, 25, 23, 0) - 1);
    assert_eq!(s.len_ms(), i128::from(25 * HOUR));
    // The whole of March 2026 is 31 days minus one hour.
    let s = range(date(2026, 3, 1), date(2026, 3, 31))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(s.len_ms(), i128::from(31 * MS_PER_DAY - HOUR));
}

#[test]
fn dst_days_in_new_york() {
    let z = tz("America/New_York");
    let s = DateRange::day(date(2026, 3, 8))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(s.start, utc(2026, 3, 8, 5, 0));
    assert_eq!(s.len_ms(), i128::from(23 * HOUR));
    let s = DateRange::day(date(2026, 11, 1))
        .to_span_unclamped(&z)
        .unwrap();
    assert_eq!(s.start, utc(2026, 11, 1, 4, 0));
    assert_eq!(s.len_ms(), i128::from(25 * HOUR));
    assert_eq!(
        end_of_day(date(2026, 11, 1), &z).unwrap() + 1,
        start_of_day(date(2026, 11, 2), &z).unwrap()
    );
}

#[test]
fn clamps_to_now_and_says_partial() {
    let z = Zone::utc();
    let now = utc(2026, 3, 16, 10, 0);
    let r = Preset::Today
        .resolve(now, &z)
        .unwrap()
        .to_span(&z, now)
        .unwrap();
    assert!(r.partial);
    assert_eq!(r.span, TimeSpan::new(utc(2026, 3, 16, 0, 0), now).unwrap());
    let r = Preset::Yesterday
        .resolve(now, &z)
        .unwrap()
        .to_span(&z, now)
        .unwrap();
    assert!(!r.partial);
    assert_eq!(r.span.end, utc(2026, 3, 16, 0, 0) - 1);
    // The last millisecond of a day is not "the future" at that very millisecond.
    let r = DateRange::day(date(2026, 3, 15))
        .to_span(&z, utc(2026, 3, 16, 0, 0) - 1)
        .unwrap();
    assert!(!r.partial);
    // Entirely in the future.
    assert_eq!(
        DateRange::day(date(2026, 3, 17)).to_span(&z, now),
        Err(RangeError::StartsInFuture)
    );
}

#[test]
fn custom_ranges_and_ids() {
    assert_eq!(
        DateRange::new(date(2026, 3, 2), date(2026, 3, 1)),
        Err(RangeError::FromAfterTo)
    );
    let r = range(
        parse_date("2026-01-01").unwrap(),
        parse_date(" 2026-03-16 ").unwrap(),
    );
    assert!(parse_date("16.03.2026").is_err());
    let now = utc(2026, 6, 1, 0, 0);
    assert_eq!(Preset::Custom(r).resolve(now, &Zone::utc()).unwrap(), r);
    for p in Preset::FIXED {
        assert_eq!(Preset::from_id(p.id(), None), Some(p));
        assert!(!p.label().is_empty());
    }
    assert_eq!(Preset::from_id("custom", Some(r)), Some(Preset::Custom(r)));
    assert_eq!(Preset::from_id("custom", None), None);
    assert_eq!(Preset::from_id("nope", None), None);
    assert_eq!(Preset::Last7Days.id(), "last-7-days");
    assert_eq!(r.to_string(), "2026-01-01 – 2026-03-16");
}
