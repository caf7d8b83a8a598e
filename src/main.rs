//! Merchant Console: the browser app. It performs I/O (HTTP, timers, storage) and draws;
//! every decision lives in `merchant-console-core`.
//!
//! Nothing is drawn from `main`: the loader script (`merchant-console.js`) calls
//! `mount::start` with the folder it was loaded from, and hosts may call `mount`.

mod app;
mod assets;
mod auth;
mod config;
mod credentials;
mod csp_styles;
mod dom;
mod driver;
mod exports;
mod history;
mod http;
mod mount;
mod mounted;
mod perf;
mod range_picker;
mod save;
mod shortcuts;
mod storage;
mod ui;
mod view;
mod zone;

fn main() {
    console_error_panic_hook::set_once();
}
