//! A stand-in for a merchant portal's server: it proxies both APIs under `/portal-api/`
//! and adds the credentials itself, so the page (`examples/portal.html`, the app in proxy
//! mode) never holds a secret. It uses the first configured demo merchant of each API.
//!
//! - `/portal-api/clover/<rest>`   -> `/clover/sandbox/<rest>` with `Bearer <token>`
//! - `/portal-api/laterpay/<rest>` -> `/laterpay/eu/<rest>` with Basic `<id>:<key>`
//!
//! - `/portal-api/clover-files?url=<encoded file URL>` -> that file, when it is one of this
//!   sandbox's own file URLs (the files proxy of `docs/deployment.md`, see `files.rs`)
//!
//! Any Authorization header the page sends is dropped: only the portal's counts.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use base64::Engine;
use std::sync::Arc;
use tower::ServiceExt;

use crate::AppState;

/// Routes `/portal-api/*` into `api` (the sandbox's own router) with credentials added.
pub fn router(api: Router, state: Arc<AppState>) -> Router {
    let config = &state.config;
    let clover = config
        .clover_merchants
        .first()
        .map(|m| format!("Bearer {}", m.token));
    let laterpay = config.laterpay_merchants.first().map(|m| {
        let pair = format!("{}:{}", m.id, m.key);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    });
    let files_api = api.clone();
    Router::new()
        .route(
            crate::files::PROXY_PATH,
            get(move |req: Request| crate::files::proxy(files_api.clone(), state.clone(), req)),
        )
        .route(
            "/portal-api/{*rest}",
            any(move |req: Request| {
                let (api, clover, laterpay) = (api.clone(), clover.clone(), laterpay.clone());
                async move { forward(api, req, clover, laterpay).await }
            }),
        )
}

async fn forward(
    api: Router,
    req: Request,
    clover: Option<String>,
    laterpay: Option<String>,
) -> Response {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let rest = path_and_query.trim_start_matches("/portal-api");
    let (target, credential) = if let Some(r) = rest.strip_prefix("/clover/") {
        (format!("/clover/sandbox/{r}"), clover)
    } else if let Some(r) = rest.strip_prefix("/laterpay/") {
        (format!("/laterpay/eu/{r}"), laterpay)
    } else {
        return (StatusCode::NOT_FOUND, "unknown portal API").into_response();
    };
    let Ok(uri) = target.parse::<Uri>() else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    // A fresh request: the outer route's path parameters must not reach the inner handlers.
    let (parts, body) = req.into_parts();
    let mut req = Request::new(body);
    *req.method_mut() = parts.method;
    *req.uri_mut() = uri;
    *req.headers_mut() = parts.headers;
    let headers = req.headers_mut();
    headers.remove(header::AUTHORIZATION);
    if let Some(value) = credential.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::AUTHORIZATION, value);
    }
    match api.oneshot(req).await {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}
