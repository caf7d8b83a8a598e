//! One tab drives the export queue. Every tab of the app shares the saved queue
//! (localStorage); if two tabs both drove it, each would create the same exports. The tab
//! holding the Web Lock `merchant-console-exports` leads; the others show the queue as the
//! leader saves it, and take over when the leader's tab closes (the lock is released).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const LOCK_NAME: &str = "merchant-console-exports";

/// Whether this tab drives the queue. Starts `false` until the lock is granted.
#[derive(Clone, Copy)]
pub struct TabLeader {
    pub leading: RwSignal<bool>,
}

impl TabLeader {
    /// Asks for the lock; `on_lead` runs once when this tab becomes the leader. Without the
    /// Web Locks API (old browsers) every tab leads, as before.
    pub fn acquire(on_lead: impl Fn() + 'static) -> Self {
        let leading = RwSignal::new(false);
        let granted = Closure::once(move |_lock: JsValue| -> js_sys::Promise {
            leading.set(true);
            on_lead();
            // Never settles: the lock is held until the tab goes away.
            js_sys::Promise::new(&mut |_, _| {})
        });
        let requested = locks().and_then(|locks| {
            let request: js_sys::Function = js_sys::Reflect::get(&locks, &"request".into())
                .ok()?
                .dyn_into()
                .ok()?;
            request
                .call2(&locks, &LOCK_NAME.into(), granted.as_ref().unchecked_ref())
                .ok()
        });
        if requested.is_some() {
            granted.forget(); // called by the browser later
        } else {
            leading.set(true);
        }
        Self { leading }
    }
}

fn locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| !l.is_undefined() && !l.is_null())
}

/// Calls `on_change` with the new value whenever another tab writes `key` to storage.
pub fn on_storage_change(key: String, on_change: impl Fn(String) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener =
        Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |ev: web_sys::StorageEvent| {
            if ev.key().as_deref() == Some(key.as_str()) {
                if let Some(value) = ev.new_value() {
                    on_change(value);
                }
            }
        });
    let _ = window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
    listener.forget(); // lives as long as the page
}
