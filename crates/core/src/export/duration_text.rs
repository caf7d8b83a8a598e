//! Durations in words, for status lines and failure reasons (used by `policy` and
//! `status`, so that neither needs the other for it).

use crate::Millis;

/// A duration for humans, rounded **up** to whole seconds: "8 s", "1 min 5 s",
/// "2 h 13 min", "3 d 4 h". Rounding up keeps "in 0 s" from showing while time remains.
pub fn format_duration(ms: Millis) -> String {
    let secs = (ms.max(0) as u64).div_ceil(1000);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        if h > 0 {
            format!("{d} d {h} h")
        } else {
            format!("{d} d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else if m > 0 {
        if s > 0 {
            format!("{m} min {s} s")
        } else {
            format!("{m} min")
        }
    } else {
        format!("{s} s")
    }
}
