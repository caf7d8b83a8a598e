//! Queued failure modes, set through `POST /__sandbox/faults`.
//!
//! Request faults replace the answer to the next N matching requests. They fire
//! after authentication (so a bad-credential request never uses one up) and before
//! validation (so a test can force them with any body). Rate limiting runs before
//! both. Export-outcome faults shape the next N successfully created exports; commit
//! faults let the next N creates make their export and then lose the answer.
//!
//! A dropped connection is a response whose body fails before its first byte: hyper
//! then closes the connection without writing a status line, and a browser's `fetch`
//! rejects ("TypeError: Failed to fetch"). Browsers silently resend a request whose
//! reused keep-alive connection closed without an answer (Chromium up to twice, POSTs
//! included); [`resend_guard`] drops those resends too, so that the page sees the
//! failure and a commit fault does not turn into a second create.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultRoute {
    Create,
    Poll,
    File,
    Purchases,
    /// Clover's OAuth `token` and `refresh` calls. Only faults that name this route
    /// apply to them ("any" means the data routes), so an OAuth test opts in.
    Token,
    Any,
}

/// Every fault kind the sandbox knows.
pub const REQUEST_KINDS: [&str; 10] = [
    "429",
    "500",
    "502",
    "503-busy",
    "503-hours",
    "malformed",
    "slow",
    "401",
    "drop",
    "hang",
];
/// Creates only: the export is made, then the answer is lost.
pub const COMMIT_KINDS: [&str; 2] = ["commit-504", "commit-drop"];
pub const EXPORT_KINDS: [&str; 4] = [
    "export-failed",
    "export-stall",
    "legacy-complete",
    "legacy-object-urls",
];

/// One queued fault, as listed by `GET /__sandbox/faults`.
#[derive(Clone, Debug, Serialize)]
pub struct Fault {
    pub route: FaultRoute,
    pub kind: String,
    /// How many more requests (or exports) it applies to.
    pub remaining: u32,
    /// 429: value of Retry-After in seconds.
    pub retry_after_s: u64,
    /// 429: false = omit the Retry-After header.
    pub retry_after: bool,
    /// slow: delay before normal handling; hang: how long until the connection is
    /// closed without an answer (default 60 s, longer than any client waits).
    pub delay_ms: u64,
    /// export-failed: the terminal status (default FAILED).
    pub status: String,
    /// export-stall: the percentComplete it stays at.
    pub percent: u32,
}

/// The body of `POST /__sandbox/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    #[serde(default = "any_route")]
    pub route: FaultRoute,
    pub kind: serde_json::Value,
    #[serde(default = "one")]
    pub count: u32,
    pub retry_after_s: Option<u64>,
    pub retry_after: Option<bool>,
    pub delay_ms: Option<u64>,
    pub status: Option<String>,
    pub percent: Option<u32>,
}

fn any_route() -> FaultRoute {
    FaultRoute::Any
}
fn one() -> u32 {
    1
}

impl FaultRequest {
    /// Validates and turns the request into a queued fault.
    pub fn into_fault(self) -> Result<Fault, String> {
        let kind = match &self.kind {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => return Err(format!("kind must be a string, got {other}")),
        };
        let known = REQUEST_KINDS.contains(&kind.as_str())
            || EXPORT_KINDS.contains(&kind.as_str())
            || COMMIT_KINDS.contains(&kind.as_str());
        if !known {
            let all: Vec<&str> = REQUEST_KINDS
                .iter()
                .chain(EXPORT_KINDS.iter())
                .chain(COMMIT_KINDS.iter())
                .copied()
                .collect();
            return Err(format!(
                "unknown fault kind {kind:?}; known: {}",
                all.join(", ")
            ));
        }
        if COMMIT_KINDS.contains(&kind.as_str())
            && !matches!(self.route, FaultRoute::Create | FaultRoute::Any)
        {
            return Err(format!("{kind} applies to creates only (route \"create\")"));
        }
        let default_delay = if kind == "hang" { 60_000 } else { 1000 };
        Ok(Fault {
            route: self.route,
            kind,
            remaining: self.count,
            retry_after_s: self.retry_after_s.unwrap_or(1),
            retry_after: self.retry_after.unwrap_or(true),
            delay_ms: self.delay_ms.unwrap_or(default_delay),
            status: self.status.unwrap_or_else(|| "FAILED".into()),
            percent: self.percent.unwrap_or(50).min(99),
        })
    }
}

/// How a created export deviates from a normal run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportPlan {
    /// Ends with this status after processing, with no files.
    pub fail_status: Option<String>,
    /// Stays IN_PROGRESS forever once it reaches this percent.
    pub stall_percent: Option<u32>,
    /// Final status COMPLETE instead of DONE.
    pub legacy_complete: bool,
    /// `exportUrls.elements` is one object; everything goes in one file.
    pub object_urls: bool,
}

/// How long after a dropped connection an identical request counts as the browser's
/// automatic resend of it (Chromium resends at once).
pub const RESEND_WINDOW: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct FaultQueue {
    faults: Vec<Fault>,
    /// `"METHOD path"` of requests whose connection was dropped, and when.
    dropped: Vec<(String, Instant)>,
}

