//! Clover exports: auth, validation, lifecycle, files, data.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;

const DAY: i64 = 86_400_000;

#[tokio::test]
async fn auth_rejects_missing_wrong_and_foreign_tokens() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let body = json!({"type": "ORDERS", "startTime": noon() - DAY, "endTime": noon()});
    let path = format!("/clover/sandbox/v3/merchants/{M1}/exports");
    let none = sb
        .request(Method::POST, &path, None, Some(body.clone()))
        .await;
    assert_eq!(none.status, 401);
    assert_eq!(none.json(), json!({"message": "401 Unauthorized"}));
    let wrong = sb.create("sandbox", M1, "nope", body.clone()).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.message(), "401 Unauthorized");
    // A valid token, but for another merchant.
    let foreign = sb.create("sandbox", M1, T2, body.clone()).await;
    assert_eq!(foreign.status, 401);
    let basic = sb
        .send(
            sb.http
                .post(sb.url(&path))
                .basic_auth(M1, Some(T1))
                .json(&body),
        )
        .await;
    assert_eq!(basic.status, 401);
    // The right token works, and polls check the token too.
    let ok = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    let id = ok["id"].as_str().unwrap();
    assert_eq!(sb.poll("sandbox", M1, T2, id).await.status, 401);
    assert_eq!(sb.poll("sandbox", M1, "nope", id).await.status, 401);
    // Another merchant cannot see it even with its own valid token.
    assert_eq!(sb.poll("sandbox", M2, T2, id).await.status, 404);
    assert_eq!(sb.poll("sandbox", M1, T1, id).await.status, 200);
    // Unknown region and unknown export.
    assert_eq!(sb.poll("mars", M1, T1, id).await.status, 404);
    assert_eq!(
        sb.poll("sandbox", M1, T1, "NOSUCHEXPORT1").await.status,
        404
    );
    // Exports are per region.
    assert_eq!(sb.poll("us", M1, T1, id).await.status, 404);
}

