//! Summary cards: the span's headline figures with their change against the period they are
//! compared with (the previous period, last year, or nothing), and the notice of records the
//! figures leave out.

use merchant_console_core::purchases::{percent_change, Comparison, Excluded, Summary};
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

/// "3 records skipped: price out of range" for each reason, in the span and in the
/// period it is compared with (`against`); empty when nothing was left out.
pub fn excluded_markup(s: &Summary, against: Option<Comparison>) -> String {
    if s.excluded.total() + s.previous_excluded.total() == 0 {
        return String::new();
    }
    let lines = |e: &Excluded, period: String| {
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
        lines(&s.excluded, String::new()),
        lines(
            &s.previous_excluded,
            against.map_or(String::new(), |c| format!("{}: ", c.title()))
        )
    )
}
