//! Tolerant decoding of purchase-history responses.

use merchant_console_core::purchases::{
    error_from_status, parse_instant, parse_response, ApiError, Purchase,
};

/// 2020-01-15T16:17:19Z in epoch ms.
const T1: i64 = 1_579_105_039_000;

fn one(record: &str) -> Result<Vec<Purchase>, ApiError> {
    parse_response(&format!(r#"{{"status":"ok","data":[{record}]}}"#)).map(|d| d.purchases)
}

#[test]
fn documented_example_decodes() {
    let body = r#"{
        "status": "ok",
        "data": [
            {
                "payment_model": "Pay Now",
                "sales_model": "Single Purchase",
                "price": 200,
                "title": "Generated Article ID 1472819",
                "expiry_date": "",
                "item_url": "http://example.com/article-1472819",
                "purchase_date": "2020-01-15T16:17:19+00:00",
                "shared_user_id": "37f618af-1d63-406f-b0d8-db65e131a6e7",
                "payment_date": "2020-01-15T16:17:19.610089+00:00",
                "article_id": "1472819"
            },
            {
                "payment_model": "Pay Now",
                "sales_model": "Single Purchase",
                "price": 200,
                "title": "Generated Article ID 4959846",
                "expiry_date": "",
                "item_url": "http://example.com/article-4959846",
                "purchase_date": "2020-01-15T16:25:28+00:00",
                "shared_user_id": "37f618af-1d63-406f-b0d8-db65e131a6e7",
                "payment_date": "2020-01-15T16:25:28.163459+00:00",
                "article_id": "4959846"
            }
        ]
    }"#;
    let d = parse_response(body).unwrap();
    assert_eq!(d.skipped, 0);
    assert_eq!(d.purchases.len(), 2);
    assert_eq!(
        d.purchases[0],
        Purchase {
            payment_model: "Pay Now".into(),
            sales_model: "Single Purchase".into(),
            price: 200,
            title: "Generated Article ID 1472819".into(),
            expiry: None.into(),
            item_url: "http://example.com/article-1472819".into(),
            purchase_time: T1,
            shared_user_id: "37f618af-1d63-406f-b0d8-db65e131a6e7".into(),
            payment_time: Some(T1 + 610).into(),
            article_id: "1472819".into(),
        }
    );
    assert_eq!(d.purchases[1].purchase_time, T1 + 8 * 60_000 + 9_000);
}

#[test]
fn expiry_empty_null_missing_or_date_time() {
    let base = r#""purchase_date":"2020-01-15T16:17:19+00:00","price":1"#;
    assert_eq!(
        one(&format!(r#"{{{base},"expiry_date":""}}"#)).unwrap()[0].expiry,
        None
    );
    assert_eq!(
        one(&format!(r#"{{{base},"expiry_date":null}}"#)).unwrap()[0].expiry,
        None
    );
    assert_eq!(one(&format!("{{{base}}}")).unwrap()[0].expiry, None);
    assert_eq!(
        one(&format!(
            r#"{{{base},"expiry_date":"2020-02-15T16:17:19Z"}}"#
        ))
        .unwrap()[0]
            .expiry,
        Some(T1 + 31 * 86_400_000)
    );
    // Something that is not a date at all is simply "no expiry".
    assert_eq!(
        one(&format!(r#"{{{base},"expiry_date":"never"}}"#)).unwrap()[0].expiry,
        None
    );
    assert_eq!(
        one(&format!(r#"{{{base},"expiry_date":{{"a":1}}}}"#)).unwrap()[0].expiry,
        None
    );
}

#[test]
fn date_variants() {
    for text in [
        "2020-01-15T16:17:19+00:00",
        "2020-01-15T16:17:19Z",
        "2020-01-15T16:17:19z",
        "2020-01-15T16:17:19.000+00:00",
        "2020-01-15T17:17:19+01:00",
        "2020-01-15T11:17:19-05:00",
        "2020-01-15T16:17:19",
        "2020-01-15 16:17:19+00:00",
        "2020-01-15T16:17:19+0000",
        " 2020-01-15T16:17:19+00:00 ",
    ] {
        assert_eq!(parse_instant(text), Some(T1), "{text}");
    }
    assert_eq!(
        parse_instant("2020-01-15T16:17:19.610089+00:00"),
        Some(T1 + 610)
    );
    assert_eq!(parse_instant("2020-01-15"), Some(1_579_046_400_000));
    for bad in [
        "",
        "  ",
        "yesterday",
        "2020-13-01T00:00:00Z",
        "2020-01-15T25:00:00Z",
    ] {
        assert_eq!(parse_instant(bad), None, "{bad}");
    }
}

#[test]
fn price_and_article_id_types() {
    let p = |price: &str, article: &str| {
        one(&format!(
            r#"{{"purchase_date":"2020-01-15T16:17:19Z","price":{price},"article_id":{article}}}"#
        ))
        .unwrap()
    };
    assert_eq!(p("200", "\"a1\"")[0].price, 200);
    assert_eq!(p("\"200\"", "1472819")[0].price, 200);
    assert_eq!(p("\" 150 \"", "1472819")[0].article_id, "1472819");
    assert_eq!(p("200.0", "null")[0].price, 200);
    assert_eq!(p("-50", "null")[0].price, -50);
    assert_eq!(p("0", "null")[0].article_id, "");
}

#[test]
fn odd_records_are_skipped_and_counted() {
    let body = r#"{"status":"ok","data":[
        {"purchase_date":"not a date","price":100},
        {"purchase_date":"2020-01-15T16:17:19Z","price":"two euros"},
        {"purchase_date":"2020-01-15T16:17:19Z","price":2.5},
        {"price":100},
        {"purchase_date":12345,"price":100},
        42, "text", null, [1,2], true,
        {"purchase_date":"2020-01-15T16:17:19Z","price":300,"title":["x"],"sales_model":7,
         "payment_model":true,"shared_user_id":{"id":1},"extra":{"deep":[1,{"a":null}]}}
    ]}"#;
    let d = parse_response(body).unwrap();
    assert_eq!(d.skipped, 10);
    assert_eq!(
        d.first_skip_reason.as_deref(),
        Some("unreadable purchase_date \"not a date\"")
    );
    assert_eq!(d.purchases.len(), 1);
    let p = &d.purchases[0];
    assert_eq!(
        (
            p.price,
            p.title.as_str(),
            p.sales_model.as_str(),
            p.payment_model.as_str()
        ),
        (300, "", "7", "true")
    );
    assert_eq!(p.shared_user_id, "");
}

#[test]
fn escaped_strings_and_unknown_members() {
    let d = one(
        r#"{"purchase_date":"2020-01-15T16:17:19Z","price":1,"title":"Caf\u00e9 \"quoted\"",
            "new_field":[1,2,3],"sales_model":"Time Pass"}"#,
    )
    .unwrap();
    assert_eq!(d[0].title, "Café \"quoted\"");
    assert_eq!(d[0].sales_model, "Time Pass");
}

#[test]
fn status_and_data_edge_cases() {
    assert_eq!(
        parse_response(r#"{"status":"ok","data":[]}"#)
            .unwrap()
            .purchases,
        vec![]
    );
    assert_eq!(
        parse_response(r#"{"status":"ok"}"#).unwrap().purchases,
        vec![]
    );
    assert_eq!(parse_response(r#"{"data":[]}"#).unwrap().skipped, 0);
    assert_eq!(
        parse_response(r#"{"status":"OK","data":null}"#)
            .unwrap()
            .skipped,
        0
    );
    assert!(matches!(
        parse_response(r#"{"status":"maintenance"}"#),
        Err(ApiError::Malformed(_))
    ));
}

#[test]
fn status_error_with_string_and_object_entries() {
    let body = r#"{"status":"error","data":[],"errors":[
        "from_date is required",
        {"message":"bad range"},
        {"field":"to_date","detail":"must not be before from_date"},
        {"code":42,"reason":"unknown"},
        ["nested", "list"],
        17
    ]}"#;
    let err = parse_response(body).unwrap_err();
    assert_eq!(
        err,
        ApiError::Api {
            messages: vec![
                "from_date is required".into(),
                "bad range".into(),
                "to_date: must not be before from_date".into(),
                "code: 42, reason: unknown".into(),
                "nested; list".into(),
                "17".into(),
            ]
        }
    );
    assert!(err.to_string().contains("from_date is required; bad range"));
}

#[test]
fn errors_in_other_shapes() {
    let e =
        parse_response(r#"{"status":"error","errors":{"from_date":["This field is required."]}}"#);
    assert_eq!(
        e.unwrap_err(),
        ApiError::Api {
            messages: vec!["from_date: This field is required.".into()]
        }
    );
    let e = parse_response(r#"{"status":"error","errors":"Invalid dates"}"#);
    assert_eq!(
        e.unwrap_err(),
        ApiError::Api {
            messages: vec!["Invalid dates".into()]
        }
    );
    let e = parse_response(r#"{"status":"error"}"#).unwrap_err();
    assert_eq!(e, ApiError::Api { messages: vec![] });
    assert_eq!(e.to_string(), "The API reported an error without details.");
    // No status but errors and no data: still an error.
    let e = parse_response(r#"{"errors":[{"msg":"nope"}]}"#).unwrap_err();
    assert_eq!(
        e,
        ApiError::Api {
            messages: vec!["nope".into()]
        }
    );
}

#[test]
fn malformed_json_never_panics() {
    for body in [
        "",
        "   ",
        "<html>502 Bad Gateway</html>",
        "{",
        r#"{"status":"ok","data":[{"price":1,"purchase_date":"2020-01-15T16:17:19Z"}"#,
        "[]",
        "\"ok\"",
        "null",
        "42",
        r#"{"status":"ok","data":[{"price":1}]} trailing"#,
    ] {
        assert!(
            matches!(parse_response(body), Err(ApiError::Malformed(_))),
            "{body:?}"
        );
    }
}

#[test]
fn malformed_shows_the_start_of_the_text() {
    let Err(ApiError::Malformed(d)) = parse_response("<html>\n<b>502</b> gateway</html>") else {
        panic!("expected Malformed");
    };
    assert_eq!(d, "expected value at line 1 column 1; the response starts with: <html> <b>502</b> gateway</html>");
    let Err(e) = parse_response("") else { panic!() };
    assert_eq!(e.to_string(), "Unexpected response from the API: EOF while parsing a value at line 1 column 0 (empty response)");
}

#[test]
fn wrong_types_at_top_level_do_not_fail() {
    // data as an object or a string is treated as absent.
    assert_eq!(
        parse_response(r#"{"status":"ok","data":{"a":1}}"#)
            .unwrap()
            .purchases,
        vec![]
    );
    assert_eq!(
        parse_response(r#"{"status":"ok","data":"none"}"#)
            .unwrap()
            .purchases,
        vec![]
    );
    // A non-text status with data is accepted.
    assert_eq!(
        parse_response(r#"{"status":1,"data":[]}"#).unwrap().skipped,
        0
    );
}

#[test]
fn http_status_errors() {
    let e = error_from_status(401, "");
    assert!(matches!(e, ApiError::Http { status: 401, .. }));
    assert!(e
        .to_string()
        .starts_with("The API key or merchant ID was refused (401)."));
    let e = error_from_status(
        400,
        r#"{"status":"error","errors":["to_date must be a date"]}"#,
    );
    assert_eq!(
        e,
        ApiError::Api {
            messages: vec!["to_date must be a date".into()]
        }
    );
    let e = error_from_status(502, "<html>\n  Bad   gateway</html>\n");
    assert_eq!(
        e.to_string(),
        "The LaterPay server failed (502); retry later. Response: <html> Bad gateway</html>"
    );
    let long = "é".repeat(500);
    let ApiError::Http { message, .. } = error_from_status(418, &long) else {
        panic!("expected Http");
    };
    assert_eq!(message.chars().filter(|c| *c == 'é').count(), 200);
}

#[test]
fn bytes_decode_like_text() {
    let body = r#"{"status":"ok","data":[{"purchase_date":"2020-01-15T16:17:19+00:00","price":1,"title":"Caf\u00e9 \"du\" Monde"}]}"#;
    let from_text = parse_response(body).unwrap();
    assert_eq!(parse_response(body.as_bytes()).unwrap(), from_text);
    assert_eq!(
        parse_response(&body.as_bytes().to_vec()).unwrap(),
        from_text
    );
    assert_eq!(parse_response(&body.to_string()).unwrap(), from_text);
    assert_eq!(from_text.purchases[0].title, "Café \"du\" Monde");
    // A leading byte order mark is dropped, as fetch's text() does.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(body.as_bytes());
    assert_eq!(parse_response(&with_bom).unwrap(), from_text);
    // Invalid UTF-8 (a Latin-1 "é" from a misconfigured proxy) is replaced, not fatal.
    let latin1 = b"{\"data\":[{\"purchase_date\":\"2020-01-15T16:17:19Z\",\"price\":1,\"title\":\"Caf\xE9\"}]}";
    let d = parse_response(&latin1[..]).unwrap();
    assert_eq!(d.purchases[0].title, "Caf\u{FFFD}");
    assert_eq!(d.purchases[0].purchase_time, T1);
    // Non-2xx bodies too.
    let e = error_from_status(400, b"{\"errors\":[\"bad \xFFdate\"]}".as_slice());
    assert_eq!(e.to_string(), "The API reported: bad \u{FFFD}date");
}

#[test]
fn record_dates_in_the_api_form_and_others() {
    // The decoder reads the API's own form at fixed positions and hands anything else
    // to parse_instant: both must give parse_instant's answer.
    for text in [
        "2020-01-15T16:17:19+00:00",
        "2020-01-15T16:17:19Z",
        "2020-01-15T16:17:19z",
        "2020-01-15T16:17:19.6+00:00",
        "2020-01-15T16:17:19.61+00:00",
        "2020-01-15T16:17:19.610089+00:00",
        "2020-01-15T16:17:19.610089123Z",
        "2020-01-15T16:17:60Z",
        "2020-01-15T17:17:19+01:00",
        "2020-01-15T16:17:19-00:00",
        "2020-01-15T16:17:19,5Z",
        "2020-01-15 16:17:19Z",
        " 2020-01-15T16:17:19Z",
        "2020-01-15T16:17:19Z ",
        "2020-01-15T16:17:19",
        "2020-01-15",
        "2024-02-29T00:00:00Z",
    ] {
        let got = one(&format!(r#"{{"purchase_date":"{text}","price":1}}"#))
            .unwrap()
            .first()
            .map(|p| p.purchase_time);
        assert_eq!(got, parse_instant(text), "{text}");
        assert!(got.is_some(), "{text}");
    }
    for bad in [
        "2023-02-29T00:00:00Z",
        "2020-13-01T00:00:00Z",
        "2020-00-01T00:00:00Z",
        "2020-01-32T00:00:00Z",
        "2020-01-15T24:00:00Z",
        "2020-01-15T16:60:00Z",
        "2020-01-15T16:17:61Z",
        "2020-01-15T16:17:19.Z",
        "2020-01-15T16:17:19+00:00x",
        "2020-01-15T16:17:1a+00:00",
        "2020-01-15X16:17:19Z",
    ] {
        assert!(one(&format!(r#"{{"purchase_date":"{bad}","price":1}}"#))
            .unwrap()
            .is_empty());
        assert_eq!(parse_instant(bad), None, "{bad}");
    }
}

/// jiff's own reading of the same text: the reference for the hand-written parser.
fn jiff_reading(text: &str) -> Option<i64> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let dt = text.parse::<jiff::civil::DateTime>().ok()?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(dt)
        .ok()
        .map(|t| t.as_millisecond())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_instant_agrees_with_jiff(
        (y, mo, d) in (1970i64..2100, 0i64..=13, 0i64..=32),
        (h, mi, s) in (0i64..=24, 0i64..=60, 0i64..=60),
        shape in 0u8..4,
        sep in proptest::sample::select(vec!["T", "t", " "]),
        frac in proptest::option::of(("[.,]", "[0-9]{1,9}")),
        offset in proptest::option::of((0u8..6, 0i64..=26, 0i64..=60)),
    ) {
        let mut text = format!("{y:04}-{mo:02}-{d:02}");
        if shape > 0 {
            text += &format!("{sep}{h:02}:{mi:02}");
            if shape > 1 {
                text += &format!(":{s:02}");
                if let Some((dot, digits)) = &frac {
                    text += &format!("{dot}{digits}");
                }
            }
            match offset {
                Some((0, ..)) => text += "Z",
                Some((1, ..)) => text += "z",
                Some((2, oh, om)) => text += &format!("+{oh:02}:{om:02}"),
                Some((3, oh, om)) => text += &format!("-{oh:02}:{om:02}"),
                Some((4, oh, om)) => text += &format!("+{oh:02}{om:02}"),
                Some((_, oh, _)) => text += &format!("-{oh:02}"),
                None => {}
            }
        }
        proptest::prop_assert_eq!(parse_instant(&text), jiff_reading(&text), "{}", text);
    }

    #[test]
    fn decoded_dates_agree_with_parse_instant(
        text in "[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,9})?(\\+00:00|Z|z|-00:00|\\+01:30|)",
    ) {
        let body = format!(r#"{{"data":[{{"purchase_date":"{text}","payment_date":"{text}","expiry_date":"{text}","price":1}}]}}"#);
        let decoded = parse_response(&body).unwrap();
        let expected = parse_instant(&text);
        proptest::prop_assert_eq!(decoded.purchases.first().map(|p| p.purchase_time), expected, "{}", text);
        if let Some(p) = decoded.purchases.first() {
            proptest::prop_assert_eq!(p.payment_time, expected);
            proptest::prop_assert_eq!(p.expiry, expected);
        }
    }

    #[test]
    fn parse_instant_never_panics(text in "\\PC{0,40}") {
        let _ = parse_instant(&text);
    }
}

#[test]
fn equal_text_of_a_response_is_stored_once_and_read_as_received() {
    let record = |buyer: &str, title: &str| {
        format!(
            r#"{{"payment_model":"Pay Now","sales_model":"Single Purchase","price":99,"title":"{title}","purchase_date":"2020-01-15T16:17:19+00:00","shared_user_id":"{buyer}","article_id":7}}"#
        )
    };
    let body = format!(
        r#"{{"status":"ok","data":[{},{},{}]}}"#,
        record("u1", r#"A \"quoted\" title"#),
        record("u2", r#"A \"quoted\" title"#),
        record("u1", r#"=HYPERLINK(\"x\")"#)
    );
    let p = parse_response(&body).unwrap().purchases;
    assert_eq!(p.len(), 3);
    // Borrowed and escaped strings alike: one allocation per distinct text.
    assert!(p[0]
        .payment_model
        .shares_allocation_with(&p[2].payment_model));
    assert!(p[0]
        .shared_user_id
        .shares_allocation_with(&p[2].shared_user_id));
    assert!(p[0].title.shares_allocation_with(&p[1].title));
    assert!(p[0].article_id.shares_allocation_with(&p[1].article_id));
    assert!(!p[0]
        .shared_user_id
        .shares_allocation_with(&p[1].shared_user_id));
    // Values stay exactly as received (a number as its text, a formula as is).
    assert_eq!(p[0].title, "A \"quoted\" title");
    assert_eq!(p[2].title, "=HYPERLINK(\"x\")");
    assert_eq!(p[1].article_id, "7");
    assert_eq!(p[1].shared_user_id, "u2");
    // Missing fields are empty.
    assert_eq!(p[0].item_url, "");
}
