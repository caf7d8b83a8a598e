//! Where the app's own files are: the folder `merchant-console.js` was loaded from (set
//! once by `mount::start`), so zone tables and the widget stylesheet resolve there and not
//! against the host page. The same for every mount of the page: it is the script's.

use std::cell::RefCell;

thread_local! {
    /// The script's folder (with a trailing `/`) and its stylesheet's URL.
    static ASSETS: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// Records the script's folder and stylesheet (called once, at start).
pub fn set(base: String, css: String) {
    ASSETS.with(|a| *a.borrow_mut() = (base, css));
}

/// `path` resolved against the folder the app's script came from (`tz/Europe/Berlin`).
pub fn url(path: &str) -> String {
    ASSETS.with(|a| format!("{}{path}", a.borrow().0))
}

/// The stylesheet's URL, for a widget's shadow root.
pub fn stylesheet() -> String {
    ASSETS.with(|a| a.borrow().1.clone())
}
