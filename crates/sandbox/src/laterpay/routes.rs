//! LaterPay purchase-history handler.
//!
//! Order of checks: region -> Basic auth (401) -> queued fault -> query validation
//! (400) -> streamed answer. All errors use LaterPay's envelope
//! `{"status":"error","data":[],"errors":[{"message":...}]}`.

use crate::civil::parse_date;
use crate::config::LATERPAY_REGIONS;
use crate::faults::{self, error_body, FaultRoute, Flavor};
use crate::{query_pairs, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use std::convert::Infallible;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new().route(
        "/laterpay/{region}/merchant/purchase-history",
        get(purchase_history),
    )
}

/// Longest accepted range; the real API documents none, this only guards the host.
pub const MAX_DAYS: i64 = 20 * 366;

fn error(status: StatusCode, msg: &str) -> Response {
    error_body(Flavor::LaterPay, status, msg)
}

/// The (merchant id, API key) pair of a Basic Authorization header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// Validated `from_date`/`to_date` as day numbers, `to` inclusive.
pub fn parse_range(query: Option<&str>) -> Result<(i64, i64), String> {
    let q = query_pairs(query);
    let date = |name: &str| -> Result<i64, String> {
        let v = q
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("{name} is required (format YYYY-MM-DD)"))?;
        parse_date(v)
            .ok_or_else(|| format!("{name} is not a valid date in format YYYY-MM-DD: {v:?}"))
    };
    let (from, to) = (date("from_date")?, date("to_date")?);
    if from > to {
        return Err("from_date must not be after to_date".into());
    }
    if to - from >= MAX_DAYS {
        return Err(format!("date range too long: at most {MAX_DAYS} days"));
    }
    Ok((from, to))
}

async fn purchase_history(
    State(state): State<Arc<AppState>>,
    Path(region): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !LATERPAY_REGIONS.contains(&region.as_str()) {
        return error(StatusCode::NOT_FOUND, "Not Found");
    }
    let merchant = match basic_credentials(&headers) {
        Some((user, key))
            if state
                .config
                .laterpay_merchants
                .iter()
                .any(|m| m.id == user && m.key == key) =>
        {
            user
        }
        _ => return error(StatusCode::UNAUTHORIZED, "Invalid merchant id or API key"),
    };
    if let Some(r) = faults::intercept(&state, FaultRoute::Purchases, Flavor::LaterPay).await {
        return r;
    }
    let (from, to) = match parse_range(query.as_deref()) {
        Ok(r) => r,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };

    // Stream the body day by day from a blocking thread: memory stays flat and the
    // async workers stay free however long the range.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let generator = state.purchases.clone();
    let hostile = state.hostile_data();
    tokio::task::spawn_blocking(move || {
        const CHUNK: usize = 256 * 1024;
        let mut buf = String::with_capacity(CHUNK + 64 * 1024);
        buf.push_str(r#"{"status":"ok","data":["#);
        let mut first = true;
        for day in from..=to {
            generator.render_day(&merchant, day, &mut buf, &mut first, hostile);
            if buf.len() >= CHUNK {
                let chunk = std::mem::replace(&mut buf, String::with_capacity(CHUNK + 64 * 1024));
                if tx.blocking_send(Bytes::from(chunk)).is_err() {
                    return; // client went away
                }
            }
        }
        buf.push_str(r#"],"errors":[]}"#);
        let _ = tx.blocking_send(Bytes::from(buf));
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}
