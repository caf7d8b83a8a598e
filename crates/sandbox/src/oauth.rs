//! Clover OAuth v2 (authorization code + PKCE) for browser apps, under each Clover
//! region base: `/clover/{region}/oauth/v2/{authorize,token,refresh}`.
//!
//! `GET authorize` shows an "Approve" page; approving redirects to `redirect_uri` with
//! `code`, `state` and `merchant_id`. `POST token` checks the S256 challenge and issues an
//! access token (accepted by the Clover routes for that merchant until it expires on the
//! sandbox clock) and a single-use refresh token; `POST refresh` swaps it for a new pair.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::config::CLOVER_REGIONS;
use crate::faults::{self, FaultRoute, Flavor};
use crate::{query_pairs, AppState};

/// Authorization codes live this long (simulated ms).
const CODE_TTL_MS: i64 = 10 * 60_000;
/// Refresh tokens live this long (simulated ms).
const REFRESH_TTL_MS: i64 = 30 * 86_400_000;

struct PendingCode {
    client_id: String,
    challenge: String,
    merchant: String,
    expires: i64,
}

struct Refresh {
    client_id: String,
    merchant: String,
    expires: i64,
}

/// Issued codes and tokens, and counters the control API shows.
pub struct OAuthStore {
    codes: Mutex<HashMap<String, PendingCode>>,
    /// access token -> (merchant, expiry ms).
    access: Mutex<HashMap<String, (String, i64)>>,
    refresh: Mutex<HashMap<String, Refresh>>,
    /// Access token lifetime in seconds (configurable at run time for tests).
    pub ttl_s: AtomicU64,
    issued: AtomicU64,
    /// Calls of `/oauth/v2/token`, successful or not.
    token_calls: AtomicU64,
    /// Every code, access and refresh token handed out (for hygiene checks in tests).
    handed_out: Mutex<Vec<String>>,
    refreshed: AtomicU64,
    expired_refusals: AtomicU64,
}

impl OAuthStore {
    pub fn new(ttl_s: u64) -> Self {
        OAuthStore {
            codes: Mutex::default(),
            access: Mutex::default(),
            refresh: Mutex::default(),
            ttl_s: AtomicU64::new(ttl_s),
            issued: AtomicU64::new(0),
            token_calls: AtomicU64::new(0),
            handed_out: Mutex::default(),
            refreshed: AtomicU64::new(0),
            expired_refusals: AtomicU64::new(0),
        }
    }

    /// Forgets every code and token and restores the configured lifetime.
    pub fn reset(&self, ttl_s: u64) {
        self.codes.lock().unwrap().clear();
        self.access.lock().unwrap().clear();
        self.refresh.lock().unwrap().clear();
        self.handed_out.lock().unwrap().clear();
        self.token_calls.store(0, Ordering::Relaxed);
        self.ttl_s.store(ttl_s, Ordering::Relaxed);
        for c in [&self.issued, &self.refreshed, &self.expired_refusals] {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// The merchant an unexpired OAuth access token belongs to.
    pub fn merchant_of(&self, token: &str, now: i64) -> Option<String> {
        let access = self.access.lock().unwrap();
        let (merchant, expires) = access.get(token)?;
        if now >= *expires {
            self.expired_refusals.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        Some(merchant.clone())
    }

    pub fn stats(&self) -> Value {
        json!({
            "token_ttl_s": self.ttl_s.load(Ordering::Relaxed),
            "issued": self.issued.load(Ordering::Relaxed),
            "token_calls": self.token_calls.load(Ordering::Relaxed),
            "handed_out": *self.handed_out.lock().unwrap(),
            "refreshed": self.refreshed.load(Ordering::Relaxed),
            "expired_refusals": self.expired_refusals.load(Ordering::Relaxed),
        })
    }

    fn issue(&self, state: &AppState, client_id: &str, merchant: &str) -> Value {
        let now = state.clock.now_ms();
        let ttl_ms = (self.ttl_s.load(Ordering::Relaxed) as i64).saturating_mul(1000);
        let access = format!("oauth-{}", state.secrets.token());
        let refresh = format!("refresh-{}", state.secrets.token());
        self.access
            .lock()
            .unwrap()
            .insert(access.clone(), (merchant.to_string(), now + ttl_ms));
        self.refresh.lock().unwrap().insert(
            refresh.clone(),
            Refresh {
                client_id: client_id.to_string(),
                merchant: merchant.to_string(),
                expires: now + REFRESH_TTL_MS,
            },
        );
        self.handed_out
            .lock()
            .unwrap()
            .extend([access.clone(), refresh.clone()]);
        // Clover gives expirations in epoch seconds.
        json!({
            "access_token": access,
            "access_token_expiration": (now + ttl_ms) / 1000,
            "refresh_token": refresh,
            "refresh_token_expiration": (now + REFRESH_TTL_MS) / 1000,
        })
    }
}

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/clover/{region}/oauth/v2/authorize",
            get(authorize_page).post(approve),
        )
        .route("/clover/{region}/oauth/v2/token", post(token))
        .route("/clover/{region}/oauth/v2/refresh", post(refresh))
}

fn oauth_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({"message": msg}))).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Required authorize parameters, or the message saying which is missing or wrong.
fn authorize_params(q: &HashMap<String, String>) -> Result<[&str; 4], String> {
    let get = |k: &str| {
        q.get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{k} is required"))
    };
    if get("response_type")? != "code" {
        return Err("response_type must be code".into());
    }
    if get("code_challenge_method")? != "S256" {
        return Err("code_challenge_method must be S256".into());
    }
    Ok([
        get("client_id")?,
        get("redirect_uri")?,
        get("state")?,
        get("code_challenge")?,
    ])
}

