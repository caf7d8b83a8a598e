//! One tab drives the export queue. Every tab of the app shares the saved queue
//! (localStorage); if two tabs both drove it, each would create the same exports. The tab
//! holding the mount's Web Lock (`merchant-console:exports-lock`) leads; the others show the queue as the
//! leader saves it, and take over when the leader's tab closes (the lock is released).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Whether this tab drives the queue. Starts `false` until the lock is granted.
#[derive(Clone, Copy)]
pub struct TabLeader {
    pub leading: RwSignal<bool>,
}

impl TabLeader {
    /// Asks for the lock `name`; `on_lead` runs once when this tab becomes the leader.
    /// Without the Web Locks API (old browsers) every tab leads, as before. The lock is
    /// released when the owning component is cleaned up (a widget unmounted).
    pub fn acquire(name: String, on_lead: impl Fn() + 'static) -> Self {
        let leading = RwSignal::new(false);
        // Resolving this releases the lock; kept until cleanup.
        let release = StoredValue::new_local(None::<js_sys::Function>);
        let granted = Closure::once(move |_lock: JsValue| -> js_sys::Promise {
            if leading.try_set(true).is_some() {
                // Cleaned up before the lock arrived: give it back at once.
                return js_sys::Promise::resolve(&JsValue::UNDEFINED);
            }
            on_lead();
            js_sys::Promise::new(&mut |resolve, _| {
                release.set_value(Some(resolve));
            })
        });
        let requested = locks().and_then(|locks| {
            let request: js_sys::Function = js_sys::Reflect::get(&locks, &"request".into())
                .ok()?
                .dyn_into()
                .ok()?;
            request
                .call2(&locks, &name.into(), granted.as_ref().unchecked_ref())
                .ok()
        });
        if requested.is_some() {
            granted.forget(); // called by the browser later
        } else {
            leading.set(true);
        }
        on_cleanup(move || {
            if let Some(Some(resolve)) = release.try_get_value() {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        });
        Self { leading }
    }
}

fn locks() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| !l.is_undefined() && !l.is_null())
}

/// Calls `on_change` with the new value whenever another tab writes `key` to storage,
/// until the owning component is cleaned up.
pub fn on_storage_change(key: String, on_change: impl Fn(String) + 'static) {
    let handle = window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
        if ev.key().as_deref() == Some(key.as_str()) {
            if let Some(value) = ev.new_value() {
                on_change(value);
            }
        }
    });
    on_cleanup(move || handle.remove());
}
