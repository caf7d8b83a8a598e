//! Time zones as offset tables: the UTC offset in force before the first transition, then
//! each transition's instant and new offset, sorted.
//!
//! Why not `jiff::tz::TimeZone` here: reading TZif files and evaluating POSIX rules costs
//! about 30 KB of gzipped wasm, and the app needs one zone for a few decades. So the
//! tables are made at build time from the IANA database (`Zone::from_jiff`, run by the
//! `merchant-console-postbuild` tool into `dist/tz/`), the app fetches its viewer's
//! zone's table, and everything here is a binary search. The tests check every answer
//! against jiff.

use jiff::civil::Date;

use crate::civil::{day_number, from_day_number};
use crate::Millis;

const DAY_MS: Millis = 86_400_000;
/// The widest UTC offset in use is 14 h; 26 h covers any transition near a local day.
const WINDOW_MS: Millis = 26 * 3_600_000;

/// First and last year the build-time tables cover (transitions outside are left out:
/// the last offset simply continues).
pub const TABLE_YEARS: (i16, i16) = (1970, 2100);

/// A named zone: offsets in seconds east of UTC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    name: String,
    /// Offset before the first transition.
    initial: i32,
    /// `(instant, offset from then on)`, sorted by instant.
    transitions: Vec<(Millis, i32)>,
}

impl Zone {
    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self::fixed("UTC", 0)
    }

    /// A zone that never changes its offset.
    pub fn fixed(name: &str, offset_secs: i32) -> Self {
        Self {
            name: name.to_string(),
            initial: offset_secs,
            transitions: Vec::new(),
        }
    }

    /// The IANA name (`Europe/Berlin`), or `UTC`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Offset from UTC at `t`, in seconds.
    pub fn offset_secs(&self, t: Millis) -> i32 {
        match self.transitions.partition_point(|&(at, _)| at <= t) {
            0 => self.initial,
            i => self.transitions[i - 1].1,
        }
    }

    /// The local wall-clock time of `t` as milliseconds since local 1970-01-01 00:00.
    fn local_ms(&self, t: Millis) -> Millis {
        t.saturating_add(Millis::from(self.offset_secs(t)) * 1000)
    }

    /// The local calendar date of `t`.
    pub fn date_at(&self, t: Millis) -> Date {
        from_day_number(self.local_ms(t).div_euclid(DAY_MS))
    }

    /// The local date and the milliseconds since that date's midnight (wall clock).
    pub fn local_at(&self, t: Millis) -> (Date, Millis) {
        let local = self.local_ms(t);
        (
            from_day_number(local.div_euclid(DAY_MS)),
            local.rem_euclid(DAY_MS),
        )
    }

    /// The first instant of the local day `date`: its midnight, or where midnight falls in
    /// a gap (a zone that springs forward at 00:00), the end of the gap. Where midnight
    /// happens twice, the earlier one.
    pub fn start_of_day(&self, date: Date) -> Millis {
        let midnight = day_number(date) * DAY_MS;
        let near = self.offsets_near(midnight);
        // Instants whose wall clock reads exactly midnight.
        let exact = near
            .iter()
            .map(|&o| midnight - Millis::from(o) * 1000)
            .filter(|&t| self.local_ms(t) == midnight)
            .min();
        if let Some(t) = exact {
            return t;
        }
        // Midnight was skipped: the day starts at the transition that jumps over it.
        let (from, to) = self.window(midnight);
        let mut before = self.offset_secs(self.transitions.get(from).map_or(0, |t| t.0) - 1);
        for &(at, after) in &self.transitions[from..to] {
            if at + Millis::from(before) * 1000 <= midnight
                && midnight < at + Millis::from(after) * 1000
            {
                return at;
            }
            before = after;
        }
        midnight - Millis::from(self.offset_secs(midnight)) * 1000
    }

    /// Index range of the transitions within [`WINDOW_MS`] of the instant `t` read as UTC.
    fn window(&self, t: Millis) -> (usize, usize) {
        let from = self
            .transitions
            .partition_point(|&(at, _)| at < t - WINDOW_MS);
        let to = self
            .transitions
            .partition_point(|&(at, _)| at <= t + WINDOW_MS);
        (from, to)
    }

    /// Every offset in force within [`WINDOW_MS`] of `t`.
    fn offsets_near(&self, t: Millis) -> Vec<i32> {
        let (from, to) = self.window(t);
        let mut offsets = vec![self.offset_secs(t - WINDOW_MS)];
        offsets.extend(self.transitions[from..to].iter().map(|&(_, o)| o));
        offsets
    }

    /// The table as text: `MCZ1 <initial offset>`, then one line per transition,
    /// `<seconds since the previous transition (or the epoch)> <offset>`. All in seconds.
    pub fn to_table(&self) -> String {
        let mut out = format!("MCZ1 {}\n", self.initial);
        let mut prev = 0;
        for &(at, offset) in &self.transitions {
            let secs = at.div_euclid(1000);
            out.push_str(&format!("{} {offset}\n", secs - prev));
            prev = secs;
        }
        out
    }

    /// Reads [`to_table`](Self::to_table)'s text; `None` unless it is well formed
    /// (offsets within ±26 h, instants in order).
    pub fn from_table(name: &str, text: &str) -> Option<Self> {
        let mut lines = text.lines();
        let initial = offset(lines.next()?.strip_prefix("MCZ1 ")?)?;
        let mut transitions = Vec::new();
        let mut at: Millis = 0;
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let (delta, off) = line.split_once(' ')?;
            let delta: Millis = delta.parse().ok()?;
            if !transitions.is_empty() && delta <= 0 {
                return None;
            }
            at = at.checked_add(delta)?;
            transitions.push((at.checked_mul(1000)?, offset(off)?));
        }
        Some(Self {
            name: name.to_string(),
            initial,
            transitions,
        })
    }

    /// The zone's transitions in [`TABLE_YEARS`], from jiff's rules (build tool, tests).
    pub fn from_jiff(name: &str, tz: &jiff::tz::TimeZone) -> Self {
        let start = jiff::civil::date(TABLE_YEARS.0, 1, 1)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let end = jiff::civil::date(TABLE_YEARS.1 + 1, 1, 1)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(jiff::Timestamp::MAX);
        let initial = tz.to_offset(start).seconds();
        let mut transitions = Vec::new();
        let mut current = initial;
        for t in tz.following(start) {
            if t.timestamp() >= end {
                break;
            }
            let offset = t.offset().seconds();
            // Changes of abbreviation or DST flag alone do not move the clock.
            if offset != current {
                transitions.push((t.timestamp().as_millisecond(), offset));
                current = offset;
            }
        }
        Self {
            name: name.to_string(),
            initial,
            transitions,
        }
    }
}

