//! The three hostile-input pipelines, each with the invariants it must keep, shared by
//! the proptest versions (`tests/hostile_props.rs`) and the fuzz targets (`fuzz/`, which
//! include this file by path). A broken invariant panics, which is what both report.
//!
//! 1. [`purchases`]: a purchase-history body -> decode -> aggregate -> chart model -> CSV.
//! 2. [`export_object`]: a Clover export object (create/poll answer) -> decode -> URLs.
//! 3. [`merge`]: arbitrary file bodies -> `Merger` -> every output format.

#![allow(dead_code)]

use jiff::civil::date;
use merchant_console_core::chart::{self, BarChart, Scale};
use merchant_console_core::csv_writer::{format_cents, is_formula_like};
use merchant_console_core::export::{
    error_message, merge::columns, safe_http_url, Export, ExportType, MergeOptions, Merger,
    OutputFormat,
};
use merchant_console_core::purchases::{
    parse_response, purchases_csv, summarize, AggregateOptions, BucketSize, CsvOptions, Exclusion,
    LocalSpan, Purchase, Summary, CSV_COLUMNS,
};
use merchant_console_core::zone::Zone;

/// Plot size of the app's revenue chart.
const W: i64 = 10_000;
const H: i64 = 3_000;

/// The span the purchase pipeline reads bodies for: 2026 Q1, with Q4 2025 before it.
pub fn span(zone: Zone) -> LocalSpan {
    LocalSpan::new(date(2026, 1, 1), date(2026, 3, 31), zone)
}

/// Runs a purchase-history body through everything the dashboard and the download do,
/// for the given bucket size and CSV style, and checks the results.
pub fn purchases(body: &[u8], bucket: BucketSize, zone: Zone, semicolon: bool, bom: bool) {
    let Ok(decoded) = parse_response(body) else {
        return;
    };
    let span = span(zone.clone());
    let all = decoded.purchases;
    let mut options = AggregateOptions::new(&span, 1_767_225_600_000 + 40 * 86_400_000, "EUR");
    options.bucket = bucket;
    let summary = summarize(&all, &span, &options);
    check_summary(&summary, &all, &span);
    check_charts(&summary);

    let csv_options = CsvOptions {
        bom,
        semicolon,
        ..CsvOptions::new(zone, "EUR")
    };
    let bytes = purchases_csv(&all, &csv_options);
    check_purchases_csv(&bytes, &all, semicolon, bom);
}

/// Totals equal an independent recount of the records that may be counted; every
/// record left out is counted once, under its reason.
fn check_summary(s: &Summary, all: &[Purchase], span: &LocalSpan) {
    let (range, prev) = (span.range_ms(), span.previous().range_ms());
    let (mut revenue, mut count, mut price_out, mut date_out) = (0_i128, 0_u64, 0, 0);
    let (mut prev_revenue, mut prev_count) = (0_i128, 0_u64);
    for p in all {
        match Exclusion::of(p) {
            Some(Exclusion::DateOutOfRange) => date_out += 1,
            Some(Exclusion::PriceOutOfRange) if range.contains(&p.purchase_time) => price_out += 1,
            Some(Exclusion::PriceOutOfRange) => {}
            None if range.contains(&p.purchase_time) => {
                revenue += i128::from(p.price);
                count += 1;
            }
            None if prev.contains(&p.purchase_time) => {
                prev_revenue += i128::from(p.price);
                prev_count += 1;
            }
            None => {}
        }
    }
    assert_eq!(s.totals.revenue, revenue);
    assert_eq!(s.totals.purchases, count);
    assert_eq!(s.previous.revenue, prev_revenue);
    assert_eq!(s.previous.purchases, prev_count);
    assert_eq!(s.excluded.price_out_of_range, price_out);
    assert_eq!(s.excluded.date_out_of_range, date_out);
    assert_eq!(s.buckets.iter().map(|b| b.revenue).sum::<i128>(), revenue);
    for list in [&s.by_sales_model, &s.by_payment_model] {
        assert!(list.len() <= merchant_console_core::purchases::MAX_SERIES);
        assert_eq!(list.iter().map(|x| x.total_revenue).sum::<i128>(), revenue);
        assert_eq!(list.iter().map(|x| x.total_count).sum::<u64>(), count);
        for x in list.iter() {
            assert_eq!(x.revenue.len(), s.buckets.len());
        }
    }
    if count > 0 {
        let avg = s.totals.average_price;
        let (lo, hi) = (
            all.iter().map(|p| i128::from(p.price)).min().unwrap(),
            all.iter().map(|p| i128::from(p.price)).max().unwrap(),
        );
        assert!(lo <= avg && avg <= hi, "average {avg} outside {lo}..{hi}");
    }
}

