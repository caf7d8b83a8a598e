//! Chart geometry on plain numbers: a round value scale with its ticks, stacked bars whose
//! negative parts (refunds) hang below the zero line, a comparison line, and proportional
//! lengths for 100 % bars and bar lists.
//!
//! Nothing here knows what a purchase is: inputs are `i128` values (sums of `i64` amounts
//! cannot overflow there) and integer plot sizes; outputs are integer coordinates, so the
//! views print them without floating point. Every input is clamped first
//! ([`VALUE_LIMIT`]), no division has a zero divisor, and every loop is bounded by the
//! number of buckets or series (or, for the scale, by the 31 powers of ten below the limit).

/// Largest magnitude a value may have; larger ones are clamped to it. About 1.3e30: far
/// beyond any sum of `i64` amounts over any number of records a browser can hold, and
/// small enough that no intermediate step below can overflow `i128`.
pub const VALUE_LIMIT: i128 = 1 << 100;

/// Largest plot extent (width or height) in coordinate units.
pub const EXTENT_LIMIT: i64 = 1 << 30;

/// About this many intervals between ticks (fewer when the data is small).
const TARGET_INTERVALS: i128 = 4;

/// A value axis from `min` to `max` (both multiples of `step`, `min <= 0 <= max`,
/// `min < max`), with a tick at every multiple of `step` in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub min: i128,
    pub max: i128,
    pub step: i128,
}

impl Scale {
    /// The round axis that covers `lo..=hi` and zero with about four intervals of 1, 2 or
    /// 5 times a power of ten. Values of one sign keep zero at the axis end; all-zero (or
    /// empty) data gives `0..=1`.
    pub fn covering(lo: i128, hi: i128) -> Scale {
        let lo = lo.clamp(-VALUE_LIMIT, 0);
        let hi = hi.clamp(0, VALUE_LIMIT);
        let range = (hi - lo).max(1);
        let raw = ceil_div(range, TARGET_INTERVALS);
        let mut magnitude: i128 = 1;
        while magnitude * 10 <= raw {
            magnitude *= 10;
        }
        // `magnitude * 10 > raw`, so the list always has an answer.
        let step = [1, 2, 5, 10]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(magnitude * 10);
        let max = ceil_div(hi, step) * step;
        let min = -ceil_div(-lo, step) * step;
        let max = if max == min { min + step } else { max };
        Scale { min, max, step }
    }

    /// `max - min`, always > 0.
    pub fn span(&self) -> i128 {
        (self.max - self.min).max(1)
    }

    /// The tick values from `min` to `max`, ascending (at most a handful).
    pub fn ticks(&self) -> impl Iterator<Item = i128> + '_ {
        let intervals = self.span() / self.step.max(1);
        (0..=intervals).map(move |k| self.min + k * self.step)
    }

    /// Distance of `v` from the axis start, as a part of `extent` (0 at `min`, `extent`
    /// at `max`; values outside the axis are clamped to its ends).
    pub fn offset(&self, v: i128, extent: i64) -> i64 {
        proportion(v.clamp(self.min, self.max) - self.min, self.span(), extent)
    }

    /// `offset` in basis points (0 to 10,000) of the axis, for CSS placement.
    pub fn basis_points(&self, v: i128) -> i64 {
        self.offset(v, 10_000)
    }
}

/// `ceil(n / d)` for `d > 0`.
fn ceil_div(n: i128, d: i128) -> i128 {
    let d = d.max(1);
    n.div_euclid(d) + i128::from(n.rem_euclid(d) != 0)
}

/// `part / whole` of `extent`, rounded down, for `0 <= part <= whole` (clamped into that
/// range; 0 when `whole <= 0`). Exact for any inputs: large operands are shifted down
/// together before multiplying, which loses only precision far below one unit of extent.
pub fn proportion(part: i128, whole: i128, extent: i64) -> i64 {
    let extent = i128::from(extent.clamp(0, EXTENT_LIMIT));
    if whole <= 0 {
        return 0;
    }
    let part = part.clamp(0, whole);
    // Keep both below 2^62 so that `part * extent` (< 2^92) fits.
    let shift = (128 - whole.leading_zeros()).saturating_sub(62);
    let (part, whole) = (part >> shift, (whole >> shift).max(1));
    (part * extent / whole) as i64
}