impl FaultQueue {
    pub fn push(&mut self, f: Fault) {
        if f.remaining > 0 {
            self.faults.push(f);
        }
    }

    pub fn clear(&mut self) {
        self.faults.clear();
        self.dropped.clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    /// Takes one use of the oldest request fault matching `route`.
    pub fn take_request_fault(&mut self, route: FaultRoute) -> Option<Fault> {
        let pos = self.faults.iter().position(|f| {
            REQUEST_KINDS.contains(&f.kind.as_str())
                && (f.route == route || (f.route == FaultRoute::Any && route != FaultRoute::Token))
        })?;
        Some(self.use_one(pos))
    }

    /// Takes one use of the oldest commit fault (at a create that made its export).
    pub fn take_commit_fault(&mut self) -> Option<Fault> {
        let pos = self
            .faults
            .iter()
            .position(|f| COMMIT_KINDS.contains(&f.kind.as_str()))?;
        Some(self.use_one(pos))
    }

    /// Notes that the connection of `request` ("METHOD path") was dropped at `at`.
    pub fn remember_drop(&mut self, request: String, at: Instant) {
        self.dropped
            .retain(|(_, t)| at.duration_since(*t) < RESEND_WINDOW);
        self.dropped.push((request, at));
    }

    /// Whether `request` at `at` is a browser's resend of one whose connection was
    /// dropped (the same method and path within [`RESEND_WINDOW`]).
    pub fn is_resend(&self, request: &str, at: Instant) -> bool {
        self.dropped
            .iter()
            .any(|(r, t)| r == request && at.saturating_duration_since(*t) < RESEND_WINDOW)
    }

    /// Takes one use of each queued export-outcome fault kind (oldest first).
    pub fn take_export_plan(&mut self) -> ExportPlan {
        let mut plan = ExportPlan::default();
        for kind in EXPORT_KINDS {
            if let Some(pos) = self.faults.iter().position(|f| f.kind == kind) {
                let f = self.use_one(pos);
                match kind {
                    "export-failed" => plan.fail_status = Some(f.status),
                    "export-stall" => plan.stall_percent = Some(f.percent),
                    "legacy-complete" => plan.legacy_complete = true,
                    _ => plan.object_urls = true,
                }
            }
        }
        plan
    }

    fn use_one(&mut self, pos: usize) -> Fault {
        let f = &mut self.faults[pos];
        f.remaining -= 1;
        let taken = f.clone();
        if f.remaining == 0 {
            self.faults.remove(pos);
        }
        taken
    }
}

/// Which API's error body to imitate.
#[derive(Clone, Copy, Debug)]
pub enum Flavor<'a> {
    /// Clover, with the region's service-hours text for "503-hours".
    Clover {
        hours: &'a str,
    },
    LaterPay,
}

/// The error body of each API.
pub fn error_body(flavor: Flavor<'_>, status: StatusCode, message: &str) -> Response {
    let body = match flavor {
        Flavor::Clover { .. } => json!({ "message": message }),
        Flavor::LaterPay => {
            json!({"status": "error", "data": [], "errors": [{"message": message}]})
        }
    };
    (status, axum::Json(body)).into_response()
}

/// Marks a response that must reach the client as a closed connection.
#[derive(Clone, Copy, Debug)]
pub struct Dropped;

/// A connection closed without an answer: the body fails before its first byte, so no
/// status line is ever written. The status (nginx's 444 "no response") is only what
/// `/__sandbox/stats` records.
pub fn dropped_connection() -> Response {
    let body = Body::from_stream(futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("sandbox fault: connection dropped"))
    }));
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(444).unwrap_or(StatusCode::BAD_GATEWAY);
    r.extensions_mut().insert(Dropped);
    r
}

/// The answer to a create that made its export under a commit fault.
pub fn after_commit(f: &Fault) -> Response {
    match f.kind.as_str() {
        "commit-504" => error_body(
            Flavor::Clover { hours: "" },
            StatusCode::GATEWAY_TIMEOUT,
            "Gateway Timeout",
        ),
        _ => dropped_connection(),
    }
}

/// Drops a browser's automatic resend of a request whose connection was just dropped
/// (see the module docs), and remembers every dropped request. Layered over all routes.
pub async fn resend_guard(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let request = format!("{} {}", req.method(), req.uri().path());
    let at = Instant::now();
    if state.faults.lock().unwrap().is_resend(&request, at) {
        state.faults.lock().unwrap().remember_drop(request, at);
        return dropped_connection();
    }
    let resp = next.run(req).await;
    if resp.extensions().get::<Dropped>().is_some() {
        state
            .faults
            .lock()
            .unwrap()
            .remember_drop(request, Instant::now());
    }
    resp
}

