//! Merging downloaded export files into JSON, NDJSON and CSV.

use jiff::civil::date;
use merchant_console_core::export::merge::*;
use merchant_console_core::export::ExportType;
use merchant_console_core::range::{DateRange, TimeSpan};

const ORDER_A: &str = r#"{"id":"A","currency":"USD","total":1234,"paymentState":"PAID","state":"locked",
  "payType":"FULL","title":"Table 4","note":"extra, \"spicy\"\nsecond line","createdTime":1767261600123,
  "modifiedTime":"1767261700000","employee":{"id":"EMP1"},"device":{"id":"DEV1"},
  "manualTransaction":false,"testMode":true,"lineItems":{"elements":[{"id":"LI1"}]}}"#;

fn file(elements: &[&str]) -> String {
    format!(r#"{{"elements":[{}]}}"#, elements.join(","))
}

fn read_csv(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn orders_csv_columns_and_values() {
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Csv));
    let refund = r#"{"id":"B","total":-5,"currency":"EUR","createdTime":0}"#;
    let stats = m.add_file(0, &file(&[ORDER_A, refund])).unwrap();
    assert_eq!(
        stats,
        FileStats {
            added: 2,
            duplicates: 0,
            skipped: 0
        }
    );
    let out = m.finish();
    assert!(!out.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends for Excel");
    let rows = read_csv(&out, b',');
    assert_eq!(rows[0], ORDER_COLUMNS.to_vec());
    assert_eq!(
        rows[0].join(","),
        "id,created_time,modified_time,currency,total,payment_state,state,pay_type,title,note,employee_id,device_id,manual_transaction,test_mode"
    );
    assert_eq!(
        rows[1],
        vec![
            "A",
            "2026-01-01T10:00:00.123Z",
            "2026-01-01T10:01:40.000Z",
            "USD",
            "12.34",
            "PAID",
            "locked",
            "FULL",
            "Table 4",
            "extra, \"spicy\"\nsecond line",
            "EMP1",
            "DEV1",
            "false",
            "true"
        ]
    );
    assert_eq!(rows[2][4], "-0.05");
    assert_eq!(rows[2][1], "1970-01-01T00:00:00.000Z");
    assert_eq!(rows[2][10], "", "missing nested fields are empty");
    assert_eq!(rows.len(), 3);
}

#[test]
fn payments_csv_columns_and_values() {
    let pay = r#"{"id":"P1","order":{"id":"O1"},"amount":2500,"tipAmount":300,"taxAmount":"200",
      "cashbackAmount":0,"result":"SUCCESS","tender":{"id":"T","label":"Credit Card"},
      "cardTransaction":{"cardType":"VISA","entryType":"EMV_CONTACT","last4":"0042"},
      "employee":{"id":"E"},"device":{"id":"D"},"offline":false,"createdTime":1767261600000,"modifiedTime":1767261600000}"#;
    let mut opts = MergeOptions::new(ExportType::Payments, OutputFormat::Csv);
    opts.default_currency = Some("EUR".into());
    let mut m = Merger::new(opts);
    m.add_file(
        0,
        &file(&[pay, r#"{"id":"P2","currency":"USD","amount":1}"#]),
    )
    .unwrap();
    let rows = read_csv(&m.finish(), b',');
    assert_eq!(rows[0], PAYMENT_COLUMNS.to_vec());
    assert_eq!(
        rows[1],
        vec![
            "P1",
            "O1",
            "2026-01-01T10:00:00.000Z",
            "2026-01-01T10:00:00.000Z",
            "25.00",
            "3.00",
            "2.00",
            "0.00",
            "EUR",
            "SUCCESS",
            "Credit Card",
            "VISA",
            "EMV_CONTACT",
            "0042",
            "E",
            "D",
            "false"
        ]
    );
    assert_eq!(rows[2][8], "USD");
    assert_eq!(rows[2][4], "0.01");
    assert_eq!(rows[2][5], "", "missing amounts stay empty");
}

#[test]
fn bom_and_semicolon_style() {
    let mut opts = MergeOptions::new(ExportType::Orders, OutputFormat::Csv);
    opts.bom = true;
    opts.semicolon = true;
    let mut m = Merger::new(opts);
    m.add_file(0, &file(&[ORDER_A])).unwrap();
    let out = m.finish();
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]));
    let rows = read_csv(&out[3..], b';');
    assert_eq!(rows[0][0], "id");
    assert_eq!(rows[0].len(), ORDER_COLUMNS.len());
    assert_eq!(rows[1][4], "12,34");
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    assert!(text.starts_with("id;created_time;"));
}

