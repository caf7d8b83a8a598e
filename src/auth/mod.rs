//! Sign in with Clover: OAuth v2 authorization code with PKCE, entirely in the page.
//!
//! The verifier and `state` sit in sessionStorage only for the trip to Clover and back;
//! the tokens live in this mount's [`Vault`] as an OAuth session, which is memory only
//! (the core's credentials model never writes one to storage). Another tab that takes
//! over the export queue has no session and says so ("waiting for credentials: sign in").
//! Decisions (URLs, state check, refresh timing) are the core's `oauth` module.

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::credentials::{Api, CredentialKey};
use merchant_console_core::export::Region;
use merchant_console_core::oauth::{self, Redirect, TokenOutcome};
use serde::{Deserialize, Serialize};

use crate::config::RuntimeConfig;
use crate::credentials::Vault;
use crate::http::{Auth, Http, OnUnmount, Request};
use crate::zone::now_ms;

const PENDING_KEY: &str = "mc-oauth-pending";
/// A token or refresh call that takes longer is given up.
const TOKEN_TIMEOUT_MS: u32 = 20_000;

/// What the tab remembers while it is away at Clover's authorize page.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    region: String,
    client_id: String,
}

/// The Clover credential key of a region and merchant.
pub fn clover_key(region: &str, merchant: &str) -> CredentialKey {
    CredentialKey::new(Api::Clover, region, merchant)
}

/// Shared handle, provided as context and used by the export runner.
#[derive(Clone, Copy)]
pub struct CloverAuth {
    /// Keys whose refresh is under way (refresh tokens are single-use: one at a time).
    refreshing: StoredValue<Vec<CredentialKey>>,
    /// The merchant and region signed in last, for the form.
    pub signed_in: RwSignal<Option<(String, String)>>,
    /// A sign-in problem to show (state mismatch, refused code ...).
    pub error: RwSignal<Option<String>>,
    vault: Vault,
    config: RwSignal<Option<RuntimeConfig>>,
}

impl CloverAuth {
    /// Creates the handle and, once `config.json` is read, finishes a sign-in when the page
    /// was opened by Clover's redirect (only when `owns_page`: a widget leaves the host
    /// page's address bar alone).
    pub fn new(
        vault: Vault,
        config: RwSignal<Option<RuntimeConfig>>,
        http: Http,
        owns_page: bool,
    ) -> Self {
        let auth = Self {
            refreshing: StoredValue::new(Vec::new()),
            signed_in: RwSignal::new(None),
            error: RwSignal::new(None),
            vault,
            config,
        };
        let done = StoredValue::new(false);
        Effect::new(move |_| {
            if owns_page && config.with(Option::is_some) && !done.get_value() {
                done.set_value(true);
                let http = http.clone();
                spawn_local(async move { auth.complete_redirect(&http).await });
            }
        });
        auth
    }

    /// The client id from `config.json`'s `oauth` block, when sign-in is offered.
    pub fn client_id(&self) -> Option<String> {
        self.config
            .get()
            .and_then(|c| c.oauth)
            .map(|o| o.client_id)
            .filter(|c| !c.is_empty())
    }

    pub fn is_signed_in(&self, region: &str, merchant: &str) -> bool {
        self.vault.has_oauth(&clover_key(region, merchant))
    }

    /// Leaves for Clover's authorize page of `region`.
    pub fn sign_in(&self, region: &str) {
        let Some(config) = self.config.get_untracked() else {
            return;
        };
        let Some(client_id) = config.oauth.as_ref().map(|o| o.client_id.clone()) else {
            return;
        };
        let Some(base) = config.oauth_authorize_base(region) else {
            self.error.set(Some(format!(
                "Sign-in is not available for region \"{region}\"."
            )));
            return;
        };
        let (Some(verifier), Some(state)) = (random_bytes(32), random_bytes(24)) else {
            self.error
                .set(Some("This browser offers no secure random numbers.".into()));
            return;
        };
        let Ok(verifier) = oauth::pkce_verifier(&verifier) else {
            return;
        };
        let state = oauth::state_value(&state);
        let pending = Pending {
            state: state.clone(),
            verifier: verifier.clone(),
            region: region.to_string(),
            client_id: client_id.clone(),
        };
        let Some(storage) = session_storage() else {
            self.error
                .set(Some("Sign-in needs this tab's session storage.".into()));
            return;
        };
        let _ = storage.set_item(
            PENDING_KEY,
            &serde_json::to_string(&pending).unwrap_or_default(),
        );
        let location = window().location();
        let redirect_uri = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let url = oauth::authorize_url(
            base.as_str(),
            &client_id,
            &redirect_uri,
            &state,
            &oauth::pkce_challenge(&verifier),
        );
        let _ = location.set_href(&url);
    }

