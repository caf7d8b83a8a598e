//! CSV export of purchases, for spreadsheets, through the app's one CSV writer
//! ([`crate::csv_writer`]: RFC 4180 records with CRLF, formula-like text neutralised,
//! the price column written as numbers). Two flavours: the default (comma separator,
//! decimal point) and the one German/French Excel opens directly (semicolon separator,
//! decimal comma), each optionally with a UTF-8 BOM so Excel detects the encoding.
//! Records are written as received, those the figures leave out (see
//! [`Exclusion`](super::Exclusion)) included.

use std::fmt::Write as _;

use jiff::civil::Date;

use super::instant::local_time;
use super::model::Purchase;
use crate::civil::ymd;
use crate::csv_writer::{Cell, CsvStyle, CsvWriter};
use crate::zone::Zone;
use crate::Millis;

/// Header row, in column order.
pub const CSV_COLUMNS: [&str; 11] = [
    "purchase_date",
    "payment_date",
    "payment_model",
    "sales_model",
    "price",
    "currency",
    "title",
    "article_id",
    "item_url",
    "expiry_date",
    "shared_user_id",
];

/// Output settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// Zone in which dates are written (with their offset, so they stay unambiguous).
    pub zone: Zone,
    /// Currency code written in every row (e.g. "EUR").
    pub currency: String,
    /// Start with a UTF-8 byte order mark (the same option as the merged export's).
    pub bom: bool,
    /// `;` separator and decimal comma instead of `,` and decimal point (the same option
    /// as the merged export's).
    pub semicolon: bool,
}

impl CsvOptions {
    /// Comma-separated, no BOM.
    pub fn new(zone: Zone, currency: &str) -> Self {
        CsvOptions {
            zone,
            currency: currency.to_string(),
            bom: false,
            semicolon: false,
        }
    }
}

/// Writes the purchases (header first) as CSV bytes, ready for a download blob.
pub fn purchases_csv<'a, I>(purchases: I, opts: &CsvOptions) -> Vec<u8>
where
    I: IntoIterator<Item = &'a Purchase>,
{
    let mut w = CsvWriter::new(CsvStyle {
        bom: opts.bom,
        semicolon: opts.semicolon,
    });
    w.header(&CSV_COLUMNS);
    // Reused buffers: no allocation per row beyond what the writer itself needs.
    let (mut bought, mut paid, mut expires) = Default::default();
    for p in purchases {
        write_iso(&mut bought, Some(p.purchase_time), &opts.zone);
        write_iso(&mut paid, p.payment_time.get(), &opts.zone);
        write_iso(&mut expires, p.expiry.get(), &opts.zone);
        w.record(&[
            Cell::Text(&bought),
            Cell::Text(&paid),
            Cell::Text(&p.payment_model),
            Cell::Text(&p.sales_model),
            Cell::Cents(p.price),
            Cell::Text(&opts.currency),
            Cell::Text(&p.title),
            Cell::Text(&p.article_id),
            Cell::Text(&p.item_url),
            Cell::Text(&expires),
            Cell::Text(&p.shared_user_id),
        ]);
    }
    w.into_bytes()
}

/// Minor units as a decimal amount with two digits: `1234` -> `"12.34"`, `-5` ->
/// `"-0.05"`, `"12,34"` with `decimal_comma`. Integer math only, no thousands separator;
/// exact for any sum (`i128`).
pub fn format_cents(cents: i128, decimal_comma: bool) -> String {
    crate::csv_writer::format_cents(cents, if decimal_comma { ',' } else { '.' })
}

/// `laterpay-purchases_<from>_<to>_<zone>.csv`, the zone's name made safe for file names
/// (`Europe/Berlin` -> `Europe-Berlin`, `UTC+05:30` -> `UTC+0530`).
pub fn csv_file_name(from: Date, to: Date, zone: &Zone) -> String {
    let zone: String = zone
        .name()
        .chars()
        .filter_map(|c| match c {
            '/' => Some('-'),
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+') => Some(c),
            _ => None,
        })
        .collect();
    let zone = if zone.is_empty() {
        "local".into()
    } else {
        zone
    };
    format!("laterpay-purchases_{}_{}_{zone}.csv", ymd(from), ymd(to))
}

/// Writes `2026-01-15T17:17:19+01:00` into `out` (milliseconds added only when
/// non-zero); empty for `None` or an instant with no calendar date. Instants past jiff's
/// range (`9999-12-31T23:59:59Z`) are written too: a record goes out as received.
fn write_iso(out: &mut String, ms: Option<Millis>, zone: &Zone) {
    out.clear();
    let Some(t) = ms.and_then(|ms| local_time(ms, zone)) else {
        return;
    };
    let secs_of_day = t.ms_of_day / 1000;
    let _ = write!(
        out,
        "{}T{:02}:{:02}:{:02}",
        ymd(t.date),
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    );
    let millis = t.ms_of_day % 1000;
    if millis != 0 {
        let _ = write!(out, ".{millis:03}");
    }
    let secs = t.offset_secs;
    let (sign, minutes) = (if secs < 0 { '-' } else { '+' }, secs.unsigned_abs() / 60);
    let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
}
