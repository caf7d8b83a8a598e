//! Serde types for the Clover Merchant Data Export API (beta).
//!
//! The API is beta and its docs contradict themselves, so every type here is **tolerant**:
//! unknown fields are ignored, optional fields may be missing or `null`, times may be JSON
//! numbers or numeric strings, `exportUrls.elements` may be an array or a single object,
//! and the status is an open enum. A field with an unexpected shape becomes `None`
//! rather than failing the whole object: a poll response we half understand is still
//! better than one we throw away.

use core::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::Millis;

/// What an export contains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExportType {
    /// Order objects.
    Orders,
    /// Payment objects.
    Payments,
}

impl ExportType {
    /// Both types, for a select box.
    pub const ALL: [ExportType; 2] = [ExportType::Orders, ExportType::Payments];

    /// The API value (`"ORDERS"`, `"PAYMENTS"`), also a stable id for forms.
    pub fn as_api_str(&self) -> &'static str {
        match self {
            ExportType::Orders => "ORDERS",
            ExportType::Payments => "PAYMENTS",
        }
    }

    /// Parses the API value, case-insensitively.
    pub fn from_api_str(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("ORDERS") {
            Some(ExportType::Orders)
        } else if s.eq_ignore_ascii_case("PAYMENTS") {
            Some(ExportType::Payments)
        } else {
            None
        }
    }

    /// A human label ("Orders").
    pub fn label(&self) -> &'static str {
        match self {
            ExportType::Orders => "Orders",
            ExportType::Payments => "Payments",
        }
    }

    /// Lower-case slug for file names ("orders").
    pub fn slug(&self) -> &'static str {
        match self {
            ExportType::Orders => "orders",
            ExportType::Payments => "payments",
        }
    }
}

/// The status of an export: an **open** enum.
///
/// The docs list `PENDING`, `IN_PROGRESS`, `DONE`; an older version said `COMPLETE`.
/// Anything else (`FAILED`, `ERROR`, a future value) is kept verbatim in
/// [`ExportStatus::Other`] so the UI can show it raw.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExportStatus {
    /// Queued server-side.
    Pending,
    /// Being processed.
    InProgress,
    /// Finished, files available (current docs).
    Done,
    /// Finished, files available (first version of the docs).
    Complete,
    /// Any other value, verbatim.
    Other(String),
}

impl ExportStatus {
    /// Parses a status string; matching is case-insensitive, the raw text is kept otherwise.
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        if t.eq_ignore_ascii_case("PENDING") {
            ExportStatus::Pending
        } else if t.eq_ignore_ascii_case("IN_PROGRESS") {
            ExportStatus::InProgress
        } else if t.eq_ignore_ascii_case("DONE") {
            ExportStatus::Done
        } else if t.eq_ignore_ascii_case("COMPLETE") {
            ExportStatus::Complete
        } else {
            ExportStatus::Other(s.to_string())
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ExportStatus::Pending => "PENDING",
            ExportStatus::InProgress => "IN_PROGRESS",
            ExportStatus::Done => "DONE",
            ExportStatus::Complete => "COMPLETE",
            ExportStatus::Other(s) => s,
        }
    }

    /// `DONE` or `COMPLETE`: the files can be downloaded.
    pub fn is_success(&self) -> bool {
        matches!(self, ExportStatus::Done | ExportStatus::Complete)
    }

    /// `PENDING` or `IN_PROGRESS`: keep polling.
    pub fn is_running(&self) -> bool {
        matches!(self, ExportStatus::Pending | ExportStatus::InProgress)
    }

    /// Any status that is not running is final (Clover's own examples do the same);
    /// final and not a success means failure.
    pub fn is_failure(&self) -> bool {
        !self.is_running() && !self.is_success()
    }
}

impl fmt::Display for ExportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ExportStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExportStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ExportStatus::parse(&s))
    }
}

/// `{"id": ...}` reference to another object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ref {
    /// The referenced id, when present.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
}

/// One downloadable file of a finished export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportUrl {
    /// The file URL. Not validated here: use [`safe_http_url`] before rendering a link.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    /// The export it belongs to.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub export: Option<Ref>,
}

