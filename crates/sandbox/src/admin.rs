//! The sandbox control API under `/__sandbox` (no auth: it is the simulator's own
//! dashboard, used by browser tests and the demo). Errors are `{"message":...}`.

use crate::civil::{day_of_ms, parse_date};
use crate::clover::data::ExportType;
use crate::clover::exports::file_count;
use crate::faults::FaultRequest;
use crate::hostile::DataMode;
use crate::{query_pairs, AppState};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Longest span `/__sandbox/*/count` recounts (20 years of days).
const MAX_COUNT_DAYS: i64 = 20 * 366;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/clock", get(get_clock).post(set_clock))
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/__sandbox/exports", get(list_exports))
        .route("/__sandbox/clover/count", get(clover_count))
        .route("/__sandbox/laterpay/count", get(laterpay_count))
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/oauth", get(oauth_stats).post(set_oauth))
        .route("/__sandbox/csp", get(get_csp).post(set_csp))
        .route("/__sandbox/files", get(get_files).post(set_files))
        .route("/__sandbox/data", get(get_data).post(set_data))
}

fn bad_request(msg: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "message": msg.into() })),
    )
        .into_response()
}

async fn reset(State(state): State<Arc<AppState>>) -> Json<Value> {
    state.exports.lock().unwrap().clear();
    state.faults.lock().unwrap().clear();
    state.limiter.reset();
    state.stats.reset();
    state.clock.reset();
    state.oauth.reset(state.config.oauth_token_ttl_s);
    state.csp.store(state.config.csp, Ordering::Relaxed);
    state.files.reset();
    state
        .hostile
        .store(state.config.data == DataMode::Hostile, Ordering::Relaxed);
    Json(json!({"status": "ok"}))
}

async fn get_files(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(crate::files::settings_json(&state))
}

/// `{"host"?: "same"|"files-port"|origin, "proxy_in_config"?: bool}` (reset restores the
/// start-up settings).
async fn set_files(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("body is not JSON: {e}")),
    };
    match crate::files::change(&state, &value) {
        Ok(()) => Json(crate::files::settings_json(&state)).into_response(),
        Err(msg) => bad_request(msg),
    }
}

fn data_json(state: &AppState) -> Json<Value> {
    let mode = if state.hostile_data() {
        DataMode::Hostile
    } else {
        DataMode::Demo
    };
    Json(json!({"mode": mode.as_str()}))
}

async fn get_data(State(state): State<Arc<AppState>>) -> Json<Value> {
    data_json(&state)
}

/// `{"mode": "hostile"}` mixes hostile records into both APIs' answers from now on;
/// `"demo"` stops it (reset restores the `--data` setting).
async fn set_data(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let mode = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("mode")
            .and_then(Value::as_str)
            .and_then(DataMode::parse)
    });
    match mode {
        Some(m) => {
            state
                .hostile
                .store(m == DataMode::Hostile, Ordering::Relaxed);
            data_json(&state).into_response()
        }
        None => bad_request("expected {\"mode\": \"demo\"|\"hostile\"}"),
    }
}

fn csp_json(state: &AppState) -> Json<Value> {
    let enabled = state.csp.load(Ordering::Relaxed);
    Json(json!({"enabled": enabled, "policy": crate::static_files::CSP}))
}

async fn get_csp(State(state): State<Arc<AppState>>) -> Json<Value> {
    csp_json(&state)
}

#[derive(Deserialize)]
struct CspRequest {
    enabled: bool,
}

/// `{"enabled": true}` turns the Content-Security-Policy header on (reset restores the
/// `--csp` setting).
async fn set_csp(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    match serde_json::from_slice::<CspRequest>(&body) {
        Ok(r) => {
            state.csp.store(r.enabled, Ordering::Relaxed);
            csp_json(&state).into_response()
        }
        Err(e) => bad_request(format!("expected {{\"enabled\": true|false}}: {e}")),
    }
}

fn clock_json(state: &AppState) -> Json<Value> {
    Json(json!({"now": state.clock.now_ms(), "scale": state.clock.scale()}))
}

async fn get_clock(State(state): State<Arc<AppState>>) -> Json<Value> {
    clock_json(&state)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    now: Option<i64>,
    advance_ms: Option<i64>,
    scale: Option<f64>,
}