#[tokio::test]
async fn validation_answers_400_with_a_message() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let s = noon() - DAY;
    let cases = [
        json!({"type": "REFUNDS", "startTime": s, "endTime": noon()}),
        json!({"type": "orders", "startTime": s, "endTime": noon()}),
        json!({"startTime": s, "endTime": noon()}),
        json!({"type": "ORDERS", "endTime": noon()}),
        json!({"type": "ORDERS", "startTime": s}),
        json!({"type": "ORDERS", "startTime": "yesterday", "endTime": noon()}),
        json!({"type": "ORDERS", "startTime": s, "endTime": "12x"}),
        json!({"type": "ORDERS", "startTime": true, "endTime": noon()}),
        json!({"type": "ORDERS", "startTime": noon(), "endTime": noon()}),
        json!({"type": "ORDERS", "startTime": noon(), "endTime": s}),
        json!({"type": "ORDERS", "startTime": s, "endTime": s + 30 * DAY + 1}),
        json!([1, 2]),
    ];
    for body in cases {
        let r = sb.create("sandbox", M1, T1, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(!r.message().is_empty(), "{body}");
    }
    let bad_json = sb
        .send(
            sb.http
                .post(sb.url(&format!("/clover/sandbox/v3/merchants/{M1}/exports")))
                .bearer_auth(T1)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(bad_json.status, 400);
    assert!(bad_json.message().contains("JSON"));
    let span = sb
        .create(
            "sandbox",
            M1,
            T1,
            json!({"type": "ORDERS", "startTime": s, "endTime": s + 31 * DAY}),
        )
        .await;
    assert!(span.message().contains("30 days"), "{}", span.text);
    // Exactly 30 days is allowed; nothing was created by the rejected requests.
    sb.create_ok("ORDERS", s, s + 30 * DAY).await;
    assert_eq!(sb.get("/__sandbox/exports").await.json()["created"], 1);
}

#[tokio::test]
async fn numeric_string_times_and_trailing_slash_are_accepted() {
    let mut cfg = config();
    cfg.max_active_exports = 10;
    let sb = start(cfg).await;
    sb.freeze(noon()).await;
    let start = noon() - 2 * DAY;
    for path in ["exports", "exports/"] {
        let r = sb
            .request(
                Method::POST,
                &format!("/clover/sandbox/v3/merchants/{M1}/{path}"),
                Some(T1),
                Some(json!({"type": "PAYMENTS", "startTime": start.to_string(), "endTime": noon().to_string()})),
            )
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let v = r.json();
        // Times come back as numbers whatever was sent.
        assert_eq!(v["startTime"], json!(start));
        assert_eq!(v["endTime"], json!(noon()));
        assert_eq!(v["type"], "PAYMENTS");
    }
}

fn assert_clover_id(id: &str) {
    assert_eq!(id.len(), 13, "{id}");
    assert!(
        id.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{id}"
    );
}

#[tokio::test]
async fn lifecycle_pending_in_progress_done() {
    let sb = start_default().await;
    let t0 = noon();
    sb.freeze(t0).await;
    let (start, end) = (t0 - 3 * DAY, t0);
    let created = sb.create_ok("ORDERS", start, end).await;
    let keys: HashSet<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: HashSet<&str> = [
        "id",
        "type",
        "status",
        "percentComplete",
        "startTime",
        "endTime",
        "createdTime",
        "modifiedTime",
        "merchantRef",
    ]
    .into();
    assert_eq!(keys, expected);
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["percentComplete"], 0);
    assert_eq!(created["createdTime"], t0);
    assert_eq!(created["merchantRef"], json!({"id": M1}));
    let id = created["id"].as_str().unwrap().to_string();
    assert_clover_id(&id);

    sb.advance(999).await;
    assert_eq!(sb.poll_ok(&id).await["status"], "PENDING");
    sb.advance(1).await;
    let first = sb.poll_ok(&id).await;
    assert_eq!(first["status"], "IN_PROGRESS");
    let mut last = first["percentComplete"].as_i64().unwrap();
    let mut seen = HashSet::new();
    for _ in 0..7 {
        sb.advance(500).await;
        let p = sb.poll_ok(&id).await;
        assert_eq!(p["status"], "IN_PROGRESS");
        let pct = p["percentComplete"].as_i64().unwrap();
        assert!(pct >= last && pct < 100, "{pct} after {last}");
        assert!(p.get("exportUrls").is_none() && p.get("availableUntil").is_none());
        seen.insert(pct);
        last = pct;
    }
    assert!(seen.len() >= 5, "percent should rise: {seen:?}");
    sb.advance(499).await; // t0 + 4999
    assert_eq!(sb.poll_ok(&id).await["status"], "IN_PROGRESS");
    sb.advance(1).await; // t0 + 5000 = pending 1000 + processing 4000
    let done = sb.poll_ok(&id).await;
    assert_eq!(done["status"], "DONE");
    assert_eq!(done["percentComplete"], 100);
    let finish = t0 + 5000;
    assert_eq!(done["modifiedTime"], finish);
    assert_eq!(done["availableUntil"], finish + 24 * HOUR);
    let (count, _) = sb.count(M1, "ORDERS", start, end).await;
    assert!(count > 1000, "3 days at 400/day: {count}");
    let urls = done["exportUrls"]["elements"].as_array().unwrap();
    assert_eq!(urls.len() as u64, count.div_ceil(1000));
    for u in urls {
        assert_eq!(u["export"]["id"], id.as_str());
        let url = u["url"].as_str().unwrap();
        let token = url
            .strip_prefix(&format!("{}/clover/files/", sb.base))
            .expect(url);
        assert!(token.len() >= 32);
    }
    // The control API agrees.
    let listed = sb.get("/__sandbox/exports").await.json();
    assert_eq!(listed["created"], 1);
    let e = &listed["exports"][0];
    assert_eq!(
        (e["status"].clone(), e["objectCount"].clone()),
        (json!("DONE"), json!(count))
    );
    assert_eq!(e["fileCount"], urls.len());
    assert_eq!(
        (e["merchant"].clone(), e["region"].clone()),
        (json!(M1), json!("sandbox"))
    );
}

