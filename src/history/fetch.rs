//! Fetching a span month by month through the core's `FetchPlan`: at most two requests at
//! a time, results merged in order, a failed month retried alone.
//!
//! One [`Loader`] per mounted app holds the state; its requests are aborted when the mount
//! goes away, and their answers are then ignored.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::purchases::{
    error_from_status, parse_response, Chunk, ChunkStatus, Comparison, Decoded, FetchPlan,
    LocalSpan, Purchase, SplitPurchases, DEFAULT_MAX_IN_FLIGHT,
};
use merchant_console_core::range::DateRange;
use merchant_console_core::Millis;

use super::format;
use crate::http::{Auth, Http, HttpError};
use crate::perf;
use crate::ui::ProgressBar;

/// Everything one fetch needs, fixed when the person presses "Fetch".
#[derive(Clone)]
pub struct Request {
    /// API base without trailing slash (`https://api.laterpay.net`, `/laterpay/eu`).
    pub base: String,
    pub auth: Auth,
    /// The period the person asked for.
    pub span: LocalSpan,
    /// What it is compared with, and that span (fetched too; `None` for no comparison).
    pub compare: Comparison,
    pub compare_span: Option<LocalSpan>,
    pub range: DateRange,
    pub zone_name: String,
    /// Currency of every price (from the region).
    pub currency: String,
}

/// A finished fetch: the purchases of the span and of the span it is compared with.
pub struct Loaded {
    pub request: Arc<Request>,
    /// Purchases inside the span, in time order of the chunks.
    pub current: Vec<Purchase>,
    /// Purchases of the comparison span (empty without a comparison).
    pub previous: Vec<Purchase>,
    /// When the fetch finished (to mark periods still in progress as partial).
    pub now: Millis,
    /// Records the decoder could not read.
    pub skipped: usize,
    pub skip_reason: Option<String>,
}

/// Why a chunk failed, and whether the same error would repeat for every other chunk.
struct ChunkError {
    message: String,
    /// Stop starting further chunks (credentials, request shape or no response at all).
    halts: bool,
}

/// How long one month of purchases may take to arrive (about 10 MB at 1,000 a day).
const CHUNK_TIMEOUT_MS: u32 = 120_000;

/// This mount's purchase-history fetch: its progress, errors and result. Created once per
/// mounted app (two widgets never share figures), so a fetch goes on (and its result
/// stays) while the person looks at the Exports section.
#[derive(Clone, Copy)]
pub struct Loader {
    pub plan: RwSignal<FetchPlan>,
    pub halted: RwSignal<bool>,
    pub result: RwSignal<Option<Arc<Loaded>>>,
    generation: RwSignal<u64>,
    request: StoredValue<Option<Arc<Request>>>,
    http: StoredValue<Http, LocalStorage>,
}

impl Loader {
    pub fn new(http: Http) -> Self {
        Loader {
            plan: RwSignal::new(FetchPlan::default()),
            halted: RwSignal::new(false),
            result: RwSignal::new(None),
            generation: RwSignal::new(0),
            request: StoredValue::new(None),
            http: StoredValue::new_local(http),
        }
    }

    /// The mount's HTTP client, while the mount lives.
    pub fn http(&self) -> Option<Http> {
        self.http.try_get_value()
    }

    /// Whether a fetch was started in this mount (its dashboard is shown or on its way).
    pub fn has_request(&self) -> bool {
        self.request.with_value(Option::is_some)
    }

    /// The request of the fetch shown or under way.
    pub fn current_request(&self) -> Option<Arc<Request>> {
        self.request.get_value()
    }

    /// Starts a new fetch; answers of an earlier one still under way are ignored.
    pub fn start(&self, request: Request) {
        let plan = FetchPlan::for_comparison(&request.span, request.compare_span.as_ref());
        self.generation.update(|g| *g += 1);
        self.request.set_value(Some(Arc::new(request)));
        self.plan.set(plan);
        self.halted.set(false);
        self.result.set(None);
        self.pump();
    }

