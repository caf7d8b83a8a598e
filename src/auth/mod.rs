//! Sign in with Clover: OAuth v2 authorization code with PKCE, entirely in the page.
//!
//! The verifier and `state` sit in sessionStorage only for the trip to Clover and back;
//! tokens live in memory (the access token also in the `Vault` under `clover:<merchant>`,
//! where the export runner finds it). Decisions (URLs, state check, refresh timing) are
//! the core's `oauth` module.

use std::collections::BTreeMap;

use gloo_net::http::Method;
use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::export::Region;
use merchant_console_core::oauth::{self, Redirect, TokenResponse, TokenState};
use serde::{Deserialize, Serialize};

use crate::config::RuntimeConfig;
use crate::credentials::Vault;
use crate::exports::runner::token_key;
use crate::http::{self, Auth};
use crate::zone::now_ms;

const PENDING_KEY: &str = "mc-oauth-pending";

/// What the tab remembers while it is away at Clover's authorize page.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    region: String,
    client_id: String,
}

/// One signed-in merchant's tokens (memory only).
struct Session {
    tokens: TokenState,
    region: String,
    client_id: String,
}

/// Shared handle, provided as context and held by the export runner.
#[derive(Clone, Copy)]
pub struct CloverAuth {
    sessions: StoredValue<BTreeMap<String, Session>, LocalStorage>,
    refreshing: StoredValue<bool>,
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
    pub fn new(vault: Vault, config: RwSignal<Option<RuntimeConfig>>, owns_page: bool) -> Self {
        let auth = Self {
            sessions: StoredValue::new_local(BTreeMap::new()),
            refreshing: StoredValue::new(false),
            signed_in: RwSignal::new(None),
            error: RwSignal::new(None),
            vault,
            config,
        };
        let done = StoredValue::new(false);
        Effect::new(move |_| {
            if owns_page && config.with(Option::is_some) && !done.get_value() {
                done.set_value(true);
                spawn_local(async move { auth.complete_redirect().await });
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

    pub fn is_signed_in(&self, merchant: &str) -> bool {
        self.signed_in.track();
        self.sessions.with_value(|s| s.contains_key(merchant))
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
            &base,
            &client_id,
            &redirect_uri,
            &state,
            &oauth::pkce_challenge(&verifier),
        );
        let _ = location.set_href(&url);
    }

    /// Forgets the merchant's tokens (memory and vault).
    pub fn sign_out(&self, merchant: &str) {
        self.sessions.update_value(|s| {
            s.remove(merchant);
        });
        self.vault.remove(&token_key(merchant));
        self.signed_in.set(None);
    }

    async fn complete_redirect(self) {
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
        match self.token_call(&pending.region, "token", body).await {
            Ok(tokens) => {
                self.store(&merchant, tokens, &pending.region, &pending.client_id);
                self.error.set(None);
                self.signed_in.set(Some((merchant, pending.region.clone())));
            }
            Err(e) => self.error.set(Some(format!("Sign-in failed: {e}"))),
        }
    }

    fn store(&self, merchant: &str, tokens: TokenState, region: &str, client_id: &str) {
        self.vault
            .set(token_key(merchant), tokens.access_token.clone());
        self.sessions.update_value(|s| {
            s.insert(
                merchant.to_string(),
                Session {
                    tokens,
                    region: region.to_string(),
                    client_id: client_id.to_string(),
                },
            );
        });
    }

    /// `POST {api base}/oauth/v2/{endpoint}` with a JSON body; the answer as tokens.
    async fn token_call(
        &self,
        region: &str,
        endpoint: &str,
        body: String,
    ) -> Result<TokenState, String> {
        let base = self
            .config
            .get_untracked()
            .and_then(|c| c.clover_base(region))
            .ok_or_else(|| format!("no API address for region \"{region}\""))?;
        let url = format!("{base}/oauth/v2/{endpoint}");
        let response = http::send(Method::POST, &url, &Auth::None, Some(body))
            .await
            .map_err(|e| format!("no answer from Clover ({})", e.0))?;
        if !(200..300).contains(&response.status) {
            return Err(format!("Clover answered {}", response.status));
        }
        TokenResponse::from_json(&response.body).map(|r| TokenState::from_response(r, now_ms()))
    }

    /// A usable access token for `merchant` for the next request: refreshed first when it
    /// is about to expire, or at once with `force` (after a 401). `None` when the merchant
    /// did not sign in (the caller then uses a pasted token, if any).
    pub async fn fresh_token(&self, merchant: &str, force: bool) -> Option<String> {
        // Refresh tokens are single-use: one refresh at a time, others wait for it.
        while self.refreshing.get_value() {
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        let now = now_ms();
        let (token, refresh) = self.sessions.with_value(|s| {
            s.get(merchant).map(|s| {
                let due = force || s.tokens.needs_refresh(now);
                let refresh = (due && s.tokens.can_refresh(now)).then(|| {
                    (
                        s.region.clone(),
                        s.client_id.clone(),
                        s.tokens.refresh_token.clone().unwrap_or_default(),
                    )
                });
                (s.tokens.access_token.clone(), refresh)
            })
        })?;
        let Some((region, client_id, refresh_token)) = refresh else {
            return Some(token);
        };
        self.refreshing.set_value(true);
        let body = oauth::refresh_request_body(&client_id, &refresh_token);
        let result = self.token_call(&region, "refresh", body).await;
        self.refreshing.set_value(false);
        match result {
            Ok(tokens) => {
                let access = tokens.access_token.clone();
                self.store(merchant, tokens, &region, &client_id);
                Some(access)
            }
            Err(e) => {
                // The refresh token is spent or refused: sign-in is needed again.
                self.sessions.update_value(|s| {
                    s.remove(merchant);
                });
                self.vault.remove(&token_key(merchant));
                self.signed_in.set(None);
                self.error.set(Some(format!(
                    "The Clover sign-in could not be renewed ({e}). Sign in again."
                )));
                None
            }
        }
    }
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
    let signed_in = move || auth.is_signed_in(merchant.get().trim());
    view! {
        <Show when=offered>
            <div class="mc-row mc-oauth">
                <Show when=signed_in fallback=move || view! {
                    <button type="button" class="mc-secondary" on:click=move |_| auth.sign_in(&region.get_untracked())>
                        "Sign in with Clover"
                    </button>
                }>
                    <span role="status">{move || format!("Signed in with Clover as {}.", merchant.get().trim())}</span>
                    <button type="button" class="mc-secondary" on:click=move |_| auth.sign_out(merchant.get_untracked().trim())>
                        "Sign out"
                    </button>
                </Show>
            </div>
        </Show>
        <p class="mc-error" role="alert">{move || auth.error.get()}</p>
    }
}
