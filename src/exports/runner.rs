//! Drives the core's export queue: asks it what to send, sends it, feeds the answer back,
//! saves the queue after every change and wakes up on a timer. All decisions are the core's.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::export::{Action, Event, ExportQueue, Response};

use super::leader::{on_storage_change, TabLeader};
use crate::auth::CloverAuth;
use crate::config::RuntimeConfig;
use crate::credentials::Vault;
use crate::http::{self, Auth};
use crate::storage::Store;
use crate::zone::now_ms;

const QUEUE_KEY: &str = "export-queue";
/// How often the queue is asked for work; it also refreshes countdowns on screen.
const TICK_MS: u32 = 500;

/// Shared handle, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct ExportRunner {
    pub queue: RwSignal<ExportQueue>,
    /// The time of the last tick: everything time-dependent on screen derives from it.
    pub now: RwSignal<i64>,
    pub config: RwSignal<Option<RuntimeConfig>>,
    pub vault: Vault,
    /// Sign in with Clover: OAuth tokens, refreshed before each request when due.
    pub auth: CloverAuth,
    /// The latest announcement for screen readers (and the visible toast).
    pub announce: RwSignal<String>,
    /// Whether this tab drives the queue (only one tab of the browser does).
    pub leader: TabLeader,
    /// This mount's saved state (the queue survives a reload).
    store: Store,
    /// The full page badges its tab title; a widget leaves its host's title alone.
    owns_title: bool,
}

/// Key under which a merchant's Clover token is kept in the vault.
pub fn token_key(merchant: &str) -> String {
    format!("clover:{merchant}")
}

/// Vault key marking "credentials held by the proxy" for a merchant: no Authorization
/// header is sent, cookies are included.
pub fn proxy_key(merchant: &str) -> String {
    format!("clover-proxy:{merchant}")
}

impl ExportRunner {
    /// Restores the saved queue (resuming polls, never re-creating an export) and starts
    /// the tick timer, which stops when the owning component is cleaned up.
    pub fn start(
        config: RwSignal<Option<RuntimeConfig>>,
        vault: Vault,
        auth: CloverAuth,
        announce: RwSignal<String>,
        store: Store,
    ) -> Self {
        let now = now_ms();
        let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
        let queue = match store
            .load(QUEUE_KEY)
            .map(|json| ExportQueue::from_json(&json, now))
        {
            Some(Ok(mut q)) => {
                q.reseed(seed);
                q
            }
            Some(Err(e)) => {
                web_sys::console::warn_1(
                    &format!(
                        "Merchant Console: saved exports could not be read ({e}); starting empty"
                    )
                    .into(),
                );
                ExportQueue::new(seed)
            }
            None => ExportQueue::new(seed),
        };
        let queue = RwSignal::new(queue);
        // The tab that gets the lock starts from what the previous leader saved last;
        // until then this tab follows the leader's saves.
        let leader = TabLeader::acquire(store.full_key("exports-lock"), move || {
            if let Some(Ok(q)) = store
                .load(QUEUE_KEY)
                .map(|j| ExportQueue::from_json(&j, now_ms()))
            {
                queue.set(q);
            }
        });
        on_storage_change(store.full_key(QUEUE_KEY), move |json| {
            if !leader.leading.get_untracked() {
                if let Ok(q) = ExportQueue::from_json(&json, now_ms()) {
                    queue.set(q);
                }
            }
        });
        let runner = Self {
            queue,
            now: RwSignal::new(now),
            config,
            vault,
            auth,
            announce,
            leader,
            store,
            owns_title: use_context::<crate::app::Mounted>().is_some_and(|m| !m.is_widget),
        };
        let interval = gloo_timers::callback::Interval::new(TICK_MS, move || runner.tick());
        // The timer is not Send; keep it in a local arena slot the (Send) cleanup can clear.
        let interval = StoredValue::new_local(Some(interval));
        on_cleanup(move || interval.update_value(|i| drop(i.take())));
        runner
    }

    /// One round: expire dead links, start every request the queue wants sent, save.
    pub fn tick(self) {
        let now = now_ms();
        self.now.set(now);
        if !self.leader.leading.get_untracked() {
            return; // another tab drives the queue; this one only shows it
        }
        let Some(config) = self.config.get_untracked() else {
            return; // config.json not loaded yet
        };
        let mut actions = Vec::new();
        self.queue.update(|q| {
            q.expire(now);
            while let Some(action) = q.next_action(now) {
                actions.push(action);
            }
        });
        for action in actions {
            let config = config.clone();
            spawn_local(async move { self.perform(&config, action).await });
        }
        self.save();
    }