#[tokio::test]
async fn files_hold_1000_objects_each_and_expire_after_24h() {
    let sb = start_default().await;
    let t0 = noon();
    sb.freeze(t0).await;
    let (start, end) = (t0 - 5 * DAY, t0);
    let e = sb.create_ok("ORDERS", start, end).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    let urls: Vec<String> = done["exportUrls"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["url"].as_str().unwrap().to_string())
        .collect();
    let (count, sum) = sb.count(M1, "ORDERS", start, end).await;
    assert_eq!(urls.len() as u64, count.div_ceil(1000));
    let mut all = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        // No Authorization header.
        let r = sb.get(url).await;
        assert_eq!(r.status, 200);
        let elements = r.json()["elements"].as_array().unwrap().clone();
        if i + 1 < urls.len() {
            assert_eq!(elements.len(), 1000);
        } else {
            assert!(!elements.is_empty() && elements.len() <= 1000);
        }
        all.extend(elements);
    }
    assert_eq!(all.len() as u64, count);
    assert_eq!(
        all.iter()
            .map(|o| o["total"].as_i64().unwrap())
            .sum::<i64>(),
        sum
    );
    let times: Vec<i64> = all
        .iter()
        .map(|o| o["createdTime"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "createdTime order");
    assert!(times.iter().all(|t| (start..=end).contains(t)));
    let ids: HashSet<&str> = all.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "unique ids");

    // Still there at availableUntil, gone 1 ms later; unknown tokens are 404.
    let until = done["availableUntil"].as_i64().unwrap();
    sb.freeze(until).await;
    assert_eq!(sb.get(&urls[0]).await.status, 200);
    sb.advance(1).await;
    let gone = sb.get(&urls[0]).await;
    assert_eq!(gone.status, 410);
    assert!(!gone.message().is_empty());
    assert_eq!(
        sb.get("/clover/files/0123456789abcdef0123456789abcdef")
            .await
            .status,
        404
    );
    // Polling still answers after expiry.
    assert_eq!(
        sb.poll_ok(e["id"].as_str().unwrap()).await["status"],
        "DONE"
    );
}

#[tokio::test]
async fn zero_objects_is_done_with_no_files() {
    let mut cfg = config();
    cfg.orders_per_day = 0;
    let sb = start(cfg).await;
    sb.freeze(noon()).await;
    let e = sb.create_ok("ORDERS", noon() - DAY, noon()).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "DONE");
    assert_eq!(done["exportUrls"]["elements"], json!([]));
    assert!(done["availableUntil"].is_i64());
}

