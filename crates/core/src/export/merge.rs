//! Merging the downloaded export files of one request into one file.
//!
//! Each Clover export file is `{"elements":[...]}` with up to 1000 objects; a request
//! has several exports (30-day chunks) with one or more files each. The app downloads
//! them one at a time and feeds each to a [`Merger`] as it arrives, so only the merged
//! output is kept in memory, not every raw body.
//!
//! * Output order is ascending `index` (give chunk order; files may arrive in any order).
//! * Objects are deduplicated by `id`: chunk ends are inclusive (see [`plan`](super::plan))
//!   but should the server round or include a boundary twice, the same object would
//!   appear in two neighbouring chunks.
//! * Bad elements (not an object, no usable `id`) are skipped and counted, never a panic.
//! * CSV goes through the app's one writer ([`crate::csv_writer`], the same as the
//!   purchases CSV): RFC 4180 with CRLF, optionally a UTF-8 BOM (`bom`) and `;` with
//!   decimal commas (`semicolon`). Amounts are numbers; every other cell, including an
//!   amount or a time that falls back to the object's raw text, is text, and text that a
//!   spreadsheet would run as a formula is neutralised, so a malicious order note stays
//!   text.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::model::{millis_from_value, ExportType};
use crate::csv_writer::{Cell, CsvStyle, CsvWriter};
use crate::range::{DateRange, TimeSpan};
use crate::Millis;

/// The merged file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// One JSON array of the original objects.
    Json,
    /// One original object per line.
    Ndjson,
    /// Flattened columns (see [`columns`]).
    Csv,
}

impl OutputFormat {
    /// File extension without dot.
    pub fn extension(&self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            OutputFormat::Csv => "csv",
        }
    }

    /// MIME type for the download.
    pub fn mime_type(&self) -> &'static str {
        match self {
            OutputFormat::Json => "application/json",
            OutputFormat::Ndjson => "application/x-ndjson",
            OutputFormat::Csv => "text/csv;charset=utf-8",
        }
    }
}

/// Options of a [`Merger`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeOptions {
    /// ORDERS or PAYMENTS (selects the CSV columns).
    pub export_type: ExportType,
    /// Output format.
    pub format: OutputFormat,
    /// CSV only: start with a UTF-8 BOM so Excel detects UTF-8 (the same option as the
    /// purchases CSV's).
    pub bom: bool,
    /// CSV only: `;` separator and decimal comma (European Excel; the same option as the
    /// purchases CSV's).
    pub semicolon: bool,
    /// CSV payments only: currency to show when the object has none (payments carry no
    /// currency; the merchant's currency may be known from elsewhere).
    pub default_currency: Option<String>,
}

impl MergeOptions {
    /// Defaults: no BOM, `,` separator, no default currency.
    pub fn new(export_type: ExportType, format: OutputFormat) -> Self {
        Self {
            export_type,
            format,
            bom: false,
            semicolon: false,
            default_currency: None,
        }
    }
}

/// Counts for one file, or totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Objects written.
    pub added: usize,
    /// Objects dropped because their id was already seen.
    pub duplicates: usize,
    /// Elements dropped because they are not objects or have no usable id.
    pub skipped: usize,
}

/// Why a file could not be merged (the merger is unchanged in that case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeError {
    /// The body is not JSON.
    InvalidJson(String),
    /// The body is JSON but has no `elements` list.
    NoElements,
    /// A file with this index was already added.
    DuplicateIndex(usize),
    /// Writing CSV failed (should not happen with in-memory buffers).
    Csv(String),
}

impl core::fmt::Display for MergeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MergeError::InvalidJson(e) => write!(f, "the file is not valid JSON: {e}"),
            MergeError::NoElements => f.write_str("the file has no \"elements\" list"),
            MergeError::DuplicateIndex(i) => write!(f, "file {i} was already added"),
            MergeError::Csv(e) => write!(f, "CSV error: {e}"),
        }
    }
}

impl std::error::Error for MergeError {}