/// `part / whole` in basis points (0 to 10,000); 0 when `whole <= 0`.
pub fn basis_points(part: i128, whole: i128) -> i64 {
    proportion(part, whole, 10_000)
}

/// Basis points as a CSS percentage with two decimals: `1234` -> `"12.34%"`.
pub fn css_percent(basis_points: i64) -> String {
    let bp = basis_points.clamp(0, 10_000);
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// One coloured part of a bar: series `series` from `y` down to `y + height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub series: usize,
    pub y: i64,
    pub height: i64,
}

/// One bucket's bar, in plot coordinates (y grows downwards, 0 at the top).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The bucket's whole slot (for hit areas): `slot_x .. slot_x + slot_width`.
    pub slot_x: i64,
    pub slot_width: i64,
    /// The drawn bar inside its slot, with a gap on both sides.
    pub x: i64,
    pub width: i64,
    /// Positive values stacked upwards from the zero line, then negative ones downwards,
    /// each in series order; empty (zero-height) parts are left out.
    pub segments: Vec<Segment>,
    /// Top of the positive stack and bottom of the negative one (both the zero line when
    /// the bar is empty).
    pub top: i64,
    pub bottom: i64,
}

/// A tick of the value axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    pub value: i128,
    /// Plot y of the tick.
    pub y: i64,
    /// Height above the plot's bottom in basis points of the plot, for CSS placement.
    pub from_bottom: i64,
}

/// Stacked bars for `buckets` buckets, with an optional comparison line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BarChart {
    pub width: i64,
    pub height: i64,
    pub scale: Scale,
    /// Plot y of the value 0.
    pub zero_y: i64,
    pub ticks: Vec<Tick>,
    pub bars: Vec<Bar>,
    /// One point per bucket the line has a value for: the slot's centre and its value.
    pub line: Vec<(i64, i64)>,
}

impl BarChart {
    /// Lays out `series` (one value per bucket each; a missing value counts as 0) over
    /// `buckets` slots of a `width` x `height` plot. The scale covers every bar's positive
    /// and negative stack and the `line` values.
    pub fn stacked(
        series: &[&[i128]],
        buckets: usize,
        line: Option<&[i128]>,
        width: i64,
        height: i64,
    ) -> BarChart {
        let (width, height) = (width.clamp(1, EXTENT_LIMIT), height.clamp(1, EXTENT_LIMIT));
        let value = |s: &[i128], i: usize| {
            s.get(i)
                .copied()
                .unwrap_or(0)
                .clamp(-VALUE_LIMIT, VALUE_LIMIT)
        };
        // Per bucket: sum of the positive and of the negative values. Each sum has at
        // most `series.len()` terms of at most 2^100, so it is saturated, never wrapped.
        let stacks: Vec<(i128, i128)> = (0..buckets)
            .map(|i| {
                series.iter().fold((0_i128, 0_i128), |(pos, neg), s| {
                    let v = value(s, i);
                    if v >= 0 {
                        (pos.saturating_add(v), neg)
                    } else {
                        (pos, neg.saturating_add(v))
                    }
                })
            })
            .collect();
        let line = line.map(|l| &l[..l.len().min(buckets)]).unwrap_or(&[]);
        let hi = stacks
            .iter()
            .map(|s| s.0)
            .chain(line.iter().copied())
            .max()
            .unwrap_or(0);
        let lo = stacks
            .iter()
            .map(|s| s.1)
            .chain(line.iter().copied())
            .min()
            .unwrap_or(0);
        let scale = Scale::covering(lo, hi);
        let y = |v: i128| height - scale.offset(v, height);
        let zero_y = y(0);
        let ticks = scale
            .ticks()
            .map(|value| Tick {
                value,
                y: y(value),
                from_bottom: scale.basis_points(value),
            })
            .collect();
        let bars = (0..buckets)
            .map(|i| {
                let (slot_x, slot_width) = slot(i, buckets, width);
                let gap = slot_width / if buckets > 40 { 8 } else { 6 };
                let mut segments = Vec::new();
                let (mut up, mut down) = (0_i128, 0_i128);
                for (si, s) in series.iter().enumerate() {
                    let v = value(s, i);
                    if v > 0 {
                        let (y0, y1) = (y(up), y(up.saturating_add(v)));
                        up = up.saturating_add(v);
                        if y0 > y1 {
                            segments.push(Segment {
                                series: si,
                                y: y1,
                                height: y0 - y1,
                            });
                        }
                    }
                }
                for (si, s) in series.iter().enumerate() {
                    let v = value(s, i);
                    if v < 0 {
                        let (y0, y1) = (y(down), y(down.saturating_add(v)));
                        down = down.saturating_add(v);
                        if y1 > y0 {
                            segments.push(Segment {
                                series: si,
                                y: y0,
                                height: y1 - y0,
                            });
                        }
                    }
                }
                Bar {
                    slot_x,
                    slot_width,
                    x: slot_x + gap,
                    width: slot_width - 2 * gap,
                    segments,
                    top: y(up),
                    bottom: y(down),
                }
            })
            .collect();
        let line = line
            .iter()
            .enumerate()
            .map(|(i, &v)| (centre(i, buckets, width), y(v)))
            .collect();
        BarChart {
            width,
            height,
            scale,
            zero_y,
            ticks,
            bars,
            line,
        }
    }
}

