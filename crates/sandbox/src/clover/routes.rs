//! Clover HTTP handlers: create, poll, file download.
//!
//! Order of checks for create and poll: region -> rate limit (per bearer token) ->
//! auth (401) -> queued fault -> body validation (400) -> service hours (503) ->
//! concurrency (503) -> work, then a commit fault may lose the answer. File downloads
//! have no auth and no rate limit.

use super::data::ExportType;
use super::exports::{file_count, Export, AVAILABLE_MS, PER_FILE};
use super::{currency, hours_message, BUSY_MESSAGE};
use crate::config::{describe_hours, within_hours, CLOVER_REGIONS};
use crate::faults::{self, error_body, FaultRoute, Flavor};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/clover/{region}/v3/merchants/{mid}/exports", post(create))
        .route("/clover/{region}/v3/merchants/{mid}/exports/", post(create))
        .route(
            "/clover/{region}/v3/merchants/{mid}/exports/{id}",
            get(poll),
        )
        .route("/clover/files/{token}", get(file))
}

/// The second origin's routes: file downloads only (and never CORS headers).
pub fn files_router() -> Router<Arc<AppState>> {
    Router::new().route("/clover/files/{token}", get(file))
}

/// The longest span of one export.
const MAX_SPAN_MS: i64 = 30 * 86_400_000;

fn message(status: StatusCode, msg: &str) -> Response {
    error_body(Flavor::Clover { hours: "" }, status, msg)
}

fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not Found")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Rate limit, then token -> merchant check; `Some` is the refusal to send.
fn refuse(state: &AppState, headers: &HeaderMap, merchant: &str) -> Option<Response> {
    let token = bearer(headers);
    if let Some(t) = token {
        if !state.limiter.allow(t) {
            let mut r = message(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Too many requests: at most {} requests per second per token",
                    state.config.rate_limit_per_s
                ),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Some(r);
        }
    }
    let owner = token.and_then(|t| {
        state.clover_tokens.get(t).cloned().or_else(|| {
            // An OAuth access token from /oauth/v2/token, until it expires.
            state.oauth.merchant_of(t, state.clock.now_ms())
        })
    });
    match owner {
        Some(m) if m == merchant => None,
        _ => Some(message(StatusCode::UNAUTHORIZED, "401 Unauthorized")),
    }
}

/// Epoch ms from a JSON number or a numeric string.
fn parse_time(v: Option<&Value>, name: &str) -> Result<i64, String> {
    let t = match v {
        None | Some(Value::Null) => return Err(format!("{name} is required")),
        Some(Value::Number(n)) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                .map(|f| f as i64)
        }),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(_) => None,
    };
    match t {
        Some(t) if t >= 0 => Ok(t),
        _ => Err(format!("{name} must be a number of epoch milliseconds")),
    }
}

struct CreateRequest {
    kind: ExportType,
    start: i64,
    end: i64,
}

fn parse_create(body: &[u8]) -> Result<CreateRequest, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("Request body is not valid JSON: {e}"))?;
    let obj = v.as_object().ok_or("Request body must be a JSON object")?;
    let kind = match obj.get("type") {
        Some(Value::String(s)) => ExportType::parse(s)
            .ok_or_else(|| format!("Unsupported export type {s:?}: use ORDERS or PAYMENTS"))?,
        None | Some(Value::Null) => return Err("type is required (ORDERS or PAYMENTS)".into()),
        Some(other) => {
            return Err(format!(
                "Unsupported export type {other}: use ORDERS or PAYMENTS"
            ))
        }
    };
    let start = parse_time(obj.get("startTime"), "startTime")?;
    let end = parse_time(obj.get("endTime"), "endTime")?;
    if end <= start {
        return Err("endTime must be after startTime".into());
    }
    if end - start > MAX_SPAN_MS {
        return Err("The time range of an export cannot exceed 30 days".into());
    }
    Ok(CreateRequest { kind, start, end })
}

fn clover_flavor_hours(state: &AppState, region: &str) -> String {
    let own = state.config.hours(region);
    if own.is_empty() {
        // A forced "503-hours" in an unlimited region still needs some hours text.
        describe_hours(state.config.hours("us"))
    } else {
        describe_hours(own)
    }
}

