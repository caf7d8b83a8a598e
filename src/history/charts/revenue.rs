//! Revenue over time: one stacked bar group per bucket (by sales or payment model), the
//! comparison (previous period, last year) as a dashed line, partial periods hatched,
//! tooltips on hover and on keyboard focus (arrow keys move between bars, Escape hides
//! the tooltip).
//!
//! The bars live in a `viewBox` stretched to the container (`preserveAspectRatio="none"`),
//! so the chart follows its width without measuring; text (axes, tooltip) is HTML placed
//! by percentages, so it is never distorted. The geometry (scale, ticks, stacked segments
//! with refunds below the zero line, the comparison line) is the core's
//! `chart::BarChart`; this module only prints its integer coordinates.

use std::fmt::Write as _;

use merchant_console_core::chart::{self, BarChart};
use merchant_console_core::purchases::{BucketSize, Series, Summary};

use super::{
    button, fill, money, swatch, switch, table_markup, table_toggle, PARTIAL_SWATCH,
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

/// The chart's geometry: the shown series stacked per bucket (their palette indices
/// alongside), and the comparison line when on.
fn layout<'s>(s: &'s Summary, o: Options) -> (BarChart, Vec<usize>) {
    let (mut colours, mut values): (Vec<usize>, Vec<&'s [i128]>) = (Vec::new(), Vec::new());
    for (i, se) in pick(s, o.by).iter().enumerate() {
        if !o.hidden.contains(&se.key) {
            colours.push(i);
            values.push(&se.revenue);
        }
    }
    let line: Option<Vec<i128>> = o
        .prev
        .map(|p| p.buckets.iter().map(|b| b.revenue).collect());
    let chart = BarChart::stacked(&values, s.buckets.len(), line.as_deref(), W, H);
    (chart, colours)
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
            r#"{} <span class="mc-legend-key">{}</span> <span class="mc-muted">{}</span>"#,
            swatch(i),
            format::api_text(format::model(&se.key)),
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
    let (c, colours) = layout(s, o);
    let n = s.buckets.len();
    let mut out = String::with_capacity(n * 330 + 2000);

    out.push_str(r#"<div class="mc-plot"><div class="mc-y-axis" aria-hidden="true">"#);
    for t in &c.ticks {
        let _ = write!(
            out,
            r#"<span class="mc-y-label" data-css="bottom:{}">{}</span>"#,
            chart::css_percent(t.from_bottom),
            esc(&format::money_whole(t.value, &s.currency))
        );
    }
    let _ = write!(
        out,
        r#"</div><div class="mc-plot-area"><svg class="mc-plot-svg" viewBox="0 0 {W} {H}" preserveAspectRatio="none" aria-label="Revenue bars, one per {}">"#,
        bucket_word(s.bucket_size)
    );
    for t in &c.ticks {
        let class = if t.value == 0 && c.scale.min < 0 {
            "mc-grid-line mc-zero-line"
        } else {
            "mc-grid-line"
        };
        let _ = write!(
            out,
            r#"<line class="{class}" x1="0" x2="{W}" y1="{y}" y2="{y}" vector-effect="non-scaling-stroke"/>"#,
            y = t.y
        );
    }
    for (i, (b, bar)) in s.buckets.iter().zip(&c.bars).enumerate() {
        let label = format!(
            "{}: {} revenue, {}{}",
            format::bucket_name(b.label, s.bucket_size),
            format::money(b.revenue, &s.currency),
            format::plural(b.count, "purchase", "purchases"),
            if b.partial { " (partial period)" } else { "" }
        );
        let _ = write!(
            out,
            r#"<g class="mc-bar" id="mc-rev-bar-{i}" role="img" tabindex="0" data-index="{i}" data-date="{}" aria-label="{}"><rect class="mc-hit" x="{}" y="0" width="{}" height="{H}"/>"#,
            format::ymd(b.label),
            esc(&label),
            bar.slot_x,
            bar.slot_width
        );
        for seg in &bar.segments {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                bar.x,
                seg.y,
                bar.width,
                seg.height,
                fill(colours.get(seg.series).copied().unwrap_or(0))
            );
        }
        if b.partial {
            // The hatch covers the bar, and is visible on an empty bar too.
            let top = bar.top.min(c.zero_y - 60).max(0);
            let bottom = bar.bottom.max(top + 60).min(H);
            let _ = write!(
                out,
                r#"<rect class="mc-partial" x="{}" y="{top}" width="{}" height="{}" fill="url(#mc-hp-partial)"/>"#,
                bar.x,
                bar.width,
                bottom - top
            );
        }
        out.push_str("</g>");
    }
    if o.prev.is_some() {
        out.push_str(r#"<polyline class="mc-prev-line" fill="none" stroke="currentColor" stroke-width="2" stroke-dasharray="6 4" vector-effect="non-scaling-stroke" points=""#);
        for (x, y) in &c.line {
            let _ = write!(out, "{x},{y} ");
        }
        out.push_str(r#""/>"#);
    }
    out.push_str(r#"</svg></div><div class="mc-x-axis" aria-hidden="true">"#);
    let every = n.div_ceil(8).max(1);
    for (i, b) in s.buckets.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            out,
            r#"<span class="mc-x-label" data-css="left:{}">{}</span>"#,
            css_pct(2 * i as i128 + 1, 2 * n as i128),
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
    let n = s.buckets.len().max(1) as i128;
    let k = i as i128;
    // Anchored on the bar's centre; on the right half it opens to the left.
    let style = if (2 * k + 1) * 10 > 12 * n {
        format!("right:{}", css_pct(2 * n - 2 * k - 1, 2 * n))
    } else {
        format!("left:{}", css_pct(2 * k + 1, 2 * n))
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
                r#"<li>{} <span class="mc-legend-key">{}</span>: {} ({})</li>"#,
                swatch(si),
                format::api_text(format::model(&se.key)),
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
    // (With refunds the top model may bring more than the net total: no share then.)
    if let Some(top) = s
        .by_sales_model
        .first()
        .filter(|top| s.totals.revenue > 0 && top.total_revenue <= s.totals.revenue)
    {
        let _ = write!(
            text,
            ", and {} brought {} of it",
            format::short(format::model(&top.key)),
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
    head.extend(shown.iter().map(|se| format::model(&se.key)));
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
