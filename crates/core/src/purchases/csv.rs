//! CSV export of purchases, for spreadsheets.
//!
//! Quoting is left to the `csv` crate. Two flavours: the default (comma separator,
//! decimal point) and the one German/French Excel opens directly (semicolon separator,
//! decimal comma), each optionally with a UTF-8 BOM so Excel detects the encoding.

use std::fmt::Write as _;

use jiff::civil::Date;

use super::model::Purchase;
use crate::civil::ymd;
use crate::csv_writer::CsvWriter;
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
    /// Start with a UTF-8 byte order mark.
    pub bom: bool,
    /// `;` separator and decimal comma instead of `,` and decimal point.
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
    let mut out = Vec::new();
    if opts.bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = CsvWriter::new(out, if opts.semicolon { b';' } else { b',' }, false);
    w.record(CSV_COLUMNS);
    // Reused buffers: no allocation per row beyond what the writer itself needs.
    let (mut bought, mut paid, mut expires, mut price) = Default::default();
    for p in purchases {
        write_iso(&mut bought, Some(p.purchase_time), &opts.zone);
        write_iso(&mut paid, p.payment_time, &opts.zone);
        write_iso(&mut expires, p.expiry, &opts.zone);
        write_cents(&mut price, p.price, opts.semicolon);
        w.record([
            &bought,
            &paid,
            &p.payment_model,
            &p.sales_model,
            &price,
            &opts.currency,
            &p.title,
            &p.article_id,
            &p.item_url,
            &expires,
            &p.shared_user_id,
        ]);
    }
    w.into_inner()
}

/// Minor units as a decimal amount with two digits: `1234` -> `"12.34"`, `-5` ->
/// `"-0.05"`, `"12,34"` with `decimal_comma`. Integer math only, no thousands separator.
pub fn format_cents(cents: i64, decimal_comma: bool) -> String {
    let mut out = String::new();
    write_cents(&mut out, cents, decimal_comma);
    out
}

fn write_cents(out: &mut String, cents: i64, decimal_comma: bool) {
    let abs = cents.unsigned_abs();
    let sign = if cents < 0 { "-" } else { "" };
    let sep = if decimal_comma { ',' } else { '.' };
    out.clear();
    let _ = write!(out, "{sign}{}{sep}{:02}", abs / 100, abs % 100);
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
/// non-zero); empty for `None` or an instant out of range.
fn write_iso(out: &mut String, ms: Option<Millis>, zone: &Zone) {
    out.clear();
    let Some(ms) = ms.filter(|ms| jiff::Timestamp::from_millisecond(*ms).is_ok()) else {
        return;
    };
    let (date, in_day) = zone.local_at(ms);
    let secs_of_day = in_day / 1000;
    let _ = write!(
        out,
        "{}T{:02}:{:02}:{:02}",
        ymd(date),
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    );
    let millis = in_day % 1000;
    if millis != 0 {
        let _ = write!(out, ".{millis:03}");
    }
    let secs = zone.offset_secs(ms);
    let (sign, minutes) = (if secs < 0 { '-' } else { '+' }, secs.unsigned_abs() / 60);
    let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
}
