//! Calendar-day arithmetic on plain day numbers.
//!
//! Day arithmetic is done on day numbers rather than with `jiff::Span` or jiff's parser
//! and printer: those pull tens of KB of code and error text into the wasm, far more
//! than these few lines. jiff still holds the dates and does every time-zone conversion.

use jiff::civil::Date;

use crate::Millis;

/// Date plus a signed number of days, saturating at jiff's limits instead of panicking.
///
/// Day arithmetic is done on plain day numbers rather than with `jiff::Span`: the span
/// machinery adds about 50 KB (gzip) to the wasm, far more than these few lines.
pub fn add_days(date: Date, days: i64) -> Date {
    let (min, max) = (day_number(Date::MIN), day_number(Date::MAX));
    from_day_number(day_number(date).saturating_add(days).clamp(min, max))
}

/// The first day of the month `months` months after (or before, when negative) the
/// month of `date`, saturating at jiff's limits.
pub fn add_months(date: Date, months: i64) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(date.month()) - 1;
    let index = index.saturating_add(months);
    let year = index.div_euclid(12);
    match i16::try_from(year) {
        Ok(y) => Date::new(y, (index.rem_euclid(12) + 1) as i8, 1).unwrap_or(if y < 0 {
            Date::MIN
        } else {
            Date::MAX.first_of_month()
        }),
        Err(_) if year < 0 => Date::MIN,
        Err(_) => Date::MAX.first_of_month(),
    }
}

/// The same day of the month a year earlier; 29 February becomes the 28th. Saturates at
/// jiff's earliest date.
pub fn year_earlier(date: Date) -> Date {
    let first = add_months(date, -12);
    if first == Date::MIN && date.year() <= Date::MIN.year() {
        return Date::MIN;
    }
    Date::new(
        first.year(),
        first.month(),
        date.day().min(first.days_in_month()),
    )
    .unwrap_or(first)
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`).
pub fn day_number(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month()), i64::from(date.day()));
    let y = i64::from(date.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Inverse of [`day_number`] (`civil_from_days`); clamps outside jiff's date range.
pub fn from_day_number(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    match i16::try_from(y) {
        Ok(y) => {
            Date::new(y, m as i8, d as i8).unwrap_or(if y < 0 { Date::MIN } else { Date::MAX })
        }
        Err(_) if y < 0 => Date::MIN,
        Err(_) => Date::MAX,
    }
}

/// The UTC calendar date of an instant.
pub fn utc_date(ms: Millis) -> Date {
    from_day_number(ms.div_euclid(86_400_000))
}

/// `YYYY-MM-DD`, as the API and file names want it (without pulling in jiff's printer).
pub fn ymd(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `YYYY-MM-DD<sep>HH:MM:SS` of an instant in UTC (seconds truncated, no zone suffix).
pub fn utc_date_time(ms: Millis, sep: char) -> String {
    let secs = ms.rem_euclid(86_400_000) / 1000;
    format!(
        "{}{sep}{:02}:{:02}:{:02}",
        ymd(utc_date(ms)),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses `YYYY-MM-DD` exactly (four-digit year), as `<input type="date">` yields it.
pub fn parse_ymd(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y as i16, m as i8, d as i8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number(jiff::civil::date(1970, 1, 1)), 0);
        assert_eq!(day_number(jiff::civil::date(2000, 3, 1)), 11_017);
        for n in (day_number(Date::MIN)..=day_number(Date::MAX)).step_by(997) {
            assert_eq!(day_number(from_day_number(n)), n);
        }
        let mut d = jiff::civil::date(1999, 12, 25);
        for n in day_number(d)..day_number(d) + 3000 {
            assert_eq!(day_number(d), n);
            assert_eq!(d.tomorrow().unwrap(), add_days(d, 1));
            d = d.tomorrow().unwrap();
        }
        assert_eq!(add_days(Date::MAX, 1), Date::MAX);
        assert_eq!(add_days(Date::MIN, -1), Date::MIN);
        assert_eq!(add_days(Date::MIN, i64::MAX), Date::MAX);
        assert_eq!(ymd(jiff::civil::date(987, 6, 5)), "0987-06-05");
    }

    #[test]
    fn months_and_years_back() {
        use jiff::civil::date;
        assert_eq!(add_months(date(2026, 3, 16), -11), date(2025, 4, 1));
        assert_eq!(add_months(date(2026, 1, 31), -1), date(2025, 12, 1));
        assert_eq!(add_months(date(2026, 12, 5), 1), date(2027, 1, 1));
        assert_eq!(add_months(date(2026, 3, 1), 0), date(2026, 3, 1));
        assert_eq!(add_months(Date::MIN, -1), Date::MIN);
        assert_eq!(add_months(Date::MAX, 1), Date::MAX.first_of_month());
        assert_eq!(add_months(date(2026, 3, 1), i64::MIN), Date::MIN);
        assert_eq!(year_earlier(date(2024, 2, 29)), date(2023, 2, 28));
        assert_eq!(year_earlier(date(2025, 2, 28)), date(2024, 2, 28));
        assert_eq!(year_earlier(date(2026, 3, 16)), date(2025, 3, 16));
        assert_eq!(year_earlier(Date::MIN), Date::MIN);
    }

    #[test]
    fn utc_date_times() {
        assert_eq!(utc_date_time(0, 'T'), "1970-01-01T00:00:00");
        assert_eq!(utc_date_time(-1, ' '), "1969-12-31 23:59:59");
        assert_eq!(utc_date_time(1_767_261_600_123, 'T'), "2026-01-01T10:00:00");
    }

    #[test]
    fn parses_only_iso_dates() {
        assert_eq!(
            parse_ymd("2024-02-29"),
            Some(jiff::civil::date(2024, 2, 29))
        );
        assert_eq!(parse_ymd("0987-06-05"), Some(jiff::civil::date(987, 6, 5)));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "",
            "2024-01-01T",
            "２０２４-01-01",
            "-024-01-01",
        ] {
            assert_eq!(parse_ymd(bad), None, "{bad}");
        }
    }
}