#[test]
fn dedupes_where_chunks_meet_and_keeps_index_order() {
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Json));
    let a = r#"{"id":"a","n":1}"#;
    let b = r#"{"id":"b","n":2}"#;
    let b2 = r#"{"id":"b","n":99}"#;
    let c = r#"{"id":"c","n":3}"#;
    // Files arrive out of order; output follows the index.
    let s1 = m.add_file(1, &file(&[b2, c])).unwrap();
    let s0 = m.add_file(0, &file(&[a, b, a])).unwrap();
    assert_eq!(
        s1,
        FileStats {
            added: 2,
            duplicates: 0,
            skipped: 0
        }
    );
    // "b" was first seen in file 1, so file 0's copy is the duplicate (either copy is the
    // same object in practice), and so is the second "a" within file 0.
    assert_eq!(
        s0,
        FileStats {
            added: 1,
            duplicates: 2,
            skipped: 0
        }
    );
    assert_eq!(
        m.totals(),
        FileStats {
            added: 3,
            duplicates: 2,
            skipped: 0
        }
    );
    let v: serde_json::Value = serde_json::from_slice(&m.finish()).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["a", "b", "c"]);
}

#[test]
fn bad_elements_are_skipped_and_counted() {
    let mut m = Merger::new(MergeOptions::new(
        ExportType::Payments,
        OutputFormat::Ndjson,
    ));
    let body = r#"{"elements":[1,"x",null,[],{},{"id":""},{"id":null},{"id":{"x":1}},{"id":"ok"},{"id":7}]}"#;
    let s = m.add_file(0, body).unwrap();
    assert_eq!(
        s,
        FileStats {
            added: 2,
            duplicates: 0,
            skipped: 8
        }
    );
    let out = String::from_utf8(m.finish()).unwrap();
    assert_eq!(out, "{\"id\":\"ok\"}\n{\"id\":7}\n");
}

