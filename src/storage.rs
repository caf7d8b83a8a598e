//! localStorage access that never fails loudly: storage can be disabled (private mode,
//! sandboxed iframes) and the app must still work, just without persistence.

const PREFIX: &str = "merchant-console:";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The localStorage key under which [`save`] stores `key` (for `storage` events).
pub fn full_key(key: &str) -> String {
    format!("{PREFIX}{key}")
}

/// Reads a value saved by [`save`]; `None` when absent or storage is unavailable.
pub fn load(key: &str) -> Option<String> {
    local_storage()?
        .get_item(&format!("{PREFIX}{key}"))
        .ok()
        .flatten()
}

/// Saves a value; silently does nothing when storage is unavailable or full.
pub fn save(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(&format!("{PREFIX}{key}"), value);
    }
}

/// Removes a value saved by [`save`].
pub fn remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&format!("{PREFIX}{key}"));
    }
}

/// Reads a JSON value saved by [`save_json`]; the default when absent or unreadable.
pub fn load_json<T: serde::de::DeserializeOwned + Default>(key: &str) -> T {
    load(key)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Saves a value as JSON (best effort, like [`save`]).
pub fn save_json<T: serde::Serialize>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        save(key, &json);
    }
}
