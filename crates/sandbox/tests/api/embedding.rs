//! What the embedding examples need: the portal proxy, /examples/ and the CSP header.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_portal_proxy_adds_credentials_the_page_never_sees() {
    let sb = start_default().await;
    sb.freeze(noon()).await;
    // No Authorization from the page; the portal adds the demo token.
    let created = sb
        .request(
            Method::POST,
            &format!("/portal-api/clover/v3/merchants/{M1}/exports"),
            None,
            Some(
                json!({"type": "ORDERS", "startTime": noon() - 2 * HOUR, "endTime": noon() - HOUR}),
            ),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.json()["status"], "PENDING");
    // A wrong token sent by the page is replaced, not forwarded.
    let id = created.json()["id"].as_str().unwrap().to_string();
    let polled = sb
        .request(
            Method::GET,
            &format!("/portal-api/clover/v3/merchants/{M1}/exports/{id}"),
            Some("wrong-token"),
            None,
        )
        .await;
    assert_eq!(polled.status, 200, "{}", polled.text);
    // The same call straight to the API without credentials is refused.
    let direct = sb
        .request(
            Method::GET,
            &format!("/clover/sandbox/v3/merchants/{M1}/exports/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(direct.status, 401);

    let history = sb
        .get("/portal-api/laterpay/merchant/purchase-history?from_date=2024-06-01&to_date=2024-06-02")
        .await;
    assert_eq!(history.status, 200, "{}", history.text);
    assert_eq!(history.json()["status"], "ok");
    assert_eq!(sb.get("/portal-api/other/x").await.status, 404);
}

#[tokio::test]
async fn examples_are_served_and_the_csp_header_can_be_switched() {
    let dir = std::env::temp_dir().join(format!("mc-sandbox-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>EXAMPLES</html>").unwrap();
    std::fs::write(dir.join("hostile.css"), "* { color: red !important }").unwrap();
    let mut cfg = config();
    cfg.examples = dir.clone();
    let sb = start(cfg).await;

    let index = sb.get("/examples/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("EXAMPLES"));
    assert!(sb
        .get("/examples/hostile.css")
        .await
        .text
        .contains("!important"));
    assert_eq!(sb.get("/examples/missing.html").await.status, 404);
    assert!(index.headers.get("content-security-policy").is_none());

    let on = sb
        .post_json("/__sandbox/csp", json!({"enabled": true}))
        .await;
    assert_eq!(on.json()["enabled"], true);
    let page = sb.get("/examples/").await;
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert!(policy.contains("style-src 'self';"));
    // API responses are data, not documents: no policy there.
    let api = sb.get("/health").await;
    assert!(api.headers.get("content-security-policy").is_none());
    // Reset restores the configured setting (off).
    sb.post_json("/__sandbox/reset", json!({})).await;
    assert!(sb
        .get("/examples/")
        .await
        .headers
        .get("content-security-policy")
        .is_none());
    assert_eq!(
        sb.post_json("/__sandbox/csp", json!({"on": 1}))
            .await
            .status,
        400
    );
    std::fs::remove_dir_all(&dir).ok();
}