#[test]
fn bad_files_are_errors_and_change_nothing() {
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Csv));
    assert!(matches!(
        m.add_file(0, "<html>"),
        Err(MergeError::InvalidJson(_))
    ));
    assert_eq!(m.add_file(0, r#"{"foo":[]}"#), Err(MergeError::NoElements));
    assert_eq!(m.add_file(0, "42"), Err(MergeError::NoElements));
    assert_eq!(m.files(), 0);
    m.add_file(0, r#"{"elements":[{"id":"x"}]}"#).unwrap();
    assert_eq!(
        m.add_file(0, r#"{"elements":[]}"#),
        Err(MergeError::DuplicateIndex(0))
    );
    // Tolerated shapes: a single object, a bare array, a BOM, null elements.
    assert_eq!(
        m.add_file(1, r#"{"elements":{"id":"y"}}"#).unwrap().added,
        1
    );
    assert_eq!(m.add_file(2, r#"[{"id":"z"}]"#).unwrap().added, 1);
    assert_eq!(
        m.add_file(3, "\u{feff}{\"elements\":null}").unwrap().added,
        0
    );
    let rows = read_csv(&m.finish(), b',');
    assert_eq!(rows.len(), 4);
}

#[test]
fn formula_cells_are_neutralised() {
    let evil = r#"{"id":"E","title":"=HYPERLINK(\"http://x\")","note":"+1","total":-100}"#;
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Csv));
    m.add_file(0, &file(&[evil])).unwrap();
    let rows = read_csv(&m.finish(), b',');
    assert_eq!(rows[1][8], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[1][9], "'+1");
    assert_eq!(rows[1][4], "-1.00", "amounts are numbers, not escaped");
}

#[test]
fn cells_that_fall_back_to_text_are_neutralised_too() {
    // Amounts and times that are not numbers go out as the object's text: still checked.
    let evil = r#"{"id":"-1","createdTime":"=1+1","modifiedTime":"@A1","total":"+5",
        "currency":"-EUR","employee":{"id":"=E"},"testMode":"\tx"}"#;
    for semicolon in [false, true] {
        let mut opts = MergeOptions::new(ExportType::Orders, OutputFormat::Csv);
        opts.semicolon = semicolon;
        let mut m = Merger::new(opts);
        m.add_file(0, &file(&[evil])).unwrap();
        let rows = read_csv(&m.finish(), if semicolon { b';' } else { b',' });
        assert_eq!(rows[1][0], "'-1");
        assert_eq!(rows[1][1], "'=1+1");
        assert_eq!(rows[1][2], "'@A1");
        assert_eq!(rows[1][3], "'-EUR");
        assert_eq!(
            rows[1][4],
            if semicolon { "0,05" } else { "0.05" },
            "\"+5\" cents is a number"
        );
        assert_eq!(rows[1][10], "'=E");
        assert_eq!(rows[1][13], "'\tx");
    }
    let pay = r#"{"id":"P","amount":"=2","tipAmount":-250,"createdTime":1767261600123}"#;
    let mut m = Merger::new(MergeOptions::new(ExportType::Payments, OutputFormat::Csv));
    m.add_file(0, &file(&[pay])).unwrap();
    let rows = read_csv(&m.finish(), b',');
    assert_eq!(rows[1][4], "'=2");
    assert_eq!(rows[1][5], "-2.50", "a negative amount is a number");
    assert_eq!(rows[1][2], "2026-01-01T10:00:00.123Z");
}

#[test]
fn both_csv_files_share_line_endings_and_options() {
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Csv));
    m.add_file(0, &file(&[r#"{"id":"A","total":1}"#, r#"{"id":"B"}"#]))
        .unwrap();
    let out = String::from_utf8(m.finish()).unwrap();
    assert!(out.ends_with("\r\n"));
    assert_eq!(out.matches("\r\n").count(), 3);
    assert_eq!(out.matches("\r\n").count(), out.matches('\n').count());
}

#[test]
fn json_outputs_keep_original_objects() {
    let mut m = Merger::new(MergeOptions::new(ExportType::Orders, OutputFormat::Json));
    assert_eq!(
        String::from_utf8(Merger::new(m.options().clone()).finish()).unwrap(),
        "[]\n"
    );
    m.add_file(0, &file(&[ORDER_A])).unwrap();
    m.add_file(1, r#"{"elements":[]}"#).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&m.finish()).unwrap();
    assert_eq!(v[0]["lineItems"]["elements"][0]["id"], "LI1");
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn file_names() {
    let r = DateRange::new(date(2026, 1, 1), date(2026, 3, 16)).unwrap();
    assert_eq!(
        file_name(ExportType::Orders, &r, "UTC", OutputFormat::Csv),
        "clover-orders_2026-01-01_2026-03-16_UTC.csv"
    );
    assert_eq!(
        file_name(
            ExportType::Payments,
            &r,
            "Europe/Berlin",
            OutputFormat::Ndjson
        ),
        "clover-payments_2026-01-01_2026-03-16_Europe-Berlin.ndjson"
    );
    assert_eq!(
        file_name_for_span(
            ExportType::Orders,
            TimeSpan::new(0, 86_400_000).unwrap(),
            OutputFormat::Json
        ),
        "clover-orders_1970-01-01_1970-01-02_UTC.json"
    );
    assert_eq!(OutputFormat::Csv.mime_type(), "text/csv;charset=utf-8");
}