/// Start and width of slot `i` of `n` equal slots over `extent` (integer edges, so the
/// slots tile the extent exactly).
pub fn slot(i: usize, n: usize, extent: i64) -> (i64, i64) {
    let n = n.max(1) as i128;
    let i = (i as i128).min(n);
    let extent = i128::from(extent.clamp(0, EXTENT_LIMIT));
    let left = i * extent / n;
    let right = (i + 1).min(n) * extent / n;
    (left as i64, (right - left) as i64)
}

/// Centre of slot `i` of `n` over `extent`.
pub fn centre(i: usize, n: usize, extent: i64) -> i64 {
    let n = n.max(1) as i128;
    let i = (i as i128).min(n - 1);
    let extent = i128::from(extent.clamp(0, EXTENT_LIMIT));
    ((2 * i + 1) * extent / (2 * n)) as i64
}

/// Lengths of the parts of a 100 % bar of `extent` units: each non-negative value in
/// proportion to their sum (negative values get 0). The lengths add up to exactly
/// `extent` when any value is positive (largest remainders get the leftover units).
pub fn shares(values: &[i128], extent: i64) -> Vec<i64> {
    let extent = extent.clamp(0, EXTENT_LIMIT);
    let parts: Vec<i128> = values.iter().map(|v| (*v).clamp(0, VALUE_LIMIT)).collect();
    // At most `values.len()` terms of 2^100: saturating keeps the sum meaningful.
    let total = parts.iter().fold(0_i128, |a, v| a.saturating_add(*v));
    if total <= 0 {
        return vec![0; values.len()];
    }
    let mut lengths: Vec<i64> = parts
        .iter()
        .map(|p| proportion(*p, total, extent))
        .collect();
    let mut left = extent - lengths.iter().sum::<i64>();
    // Hand out what rounding down left over, one unit each, to the largest parts first:
    // fewer leftover units than parts, so one round is enough.
    let mut order: Vec<usize> = (0..parts.len()).filter(|&i| parts[i] > 0).collect();
    order.sort_by(|&a, &b| parts[b].cmp(&parts[a]).then(a.cmp(&b)));
    for i in order {
        if left <= 0 {
            break;
        }
        lengths[i] += 1;
        left -= 1;
    }
    lengths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_div_rounds_up_for_both_signs() {
        assert_eq!(ceil_div(7, 2), 4);
        assert_eq!(ceil_div(8, 2), 4);
        assert_eq!(ceil_div(0, 5), 0);
        assert_eq!(ceil_div(-7, 2), -3);
    }

    #[test]
    fn proportion_handles_huge_operands() {
        assert_eq!(proportion(1, 2, 100), 50);
        assert_eq!(proportion(VALUE_LIMIT, VALUE_LIMIT, 10_000), 10_000);
        assert_eq!(proportion(VALUE_LIMIT / 2, VALUE_LIMIT, 10_000), 5_000);
        assert_eq!(proportion(i128::MAX, i128::MAX, 3), 3);
        assert_eq!(proportion(5, 0, 100), 0);
        assert_eq!(proportion(-5, 10, 100), 0);
        assert_eq!(proportion(50, 10, 100), 100);
    }
}