async fn set_clock(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let change: ClockChange = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return bad_request(format!(
                "expected {{\"now\"?, \"advance_ms\"?, \"scale\"?}}: {e}"
            ))
        }
    };
    if change.scale.is_some_and(|s| !s.is_finite() || s < 0.0) {
        return bad_request("scale must be a finite number >= 0");
    }
    state
        .clock
        .adjust(change.now, change.advance_ms, change.scale);
    clock_json(&state).into_response()
}

async fn list_faults(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({"faults": state.faults.lock().unwrap().list()}))
}

/// Accepts one fault object or an array of them.
async fn add_faults(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("body is not JSON: {e}")),
    };
    let items = match value {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut faults = Vec::new();
    for item in items {
        let req: FaultRequest = match serde_json::from_value(item) {
            Ok(r) => r,
            Err(e) => return bad_request(format!("bad fault: {e}")),
        };
        match req.into_fault() {
            Ok(f) => faults.push(f),
            Err(msg) => return bad_request(msg),
        }
    }
    let mut q = state.faults.lock().unwrap();
    for f in faults {
        q.push(f);
    }
    Json(json!({"faults": q.list()})).into_response()
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> Json<Value> {
    state.faults.lock().unwrap().clear();
    Json(json!({"faults": []}))
}

async fn list_exports(State(state): State<Arc<AppState>>) -> Json<Value> {
    let now = state.clock.now_ms();
    let store = state.exports.lock().unwrap();
    let exports: Vec<Value> = store
        .exports
        .iter()
        .map(|e| {
            let p = e.phase(now);
            json!({
                "id": e.id,
                "merchant": e.merchant,
                "region": e.region,
                "type": e.kind.as_str(),
                "startTime": e.start,
                "endTime": e.end,
                "createdTime": e.created,
                "status": p.status,
                "percentComplete": p.percent,
                "objectCount": e.object_count,
                "fileCount": file_count(&e.plan, e.object_count),
            })
        })
        .collect();
    Json(json!({"created": store.exports.len(), "exports": exports}))
}

async fn clover_count(State(state): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Response {
    let q = query_pairs(q.as_deref());
    let Some(merchant) = q.get("merchant").filter(|m| !m.is_empty()) else {
        return bad_request("merchant is required");
    };
    let Some(kind) = ExportType::parse(q.get("type").map(String::as_str).unwrap_or("ORDERS"))
    else {
        return bad_request("type must be ORDERS or PAYMENTS");
    };
    let num = |name: &str| q.get(name).and_then(|v| v.trim().parse::<i64>().ok());
    let (Some(start), Some(end)) = (num("start"), num("end")) else {
        return bad_request("start and end (epoch ms) are required");
    };
    if day_of_ms(end) - day_of_ms(start) > MAX_COUNT_DAYS {
        return bad_request("span too long");
    }
    let (count, sum) = state.generator.count_sum(kind, merchant, start, end);
    Json(json!({"count": count, "sum": sum})).into_response()
}

/// `?merchant=&from_date=&to_date=` -> count and price sum, to_date inclusive.
async fn laterpay_count(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let q = query_pairs(raw.as_deref());
    let Some(merchant) = q.get("merchant").filter(|m| !m.is_empty()) else {
        return bad_request("merchant is required");
    };
    let day = |name: &str| q.get(name).and_then(|v| parse_date(v));
    let (Some(from), Some(to)) = (day("from_date"), day("to_date")) else {
        return bad_request("from_date and to_date (YYYY-MM-DD) are required");
    };
    if to - from > MAX_COUNT_DAYS {
        return bad_request("span too long");
    }
    let (mut count, mut sum) = (0u64, 0i64);
    for d in from..=to {
        let (n, s) = state.purchases.day_count_sum(merchant, d);
        count += n;
        sum += s;
    }
    Json(json!({"count": count, "sum": sum})).into_response()
}

async fn stats(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(serde_json::to_value(state.stats.snapshot()).unwrap_or(Value::Null))
}

/// OAuth counters and the current access-token lifetime.
async fn oauth_stats(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.oauth.stats())
}

/// `{"token_ttl_s": N}` changes the lifetime of tokens issued from now on.
async fn set_oauth(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match body.get("token_ttl_s").and_then(Value::as_u64) {
        Some(ttl) => {
            state
                .oauth
                .ttl_s
                .store(ttl, std::sync::atomic::Ordering::Relaxed);
            Json(state.oauth.stats()).into_response()
        }
        None => bad_request("token_ttl_s (a whole number of seconds) is required"),
    }
}