/// `exportUrls`: `{"elements": [...]}`; an old doc version showed a single object instead
/// of the array, so both are accepted. Always serialised as an array.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportUrls {
    /// The files, in server order.
    pub elements: Vec<ExportUrl>,
}

impl<'de> Deserialize<'de> for ExportUrls {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let elements = match v {
            Value::Object(mut map) => match map.remove("elements") {
                Some(Value::Array(items)) => items.into_iter().filter_map(url_from_value).collect(),
                Some(obj @ Value::Object(_)) => url_from_value(obj).into_iter().collect(),
                // `{"url": ...}` directly in place of the wrapper: tolerate it too.
                None if map.contains_key("url") => {
                    url_from_value(Value::Object(map)).into_iter().collect()
                }
                _ => Vec::new(),
            },
            Value::Array(items) => items.into_iter().filter_map(url_from_value).collect(),
            _ => Vec::new(),
        };
        Ok(ExportUrls { elements })
    }
}

fn url_from_value(v: Value) -> Option<ExportUrl> {
    match v {
        Value::String(s) => Some(ExportUrl {
            url: Some(s),
            export: None,
        }),
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    }
}

/// An export object as returned by create and poll.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// Server id of the export; needed to poll.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `ORDERS` or `PAYMENTS`; `None` when missing or unknown.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub export_type: Option<ExportType>,
    /// Status; `None` when missing.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<ExportStatus>,
    /// 0..=100 (clamped; fractions rounded down).
    #[serde(
        default,
        deserialize_with = "lenient_percent",
        skip_serializing_if = "Option::is_none"
    )]
    pub percent_complete: Option<u8>,
    /// Requested start, epoch ms.
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<Millis>,
    /// Requested end, epoch ms.
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<Millis>,
    /// Server creation time, epoch ms.
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_time: Option<Millis>,
    /// Server modification time, epoch ms.
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_time: Option<Millis>,
    /// The merchant.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub merchant_ref: Option<Ref>,
    /// When the files are deleted (24 h after completion), epoch ms.
    #[serde(
        default,
        deserialize_with = "lenient_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_until: Option<Millis>,
    /// The files, once finished.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub export_urls: Option<ExportUrls>,
}

impl Export {
    /// Parses a create/poll response body.
    pub fn from_json(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }

