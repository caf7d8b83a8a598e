//! Hand-written SVG charts (no chart library: the whole app must stay small).
//!
//! Each chart is written as markup text from the core's `Summary` and drawn into a
//! reactive region (see `super::Region`); buttons inside carry `data-act` and are handled
//! by one delegated listener on the dashboard. This keeps the wasm small: Leptos views
//! cost code per element type, text costs almost nothing. Every string from the API goes
//! through [`format::esc`].
//!
//! Shared here: the colour-blind-safe Okabe–Ito palette with a fill pattern per series, so
//! series differ by more than colour; toggles and data-table twins. Scales, ticks and
//! bar geometry are the core's (`merchant_console_core::chart`): the views only print
//! the coordinates it returns.

pub mod items;
pub mod revenue;
pub mod share;

use std::fmt::Write as _;

use wasm_bindgen::JsCast;

use super::format::{self, esc};

/// Okabe–Ito colours, darkest first so the largest series reads well on light and dark.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
];

/// Marks drawn over each colour (series 0 is plain): stripes, dots, lines, cross-hatch.
const MARKS: [&str; 8] = [
    "",
    r##"<path d="M-1,7 L7,-1 M5,9 L9,5" stroke="#000" stroke-opacity=".45" stroke-width="1.2"/>"##,
    r##"<circle cx="4" cy="4" r="1.4" fill="#000" fill-opacity=".5"/>"##,
    r##"<path d="M0,4 L8,4" stroke="#000" stroke-opacity=".45" stroke-width="1.2"/>"##,
    r##"<path d="M-1,7 L7,-1 M5,9 L9,5 M-1,1 L7,9 M1,-1 L9,7" stroke="#000" stroke-opacity=".45"/>"##,
    r##"<path d="M4,0 L4,8" stroke="#000" stroke-opacity=".45" stroke-width="1.2"/>"##,
    r##"<path d="M-1,1 L7,9 M1,-1 L9,7" stroke="#000" stroke-opacity=".45" stroke-width="1.2"/>"##,
    r##"<rect x="2" y="2" width="3" height="3" fill="#000" fill-opacity=".4"/>"##,
];

/// SVG fill of series `i`: its colour plus its pattern.
pub fn fill(i: usize) -> String {
    format!("url(#mc-hp-{})", i % PALETTE.len())
}

/// Pattern definitions for the revenue plot, drawn once per dashboard. The plot's viewBox
/// is stretched about tenfold, so the 8-unit tiles are scaled up to stay about 8 px wide.
/// HTML keys and bars use the matching CSS classes `mc-s0`..`mc-s7` instead.
pub fn defs_markup() -> String {
    let mut s = String::from(
        r#"<svg class="mc-chart-defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>"#,
    );
    for (i, colour) in PALETTE.iter().enumerate() {
        let _ = write!(
            s,
            r#"<pattern id="mc-hp-{i}" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="scale(10 12)"><rect width="8" height="8" fill="{colour}"/>{}</pattern>"#,
            MARKS[i]
        );
    }
    s.push_str(
        r##"<pattern id="mc-hp-partial" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="scale(10 12)"><rect width="8" height="8" fill="#fff" fill-opacity=".35"/><path d="M-1,7 L7,-1 M5,9 L9,5" stroke="#000" stroke-opacity=".6" stroke-width="1.5"/></pattern></defs></svg>"##,
    );
    s
}

/// A small key square in series `i`'s colour and pattern (CSS class `mc-s<i>`).
pub fn swatch(i: usize) -> String {
    format!(
        r#"<span class="mc-swatch mc-s{}" aria-hidden="true"></span>"#,
        i % PALETTE.len()
    )
}

/// The partial-period hatch as a key square.
pub const PARTIAL_SWATCH: &str =
    r#"<span class="mc-swatch mc-s-partial" aria-hidden="true"></span>"#;

/// The dashed previous-period line as a key square.
pub const PREVIOUS_SWATCH: &str = r#"<span class="mc-swatch mc-s-prev" aria-hidden="true"></span>"#;

/// A button handled by the dashboard's delegated click listener: `act` names the action,
/// `value` its argument; the id lets focus come back after the markup is redrawn.
pub fn button(
    id: &str,
    act: &str,
    value: &str,
    pressed: Option<bool>,
    class: &str,
    inner: &str,
) -> String {
    let pressed = pressed
        .map(|p| format!(r#" aria-pressed="{p}""#))
        .unwrap_or_default();
    format!(
        r#"<button type="button" class="{class}" id="{id}" data-act="{act}" data-v="{value}"{pressed}>{inner}</button>"#
    )
}

/// Two-choice switch: a labelled group of pressed/unpressed buttons.
pub fn switch(id: &str, act: &str, label: &str, options: [&str; 2], value: usize) -> String {
    let mut out = format!(r#"<div class="mc-switch" role="group" aria-label="{label}">"#);
    for (i, text) in options.iter().enumerate() {
        out.push_str(&button(
            &format!("{id}-{i}"),
            act,
            &i.to_string(),
            Some(value == i),
            "mc-switch-option",
            text,
        ));
    }
    out.push_str("</div>");
    out
}

/// "Show as table" toggle for a chart's data-table twin (pressed while the table shows).
pub fn table_toggle(chart: &str, shown: bool) -> String {
    button(
        &format!("mc-{chart}-tt"),
        "table",
        chart,
        Some(shown),
        "mc-secondary mc-table-toggle",
        "Show as table",
    )
    // aria-controls only while the table exists: a reference to nothing is invalid ARIA.
    .replace(
        "<button ",
        &if shown {
            format!(r#"<button aria-controls="mc-{chart}-table" "#)
        } else {
            "<button ".to_string()
        },
    )
}

/// A data table as markup: caption, header cells, then rows whose first cell is a row
/// header. Cells are escaped here.
pub fn table_markup(
    id: &str,
    caption: &str,
    head: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> String {
    let mut s = format!(
        r#"<div class="mc-table-scroll" id="{id}"><table class="mc-table mc-chart-table"><caption>{}</caption><thead><tr>"#,
        esc(caption)
    );
    for h in head {
        let _ = write!(s, r#"<th scope="col">{}</th>"#, esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for row in rows {
        s.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, r#"<th scope="row">{}</th>"#, esc(cell));
            } else {
                let _ = write!(s, r#"<td class="mc-num">{}</td>"#, esc(cell));
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// The `attr` value of the event target or its nearest ancestor that has one (delegated
/// events on markup written as text), with that element's id.
pub fn data_of(target: Option<web_sys::EventTarget>, attr: &str) -> Option<(String, String)> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let el = el.closest(&format!("[{attr}]")).ok()??;
    Some((el.get_attribute(attr)?, el.id()))
}

/// An item's name, linked to its page when the URL is a plain http(s) one (never a
/// `javascript:` or `data:` URL from the API).
pub fn linked(name: &str, url: &str) -> String {
    match merchant_console_core::export::safe_http_url(url) {
        Some(u) => format!(
            r#"<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>"#,
            esc(u),
            format::api_text(name)
        ),
        None => format::api_text(name),
    }
}

/// A figure's caption: its one-sentence summary.
pub fn caption(text: &str) -> String {
    format!(
        r#"<figcaption class="mc-chart-summary">{}</figcaption>"#,
        esc(text)
    )
}

/// `format::money` for markup.
pub fn money(cents: i128, currency: &str) -> String {
    esc(&format::money(cents, currency))
}