    fn save(self) {
        let json = self.queue.with_untracked(serde_json::to_string);
        if let Ok(json) = json {
            self.store.save(QUEUE_KEY, &json);
        }
    }

    async fn perform(self, config: &RuntimeConfig, action: Action) {
        let merchant = action.op.merchant().to_string();
        let proxy = self.vault.get_untracked(&proxy_key(&merchant)).is_some();
        // A signed-in merchant's token is refreshed here first when it is about to expire.
        let oauth = if proxy {
            None
        } else {
            self.auth.fresh_token(&merchant, false).await
        };
        let auth = if proxy {
            Some(Auth::Proxy)
        } else {
            oauth
                .clone()
                .or_else(|| self.vault.get_untracked(&token_key(&merchant)))
                .map(Auth::Bearer)
        };
        let response = match (config.clover_base(action.op.region()), auth) {
            (None, _) => Response::Network {
                message: format!(
                    "No API address is configured for region \"{}\".",
                    action.op.region()
                ),
            },
            // No token in this tab (after a reload without "remember"): nothing is sent; the
            // queue waits for credentials and the UI asks for them.
            (_, None) => Response::NoCredentials,
            (Some(base), Some(auth)) => {
                let url = format!("{base}{}", action.op.path());
                let method = if action.op.method() == "POST" {
                    Method::POST
                } else {
                    Method::GET
                };
                let mut sent = http::send(method.clone(), &url, &auth, action.op.body_json()).await;
                // An OAuth token refused (expired early, revoked): refresh once and retry.
                if oauth.is_some() && matches!(&sent, Ok(r) if r.status == 401) {
                    if let Some(token) = self.auth.fresh_token(&merchant, true).await {
                        sent =
                            http::send(method, &url, &Auth::Bearer(token), action.op.body_json())
                                .await;
                    }
                }
                match sent {
                    Ok(r) => Response::Http {
                        status: r.status,
                        retry_after: r.retry_after,
                        body: r.body,
                    },
                    Err(e) => Response::Network {
                        message: network_message(&e.0),
                    },
                }
            }
        };
        let mut events = Vec::new();
        self.queue
            .update(|q| events = q.on_response(action.op_id, response, now_ms()));
        for event in events {
            self.announce_event(&event);
        }
        self.save();
        // Ask for the next step at once instead of waiting for the timer.
        self.tick();
    }

    fn announce_event(self, event: &Event) {
        let text = match event {
            Event::ExportDone { request, export } => self.queue.with_untracked(|q| {
                let r = q.request(*request);
                let n = r.map(|r| r.exports.len()).unwrap_or(0);
                let i = r
                    .and_then(|r| r.export(*export))
                    .map(|e| e.index + 1)
                    .unwrap_or(0);
                format!("Export {i} of {n} is done.")
            }),
            Event::ExportFailed { reason, .. } => format!("An export failed: {reason}"),
            Event::RequestFinished { .. } => {
                if self.owns_title {
                    set_title_badge(true);
                }
                "All exports of a request are finished: its files are ready.".to_string()
            }
            Event::MissingCredentials { merchant } => {
                format!("This tab holds no token for merchant {merchant}. Enter it to continue.")
            }
            Event::NeedsCredentials { merchant } => {
                format!("Clover refused the token for merchant {merchant}. Enter a valid token to continue.")
            }
        };
        self.announce.set(text);
    }
}

/// A failed fetch with no response is usually CORS; say so and what to do.
fn network_message(raw: &str) -> String {
    format!(
        "No response from the server ({raw}). The host may be unreachable, or it does not allow calls from this page (CORS): use Sign in with Clover or a proxy that holds the credentials."
    )
}

/// "(✓) Merchant Console" in the tab title when something finished while the tab was hidden.
pub fn set_title_badge(on: bool) {
    let document = leptos::prelude::document();
    let hidden = document.hidden();
    let base = "Merchant Console";
    document.set_title(if on && hidden {
        "(✓) Merchant Console"
    } else {
        base
    });
}