    /// The non-empty file URLs, in server order (not filtered for scheme; see
    /// [`safe_http_url`]).
    pub fn urls(&self) -> Vec<String> {
        self.export_urls
            .iter()
            .flat_map(|u| u.elements.iter())
            .filter_map(|e| e.url.as_deref())
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Body of `POST /v3/merchants/{mId}/exports`. Times are serialised as JSON numbers (the
/// API accepts both numbers and strings; numbers are the documented form), and read
/// tolerantly (numbers or numeric strings) so a test server can reuse this type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateExportBody {
    /// What to export.
    #[serde(rename = "type")]
    pub export_type: ExportType,
    /// First millisecond, inclusive.
    #[serde(deserialize_with = "required_millis")]
    pub start_time: Millis,
    /// Last millisecond, inclusive.
    #[serde(deserialize_with = "required_millis")]
    pub end_time: Millis,
}

impl CreateExportBody {
    /// The JSON body to POST.
    pub fn to_json(&self) -> String {
        // Serialising a struct of an enum and two integers cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The maximum length of an error message kept for display.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Extracts a human message from an error response body, for display.
///
/// Accepts `{"message": "..."}` (Clover's usual shape), `{"error": ...}`,
/// `{"errors": [...]}`, a JSON string, or plain text. Whitespace is collapsed and the
/// result truncated to [`MAX_MESSAGE_CHARS`]. `None` for an empty body.
pub fn error_message(body: &str) -> Option<String> {
    let text = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => ["message", "error_description", "error", "errors", "details"]
            .iter()
            .find_map(|k| map.get(*k).and_then(value_text))
            .unwrap_or_else(|| body.to_string()),
        Ok(Value::String(s)) => s,
        _ => body.to_string(),
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    if collapsed.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = collapsed.chars().take(MAX_MESSAGE_CHARS).collect();
        Some(format!("{cut}…"))
    } else {
        Some(collapsed)
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(m) => m.get("message").and_then(value_text),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| value_text(i).unwrap_or_else(|| i.to_string()))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Null | Value::String(_) => None,
        other => Some(other.to_string()),
    }
}

/// Returns the trimmed URL when it is an absolute `http://` or `https://` URL with a host
/// and no whitespace or control characters; `None` otherwise.
///
/// Export URLs come from a server response and end up in `href`s: a `javascript:` or
/// `data:` URL must never become a clickable link.
pub fn safe_http_url(url: &str) -> Option<&str> {
    let u = url.trim();
    let rest = strip_prefix_ignore_case(u, "https://")
        .or_else(|| strip_prefix_ignore_case(u, "http://"))?;
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Drop any userinfo; the authority must still name a host.
    let host = host.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return None;
    }
    Some(u)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

// ---- lenient deserialisers -------------------------------------------------------------

/// Any value that does not deserialise into `T` (wrong shape) becomes `None`.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(serde_json::from_value(v).ok())
}

/// Strings stay strings; numbers become their decimal text (ids are strings in Clover
/// but a test server might send numbers).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Epoch milliseconds from a JSON number (integer or integral float) or a numeric string.
pub(crate) fn millis_from_value(v: &Value) -> Option<Millis> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| {
                // serde_json's number parser is linked anyway; core's f64 parser and its
                // tables would add about 15 KB to the wasm.
                serde_json::from_str::<f64>(t)
                    .ok()
                    .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

fn lenient_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
    Ok(millis_from_value(&Value::deserialize(d)?))
}

fn required_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    use serde::de::Error;
    millis_from_value(&Value::deserialize(d)?)
        .ok_or_else(|| D::Error::custom("expected epoch milliseconds (number or numeric string)"))
}

fn lenient_percent<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    let v = Value::deserialize(d)?;
    let f = match &v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => serde_json::from_str::<f64>(s.trim().trim_end_matches('%').trim()).ok(),
        _ => None,
    };
    Ok(f.filter(|f| f.is_finite())
        .map(|f| f.clamp(0.0, 100.0) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parsing() {
        assert_eq!(ExportStatus::parse("done"), ExportStatus::Done);
        assert!(ExportStatus::parse("COMPLETE").is_success());
        assert!(ExportStatus::parse("PENDING").is_running());
        let f = ExportStatus::parse("FAILED");
        assert!(f.is_failure());
        assert_eq!(f.as_str(), "FAILED");
    }

    #[test]
    fn safe_urls() {
        assert_eq!(
            safe_http_url(" https://x.example/a?b "),
            Some("https://x.example/a?b")
        );
        assert_eq!(safe_http_url("HTTP://x"), Some("HTTP://x"));
        assert_eq!(safe_http_url("javascript:alert(1)"), None);
        assert_eq!(safe_http_url("data:text/html,hi"), None);
        assert_eq!(safe_http_url("https://"), None);
        assert_eq!(safe_http_url("https:///path"), None);
        assert_eq!(safe_http_url("https://a b"), None);
        assert_eq!(safe_http_url("//x.example"), None);
        assert_eq!(safe_http_url("ftp://x.example"), None);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            error_message(r#"{"message":"Bad  range"}"#).as_deref(),
            Some("Bad range")
        );
        assert_eq!(
            error_message("Service unavailable\n").as_deref(),
            Some("Service unavailable")
        );
        assert_eq!(error_message("  "), None);
        assert_eq!(
            error_message(r#"{"errors":[{"message":"a"},"b"]}"#).as_deref(),
            Some("a; b")
        );
        assert_eq!(error_message(r#"{"x":1}"#).as_deref(), Some(r#"{"x":1}"#));
        let long = "x".repeat(1000);
        assert_eq!(
            error_message(&long).unwrap().chars().count(),
            MAX_MESSAGE_CHARS + 1
        );
    }
}