/// The checks every authenticated Clover route makes first, in the documented order:
/// known region, rate limit and auth, then a queued fault. Returns the region's hours text.
async fn admit(
    state: &AppState,
    region: &str,
    headers: &HeaderMap,
    merchant: &str,
    route: FaultRoute,
) -> Result<String, Response> {
    if !CLOVER_REGIONS.contains(&region) {
        return Err(not_found());
    }
    if let Some(r) = refuse(state, headers, merchant) {
        return Err(r);
    }
    let hours = clover_flavor_hours(state, region);
    match faults::intercept(state, route, Flavor::Clover { hours: &hours }).await {
        Some(r) => Err(r),
        None => Ok(hours),
    }
}

async fn create(
    State(state): State<Arc<AppState>>,
    Path((region, mid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hours = match admit(&state, &region, &headers, &mid, FaultRoute::Create).await {
        Ok(hours) => hours,
        Err(refused) => return refused,
    };
    let req = match parse_create(&body) {
        Ok(r) => r,
        Err(msg) => return message(StatusCode::BAD_REQUEST, &msg),
    };
    let now = state.clock.now_ms();
    if !within_hours(state.config.hours(&region), now) {
        return message(StatusCode::SERVICE_UNAVAILABLE, &hours_message(&hours));
    }
    let (objects, _) = state
        .generator
        .count_sum(req.kind, &mid, req.start, req.end);
    let mut store = state.exports.lock().unwrap();
    if store.active_for(&mid, now) >= state.config.max_active_exports as usize {
        return message(StatusCode::SERVICE_UNAVAILABLE, BUSY_MESSAGE);
    }
    let (plan, commit_fault) = {
        let mut faults = state.faults.lock().unwrap();
        (faults.take_export_plan(), faults.take_commit_fault())
    };
    let files = file_count(&plan, objects as usize);
    let export = Export {
        id: state.secrets.clover_id(),
        merchant: mid,
        region,
        kind: req.kind,
        start: req.start,
        end: req.end,
        created: now,
        plan,
        object_count: objects as usize,
        file_tokens: (0..files).map(|_| state.secrets.token()).collect(),
        pending_ms: state.config.pending_ms as i64,
        processing_ms: state.config.processing_ms as i64,
    };
    let resp = Json(export.view(now, &state.files.base(&headers))).into_response();
    store.insert(export);
    match commit_fault {
        Some(f) => faults::after_commit(&f),
        None => resp,
    }
}

async fn poll(
    State(state): State<Arc<AppState>>,
    Path((region, mid, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&state, &region, &headers, &mid, FaultRoute::Poll).await {
        return refused;
    }
    let now = state.clock.now_ms();
    let store = state.exports.lock().unwrap();
    match store.find(&region, &mid, &id) {
        Some(e) => Json(e.view(now, &state.files.base(&headers))).into_response(),
        None => not_found(),
    }
}

async fn file(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Response {
    let hours = clover_flavor_hours(&state, "us");
    if let Some(r) =
        faults::intercept(&state, FaultRoute::File, Flavor::Clover { hours: &hours }).await
    {
        return r;
    }
    let found = {
        let store = state.exports.lock().unwrap();
        store
            .files
            .get(&token)
            .map(|(i, k)| (store.exports[*i].clone(), *k))
    };
    let Some((export, k)) = found else {
        return not_found();
    };
    let now = state.clock.now_ms();
    let Some(finished) = export.phase(now).finished else {
        return not_found();
    };
    if now > finished + AVAILABLE_MS {
        return message(
            StatusCode::GONE,
            "This export file has expired: files are deleted 24 hours after the export finished",
        );
    }
    let cores =
        state
            .generator
            .cores_in_range(export.kind, &export.merchant, export.start, export.end);
    let slice = if export.plan.object_urls {
        &cores[..]
    } else {
        let from = (k * PER_FILE).min(cores.len());
        &cores[from..(from + PER_FILE).min(cores.len())]
    };
    let mut body = state.generator.file_body(
        export.kind,
        &export.merchant,
        currency(&export.region),
        slice,
    );
    if state.hostile_data() {
        body = crate::hostile::clover_file(body);
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
