//! The offset tables answer exactly as jiff's own zone rules do, across the years the
//! tables cover, in zones with the awkward cases: DST at midnight (Santiago, Havana,
//! Beirut), half-hour DST (Lord Howe), negative DST (Casablanca, Dublin), odd offsets
//! (Kolkata, Chatham, Kathmandu), a zone that skipped a whole day (Apia, 2011-12-30).

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use merchant_console_core::zone::{Zone, TABLE_YEARS};

const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "Australia/Lord_Howe",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "UTC",
];

fn both(name: &str) -> (TimeZone, Zone) {
    let tz = TimeZone::get(name).unwrap();
    let zone = Zone::from_jiff(name, &tz);
    // What the app loads is the table text, so test through it.
    let zone = Zone::from_table(name, &zone.to_table()).unwrap();
    (tz, zone)
}

fn ms(y: i16) -> i64 {
    date(y, 1, 1)
        .to_zoned(TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_millisecond()
}

#[test]
fn offsets_and_local_dates_match_jiff() {
    for name in ZONES {
        let (tz, zone) = both(name);
        assert_eq!(zone.name(), *name);
        let (start, end) = (ms(TABLE_YEARS.0), ms(TABLE_YEARS.1 + 1));
        // Every 9 h 7 min (every hour of the day comes round), and each transition
        // with its neighbours below.
        let mut t = start;
        let check = |t: i64| {
            let ts = Timestamp::from_millisecond(t).unwrap();
            let expected = tz.to_offset(ts).seconds();
            assert_eq!(zone.offset_secs(t), expected, "{name} at {ts}");
            let dt = tz.to_datetime(ts);
            assert_eq!(zone.date_at(t), dt.date(), "{name} at {ts}");
            let (_, in_day) = zone.local_at(t);
            let wall = i64::from(dt.hour()) * 3_600_000
                + i64::from(dt.minute()) * 60_000
                + i64::from(dt.second()) * 1000
                + i64::from(dt.millisecond());
            assert_eq!(in_day, wall, "{name} at {ts}");
        };
        while t < end {
            check(t);
            t += 9 * 3_600_000 + 7 * 60_000;
        }
        for tr in tz.following(Timestamp::from_millisecond(start).unwrap()) {
            let at = tr.timestamp().as_millisecond();
            if at >= end {
                break;
            }
            for d in [-1, 0, 1] {
                check(at + d);
            }
        }
    }
}

#[test]
fn start_of_day_matches_jiff_every_day() {
    for name in ZONES {
        let (tz, zone) = both(name);
        let mut d: Date = date(1980, 1, 1);
        while d < date(2060, 1, 1) {
            let expected = d
                .to_zoned(tz.clone())
                .unwrap()
                .start_of_day()
                .unwrap()
                .timestamp()
                .as_millisecond();
            assert_eq!(zone.start_of_day(d), expected, "{name} {d}");
            d = d.tomorrow().unwrap();
        }
    }
}

#[test]
fn tables_are_small() {
    // One zone is fetched per viewer: it should stay a few KB.
    for name in ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"] {
        let (_, zone) = both(name);
        let len = zone.to_table().len();
        assert!(len < 6_000, "{name}: {len} bytes");
    }
}
