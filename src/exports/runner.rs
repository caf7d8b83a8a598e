//! Drives one mount's export queue (the core's `ExportQueue`): asks it what to send,
//! sends it, feeds the answer back, saves the queue when it changed, and sleeps until the
//! queue's next wakeup or the next answer or command. All decisions are the core's.
//!
//! The queue itself lives outside the reactive graph, in an [`Engine`] shared with the
//! requests under way; the views read it through a [`QueueView`], told of each change by a
//! trigger. So when the
//! mount goes away (a widget unmounted), an export create still under way (never aborted:
//! Clover may already have made the export) can record its answer and save it, and only
//! then give the tab's lead back: a remount waits for that lock and goes on from the saved
//! state instead of creating the export again. Everything else is aborted, and no signal
//! is touched after disposal.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::{Action, Event, ExportQueue, Op, Response};

use super::attention::Attention;
use super::leader::{on_storage_change, LockRelease, TabLeader};
use crate::auth::{clover_key, CloverAuth, FreshToken};
use crate::config::RuntimeConfig;
use crate::credentials::Vault;
use crate::http::{Auth, Http, HttpError, OnUnmount, Request};
use crate::storage::Store;
use crate::zone::now_ms;

const QUEUE_KEY: &str = "export-queue";
/// How often countdowns on screen move. Only the display clock: the queue is driven by
/// its own wakeups.
const CLOCK_MS: u32 = 1_000;
/// The longest single sleep (timers drift when a laptop sleeps; the queue is asked again).
const MAX_SLEEP_MS: i64 = 3_600_000;

/// The non-reactive part: the queue and what the requests under way need.
struct Engine {
    queue: RefCell<ExportQueue>,
    store: Store,
    http: Http,
    /// The JSON last written to storage: nothing is written when it has not changed.
    saved: RefCell<String>,
    wakeup: RefCell<Option<gloo_timers::callback::Timeout>>,
    creates_under_way: Cell<usize>,
    lock: LockRelease,
}

impl Engine {
    fn save_if_changed(&self) {
        let Ok(json) = serde_json::to_string(&*self.queue.borrow()) else {
            return;
        };
        if *self.saved.borrow() != json {
            self.store.save(QUEUE_KEY, &json);
            *self.saved.borrow_mut() = json;
        }
    }

    /// Replaces the queue with what another tab saved (followers, and a new leader).
    fn load_saved(&self) -> bool {
        let Some(json) = self.store.load(QUEUE_KEY) else {
            return false;
        };
        match ExportQueue::from_json(&json, now_ms()) {
            Ok(mut q) => {
                q.reseed(random_seed());
                *self.queue.borrow_mut() = q;
                *self.saved.borrow_mut() = json;
                true
            }
            Err(_) => false,
        }
    }
}

/// The views' read access to the queue: reading tracks its changes.
#[derive(Clone, Copy)]
pub struct QueueView {
    changed: Trigger,
    engine: StoredValue<Rc<Engine>, LocalStorage>,
}

impl QueueView {
    /// Reads the queue and re-runs the caller when it changes.
    pub fn with<R>(&self, f: impl FnOnce(&ExportQueue) -> R) -> R {
        self.changed.track();
        self.with_untracked(f)
    }

    /// Reads the queue without subscribing (an empty one once the mount is gone).
    pub fn with_untracked<R>(&self, f: impl FnOnce(&ExportQueue) -> R) -> R {
        match self.engine.try_get_value() {
            Some(engine) => f(&engine.queue.borrow()),
            None => f(&ExportQueue::new(0)),
        }
    }
}

/// Shared handle, provided as context by the app shell.
#[derive(Clone, Copy)]
pub struct ExportRunner {
    /// The queue, for the views.
    pub queue: QueueView,
    /// The display clock: everything time-dependent on screen derives from it.
    pub now: RwSignal<i64>,
    pub config: RwSignal<Option<RuntimeConfig>>,
    pub vault: Vault,
    /// Sign in with Clover: OAuth tokens, refreshed before each request when due.
    pub auth: CloverAuth,
    /// The latest announcement for screen readers (and the visible toast).
    pub announce: RwSignal<String>,
    /// Whether this tab drives the queue (only one tab of the browser does).
    pub leader: TabLeader,
    /// Title badge and desktop notifications.
    pub attention: Attention,
    engine: StoredValue<Rc<Engine>, LocalStorage>,
}

fn random_seed() -> u64 {
    (js_sys::Math::random() * u64::MAX as f64) as u64
}

