//! The app's static files from `--dist`, with `index.html` for unknown paths so the
//! single-page app can route client-side, and the example host pages from `--examples`
//! under `/examples/`. API prefixes never fall back to HTML: an unknown API path is a JSON
//! 404, which is what a client expects to parse. With `--csp` (or `/__sandbox/csp`) every
//! static response carries the strict policy the app must work under.

use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const API_PREFIXES: [&str; 3] = ["/clover", "/laterpay", "/__sandbox"];

fn is_api(path: &str) -> bool {
    API_PREFIXES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The policy of issue 7: no inline script or style, wasm allowed, API calls to this
/// origin and the real API hosts only.
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
connect-src 'self' https://api.clover.com https://api.eu.clover.com https://api.la.clover.com \
https://apisandbox.dev.clover.com https://api.laterpay.net https://api.uselaterpay.com \
https://api.sandbox.laterpaytest.net https://api.sandbox.uselaterpaytest.com; img-src 'self' data:";

const NOT_BUILT: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Merchant Console sandbox</title></head>\n<body><h1>Merchant Console sandbox</h1><p>dist/ not built yet: run trunk build</p>\n<p>The APIs are up: <a href=\"/health\">/health</a>, <a href=\"/config.json\">/config.json</a>.</p></body></html>\n";

pub async fn fallback(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let mut response = serve(&state, req).await;
    if state.csp.load(Ordering::Relaxed) && response.status() != StatusCode::NOT_FOUND {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(CSP),
        );
    }
    response
}

async fn serve(state: &AppState, req: Request) -> Response {
    let path = req.uri().path();
    if is_api(path) {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"message": "Not Found"})),
        )
            .into_response();
    }
    if path == "/examples" || path.starts_with("/examples/") {
        return examples(state, req).await;
    }
    let dist = &state.config.dist;
    let index = dist.join("index.html");
    // Checked per request so a `trunk build` while the sandbox runs is picked up.
    if !index.is_file() {
        let last = path.rsplit('/').next().unwrap_or("");
        let status = if last.contains('.') && path != "/index.html" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        return (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
    }
    match ServeDir::new(dist)
        .fallback(ServeFile::new(index))
        .oneshot(req)
        .await
    {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}

/// `/examples/<file>` from the examples folder (no SPA fallback: a missing page is a 404).
async fn examples(state: &AppState, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let rest = parts.uri.path().trim_start_matches("/examples").to_string();
    let rest = if rest.is_empty() {
        "/".to_string()
    } else {
        rest
    };
    parts.uri = match rest.parse() {
        Ok(uri) => uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    match ServeDir::new(&state.config.examples)
        .oneshot(Request::from_parts(parts, body))
        .await
    {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}
