//! localStorage access that never fails loudly: storage can be disabled (private mode,
//! sandboxed iframes) and the app must still work, just without persistence.
//!
//! Each mounted app has its own [`Store`] (provided as context): its keys carry the
//! mount's instance name, so two widgets on one page keep separate forms and queues.

/// The saved state of one mounted app.
#[derive(Clone, Copy, Debug)]
pub struct Store {
    /// `merchant-console:` for the full page, `merchant-console:<instance>:` for widgets.
    prefix: &'static str,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Store {
    /// The store of the mount named `instance` (empty for the full page, whose keys keep
    /// their original names).
    pub fn new(instance: &str) -> Self {
        let prefix = if instance.is_empty() {
            "merchant-console:".to_string()
        } else {
            format!("merchant-console:{instance}:")
        };
        // One short string per mount, alive as long as the page.
        Self {
            prefix: Box::leak(prefix.into_boxed_str()),
        }
    }

    /// The localStorage key under which [`Store::save`] stores `key` (for `storage`
    /// events and lock names).
    pub fn full_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Reads a value saved by [`Store::save`]; `None` when absent or storage is off.
    pub fn load(&self, key: &str) -> Option<String> {
        local_storage()?
            .get_item(&self.full_key(key))
            .ok()
            .flatten()
    }

    /// Saves a value; silently does nothing when storage is unavailable or full.
    pub fn save(&self, key: &str, value: &str) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(&self.full_key(key), value);
        }
    }

    /// Removes a value saved by [`Store::save`].
    pub fn remove(&self, key: &str) {
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(&self.full_key(key));
        }
    }

    /// Reads a JSON value saved by [`Store::save_json`]; the default when absent or
    /// unreadable.
    pub fn load_json<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> T {
        self.load(key)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    /// Saves a value as JSON (best effort, like [`Store::save`]).
    pub fn save_json<T: serde::Serialize>(&self, key: &str, value: &T) {
        if let Ok(json) = serde_json::to_string(value) {
            self.save(key, &json);
        }
    }
}