    /// Forgets the merchant's session.
    pub fn sign_out(&self, region: &str, merchant: &str) {
        self.vault.remove(&clover_key(region, merchant));
        self.signed_in.set(None);
    }

    async fn complete_redirect(self, http: &Http) {
        let location = window().location();
        let search = location.search().unwrap_or_default();
        let Some(redirect) = Redirect::parse(&search) else {
            return;
        };
        // The code and state leave the address bar (and history) at once, whatever follows.
        let path = location.pathname().unwrap_or_default() + &location.hash().unwrap_or_default();
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
        let pending: Option<Pending> = session_storage().and_then(|s| {
            let json = s.get_item(PENDING_KEY).ok().flatten();
            let _ = s.remove_item(PENDING_KEY);
            json.and_then(|j| serde_json::from_str(&j).ok())
        });
        let grant = match redirect.check(pending.as_ref().map(|p| p.state.as_str())) {
            Ok(g) => g,
            Err(e) => {
                self.error.set(Some(e.to_string()));
                return;
            }
        };
        let Some(pending) = pending else { return };
        let Some(merchant) = grant.merchant_id.clone() else {
            self.error
                .set(Some("Clover's answer names no merchant.".into()));
            return;
        };
        let body = oauth::token_request_body(&pending.client_id, &grant.code, &pending.verifier);
        let result = self
            .token_call(http, &pending.region, "token", body, TOKEN_TIMEOUT_MS)
            .await;
        if !http.is_alive() {
            return;
        }
        match result {
            TokenOutcome::Tokens(tokens) => {
                self.vault
                    .set_oauth(clover_key(&pending.region, &merchant), tokens);
                self.error.set(None);
                self.signed_in.set(Some((merchant, pending.region.clone())));
            }
            // A code is single-use: whatever went wrong, the way on is a new sign-in.
            TokenOutcome::Refused(e) | TokenOutcome::Unreachable(e) => {
                self.error.set(Some(format!("Sign-in failed: {e}")))
            }
        }
    }

    /// `POST {api base}/oauth/v2/{endpoint}` with a JSON body; what came of it. Given up
    /// after `timeout_ms` (at most [`TOKEN_TIMEOUT_MS`]).
    async fn token_call(
        &self,
        http: &Http,
        region: &str,
        endpoint: &str,
        body: String,
        timeout_ms: u32,
    ) -> TokenOutcome {
        let Some(base) = self
            .config
            .try_get_untracked()
            .flatten()
            .and_then(|c| c.clover_base(region))
        else {
            return TokenOutcome::Refused(format!("no API address for region \"{region}\""));
        };
        let url = format!("{base}/oauth/v2/{endpoint}");
        let sent = http
            .send(Request {
                method: Method::POST,
                url: &url,
                auth: &Auth::None,
                json_body: Some(body),
                timeout_ms: timeout_ms.min(TOKEN_TIMEOUT_MS),
                on_unmount: OnUnmount::Abort,
            })
            .await;
        match sent {
            Ok(r) => TokenOutcome::from_answer(r.status, &r.body, now_ms()),
            Err(e) => TokenOutcome::Unreachable(e.to_string()),
        }
    }

