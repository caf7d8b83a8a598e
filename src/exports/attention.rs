//! "Finished while you were away": a badge in the tab title (full page only: a widget
//! leaves its host's title alone) and, when the person opted in with a button, a desktop
//! notification (Notification API). The badge clears once the tab is looked at again.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::storage::Store;

const TITLE: &str = "Merchant Console";
const BADGED: &str = "(✓) Merchant Console";
const OPT_IN_KEY: &str = "notify-when-finished";

/// This mount's way of getting attention.
#[derive(Clone, Copy)]
pub struct Attention {
    /// The person asked for desktop notifications (and the browser allowed them).
    pub notify: RwSignal<bool>,
    /// Why notifications cannot be had, when asked for and refused.
    pub refused: RwSignal<Option<String>>,
    owns_title: bool,
    store: Store,
}

impl Attention {
    /// Restores the opt-in and clears the badge whenever the tab becomes visible again,
    /// until the owning component is cleaned up.
    pub fn new(store: Store, owns_title: bool) -> Self {
        let opted_in = store.load(OPT_IN_KEY).as_deref() == Some("1") && permission() == "granted";
        let attention = Self {
            notify: RwSignal::new(opted_in),
            refused: RwSignal::new(None),
            owns_title,
            store,
        };
        if owns_title {
            let document = document();
            let on_visible = Closure::<dyn Fn()>::new(move || {
                if !leptos::prelude::document().hidden() {
                    leptos::prelude::document().set_title(TITLE);
                }
            });
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visible.as_ref().unchecked_ref(),
            );
            let on_visible = StoredValue::new_local(Some(on_visible));
            on_cleanup(move || {
                if let Some(Some(f)) = on_visible.try_update_value(|f| f.take()) {
                    let _ = leptos::prelude::document().remove_event_listener_with_callback(
                        "visibilitychange",
                        f.as_ref().unchecked_ref(),
                    );
                }
            });
        }
        attention
    }

    /// Whether the browser offers notifications at all.
    pub fn available() -> bool {
        js_sys::Reflect::has(&window(), &"Notification".into()).unwrap_or(false)
    }

    /// Asks the browser for permission (from a click) and remembers the choice.
    pub fn opt_in(self) {
        if !Self::available() {
            self.refused.set(Some(
                "This browser does not offer desktop notifications.".into(),
            ));
            return;
        }
        let Ok(promise) = web_sys::Notification::request_permission() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
            let granted = answer.ok().and_then(|v| v.as_string()).as_deref() == Some("granted");
            if granted {
                self.store.save(OPT_IN_KEY, "1");
                let _ = self.notify.try_set(true);
                let _ = self.refused.try_set(None);
            } else {
                let _ = self.refused.try_set(Some(
                    "The browser blocked notifications for this page. Allow them in the site settings to be notified.".into(),
                ));
            }
        });
    }

    /// Turns notifications off again.
    pub fn opt_out(self) {
        self.store.remove(OPT_IN_KEY);
        self.notify.set(false);
    }

    /// A request finished: badge the title and notify, but only if nobody is looking.
    pub fn finished(self, text: &str) {
        if !document().hidden() {
            return;
        }
        if self.owns_title {
            document().set_title(BADGED);
        }
        if self.notify.get_untracked() && permission() == "granted" {
            let options = web_sys::NotificationOptions::new();
            options.set_body(text);
            options.set_tag("merchant-console-export");
            let _ = web_sys::Notification::new_with_options(TITLE, &options);
        }
    }
}

fn permission() -> String {
    if !Attention::available() {
        return "unsupported".into();
    }
    match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => "granted".into(),
        web_sys::NotificationPermission::Denied => "denied".into(),
        _ => "default".into(),
    }
}
