//! Revenue share by payment model: one horizontal 100% bar with a labelled key.

use std::fmt::Write as _;

use merchant_console_core::chart;
use merchant_console_core::purchases::Summary;

use super::{caption, money, swatch, table_markup, table_toggle};
use crate::history::format::{self, esc};

/// The whole figure: title, toggle, bar, key, summary sentence and (when shown) the table.
pub fn share_markup(s: &Summary, table_shown: bool) -> String {
    let sentence = if s.payment_share.iter().all(|sh| sh.revenue <= 0) {
        "No revenue in this range.".to_string()
    } else {
        let parts: Vec<String> = s
            .payment_share
            .iter()
            .map(|sh| {
                format!(
                    "{} {} ({})",
                    format::short(format::model(&sh.key)),
                    format::percent(sh.fraction),
                    format::money(sh.revenue, &s.currency)
                )
            })
            .collect();
        format!("Share of revenue by payment model: {}.", parts.join(", "))
    };
    let mut out = format!(
        r#"<figure class="mc-card mc-chart" aria-label="Revenue by payment model"><div class="mc-chart-head"><h4>Revenue by payment model</h4>{}</div><div class="mc-share-bar" role="img" aria-label="{}">"#,
        table_toggle("share", table_shown),
        esc(&sentence)
    );
    // Widths from the revenues themselves (the core's integer shares: they add up to the
    // whole bar; refunds-only models get none).
    let revenues: Vec<i128> = s.payment_share.iter().map(|sh| sh.revenue).collect();
    for (i, width) in chart::shares(&revenues, 10_000).into_iter().enumerate() {
        let _ = write!(
            out,
            r#"<span class="mc-s{}" data-css="width:{}"></span>"#,
            i % 8,
            chart::css_percent(width)
        );
    }
    out.push_str(r#"</div><ul class="mc-key">"#);
    for (i, sh) in s.payment_share.iter().enumerate() {
        let _ = write!(
            out,
            r#"<li>{} <span class="mc-key-name mc-clamp">{}</span> <span class="mc-key-value">{}</span> <span class="mc-muted">{} · {}</span></li>"#,
            swatch(i),
            format::api_text(format::model(&sh.key)),
            format::percent(sh.fraction),
            money(sh.revenue, &s.currency),
            format::plural(sh.count, "purchase", "purchases")
        );
    }
    out.push_str("</ul>");
    if table_shown {
        let rows = s.payment_share.iter().map(|sh| {
            vec![
                format::model(&sh.key).to_string(),
                format::percent(sh.fraction),
                format::money(sh.revenue, &s.currency),
                format::count(sh.count),
            ]
        });
        out.push_str(&table_markup(
            "mc-share-table",
            &format!("Revenue by payment model ({})", s.currency),
            &["Payment model", "Share", "Revenue", "Purchases"],
            rows,
        ));
    }
    out.push_str(&caption(&sentence));
    out.push_str("</figure>");
    out
}