fn offset(text: &str) -> Option<i32> {
    text.trim()
        .parse()
        .ok()
        .filter(|o: &i32| o.unsigned_abs() <= 26 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin_like() -> Zone {
        // +1 h, and +2 h from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
        Zone {
            name: "Test/Berlin".into(),
            initial: 3600,
            transitions: vec![(1_774_746_000_000, 7200), (1_792_890_000_000, 3600)],
        }
    }

    #[test]
    fn offsets_and_local_dates() {
        let z = berlin_like();
        assert_eq!(z.offset_secs(1_774_746_000_000 - 1), 3600);
        assert_eq!(z.offset_secs(1_774_746_000_000), 7200);
        assert_eq!(z.offset_secs(i64::MAX), 3600);
        // 2026-03-28 23:30 UTC is 00:30 on the 29th in Berlin.
        let t = 1_774_740_600_000;
        assert_eq!(z.date_at(t), jiff::civil::date(2026, 3, 29));
        assert_eq!(z.local_at(t).1, 30 * 60_000);
        assert_eq!(Zone::utc().date_at(t), jiff::civil::date(2026, 3, 28));
    }

    #[test]
    fn start_of_day_is_local_midnight() {
        let z = berlin_like();
        // 2026-03-29 00:00 +01:00 = 2026-03-28 23:00 UTC; the next day starts at 22:00 UTC.
        assert_eq!(
            z.start_of_day(jiff::civil::date(2026, 3, 29)),
            1_774_738_800_000
        );
        assert_eq!(
            z.start_of_day(jiff::civil::date(2026, 3, 30)) - 1_774_738_800_000,
            23 * 3_600_000
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_after_the_gap() {
        // -4 h, then -3 h from local midnight of 1970-01-11 (clocks 00:00 -> 01:00).
        let at = 10 * DAY_MS + 4 * 3_600_000;
        let z = Zone {
            name: "Test/Gap".into(),
            initial: -4 * 3600,
            transitions: vec![(at, -3 * 3600)],
        };
        let day = from_day_number(10);
        assert_eq!(z.start_of_day(day), at);
        assert_eq!(z.date_at(at), day);
        assert_eq!(z.date_at(at - 1), from_day_number(9));
    }

    #[test]
    fn a_day_whose_midnight_happens_twice_starts_at_the_first() {
        // +1 h, then 0 h at local 00:30 of day 10 (clocks 00:30 -> 23:30 of day 9).
        let at = 10 * DAY_MS - 3_600_000 + 30 * 60_000;
        let z = Zone {
            name: "Test/Fold".into(),
            initial: 3600,
            transitions: vec![(at, 0)],
        };
        assert_eq!(z.start_of_day(from_day_number(10)), 10 * DAY_MS - 3_600_000);
    }

    #[test]
    fn table_text_round_trips_and_rejects_junk() {
        let z = berlin_like();
        let text = z.to_table();
        assert_eq!(text, "MCZ1 3600\n1774746000 7200\n18144000 3600\n");
        assert_eq!(Zone::from_table("Test/Berlin", &text), Some(z));
        assert_eq!(
            Zone::from_table("UTC", "MCZ1 0\n"),
            Some(Zone::fixed("UTC", 0))
        );
        for bad in [
            "",
            "TZif2",
            "MCZ1 x\n",
            "MCZ1 3600\n10 7200\n0 3600\n",
            "MCZ1 3600\n10\n",
            "MCZ1 999999\n",
        ] {
            assert_eq!(Zone::from_table("X", bad), None, "{bad:?}");
        }
    }
}
