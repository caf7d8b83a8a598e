//! Inline styles without `style="…"`: a strict Content-Security-Policy (`style-src 'self'`)
//! refuses style attributes in markup, but not styles set through the CSSOM. Chart markup
//! carries its computed positions and widths as `data-css="left:12.5%"`; an observer on the
//! mount root copies them into `element.style` whenever markup is (re)drawn, before the
//! browser paints.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Applies `data-css` under `root` now and after every change below it.
pub fn watch(root: &web_sys::HtmlElement) {
    let target = root.clone();
    let on_change = Closure::<dyn Fn()>::new(move || apply(&target));
    let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) else {
        return;
    };
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    options.set_attribute_filter(&js_sys::Array::of1(&"data-css".into()));
    if observer.observe_with_options(root, &options).is_ok() {
        // Observer and callback live as long as the root; the page drops both with it.
        on_change.forget();
    }
}

fn apply(root: &web_sys::HtmlElement) {
    let Ok(found) = root.query_selector_all("[data-css]") else {
        return;
    };
    for i in 0..found.length() {
        let Some(el) = found.item(i) else { continue };
        let Some(css) = el
            .dyn_ref::<web_sys::Element>()
            .and_then(|e| e.get_attribute("data-css"))
        else {
            continue;
        };
        // HTML and SVG elements both have `style` (ElementCSSInlineStyle).
        if let Ok(style) = js_sys::Reflect::get(&el, &"style".into()) {
            if style.is_object() {
                let _ = js_sys::Reflect::set(&style, &"cssText".into(), &css.into());
            }
        }
    }
}
