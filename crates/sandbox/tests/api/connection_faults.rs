//! Faults below HTTP: connections closed without an answer, answers that never come,
//! and creates whose export is made but whose answer is lost. Checked with a raw TCP
//! client, so "no answer" means not one byte.

use crate::common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DAY: i64 = 86_400_000;

fn create_body() -> Value {
    json!({"type": "ORDERS", "startTime": noon() - DAY, "endTime": noon()})
}

/// What a raw HTTP/1.1 client gets back for one request on a fresh connection, read
/// until the server closes it (or `wait` passes: then `None`).
async fn raw(
    sb: &Sandbox,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<&Value>,
    wait: Duration,
) -> Option<Vec<u8>> {
    let addr = sb.base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    match tokio::time::timeout(wait, s.read_to_end(&mut out)).await {
        Ok(Ok(_)) => Some(out),
        // A reset is a closed connection too.
        Ok(Err(_)) => Some(out),
        Err(_) => None,
    }
}

fn create_path() -> String {
    format!("/clover/sandbox/v3/merchants/{M1}/exports")
}

fn bearer() -> String {
    format!("Bearer {T1}")
}

async fn created(sb: &Sandbox) -> u64 {
    sb.get("/__sandbox/exports").await.json()["created"]
        .as_u64()
        .unwrap()
}

async fn stats_status(sb: &Sandbox, route: &str, status: &str) -> u64 {
    sb.get("/__sandbox/stats").await.json()["by_route"][route]["by_status"][status]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn commit_then_504_makes_the_export_and_loses_the_answer() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    sb.fault(json!({"route": "create", "kind": "commit-504"}))
        .await;
    let r = sb.create("sandbox", M1, T1, create_body()).await;
    assert_eq!(r.status, 504);
    assert_eq!(r.message(), "Gateway Timeout");
    // The export exists and holds the merchant's slot: a retry meets "busy".
    let listed = sb.get("/__sandbox/exports").await.json();
    assert_eq!(listed["created"], 1);
    let id = listed["exports"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(sb.poll_ok(&id).await["status"], "PENDING");
    let again = sb.create("sandbox", M1, T1, create_body()).await;
    assert_eq!(again.status, 503);
    assert!(again.message().contains("concurrent"));
}

#[tokio::test]
async fn commit_faults_wait_for_a_create_that_makes_an_export() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    sb.fault(json!({"route": "create", "kind": "commit-504"}))
        .await;
    // Refused creates (bad body, busy) do not use it up.
    let bad = sb.create("sandbox", M1, T1, json!({"type": "NOPE"})).await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        sb.get("/__sandbox/faults").await.json()["faults"][0]["remaining"],
        1
    );
    assert_eq!(
        sb.create("sandbox", M1, T1, create_body()).await.status,
        504
    );
    assert_eq!(created(&sb).await, 1);
}

