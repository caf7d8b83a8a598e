//! Merchant Console sandbox: one HTTP server that simulates the Clover Merchant Data
//! Export API and the LaterPay purchase-history API (with their limits and failure
//! modes, on deterministic generated data), serves the app's `dist/`, and offers a
//! control API under `/__sandbox` for tests and demos.
//!
//! `build_app(Config)` returns the whole router so tests can run it in-process.

pub mod admin;
pub mod civil;
pub mod clock;
pub mod clover;
pub mod config;
pub mod faults;
pub mod files;
pub mod hostile;
pub mod laterpay;
pub mod oauth;
pub mod observe;
pub mod portal;
pub mod ratelimit;
pub mod rng;
pub mod static_files;

use axum::http::{header, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::Config;

/// Everything the handlers share. Locks are short and never held across `.await`;
/// when two are needed the order is `exports` then `faults`.
pub struct AppState {
    pub config: Config,
    pub clock: clock::Clock,
    pub generator: clover::data::Generator,
    pub purchases: laterpay::data::PurchaseGen,
    pub exports: Mutex<clover::exports::ExportStore>,
    pub faults: Mutex<faults::FaultQueue>,
    pub limiter: ratelimit::RateLimiter,
    pub stats: observe::Stats,
    pub secrets: rng::SecretSource,
    /// OAuth v2 codes and tokens issued by the sandbox's authorize page.
    pub oauth: oauth::OAuthStore,
    /// Clover bearer token -> merchant id.
    pub clover_tokens: HashMap<String, String>,
    /// Whether static responses carry the strict Content-Security-Policy.
    pub csp: std::sync::atomic::AtomicBool,
    /// Where file URLs point; the second origin.
    pub files: files::Files,
    /// Whether the APIs mix hostile records into their answers (`--data hostile`).
    pub hostile: std::sync::atomic::AtomicBool,
}

impl AppState {
    /// Whether hostile records are mixed in right now.
    pub fn hostile_data(&self) -> bool {
        self.hostile.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self::with_files_origin(config, None)
    }

    /// `files_origin`: the second listener's origin (`http://127.0.0.1:PORT`), if any.
    pub fn with_files_origin(config: Config, files_origin: Option<String>) -> Self {
        AppState {
            files: files::Files::new(config.file_host.clone(), files_origin),
            clock: clock::Clock::new(config.time_scale),
            generator: clover::data::Generator {
                seed: config.seed,
                orders_per_day: config.orders_per_day,
                payments_per_day: config.payments_per_day,
            },
            purchases: laterpay::data::PurchaseGen {
                seed: config.seed,
                per_day: config.purchases_per_day,
            },
            exports: Mutex::default(),
            faults: Mutex::default(),
            limiter: ratelimit::RateLimiter::new(config.rate_limit_per_s),
            stats: observe::Stats::default(),
            secrets: rng::SecretSource::default(),
            oauth: oauth::OAuthStore::new(config.oauth_token_ttl_s),
            clover_tokens: config
                .clover_merchants
                .iter()
                .map(|m| (m.token.clone(), m.id.clone()))
                .collect(),
            csp: config.csp.into(),
            hostile: (config.data == hostile::DataMode::Hostile).into(),
            config,
        }
    }
}

/// The complete sandbox router (without a second origin for files).
pub fn build_app(config: Config) -> Router {
    build_apps(config, None).main
}

/// The main router and the second origin's (files only, never CORS).
pub struct Apps {
    pub main: Router,
    pub files: Router,
}

/// Both routers over one state; `files_origin` is where the `files` router is served
/// (`http://127.0.0.1:PORT`), so file URLs can point there.
pub fn build_apps(config: Config, files_origin: Option<String>) -> Apps {
    let cors = cors_layer(&config.cors_origins);
    let state = Arc::new(AppState::with_files_origin(config, files_origin));
    let files = Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .merge(clover::routes::files_router())
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::resend_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe::middleware,
        ));
    let api: Router = Router::new()
        .merge(clover::router())
        .merge(laterpay::router())
        .with_state(state.clone());
    let mut app = Router::new()
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/config.json", get(app_config))
        .merge(clover::router())
        .merge(laterpay::router())
        .merge(oauth::router())
        .merge(admin::router())
        .fallback(static_files::fallback)
        .with_state(state.clone())
        .merge(portal::router(api, state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::resend_guard,
        ));
    if let Some(cors) = cors {
        app = app.layer(cors);
    }
    let main = app.layer(axum::middleware::from_fn_with_state(
        state,
        observe::middleware,
    ));
    Apps { main, files }
}

/// CORS only for configured origins; none configured = same-origin only (no headers).
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_credentials(true)
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_methods([Method::GET, Method::POST])
            .expose_headers([header::RETRY_AFTER]),
    )
}

/// The app's runtime configuration: every region points at this sandbox.
async fn app_config(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> impl IntoResponse {
    let c = &state.config;
    let clover = c.clover_merchants.first();
    let laterpay = c.laterpay_merchants.first();
    let mut body = json!({
        "clover": {
            "us": "/clover/us", "eu": "/clover/eu", "la": "/clover/la", "sandbox": "/clover/sandbox"
        },
        "laterpay": {
            "eu": "/laterpay/eu", "us": "/laterpay/us",
            "eu-sandbox": "/laterpay/eu", "us-sandbox": "/laterpay/us"
        },
        // Sign in with Clover: the authorize page and token endpoints are this sandbox's.
        "oauth": {
            "client_id": "sandbox-app",
            "authorize": {
                "us": "/clover/us", "eu": "/clover/eu", "la": "/clover/la", "sandbox": "/clover/sandbox"
            }
        },
        "demo": {
            "clover_merchant": clover.map_or("", |m| m.id.as_str()),
            "clover_token": clover.map_or("", |m| m.token.as_str()),
            "laterpay_merchant": laterpay.map_or("", |m| m.id.as_str()),
            "laterpay_key": laterpay.map_or("", |m| m.key.as_str()),
        }
    });
    // Export files fetched through the portal's files proxy (`/__sandbox/files`).
    if state.files.settings().proxy_in_config {
        body["clover_files"] = json!(files::PROXY_PATH);
    }
    ([(header::CACHE_CONTROL, "no-store")], Json(body))
}

/// Decoded `key=value` pairs of a query string (last one wins).
pub(crate) fn query_pairs(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                b.get(i + 1).and_then(|c| hex(*c)),
                b.get(i + 2).and_then(|c| hex(*c)),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = query_pairs(Some("a=1&b=x%2Dy&c=%zz&d=a+b&e"));
        assert_eq!(q["a"], "1");
        assert_eq!(q["b"], "x-y");
        assert_eq!(q["c"], "%zz");
        assert_eq!(q["d"], "a b");
        assert_eq!(q["e"], "");
    }
}
