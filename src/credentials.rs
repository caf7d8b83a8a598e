//! This mount's credentials: the core's typed [`Credentials`] in a signal, written to
//! localStorage only in the form the core allows (pasted secrets, and only when the person
//! ticked "remember on this device"; OAuth sessions never). "Forget" removes them again.

use leptos::prelude::*;
use merchant_console_core::credentials::{
    Authorization, CredentialKey, CredentialSource, Credentials,
};
use merchant_console_core::oauth::TokenState;

use crate::config::{DemoCredentials, RuntimeConfig};
use crate::http::Auth;
use crate::storage::Store;

/// One mount's credentials (a copyable handle).
#[derive(Clone, Copy)]
pub struct Vault {
    held: RwSignal<Credentials>,
    store: Store,
}

const REMEMBERED_KEY: &str = "remembered-credentials";

impl Vault {
    /// Loads remembered secrets, if the person opted in earlier.
    pub fn new(store: Store) -> Self {
        let held = Credentials::from_saved(store.load(REMEMBERED_KEY).as_deref());
        Self {
            held: RwSignal::new(held),
            store,
        }
    }

    /// The pasted secret for a key (untracked), for prefilling a form.
    pub fn pasted_untracked(&self, key: &CredentialKey) -> Option<String> {
        self.held
            .try_with_untracked(|c| c.pasted(key).map(str::to_string))
            .flatten()
    }

    /// Keeps a pasted token or key (an empty one forgets it).
    pub fn set_pasted(&self, key: CredentialKey, secret: &str) {
        self.change(|c| c.set_pasted(key, secret));
    }

    /// Keeps an OAuth session (memory only).
    pub fn set_oauth(&self, key: CredentialKey, tokens: TokenState) {
        self.change(|c| c.set_oauth(key, tokens));
    }

    /// The OAuth session of a key (untracked).
    pub fn oauth_untracked(&self, key: &CredentialKey) -> Option<TokenState> {
        self.held
            .try_with_untracked(|c| c.oauth(key).cloned())
            .flatten()
    }

    /// Whether a key has an OAuth session (tracked).
    pub fn has_oauth(&self, key: &CredentialKey) -> bool {
        self.held.with(|c| c.has_oauth(key))
    }

    /// Forgets one key (memory and, when remembered, the device copy).
    pub fn remove(&self, key: &CredentialKey) {
        self.change(|c| c.remove(key));
    }

    /// What to send for a request to `key` from `source`, as the core decides; `None`
    /// when nothing is held (the request must wait for credentials, not be sent).
    pub fn auth_untracked(
        &self,
        source: CredentialSource,
        key: &CredentialKey,
        now: i64,
    ) -> Option<Auth> {
        let decided = self
            .held
            .try_with_untracked(|c| c.authorization(source, key, now))?;
        match decided {
            Authorization::Proxy => Some(Auth::Proxy),
            Authorization::Bearer(t) => Some(Auth::Bearer(t)),
            Authorization::Basic { user, password } => Some(Auth::Basic { user, password }),
            Authorization::Missing => None,
        }
    }

    pub fn is_remembered(&self) -> bool {
        self.held.with(Credentials::remembers)
    }

    /// Turns "remember on this device" on or off; off also erases the stored copy.
    pub fn set_remembered(&self, on: bool) {
        self.change(|c| c.set_remember(on));
    }

    /// Forgets every secret, in memory and on the device.
    pub fn forget_all(&self) {
        self.change(Credentials::forget_all);
    }

    fn change(&self, f: impl FnOnce(&mut Credentials)) {
        if self.held.try_update(f).is_none() {
            return; // the mount is gone
        }
        match self.held.with_untracked(Credentials::saved) {
            Some(json) => self.store.save(REMEMBERED_KEY, &json),
            None => self.store.remove(REMEMBERED_KEY),
        }
    }
}

/// Fills an empty secret field with the vault's secret for the key the form names,
/// whenever that key changes (a merchant used earlier in this tab, or remembered).
pub fn fill_from_vault(
    vault: Vault,
    key: impl Fn() -> CredentialKey + 'static,
    secret: RwSignal<String>,
) {
    Effect::new(move |_| {
        let k = key();
        if secret.get_untracked().is_empty() {
            if let Some(s) = vault.pasted_untracked(&k) {
                secret.set(s);
            }
        }
    });
}

/// Prefills an empty form from a sandbox's demo block in `config.json`: merchant, region
/// and, while the merchant is the demo one, its secret. `pick` selects (merchant, secret).
/// `demo_region` is `None` when the host page fixed the region.
pub fn prefill_from_demo(
    config: RwSignal<Option<RuntimeConfig>>,
    merchant: RwSignal<String>,
    secret: RwSignal<String>,
    region: RwSignal<String>,
    demo_region: Option<&'static str>,
    pick: fn(&DemoCredentials) -> (&str, &str),
) {
    Effect::new(move |_| {
        let Some(demo) = config.get().and_then(|c| c.demo) else {
            return;
        };
        let (demo_merchant, demo_secret) = pick(&demo);
        if merchant.get_untracked().is_empty() && !demo_merchant.is_empty() {
            merchant.set(demo_merchant.to_string());
            if let Some(r) = demo_region {
                region.set(r.to_string());
            }
        }
        if secret.get_untracked().is_empty() && merchant.get_untracked() == demo_merchant {
            secret.set(demo_secret.to_string());
        }
    });
}

/// A masked secret input with a show/hide toggle.
#[component]
pub fn SecretInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let shown = RwSignal::new(false);
    let error_id = format!("{id}-error");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    view! {
        <div class="mc-field">
            <label for=id>{label}</label>
            <div class="mc-secret">
                <input
                    id=id
                    type=move || if shown.get() { "text" } else { "password" }
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=error_id.clone()
                />
                <button type="button" class="mc-secondary" aria-pressed=move || shown.get().to_string()
                    aria-label=move || format!("{} {}", if shown.get() { "Hide" } else { "Show" }, label)
                    on:click=move |_| shown.update(|s| *s = !*s)>
                    {move || if shown.get() { "Hide" } else { "Show" }}
                </button>
            </div>
            <p class="mc-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}