    /// Puts the failed (and not yet started) chunks back in the queue, keeping the rest.
    pub fn retry_failed(&self) {
        self.halted.set(false);
        self.plan.update(|p| {
            p.retry_failed();
        });
        self.pump();
    }

    /// Starts chunks until two are in flight; finishes the fetch when every chunk is done.
    fn pump(&self) {
        let Some(request) = self.request.try_get_value().flatten() else {
            return;
        };
        let Some(http) = self.http.try_get_value() else {
            return;
        };
        if !http.is_alive() || self.plan.with_untracked(|p| p.chunks().is_empty()) {
            return; // gone, or finished already (the plan was emptied into the result)
        }
        if self.plan.with_untracked(FetchPlan::is_complete) {
            self.finish(&request);
            return;
        }
        if self.halted.get_untracked() {
            return;
        }
        let generation = self.generation.get_untracked();
        let loader = *self;
        loop {
            let mut next = None;
            self.plan
                .update(|p| next = p.start_next(DEFAULT_MAX_IN_FLIGHT));
            let Some(index) = next else { break };
            let chunk = self.plan.with_untracked(|p| p.chunks()[index]);
            let request = request.clone();
            let http = http.clone();
            spawn_local(async move {
                let outcome = fetch_chunk(&http, &request, chunk).await;
                // The mount went away, or a newer fetch replaced this one.
                if !http.is_alive() || loader.generation.try_get_untracked() != Some(generation) {
                    return;
                }
                match outcome {
                    Ok(decoded) => loader.plan.update(|p| {
                        p.mark_done(index, decoded);
                    }),
                    Err(e) => {
                        if e.halts {
                            loader.halted.set(true);
                        }
                        loader.plan.update(|p| {
                            p.mark_failed(index, e.message);
                        });
                    }
                }
                loader.pump();
            });
        }
    }

    /// Moves the purchases out of the plan and keeps those of the span and its comparison
    /// (a zone off UTC fetches an extra UTC day at each end).
    fn finish(&self, request: &Arc<Request>) {
        let plan = self.plan.try_update(std::mem::take).unwrap_or_default();
        let skipped = plan.skipped();
        let skip_reason = plan.first_skip_reason().map(str::to_string);
        let SplitPurchases { current, previous } =
            plan.into_split(&request.span, request.compare_span.as_ref());
        perf::render_started();
        self.result.set(Some(Arc::new(Loaded {
            request: request.clone(),
            current,
            previous,
            now: crate::zone::now_ms(),
            skipped,
            skip_reason,
        })));
    }
}

/// One `GET /merchant/purchase-history` for a chunk, decoded.
async fn fetch_chunk(http: &Http, request: &Request, chunk: Chunk) -> Result<Decoded, ChunkError> {
    let url = format!(
        "{}/merchant/purchase-history?{}",
        request.base,
        chunk.query()
    );
    let timing = perf::start("mc-history-fetch");
    let response = http.get_bytes(&url, &request.auth, CHUNK_TIMEOUT_MS).await;
    timing.end();
    match response {
        Ok((status, buffer)) => {
            // One copy of the bytes into wasm memory, dropped once decoded.
            let timing = perf::start("mc-history-body");
            let body = js_sys::Uint8Array::new(&buffer).to_vec();
            timing.end();
            if !(200..300).contains(&status) {
                return Err(ChunkError {
                    message: error_from_status(status, &body).to_string(),
                    halts: matches!(status, 400 | 401 | 403 | 404),
                });
            }
            let timing = perf::start("mc-history-decode");
            let decoded = parse_response(&body);
            timing.end();
            decoded.map_err(|e| ChunkError {
                message: e.to_string(),
                halts: false,
            })
        }
        Err(HttpError::Timeout) => Err(ChunkError {
            message: format!(
                "{} did not answer within {} s. Try again, or load a shorter range.",
                host_of(&request.base),
                CHUNK_TIMEOUT_MS / 1000
            ),
            halts: false,
        }),
        Err(e) => Err(ChunkError {
            message: format!(
                "No response from {}. The host may not allow calls from this page (CORS) or may be \
                 unreachable; use a proxy that adds the credentials on its side and tick \
                 \"Credentials held by a proxy\". ({e})",
                host_of(&request.base),
            ),
            halts: true,
        }),
    }
}

