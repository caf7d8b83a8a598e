//! One tab drives a mount's export queue. Every tab of the app shares the saved queue
//! (localStorage); if two tabs both drove it, each would create the same exports. The tab
//! holding the mount's Web Lock (`merchant-console:exports-lock`) leads; the others show
//! the queue as the leader saves it, and take over when the leader lets go (its tab closes,
//! or its widget is unmounted and its last create has been answered and saved).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Whether this tab drives the queue. Starts `false` until the lock is granted.
#[derive(Clone, Copy)]
pub struct TabLeader {
    pub leading: RwSignal<bool>,
}

/// Gives the lock back (resolving the promise the lock callback returned).
#[derive(Clone, Default)]
pub struct LockRelease(Rc<RefCell<Option<js_sys::Function>>>);

impl LockRelease {
    /// Releases the lock if held; also makes a grant that arrives later give it back at
    /// once.
    pub fn release(&self) {
        if let Some(resolve) = self.0.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl TabLeader {
    /// Asks for the lock `name`; `on_lead` runs once when this tab becomes the leader,
    /// unless `still_wanted` says the mount has gone meanwhile (then the lock is given
    /// back at once). Without the Web Locks API (old browsers) every tab leads, as before.
    /// The lock is held until [`LockRelease::release`].
    pub fn acquire(
        name: String,
        still_wanted: impl Fn() -> bool + 'static,
        on_lead: impl Fn() + 'static,
    ) -> (Self, LockRelease) {
        let leading = RwSignal::new(false);
        let release = LockRelease::default();
        let slot = release.clone();
        let granted = Closure::once(move |_lock: JsValue| -> js_sys::Promise {
            if !still_wanted() || leading.try_set(true).is_some() {
                // Gone before the lock arrived: give it back at once.
                return js_sys::Promise::resolve(&JsValue::UNDEFINED);
            }
            on_lead();
            js_sys::Promise::new(&mut |resolve, _| {
                *slot.0.borrow_mut() = Some(resolve);
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
        (Self { leading }, release)
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
