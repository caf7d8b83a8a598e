//! Summary cards: the span's headline figures with their change against the period they are
//! compared with (the previous period, last year, or nothing).

use merchant_console_core::purchases::{percent_change, Comparison, Summary};
use std::fmt::Write as _;

use super::format::{self, esc};

/// Arrow and words, so the direction never depends on colour alone; `against` names what
/// the figures are compared with ("previous period").
fn change_text(change: Option<f64>, against: &str) -> (&'static str, &'static str, String) {
    match change {
        None => (
            "none",
            "–",
            format!("Nothing to compare with in the {against}"),
        ),
        Some(p) if p.abs() < 0.05 => ("flat", "●", format!("Unchanged from the {against}")),
        Some(p) if p > 0.0 => (
            "up",
            "▲",
            format!("Up {}% from the {against}", format::one_decimal(p)),
        ),
        Some(p) => (
            "down",
            "▼",
            format!("Down {}% from the {against}", format::one_decimal(p.abs())),
        ),
    }
}

/// The cards; `against` is what they are compared with, `None` for no comparison.
pub fn cards_markup(s: &Summary, against: Option<Comparison>) -> String {
    let (t, p) = (s.totals, s.previous);
    // (title, value, previous, change, is money); values are minor units or counts.
    let cards = [
        ("Revenue", t.revenue, p.revenue, s.revenue_change(), true),
        (
            "Purchases",
            t.purchases as i64,
            p.purchases as i64,
            s.purchases_change(),
            false,
        ),
        (
            "Unique buyers",
            t.unique_buyers as i64,
            p.unique_buyers as i64,
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
            t.repeat_buyers as i64,
            p.repeat_buyers as i64,
            percent_change(t.repeat_buyers as i64, p.repeat_buyers as i64),
            false,
        ),
    ];
    let show = |v: i64, money: bool| {
        if money {
            format::money(v, &s.currency)
        } else {
            format::count(v.max(0) as u64)
        }
    };
    let mut out = String::new();
    for (title, value, previous, change, money) in cards {
        let key = title.to_ascii_lowercase().replace(' ', "-");
        let _ = write!(
            out,
            r#"<li class="mc-card mc-stat" data-stat="{key}"><h4 class="mc-stat-title">{title}</h4><p class="mc-stat-value" data-value="{value}">{}</p>"#,
            esc(&show(value, money)),
        );
        if let Some(against) = against {
            let (class, arrow, words) = change_text(change, against.label());
            let _ = write!(
                out,
                r#"<p class="mc-stat-change mc-change-{class}"><span aria-hidden="true">{arrow} </span>{words}</p><p class="mc-muted mc-stat-prev" data-compare-value="{previous}">{}: {}</p>"#,
                against.title(),
                esc(&show(previous, money)),
            );
        }
        out.push_str("</li>");
    }
    out
}
