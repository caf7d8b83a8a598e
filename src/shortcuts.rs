//! Range shortcuts on both forms (the core's `range::shortcut_for` says what a key means)
//! and the `?` help dialog that lists them.
//!
//! Keys count only when nobody is typing (not in an input, select, text area or editable
//! text, no Ctrl/Alt/Meta) and nothing else used the key already (the tab list and the
//! chart bars use the arrow keys themselves).

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use merchant_console_core::embed::Section;
use merchant_console_core::html::escape;
use merchant_console_core::range::{
    local_date, shortcut_for, step, Modifiers, Preset, Shortcut, Step, SHORTCUTS,
};
use wasm_bindgen::JsCast;

use crate::dom;
use crate::driver::Driver;
use crate::view::View;
use crate::zone::{now_ms, zone_by_name};

/// Whether the key went to something that takes typing.
fn typing(ev: &KeyboardEvent) -> bool {
    // In a widget the event's target is the shadow host; the path starts inside.
    ev.composed_path()
        .get(0)
        .dyn_into::<web_sys::Element>()
        .ok()
        .and_then(|el| {
            el.closest("input,select,textarea,[contenteditable]:not([contenteditable=false])")
                .ok()
                .flatten()
        })
        .is_some()
}

const DIALOG_ID: &str = "mc-help";

/// The help dialog of the mount that `target` belongs to.
fn dialog_of(target: Option<web_sys::EventTarget>) -> Option<(web_sys::Node, web_sys::Element)> {
    let root = dom::root_of(target)?;
    let dialog = dom::by_id(&root, DIALOG_ID)?;
    Some((root, dialog))
}

/// Opens the help dialog as a modal (the page behind is inert) with the focus on its
/// Close button. The browser closes it on Escape and then puts the focus back where it
/// was (the dialog focusing steps of `showModal`).
fn open_help(target: Option<web_sys::EventTarget>) {
    let Some((root, dialog)) = dialog_of(target) else {
        return;
    };
    if !dom::is_set(&dialog, "open") {
        dom::call0(&dialog, "showModal");
        dom::focus_id(&root, "mc-help-close");
    }
}

/// Clicks on `data-help` buttons: the header's opens the dialog, the dialog's closes it.
pub fn on_click(ev: &MouseEvent) {
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-help]").ok().flatten())
    else {
        return;
    };
    if button.get_attribute("data-help").as_deref() == Some("open") {
        open_help(ev.target());
    } else if let Some((_, dialog)) = dialog_of(ev.target()) {
        dom::call0(&dialog, "close");
    }
}

/// The dialog's contents: title, the list of shortcuts, a Close button (markup, which
/// costs far less wasm than a view per element).
pub fn help_markup() -> String {
    let mut out = String::from(
        r#"<h2 id="mc-help-title">Keyboard shortcuts</h2><p>For the time range of the open form, while you are not typing in a field:</p><dl class="mc-help-keys">"#,
    );
    for (key, what) in SHORTCUTS {
        out.push_str("<dt><kbd>");
        out.push_str(&escape(key));
        out.push_str("</kbd></dt><dd>");
        out.push_str(&escape(what));
        out.push_str("</dd>");
    }
    out.push_str(r#"</dl><button type="button" id="mc-help-close" class="mc-secondary" data-help="close">Close</button>"#);
    out
}

/// Handles a key press for the mount (one copy: it is called from two listeners): a range shortcut on the open section's form, or `?`.
#[inline(never)]
pub fn on_key(ev: &KeyboardEvent, view: View, driver: Driver) {
    if ev.default_prevented() || typing(ev) {
        return;
    }
    // The dialog is modal: while it is open, keys are its own (Escape closes it).
    if dialog_of(ev.target()).is_some_and(|(_, d)| dom::is_set(&d, "open")) {
        return;
    }
    let mods = Modifiers {
        ctrl: ev.ctrl_key(),
        alt: ev.alt_key(),
        meta: ev.meta_key(),
        shift: ev.shift_key(),
    };
    let Some(shortcut) = shortcut_for(&ev.key(), mods) else {
        return;
    };
    ev.prevent_default();
    let range = view.open_range();
    let picked = match shortcut {
        Shortcut::Help => {
            open_help(ev.target());
            return;
        }
        Shortcut::Range(p) => Some(p),
        Shortcut::Previous | Shortcut::Next => range.preset_value().and_then(|current| {
            let tz = zone_by_name(&range.zone.get_untracked());
            let today = local_date(now_ms(), &tz).ok()?;
            let dir = if shortcut == Shortcut::Next {
                Step::Next
            } else {
                Step::Previous
            };
            step(&current, dir, today)
        }),
    };
    let Some(preset) = picked else {
        driver.announce.set(if shortcut == Shortcut::Next {
            "No later period: the time range reaches today.".to_string()
        } else {
            "No earlier period for this time range.".to_string()
        });
        return;
    };
    let changed = range.preset_value() != Some(preset);
    range.set_preset(preset);
    let what = match preset {
        Preset::Custom(r) => r.to_string(),
        p => p.label().to_string(),
    };
    let history = view.section.get_untracked() == Section::History;
    let reload = history && changed && driver.history.has_request();
    if reload {
        // A new range gets its own automatic period per bar.
        view.choose_bucket(None);
        view.load_wanted.set(true);
    }
    driver.announce.set(format!(
        "Time range: {what}{}",
        if reload { ". Loading purchases." } else { "." }
    ));
}