    /// A usable access token for the next request to `region`/`merchant`: refreshed first
    /// when it is about to expire, or at once with `force` (after a 401). A refresh takes
    /// at most `budget_ms`, so that the request it serves still ends within its timeout.
    pub async fn fresh_token(
        &self,
        http: &Http,
        region: &str,
        merchant: &str,
        force: bool,
        budget_ms: u32,
    ) -> FreshToken {
        let key = clover_key(region, merchant);
        // Refresh tokens are single-use: one refresh per key at a time; others wait for
        // it, but never longer than a token call may take.
        let mut waited = 0;
        while self
            .refreshing
            .try_with_value(|r| r.contains(&key))
            .unwrap_or(false)
            && waited < TOKEN_TIMEOUT_MS + 1_000
        {
            gloo_timers::future::TimeoutFuture::new(50).await;
            waited += 50;
        }
        let now = now_ms();
        let Some(tokens) = self.vault.oauth_untracked(&key) else {
            return FreshToken::SignInNeeded;
        };
        let due = force || tokens.needs_refresh(now);
        if !due || !tokens.can_refresh(now) {
            return match tokens.access_valid(now) {
                true => FreshToken::Token(tokens.access_token),
                false => FreshToken::SignInNeeded,
            };
        }
        let Some(client_id) = self
            .config
            .try_get_untracked()
            .flatten()
            .and_then(|c| c.oauth)
            .map(|o| o.client_id)
        else {
            return FreshToken::SignInNeeded;
        };
        self.refreshing.try_update_value(|r| r.push(key.clone()));
        let body =
            oauth::refresh_request_body(&client_id, tokens.refresh_token.as_deref().unwrap_or(""));
        let result = self
            .token_call(http, region, "refresh", body, budget_ms)
            .await;
        self.refreshing
            .try_update_value(|r| r.retain(|k| *k != key));
        if !http.is_alive() {
            return FreshToken::SignInNeeded;
        }
        match result {
            TokenOutcome::Tokens(tokens) => {
                let access = tokens.access_token.clone();
                self.vault.set_oauth(key, tokens);
                FreshToken::Token(access)
            }
            // The session is kept: the next request tries the refresh again.
            TokenOutcome::Unreachable(e) => {
                FreshToken::Unreachable(format!("renewing the sign-in: {e}"))
            }
            TokenOutcome::Refused(e) => {
                // The refresh token is spent or refused: sign-in is needed again.
                self.vault.remove(&key);
                self.signed_in.set(None);
                self.error.set(Some(format!(
                    "The Clover sign-in could not be renewed ({e}). Sign in again."
                )));
                FreshToken::SignInNeeded
            }
        }
    }
}

/// What [`CloverAuth::fresh_token`] found.
pub enum FreshToken {
    Token(String),
    /// Not signed in, or the session ended: the request waits for credentials.
    SignInNeeded,
    /// The refresh got no usable answer; the session is kept and tried again later.
    Unreachable(String),
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn random_bytes(n: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; n];
    window()
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(bytes)
}

/// The "Sign in with Clover" / "Sign out" controls of the export form.
#[component]
pub fn SignInWithClover(region: RwSignal<String>, merchant: RwSignal<String>) -> impl IntoView {
    let auth = expect_context::<CloverAuth>();
    let offered = move || auth.client_id().is_some() && Region::from_id(&region.get()).is_some();
    let signed_in = move || auth.is_signed_in(&region.get(), merchant.get().trim());
    view! {
        <Show when=offered>
            <div class="mc-row mc-oauth">
                <Show when=signed_in fallback=move || view! {
                    <button type="button" class="mc-secondary" on:click=move |_| auth.sign_in(&region.get_untracked())>
                        "Sign in with Clover"
                    </button>
                }>
                    <span role="status">{move || format!("Signed in with Clover as {}.", merchant.get().trim())}</span>
                    <button type="button" class="mc-secondary"
                        on:click=move |_| auth.sign_out(&region.get_untracked(), merchant.get_untracked().trim())>
                        "Sign out"
                    </button>
                </Show>
            </div>
        </Show>
        <p class="mc-error" role="alert">{move || auth.error.get()}</p>
    }
}
