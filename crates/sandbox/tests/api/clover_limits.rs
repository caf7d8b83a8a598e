//! Clover limits: concurrency, service hours, rate limit.

use crate::common::*;
use merchant_console_sandbox::config::{CloverMerchant, Window};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

const DAY: i64 = 86_400_000;
const BUSY: &str = "Too many concurrent exports. Please wait for your current export to finish.";

fn body(now: i64) -> serde_json::Value {
    json!({"type": "ORDERS", "startTime": now - DAY, "endTime": now})
}

#[tokio::test]
async fn one_running_export_per_merchant() {
    let sb = start_default().await;
    let t0 = noon();
    sb.freeze(t0).await;
    let first = sb.create_ok("ORDERS", t0 - DAY, t0).await;
    for region in ["sandbox", "la"] {
        let busy = sb.create(region, M1, T1, body(t0)).await;
        assert_eq!(busy.status, 503, "{}", busy.text);
        assert_eq!(busy.message(), BUSY);
        assert!(!busy.text.to_lowercase().contains("hours"));
    }
    // Still busy while IN_PROGRESS.
    sb.advance(2000).await;
    assert_eq!(sb.create("sandbox", M1, T1, body(t0)).await.status, 503);
    // Another merchant is not blocked.
    assert_eq!(sb.create("sandbox", M2, T2, body(t0)).await.status, 200);
    // Once done, the next one may start.
    sb.advance(3000).await;
    assert_eq!(
        sb.poll_ok(first["id"].as_str().unwrap()).await["status"],
        "DONE"
    );
    assert_eq!(sb.create("sandbox", M1, T1, body(t0)).await.status, 200);
    assert_eq!(sb.get("/__sandbox/exports").await.json()["created"], 3);
}

#[tokio::test]
async fn max_active_exports_is_configurable() {
    let mut cfg = config();
    cfg.max_active_exports = 2;
    let sb = start(cfg).await;
    sb.freeze(noon()).await;
    assert_eq!(sb.create("sandbox", M1, T1, body(noon())).await.status, 200);
    assert_eq!(sb.create("sandbox", M1, T1, body(noon())).await.status, 200);
    assert_eq!(sb.create("sandbox", M1, T1, body(noon())).await.status, 503);
}

