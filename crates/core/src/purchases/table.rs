//! Sorting and filtering for the purchases table.
//!
//! The table may hold 100,000+ rows, so these helpers return row indices (`u32`) into the
//! caller's slice instead of cloned purchases; the UI pages through the indices.

use std::cmp::Ordering;

use super::model::Purchase;
use super::span::LocalSpan;

/// Sortable column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortColumn {
    PurchaseDate,
    PaymentDate,
    PaymentModel,
    SalesModel,
    Price,
    Title,
    ArticleId,
    ItemUrl,
    ExpiryDate,
    Buyer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDir {
    Asc,
    Desc,
}

/// Indices of purchases matching `query`: a case-insensitive substring of the title,
/// article id, payment or sales model, or buyer id (a blank query matches everything),
/// and, when `within` is given, purchased on one of its local days. The span filter lets
/// the app keep one list holding the extra fetched days and the previous period.
pub fn filter_indices(purchases: &[Purchase], query: &str, within: Option<&LocalSpan>) -> Vec<u32> {
    let q: String = query.trim().chars().map(fold).collect();
    let range = within.map(LocalSpan::range_ms);
    let matches = |p: &Purchase| {
        [
            &p.title,
            &p.article_id,
            &p.payment_model,
            &p.sales_model,
            &p.shared_user_id,
        ]
        .iter()
        .any(|field| contains_ci(field, &q))
    };
    (0..purchases.len() as u32)
        .filter(|&i| {
            let p = &purchases[i as usize];
            range.as_ref().is_none_or(|r| r.contains(&p.purchase_time))
                && (q.is_empty() || matches(p))
        })
        .collect()
}

/// Sorts row indices by a column. Stable: equal rows keep their order (so sorting by
/// model after sorting by date keeps dates ordered within a model), also when descending.
/// Text compares ASCII-case-insensitively; missing dates sort first ascending.
pub fn sort_indices(purchases: &[Purchase], rows: &mut [u32], column: SortColumn, dir: SortDir) {
    let key = |i: u32| &purchases[i as usize];
    rows.sort_by(|&a, &b| {
        let ord = compare(key(a), key(b), column);
        match dir {
            SortDir::Asc => ord,
            SortDir::Desc => ord.reverse(),
        }
    });
}

/// Filter then sort: the rows the table shows (and, mapped back to purchases, what the
/// CSV download should contain).
pub fn view_indices(
    purchases: &[Purchase],
    query: &str,
    within: Option<&LocalSpan>,
    column: SortColumn,
    dir: SortDir,
) -> Vec<u32> {
    let mut rows = filter_indices(purchases, query, within);
    sort_indices(purchases, &mut rows, column, dir);
    rows
}

fn compare(a: &Purchase, b: &Purchase, column: SortColumn) -> Ordering {
    let text = |x: &str, y: &str| {
        x.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(y.bytes().map(|c| c.to_ascii_lowercase()))
    };
    match column {
        SortColumn::PurchaseDate => a.purchase_time.cmp(&b.purchase_time),
        SortColumn::PaymentDate => a.payment_time.cmp(&b.payment_time),
        SortColumn::ExpiryDate => a.expiry.cmp(&b.expiry),
        SortColumn::Price => a.price.cmp(&b.price),
        SortColumn::PaymentModel => text(&a.payment_model, &b.payment_model),
        SortColumn::SalesModel => text(&a.sales_model, &b.sales_model),
        SortColumn::Title => text(&a.title, &b.title),
        SortColumn::ArticleId => text(&a.article_id, &b.article_id),
        SortColumn::ItemUrl => text(&a.item_url, &b.item_url),
        SortColumn::Buyer => text(&a.shared_user_id, &b.shared_user_id),
    }
}

/// Whether `hay` contains the already folded `needle`, ignoring case. ASCII needles (the
/// usual case) are matched byte-wise; others char by char. Neither allocates.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_ascii() {
        let n = needle.as_bytes();
        hay.len() >= n.len()
            && hay
                .as_bytes()
                .windows(n.len())
                .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.char_indices().any(|(i, _)| {
            let mut rest = hay[i..].chars().map(fold);
            needle.chars().all(|n| rest.next() == Some(n))
        })
    }
}

/// Simple lower-casing for Latin (ASCII, Latin-1, Latin Extended-A), Greek and Cyrillic
/// capitals; other characters are kept. `char::to_lowercase` would cover every script
/// but brings about 7 KB (gzip) of Unicode tables into the wasm.
fn fold(c: char) -> char {
    let u = c as u32;
    let lower = match u {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => u + 32,
        0x130 => 0x69, // Turkish dotted I: plain i is what a search means
        0x100..=0x137 | 0x14A..=0x177 if u & 1 == 0 => u + 1,
        0x139..=0x148 | 0x179..=0x17E if u & 1 == 1 => u + 1,
        0x178 => 0xFF,
        0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => u + 32,
        0x400..=0x40F => u + 80,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn fold_matches_unicode_lowercase_where_it_applies() {
        let ranges = [0x0..0x250u32, 0x370..0x400, 0x400..0x530];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            let f = fold(c);
            if f != c {
                assert_eq!(c.to_lowercase().next(), Some(f), "{c}");
            }
        }
        for (upper, lower) in [
            ('Ä', 'ä'),
            ('Ł', 'ł'),
            ('Ÿ', 'ÿ'),
            ('Ž', 'ž'),
            ('Ω', 'ω'),
            ('Ж', 'ж'),
            ('Ё', 'ё'),
        ] {
            assert_eq!(fold(upper), lower);
        }
    }
}
