//! The time zone choice: UTC or the browser's own zone, always explicit on screen.
//!
//! The wasm carries no zone database. At start the app fetches the browser zone's TZif
//! file from `tz/<Area/City>` beside the page (written by the `merchant-console-tzfiles`
//! build tool) and keeps it here; until it has arrived, or if it cannot be had, only UTC
//! is offered.

use std::cell::RefCell;

use jiff::tz::TimeZone;
use leptos::prelude::*;

thread_local! {
    /// The loaded browser zone: its name and rules.
    static BROWSER_ZONE: RefCell<Option<(String, TimeZone)>> = const { RefCell::new(None) };
    /// Set once the browser zone is usable, so pickers can offer it and re-resolve.
    static READY: RefCell<Option<RwSignal<Option<String>>>> = const { RefCell::new(None) };
}

/// The IANA name of the browser's zone (`Europe/Berlin`), from `Intl.DateTimeFormat`.
pub fn browser_zone_name() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

/// Starts loading the browser zone (call once at start). UTC browsers need nothing.
pub fn init() {
    let ready = RwSignal::new(None);
    READY.with(|r| *r.borrow_mut() = Some(ready));
    let Some(name) = browser_zone_name().filter(|n| n != "UTC" && is_zone_name(n)) else {
        return;
    };
    leptos::task::spawn_local(async move {
        match fetch_zone(&name).await {
            Ok(tz) => {
                BROWSER_ZONE.with(|z| *z.borrow_mut() = Some((name.clone(), tz)));
                ready.set(Some(name));
            }
            Err(why) => web_sys::console::warn_1(
                &format!(
                    "Merchant Console: time zone {name} unavailable ({why}); only UTC is offered"
                )
                .into(),
            ),
        }
    });
}

async fn fetch_zone(name: &str) -> Result<TimeZone, String> {
    let response = gloo_net::http::Request::get(&format!("tz/{name}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let bytes = response.binary().await.map_err(|e| e.to_string())?;
    // jiff's error text is not worth its wasm size here; the cause is always the file.
    TimeZone::tzif(name, &bytes).map_err(|_| "not a valid TZif file".to_string())
}

/// IANA names only: letters, digits, `_ + -` and `/` between parts (never `..`).
fn is_zone_name(name: &str) -> bool {
    name.split('/').all(|part| {
        !part.is_empty()
            && part != ".."
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
    })
}

/// The browser zone's name once its rules are loaded (tracked: re-runs readers on load).
pub fn loaded_browser_zone() -> Option<String> {
    READY.with(|r| r.borrow().as_ref().and_then(|s| s.get()))
}

/// Resolves a zone name; anything not loaded falls back to UTC, which the UI then names.
pub fn zone_by_name(name: &str) -> (TimeZone, String) {
    let loaded = loaded_browser_zone();
    if loaded.as_deref() == Some(name) {
        if let Some(found) = BROWSER_ZONE.with(|z| z.borrow().clone()) {
            return (found.1, found.0);
        }
    }
    (TimeZone::UTC, "UTC".to_string())
}

/// Current time in epoch milliseconds (the only clock read in the app's logic path).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
