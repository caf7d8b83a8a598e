//! Revenue over time: one stacked bar group per bucket (by sales or payment model), the
//! comparison (previous period, last year) as a dashed line, partial periods hatched,
//! tooltips on hover and on keyboard focus (arrow keys move between bars, Escape hides
//! the tooltip).
//!
//! The bars live in a `viewBox` stretched to the container (`preserveAspectRatio="none"`),
//! so the chart follows its width without measuring; text (axes, tooltip) is HTML placed
//! by percentages, so it is never distorted. Coordinates are integers (no float printing).

use std::fmt::Write as _;

use merchant_console_core::purchases::{BucketSize, Series, Summary};

use super::{
    button, fill, money, nice_scale, swatch, switch, table_markup, table_toggle, PARTIAL_SWATCH,
    PREVIOUS_SWATCH,
};
use crate::history::format::{self, css_pct, esc};

/// viewBox size.
const W: i64 = 10_000;
const H: i64 = 3_000;

/// What the chart shows besides the data.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    /// 0 = stacked by sales model, 1 = by payment model.
    pub by: usize,
    /// Series keys switched off in the legend.
    pub hidden: &'a [String],
    /// The comparison span's buckets when the comparison line is on.
    pub prev: Option<&'a Summary>,
    /// What that line is ("Previous period", "Same period last year"); `None` when there
    /// is no comparison at all (no line, no legend entry).
    pub prev_title: Option<&'a str>,
}

pub fn bucket_word(size: BucketSize) -> &'static str {
    match size {
        BucketSize::Day => "day",
        BucketSize::Week => "week",
        BucketSize::Month => "month",
    }
}

fn pick(s: &Summary, by: usize) -> &[Series] {
    if by == 1 {
        &s.by_payment_model
    } else {
        &s.by_sales_model
    }
}

/// Axis maximum and step for the shown series (and the comparison line when on).
fn scale(s: &Summary, o: Options) -> (i64, i64) {
    let all = pick(s, o.by);
    let mut max = 0;
    for i in 0..s.buckets.len() {
        max = max.max(
            all.iter()
                .filter(|se| !o.hidden.contains(&se.key))
                .map(|se| se.revenue[i])
                .sum::<i64>(),
        );
        if let Some(b) = o.prev.and_then(|p| p.buckets.get(i)) {
            max = max.max(b.revenue);
        }
    }
    nice_scale(max)
}