/// CSV columns for ORDERS.
pub const ORDER_COLUMNS: [&str; 14] = [
    "id",
    "created_time",
    "modified_time",
    "currency",
    "total",
    "payment_state",
    "state",
    "pay_type",
    "title",
    "note",
    "employee_id",
    "device_id",
    "manual_transaction",
    "test_mode",
];

/// CSV columns for PAYMENTS.
pub const PAYMENT_COLUMNS: [&str; 17] = [
    "id",
    "order_id",
    "created_time",
    "modified_time",
    "amount",
    "tip_amount",
    "tax_amount",
    "cashback_amount",
    "currency",
    "result",
    "tender_label",
    "card_type",
    "entry_type",
    "last4",
    "employee_id",
    "device_id",
    "offline",
];

/// The CSV columns of a type.
pub fn columns(t: ExportType) -> &'static [&'static str] {
    match t {
        ExportType::Orders => &ORDER_COLUMNS,
        ExportType::Payments => &PAYMENT_COLUMNS,
    }
}

/// Merges export files fed one at a time. See the [module docs](self).
#[derive(Debug)]
pub struct Merger {
    opts: MergeOptions,
    seen: HashSet<String>,
    /// Rendered files by index, kept sorted (a few hundred at most: no tree needed, and
    /// a `BTreeMap` of its own costs kilobytes of wasm).
    parts: Vec<(usize, Vec<u8>)>,
    totals: FileStats,
}

impl Merger {
    /// An empty merger.
    pub fn new(opts: MergeOptions) -> Self {
        Self {
            opts,
            seen: HashSet::new(),
            parts: Vec::new(),
            totals: FileStats::default(),
        }
    }

    /// The options.
    pub fn options(&self) -> &MergeOptions {
        &self.opts
    }

    /// Totals over the files added so far.
    pub fn totals(&self) -> FileStats {
        self.totals
    }

    /// Number of files added.
    pub fn files(&self) -> usize {
        self.parts.len()
    }

    /// Adds one downloaded file. `index` orders the output (use chunk order, then file
    /// order within the export, e.g. a running counter). Accepts `{"elements":[...]}`,
    /// `{"elements":{...}}` (a single object) or a bare array.
    pub fn add_file(&mut self, index: usize, body: &str) -> Result<FileStats, MergeError> {
        let Err(at) = self.parts.binary_search_by_key(&index, |(i, _)| *i) else {
            return Err(MergeError::DuplicateIndex(index));
        };
        let v: Value = serde_json::from_str(body.trim_start_matches('\u{feff}'))
            .map_err(|e| MergeError::InvalidJson(e.to_string()))?;
        let elements = match v {
            Value::Object(mut m) => match m.remove("elements") {
                Some(Value::Array(a)) => a,
                Some(o @ Value::Object(_)) => vec![o],
                Some(Value::Null) => Vec::new(),
                _ => return Err(MergeError::NoElements),
            },
            Value::Array(a) => a,
            _ => return Err(MergeError::NoElements),
        };

        let mut stats = FileStats::default();
        let mut kept: Vec<Map<String, Value>> = Vec::with_capacity(elements.len());
        let mut new_ids: HashSet<String> = HashSet::new();
        for el in elements {
            let Value::Object(obj) = el else {
                stats.skipped += 1;
                continue;
            };
            let Some(id) = id_of(&obj) else {
                stats.skipped += 1;
                continue;
            };
            if self.seen.contains(&id) || !new_ids.insert(id) {
                stats.duplicates += 1;
                continue;
            }
            kept.push(obj);
        }
        let part = self.render(&kept)?;
        // Only now, with nothing left that can fail, commit the file.
        self.seen.extend(new_ids);
        stats.added = kept.len();
        self.parts.insert(at, (index, part));
        self.totals.added += stats.added;
        self.totals.duplicates += stats.duplicates;
        self.totals.skipped += stats.skipped;
        Ok(stats)
    }

