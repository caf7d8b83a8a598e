//! Top items as horizontal bars (by revenue or by purchases), and the top repeat buyers.

use std::fmt::Write as _;

use merchant_console_core::purchases::{ItemStat, Summary};

use super::{caption, linked, money, switch, table_markup, table_toggle};
use crate::history::format::{self, css_pct};

fn item_name(item: &ItemStat) -> String {
    if item.title.trim().is_empty() {
        format!("Article {}", item.article_id)
    } else {
        item.title.clone()
    }
}

/// The whole figure; `by` is 0 for revenue, 1 for purchases.
pub fn items_markup(s: &Summary, by: usize, table_shown: bool) -> String {
    let by_count = by == 1;
    let list = if by_count {
        &s.top_by_count
    } else {
        &s.top_by_revenue
    };
    let word = if by_count { "purchases" } else { "revenue" };
    let c = &s.currency;
    let sentence = match list.first() {
        None => "No items were sold in this range.".to_string(),
        Some(top) => format!(
            "The top item by {word} is \"{}\" with {} from {}.",
            format::short(&item_name(top)),
            format::money(top.revenue, c),
            format::plural(top.count, "purchase", "purchases")
        ),
    };
    let mut out = format!(
        r#"<figure class="mc-card mc-chart" aria-label="Top items"><div class="mc-chart-head"><h4>Top items</h4><div class="mc-chart-controls">{}{}</div></div><ol class="mc-items">"#,
        switch(
            "mc-items-by",
            "items-by",
            "Rank items by",
            ["By revenue", "By purchases"],
            by
        ),
        table_toggle("items", table_shown)
    );
    let value = |it: &ItemStat| {
        if by_count {
            i128::from(it.count)
        } else {
            it.revenue
        }
    };
    let max = list.iter().map(value).max().unwrap_or(1).max(1);
    for it in list {
        let amount = money(it.revenue, c);
        let count = format::plural(it.count, "purchase", "purchases");
        let (main, other) = if by_count {
            (count, amount)
        } else {
            (amount, count)
        };
        let _ = write!(
            out,
            r#"<li class="mc-item"><span class="mc-item-title">{}</span><span class="mc-item-bar" aria-hidden="true"><span class="mc-s{}" data-css="width:{}"></span></span><span class="mc-item-value">{main}<span class="mc-muted"> · {other}</span></span></li>"#,
            linked(&item_name(it), &it.item_url),
            if by_count { 2 } else { 0 },
            css_pct(value(it), max),
        );
    }
    out.push_str("</ol>");
    if table_shown {
        let rows = list.iter().enumerate().map(|(i, it)| {
            vec![
                format!("{}. {}", i + 1, item_name(it)),
                it.article_id.clone(),
                format::money(it.revenue, c),
                format::count(it.count),
            ]
        });
        out.push_str(&table_markup(
            "mc-items-table",
            &format!("Top items by {word} ({c})"),
            &["Item", "Article ID", "Revenue", "Purchases"],
            rows,
        ));
    }
    out.push_str(&caption(&sentence));
    out.push_str("</figure>");
    out
}

/// Buyers with more than one purchase, most purchases first.
pub fn repeat_markup(s: &Summary) -> String {
    let mut out = String::new();
    if s.top_repeat_buyers.is_empty() {
        out.push_str(r#"<p class="mc-empty">No buyer bought more than once in this range.</p>"#);
    } else {
        let rows = s.top_repeat_buyers.iter().map(|b| {
            vec![
                b.shared_user_id.clone(),
                format::count(b.purchases),
                format::money(b.revenue, &s.currency),
            ]
        });
        out.push_str(&table_markup(
            "mc-repeat-table",
            &format!(
                "Buyers with more than one purchase (top {}, {})",
                s.top_repeat_buyers.len(),
                s.currency
            ),
            &["Buyer (shared user id)", "Purchases", "Revenue"],
            rows,
        ));
    }
    out
}