#[tokio::test]
async fn objects_are_shaped_like_clover_and_currency_follows_region() {
    let mut cfg = config();
    cfg.max_active_exports = 10;
    let sb = start(cfg).await;
    sb.freeze(at(2024, 6, 12, 3, 0)).await; // inside EU hours (Wednesday 03:00)
    let (start, end) = (at(2024, 6, 10, 0, 0), at(2024, 6, 10, 23, 59));
    let mut exports = Vec::new();
    for (region, kind) in [
        ("eu", "ORDERS"),
        ("sandbox", "ORDERS"),
        ("sandbox", "PAYMENTS"),
    ] {
        let r = sb
            .create(
                region,
                M1,
                T1,
                json!({"type": kind, "startTime": start, "endTime": end}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        exports.push((region, r.json()["id"].as_str().unwrap().to_string()));
    }
    sb.advance(5000).await;
    let mut files = Vec::new();
    for (region, id) in &exports {
        let v = sb.poll(region, M1, T1, id).await.json();
        files.push(sb.download_all(&v).await);
    }
    let order_keys = [
        "id",
        "currency",
        "total",
        "paymentState",
        "state",
        "payType",
        "title",
        "note",
        "createdTime",
        "clientCreatedTime",
        "modifiedTime",
        "employee",
        "device",
        "manualTransaction",
        "testMode",
    ];
    for (orders, currency) in [(&files[0], "EUR"), (&files[1], "USD")] {
        for o in orders.iter() {
            for k in order_keys {
                assert!(o.get(k).is_some(), "order lacks {k}: {o}");
            }
            assert_eq!(o["currency"], currency);
            assert_clover_id(o["id"].as_str().unwrap());
            assert!(o["total"].is_i64());
            assert!(o["employee"]["id"].is_string() && o["device"]["id"].is_string());
            if let Some(items) = o.get("lineItems") {
                let sum: i64 = items["elements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["price"].as_i64().unwrap())
                    .sum();
                assert_eq!(sum, o["total"].as_i64().unwrap());
            }
        }
    }
    // Same objects whatever the region, apart from currency.
    let ids = |v: &Vec<Value>| v.iter().map(|o| o["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&files[0]), ids(&files[1]));
    let payment_keys = [
        "id",
        "order",
        "device",
        "employee",
        "tender",
        "amount",
        "tipAmount",
        "taxAmount",
        "cashbackAmount",
        "result",
        "offline",
        "createdTime",
        "clientCreatedTime",
        "modifiedTime",
    ];
    let order_ids: HashSet<&str> = files[1].iter().map(|o| o["id"].as_str().unwrap()).collect();
    let mut with_card = 0;
    for p in &files[2] {
        for k in payment_keys {
            assert!(p.get(k).is_some(), "payment lacks {k}: {p}");
        }
        for k in ["id", "label", "labelKey"] {
            assert!(p["tender"][k].is_string());
        }
        if let Some(c) = p.get("cardTransaction") {
            with_card += 1;
            for k in [
                "cardType",
                "entryType",
                "type",
                "state",
                "last4",
                "first6",
                "authCode",
            ] {
                assert!(c[k].is_string(), "cardTransaction lacks {k}");
            }
            assert_eq!(c["last4"].as_str().unwrap().len(), 4);
            assert_eq!(c["first6"].as_str().unwrap().len(), 6);
        }
    }
    assert!(with_card > 0);
    // Payments of the day pay orders of the day (when they stay inside the range).
    let linked = files[2]
        .iter()
        .filter(|p| order_ids.contains(p["order"]["id"].as_str().unwrap()))
        .count();
    assert!(
        linked * 10 >= files[2].len() * 9,
        "{linked} of {}",
        files[2].len()
    );
}

/// Downloads the objects of one export of [start, end] (fresh window per call).
async fn export_ids(sb: &Sandbox, kind: &str, start: i64, end: i64) -> Vec<String> {
    let e = sb.create_ok(kind, start, end).await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "DONE");
    sb.download_all(&done)
        .await
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn same_range_gives_same_objects_however_it_is_split() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let (a, b) = (at(2024, 5, 1, 0, 0), at(2024, 5, 4, 17, 30));
    for kind in ["ORDERS", "PAYMENTS"] {
        let whole = export_ids(&sb, kind, a, b).await;
        // Inclusive ends: [a, m] and [m + 1, b] cover every millisecond once.
        let m = at(2024, 5, 2, 13, 7) + 123;
        let mut split = export_ids(&sb, kind, a, m).await;
        split.extend(export_ids(&sb, kind, m + 1, b).await);
        assert_eq!(whole, split, "{kind}");
        let (n1, s1) = sb.count(M1, kind, a, m).await;
        let (n2, s2) = sb.count(M1, kind, m + 1, b).await;
        let (n, s) = sb.count(M1, kind, a, b).await;
        assert_eq!((n1 + n2, s1 + s2), (n, s));
        assert_eq!(n as usize, whole.len());
        // Again later: identical.
        assert_eq!(whole, export_ids(&sb, kind, a, b).await);
    }
    // A second instance with the same seed has the same data; another seed differs.
    let twin = start_default().await;
    assert_eq!(
        twin.count(M1, "ORDERS", a, b).await,
        sb.count(M1, "ORDERS", a, b).await
    );
    let mut other = config();
    other.seed = 7;
    let other = start(other).await;
    assert_ne!(
        other.count(M1, "ORDERS", a, b).await,
        sb.count(M1, "ORDERS", a, b).await
    );
}

#[tokio::test]
async fn range_ends_are_inclusive() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    let ids = export_ids(&sb, "ORDERS", at(2024, 5, 1, 0, 0), at(2024, 5, 1, 23, 59)).await;
    assert!(ids.len() > 10);
    // Find the exact createdTime of two objects and export exactly [t1, t2].
    let e = sb
        .create_ok("ORDERS", at(2024, 5, 1, 0, 0), at(2024, 5, 2, 0, 0))
        .await;
    sb.advance(5000).await;
    let done = sb.poll_ok(e["id"].as_str().unwrap()).await;
    let objects = sb.download_all(&done).await;
    let t1 = objects[3]["createdTime"].as_i64().unwrap();
    let t2 = objects[9]["createdTime"].as_i64().unwrap();
    assert!(t2 > t1);
    let (n, _) = sb.count(M1, "ORDERS", t1, t2).await;
    let expected = objects
        .iter()
        .filter(|o| (t1..=t2).contains(&o["createdTime"].as_i64().unwrap()))
        .count();
    assert_eq!(n as usize, expected);
    let exact = export_ids(&sb, "ORDERS", t1, t2).await;
    assert_eq!(exact.len(), expected);
    assert_eq!(exact.first().unwrap(), objects[3]["id"].as_str().unwrap());
    // One millisecond less on each side drops them.
    let inner = sb.count(M1, "ORDERS", t1 + 1, t2 - 1).await.0;
    let at_t1 = objects.iter().filter(|o| o["createdTime"] == t1).count();
    let at_t2 = objects.iter().filter(|o| o["createdTime"] == t2).count();
    assert_eq!(inner as usize, expected - at_t1 - at_t2);
}