    fn render(&self, objs: &[Map<String, Value>]) -> Result<Vec<u8>, MergeError> {
        let mut out = Vec::new();
        match self.opts.format {
            OutputFormat::Json | OutputFormat::Ndjson => {
                for o in objs {
                    // Serialising a Map of Values cannot fail.
                    let s = serde_json::to_string(o).map_err(|e| MergeError::Csv(e.to_string()))?;
                    out.extend_from_slice(s.as_bytes());
                    out.push(b'\n');
                }
            }
            OutputFormat::Csv => {
                let mut w = CsvWriter::fragment(self.csv_style());
                for o in objs {
                    let row = self.csv_row(o);
                    let cells: Vec<Cell> = row.iter().map(CsvValue::cell).collect();
                    w.record(&cells);
                }
                out = w.into_bytes();
            }
        }
        Ok(out)
    }

    fn csv_style(&self) -> CsvStyle {
        CsvStyle {
            bom: self.opts.bom,
            semicolon: self.opts.semicolon,
        }
    }

    fn csv_row(&self, o: &Map<String, Value>) -> Vec<CsvValue> {
        let text = |v: Option<&Value>| CsvValue::Text(text_cell(v));
        let money = |key: &str| money_cell(o.get(key));
        let time = |key: &str| time_cell(o.get(key));
        let nested = |outer: &str, inner: &str| o.get(outer).and_then(|v| v.get(inner));
        match self.opts.export_type {
            ExportType::Orders => vec![
                text(o.get("id")),
                time("createdTime"),
                time("modifiedTime"),
                text(o.get("currency")),
                money("total"),
                text(o.get("paymentState")),
                text(o.get("state")),
                text(o.get("payType")),
                text(o.get("title")),
                text(o.get("note")),
                text(nested("employee", "id")),
                text(nested("device", "id")),
                text(o.get("manualTransaction")),
                text(o.get("testMode")),
            ],
            ExportType::Payments => {
                let currency = match o.get("currency") {
                    Some(v) if !v.is_null() => text(Some(v)),
                    _ => CsvValue::Text(self.opts.default_currency.clone().unwrap_or_default()),
                };
                vec![
                    text(o.get("id")),
                    text(nested("order", "id")),
                    time("createdTime"),
                    time("modifiedTime"),
                    money("amount"),
                    money("tipAmount"),
                    money("taxAmount"),
                    money("cashbackAmount"),
                    currency,
                    text(o.get("result")),
                    text(nested("tender", "label")),
                    text(nested("cardTransaction", "cardType")),
                    text(nested("cardTransaction", "entryType")),
                    text(nested("cardTransaction", "last4")),
                    text(nested("employee", "id")),
                    text(nested("device", "id")),
                    text(o.get("offline")),
                ]
            }
        }
    }

    /// The merged file, in index order.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.opts.format {
            OutputFormat::Json => {
                out.extend_from_slice(b"[");
                let mut first = true;
                for line in self
                    .parts
                    .iter()
                    .flat_map(|(_, p)| p.split(|&b| b == b'\n'))
                {
                    if line.is_empty() {
                        continue;
                    }
                    out.extend_from_slice(if first { b"\n" } else { b",\n" });
                    out.extend_from_slice(line);
                    first = false;
                }
                out.extend_from_slice(if first { b"]\n" } else { b"\n]\n" });
            }
            OutputFormat::Ndjson => {
                for (_, p) in &self.parts {
                    out.extend_from_slice(p);
                }
            }
            OutputFormat::Csv => {
                let mut w = CsvWriter::new(self.csv_style());
                w.header(columns(self.opts.export_type));
                for (_, p) in &self.parts {
                    w.append(p);
                }
                out = w.into_bytes();
            }
        }
        out
    }

    /// [`finish`](Self::finish) as a `String` (the output is always UTF-8).
    pub fn finish_string(self) -> String {
        String::from_utf8(self.finish()).unwrap_or_default()
    }
}