impl ExportRunner {
    /// Restores the saved queue (resuming polls, never re-creating an export), asks for
    /// the tab's lead and, once it has it, starts driving. Stops when the owning component
    /// is cleaned up.
    pub fn start(
        config: RwSignal<Option<RuntimeConfig>>,
        vault: Vault,
        auth: CloverAuth,
        announce: RwSignal<String>,
        store: Store,
        http: Http,
        owns_title: bool,
    ) -> Self {
        let now = now_ms();
        let queue = match store
            .load(QUEUE_KEY)
            .map(|json| ExportQueue::from_json(&json, now))
        {
            Some(Ok(mut q)) => {
                q.reseed(random_seed());
                q
            }
            Some(Err(e)) => {
                web_sys::console::warn_1(
                    &format!(
                        "Merchant Console: saved exports could not be read ({e}); starting empty"
                    )
                    .into(),
                );
                ExportQueue::new(random_seed())
            }
            None => ExportQueue::new(random_seed()),
        };
        let changed = Trigger::new();
        let engine_cell: Rc<RefCell<Option<Rc<Engine>>>> = Rc::default();
        let alive = http.clone();
        let cell = engine_cell.clone();
        // The tab that gets the lock starts from what the previous leader saved last
        // (the effect below then drives it).
        let (leader, lock) = TabLeader::acquire(
            store.full_key("exports-lock"),
            move || alive.is_alive(),
            move || {
                if let Some(engine) = cell.borrow().clone() {
                    engine.load_saved();
                    changed.notify();
                }
            },
        );
        let engine = Rc::new(Engine {
            queue: RefCell::new(queue),
            store,
            http,
            saved: RefCell::new(String::new()),
            wakeup: RefCell::new(None),
            creates_under_way: Cell::new(0),
            lock,
        });
        *engine_cell.borrow_mut() = Some(engine.clone());
        let stored = StoredValue::new_local(engine.clone());
        let runner = Self {
            queue: QueueView {
                changed,
                engine: stored,
            },
            now: RwSignal::new(now),
            config,
            vault,
            auth,
            announce,
            leader,
            attention: Attention::new(store, owns_title),
            engine: stored,
        };

        // Followers show what the leader saves.
        let follower = engine.clone();
        on_storage_change(store.full_key(QUEUE_KEY), move |_| {
            if !leader.leading.get_untracked() && follower.load_saved() {
                changed.notify();
            }
        });
        // Driving starts once config.json is read (and the lead is ours).
        Effect::new(move |_| {
            if config.with(Option::is_some) && leader.leading.get() {
                runner.pump();
            }
        });
        let clock = gloo_timers::callback::Interval::new(CLOCK_MS, move || {
            let _ = runner.now.try_set(now_ms());
        });
        let clock = StoredValue::new_local(Some(clock));
        let stored = runner.engine;
        on_cleanup(move || {
            clock.update_value(|c| drop(c.take()));
            let Some(engine) = stored.try_get_value() else {
                return;
            };
            engine.http.shutdown();
            engine.wakeup.borrow_mut().take();
            // A create under way keeps the lead until its answer is saved.
            if engine.creates_under_way.get() == 0 {
                engine.lock.release();
            }
        });
        runner
    }

    /// A person's command: changes the queue, publishes, saves, and drives on. Does
    /// nothing once the mount is gone.
    pub fn command<R: Default>(self, f: impl FnOnce(&mut ExportQueue, i64) -> R) -> R {
        let Some(engine) = self.engine.try_get_value() else {
            return R::default();
        };
        let result = f(&mut engine.queue.borrow_mut(), now_ms());
        self.publish();
        engine.save_if_changed();
        self.pump();
        result
    }

    fn publish(self) {
        self.queue.changed.notify();
    }

    /// One round: time out what is overdue, start every request the queue wants sent,
    /// save when something changed, and sleep until the queue's next wakeup.
    pub fn pump(self) {
        let Some(engine) = self.engine.try_get_value() else {
            return;
        };
        if !engine.http.is_alive()
            || !self.leader.leading.try_get_untracked().unwrap_or(false)
            || self
                .config
                .try_with_untracked(Option::is_none)
                .unwrap_or(true)
        {
            return; // gone, another tab drives the queue, or config.json not read yet
        }
        let now = now_ms();
        let (events, actions, wake) = {
            let mut q = engine.queue.borrow_mut();
            let events = q.handle_timeout(now);
            let mut actions = Vec::new();
            while let Some(action) = q.next_action(now) {
                actions.push(action);
            }
            (events, actions, q.next_wakeup(now))
        };
        for event in &events {
            self.announce_event(event);
        }
        self.publish();
        engine.save_if_changed();
        *engine.wakeup.borrow_mut() = wake.map(|at| {
            let delay = (at - now).clamp(0, MAX_SLEEP_MS) as u32;
            gloo_timers::callback::Timeout::new(delay, move || self.pump())
        });
        for action in actions {
            let engine = engine.clone();
            spawn_local(async move { self.perform(engine, action).await });
        }
    }