/// Title, controls (stacking switch, period select, table toggle) and the legend.
pub fn head_markup(s: &Summary, o: Options, table_shown: bool) -> String {
    let mut out = String::from(
        r#"<div class="mc-chart-head"><h4>Revenue over time</h4><div class="mc-chart-controls">"#,
    );
    out.push_str(&switch(
        "mc-rev-by",
        "by",
        "Stack bars by",
        ["Sales model", "Payment model"],
        o.by,
    ));
    out.push_str(r#"<div class="mc-field mc-inline-field"><label for="mc-history-bucket">Period per bar</label><select id="mc-history-bucket">"#);
    for (value, text, size) in [
        ("day", "Day", BucketSize::Day),
        ("week", "Week", BucketSize::Week),
        ("month", "Month", BucketSize::Month),
    ] {
        let selected = if s.bucket_size == size {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, r#"<option value="{value}"{selected}>{text}</option>"#);
    }
    out.push_str("</select></div>");
    out.push_str(&table_toggle("rev", table_shown));
    out.push_str(r#"</div></div><div class="mc-legend" role="group" aria-label="Series shown in the revenue chart">"#);
    for (i, se) in pick(s, o.by).iter().enumerate() {
        let inner = format!(
            r#"{} {} <span class="mc-muted">{}</span>"#,
            swatch(i),
            esc(&se.key),
            money(se.total_revenue, &s.currency)
        );
        out.push_str(&button(
            &format!("mc-rev-leg-{i}"),
            "series",
            &i.to_string(),
            Some(!o.hidden.contains(&se.key)),
            "mc-legend-item",
            &inner,
        ));
    }
    if let Some(title) = o.prev_title {
        out.push_str(&button(
            "mc-rev-leg-prev",
            "series",
            "prev",
            Some(o.prev.is_some()),
            "mc-legend-item",
            &format!("{PREVIOUS_SWATCH} {title} (dashed)"),
        ));
    }
    let _ = write!(
        out,
        r#"<span class="mc-legend-note">{PARTIAL_SWATCH} Hatched: partial period</span></div>"#
    );
    out
}

/// Y axis, the bars with grid and comparison line, X axis.
pub fn plot_markup(s: &Summary, o: Options) -> String {
    let (top, step) = scale(s, o);
    let y = |v: i64| H - (i128::from(v) * i128::from(H) / i128::from(top)) as i64;
    let n = s.buckets.len().max(1) as i64;
    let x_of = |i: i64| i * W / n;
    let mut out = String::with_capacity(s.buckets.len() * 330 + 2000);

    out.push_str(r#"<div class="mc-plot"><div class="mc-y-axis" aria-hidden="true">"#);
    for k in 0..=top / step {
        let v = k * step;
        let _ = write!(
            out,
            r#"<span class="mc-y-label" data-css="bottom:{}">{}</span>"#,
            css_pct(v, top),
            esc(&format::money_whole(v, &s.currency))
        );
    }
    let _ = write!(
        out,
        r#"</div><div class="mc-plot-area"><svg class="mc-plot-svg" viewBox="0 0 {W} {H}" preserveAspectRatio="none" aria-label="Revenue bars, one per {}">"#,
        bucket_word(s.bucket_size)
    );
    for k in 0..=top / step {
        let yy = y(k * step);
        let _ = write!(
            out,
            r#"<line class="mc-grid-line" x1="0" x2="{W}" y1="{yy}" y2="{yy}" vector-effect="non-scaling-stroke"/>"#
        );
    }
    let all = pick(s, o.by);
    for (i, b) in s.buckets.iter().enumerate() {
        let (left, right) = (x_of(i as i64), x_of(i as i64 + 1));
        let gap = (right - left) / if n > 40 { 8 } else { 6 };
        let (x, width) = (left + gap, right - left - 2 * gap);
        let label = format!(
            "{}: {} revenue, {}{}",
            format::bucket_name(b.label, s.bucket_size),
            format::money(b.revenue, &s.currency),
            format::plural(b.count, "purchase", "purchases"),
            if b.partial { " (partial period)" } else { "" }
        );
        let _ = write!(
            out,
            r#"<g class="mc-bar" id="mc-rev-bar-{i}" role="img" tabindex="0" data-index="{i}" data-date="{}" aria-label="{}"><rect class="mc-hit" x="{left}" y="0" width="{}" height="{H}"/>"#,
            format::ymd(b.label),
            esc(&label),
            right - left
        );
        let mut base = 0_i64;
        for (si, se) in all.iter().enumerate() {
            let v = se.revenue[i];
            if v <= 0 || o.hidden.contains(&se.key) {
                continue;
            }
            let (y0, y1) = (y(base), y(base + v));
            base += v;
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{y1}" width="{width}" height="{}" fill="{}"/>"#,
                y0 - y1,
                fill(si)
            );
        }
        if b.partial {
            let t = y(base).min(H - 60);
            let _ = write!(
                out,
                r#"<rect class="mc-partial" x="{x}" y="{t}" width="{width}" height="{}" fill="url(#mc-hp-partial)"/>"#,
                H - t
            );
        }
        out.push_str("</g>");
    }
    if let Some(p) = o.prev {
        out.push_str(r#"<polyline class="mc-prev-line" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="6 4" vector-effect="non-scaling-stroke" points=""#);
        for (i, b) in p.buckets.iter().take(n as usize).enumerate() {
            let _ = write!(
                out,
                "{},{} ",
                (2 * i as i64 + 1) * W / (2 * n),
                y(b.revenue)
            );
        }
        out.push_str(r#""/>"#);
    }
    out.push_str(r#"</svg></div><div class="mc-x-axis" aria-hidden="true">"#);
    let every = (n as usize).div_ceil(8);
    for (i, b) in s.buckets.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            out,
            r#"<span class="mc-x-label" data-css="left:{}">{}</span>"#,
            css_pct(2 * i as i64 + 1, 2 * n),
            esc(&format::axis_date(b.label, s.bucket_size))
        );
    }
    out.push_str("</div></div>");
    out
}

/// The tooltip of bar `i`: the same date and exact revenue as the bar's label, the shown
/// series, and the previous period's value at the same position.
pub fn tooltip_markup(s: &Summary, i: usize, o: Options) -> String {
    let Some(b) = s.buckets.get(i) else {
        return String::new();
    };
    let c = &s.currency;
    let n = s.buckets.len().max(1) as i64;
    let i64i = i as i64;
    // Anchored on the bar's centre; on the right half it opens to the left.
    let style = if (2 * i64i + 1) * 10 > 12 * n {
        format!("right:{}", css_pct(2 * n - 2 * i64i - 1, 2 * n))
    } else {
        format!("left:{}", css_pct(2 * i64i + 1, 2 * n))
    };
    let mut out = format!(
        r#"<div class="mc-tooltip" id="mc-rev-tooltip" role="tooltip" data-css="{style}"><p class="mc-tooltip-title">{}{}</p><p class="mc-tooltip-value">Revenue: {}</p><p>{}</p><ul class="mc-tooltip-series">"#,
        esc(&format::bucket_name(b.label, s.bucket_size)),
        if b.partial { " (partial)" } else { "" },
        money(b.revenue, c),
        format::plural(b.count, "purchase", "purchases"),
    );
    for (si, se) in pick(s, o.by).iter().enumerate() {
        if se.count[i] > 0 && !o.hidden.contains(&se.key) {
            let _ = write!(
                out,
                "<li>{} {}: {} ({})</li>",
                swatch(si),
                esc(&se.key),
                money(se.revenue[i], c),
                format::count(se.count[i])
            );
        }
    }
    out.push_str("</ul>");
    if let Some(v) = o.prev.and_then(|p| p.buckets.get(i)) {
        let _ = write!(
            out,
            r#"<p class="mc-muted">{}: {}</p>"#,
            o.prev_title.unwrap_or_default(),
            money(v.revenue, c)
        );
    }
    out.push_str("</div>");
    out
}

/// The one-sentence summary (plain text).
pub fn summary_text(s: &Summary, zone_name: &str) -> String {
    let word = bucket_word(s.bucket_size);
    let mut text = format!(
        "{} revenue from {} ({}), shown per {word}",
        format::money(s.totals.revenue, &s.currency),
        format::plural(s.totals.purchases, "purchase", "purchases"),
        zone_name
    );
    if let Some(b) = s
        .buckets
        .iter()
        .filter(|b| b.count > 0)
        .max_by_key(|b| b.revenue)
    {
        let _ = write!(
            text,
            "; the best {word} was {} with {}",
            format::bucket_name(b.label, s.bucket_size),
            format::money(b.revenue, &s.currency)
        );
    }
    if let Some(top) = s.by_sales_model.first().filter(|_| s.totals.revenue > 0) {
        let _ = write!(
            text,
            ", and {} brought {} of it",
            top.key,
            format::percent(top.total_revenue as f64 / s.totals.revenue as f64)
        );
    }
    text.push('.');
    text
}

/// The data-table twin: one row per bucket with the shown series, totals and comparison.
pub fn table_html(s: &Summary, o: Options, zone_name: &str) -> String {
    let c = &s.currency;
    let shown: Vec<&Series> = pick(s, o.by)
        .iter()
        .filter(|se| !o.hidden.contains(&se.key))
        .collect();
    let first = match s.bucket_size {
        BucketSize::Day => "Day",
        BucketSize::Week => "Week",
        BucketSize::Month => "Month",
    };
    let mut head = vec![first];
    head.extend(shown.iter().map(|se| se.key.as_str()));
    head.extend(["Revenue", "Purchases"]);
    if let (Some(_), Some(title)) = (o.prev, o.prev_title) {
        head.push(title);
    }
    let rows = s.buckets.iter().enumerate().map(|(i, b)| {
        let mut row = vec![format!(
            "{}{}",
            format::bucket_name(b.label, s.bucket_size),
            if b.partial { " (partial)" } else { "" }
        )];
        row.extend(shown.iter().map(|se| format::money(se.revenue[i], c)));
        row.push(format::money(b.revenue, c));
        row.push(format::count(b.count));
        if let Some(p) = o.prev {
            row.push(
                p.buckets
                    .get(i)
                    .map(|v| format::money(v.revenue, c))
                    .unwrap_or_default(),
            );
        }
        row
    });
    table_markup(
        "mc-rev-table",
        &format!(
            "Revenue per {} ({zone_name}, {c})",
            bucket_word(s.bucket_size)
        ),
        &head,
        rows,
    )
}
