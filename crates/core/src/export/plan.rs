//! Splitting a requested span into exports of at most 30 days.
//!
//! Clover accepts at most 30 days per export, so a longer span becomes several
//! consecutive exports ("chunks"). Chunk ends are **inclusive**, like [`TimeSpan`]:
//! chunk `i` is `[s_i, e_i]` with `e_i - s_i + 1 <= 30 days` and `s_{i+1} = e_i + 1`.
//! There is no gap and no overlap at millisecond precision, *if* the server treats
//! `endTime` as inclusive — the sandbox does and we assume Clover does. Should Clover
//! treat one end as exclusive or round to seconds, neighbouring chunks could both contain
//! an object created exactly at a boundary; [`merge`](super::merge) dedupes by `id`
//! where chunks meet as a safety net.

use crate::range::{TimeSpan, MS_PER_DAY};
use crate::Millis;

/// The longest span one export may cover, in milliseconds (30 days).
pub const MAX_EXPORT_SPAN_MS: Millis = 30 * MS_PER_DAY;

/// How many exports a span needs (what the form shows before submitting).
pub fn exports_needed(span: TimeSpan) -> usize {
    let len = span.len_ms();
    let max = i128::from(MAX_EXPORT_SPAN_MS);
    usize::try_from((len + max - 1) / max).unwrap_or(usize::MAX)
}

/// Splits `span` into consecutive chunks of at most [`MAX_EXPORT_SPAN_MS`], oldest first.
/// Every chunk but the last is exactly 30 days long.
pub fn plan_chunks(span: TimeSpan) -> Vec<TimeSpan> {
    plan_chunks_with(span, MAX_EXPORT_SPAN_MS)
}

/// Like [`plan_chunks`] with another maximum chunk length (at least 1 ms).
pub fn plan_chunks_with(span: TimeSpan, max_len_ms: Millis) -> Vec<TimeSpan> {
    let max = max_len_ms.max(1);
    let mut chunks = Vec::with_capacity(exports_needed(span).min(4096));
    let mut start = span.start;
    loop {
        // `start + max - 1` may overflow near i64::MAX; saturate, then cap at span.end.
        let end = start.saturating_add(max - 1).min(span.end);
        chunks.push(TimeSpan { start, end });
        if end >= span.end {
            break;
        }
        start = end + 1;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_multiple() {
        let span = TimeSpan::new(0, 2 * MAX_EXPORT_SPAN_MS - 1).unwrap();
        let c = plan_chunks(span);
        assert_eq!(c.len(), 2);
        assert_eq!(exports_needed(span), 2);
        assert_eq!(c[0], TimeSpan::new(0, MAX_EXPORT_SPAN_MS - 1).unwrap());
        assert_eq!(c[1].start, MAX_EXPORT_SPAN_MS);
    }

    #[test]
    fn one_ms_more_needs_another_export() {
        let span = TimeSpan::new(0, MAX_EXPORT_SPAN_MS).unwrap();
        assert_eq!(exports_needed(span), 2);
        let c = plan_chunks(span);
        assert_eq!(
            c[1],
            TimeSpan::new(MAX_EXPORT_SPAN_MS, MAX_EXPORT_SPAN_MS).unwrap()
        );
    }

    #[test]
    fn single_ms() {
        let span = TimeSpan::new(5, 5).unwrap();
        assert_eq!(plan_chunks(span), vec![span]);
        assert_eq!(exports_needed(span), 1);
    }
}
