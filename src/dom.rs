//! Finding elements inside the app's own tree. A widget lives in a shadow root, where
//! `document.getElementById` and `document.activeElement` do not reach (and two widgets
//! on one page reuse the same ids), so lookups start from the node an event came from.

use wasm_bindgen::{JsCast, JsValue};

/// The document or shadow root that `target` lives in.
pub fn root_of(target: Option<web_sys::EventTarget>) -> Option<web_sys::Node> {
    let node = target?.dyn_into::<web_sys::Node>().ok()?;
    Some(node.get_root_node())
}

/// `root.getElementById(id)`: both `Document` and `ShadowRoot` have it.
pub fn by_id(root: &web_sys::Node, id: &str) -> Option<web_sys::Element> {
    call1(root, "getElementById", &id.into())?.dyn_into().ok()
}

/// The focused element within `root` (inside a shadow root, not its host).
pub fn active_element(root: &web_sys::Node) -> Option<web_sys::Element> {
    js_sys::Reflect::get(root, &"activeElement".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// Focuses the element with this id in `root` (HTML or SVG), if present.
pub fn focus_id(root: &web_sys::Node, id: &str) {
    if let Some(el) = by_id(root, id) {
        call0(&el, "focus");
    }
}

/// Focuses an element once the markup it lives in has been redrawn, so a keyboard user
/// keeps their place after pressing a button inside redrawn markup.
pub fn refocus(root: Option<web_sys::Node>, id: String) {
    if let (Some(root), false) = (root, id.is_empty()) {
        gloo_timers::callback::Timeout::new(0, move || focus_id(&root, &id)).forget();
    }
}

/// `el.method()` (methods web-sys would need a binding each for, such as `showModal`).
pub fn call0(el: &JsValue, method: &str) {
    let _ = call1(el, method, &JsValue::UNDEFINED);
}

/// Whether the property `name` of `el` is truthy (`dialog.open`).
pub fn is_set(el: &JsValue, name: &str) -> bool {
    js_sys::Reflect::get(el, &name.into()).is_ok_and(|v| v.is_truthy())
}

fn call1(this: &JsValue, method: &str, arg: &JsValue) -> Option<JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(this, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    f.call1(this, arg)
        .ok()
        .filter(|v| !v.is_null() && !v.is_undefined())
}
