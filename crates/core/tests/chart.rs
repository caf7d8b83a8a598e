//! Chart geometry at the edges: 0 and 1, refunds and mixed signs, the i64 limits, one
//! bucket and thousands of buckets. Every case must stay inside the plot and never divide
//! by zero (the invariants are those the fuzz targets check: `support/pipeline.rs`).

#[path = "support/pipeline.rs"]
mod pipeline;

use merchant_console_core::chart::{
    basis_points, centre, css_percent, proportion, shares, slot, BarChart, Scale,
};

const W: i64 = 10_000;
const H: i64 = 3_000;

fn ticks(s: Scale) -> Vec<i128> {
    s.ticks().collect()
}

#[test]
fn scale_of_nothing_zero_and_one() {
    for (lo, hi) in [(0, 0), (0, 1)] {
        let s = Scale::covering(lo, hi);
        assert_eq!((s.min, s.max, s.step), (0, 1, 1));
        assert_eq!(ticks(s), [0, 1]);
    }
    let s = Scale::covering(0, 2);
    assert_eq!((s.min, s.max, s.step), (0, 2, 1));
}

#[test]
fn round_steps() {
    let s = Scale::covering(0, 2_766_020);
    assert_eq!((s.min, s.max, s.step), (0, 3_000_000, 1_000_000));
    assert_eq!(ticks(s), [0, 1_000_000, 2_000_000, 3_000_000]);
    let s = Scale::covering(0, 999);
    assert_eq!((s.max, s.step), (1_000, 500));
    let s = Scale::covering(0, 1_001);
    assert_eq!((s.max, s.step), (1_500, 500));
}

#[test]
fn negative_values_and_mixed_signs() {
    // Refunds only: zero at the top.
    let s = Scale::covering(-250, 0);
    assert_eq!((s.min, s.max, s.step), (-300, 0, 100));
    assert_eq!(s.offset(0, H), H);
    assert_eq!(s.offset(-300, H), 0);
    // Both signs: zero inside the axis, on a tick.
    let s = Scale::covering(-100, 1_000);
    assert!(s.min < 0 && s.max >= 1_000);
    assert!(ticks(s).contains(&0));
    let s = Scale::covering(-1, 1);
    assert_eq!((s.min, s.max, s.step), (-1, 1, 1));
}

#[test]
fn i64_limits_end_and_stay_in_range() {
    let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
    for (lo, hi) in [(0, max), (min, 0), (min, max), (max, max), (min, min)] {
        let s = Scale::covering(lo, hi);
        assert!(s.min <= lo.min(0) && s.max >= hi.max(0));
        assert!(ticks(s).len() <= 8);
        pipeline::check_scale(lo, hi);
    }
    // Far beyond any sum (clamped, still finite and round).
    pipeline::check_scale(i128::MIN, i128::MAX);
    let s = Scale::covering(0, i128::MAX);
    assert!(s.max >= merchant_console_core::chart::VALUE_LIMIT);
}

#[test]
fn bars_at_the_i64_limits() {
    let a = [i128::from(i64::MAX), i128::from(i64::MIN), 0];
    let b = [i128::from(i64::MAX), i128::from(i64::MIN), 1];
    let c = BarChart::stacked(&[&a, &b], 3, Some(&[i128::from(i64::MAX); 3]), W, H);
    pipeline::check_bar_chart(&c, 3);
    // The first bar is two i64::MAX stacked: its sum (2^64 - 2) does not wrap.
    assert!(c.scale.max >= 2 * i128::from(i64::MAX));
    assert_eq!(c.bars[0].segments.len(), 2);
    assert!(
        c.bars[0].top < H / 10,
        "the tallest bar nearly fills the plot"
    );
    assert!(c.bars[1].bottom > H - H / 10);
}

#[test]
fn refunds_hang_below_the_zero_line() {
    let sales = [500_i128, 0, 300];
    let refunds = [-200_i128, -100, 0];
    let c = BarChart::stacked(&[&sales, &refunds], 3, None, W, H);
    pipeline::check_bar_chart(&c, 3);
    assert!(c.zero_y > 0 && c.zero_y < H);
    let first = &c.bars[0];
    assert_eq!(first.segments.len(), 2);
    let (up, down) = (first.segments[0], first.segments[1]);
    assert_eq!((up.series, down.series), (0, 1));
    assert_eq!(up.y + up.height, c.zero_y, "sales end on the zero line");
    assert_eq!(down.y, c.zero_y, "refunds start on it");
    assert!(up.height > down.height);
}

#[test]
fn one_bucket_and_zero_buckets() {
    let c = BarChart::stacked(&[&[42]], 1, Some(&[10]), W, H);
    pipeline::check_bar_chart(&c, 1);
    assert_eq!((c.bars[0].slot_x, c.bars[0].slot_width), (0, W));
    assert_eq!(c.line, [(W / 2, c.line[0].1)]);
    let empty = BarChart::stacked(&[], 0, None, W, H);
    pipeline::check_bar_chart(&empty, 0);
    assert!(empty.bars.is_empty() && empty.line.is_empty());
    // Series shorter than the buckets count as zero there, and a line longer is cut.
    let c = BarChart::stacked(&[&[5]], 4, Some(&[1, 2, 3, 4, 5, 6]), W, H);
    pipeline::check_bar_chart(&c, 4);
    assert_eq!(c.line.len(), 4);
    assert!(c.bars[3].segments.is_empty());
}

#[test]
fn thousands_of_buckets_tile_the_plot() {
    for n in [7_300, 10_000, 25_000] {
        let values: Vec<i128> = (0..n).map(|i| (i as i128 % 17) * 1_000 - 3_000).collect();
        let c = BarChart::stacked(&[&values], n, Some(&values), W, H);
        pipeline::check_bar_chart(&c, n);
        assert_eq!(c.bars.len(), n);
    }
}

#[test]
fn slots_centres_and_proportions_never_divide_by_zero() {
    assert_eq!(slot(0, 0, W), (0, W));
    assert_eq!(slot(5, 3, W), (W, 0));
    assert_eq!(centre(0, 0, W), W / 2);
    assert_eq!(centre(9, 2, W), 3 * W / 4);
    assert_eq!(proportion(1, 0, W), 0);
    assert_eq!(basis_points(3, 4), 7_500);
    assert_eq!(basis_points(-3, 4), 0);
    assert_eq!(basis_points(i128::MAX, 1), 10_000);
    assert_eq!(css_percent(1234), "12.34%");
    assert_eq!(css_percent(-5), "0.00%");
    assert_eq!(css_percent(20_000), "100.00%");
}

#[test]
fn shares_add_up_to_the_bar() {
    assert_eq!(shares(&[1, 1, 1], 10_000), [3_334, 3_333, 3_333]);
    assert_eq!(shares(&[0, 0], 10_000), [0, 0]);
    assert_eq!(shares(&[], 10_000), Vec::<i64>::new());
    assert_eq!(shares(&[-5, 10], 100), [0, 100], "refunds get no width");
    let big = i128::from(i64::MAX);
    assert_eq!(shares(&[big, big, 1], 10_000), [5_000, 5_000, 0]);
    pipeline::check_shares(&[i128::MAX, i128::MIN, 7]);
}
