//! Credentials live in this tab's memory. Only when the person ticks "remember on this
//! device" are they written to localStorage, and "forget" removes them again.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::config::{DemoCredentials, RuntimeConfig};
use crate::storage::Store;

/// Secrets by key (`clover:<merchant>`, `laterpay:<merchant>`), in memory.
#[derive(Clone, Copy)]
pub struct Vault {
    secrets: RwSignal<BTreeMap<String, String>>,
    remembered: RwSignal<bool>,
    store: Store,
}

const REMEMBERED_KEY: &str = "remembered-credentials";

impl Vault {
    /// Loads remembered secrets, if the person opted in earlier.
    pub fn new(store: Store) -> Self {
        let remembered: Option<BTreeMap<String, String>> = store
            .load(REMEMBERED_KEY)
            .and_then(|json| serde_json::from_str(&json).ok());
        Self {
            remembered: RwSignal::new(remembered.is_some()),
            secrets: RwSignal::new(remembered.unwrap_or_default()),
            store,
        }
    }

    pub fn get_untracked(&self, key: &str) -> Option<String> {
        self.secrets.with_untracked(|s| s.get(key).cloned())
    }

    pub fn set(&self, key: String, secret: String) {
        self.secrets.update(|s| {
            s.insert(key, secret);
        });
        self.persist();
    }

    /// Forgets one secret (memory and, when remembered, the device copy).
    pub fn remove(&self, key: &str) {
        self.secrets.update(|s| {
            s.remove(key);
        });
        self.persist();
    }

    pub fn is_remembered(&self) -> bool {
        self.remembered.get()
    }

    /// Turns "remember on this device" on or off; off also erases the stored copy.
    pub fn set_remembered(&self, on: bool) {
        self.remembered.set(on);
        self.persist();
    }

    /// Forgets every secret, in memory and on the device.
    pub fn forget_all(&self) {
        self.secrets.set(BTreeMap::new());
        self.remembered.set(false);
        self.store.remove(REMEMBERED_KEY);
    }

    fn persist(&self) {
        if self.remembered.get_untracked() {
            let json = self
                .secrets
                .with_untracked(|s| serde_json::to_string(s).unwrap_or_default());
            self.store.save(REMEMBERED_KEY, &json);
        } else {
            self.store.remove(REMEMBERED_KEY);
        }
    }
}

/// Fills an empty secret field with the vault's secret for the merchant typed, whenever
/// the merchant field changes (a merchant used earlier in this tab, or remembered).
pub fn fill_from_vault(
    vault: Vault,
    merchant: RwSignal<String>,
    secret: RwSignal<String>,
    key_of: fn(&str) -> String,
) {
    Effect::new(move |_| {
        let m = merchant.get();
        if secret.get_untracked().is_empty() {
            if let Some(s) = vault.get_untracked(&key_of(m.trim())) {
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
