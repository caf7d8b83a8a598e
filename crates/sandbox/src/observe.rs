//! Request log line and per-route/per-status counters (`GET /__sandbox/stats`).
//!
//! The log prints method, path, status and duration only: never headers (they carry
//! tokens and Basic credentials) and never the query string. File-download tokens in
//! paths are shortened so a log does not hand out working URLs.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Default, Serialize, Clone)]
pub struct RouteStats {
    pub total: u64,
    pub by_status: BTreeMap<u16, u64>,
}

#[derive(Debug, Default, Serialize, Clone)]
pub struct StatsSnapshot {
    pub total: u64,
    pub by_route: BTreeMap<&'static str, RouteStats>,
    pub by_status: BTreeMap<u16, u64>,
}

#[derive(Debug, Default)]
pub struct Stats(Mutex<StatsSnapshot>);

impl Stats {
    fn record(&self, route: &'static str, status: u16) {
        let mut s = self.0.lock().unwrap();
        s.total += 1;
        *s.by_status.entry(status).or_default() += 1;
        let r = s.by_route.entry(route).or_default();
        r.total += 1;
        *r.by_status.entry(status).or_default() += 1;
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        self.0.lock().unwrap().clone()
    }

    pub fn reset(&self) {
        *self.0.lock().unwrap() = StatsSnapshot::default();
    }
}

/// The route name used in stats: create, poll, file, files-proxy, purchases, health, config,
/// sandbox (control API), preflight, static.
pub fn classify(method: &Method, path: &str) -> &'static str {
    if method == Method::OPTIONS {
        return "preflight";
    }
    if path.starts_with("/clover/files/") {
        "file"
    } else if path == crate::files::PROXY_PATH {
        "files-proxy"
    } else if path.starts_with("/clover/") {
        let trimmed = path.trim_end_matches('/');
        if method == Method::POST && trimmed.ends_with("/exports") {
            "create"
        } else if trimmed.contains("/exports/") {
            "poll"
        } else {
            "clover-other"
        }
    } else if path.starts_with("/laterpay/") {
        "purchases"
    } else if path.starts_with("/__sandbox") {
        "sandbox"
    } else if path == "/health" {
        "health"
    } else if path == "/config.json" {
        "config"
    } else {
        "static"
    }
}

/// The path as logged: file tokens cut to their first 6 characters.
pub fn redact(path: &str) -> String {
    match path.strip_prefix("/clover/files/") {
        Some(tok) if tok.len() > 6 => format!("/clover/files/{}...", &tok[..6]),
        _ => path.to_string(),
    }
}

pub async fn middleware(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = classify(&method, req.uri().path());
    let path = state.config.log_requests.then(|| redact(req.uri().path()));
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    state.stats.record(route, status);
    if let Some(path) = path {
        eprintln!(
            "{method} {path} {status} {:.1}ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    resp
}
