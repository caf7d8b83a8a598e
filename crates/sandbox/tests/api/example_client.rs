//! Clover's own example client, replayed unchanged apart from its host: create,
//! poll until the status is neither PENDING nor IN_PROGRESS, read
//! `exportUrls.elements[].url`, GET each URL without auth, read `elements`.

use crate::common::*;
use merchant_console_sandbox::clock::real_now_ms;
use serde_json::{json, Value};
use std::time::Duration;

const DAY: i64 = 86_400_000;

/// The example's flow, written as literally as Clover's README describes it.
async fn run_example(
    base: &str,
    merchant_id: &str,
    api_token: &str,
    payload: Value,
) -> (Value, Vec<Value>) {
    let client = reqwest::Client::new();
    let auth = format!("Bearer {api_token}");
    let mut export: Value = client
        .post(format!("{base}/v3/merchants/{merchant_id}/exports/"))
        .header("Authorization", &auth)
        .json(&payload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let export_id = export["id"].as_str().unwrap().to_string();
    while export["status"] == "PENDING" || export["status"] == "IN_PROGRESS" {
        tokio::time::sleep(Duration::from_millis(150)).await;
        export = client
            .get(format!(
                "{base}/v3/merchants/{merchant_id}/exports/{export_id}"
            ))
            .header("Authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    }
    let mut objects = Vec::new();
    for export_url in export["exportUrls"]["elements"].as_array().unwrap() {
        // No Authorization header for the files.
        let data: Value = reqwest::get(export_url["url"].as_str().unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        objects.extend(data["elements"].as_array().unwrap().iter().cloned());
    }
    (export, objects)
}

#[tokio::test]
async fn clovers_example_client_works_end_to_end() {
    let mut cfg = config();
    cfg.pending_ms = 200;
    cfg.processing_ms = 600;
    cfg.rate_limit_per_s = 16;
    let sb = start(cfg).await;
    let base = format!("{}/clover/sandbox", sb.base);
    let end = real_now_ms();
    let start = end - 7 * DAY;

    // Once with numbers, once with strings, as Clover's examples do.
    let (export, orders) = run_example(
        &base,
        M1,
        T1,
        json!({"type": "ORDERS", "startTime": start, "endTime": end}),
    )
    .await;
    assert_eq!(export["status"], "DONE");
    let (count, sum) = sb.count(M1, "ORDERS", start, end).await;
    assert!(count > 2000);
    assert_eq!(orders.len() as u64, count);
    assert_eq!(
        orders
            .iter()
            .map(|o| o["total"].as_i64().unwrap())
            .sum::<i64>(),
        sum
    );

    let (export, payments) = run_example(
        &base,
        M1,
        T1,
        json!({"type": "PAYMENTS", "startTime": start.to_string(), "endTime": end.to_string()}),
    )
    .await;
    assert_eq!(export["status"], "DONE");
    assert_eq!(
        payments.len() as u64,
        sb.count(M1, "PAYMENTS", start, end).await.0
    );
    assert_eq!(sb.get("/__sandbox/exports").await.json()["created"], 2);
}