async fn authorize_page(
    State(state): State<Arc<AppState>>,
    Path(region): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if !CLOVER_REGIONS.contains(&region.as_str()) {
        return oauth_error(StatusCode::NOT_FOUND, "unknown region");
    }
    let q = query_pairs(query.as_deref());
    if let Err(e) = authorize_params(&q) {
        return oauth_error(StatusCode::BAD_REQUEST, &e);
    }
    let hidden: String = [
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .map(|k| {
        format!(
            r#"<input type="hidden" name="{k}" value="{}">"#,
            html_escape(&q[*k])
        )
    })
    .collect();
    let options: String = state
        .config
        .clover_merchants
        .iter()
        .map(|m| format!("<option>{}</option>", html_escape(&m.id)))
        .collect();
    let client = html_escape(&q["client_id"]);
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clover sandbox: authorize</title></head>
<body><main><h1>Authorize {client}</h1>
<p>The app <strong>{client}</strong> asks to read your orders and payments (sandbox).</p>
<form method="post"><label>Merchant <select name="merchant_id">{options}</select></label>
{hidden}<button type="submit">Approve</button></form></main></body></html>"#
    ))
    .into_response()
}

async fn approve(
    State(state): State<Arc<AppState>>,
    Path(region): Path<String>,
    body: Bytes,
) -> Response {
    if !CLOVER_REGIONS.contains(&region.as_str()) {
        return oauth_error(StatusCode::NOT_FOUND, "unknown region");
    }
    let q = query_pairs(Some(&String::from_utf8_lossy(&body)));
    let [client_id, redirect_uri, st, challenge] = match authorize_params(&q) {
        Ok(p) => p,
        Err(e) => return oauth_error(StatusCode::BAD_REQUEST, &e),
    };
    let merchant = match q.get("merchant_id") {
        Some(m) if state.config.clover_merchants.iter().any(|c| &c.id == m) => m.clone(),
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unknown merchant_id"),
    };
    let code = state.secrets.token();
    state.oauth.handed_out.lock().unwrap().push(code.clone());
    state.oauth.codes.lock().unwrap().insert(
        code.clone(),
        PendingCode {
            client_id: client_id.to_string(),
            challenge: challenge.to_string(),
            merchant: merchant.clone(),
            expires: state.clock.now_ms() + CODE_TTL_MS,
        },
    );
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!(
        "{redirect_uri}{sep}code={code}&state={}&merchant_id={}",
        encode(st),
        encode(&merchant)
    );
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn json_field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A known region, then the next fault queued for route "token" (before any code or
/// refresh token is spent, so the client can try again).
async fn admit(state: &AppState, region: &str) -> Option<Response> {
    if !CLOVER_REGIONS.contains(&region) {
        return Some(oauth_error(StatusCode::NOT_FOUND, "unknown region"));
    }
    faults::intercept(state, FaultRoute::Token, Flavor::Clover { hours: "" }).await
}

async fn token(
    State(state): State<Arc<AppState>>,
    Path(region): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&state, &region).await {
        return refused;
    }
    state.oauth.token_calls.fetch_add(1, Ordering::Relaxed);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(client_id), Some(code), Some(verifier)) = (
        json_field(&body, "client_id"),
        json_field(&body, "code"),
        json_field(&body, "code_verifier"),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "client_id, code and code_verifier are required",
        );
    };
    // A code is single-use: taken out whether or not the exchange succeeds.
    let Some(pending) = state.oauth.codes.lock().unwrap().remove(code) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid or used code");
    };
    if pending.expires <= state.clock.now_ms() || pending.client_id != client_id {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid or expired code");
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if computed != pending.challenge {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "code_verifier does not match code_challenge",
        );
    }
    state.oauth.issued.fetch_add(1, Ordering::Relaxed);
    Json(state.oauth.issue(&state, client_id, &pending.merchant)).into_response()
}

async fn refresh(
    State(state): State<Arc<AppState>>,
    Path(region): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(refused) = admit(&state, &region).await {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(client_id), Some(token)) = (
        json_field(&body, "client_id"),
        json_field(&body, "refresh_token"),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "client_id and refresh_token are required",
        );
    };
    // Single-use: removed on first presentation.
    let Some(r) = state.oauth.refresh.lock().unwrap().remove(token) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid or used refresh token");
    };
    if r.expires <= state.clock.now_ms() || r.client_id != client_id {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid or expired refresh token");
    }
    state.oauth.refreshed.fetch_add(1, Ordering::Relaxed);
    Json(state.oauth.issue(&state, client_id, &r.merchant)).into_response()
}
