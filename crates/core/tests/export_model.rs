//! Tolerant parsing of Clover export objects.

use merchant_console_core::export::model::*;

#[test]
fn documented_done_object() {
    let body = r#"{
      "id": "EXP1", "type": "ORDERS", "status": "DONE", "percentComplete": 100,
      "availableUntil": 1767312000000, "startTime": 1, "endTime": 2,
      "createdTime": 3, "modifiedTime": 4,
      "exportUrls": {"elements": [
        {"url": "https://files.example/1", "export": {"id": "EXP1"}},
        {"url": "https://files.example/2", "export": {"id": "EXP1"}}
      ]},
      "merchantRef": {"id": "M1"}
    }"#;
    let e = Export::from_json(body).unwrap();
    assert_eq!(e.id.as_deref(), Some("EXP1"));
    assert_eq!(e.export_type, Some(ExportType::Orders));
    assert!(e.status.as_ref().unwrap().is_success());
    assert_eq!(e.percent_complete, Some(100));
    assert_eq!(e.available_until, Some(1_767_312_000_000));
    assert_eq!(
        (e.start_time, e.end_time, e.created_time, e.modified_time),
        (Some(1), Some(2), Some(3), Some(4))
    );
    assert_eq!(e.merchant_ref.as_ref().unwrap().id.as_deref(), Some("M1"));
    assert_eq!(e.urls().len(), 2);
}

#[test]
fn elements_as_single_object() {
    let body = r#"{"id":"E","status":"COMPLETE","exportUrls":{"elements":{"url":"https://f/1"}}}"#;
    let e = Export::from_json(body).unwrap();
    assert_eq!(e.status, Some(ExportStatus::Complete));
    assert!(e.status.as_ref().unwrap().is_success());
    assert_eq!(e.urls(), vec!["https://f/1".to_string()]);
}

#[test]
fn elements_array_of_strings_and_garbage() {
    let body = r#"{"id":"E","status":"DONE","exportUrls":{"elements":["https://a", 3, {"url":""}, {"url":"https://b"}]}}"#;
    assert_eq!(
        Export::from_json(body).unwrap().urls(),
        vec!["https://a", "https://b"]
    );
    let body = r#"{"id":"E","status":"DONE","exportUrls":"nonsense"}"#;
    assert!(Export::from_json(body).unwrap().urls().is_empty());
}

#[test]
fn times_as_strings_and_unknown_fields() {
    let body = r#"{"id":"E","type":"PAYMENTS","status":"PENDING","percentComplete":"12.7",
      "startTime":"1767225600000","endTime":1767311999999.0,"createdTime":null,
      "brandNewField":{"x":[1,2,3]},"anotherOne":true}"#;
    let e = Export::from_json(body).unwrap();
    assert_eq!(e.export_type, Some(ExportType::Payments));
    assert_eq!(e.percent_complete, Some(12));
    assert_eq!(e.start_time, Some(1_767_225_600_000));
    assert_eq!(e.end_time, Some(1_767_311_999_999));
    assert_eq!(e.created_time, None);
}

#[test]
fn missing_and_odd_fields_are_tolerated() {
    let e = Export::from_json("{}").unwrap();
    assert_eq!(e, Export::default());
    let e = Export::from_json(
        r#"{"id":123,"type":"INVOICES","status":"in_progress","percentComplete":250,"merchantRef":"M","startTime":"soon"}"#,
    )
    .unwrap();
    assert_eq!(e.id.as_deref(), Some("123"));
    assert_eq!(e.export_type, None);
    assert_eq!(e.status, Some(ExportStatus::InProgress));
    assert_eq!(e.percent_complete, Some(100));
    assert_eq!(e.merchant_ref, None);
    assert_eq!(e.start_time, None);
}

#[test]
fn open_status_enum() {
    let e = Export::from_json(r#"{"status":"FAILED"}"#).unwrap();
    let s = e.status.unwrap();
    assert!(s.is_failure() && !s.is_running() && !s.is_success());
    assert_eq!(s.to_string(), "FAILED");
    assert_eq!(
        ExportStatus::parse("Weird"),
        ExportStatus::Other("Weird".into())
    );
    assert_eq!(
        serde_json::to_string(&ExportStatus::InProgress).unwrap(),
        r#""IN_PROGRESS""#
    );
}

#[test]
fn create_body_sends_numbers_and_reads_strings() {
    let b = CreateExportBody {
        export_type: ExportType::Orders,
        start_time: 1_767_225_600_000,
        end_time: 1_769_817_599_999,
    };
    assert_eq!(
        b.to_json(),
        r#"{"type":"ORDERS","startTime":1767225600000,"endTime":1769817599999}"#
    );
    let back: CreateExportBody = serde_json::from_str(
        r#"{"type":"ORDERS","startTime":"1767225600000","endTime":1769817599999}"#,
    )
    .unwrap();
    assert_eq!(back, b);
    assert!(serde_json::from_str::<CreateExportBody>(
        r#"{"type":"ORDERS","startTime":"x","endTime":1}"#
    )
    .is_err());
}

#[test]
fn export_round_trips_through_serde() {
    let body = r#"{"id":"E","status":"DONE","exportUrls":{"elements":{"url":"https://f/1"}}}"#;
    let e = Export::from_json(body).unwrap();
    let again = Export::from_json(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(e, again);
}

#[test]
fn error_bodies() {
    assert_eq!(
        error_message(r#"{"message":"503 Service Unavailable. Available hours: 10:00-15:00 UTC"}"#)
            .as_deref(),
        Some("503 Service Unavailable. Available hours: 10:00-15:00 UTC")
    );
    assert_eq!(
        error_message("Too many requests").as_deref(),
        Some("Too many requests")
    );
    assert_eq!(error_message(r#""quoted""#).as_deref(), Some("quoted"));
    assert_eq!(
        error_message(r#"{"error":{"message":"nested"}}"#).as_deref(),
        Some("nested")
    );
    assert_eq!(error_message(""), None);
}

#[test]
fn only_http_links() {
    assert!(safe_http_url("https://exports.clover.com/f?sig=abc").is_some());
    assert!(safe_http_url("http://localhost:8080/f").is_some());
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:x",
        "data:,x",
        "file:///etc/passwd",
        "",
        "https://x\ny",
        "mailto:a@b",
    ] {
        assert_eq!(safe_http_url(bad), None, "{bad}");
    }
}

#[test]
fn export_type_helpers() {
    assert_eq!(ExportType::from_api_str("orders"), Some(ExportType::Orders));
    assert_eq!(ExportType::Payments.as_api_str(), "PAYMENTS");
    assert_eq!(ExportType::Payments.slug(), "payments");
    assert_eq!(
        serde_json::to_string(&ExportType::Orders).unwrap(),
        r#""ORDERS""#
    );
}
