//! Fault injection through `/__sandbox/faults`.

use crate::common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const DAY: i64 = 86_400_000;

fn body() -> serde_json::Value {
    json!({"type": "ORDERS", "startTime": noon() - DAY, "endTime": noon()})
}

#[tokio::test]
async fn request_faults_replace_answers() {
    let mut cfg = config();
    cfg.max_active_exports = 100;
    let sb = start(cfg).await;
    sb.freeze(noon()).await;

    sb.fault(json!({"route": "create", "kind": "429", "retry_after_s": 7}))
        .await;
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers.get("retry-after").unwrap(), "7");
    assert!(!r.message().is_empty());

    sb.fault(json!({"route": "create", "kind": 429, "retry_after": false}))
        .await;
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert_eq!(r.status, 429);
    assert!(r.headers.get("retry-after").is_none());

    for (kind, status) in [("500", 500), ("502", 502), ("401", 401)] {
        sb.fault(json!({"route": "create", "kind": kind})).await;
        let r = sb.create("sandbox", M1, T1, body()).await;
        assert_eq!(r.status, status, "{kind}");
        assert!(!r.message().is_empty(), "{kind}");
    }

    sb.fault(json!({"route": "create", "kind": "503-busy"}))
        .await;
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert_eq!(r.status, 503);
    assert!(r.message().contains("concurrent") && !r.message().contains("hours"));

    sb.fault(json!({"route": "create", "kind": "503-hours"}))
        .await;
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert_eq!(r.status, 503);
    assert!(r.message().contains("hours (UTC)"), "{}", r.text);

    sb.fault(json!({"route": "create", "kind": "malformed"}))
        .await;
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());

    sb.fault(json!({"route": "create", "kind": "slow", "delay_ms": 300}))
        .await;
    let t = Instant::now();
    let r = sb.create("sandbox", M1, T1, body()).await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "PENDING");

    // Nothing left: normal service (only the slow one created an export so far).
    assert_eq!(
        sb.get("/__sandbox/faults").await.json()["faults"],
        json!([])
    );
    assert_eq!(sb.create("sandbox", M1, T1, body()).await.status, 200);
    assert_eq!(sb.get("/__sandbox/exports").await.json()["created"], 2);
}