fn id_of(o: &Map<String, Value>) -> Option<String> {
    match o.get("id")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// A CSV cell of the merged file before writing: a number or text.
enum CsvValue {
    Text(String),
    Cents(i64),
}

impl CsvValue {
    fn cell(&self) -> Cell<'_> {
        match self {
            CsvValue::Text(s) => Cell::Text(s),
            CsvValue::Cents(c) => Cell::Cents(*c),
        }
    }
}

/// An amount in cents as a number; anything else the object holds there as text.
fn money_cell(v: Option<&Value>) -> CsvValue {
    match v.and_then(millis_from_value) {
        Some(cents) => CsvValue::Cents(cents),
        None => CsvValue::Text(text_cell(v)),
    }
}

/// Epoch ms as ISO-8601 UTC text; anything else the object holds there as text.
fn time_cell(v: Option<&Value>) -> CsvValue {
    CsvValue::Text(
        match v.and_then(millis_from_value).and_then(format_millis_utc) {
            Some(s) => s,
            None => text_cell(v),
        },
    )
}

/// Integer cents as currency units with two decimals, integer math only:
/// `1234 -> "12.34"`, `-5 -> "-0.05"`, `i64::MIN` included. `dec` is the decimal mark.
pub fn format_cents(cents: i64, dec: char) -> String {
    crate::csv_writer::format_cents(cents.into(), dec)
}

/// Epoch ms as ISO-8601 UTC with millisecond precision and `Z`:
/// `2026-01-01T10:00:00.000Z`. `None` outside jiff's range.
pub fn format_millis_utc(ms: Millis) -> Option<String> {
    // Checked first so the result matches jiff's range; printed by hand (jiff's printer
    // is several KB of wasm).
    jiff::Timestamp::from_millisecond(ms).ok()?;
    Some(format!(
        "{}.{:03}Z",
        crate::civil::utc_date_time(ms, 'T'),
        ms.rem_euclid(1000)
    ))
}

/// A download file name stating type, range, zone and format:
/// `clover-orders_2026-01-01_2026-03-16_UTC.csv`. The zone name is made file-safe
/// (`Europe/Berlin` → `Europe-Berlin`).
pub fn file_name(t: ExportType, range: &DateRange, zone: &str, format: OutputFormat) -> String {
    let zone: String = zone
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let zone = if zone.is_empty() {
        "UTC".to_string()
    } else {
        zone
    };
    format!(
        "clover-{}_{}_{}_{}.{}",
        t.slug(),
        crate::civil::ymd(range.from),
        crate::civil::ymd(range.to),
        zone,
        format.extension()
    )
}

/// A file name for a span without picked dates: the UTC dates of its ends.
pub fn file_name_for_span(t: ExportType, span: TimeSpan, format: OutputFormat) -> String {
    let tz = crate::zone::Zone::utc();
    match (
        crate::range::local_date(span.start, &tz),
        crate::range::local_date(span.end, &tz),
    ) {
        (Ok(from), Ok(to)) => file_name(t, &DateRange { from, to }, "UTC", format),
        _ => format!("clover-{}.{}", t.slug(), format.extension()),
    }
}

impl super::queue::ExportRequest {
    /// The download file name of this request's merged output.
    pub fn file_name(&self, format: OutputFormat) -> String {
        match &self.label {
            Some(l) => file_name(self.export_type, &l.range, &l.zone, format),
            None => file_name_for_span(self.export_type, self.span, format),
        }
    }

    /// Options for merging this request's files.
    pub fn merge_options(&self, format: OutputFormat) -> MergeOptions {
        MergeOptions::new(self.export_type, format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents() {
        assert_eq!(format_cents(1234, '.'), "12.34");
        assert_eq!(format_cents(-5, ','), "-0,05");
        assert_eq!(format_cents(0, '.'), "0.00");
        assert_eq!(format_cents(-100, '.'), "-1.00");
        assert_eq!(format_cents(i64::MIN, '.'), "-92233720368547758.08");
    }

    #[test]
    fn iso_times() {
        assert_eq!(format_millis_utc(0).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_millis_utc(1_767_261_600_123).unwrap(),
            "2026-01-01T10:00:00.123Z"
        );
    }
}
