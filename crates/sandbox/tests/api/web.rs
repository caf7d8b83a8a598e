//! Health, app configuration, static files, CORS.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_and_config() {
    let sb = start_default().await;
    let h = sb.get("/health").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.json(), json!({"status": "ok"}));
    let c = sb.get("/config.json").await.json();
    assert_eq!(
        c,
        json!({
            "clover": {"us": "/clover/us", "eu": "/clover/eu", "la": "/clover/la", "sandbox": "/clover/sandbox"},
            "laterpay": {"eu": "/laterpay/eu", "us": "/laterpay/us", "eu-sandbox": "/laterpay/eu", "us-sandbox": "/laterpay/us"},
            "oauth": {"client_id": "sandbox-app", "authorize": {"us": "/clover/us", "eu": "/clover/eu", "la": "/clover/la", "sandbox": "/clover/sandbox"}},
            "demo": {"clover_merchant": M1, "clover_token": T1, "laterpay_merchant": "demo-merchant", "laterpay_key": "demo-api-key"}
        })
    );
}

#[tokio::test]
async fn missing_dist_gives_a_hint_page() {
    let sb = start_default().await;
    let r = sb.get("/").await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("dist/ not built yet: run trunk build"));
    assert_eq!(sb.get("/exports").await.status, 200);
    // API paths never fall back to HTML.
    let api = sb.get("/clover/us/v3/unknown").await;
    assert_eq!(api.status, 404);
    assert_eq!(api.json()["message"], "Not Found");
    assert_eq!(sb.get("/__sandbox/nothing").await.status, 404);
}

#[tokio::test]
async fn serves_dist_with_index_fallback() {
    let dir = std::env::temp_dir().join(format!("mc-sandbox-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>APP INDEX</html>").unwrap();
    std::fs::write(dir.join("app-123.js"), "console.log(1)").unwrap();
    let mut cfg = config();
    cfg.dist = dir.clone();
    let sb = start(cfg).await;
    let index = sb.get("/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("APP INDEX"));
    let js = sb.get("/app-123.js").await;
    assert_eq!(js.text, "console.log(1)");
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let deep = sb.get("/history/2024").await;
    assert_eq!(deep.status, 200);
    assert!(deep.text.contains("APP INDEX"));
    assert_eq!(sb.get("/laterpay/nothing").await.status, 404);
    // Routes still win over files.
    assert_eq!(sb.get("/health").await.json()["status"], "ok");
    std::fs::remove_dir_all(&dir).ok();
}

async fn preflight(sb: &Sandbox, origin: &str) -> Reply {
    sb.send(
        sb.http
            .request(
                Method::OPTIONS,
                sb.url(&format!("/clover/us/v3/merchants/{M1}/exports")),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            ),
    )
    .await
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let mut cfg = config();
    cfg.cors_origins = vec!["http://app.example".into()];
    let sb = start(cfg).await;
    let ok = preflight(&sb, "http://app.example").await;
    assert!(ok.status.is_success(), "{}", ok.status);
    let h = &ok.headers;
    assert_eq!(h["access-control-allow-origin"], "http://app.example");
    assert_eq!(h["access-control-allow-credentials"], "true");
    let allow_headers = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allow_headers.contains("authorization") && allow_headers.contains("content-type"));
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("GET") && methods.contains("POST"));
    // Actual responses carry the origin and expose Retry-After.
    let r = sb
        .send(
            sb.http
                .get(sb.url("/health"))
                .header("origin", "http://app.example"),
        )
        .await;
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "http://app.example"
    );
    assert!(r.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase()
        .contains("retry-after"));

    let other = preflight(&sb, "http://evil.example").await;
    assert!(other.headers.get("access-control-allow-origin").is_none());
    let r = sb
        .send(
            sb.http
                .get(sb.url("/health"))
                .header("origin", "http://evil.example"),
        )
        .await;
    assert!(r.headers.get("access-control-allow-origin").is_none());

    // Without configured origins: no CORS headers at all.
    let plain = start_default().await;
    let p = preflight(&plain, "http://app.example").await;
    assert!(p.headers.get("access-control-allow-origin").is_none());
    let r = plain
        .send(
            plain
                .http
                .get(plain.url("/health"))
                .header("origin", "http://app.example"),
        )
        .await;
    assert!(r
        .headers
        .keys()
        .all(|k| !k.as_str().starts_with("access-control-")));
}