#[tokio::test]
async fn commit_then_drop_makes_the_export_and_sends_nothing() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    sb.fault(json!({"route": "create", "kind": "commit-drop"}))
        .await;
    let path = create_path();
    let auth = bearer();
    let got = raw(
        &sb,
        "POST",
        &path,
        Some(&auth),
        Some(&create_body()),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(got, Some(vec![]), "not one byte of an answer");
    assert_eq!(created(&sb).await, 1);
    // A browser's immediate resend (a new connection) is dropped as well, and makes no
    // second export.
    let resent = raw(
        &sb,
        "POST",
        &path,
        Some(&auth),
        Some(&create_body()),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(resent, Some(vec![]));
    assert_eq!(created(&sb).await, 1);
    assert_eq!(stats_status(&sb, "create", "444").await, 2);
    // Past the resend window, the next create is answered: busy, the export is running.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = sb.create("sandbox", M1, T1, create_body()).await;
    assert_eq!(r.status, 503);
    // An HTTP client sees an error, not a status.
    sb.fault(json!({"route": "create", "kind": "commit-drop"}))
        .await;
    sb.advance(10_000).await; // the first export is done: the slot is free
    let err = sb
        .http
        .post(sb.url(&path))
        .bearer_auth(T1)
        .json(&create_body())
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(created(&sb).await, 2);
}

#[tokio::test]
async fn drop_closes_any_route_without_an_answer() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    let id = e["id"].as_str().unwrap();
    let poll = format!("/clover/sandbox/v3/merchants/{M1}/exports/{id}");
    let auth = bearer();
    let wait = Duration::from_secs(5);
    sb.fault(json!({"route": "poll", "kind": "drop"})).await;
    assert_eq!(
        raw(&sb, "GET", &poll, Some(&auth), None, wait).await,
        Some(vec![])
    );
    // Before validation, like every request fault: a create with any body.
    sb.fault(json!({"route": "create", "kind": "drop"})).await;
    let bad = json!({"type": "NOPE"});
    assert_eq!(
        raw(&sb, "POST", &create_path(), Some(&auth), Some(&bad), wait).await,
        Some(vec![])
    );
    assert_eq!(created(&sb).await, 1);
    sb.fault(json!({"route": "purchases", "kind": "drop"}))
        .await;
    let basic = "Basic ZGVtby1tZXJjaGFudDpkZW1vLWFwaS1rZXk="; // demo-merchant:demo-api-key
    let history = "/laterpay/eu/merchant/purchase-history?from_date=2024-06-01&to_date=2024-06-01";
    assert_eq!(
        raw(&sb, "GET", history, Some(basic), None, wait).await,
        Some(vec![])
    );
    // Used up: after the resend window every route answers again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = raw(&sb, "GET", &poll, Some(&auth), None, wait)
        .await
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(sb.get("/__sandbox/faults").await.json()["faults"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn hang_never_answers_and_closes_the_connection_later() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    let id = e["id"].as_str().unwrap().to_string();
    let poll = format!("/clover/sandbox/v3/merchants/{M1}/exports/{id}");
    sb.fault(json!({"route": "poll", "kind": "hang", "count": 2, "delay_ms": 600}))
        .await;
    // A client with a timeout gives up.
    let err = sb
        .http
        .get(sb.url(&poll))
        .bearer_auth(T1)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // One that waits sees the connection closed after delay_ms, without a byte.
    let started = Instant::now();
    let base = sb.base.clone();
    let hung = tokio::spawn(async move {
        let sb = Sandbox {
            base,
            http: reqwest::Client::new(),
        };
        raw(
            &sb,
            "GET",
            &poll,
            Some(&bearer()),
            None,
            Duration::from_secs(5),
        )
        .await
    });
    // Meanwhile the sandbox answers everything else.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        sb.create("sandbox", M1, T1, create_body()).await.status,
        503
    );
    assert!(started.elapsed() < Duration::from_millis(600));
    assert_eq!(hung.await.unwrap(), Some(vec![]));
    assert!(started.elapsed() >= Duration::from_millis(600));
}

#[tokio::test]
async fn a_file_dropped_on_the_second_origin_is_not_resent_either() {
    let (sb, files) = start_with_files(config()).await;
    let r = sb
        .post_json("/__sandbox/files", json!({"host": "files-port"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    sb.freeze(noon()).await;
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    sb.advance(10_000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    let url = done["exportUrls"]["elements"][0]["url"].as_str().unwrap();
    let path = url
        .strip_prefix(files.as_str())
        .expect("a file on the second origin");
    let origin = Sandbox {
        base: files.clone(),
        http: sb.http.clone(),
    };
    let wait = Duration::from_secs(5);
    sb.fault(json!({"route": "file", "kind": "drop"})).await;
    assert_eq!(
        raw(&origin, "GET", path, None, None, wait).await,
        Some(vec![])
    );
    // The browser's resend is dropped too; past the window the file is served.
    assert_eq!(
        raw(&origin, "GET", path, None, None, wait).await,
        Some(vec![])
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let served = raw(&origin, "GET", path, None, None, wait).await.unwrap();
    assert!(
        served.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&served)
    );
}
