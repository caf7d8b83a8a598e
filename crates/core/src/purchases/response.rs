//! A whole purchase-history response, body and HTTP status, as purchases or an
//! [`ApiError`]: the decoder (`decode.rs`) reads the body, this module decides what the
//! answer means, including the error shapes the API and gateways send.

use std::borrow::Cow;

use serde_json::Value;

use super::decode::decode_body;
use super::model::{ApiError, Decoded};

/// Decodes a purchase-history response body, given as bytes or as text (`&[u8]`,
/// `Vec<u8>`, `&str`, `String`).
///
/// Bytes are read as `fetch`'s `text()` would: UTF-8, a leading byte order mark dropped,
/// invalid sequences replaced by U+FFFD (checking costs one pass; a copy is made only
/// when something has to be replaced). The app hands the body over as bytes: see
/// `src/history/fetch.rs` for why.
///
/// `status: "error"` becomes [`ApiError::Api`]; text that is not a JSON object becomes
/// [`ApiError::Malformed`]; an `ok` response without `data` is an empty success.
pub fn parse_response<B: AsRef<[u8]> + ?Sized>(body: &B) -> Result<Decoded, ApiError> {
    parse_text(&as_text(body.as_ref()))
}

/// What `text()` makes of a body: UTF-8 without a leading BOM, invalid bytes replaced.
fn as_text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // `from_utf8` checks ASCII a word at a time; `from_utf8_lossy` goes byte by byte
    // (7 times slower on a 7 MB body), so it only runs when something must be replaced.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn parse_text(text: &str) -> Result<Decoded, ApiError> {
    let body = decode_body(text)
        .map_err(|e| e.to_string())
        .and_then(|b| b.ok_or_else(|| "expected a JSON object".to_string()))
        .map_err(|e| {
            // A proxy or gateway may answer with HTML: show how the text starts.
            let start = excerpt(text, 80);
            ApiError::Malformed(if start.is_empty() {
                format!("{e} (empty response)")
            } else {
                format!("{e}; the response starts with: {start}")
            })
        })?;
    let status = body.status.as_text();
    let failed = status.is_some_and(|s| s.trim().eq_ignore_ascii_case("error"));
    let messages = body.errors.as_ref().map(render_errors).unwrap_or_default();
    match body.data {
        Some(decoded) if !failed => Ok(decoded),
        None if !failed && messages.is_empty() => {
            if status.is_none_or(|s| s.trim().eq_ignore_ascii_case("ok")) {
                Ok(Decoded::default())
            } else {
                Err(ApiError::Malformed(format!(
                    "status \"{}\" without a data list",
                    status.unwrap_or_default()
                )))
            }
        }
        _ => Err(ApiError::Api { messages }),
    }
}

/// Turns a non-2xx HTTP answer into an error: the body's own `errors` when it has any,
/// otherwise a plain explanation of the status code. For 401/403 the explanation always
/// leads (the fix is the same whatever the body says) and the API's messages follow.
/// The body may be bytes or text, as for [`parse_response`].
pub fn error_from_status<B: AsRef<[u8]> + ?Sized>(http_status: u16, body: &B) -> ApiError {
    status_error(http_status, &as_text(body.as_ref()))
}

fn status_error(http_status: u16, body: &str) -> ApiError {
    let messages = decode_body(body)
        .ok()
        .flatten()
        .and_then(|b| b.errors)
        .map(|e| render_errors(&e))
        .unwrap_or_default();
    let s = http_status;
    if !messages.is_empty() && !matches!(s, 401 | 403) {
        return ApiError::Api { messages };
    }
    let mut message = match s {
        401 => format!(
            "The API key or merchant ID was refused ({s}). Check both, and that they belong \
             to the selected region and to sandbox or production."
        ),
        403 => format!("This merchant account may not read the purchase history ({s})."),
        400 => format!("The API rejected the request ({s}); check the date range."),
        404 => format!("The purchase-history endpoint was not found ({s}); check the region."),
        429 => format!("Too many requests ({s}); wait a moment and retry."),
        500..=599 => format!("The LaterPay server failed ({s}); retry later."),
        _ => format!("The API answered with HTTP status {s}."),
    };
    let details = if messages.is_empty() {
        excerpt(body, 200)
    } else {
        messages.join("; ")
    };
    if !details.is_empty() {
        message.push_str(" Response: ");
        message.push_str(&details);
    }
    ApiError::Http { status: s, message }
}

/// The first `chars` characters of `text`, trimmed, on one line.
fn excerpt(text: &str, chars: usize) -> String {
    text.split_whitespace()
        .flat_map(|w| w.chars().chain([' ']))
        .take(chars)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Renders the `errors` member whatever its shape: a list of entries, one object of
/// `field: problems`, or a single value.
fn render_errors(errors: &Value) -> Vec<String> {
    match errors {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(render_entry)
            .filter(|s| !s.is_empty())
            .collect(),
        Value::Object(map) if pick_message(map).is_none() => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", render_value(v)))
            .collect(),
        other => vec![render_entry(other)],
    }
}

/// One error entry: a string as is; an object by its message (prefixed by its field when
/// named) or else as `key: value` pairs; anything else as compact JSON.
fn render_entry(entry: &Value) -> String {
    match entry {
        Value::Object(map) => match pick_message(map) {
            Some(msg) => match ["field", "param", "parameter"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
            {
                Some(field) => format!("{field}: {msg}"),
                None => msg.to_string(),
            },
            None => map
                .iter()
                .map(|(k, v)| format!("{k}: {}", render_value(v)))
                .collect::<Vec<_>>()
                .join(", "),
        },
        other => render_value(other),
    }
}

fn pick_message(map: &serde_json::Map<String, Value>) -> Option<&str> {
    ["message", "detail", "msg", "error", "description"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
}

fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(render_value)
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(_) => render_entry(v),
        other => other.to_string(),
    }
}
