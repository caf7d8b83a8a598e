//! CSV output, money formatting, file names and the table helpers.

use jiff::civil::date;
use merchant_console_core::purchases::LocalSpan;
use merchant_console_core::purchases::{
    csv_file_name, filter_indices, format_cents, purchases_csv, sort_indices, view_indices,
    CsvOptions, Purchase, SortColumn, SortDir,
};
use merchant_console_core::zone::Zone;

/// A zone from the IANA database, as the app loads it (an offset table).
fn tz(name: &str) -> Zone {
    Zone::from_jiff(name, &jiff::tz::TimeZone::get(name).unwrap())
}

fn ms(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

fn sample() -> Vec<Purchase> {
    vec![
        Purchase {
            payment_model: "Pay Now".into(),
            sales_model: "Single Purchase".into(),
            price: 200,
            title: "Café \"Best\", again".into(),
            expiry: None.into(),
            item_url: "http://example.com/a?x=1".into(),
            purchase_time: ms("2026-01-15T16:17:19Z"),
            shared_user_id: "37f6".into(),
            payment_time: Some(ms("2026-01-15T16:17:19.610Z")).into(),
            article_id: "1472819".into(),
        },
        Purchase {
            payment_model: "Pay Later".into(),
            sales_model: "Time Pass".into(),
            price: 1234,
            title: "Pass; 24h".into(),
            expiry: Some(ms("2026-01-16T23:30:00Z")).into(),
            item_url: "http://example.com/tp".into(),
            purchase_time: ms("2026-01-15T23:30:00Z"),
            shared_user_id: "u2".into(),
            payment_time: None.into(),
            article_id: "tp1".into(),
        },
        Purchase {
            payment_model: "Refund".into(),
            sales_model: "Single Purchase".into(),
            price: -5,
            purchase_time: ms("2026-01-15T23:30:00Z"),
            article_id: "r1".into(),
            ..Purchase::default()
        },
    ]
}

const HEADER: &str = "purchase_date,payment_date,payment_model,sales_model,price,currency,title,article_id,item_url,expiry_date,shared_user_id\r\n";

#[test]
fn csv_exact_text_in_berlin() {
    let opts = CsvOptions::new(tz("Europe/Berlin"), "EUR");
    let text = String::from_utf8(purchases_csv(&sample(), &opts)).unwrap();
    let expected = [
        HEADER,
        "2026-01-15T17:17:19+01:00,2026-01-15T17:17:19.610+01:00,Pay Now,Single Purchase,2.00,EUR,\"Café \"\"Best\"\", again\",1472819,http://example.com/a?x=1,,37f6\r\n",
        "2026-01-16T00:30:00+01:00,,Pay Later,Time Pass,12.34,EUR,Pass; 24h,tp1,http://example.com/tp,2026-01-17T00:30:00+01:00,u2\r\n",
        "2026-01-16T00:30:00+01:00,,Refund,Single Purchase,-0.05,EUR,,r1,,,\r\n",
    ]
    .concat();
    assert_eq!(text, expected);
}

#[test]
fn csv_semicolon_with_bom_in_utc() {
    let opts = CsvOptions {
        bom: true,
        semicolon: true,
        ..CsvOptions::new(Zone::utc(), "USD")
    };
    let bytes = purchases_csv(&sample()[..2], &opts);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let expected = [
        &HEADER.replace(',', ";"),
        "2026-01-15T16:17:19+00:00;2026-01-15T16:17:19.610+00:00;Pay Now;Single Purchase;2,00;USD;\"Café \"\"Best\"\", again\";1472819;http://example.com/a?x=1;;37f6\r\n",
        "2026-01-15T23:30:00+00:00;;Pay Later;Time Pass;12,34;USD;\"Pass; 24h\";tp1;http://example.com/tp;2026-01-16T23:30:00+00:00;u2\r\n",
    ]
    .concat();
    assert_eq!(text, expected);
}

#[test]
fn csv_of_nothing_is_the_header() {
    let opts = CsvOptions::new(Zone::utc(), "EUR");
    assert_eq!(purchases_csv(&[], &opts), HEADER.as_bytes());
    // Negative offsets with minutes.
    let st_johns = CsvOptions::new(tz("America/St_Johns"), "EUR");
    let text = String::from_utf8(purchases_csv(&sample()[2..], &st_johns)).unwrap();
    assert!(text
        .ends_with("\r\n2026-01-15T20:00:00-03:30,,Refund,Single Purchase,-0.05,EUR,,r1,,,\r\n"));
}

#[test]
fn money_formatting() {
    let cases = [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (99, "0.99"),
        (-100, "-1.00"),
        (1234, "12.34"),
        (100_000, "1000.00"),
        (i64::MIN, "-92233720368547758.08"),
        (i64::MAX, "92233720368547758.07"),
    ];
    for (cents, text) in cases {
        assert_eq!(format_cents(cents.into(), false), text);
        assert_eq!(format_cents(cents.into(), true), text.replace('.', ","));
    }
}

#[test]
fn file_names() {
    let (from, to) = (date(2026, 1, 1), date(2026, 3, 31));
    assert_eq!(
        csv_file_name(from, to, &Zone::utc()),
        "laterpay-purchases_2026-01-01_2026-03-31_UTC.csv"
    );
    assert_eq!(
        csv_file_name(from, to, &tz("Europe/Berlin")),
        "laterpay-purchases_2026-01-01_2026-03-31_Europe-Berlin.csv"
    );
    let fixed = |name, secs| Zone::fixed(name, secs);
    assert!(csv_file_name(from, to, &fixed("UTC+05:30", 19_800)).ends_with("_UTC+0530.csv"));
    assert!(csv_file_name(from, to, &fixed("../x y", 0)).ends_with("_-xy.csv"));
    assert!(csv_file_name(from, to, &fixed("", 0)).ends_with("_local.csv"));
}

fn table() -> Vec<Purchase> {
    let row = |title: &str, price, pay: &str, buyer: &str, paid: Option<i64>| Purchase {
        title: title.into(),
        price,
        payment_model: pay.into(),
        sales_model: "Single Purchase".into(),
        shared_user_id: buyer.into(),
        article_id: format!("id-{title}").into(),
        payment_time: paid.into(),
        purchase_time: price * 1000,
        ..Purchase::default()
    };
    vec![
        row("banana", 300, "Pay Now", "alice", Some(5)),
        row("Apple", 100, "Pay Later", "bob", None),
        row("cherry", 300, "Pay Now", "carol", Some(1)),
        row("Äpfel", 200, "Pay Later", "ALICE-2", Some(3)),
    ]
}

#[test]
fn filter_is_case_insensitive_substring() {
    let t = table();
    assert_eq!(filter_indices(&t, "", None), [0, 1, 2, 3]);
    assert_eq!(filter_indices(&t, "   ", None), [0, 1, 2, 3]);
    assert_eq!(filter_indices(&t, "pay later", None), [1, 3]);
    assert_eq!(filter_indices(&t, "ALICE", None), [0, 3]);
    assert_eq!(filter_indices(&t, "äPF", None), [3]);
    assert_eq!(filter_indices(&t, "ÄPFEL", None), [3]);
    assert_eq!(filter_indices(&t, "pfel", None), [3]);
    assert_eq!(filter_indices(&t, "id-cher", None), [2]);
    assert_eq!(filter_indices(&t, "single", None), [0, 1, 2, 3]);
    assert_eq!(
        filter_indices(&t, "nothing like this", None),
        Vec::<u32>::new()
    );
    assert_eq!(filter_indices(&[], "x", None), Vec::<u32>::new());
}

#[test]
fn sorting_is_stable_both_ways() {
    let t = table();
    let sorted = |col, dir| view_indices(&t, "", None, col, dir);
    assert_eq!(sorted(SortColumn::Price, SortDir::Asc), [1, 3, 0, 2]);
    // Ties (0 and 2 both 300) keep their original order when descending too.
    assert_eq!(sorted(SortColumn::Price, SortDir::Desc), [0, 2, 3, 1]);
    assert_eq!(sorted(SortColumn::Title, SortDir::Asc), [1, 0, 2, 3]);
    assert_eq!(sorted(SortColumn::PaymentDate, SortDir::Asc), [1, 2, 3, 0]);
    assert_eq!(sorted(SortColumn::PaymentModel, SortDir::Asc), [1, 3, 0, 2]);
    assert_eq!(sorted(SortColumn::Buyer, SortDir::Desc), [2, 1, 3, 0]);
    assert_eq!(
        sorted(SortColumn::PurchaseDate, SortDir::Desc),
        [0, 2, 3, 1]
    );

    let mut rows = filter_indices(&t, "pay now", None);
    sort_indices(&t, &mut rows, SortColumn::PaymentDate, SortDir::Desc);
    assert_eq!(rows, [0, 2]);
    assert_eq!(
        view_indices(&t, "later", None, SortColumn::Price, SortDir::Desc),
        [3, 1]
    );
}

#[test]
fn filter_within_a_span() {
    // purchase_time = price * 1000 ms: 100 s, 200 s, 300 s after the epoch.
    let t = table();
    let day = LocalSpan::new(date(1970, 1, 1), date(1970, 1, 1), Zone::utc());
    assert_eq!(filter_indices(&t, "", Some(&day)), [0, 1, 2, 3]);
    let before = LocalSpan::new(date(1969, 12, 31), date(1969, 12, 31), Zone::utc());
    assert_eq!(filter_indices(&t, "", Some(&before)), Vec::<u32>::new());
    // In UTC-10 the epoch is still 31 December: everything is on that local day.
    let hawaii = tz("Pacific/Honolulu");
    let local = LocalSpan::new(date(1969, 12, 31), date(1969, 12, 31), hawaii);
    assert_eq!(
        view_indices(&t, "pay", Some(&local), SortColumn::Price, SortDir::Asc),
        [1, 3, 0, 2]
    );
}

#[test]
fn records_left_out_of_the_figures_go_out_as_received() {
    let body = r#"{"status":"ok","data":[
        {"price":9000000000000000000,"purchase_date":"9999-12-31T23:59:59+00:00",
         "title":"=HYPERLINK(\"http://x\",\"y\")","payment_model":"-1","item_url":"javascript:alert(1)"},
        {"price":-1000000000000001,"purchase_date":"0000-01-01T00:00:00+00:00","title":"@cmd"}]}"#;
    let decoded = merchant_console_core::purchases::parse_response(body).unwrap();
    assert_eq!(decoded.skipped, 0);
    let text = String::from_utf8(purchases_csv(
        &decoded.purchases,
        &CsvOptions::new(tz("Europe/Berlin"), "EUR"),
    ))
    .unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    // The date past jiff's range is written in UTC rather than dropped or moved.
    assert_eq!(rows[1][0], "9999-12-31T23:59:59+00:00");
    assert_eq!(rows[1][4], "90000000000000000.00");
    assert_eq!(rows[1][6], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(rows[1][2], "'-1");
    assert_eq!(rows[1][8], "javascript:alert(1)");
    assert_eq!(rows[2][0], "0000-01-01T01:00:00+01:00");
    assert_eq!(rows[2][4], "-10000000000000.01");
    assert_eq!(rows[2][6], "'@cmd");
}

#[test]
fn a_price_past_i64_is_named_out_of_range() {
    let body = r#"{"data":[{"price":10000000000000000000,"purchase_date":"2026-01-01T00:00:00Z"},
        {"price":12.5,"purchase_date":"2026-01-01T00:00:00Z"}]}"#;
    let decoded = merchant_console_core::purchases::parse_response(body).unwrap();
    assert_eq!(decoded.skipped, 2);
    assert_eq!(
        decoded.first_skip_reason.as_deref(),
        Some("unreadable price (a number out of range)")
    );
}
