//! Merchant Console: the browser app. It performs I/O (HTTP, timers, storage) and draws;
//! every decision lives in `merchant-console-core`.

mod app;
mod auth;
mod config;
mod credentials;
mod exports;
mod history;
mod http;
mod perf;
mod range_picker;
mod save;
mod storage;
mod ui;
mod zone;

use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    let document = leptos::prelude::document();
    // The page provides the mount point; without it there is nothing sensible to draw into.
    let Some(root) = document.get_element_by_id("merchant-console") else {
        web_sys::console::error_1(
            &"Merchant Console: no element with id \"merchant-console\" to mount into".into(),
        );
        return;
    };
    let root: web_sys::HtmlElement = root.unchecked_into();
    // Remove the <noscript> fallback before rendering.
    root.set_inner_html("");
    leptos::mount::mount_to(root, app::App).forget();
    // The shell is in the page and answers input: the start-up benchmark's end point.
    perf::mark("mc-interactive");
}
