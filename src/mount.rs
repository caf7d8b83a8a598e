//! Where the app is drawn:
//! - the full page's `#merchant-console` (light DOM, the page's own stylesheet);
//! - every `[data-merchant-console]` element of a host page, each in its own shadow root
//!   with its own stylesheet, so neither page's CSS reaches the other;
//! - any element handed to the exported `mount(element, config)`.
//!
//! `merchant-console.js` (written at build time by `merchant-console-postbuild`) calls
//! [`start`] with the folder it was loaded from, so assets resolve there and not against
//! the host page.

use std::cell::RefCell;

use leptos::prelude::*;
use merchant_console_core::embed::{EmbedConfig, Theme};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::App;
use crate::mounted::Mounted;

thread_local! {
    /// How many widgets were mounted, for default instance names.
    static WIDGETS: RefCell<usize> = const { RefCell::new(0) };
}

/// Called once by the loader: mounts the full page and every `[data-merchant-console]`.
#[wasm_bindgen]
pub fn start(base: String, css: String) {
    crate::assets::set(base, css);
    let document = document();
    if let Some(page) = document.get_element_by_id("merchant-console") {
        mount_page(page);
    }
    if let Ok(found) = document.query_selector_all("[data-merchant-console]") {
        for i in 0..found.length() {
            let Some(el) = found
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let embed = EmbedConfig::read(|name| attribute(&el, name));
            match mount_shadow(&el, embed) {
                // Auto-mounted widgets live as long as the page.
                Ok(handle) => std::mem::forget(handle),
                Err(why) => console_error(&why),
            }
        }
    }
    // The app is in the page and answers input: the start-up benchmark's end point.
    crate::perf::mark("mc-interactive");
}

/// A mounted widget; `unmount()` removes it (and stops its timers).
#[wasm_bindgen]
pub struct WidgetHandle {
    view: Option<Box<dyn std::any::Any>>,
    host: web_sys::Element,
}

#[wasm_bindgen]
impl WidgetHandle {
    pub fn unmount(&mut self) {
        drop(self.view.take());
        if let Some(shadow) = self.host.shadow_root() {
            shadow.set_inner_html("");
        }
    }
}

/// `mount(element, config)` for hosts that build the configuration in JavaScript. Keys
/// are the attribute names in camelCase (`merchantId`, `timeZone` ...); values are strings,
/// booleans or (for `sections`) arrays.
#[wasm_bindgen]
pub fn mount_widget(element: web_sys::Element, config: JsValue) -> Result<WidgetHandle, JsError> {
    let embed = EmbedConfig::read(|name| js_setting(&config, name));
    mount_shadow(&element, embed).map_err(|why| JsError::new(&why))
}

/// The full page: drawn straight into `#merchant-console`, styled by the page's link.
fn mount_page(el: web_sys::Element) {
    let embed = EmbedConfig::read(|name| attribute(&el, name));
    warn_ignored(&embed);
    set_theme(
        &document().document_element().unwrap_or(el.clone()),
        embed.theme,
    );
    el.set_inner_html(""); // the <noscript> fallback
    let mounted = Mounted {
        embed,
        is_widget: false,
    };
    let el: web_sys::HtmlElement = el.unchecked_into();
    crate::csp_styles::watch(&el);
    leptos::mount::mount_to(el, move || view! { <App mounted=mounted.clone() /> }).forget();
}

/// A widget: a shadow root holding the stylesheet and the app.
fn mount_shadow(host: &web_sys::Element, mut embed: EmbedConfig) -> Result<WidgetHandle, String> {
    // An emptied shadow root (after `unmount()`) is reused; a busy one is refused.
    let existing = host.shadow_root();
    if existing.as_ref().is_some_and(|s| s.first_child().is_some()) {
        return Err(
            "this element already holds a Merchant Console (or another shadow root)".into(),
        );
    }
    warn_ignored(&embed);
    if embed.instance.is_empty() {
        let n = WIDGETS.with(|w| {
            let mut w = w.borrow_mut();
            *w += 1;
            *w
        });
        embed.instance = match host.id() {
            id if !id.is_empty() => id,
            _ => format!("widget-{n}"),
        };
        embed
            .instance
            .retain(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    }
    let shadow = match existing {
        Some(shadow) => shadow,
        None => host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .map_err(|_| "this element cannot hold a shadow root (use a <div>)".to_string())?,
    };
    set_theme(host, embed.theme);
    let document = document();
    let link = document
        .create_element("link")
        .map_err(|_| "cannot create the stylesheet link".to_string())?;
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", &crate::assets::stylesheet());
    let container: web_sys::HtmlElement = document
        .create_element("div")
        .map_err(|_| "cannot create the widget container".to_string())?
        .unchecked_into();
    container.set_class_name("mc-widget");
    let _ = shadow.append_child(&link);
    let _ = shadow.append_child(&container);
    crate::csp_styles::watch(&container);
    let mounted = Mounted {
        embed,
        is_widget: true,
    };
    let handle =
        leptos::mount::mount_to(container, move || view! { <App mounted=mounted.clone() /> });
    Ok(WidgetHandle {
        view: Some(Box::new(handle)),
        host: host.clone(),
    })
}

/// `data-<name>`; a bare boolean attribute (`data-compact`) reads as `"true"`.
fn attribute(el: &web_sys::Element, name: &str) -> Option<String> {
    let value = el.get_attribute(&format!("data-{name}"))?;
    Some(if value.is_empty() && name == "compact" {
        "true".to_string()
    } else {
        value
    })
}

/// A `mount()` config entry: `merchant-id` is looked up as `merchantId`.
fn js_setting(config: &JsValue, name: &str) -> Option<String> {
    if !config.is_object() {
        return None;
    }
    let mut key = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match (c, upper) {
            ('-', _) => upper = true,
            (c, true) => {
                key.push(c.to_ascii_uppercase());
                upper = false;
            }
            (c, false) => key.push(c),
        }
    }
    let value = js_sys::Reflect::get(config, &key.into()).ok()?;
    if let Some(s) = value.as_string() {
        Some(s)
    } else if let Some(b) = value.as_bool() {
        b.then(|| "true".to_string())
    } else if value.as_f64().is_some() {
        // JavaScript prints the number (Rust's float printer is KB of wasm).
        js_sys::Number::from(value)
            .to_string_with_radix(10)
            .ok()
            .map(String::from)
    } else if js_sys::Array::is_array(&value) {
        let parts: Vec<String> = js_sys::Array::from(&value)
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        Some(parts.join(","))
    } else {
        None
    }
}

/// `data-theme` on the element that carries the theme variables (`:host` or `:root`).
fn set_theme(el: &web_sys::Element, theme: Theme) {
    if theme != Theme::Auto {
        let _ = el.set_attribute("data-theme", theme.id());
    }
}

fn warn_ignored(embed: &EmbedConfig) {
    for w in &embed.warnings {
        web_sys::console::warn_1(&format!("Merchant Console: ignored {w}").into());
    }
}

fn console_error(text: &str) {
    web_sys::console::error_1(&format!("Merchant Console: {text}").into());
}
