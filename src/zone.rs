//! The time zone choice: UTC or the local zone, always explicit on screen. The local zone
//! is the one the host configured (`data-time-zone`), else the browser's own.
//!
//! The wasm carries no zone database and no zone-rule reader. At start the app fetches
//! the local zone's offset table from `tz/<Area/City>` beside its script (written by the
//! `merchant-console-postbuild` build tool, see `merchant_console_core::zone`) and keeps
//! it here; until it has arrived, or if it cannot be had, only UTC is offered. One local
//! zone per page: the first mount decides.

use std::cell::RefCell;

use leptos::prelude::*;
use merchant_console_core::embed::is_zone_name;
use merchant_console_core::zone::Zone;

thread_local! {
    /// The loaded browser zone: its name and rules.
    static BROWSER_ZONE: RefCell<Option<Zone>> = const { RefCell::new(None) };
    /// Set once the browser zone is usable, so pickers can offer it and re-resolve.
    static READY: RefCell<Option<RwSignal<Option<String>>>> = const { RefCell::new(None) };
    /// Set once loading the local zone is over, whether it arrived or not.
    static SETTLED: RefCell<Option<RwSignal<bool>>> = const { RefCell::new(None) };
}

/// The IANA name of the browser's zone (`Europe/Berlin`), from `Intl.DateTimeFormat`.
pub fn browser_zone_name() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

/// Starts loading the local zone: `preferred`, else the browser's. Later calls (a second
/// widget) find it chosen already. UTC needs nothing.
pub fn init(preferred: Option<String>) {
    if READY.with(|r| r.borrow().is_some()) {
        return;
    }
    // Owned by no component: the zone outlives any one widget being unmounted.
    // (`new_root` makes itself the current owner; the caller's is restored after.)
    let caller = Owner::current();
    let owner = Owner::new_root(None);
    let ready = RwSignal::new(None);
    let settled = RwSignal::new(false);
    std::mem::forget(owner);
    if let Some(caller) = caller {
        caller.set();
    }
    READY.with(|r| *r.borrow_mut() = Some(ready));
    SETTLED.with(|s| *s.borrow_mut() = Some(settled));
    let Some(name) = preferred
        .or_else(browser_zone_name)
        .filter(|n| n != "UTC" && is_zone_name(n))
    else {
        settled.set(true);
        return;
    };
    leptos::task::spawn_local(async move {
        match fetch_zone(&name).await {
            Ok(zone) => {
                BROWSER_ZONE.with(|z| *z.borrow_mut() = Some(zone));
                ready.set(Some(name));
            }
            Err(why) => web_sys::console::warn_1(
                &format!(
                    "Merchant Console: time zone {name} unavailable ({why}); only UTC is offered"
                )
                .into(),
            ),
        }
        settled.set(true);
    });
}

async fn fetch_zone(name: &str) -> Result<Zone, String> {
    let response = gloo_net::http::Request::get(&crate::assets::url(&format!("tz/{name}")))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    Zone::from_table(name, &text).ok_or_else(|| "not a zone table".to_string())
}

/// The local zone's name once its rules are loaded (tracked: re-runs readers on load).
pub fn loaded_browser_zone() -> Option<String> {
    READY.with(|r| r.borrow().as_ref().and_then(|s| s.get()))
}

/// Whether loading the local zone is over (tracked), so work that needs the chosen zone
/// (a link's view loading by itself) does not start in UTC by mistake.
pub fn settled() -> bool {
    SETTLED.with(|s| s.borrow().as_ref().is_some_and(|s| s.get()))
}

/// Resolves a zone name; anything not loaded falls back to UTC, which the UI then names.
pub fn zone_by_name(name: &str) -> Zone {
    let loaded = loaded_browser_zone();
    if loaded.as_deref() == Some(name) {
        if let Some(found) = BROWSER_ZONE.with(|z| z.borrow().clone()) {
            return found;
        }
    }
    Zone::utc()
}

/// Current time in epoch milliseconds (the only clock read in the app's logic path).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
