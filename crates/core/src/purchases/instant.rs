//! Reading the API's date-times, and placing them on a local calendar for display.
//!
//! The documented form is RFC 3339 with `+00:00` (`purchase_date` without fraction,
//! `payment_date` with microseconds); `Z`, other offsets and a missing offset are
//! tolerated too.

use jiff::civil::Date;

use crate::civil::{day_number, from_day_number};
use crate::zone::Zone;
use crate::Millis;

const DAY_MS: Millis = 86_400_000;

/// An instant on a local calendar: its date, milliseconds since that date's midnight, and
/// the UTC offset (seconds) the reading used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub date: Date,
    pub ms_of_day: Millis,
    pub offset_secs: i32,
}

/// Where `ms` falls in `zone`, for any instant whose calendar date exists (years -9999 to
/// 9999: every date-time [`parse_instant`] reads, including those past jiff's timestamp
/// range such as `9999-12-31T23:59:59Z`). Read in UTC instead when the zone's offset
/// would push the date off the calendar; `None` when not even UTC has a date for it.
pub fn local_time(ms: Millis, zone: &Zone) -> Option<LocalTime> {
    let days = day_number(Date::MIN)..=day_number(Date::MAX);
    let offset = zone.offset_secs(ms);
    let local = ms.checked_add(Millis::from(offset) * 1000)?;
    let (local, offset) = if days.contains(&local.div_euclid(DAY_MS)) {
        (local, offset)
    } else {
        (ms, 0)
    };
    let day = local.div_euclid(DAY_MS);
    days.contains(&day).then(|| LocalTime {
        date: from_day_number(day),
        ms_of_day: local.rem_euclid(DAY_MS),
        offset_secs: offset,
    })
}

/// Reads an API date-time as epoch ms: `YYYY-MM-DD`, then optionally `T` (or a space)
/// and `HH:MM[:SS[.fraction]]`, then optionally `Z` or an offset `+HH:MM` / `+HHMM` /
/// `+HH`; a trailing `[zone]` annotation is ignored. Without an offset the time is UTC
/// (the API's zone); a bare date is midnight UTC. Anything else gives `None`.
///
/// Hand-written on purpose: jiff's general parser costs about 35 KB of gzipped wasm,
/// while this grammar is all the API uses. Tests cross-check it against jiff.
pub fn parse_instant(text: &str) -> Option<Millis> {
    let mut c = Cursor(text.trim().as_bytes());
    let (y, mo, d) = (c.num(4)?, c.sep(b'-')?.num(2)?, c.sep(b'-')?.num(2)?);
    let date = jiff::civil::Date::new(y as i16, mo as i8, d as i8).ok()?;
    let mut secs = crate::civil::day_number(date) * 86_400;
    let mut millis = 0;
    if let Some(&(b'T' | b't' | b' ')) = c.0.first() {
        c.0 = &c.0[1..];
        let (h, mi) = (c.num(2)?, c.sep(b':')?.num(2)?);
        let s = if c.eat(b':') { c.num(2)? } else { 0 };
        if h > 23 || mi > 59 || s > 60 {
            return None;
        }
        if c.eat(b'.') || c.eat(b',') {
            let digits = c.0.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            millis = c.num(digits.min(3))? * 10_i64.pow(3 - digits.min(3) as u32);
            c.0 = &c.0[digits.saturating_sub(3)..];
        }
        secs += h * 3600 + mi * 60 + s.min(59);
        match c.0.first() {
            Some(b'Z' | b'z') => c.0 = &c.0[1..],
            Some(&sign @ (b'+' | b'-')) => {
                c.0 = &c.0[1..];
                let oh = c.num(2)?;
                let om = if c.eat(b':') || c.0.first().is_some_and(u8::is_ascii_digit) {
                    c.num(2)?
                } else {
                    0
                };
                if oh > 25 || om > 59 {
                    return None;
                }
                let offset = oh * 3600 + om * 60;
                secs -= if sign == b'+' { offset } else { -offset };
            }
            _ => {}
        }
    }
    match c.0 {
        [] => Some(secs * 1000 + millis),
        [b'[', .., b']'] => Some(secs * 1000 + millis),
        _ => None,
    }
}

/// Minimal byte cursor for [`parse_instant`].
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// Exactly `n` ASCII digits as a number.
    fn num(&mut self, n: usize) -> Option<i64> {
        let digits = self.0.get(..n)?;
        let mut v = 0;
        for &b in digits {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        self.0 = &self.0[n..];
        Some(v)
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.0.first() == Some(&b);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }

    /// Requires the byte `b` next.
    fn sep(&mut self, b: u8) -> Option<&mut Self> {
        self.eat(b).then_some(self)
    }
}
