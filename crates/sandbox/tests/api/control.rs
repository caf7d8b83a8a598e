//! The control API: clock, reset, exports list, counts, stats.

use crate::common::*;
use merchant_console_sandbox::clock::real_now_ms;
use serde_json::json;
use std::time::Duration;

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn clock_defaults_to_real_time_and_can_jump_advance_and_scale() {
    let sb = start_default().await;
    let c = sb.get("/__sandbox/clock").await.json();
    assert!((c["now"].as_i64().unwrap() - real_now_ms()).abs() < 2000);
    assert_eq!(c["scale"], 1.0);

    sb.freeze(noon()).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert_eq!(sb.get("/__sandbox/clock").await.json()["now"], noon());
    sb.advance(DAY).await;
    assert_eq!(sb.get("/__sandbox/clock").await.json()["now"], noon() + DAY);
    // Scale 1000: 50 ms real = ~50 s simulated.
    let r = sb
        .post_json("/__sandbox/clock", json!({"scale": 1000.0}))
        .await;
    assert_eq!(r.json()["scale"], 1000.0);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let now = sb.get("/__sandbox/clock").await.json()["now"]
        .as_i64()
        .unwrap();
    assert!(now >= noon() + DAY + 50_000, "{now}");
    assert!(now < noon() + DAY + 3_600_000, "{now}");
    // Bad input.
    assert_eq!(
        sb.post_json("/__sandbox/clock", json!({"scale": -1.0}))
            .await
            .status,
        400
    );
    assert_eq!(
        sb.post_json("/__sandbox/clock", json!({"nw": 1}))
            .await
            .status,
        400
    );

    // Reset: real time again, at the start-up scale.
    assert_eq!(
        sb.send(sb.http.post(sb.url("/__sandbox/reset")))
            .await
            .status,
        200
    );
    let c = sb.get("/__sandbox/clock").await.json();
    assert!((c["now"].as_i64().unwrap() - real_now_ms()).abs() < 2000);
    assert_eq!(c["scale"], 1.0);
}

#[tokio::test]
async fn time_scale_drives_the_lifecycle() {
    let mut cfg = config();
    cfg.time_scale = 100.0; // 5 s simulated = 50 ms real
    let sb = start(cfg).await;
    let now = sb.get("/__sandbox/clock").await.json()["now"]
        .as_i64()
        .unwrap();
    let e = sb.create_ok("ORDERS", now - DAY, now).await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        sb.poll_ok(e["id"].as_str().unwrap()).await["status"],
        "DONE"
    );
    sb.send(sb.http.post(sb.url("/__sandbox/reset"))).await;
    assert_eq!(sb.get("/__sandbox/clock").await.json()["scale"], 100.0);
}

#[tokio::test]
async fn reset_clears_exports_faults_and_rate_limits() {
    let mut cfg = config();
    cfg.rate_limit_per_s = 3;
    let sb = start(cfg).await;
    sb.freeze(noon()).await;
    sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    sb.fault(json!({"kind": "500", "count": 3})).await;
    let path = format!("/clover/sandbox/v3/merchants/{M1}/exports/X");
    for _ in 0..3 {
        sb.request(reqwest::Method::GET, &path, Some(T1), None)
            .await;
    }
    assert_eq!(
        sb.request(reqwest::Method::GET, &path, Some(T1), None)
            .await
            .status,
        429
    );
    sb.send(sb.http.post(sb.url("/__sandbox/reset"))).await;
    let ex = sb.get("/__sandbox/exports").await.json();
    assert_eq!(ex, json!({"created": 0, "exports": []}));
    assert_eq!(
        sb.get("/__sandbox/faults").await.json()["faults"],
        json!([])
    );
    assert_eq!(
        sb.request(reqwest::Method::GET, &path, Some(T1), None)
            .await
            .status,
        404
    );
    // Stats restarted too: only the requests since the reset.
    let stats = sb.get("/__sandbox/stats").await.json();
    assert_eq!(stats["by_route"]["poll"]["total"], 1);
    assert!(stats["by_route"].get("create").is_none());
}

