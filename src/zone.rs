//! The time zone choice: UTC or the browser's own zone, always explicit on screen.

use jiff::tz::TimeZone;

/// The IANA name of the browser's zone (`Europe/Berlin`), from `Intl.DateTimeFormat`.
pub fn browser_zone_name() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}

/// Resolves a zone name; anything unknown falls back to UTC, which the UI then names.
pub fn zone_by_name(name: &str) -> (TimeZone, String) {
    if name == "UTC" {
        return (TimeZone::UTC, "UTC".to_string());
    }
    match TimeZone::get(name) {
        Ok(tz) => (tz, name.to_string()),
        Err(_) => (TimeZone::UTC, "UTC".to_string()),
    }
}

/// Current time in epoch milliseconds (the only clock read in the app's logic path).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