    async fn perform(self, engine: Rc<Engine>, action: Action) {
        let creating = matches!(action.op, Op::Create { .. });
        if creating {
            engine
                .creates_under_way
                .set(engine.creates_under_way.get() + 1);
        }
        let response = self.exchange(&engine, &action).await;
        if creating {
            engine
                .creates_under_way
                .set(engine.creates_under_way.get() - 1);
        }
        let Some(response) = response else {
            return; // aborted with the mount: nobody waits for it
        };
        let events = engine
            .queue
            .borrow_mut()
            .on_response(action.op_id, response, now_ms());
        engine.save_if_changed();
        if !engine.http.is_alive() {
            // Unmounted while this create was under way: its answer is saved, the lead
            // can go to the next mount or tab.
            if engine.creates_under_way.get() == 0 {
                engine.lock.release();
            }
            return;
        }
        for event in &events {
            self.announce_event(event);
        }
        self.pump();
    }

    /// Sends one action and turns the outcome into the core's `Response`; `None` when the
    /// request was aborted because the mount went away.
    async fn exchange(&self, engine: &Engine, action: &Action) -> Option<Response> {
        let deadline = now_ms() + action.timeout_ms;
        let left = move || (deadline - now_ms()).clamp(1, u32::MAX as i64) as u32;
        let http = &engine.http;
        let region = action.op.region();
        let merchant = action.op.merchant();
        let config = self.config.try_get_untracked().flatten()?;
        let Some(base) = config.clover_base(region) else {
            return Some(Response::Network {
                message: format!("No API address is configured for region \"{region}\"."),
            });
        };
        let key = clover_key(region, merchant);
        let signed_in =
            action.auth == CredentialSource::Tab && self.vault.oauth_untracked(&key).is_some();
        // A signed-in merchant's token is refreshed here first when it is about to expire.
        let oauth = if signed_in {
            match self
                .auth
                .fresh_token(http, region, merchant, false, left())
                .await
            {
                FreshToken::Token(t) => Some(t),
                FreshToken::SignInNeeded => None,
                FreshToken::Unreachable(message) => {
                    return http.is_alive().then_some(Response::NotSent { message })
                }
            }
        } else {
            None
        };
        let auth = match oauth.clone().map(Auth::Bearer) {
            Some(a) => a,
            None => match self.vault.auth_untracked(action.auth, &key, now_ms()) {
                Some(a) => a,
                // Nothing is sent: the queue waits for credentials, the UI asks for them.
                None => return Some(Response::NoCredentials),
            },
        };
        let url = format!("{base}{}", action.op.path());
        let mut sent = http.send(request_of(action, &url, &auth, left())).await;
        // An OAuth token refused (expired early, revoked): refresh once and retry.
        if oauth.is_some() && matches!(&sent, Ok(r) if r.status == 401) {
            match self
                .auth
                .fresh_token(http, region, merchant, true, left())
                .await
            {
                FreshToken::Token(token) => {
                    let auth = Auth::Bearer(token);
                    sent = http.send(request_of(action, &url, &auth, left())).await;
                }
                // Refused, so not carried out; the renewal is tried again later.
                FreshToken::Unreachable(message) => {
                    return http.is_alive().then_some(Response::NotSent { message })
                }
                FreshToken::SignInNeeded => {}
            }
        }
        Some(match sent {
            Ok(r) => Response::Http {
                status: r.status,
                retry_after: r.retry_after,
                body: r.body,
            },
            Err(HttpError::Timeout) => Response::Timeout,
            Err(HttpError::Aborted) => return None,
            Err(HttpError::Refused(why)) => Response::Network { message: why },
            Err(HttpError::Network(raw)) => Response::Network {
                message: network_message(&raw),
            },
        })
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
                let text = "All exports of a request are finished: its files are ready.";
                self.attention.finished(text);
                text.to_string()
            }
            Event::NeedsCredentials { merchant } => {
                format!("Clover refused the token for merchant {merchant}. Enter a valid token to continue.")
            }
            Event::MissingCredentials { merchant } => format!(
                "Waiting for credentials: this tab holds no token for merchant {merchant}. Enter it to continue."
            ),
        };
        let _ = self.announce.try_set(text);
    }
}

/// The HTTP request of an action.
fn request_of<'a>(action: &Action, url: &'a str, auth: &'a Auth, timeout_ms: u32) -> Request<'a> {
    let create = matches!(action.op, Op::Create { .. });
    Request {
        method: if create { Method::POST } else { Method::GET },
        url,
        auth,
        json_body: action.op.body_json(),
        timeout_ms,
        // Never abort a create: Clover may have made the export already.
        on_unmount: if create {
            OnUnmount::Finish
        } else {
            OnUnmount::Abort
        },
    }
}

/// A failed fetch with no response is usually CORS; say so and what to do.
fn network_message(raw: &str) -> String {
    format!(
        "no response from the server ({raw}). The host may be unreachable, or it does not allow calls from this page (CORS): use Sign in with Clover or a proxy that holds the credentials"
    )
}