#[tokio::test]
async fn faults_count_match_routes_and_fire_before_validation() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    sb.fault(json!({"route": "poll", "kind": "500", "count": 2}))
        .await;
    let listed = sb.get("/__sandbox/faults").await.json();
    assert_eq!(listed["faults"][0]["remaining"], 2);
    assert_eq!(listed["faults"][0]["route"], "poll");
    // A create is not a poll.
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    let id = e["id"].as_str().unwrap();
    // Bad credentials do not use faults up.
    assert_eq!(sb.poll("sandbox", M1, "bad", id).await.status, 401);
    assert_eq!(sb.poll("sandbox", M1, T1, id).await.status, 500);
    assert_eq!(sb.poll("sandbox", M1, T1, id).await.status, 500);
    assert_eq!(sb.poll("sandbox", M1, T1, id).await.status, 200);

    // Before validation: an invalid body still gets the fault.
    sb.fault(json!({"route": "any", "kind": "502"})).await;
    assert_eq!(
        sb.create("sandbox", M1, T1, json!({"type": "NOPE"}))
            .await
            .status,
        502
    );

    // DELETE clears; unknown kinds are refused.
    sb.fault(json!({"route": "create", "kind": "500", "count": 5}))
        .await;
    let del = sb.send(sb.http.delete(sb.url("/__sandbox/faults"))).await;
    assert_eq!(del.status, 200);
    assert_eq!(
        sb.get("/__sandbox/faults").await.json()["faults"],
        json!([])
    );
    let bad = sb
        .post_json("/__sandbox/faults", json!({"kind": "418"}))
        .await;
    assert_eq!(bad.status, 400);
    let bad = sb
        .post_json(
            "/__sandbox/faults",
            json!({"route": "nowhere", "kind": "500"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn file_and_purchase_faults() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    let url = done["exportUrls"]["elements"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    sb.fault(json!({"route": "file", "kind": "500"})).await;
    assert_eq!(sb.get(&url).await.status, 500);
    sb.fault(json!({"route": "file", "kind": "malformed"}))
        .await;
    let r = sb.get(&url).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text).is_err());
    assert_eq!(sb.get(&url).await.status, 200);

    sb.fault(json!({"route": "purchases", "kind": "503-busy"}))
        .await;
    let path = "/laterpay/eu/merchant/purchase-history?from_date=2024-06-01&to_date=2024-06-01";
    let r = sb
        .send(
            sb.http
                .get(sb.url(path))
                .basic_auth("demo-merchant", Some("demo-api-key")),
        )
        .await;
    assert_eq!(r.status, 503);
    let v = r.json();
    assert_eq!(v["status"], "error");
    assert_eq!(v["data"], json!([]));
    assert!(v["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn export_failed_and_stall() {
    let sb = start_default().await;
    let t0 = noon();
    sb.freeze(t0).await;
    sb.fault(json!({"kind": "export-failed"})).await;
    let e = sb.create_ok("ORDERS", t0 - DAY, t0).await;
    let id = e["id"].as_str().unwrap();
    sb.advance(2000).await;
    assert_eq!(sb.poll_ok(id).await["status"], "IN_PROGRESS");
    sb.advance(3000).await;
    let failed = sb.poll_ok(id).await;
    assert_eq!(failed["status"], "FAILED");
    assert!(failed.get("exportUrls").is_none() && failed.get("availableUntil").is_none());

    // Custom terminal status; the failed one no longer blocks.
    sb.fault(json!({"kind": "export-failed", "status": "ERROR"}))
        .await;
    let e = sb.create_ok("ORDERS", t0 - DAY, t0).await;
    sb.advance(5000).await;
    assert_eq!(
        sb.poll_ok(e["id"].as_str().unwrap()).await["status"],
        "ERROR"
    );

    sb.fault(json!({"kind": "export-stall", "percent": 40}))
        .await;
    let e = sb.create_ok("ORDERS", t0 - DAY, t0).await;
    let id = e["id"].as_str().unwrap().to_string();
    sb.advance(DAY).await;
    let stalled = sb.poll_ok(&id).await;
    assert_eq!(stalled["status"], "IN_PROGRESS");
    assert_eq!(stalled["percentComplete"], 40);
    sb.advance(DAY).await;
    assert_eq!(sb.poll_ok(&id).await["percentComplete"], 40);
    // A stalled export keeps its slot.
    assert_eq!(sb.create("sandbox", M1, T1, body()).await.status, 503);
    let listed = sb.get("/__sandbox/exports").await.json();
    assert_eq!(listed["exports"][2]["status"], "IN_PROGRESS");
}

#[tokio::test]
async fn legacy_variants() {
    let sb = start_default().await;
    let t0 = noon();
    sb.freeze(t0).await;
    sb.fault(json!({"kind": "legacy-complete"})).await;
    let e = sb.create_ok("ORDERS", t0 - 3 * DAY, t0).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "COMPLETE");
    assert!(done["exportUrls"]["elements"].as_array().unwrap().len() > 1);

    sb.fault(json!({"kind": "legacy-object-urls"})).await;
    let (start, end) = (t0 - 3 * DAY, t0);
    let e = sb.create_ok("ORDERS", start, end).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "DONE");
    let el = &done["exportUrls"]["elements"];
    assert!(el.is_object(), "{el}");
    assert_eq!(el["export"]["id"], e["id"]);
    // One file with every object.
    let r = sb.get(el["url"].as_str().unwrap()).await;
    let (count, _) = sb.count(M1, "ORDERS", start, end).await;
    assert!(count > 1000);
    assert_eq!(r.json()["elements"].as_array().unwrap().len() as u64, count);
    let listed = sb.get("/__sandbox/exports").await.json();
    assert_eq!(listed["exports"][1]["fileCount"], 1);
}
