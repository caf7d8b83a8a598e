//! LaterPay purchase history.

use crate::common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Instant;

const LP: &str = "demo-merchant";
const KEY: &str = "demo-api-key";

fn path(region: &str, from: &str, to: &str) -> String {
    format!("/laterpay/{region}/merchant/purchase-history?from_date={from}&to_date={to}")
}

async fn history(sb: &Sandbox, from: &str, to: &str) -> Reply {
    sb.send(
        sb.http
            .get(sb.url(&path("eu", from, to)))
            .basic_auth(LP, Some(KEY)),
    )
    .await
}

fn assert_error(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["status"], "error");
    assert_eq!(v["data"], json!([]));
    let errors = v["errors"].as_array().unwrap();
    assert!(!errors.is_empty() && errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn credentials_are_checked() {
    let sb = start_default().await;
    let p = path("eu", "2024-06-01", "2024-06-02");
    assert_error(&sb.get(&p).await, 401);
    assert_error(
        &sb.send(sb.http.get(sb.url(&p)).basic_auth(LP, Some("wrong")))
            .await,
        401,
    );
    assert_error(
        &sb.send(sb.http.get(sb.url(&p)).basic_auth("someone", Some(KEY)))
            .await,
        401,
    );
    assert_error(
        &sb.send(sb.http.get(sb.url(&p)).bearer_auth(KEY)).await,
        401,
    );
    // No WWW-Authenticate: a browser would pop up its own login dialog.
    assert!(sb.get(&p).await.headers.get("www-authenticate").is_none());
    for region in ["eu", "us"] {
        let r = sb
            .send(
                sb.http
                    .get(sb.url(&path(region, "2024-06-01", "2024-06-02")))
                    .basic_auth(LP, Some(KEY)),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let r = sb
        .send(
            sb.http
                .get(sb.url(&path("asia", "2024-06-01", "2024-06-02")))
                .basic_auth(LP, Some(KEY)),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn bad_dates_are_400() {
    let sb = start_default().await;
    for query in [
        "",
        "?from_date=2024-06-01",
        "?to_date=2024-06-01",
        "?from_date=&to_date=2024-06-01",
        "?from_date=2024-6-1&to_date=2024-06-02",
        "?from_date=2024-02-30&to_date=2024-03-02",
        "?from_date=01.06.2024&to_date=2024-06-02",
        "?from_date=2024-06-01T00:00:00&to_date=2024-06-02",
        "?from_date=2024-06-03&to_date=2024-06-02",
    ] {
        let r = sb
            .send(
                sb.http
                    .get(sb.url(&format!("/laterpay/eu/merchant/purchase-history{query}")))
                    .basic_auth(LP, Some(KEY)),
            )
            .await;
        assert_error(&r, 400);
    }
}

#[tokio::test]
async fn records_have_the_documented_shape() {
    let sb = start_default().await;
    let r = history(&sb, "2024-06-01", "2024-06-07").await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["errors"], json!([]));
    let data = v["data"].as_array().unwrap();
    assert!(data.len() > 500, "{}", data.len());
    let keys: HashSet<&str> = [
        "payment_model",
        "sales_model",
        "price",
        "title",
        "expiry_date",
        "item_url",
        "purchase_date",
        "shared_user_id",
        "payment_date",
        "article_id",
    ]
    .into();
    let mut models = HashSet::new();
    let mut payment_models = HashSet::new();
    let mut users = HashSet::new();
    for rec in data {
        let got: HashSet<&str> = rec
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(got, keys);
        let sales = rec["sales_model"].as_str().unwrap();
        models.insert(sales.to_string());
        payment_models.insert(rec["payment_model"].as_str().unwrap().to_string());
        assert!(rec["price"].as_i64().unwrap() > 0);
        let pd = rec["purchase_date"].as_str().unwrap();
        assert_eq!(pd.len(), 25, "{pd}");
        assert!(pd.ends_with("+00:00") && &pd[10..11] == "T");
        let pay = rec["payment_date"].as_str().unwrap();
        assert_eq!(pay.len(), 32, "{pay}");
        assert_eq!(&pay[19..20], ".");
        assert!(pay.ends_with("+00:00"));
        let exp = rec["expiry_date"].as_str().unwrap();
        match sales {
            "Single Purchase" | "Contribution" => assert_eq!(exp, ""),
            _ => {
                assert_eq!(exp.len(), 25, "{exp}");
                assert!(exp > pd);
            }
        }
        let article = rec["article_id"].as_str().unwrap();
        assert!(article.bytes().all(|c| c.is_ascii_digit()));
        assert_eq!(
            rec["item_url"],
            format!("http://example.com/article-{article}")
        );
        if sales == "Single Purchase" {
            assert_eq!(rec["title"], format!("Generated Article ID {article}"));
        }
        let user = rec["shared_user_id"].as_str().unwrap();
        assert_eq!(user.len(), 36);
        assert_eq!(user.matches('-').count(), 4);
        users.insert(user.to_string());
    }
    let expected_models: HashSet<String> = [
        "Single Purchase",
        "Time Pass",
        "Subscription",
        "Contribution",
    ]
    .map(String::from)
    .into();
    assert_eq!(models, expected_models);
    assert_eq!(
        payment_models,
        ["Pay Now", "Pay Later"].map(String::from).into()
    );
    assert!(
        users.len() < data.len() / 2,
        "buyers return: {} users",
        users.len()
    );
    let dates: Vec<&str> = data
        .iter()
        .map(|r| r["purchase_date"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "sorted by purchase_date"
    );
}

fn dates_of(r: &Reply) -> Vec<String> {
    r.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["purchase_date"].as_str().unwrap()[..10].to_string())
        .collect()
}

#[tokio::test]
async fn to_date_is_inclusive_and_data_is_deterministic() {
    let sb = start_default().await;
    let one = history(&sb, "2024-03-10", "2024-03-10").await;
    let d1 = dates_of(&one);
    assert!(!d1.is_empty());
    assert!(d1.iter().all(|d| d == "2024-03-10"));
    let two = history(&sb, "2024-03-10", "2024-03-11").await;
    let d2 = dates_of(&two);
    assert!(d2.iter().any(|d| d == "2024-03-11"));
    let next = history(&sb, "2024-03-11", "2024-03-11").await;
    // Split ranges concatenate to the whole.
    let mut joined = one.json()["data"].as_array().unwrap().clone();
    joined.extend(next.json()["data"].as_array().unwrap().iter().cloned());
    assert_eq!(Value::Array(joined), two.json()["data"]);
    // Byte-identical on repeat, and on another instance with the same seed.
    assert_eq!(
        history(&sb, "2024-03-10", "2024-03-11").await.text,
        two.text
    );
    let twin = start_default().await;
    assert_eq!(
        history(&twin, "2024-03-10", "2024-03-11").await.text,
        two.text
    );
    let mut cfg = config();
    cfg.seed = 9;
    let other = start(cfg).await;
    assert_ne!(
        history(&other, "2024-03-10", "2024-03-11").await.text,
        two.text
    );
    // The control API counts the same records.
    let c = sb
        .get("/__sandbox/laterpay/count?merchant=demo-merchant&from_date=2024-03-10&to_date=2024-03-11")
        .await
        .json();
    let data = two.json()["data"].as_array().unwrap().clone();
    assert_eq!(c["count"], data.len());
    assert_eq!(
        c["sum"],
        data.iter()
            .map(|r| r["price"].as_i64().unwrap())
            .sum::<i64>()
    );
}

#[tokio::test]
async fn two_hundred_thousand_purchases_in_one_response() {
    let mut cfg = config();
    cfg.purchases_per_day = 20_000;
    let sb = start(cfg).await;
    let (from, to) = ("2024-01-01", "2024-01-11");
    let expected = sb
        .get(&format!(
            "/__sandbox/laterpay/count?merchant={LP}&from_date={from}&to_date={to}"
        ))
        .await
        .json()["count"]
        .as_u64()
        .unwrap();
    assert!(expected >= 200_000, "{expected}");
    let t = Instant::now();
    let r = history(&sb, from, to).await;
    let took = t.elapsed();
    assert_eq!(r.status, 200);
    assert!(r.text.starts_with(r#"{"status":"ok","data":[{"#));
    assert!(r.text.ends_with(r#"}],"errors":[]}"#));
    assert_eq!(
        r.text.matches(r#""payment_model":"#).count() as u64,
        expected
    );
    // Generous for a debug build on 2 cores; release is several times faster.
    assert!(took.as_secs_f64() < 20.0, "took {took:?}");
    eprintln!(
        "{expected} purchases, {} MB, in {took:?}",
        r.text.len() / 1_000_000
    );
}
