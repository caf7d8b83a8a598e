//! Summary cards: the span's headline figures with their change against the previous period,
//! and the notice of records the figures leave out.

use merchant_console_core::purchases::{percent_change, Excluded, Summary};
use std::fmt::Write as _;

use super::format::{self, esc};

/// Arrow and words, so the direction never depends on colour alone.
fn change_text(change: Option<f64>) -> (&'static str, &'static str, String) {
    match change {
        None => (
            "none",
            "–",
            "No previous-period figure to compare with".to_string(),
        ),
        Some(p) if p.abs() < 0.05 => (
            "flat",
            "●",
            "Unchanged from the previous period".to_string(),
        ),
        Some(p) if p > 0.0 => (
            "up",
            "▲",
            format!("Up {}% from the previous period", format::one_decimal(p)),
        ),
        Some(p) => (
            "down",
            "▼",
            format!(
                "Down {}% from the previous period",
                format::one_decimal(p.abs())
            ),
        ),
    }
}

pub fn cards_markup(s: &Summary) -> String {
    let (t, p) = (s.totals, s.previous);
    let n = i128::from;
    // (title, value, previous, change, is money); values are minor units or counts.
    let cards = [
        ("Revenue", t.revenue, p.revenue, s.revenue_change(), true),
        (
            "Purchases",
            n(t.purchases),
            n(p.purchases),
            s.purchases_change(),
            false,
        ),
        (
            "Unique buyers",
            n(t.unique_buyers),
            n(p.unique_buyers),
            s.buyers_change(),
            false,
        ),
        (
            "Average price",
            t.average_price,
            p.average_price,
            s.average_price_change(),
            true,
        ),
        (
            "Repeat buyers",
            n(t.repeat_buyers),
            n(p.repeat_buyers),
            percent_change(n(t.repeat_buyers), n(p.repeat_buyers)),
            false,
        ),
    ];
    let show = |v: i128, money: bool| {
        if money {
            format::money(v, &s.currency)
        } else {
            format::count(u64::try_from(v).unwrap_or(0))
        }
    };
    let mut out = String::new();
    for (title, value, previous, change, money) in cards {
        let (class, arrow, words) = change_text(change);
        let key = title.to_ascii_lowercase().replace(' ', "-");
        let _ = write!(
            out,
            r#"<li class="mc-card mc-stat" data-stat="{key}"><h4 class="mc-stat-title">{title}</h4><p class="mc-stat-value" data-value="{value}">{}</p><p class="mc-stat-change mc-change-{class}"><span aria-hidden="true">{arrow} </span>{words}</p><p class="mc-muted mc-stat-prev">Previous period: {}</p></li>"#,
            esc(&show(value, money)),
            esc(&show(previous, money)),
        );
    }
    out
}

/// "3 records skipped: price out of range" for each reason, in the span and in the
/// previous period; empty when nothing was left out.
pub fn excluded_markup(s: &Summary) -> String {
    if s.excluded.total() + s.previous_excluded.total() == 0 {
        return String::new();
    }
    let lines = |e: &Excluded, period: &str| {
        e.counts()
            .map(|(why, n)| {
                format!(
                    "<li>{period}{}: {}</li>",
                    format::plural(n, "record skipped", "records skipped"),
                    why.reason()
                )
            })
            .collect::<String>()
    };
    format!(
        r#"<div class="mc-warn mc-excluded"><ul>{}{}</ul><p>They are left out of the totals and charts; the table and the CSV list them as received.</p></div>"#,
        lines(&s.excluded, ""),
        lines(&s.previous_excluded, "Previous period: ")
    )
}
