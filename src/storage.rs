//! localStorage access that never fails loudly: storage can be disabled (private mode,
//! sandboxed iframes) and the app must still work, just without persistence.
//!
//! Each mounted app has its own [`Store`] (provided as context): its keys carry the
//! mount's instance name, so two widgets on one page keep separate forms and queues.

use serde_json::{Map, Value};

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

    /// Reads fields saved by [`Store::save_fields`]; none when absent or unreadable.
    pub fn load_fields(&self, key: &str) -> Fields {
        match self
            .load(key)
            .map(|json| serde_json::from_str::<Value>(&json))
        {
            Some(Ok(Value::Object(map))) => Fields(map),
            _ => Fields::default(),
        }
    }

    /// Saves fields as one JSON object (best effort, like [`Store::save`]).
    pub fn save_fields(&self, key: &str, fields: Fields) {
        if let Ok(json) = serde_json::to_string(&Value::Object(fields.0)) {
            self.save(key, &json);
        }
    }
}

/// A form's saved fields: one flat JSON object of strings and booleans, such as
/// `{"region":"eu","proxy":false,"preset":"last-7-days"}`. Read and written through
/// serde_json's `Value`, which the app has anyway: a derived `Deserialize` and `Serialize`
/// per form struct cost about 8 KB of wasm each.
#[derive(Default)]
pub struct Fields(Map<String, Value>);

impl Fields {
    /// A text field; empty when absent or not text.
    pub fn text(&self, name: &str) -> String {
        self.0
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// A yes/no field; no when absent or not a boolean.
    pub fn flag(&self, name: &str) -> bool {
        self.0.get(name).and_then(Value::as_bool).unwrap_or(false)
    }

    /// The fields with `name` set to `value`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.to_string(), value.into());
        self
    }
}