#[tokio::test]
async fn stats_count_routes_and_statuses() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    sb.get("/health").await;
    sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    sb.create(
        "sandbox",
        M1,
        T1,
        json!({"type": "ORDERS", "startTime": 0, "endTime": 1}),
    )
    .await; // 503 busy
    sb.create("sandbox", M1, "bad", json!({})).await; // 401
    let s = sb.get("/__sandbox/stats").await.json();
    assert_eq!(s["by_route"]["create"]["total"], 3);
    assert_eq!(
        s["by_route"]["create"]["by_status"],
        json!({"200": 1, "401": 1, "503": 1})
    );
    assert_eq!(s["by_route"]["health"]["total"], 1);
    assert_eq!(s["by_status"]["401"], 1);
    assert!(s["total"].as_u64().unwrap() >= 5);
}

#[tokio::test]
async fn count_endpoint_handles_any_span() {
    let sb = start_default().await;
    let a = at(2024, 1, 1, 0, 0);
    let parts = [
        (a, a + 30 * DAY - 1),
        (a + 30 * DAY, a + 60 * DAY - 1),
        (a + 60 * DAY, a + 90 * DAY),
    ];
    for kind in ["ORDERS", "PAYMENTS"] {
        let whole = sb.count(M1, kind, a, a + 90 * DAY).await;
        let mut sum = (0, 0);
        for (s, e) in parts {
            let c = sb.count(M1, kind, s, e).await;
            sum = (sum.0 + c.0, sum.1 + c.1);
        }
        assert_eq!(whole, sum, "{kind}");
        // About 400 per day.
        assert!((30_000..=42_000).contains(&whole.0), "{whole:?}");
    }
    // Merchants differ; bad queries are 400.
    assert_ne!(
        sb.count(M1, "ORDERS", a, a + DAY).await,
        sb.count(M2, "ORDERS", a, a + DAY).await
    );
    assert_eq!(
        sb.get("/__sandbox/clover/count?merchant=M&start=1")
            .await
            .status,
        400
    );
    assert_eq!(
        sb.get("/__sandbox/clover/count?merchant=M&type=X&start=1&end=2")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn hostile_data_can_be_switched_on_and_reset() {
    let sb = start_default().await;
    let history = || async {
        sb.send(
            sb.http
                .get(sb.url(
                    "/laterpay/eu/merchant/purchase-history?from_date=2024-06-10&to_date=2024-06-12",
                ))
                .basic_auth("demo-merchant", Some("demo-api-key")),
        )
        .await
    };
    let demo = history().await.text;
    assert!(!demo.contains("javascript:"));
    assert_eq!(
        sb.get("/__sandbox/data").await.json(),
        json!({"mode": "demo"})
    );
    let on = sb
        .post_json("/__sandbox/data", json!({"mode": "hostile"}))
        .await;
    assert_eq!(on.json(), json!({"mode": "hostile"}));
    let hostile = history().await;
    assert_eq!(hostile.status, 200);
    let v = hostile.json();
    let data = v["data"].as_array().unwrap();
    for needle in [
        "=HYPERLINK",
        "javascript:",
        "9000000000000000000",
        "\u{202E}",
        "\\u0000",
    ] {
        assert!(
            hostile.text.to_lowercase().contains(&needle.to_lowercase()),
            "{needle}"
        );
    }
    // Every demo record is still there, with the hostile ones around it.
    let demo_v: serde_json::Value = serde_json::from_str(&demo).unwrap();
    assert!(data.len() > demo_v["data"].as_array().unwrap().len());
    for rec in demo_v["data"].as_array().unwrap() {
        assert!(data.contains(rec));
    }

    // Clover files get formula strings (ids intact).
    sb.freeze(noon()).await;
    let export = sb.create_ok("ORDERS", noon() - 2 * HOUR, noon()).await;
    sb.advance(10_000).await;
    let done = sb.poll_ok(export["id"].as_str().unwrap()).await;
    let objects = sb.download_all(&done).await;
    assert!(objects
        .iter()
        .any(|o| o["title"].as_str().is_some_and(|t| t.starts_with('='))));
    assert!(objects
        .iter()
        .all(|o| o["id"].is_string() && o["createdTime"].is_i64()));

    assert_eq!(
        sb.post_json("/__sandbox/data", json!({"mode": "evil"}))
            .await
            .status,
        400
    );
    sb.post_json("/__sandbox/reset", json!({})).await;
    assert_eq!(
        sb.get("/__sandbox/data").await.json(),
        json!({"mode": "demo"})
    );
    assert!(!history().await.text.contains("javascript:"));
}