/// Every chart the dashboard draws stays inside its plot, whatever the values.
fn check_charts(s: &Summary) {
    for list in [&s.by_sales_model, &s.by_payment_model] {
        let series: Vec<&[i128]> = list.iter().map(|x| x.revenue.as_slice()).collect();
        let prev: Vec<i128> = s.buckets.iter().map(|b| b.revenue / 2 - 7).collect();
        for line in [None, Some(prev.as_slice())] {
            let c = BarChart::stacked(&series, s.buckets.len(), line, W, H);
            check_bar_chart(&c, s.buckets.len());
        }
        let totals: Vec<i128> = list.iter().map(|x| x.total_revenue).collect();
        check_shares(&totals);
    }
    let fractions: Vec<f64> = s.payment_share.iter().map(|x| x.fraction).collect();
    assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)));
    if s.payment_share.iter().any(|x| x.revenue > 0) {
        assert!((fractions.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
    let items: Vec<i128> = s.top_by_revenue.iter().map(|i| i.revenue).collect();
    let max = items.iter().copied().max().unwrap_or(1).max(1);
    for v in items {
        let bp = chart::basis_points(v, max);
        assert!((0..=10_000).contains(&bp));
    }
}

/// Geometry of a stacked bar chart: inside the plot, segments of positive height that
/// tile each stack, a bounded number of ticks, and a scale that covers the data.
pub fn check_bar_chart(c: &BarChart, buckets: usize) {
    let s = c.scale;
    assert!(s.min <= 0 && 0 <= s.max && s.min < s.max && s.step > 0);
    assert_eq!(s.min % s.step, 0);
    assert_eq!(s.max % s.step, 0);
    assert!(
        c.ticks.len() >= 2 && c.ticks.len() <= 8,
        "{} ticks",
        c.ticks.len()
    );
    assert!((0..=c.height).contains(&c.zero_y));
    assert_eq!(c.bars.len(), buckets);
    let mut right = 0;
    for b in &c.bars {
        assert_eq!(b.slot_x, right, "slots tile the width");
        right = b.slot_x + b.slot_width;
        assert!(b.x >= b.slot_x && b.x + b.width <= b.slot_x + b.slot_width && b.width >= 0);
        assert!(0 <= b.top && b.top <= c.zero_y && c.zero_y <= b.bottom && b.bottom <= c.height);
        for seg in &b.segments {
            assert!(seg.height > 0 && seg.y >= 0 && seg.y + seg.height <= c.height);
            assert!(seg.y >= b.top && seg.y + seg.height <= b.bottom);
        }
    }
    if buckets > 0 {
        assert_eq!(right, c.width);
    }
    for &(x, y) in &c.line {
        assert!((0..=c.width).contains(&x) && (0..=c.height).contains(&y));
    }
}

/// The parts of a 100 % bar add up to the whole bar.
pub fn check_shares(values: &[i128]) {
    let lengths = chart::shares(values, 10_000);
    assert_eq!(lengths.len(), values.len());
    assert!(lengths.iter().all(|l| *l >= 0));
    let sum: i64 = lengths.iter().sum();
    if values.iter().any(|v| *v > 0) {
        assert_eq!(sum, 10_000);
    } else {
        assert_eq!(sum, 0);
    }
}

/// Checks a scale at arbitrary ends.
pub fn check_scale(lo: i128, hi: i128) {
    let s = Scale::covering(lo, hi);
    assert!(s.min <= lo.clamp(-chart::VALUE_LIMIT, 0));
    assert!(s.max >= hi.clamp(0, chart::VALUE_LIMIT));
    let ticks: Vec<i128> = s.ticks().collect();
    assert!(ticks.len() >= 2 && ticks.len() <= 8);
    assert_eq!(ticks[0], s.min);
    assert_eq!(*ticks.last().unwrap(), s.max);
    for v in [lo, hi, 0, s.min, s.max] {
        let o = s.offset(v, 3_000);
        assert!((0..=3_000).contains(&o));
    }
}

/// Reads a CSV back with the `csv` crate: `(header, records)`, checking the file shape.
fn read_back(bytes: &[u8], semicolon: bool, bom: bool) -> Vec<Vec<String>> {
    let body = match bom {
        true => bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM first"),
        false => bytes,
    };
    assert!(body.ends_with(b"\r\n"), "CRLF after the last record");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if semicolon { b';' } else { b',' })
        .has_headers(false)
        .flexible(false)
        .from_reader(body);
    reader
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// No text cell of a file is live: formula-like text only in number columns, and there
/// only as a plain decimal number.
fn assert_no_live_formula(rows: &[Vec<String>], number_columns: &[usize], semicolon: bool) {
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if is_formula_like(cell) {
                assert!(
                    number_columns.contains(&i) && is_decimal(cell, semicolon),
                    "live formula in column {i}: {cell:?}"
                );
            }
        }
    }
}

