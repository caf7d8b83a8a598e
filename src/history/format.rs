//! Display formatting for the purchase history: money and numbers through the browser's
//! `Intl` (so separators and symbols follow the viewer's locale), dates as ISO text.
//! Nothing here computes figures; it only turns them into text.

use std::cell::RefCell;
use std::collections::HashMap;

use jiff::civil::Date;
use merchant_console_core::chart;
use merchant_console_core::purchases::{format_cents, local_time, BucketSize};
use merchant_console_core::zone::Zone;
use merchant_console_core::Millis;
use wasm_bindgen::JsValue;

thread_local! {
    /// `Intl` formatters are costly to build; one per (kind, currency) is kept.
    static FORMATTERS: RefCell<HashMap<String, js_sys::Function>> = RefCell::new(HashMap::new());
}

fn options(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

/// The bound `format` function of an `Intl.NumberFormat` with these options (cached).
fn number_format(key: &str, make: impl FnOnce() -> js_sys::Object) -> js_sys::Function {
    FORMATTERS.with(|f| {
        f.borrow_mut()
            .entry(key.to_string())
            .or_insert_with(|| {
                js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &make()).format()
            })
            .clone()
    })
}

fn call(f: &js_sys::Function, value: JsValue) -> String {
    f.call1(&JsValue::UNDEFINED, &value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Minor units as currency text, exact: the decimal is passed to `Intl` as a string
/// (`"1234.56"`), so no floating point rounding touches the amount, however large.
pub fn money(cents: i128, currency: &str) -> String {
    let f = number_format(&format!("money:{currency}"), || {
        options(&[("style", "currency".into()), ("currency", currency.into())])
    });
    let text = call(&f, JsValue::from_str(&format_cents(cents, false)));
    if text.is_empty() {
        format!("{} {currency}", format_cents(cents, false))
    } else {
        text
    }
}

/// Whole currency units, for axis ticks (`€1,200`); from €100,000 on in the locale's
/// compact form (`€250K`, `€10T`), so a tick label fits the axis however large the data.
pub fn money_whole(cents: i128, currency: &str) -> String {
    if cents % 100 != 0 {
        return money(cents, currency);
    }
    let compact = cents.unsigned_abs() >= 10_000_000;
    let key = format!("money0:{compact}:{currency}");
    let f = number_format(&key, || {
        let mut o = vec![
            ("style", "currency".into()),
            ("currency", currency.into()),
            ("minimumFractionDigits", 0.into()),
            ("maximumFractionDigits", if compact { 1 } else { 0 }.into()),
        ];
        if compact {
            o.push(("notation", "compact".into()));
        }
        options(&o)
    });
    call(&f, JsValue::from_str(&(cents / 100).to_string()))
}

/// A count with the locale's grouping (`12,345`).
pub fn count(n: u64) -> String {
    let f = number_format("count", || options(&[("maximumFractionDigits", 0.into())]));
    let text = call(&f, JsValue::from_str(&n.to_string()));
    if text.is_empty() {
        n.to_string()
    } else {
        text
    }
}

/// A share in 0..=1 as a percentage with one decimal (`62.5%`).
pub fn percent(fraction: f64) -> String {
    format!("{}%", one_decimal(fraction * 100.0))
}

/// A number with one decimal, without pulling in float formatting (`12.3`, `-0.5`).
pub fn one_decimal(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{}",
        tenths.unsigned_abs() / 10,
        tenths.unsigned_abs() % 10
    )
}

/// `num / den` as a CSS percentage with two decimals (`12.34%`), clamped to 0..=100 %
/// (0 when `den <= 0`): the core's integer chart maths.
pub fn css_pct(num: i128, den: i128) -> String {
    chart::css_percent(chart::basis_points(num, den))
}

pub use merchant_console_core::civil::ymd;

/// A bucket's name in words and ISO dates: `2026-03-05`, `Week of 2026-03-02`, `2026-03`.
pub fn bucket_name(label: Date, size: BucketSize) -> String {
    match size {
        BucketSize::Day => ymd(label),
        BucketSize::Week => format!("Week of {}", ymd(label)),
        BucketSize::Month => format!("{:04}-{:02}", label.year(), label.month()),
    }
}

/// A short axis label for a bucket, in the viewer's locale (`Mar 5`, `Mar 2026`).
pub fn axis_date(label: Date, size: BucketSize) -> String {
    let key = match size {
        BucketSize::Month => "date:month",
        _ => "date:day",
    };
    let f = FORMATTERS.with(|f| {
        f.borrow_mut()
            .entry(key.to_string())
            .or_insert_with(|| {
                let o = match size {
                    BucketSize::Month => options(&[
                        ("timeZone", "UTC".into()),
                        ("month", "short".into()),
                        ("year", "numeric".into()),
                    ]),
                    _ => options(&[
                        ("timeZone", "UTC".into()),
                        ("month", "short".into()),
                        ("day", "numeric".into()),
                    ]),
                };
                js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &o).format()
            })
            .clone()
    });
    // The civil date at UTC midnight, printed in UTC: the label never shifts a day.
    let ms = js_sys::Date::utc(f64::from(label.year()), f64::from(label.month() - 1))
        + f64::from(label.day() - 1) * 86_400_000.0;
    let text = call(&f, js_sys::Date::new(&JsValue::from_f64(ms)).into());
    if text.is_empty() {
        bucket_name(label, size)
    } else {
        text
    }
}

/// An instant as `YYYY-MM-DD HH:MM` in `zone` (the zone is named in the column header;
/// an instant the zone's offset would push off the calendar is shown in UTC, marked).
pub fn instant(ms: Millis, zone: &Zone) -> String {
    let Some(t) = local_time(ms, zone) else {
        return String::new();
    };
    let minutes = t.ms_of_day / 60_000;
    let utc = if t.offset_secs != zone.offset_secs(ms) {
        " UTC"
    } else {
        ""
    };
    format!(
        "{} {:02}:{:02}{utc}",
        ymd(t.date),
        minutes / 60,
        minutes % 60
    )
}

/// Optional instant; empty text for `None`.
pub fn instant_opt(ms: Option<Millis>, zone: &Zone) -> String {
    ms.map(|ms| instant(ms, zone)).unwrap_or_default()
}

/// "1 purchase" / "3 purchases".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// A sales or payment model as shown: the API's text, or "(not given)" when it sent none
/// (a missing, empty or non-text value).
pub fn model(key: &str) -> &str {
    if key.trim().is_empty() {
        "(not given)"
    } else {
        key
    }
}

/// API text for a sentence (a caption, a summary): at most 80 characters, an ellipsis
/// marking the cut. Lists, tables and tooltips show the whole text.
pub fn short(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Text from the API for element content: escaped and isolated (`<bdi>`), so
/// right-to-left or direction-override characters cannot reorder the text around it.
pub fn api_text(text: &str) -> String {
    format!("<bdi>{}</bdi>", esc(text))
}

/// Text made safe for HTML element content and attribute values (API strings such as
/// titles and URLs are untrusted). Tested natively in the core.
pub use merchant_console_core::html::escape as esc;