/// The answer a fault forces, or `None` for "slow" (after its delay).
fn fault_response(f: &Fault, flavor: Flavor<'_>) -> Option<Response> {
    let resp = match f.kind.as_str() {
        "429" => {
            let mut r = error_body(
                flavor,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests (sandbox fault)",
            );
            if f.retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(f.retry_after_s));
            }
            r
        }
        "500" => error_body(
            flavor,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
        ),
        "502" => error_body(flavor, StatusCode::BAD_GATEWAY, "Bad Gateway"),
        "503-busy" => error_body(
            flavor,
            StatusCode::SERVICE_UNAVAILABLE,
            crate::clover::BUSY_MESSAGE,
        ),
        "503-hours" => {
            let msg = match flavor {
                Flavor::Clover { hours } => crate::clover::hours_message(hours),
                Flavor::LaterPay => "Service temporarily unavailable".into(),
            };
            error_body(flavor, StatusCode::SERVICE_UNAVAILABLE, &msg)
        }
        "401" => error_body(flavor, StatusCode::UNAUTHORIZED, "401 Unauthorized"),
        "malformed" => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            match flavor {
                Flavor::Clover { .. } => r#"{"id":"MALFORMED0000","status":"DO"#,
                Flavor::LaterPay => r#"{"status":"ok","data":[{"payment_model":"Pay"#,
            },
        )
            .into_response(),
        "drop" => dropped_connection(),
        _ => return None, // "slow", "hang"
    };
    Some(resp)
}

/// Applies the next request fault for `route`, if one is queued.
pub async fn intercept(
    state: &AppState,
    route: FaultRoute,
    flavor: Flavor<'_>,
) -> Option<Response> {
    let fault = state.faults.lock().unwrap().take_request_fault(route)?;
    match fault.kind.as_str() {
        "slow" => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            None
        }
        // No answer: the client gives up first. The connection is closed eventually, so
        // a hung request cannot hold the sandbox (or its shutdown) for ever.
        "hang" => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            Some(dropped_connection())
        }
        _ => fault_response(&fault, flavor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(kind: &str, route: FaultRoute, count: u32) -> Fault {
        FaultRequest {
            route,
            kind: kind.into(),
            count,
            retry_after_s: None,
            retry_after: None,
            delay_ms: None,
            status: None,
            percent: None,
        }
        .into_fault()
        .unwrap()
    }

    #[test]
    fn queue_matches_routes_and_counts_down() {
        let mut q = FaultQueue::default();
        q.push(fault("500", FaultRoute::Poll, 2));
        q.push(fault("legacy-complete", FaultRoute::Any, 1));
        assert!(q.take_request_fault(FaultRoute::Create).is_none());
        assert_eq!(q.take_request_fault(FaultRoute::Poll).unwrap().kind, "500");
        assert_eq!(q.list()[0].remaining, 1);
        assert!(q.take_request_fault(FaultRoute::Poll).is_some());
        assert!(q.take_request_fault(FaultRoute::Poll).is_none());
        let plan = q.take_export_plan();
        assert!(plan.legacy_complete);
        assert_eq!(q.take_export_plan(), ExportPlan::default());
        assert!(FaultRequest {
            route: FaultRoute::Any,
            kind: "418".into(),
            count: 1,
            retry_after_s: None,
            retry_after: None,
            delay_ms: None,
            status: None,
            percent: None,
        }
        .into_fault()
        .is_err());
    }

    #[test]
    fn token_calls_only_take_faults_that_name_them() {
        let mut q = FaultQueue::default();
        q.push(fault("hang", FaultRoute::Any, 1));
        assert!(q.take_request_fault(FaultRoute::Token).is_none());
        q.push(fault("503-busy", FaultRoute::Token, 1));
        assert_eq!(
            q.take_request_fault(FaultRoute::Token).unwrap().kind,
            "503-busy"
        );
        assert_eq!(q.take_request_fault(FaultRoute::Poll).unwrap().kind, "hang");
    }

    #[test]
    fn commit_faults_are_for_creates_and_not_request_faults() {
        let mut q = FaultQueue::default();
        q.push(fault("commit-drop", FaultRoute::Create, 1));
        assert!(q.take_request_fault(FaultRoute::Create).is_none());
        assert_eq!(q.take_export_plan(), ExportPlan::default());
        assert_eq!(q.take_commit_fault().unwrap().kind, "commit-drop");
        assert!(q.take_commit_fault().is_none());
        let on_poll = FaultRequest {
            route: FaultRoute::Poll,
            kind: "commit-504".into(),
            count: 1,
            retry_after_s: None,
            retry_after: None,
            delay_ms: None,
            status: None,
            percent: None,
        }
        .into_fault();
        assert!(on_poll.unwrap_err().contains("creates only"));
        assert_eq!(fault("hang", FaultRoute::Any, 1).delay_ms, 60_000);
        assert_eq!(fault("slow", FaultRoute::Any, 1).delay_ms, 1000);
    }

    #[test]
    fn a_resend_is_the_same_request_within_the_window() {
        let mut q = FaultQueue::default();
        let t = Instant::now();
        q.remember_drop("POST /a".into(), t);
        assert!(q.is_resend("POST /a", t + Duration::from_millis(900)));
        assert!(!q.is_resend("GET /a", t));
        assert!(!q.is_resend("POST /b", t));
        assert!(!q.is_resend("POST /a", t + RESEND_WINDOW));
        q.clear();
        assert!(!q.is_resend("POST /a", t));
    }
}