fn host_of(base: &str) -> String {
    if base.starts_with('/') {
        "this page's server".to_string()
    } else {
        base.split("://")
            .nth(1)
            .unwrap_or(base)
            .split('/')
            .next()
            .unwrap_or(base)
            .to_string()
    }
}

/// Progress while fetching, and failures with a retry button.
#[component]
pub fn FetchStatus(loader: Loader) -> impl IntoView {
    // (total, done, in flight, failed)
    let counts = Memo::new(move |_| {
        loader
            .plan
            .with(|p| (p.chunks().len(), p.done(), p.in_flight(), p.failed()))
    });
    let running = move || {
        let (total, done, in_flight, failed) = counts.get();
        in_flight > 0 || (total > done + in_flight + failed && !loader.halted.get())
    };
    let percent = Signal::derive(move || {
        let (total, done, ..) = counts.get();
        (done * 100).checked_div(total).unwrap_or(0) as u8
    });
    let progress_text = move || {
        let (total, done, in_flight, failed) = counts.get();
        let mut text = format!(
            "Loading purchases: {done} of {total} part{} done (month by month, {in_flight} running)",
            if total == 1 { "" } else { "s" }
        );
        if failed > 0 {
            text.push_str(&format!(", {failed} failed"));
        }
        text.push('.');
        text
    };
    let stopped = move || {
        let (total, done, in_flight, _) = counts.get();
        in_flight == 0 && done < total && !running()
    };
    // Unique failure messages, each with the months it hit.
    let failures = move || {
        loader.plan.with(|p| {
            let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
            for (chunk, status) in p.chunks().iter().zip(p.statuses()) {
                if let ChunkStatus::Failed(message) = status {
                    let part = format!("{} to {}", chunk.from_date(), chunk.to_date());
                    match groups.iter_mut().find(|(m, _)| m == message) {
                        Some((_, parts)) => parts.push(part),
                        None => groups.push((message, vec![part])),
                    }
                }
            }
            if groups.is_empty() {
                return String::new();
            }
            let (total, failed) = (p.chunks().len(), p.failed());
            let mut out = format!(
                r#"<p class="mc-history-error-title">{failed} of {total} part{} could not be loaded; the parts already loaded are kept.</p><ul>"#,
                if total == 1 { "" } else { "s" }
            );
            for (message, parts) in groups {
                out.push_str(&format!(
                    r#"<li><span class="mc-history-error-message">{}</span> <span class="mc-muted">({})</span></li>"#,
                    format::esc(message),
                    parts.join(", ")
                ));
            }
            out.push_str("</ul>");
            out
        })
    };
    let skipped = move || {
        loader.result.with(|r| match r {
            Some(r) if r.skipped > 0 => format::esc(&format!(
                "{} could not be read and {} left out{}",
                format::plural(r.skipped as u64, "record", "records"),
                if r.skipped == 1 { "was" } else { "were" },
                r.skip_reason
                    .as_ref()
                    .map(|s| format!(" (for example: {s})"))
                    .unwrap_or_default()
            )),
            _ => String::new(),
        })
    };
    view! {
        <div class="mc-card mc-history-progress" role="status" hidden=move || !running()>
            <p inner_html=progress_text></p>
            <ProgressBar label="Purchases loaded" percent />
        </div>
        <div class="mc-alert mc-history-error" role="alert" hidden=move || loader.plan.with(|p| p.failed() == 0)>
            <div inner_html=failures></div>
            <button type="button" class="mc-secondary" hidden=move || !stopped() on:click=move |_| loader.retry_failed()>
                "Retry failed part"
            </button>
        </div>
        <p class="mc-warn" role="status" inner_html=skipped></p>
    }
}
