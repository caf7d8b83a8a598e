//! The purchases table: sort, filter and 50-row pages over index vectors from the core (only
//! the visible page is drawn, so 100,000 rows stay smooth), and CSV of the filtered rows.

use std::fmt::Write as _;

use merchant_console_core::purchases::{
    csv_file_name, purchases_csv, CsvOptions, SortColumn, SortDir,
};

use super::charts::{button, linked, money};
use super::fetch::Loaded;
use super::format::{self, esc};
use crate::save::save_file;

pub const PAGE_SIZE: usize = 50;

/// Columns in display order: sort key, header text, whether the time zone is named.
pub const COLUMNS: [(SortColumn, &str, bool); 9] = [
    (SortColumn::PurchaseDate, "Purchased", true),
    (SortColumn::Title, "Title", false),
    (SortColumn::ArticleId, "Article ID", false),
    (SortColumn::SalesModel, "Sales model", false),
    (SortColumn::PaymentModel, "Payment model", false),
    (SortColumn::Price, "Price", false),
    (SortColumn::Buyer, "Buyer", false),
    (SortColumn::PaymentDate, "Paid", true),
    (SortColumn::ExpiryDate, "Expires", true),
];

/// The filter field and the CSV options: drawn once, never redrawn (typing keeps focus).
pub fn tools_markup() -> String {
    r#"<div class="mc-row mc-table-tools"><div class="mc-field mc-inline-field"><label for="mc-history-filter">Filter purchases</label><input id="mc-history-filter" type="search" placeholder="Title, article, model or buyer" autocomplete="off"></div><fieldset class="mc-download"><legend>CSV of the filtered rows</legend><label class="mc-check"><input type="checkbox" id="mc-history-bom"> Excel (UTF-8 BOM)</label><label class="mc-check"><input type="checkbox" id="mc-history-semicolon"> Semicolons and decimal commas</label><button type="button" class="mc-secondary" id="mc-history-csv" data-act="csv">Download CSV</button></fieldset></div>"#.to_string()
}

/// "Showing 1–50 of 4,321 purchases (filtered from 9,876)." and the last download message.
pub fn status_markup(shown: usize, total: usize, page: usize, message: &str) -> String {
    let mut text = if shown == 0 {
        "No purchases match the filter.".to_string()
    } else {
        let start = page * PAGE_SIZE;
        format!(
            "Showing {}–{} of {}",
            format::count(start as u64 + 1),
            format::count((start + PAGE_SIZE).min(shown) as u64),
            format::plural(shown as u64, "purchase", "purchases")
        )
    };
    if shown != total {
        let _ = write!(text, " (filtered from {})", format::count(total as u64));
    }
    if shown != 0 {
        text.push('.');
    }
    format!(
        r#"<p class="mc-muted" role="status">{}</p><p class="mc-muted">{}</p>"#,
        esc(&text),
        esc(message)
    )
}

/// The table with its sort buttons (`aria-sort` on the sorted column) and one page of rows.
pub fn table_markup(
    data: &Loaded,
    rows: &[u32],
    page: usize,
    sort: (SortColumn, SortDir),
) -> String {
    let r = &data.request;
    let zone = &r.span.zone;
    let mut out = format!(
        r#"<div class="mc-table-scroll"><table class="mc-table mc-purchases"><caption class="mc-visually-hidden">Purchases; times in {}, prices in {}</caption><thead><tr>"#,
        esc(&r.zone_name),
        esc(&r.currency)
    );
    for (i, (column, text, zoned)) in COLUMNS.iter().enumerate() {
        let (state, mark) = match (*column == sort.0, sort.1) {
            (true, SortDir::Asc) => ("ascending", "▲"),
            (true, SortDir::Desc) => ("descending", "▼"),
            _ => ("none", "↕"),
        };
        let label = if *zoned {
            format!("{text} ({})", esc(&r.zone_name))
        } else {
            text.to_string()
        };
        let inner =
            format!(r#"{label} <span class="mc-sort-mark" aria-hidden="true">{mark}</span>"#);
        let _ = write!(
            out,
            r#"<th scope="col" aria-sort="{state}">{}</th>"#,
            button(
                &format!("mc-sort-{i}"),
                "sort",
                &i.to_string(),
                None,
                "mc-sort",
                &inner
            )
        );
    }
    out.push_str("</tr></thead><tbody>");
    for &i in rows.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE) {
        let p = &data.current[i as usize];
        let title = if p.title.is_empty() {
            &p.item_url
        } else {
            &p.title
        };
        let _ = write!(
            out,
            r#"<tr><td class="mc-nowrap">{}</td><td class="mc-text"><span class="mc-clamp">{}</span></td><td class="mc-text"><span class="mc-clamp">{}</span></td><td class="mc-text"><span class="mc-clamp">{}</span></td><td class="mc-text"><span class="mc-clamp">{}</span></td><td class="mc-num">{}</td><td class="mc-mono mc-text"><span class="mc-clamp">{}</span></td><td class="mc-nowrap">{}</td><td class="mc-nowrap">{}</td></tr>"#,
            format::instant(p.purchase_time, zone),
            linked(title, &p.item_url),
            format::api_text(&p.article_id),
            format::api_text(&p.sales_model),
            format::api_text(&p.payment_model),
            money(p.price.into(), &r.currency),
            format::api_text(&p.shared_user_id),
            format::instant_opt(p.payment_time.get(), zone),
            format::instant_opt(p.expiry.get(), zone),
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

/// Previous / "Page X of Y" / next.
pub fn pager_markup(page: usize, pages: usize) -> String {
    let disabled = |d: bool| if d { " disabled" } else { "" };
    format!(
        r#"<nav class="mc-row mc-pager" aria-label="Purchases pages"><button type="button" class="mc-secondary" id="mc-page-prev" data-act="page" data-v="prev"{}>Previous page</button><span>Page {} of {}</span><button type="button" class="mc-secondary" id="mc-page-next" data-act="page" data-v="next"{}>Next page</button></nav>"#,
        disabled(page == 0),
        page + 1,
        pages,
        disabled(page + 1 >= pages)
    )
}

/// Writes the rows as CSV through the core and saves the file; returns the message to show.
pub fn download(data: &Loaded, rows: &[u32], bom: bool, semicolon: bool) -> String {
    let r = &data.request;
    let options = CsvOptions {
        zone: r.span.zone.clone(),
        currency: r.currency.clone(),
        bom,
        semicolon,
    };
    let bytes = purchases_csv(rows.iter().map(|&i| &data.current[i as usize]), &options);
    let name = csv_file_name(r.range.from, r.range.to, &r.span.zone);
    match save_file(&name, "text/csv;charset=utf-8", &bytes) {
        Ok(()) => format!(
            "Saved {name} ({}).",
            format::plural(rows.len() as u64, "row", "rows")
        ),
        Err(e) => e,
    }
}