/// `-?digits` then the decimal mark and two digits.
pub fn is_decimal(cell: &str, semicolon: bool) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mark = if semicolon { ',' } else { '.' };
    match digits.split_once(mark) {
        Some((whole, frac)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && frac.len() == 2
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// A text cell as written: the original, or `'` and the original when it looked like a
/// formula.
pub fn written_text(original: &str) -> String {
    if is_formula_like(original) {
        format!("'{original}")
    } else {
        original.to_string()
    }
}

fn check_purchases_csv(bytes: &[u8], all: &[Purchase], semicolon: bool, bom: bool) {
    let rows = read_back(bytes, semicolon, bom);
    assert_eq!(
        rows.len(),
        all.len() + 1,
        "a header and one record per purchase"
    );
    assert_eq!(rows[0], CSV_COLUMNS);
    let price = CSV_COLUMNS.iter().position(|c| *c == "price").unwrap();
    assert_no_live_formula(&rows, &[price], semicolon);
    let mark = if semicolon { ',' } else { '.' };
    for (row, p) in rows[1..].iter().zip(all) {
        assert_eq!(
            row[price],
            format_cents(p.price.into(), mark),
            "every price as received"
        );
        assert!(is_decimal(&row[price], semicolon));
        assert_eq!(row[6], written_text(&p.title));
        assert_eq!(row[8], written_text(&p.item_url));
        assert_eq!(row[2], written_text(&p.payment_model));
    }
}

/// Decodes a Clover export object as the queue would, and checks what the app would
/// show or follow from it.
pub fn export_object(body: &str) {
    if let Ok(export) = Export::from_json(body) {
        if let Some(p) = export.percent_complete {
            assert!(p <= 100);
        }
        for url in export.urls() {
            if let Some(safe) = safe_http_url(&url) {
                let lower = safe.to_ascii_lowercase();
                assert!(lower.starts_with("http://") || lower.starts_with("https://"));
                assert!(!safe.chars().any(|c| c.is_whitespace() || c.is_control()));
            }
        }
        if let Some(status) = &export.status {
            let _ = (
                status.is_success(),
                status.is_running(),
                status.is_failure(),
            );
            let _ = status.as_str();
        }
        // What the app saves with its queue must read back the same.
        let saved = serde_json::to_string(&export).expect("an export serialises");
        let again = Export::from_json(&saved).expect("a saved export reads back");
        assert_eq!(again.urls(), export.urls());
        assert_eq!(again.status, export.status);
    }
    if let Some(message) = error_message(body) {
        assert!(!message.is_empty());
        assert!(message.chars().count() <= 1_000);
    }
}

/// Merges arbitrary bodies in every format and checks each output.
pub fn merge(bodies: &[&str], export_type: ExportType, semicolon: bool, bom: bool) {
    for format in [OutputFormat::Csv, OutputFormat::Json, OutputFormat::Ndjson] {
        let mut options = MergeOptions::new(export_type, format);
        options.semicolon = semicolon;
        options.bom = bom;
        options.default_currency = Some("=EUR".into());
        let mut merger = Merger::new(options);
        let mut added = 0;
        for (i, body) in bodies.iter().enumerate() {
            let before = merger.totals();
            match merger.add_file(bodies.len() - i, body) {
                Ok(stats) => added += stats.added,
                Err(_) => assert_eq!(merger.totals(), before, "a failed file changes nothing"),
            }
        }
        assert_eq!(merger.totals().added, added);
        let out = merger.finish();
        match format {
            OutputFormat::Csv => {
                let rows = read_back(&out, semicolon, bom);
                let cols = columns(export_type);
                assert_eq!(rows.len(), added + 1);
                assert_eq!(rows[0], cols);
                let money: Vec<usize> = cols
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        matches!(
                            **c,
                            "total" | "amount" | "tip_amount" | "tax_amount" | "cashback_amount"
                        )
                    })
                    .map(|(i, _)| i)
                    .collect();
                assert_no_live_formula(&rows, &money, semicolon);
            }
            OutputFormat::Json => {
                let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON output");
                assert_eq!(v.as_array().map(Vec::len), Some(added));
            }
            OutputFormat::Ndjson => {
                let text = std::str::from_utf8(&out).expect("UTF-8");
                let lines: Vec<&str> = text.lines().collect();
                assert_eq!(lines.len(), added);
                for line in lines {
                    let v: serde_json::Value = serde_json::from_str(line).expect("one object");
                    assert!(v.is_object());
                }
            }
        }
    }
}
