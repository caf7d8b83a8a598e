//! OAuth v2 with PKCE: approve, exchange with S256 check, single-use refresh, expiry.

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const BASE: &str = "/clover/sandbox/oauth/v2";

fn challenge(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

/// Approves on the authorize page; returns (code, state, merchant_id) from the redirect.
async fn approve(sb: &Sandbox) -> (String, String, String) {
    let query = format!(
        "response_type=code&client_id=app&redirect_uri=http%3A%2F%2Fapp.test%2F&state=st%2B1&code_challenge={}&code_challenge_method=S256",
        challenge(VERIFIER)
    );
    let page = sb.get(&format!("{BASE}/authorize?{query}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Approve"), "{}", page.text);
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .post(sb.url(&format!("{BASE}/authorize")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{query}&merchant_id={M1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let q = location.strip_prefix("http://app.test/?").expect(&location);
    let mut code = String::new();
    let mut state = String::new();
    let mut merchant = String::new();
    for pair in q.split('&') {
        let (k, v) = pair.split_once('=').unwrap();
        match k {
            "code" => code = v.to_string(),
            "state" => state = v.to_string(),
            "merchant_id" => merchant = v.to_string(),
            _ => {}
        }
    }
    (code, state, merchant)
}

#[tokio::test]
async fn authorize_requires_pkce_s256() {
    let sb = start_default().await;
    let r = sb
        .get(&format!(
            "{BASE}/authorize?response_type=code&client_id=a&redirect_uri=x&state=s&code_challenge=c&code_challenge_method=plain"
        ))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("S256"));
}

#[tokio::test]
async fn code_exchange_checks_the_verifier_and_is_single_use() {
    let sb = start_default().await;
    let (code, state, merchant) = approve(&sb).await;
    assert_eq!(state, "st%2B1");
    assert_eq!(merchant, M1);
    let bad = sb
        .post_json(
            &format!("{BASE}/token"),
            json!({"client_id": "app", "code": code, "code_verifier": "x".repeat(43)}),
        )
        .await;
    assert_eq!(bad.status, 401);
    assert!(bad.message().contains("code_verifier"));
    // The failed attempt used the code up.
    let again = sb
        .post_json(
            &format!("{BASE}/token"),
            json!({"client_id": "app", "code": code, "code_verifier": VERIFIER}),
        )
        .await;
    assert_eq!(again.status, 401);

    let (code, _, _) = approve(&sb).await;
    let ok = sb
        .post_json(
            &format!("{BASE}/token"),
            json!({"client_id": "app", "code": code, "code_verifier": VERIFIER}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let t = ok.json();
    let access = t["access_token"].as_str().unwrap();
    assert!(t["access_token_expiration"].as_i64().unwrap() > 0);
    let poll = sb
        .request(
            Method::GET,
            &format!("/clover/sandbox/v3/merchants/{M1}/exports/NOPE"),
            Some(access),
            None,
        )
        .await;
    assert_eq!(poll.status, 404, "the token is accepted: {}", poll.text);
    let other = sb
        .request(
            Method::GET,
            &format!("/clover/sandbox/v3/merchants/{M2}/exports/NOPE"),
            Some(access),
            None,
        )
        .await;
    assert_eq!(other.status, 401, "only for the approving merchant");
}

#[tokio::test]
async fn refresh_is_single_use_and_access_tokens_expire() {
    let mut c = config();
    c.oauth_token_ttl_s = 60;
    let sb = start(c).await;
    sb.freeze(noon()).await;
    let (code, _, _) = approve(&sb).await;
    let t = sb
        .post_json(
            &format!("{BASE}/token"),
            json!({"client_id": "app", "code": code, "code_verifier": VERIFIER}),
        )
        .await
        .json();
    assert_eq!(t["access_token_expiration"], (noon() + 60_000) / 1000);
    let access = t["access_token"].as_str().unwrap().to_string();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let poll_path = format!("/clover/sandbox/v3/merchants/{M1}/exports/NOPE");
    sb.advance(60_000).await;
    let expired = sb
        .request(Method::GET, &poll_path, Some(&access), None)
        .await;
    assert_eq!(expired.status, 401);

    let body = json!({"client_id": "app", "refresh_token": refresh});
    let r = sb.post_json(&format!("{BASE}/refresh"), body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let fresh = r.json()["access_token"].as_str().unwrap().to_string();
    assert_ne!(fresh, access);
    assert_ne!(r.json()["refresh_token"].as_str().unwrap(), refresh);
    let ok = sb
        .request(Method::GET, &poll_path, Some(&fresh), None)
        .await;
    assert_eq!(ok.status, 404);
    let reused = sb.post_json(&format!("{BASE}/refresh"), body).await;
    assert_eq!(reused.status, 401, "refresh tokens are single-use");

    let stats = sb.get("/__sandbox/oauth").await.json();
    assert_eq!(stats["issued"], 1);
    assert_eq!(stats["refreshed"], 1);
    assert_eq!(stats["expired_refusals"], 1);
    let set = sb
        .post_json("/__sandbox/oauth", json!({"token_ttl_s": 5}))
        .await;
    assert_eq!(set.json()["token_ttl_s"], 5);
}