#[tokio::test]
async fn us_service_hours() {
    let sb = start_default().await;
    let day = (2024, 6, 15); // a Saturday: the US window is every day
    let closed = [
        at(day.0, day.1, day.2, 9, 59),
        at(day.0, day.1, day.2, 15, 0),
        at(day.0, day.1, day.2, 23, 0),
    ];
    for t in closed {
        sb.freeze(t).await;
        let r = sb.create("us", M1, T1, body(t)).await;
        assert_eq!(r.status, 503, "{}", r.text);
        assert_eq!(
            r.message(),
            "The export service is available during these hours (UTC): every day 10:00-15:00"
        );
    }
    let open = at(day.0, day.1, day.2, 10, 0);
    sb.freeze(open).await;
    let r = sb.create("us", M1, T1, body(open)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_string();
    // Polls and downloads are not limited by hours.
    sb.freeze(at(day.0, day.1, day.2, 20, 0)).await;
    let done = sb.poll("us", M1, T1, &id).await;
    assert_eq!(done.status, 200);
    let done = done.json();
    assert_eq!(done["status"], "DONE");
    assert!(!sb.download_all(&done).await.is_empty());
    // Other regions are not limited.
    assert_eq!(sb.create("la", M1, T1, body(open)).await.status, 200);
}

#[tokio::test]
async fn eu_service_hours() {
    let mut cfg = config();
    cfg.max_active_exports = 100;
    let sb = start(cfg).await;
    let eu = "Mon-Fri 01:00-05:00, Sat 02:00-05:00, Sun 02:00-06:00";
    // 2024-06-12 Wednesday, 15 Saturday, 16 Sunday.
    let cases = [
        (at(2024, 6, 12, 0, 59), false),
        (at(2024, 6, 12, 1, 0), true),
        (at(2024, 6, 12, 4, 59), true),
        (at(2024, 6, 12, 5, 0), false),
        (at(2024, 6, 15, 1, 30), false),
        (at(2024, 6, 15, 2, 0), true),
        (at(2024, 6, 15, 5, 30), false),
        (at(2024, 6, 16, 5, 30), true),
        (at(2024, 6, 16, 6, 0), false),
        (at(2024, 6, 12, 12, 0), false),
    ];
    for (t, open) in cases {
        sb.freeze(t).await;
        let r = sb.create("eu", M1, T1, body(t)).await;
        if open {
            assert_eq!(r.status, 200, "at {t}: {}", r.text);
        } else {
            assert_eq!(r.status, 503, "at {t}: {}", r.text);
            assert_eq!(
                r.message(),
                format!("The export service is available during these hours (UTC): {eu}")
            );
        }
    }
}

#[tokio::test]
async fn service_hours_and_credentials_come_from_config() {
    let mut cfg = config();
    cfg.service_hours.insert(
        "la".into(),
        vec![Window {
            days: [true, true, true, true, true, false, false],
            start_min: 8 * 60,
            end_min: 9 * 60,
        }],
    );
    cfg.clover_merchants = vec![CloverMerchant {
        id: "MYMERCHANT123".into(),
        token: "my-token".into(),
    }];
    let sb = start(cfg).await;
    sb.freeze(noon()).await;
    let r = sb
        .create("la", "MYMERCHANT123", "my-token", body(noon()))
        .await;
    assert_eq!(r.status, 503);
    assert!(
        r.message().ends_with("(UTC): Mon-Fri 08:00-09:00"),
        "{}",
        r.text
    );
    assert_eq!(
        sb.create("sandbox", "MYMERCHANT123", "my-token", body(noon()))
            .await
            .status,
        200
    );
    assert_eq!(sb.create("sandbox", M1, T1, body(noon())).await.status, 401);
    let demo = sb.get("/config.json").await.json();
    assert_eq!(demo["demo"]["clover_merchant"], "MYMERCHANT123");
    assert_eq!(demo["demo"]["clover_token"], "my-token");
}

#[tokio::test]
async fn rate_limit_is_16_per_second_per_token() {
    let mut cfg = config();
    cfg.rate_limit_per_s = 16;
    let sb = start(cfg).await;
    let path = format!("/clover/sandbox/v3/merchants/{M1}/exports/NOSUCHEXPORT1");
    // The window is real time: on a very busy machine a burst may take over a second,
    // so try up to three bursts and judge one that fit in the window.
    let mut judged = false;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1050)).await;
        let t = Instant::now();
        let mut statuses = Vec::new();
        for _ in 0..17 {
            statuses.push(
                sb.request(Method::GET, &path, Some(T1), None)
                    .await
                    .status
                    .as_u16(),
            );
        }
        if t.elapsed() < Duration::from_millis(900) {
            assert!(statuses[..16].iter().all(|s| *s == 404), "{statuses:?}");
            assert_eq!(statuses[16], 429, "{statuses:?}");
            judged = true;
            break;
        }
    }
    assert!(judged, "no burst of 17 requests fitted in one second");
    let limited = sb.request(Method::GET, &path, Some(T1), None).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.headers.get("retry-after").unwrap(), "1");
    assert!(!limited.message().is_empty());
    // Creates count too, and another token has its own budget.
    assert_eq!(sb.create("sandbox", M1, T1, body(noon())).await.status, 429);
    assert_eq!(
        sb.request(Method::GET, &path.replace(M1, M2), Some(T2), None)
            .await
            .status,
        404
    );
    // After a second the window has moved on.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        sb.request(Method::GET, &path, Some(T1), None).await.status,
        404
    );
}
