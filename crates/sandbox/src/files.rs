//! Where export file URLs point, the second origin that can serve them, and the portal's
//! files proxy.
//!
//! Clover's file host is not the API host, and whether it sends CORS headers is unknown
//! (`shared/api-notes.md`). To show both cases the sandbox can:
//! - serve files on a **second listener** (`--files-port`): another origin, which never
//!   sends CORS headers, so a page on the main origin cannot read them with `fetch`;
//! - hand out file URLs on the main origin (`same`, the default), on that second origin
//!   (`files-port`), or on any origin that fronts it (e.g. `https://127.0.0.1:8821`, a
//!   TLS proxy in the nginx browser test);
//! - offer `GET /portal-api/clover-files?url=<encoded file URL>`, the stand-in for the
//!   files proxy in `docs/deployment.md`. Like that nginx configuration it forwards only
//!   allow-listed URLs: here, this sandbox's own file URLs (over http, since the sandbox
//!   serves http; the nginx configuration enforces https).

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::json;
use tower::ServiceExt;

use crate::AppState;

/// The path of the files proxy, as `config.json` names it when asked to.
pub const PROXY_PATH: &str = "/portal-api/clover-files";

/// Where file URLs point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileHost {
    /// The host the API request came to (its `Host` header).
    Same,
    /// The second listener (`--files-port`).
    FilesPort,
    /// An origin that fronts the second listener, `scheme://host[:port]`.
    Origin(String),
}

impl FileHost {
    /// `same`, `files-port`, or an absolute http(s) origin (a trailing `/` is dropped).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "same" => return Ok(FileHost::Same),
            "files-port" => return Ok(FileHost::FilesPort),
            _ => {}
        }
        let origin = s.trim_end_matches('/');
        match split_origin(origin) {
            Some((o, "")) => Ok(FileHost::Origin(o)),
            _ => Err(format!(
                "file host must be \"same\", \"files-port\" or an origin such as https://127.0.0.1:8821 (got {s:?})"
            )),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            FileHost::Same => "same".into(),
            FileHost::FilesPort => "files-port".into(),
            FileHost::Origin(o) => o.clone(),
        }
    }
}

/// Run-time settings, changed through `/__sandbox/files` and restored by reset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSettings {
    pub host: FileHost,
    /// `/config.json` names the files proxy (`"clover_files"`).
    pub proxy_in_config: bool,
}

#[derive(Debug)]
pub struct Files {
    pub settings: Mutex<FileSettings>,
    /// The second listener's origin, when there is one.
    pub second_origin: Option<String>,
    initial: FileSettings,
}

impl Files {
    pub fn new(host: FileHost, second_origin: Option<String>) -> Self {
        let initial = FileSettings {
            host,
            proxy_in_config: false,
        };
        Files {
            settings: Mutex::new(initial.clone()),
            second_origin,
            initial,
        }
    }

    pub fn reset(&self) {
        *self.settings.lock().unwrap() = self.initial.clone();
    }

    pub fn settings(&self) -> FileSettings {
        self.settings.lock().unwrap().clone()
    }

    /// The base of absolute file URLs for an API request with these headers.
    pub fn base(&self, headers: &HeaderMap) -> String {
        match self.settings().host {
            FileHost::Same => same_origin(headers),
            FileHost::FilesPort => self
                .second_origin
                .clone()
                .unwrap_or_else(|| same_origin(headers)),
            FileHost::Origin(o) => o,
        }
    }

    /// Origins whose `/clover/files/…` URLs are this sandbox's own.
    fn own_origins(&self, headers: &HeaderMap) -> Vec<String> {
        let mut own = vec![same_origin(headers)];
        own.extend(self.second_origin.clone());
        if let FileHost::Origin(o) = self.settings().host {
            own.push(o);
        }
        own
    }
}

/// `http://<Host header>` (only plain host characters; else `localhost`).
pub fn same_origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b".:-[]_".contains(&c))
        })
        .unwrap_or("localhost");
    format!("http://{}", host.to_ascii_lowercase())
}

/// `https://Host:1/x?y` -> (`https://host:1`, `/x?y`). `None` unless the scheme is http(s)
/// and the authority is a plain host (no userinfo, no odd characters).
fn split_origin(url: &str) -> Option<(String, &str)> {
    let lower_scheme = url.get(..8).map(str::to_ascii_lowercase);
    let (scheme, rest) = if lower_scheme.as_deref() == Some("https://") {
        ("https://", &url[8..])
    } else if url.get(..7).map(str::to_ascii_lowercase).as_deref() == Some("http://") {
        ("http://", &url[7..])
    } else {
        return None;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let plain = !authority.is_empty()
        && authority
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".:-[]_".contains(&c));
    plain.then(|| {
        (
            format!("{scheme}{}", authority.to_ascii_lowercase()),
            &rest[end..],
        )
    })
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// `GET /portal-api/clover-files?url=<encoded file URL>`: forwards one of this sandbox's
/// own file URLs to its file route; anything else is refused with 403. Like the nginx
/// configuration, no credentials are added (file URLs carry their own).
pub async fn proxy(api: Router, state: Arc<AppState>, req: Request) -> Response {
    let query = crate::query_pairs(req.uri().query());
    let Some(url) = query.get("url").filter(|u| !u.is_empty()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "url is required: GET /portal-api/clover-files?url=<encoded file URL>",
        );
    };
    let own = state.files.own_origins(req.headers());
    let token = match split_origin(url) {
        Some((origin, path)) if own.contains(&origin) => path
            .strip_prefix("/clover/files/")
            .filter(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_alphanumeric())),
        _ => None,
    };
    let Some(token) = token else {
        return refuse(
            StatusCode::FORBIDDEN,
            "The files proxy forwards only this sandbox's export file URLs",
        );
    };
    let mut inner = Request::new(Body::empty());
    match format!("/clover/files/{token}").parse() {
        Ok(uri) => *inner.uri_mut() = uri,
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "bad file URL"),
    }
    match api.oneshot(inner).await {
        Ok(resp) => resp.map(Body::new),
        Err(never) => match never {},
    }
}

/// `GET /__sandbox/files`.
pub fn settings_json(state: &AppState) -> serde_json::Value {
    let s = state.files.settings();
    json!({
        "host": s.host.describe(),
        "files_origin": state.files.second_origin,
        "proxy_in_config": s.proxy_in_config,
        "proxy": PROXY_PATH,
    })
}

/// Applies `{"host"?: "same"|"files-port"|origin, "proxy_in_config"?: bool}`.
pub fn change(state: &AppState, body: &serde_json::Value) -> Result<(), String> {
    let obj = body
        .as_object()
        .ok_or("expected {\"host\"?, \"proxy_in_config\"?}")?;
    for key in obj.keys() {
        if key != "host" && key != "proxy_in_config" {
            return Err(format!("unknown field {key:?} (use host, proxy_in_config)"));
        }
    }
    let host = match obj.get("host") {
        None => None,
        Some(serde_json::Value::String(s)) => Some(FileHost::parse(s)?),
        Some(_) => return Err("host must be a string".into()),
    };
    if host == Some(FileHost::FilesPort) && state.files.second_origin.is_none() {
        return Err("there is no second origin: start the sandbox with --files-port".into());
    }
    let proxy = match obj.get("proxy_in_config") {
        None => None,
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(_) => return Err("proxy_in_config must be true or false".into()),
    };
    let mut s = state.files.settings.lock().unwrap();
    if let Some(h) = host {
        s.host = h;
    }
    if let Some(p) = proxy {
        s.proxy_in_config = p;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            split_origin("HTTPS://Files.Example:8443/clover/files/ab?x"),
            Some(("https://files.example:8443".into(), "/clover/files/ab?x"))
        );
        assert_eq!(split_origin("https://a@evil.example/x"), None);
        assert_eq!(split_origin("ftp://a/x"), None);
        assert_eq!(split_origin("https:///x"), None);
        assert_eq!(
            FileHost::parse("https://127.0.0.1:8821/"),
            Ok(FileHost::Origin("https://127.0.0.1:8821".into()))
        );
        assert!(FileHost::parse("https://h/x").is_err());
        assert!(FileHost::parse("javascript:alert(1)").is_err());
        assert_eq!(FileHost::parse("files-port"), Ok(FileHost::FilesPort));
    }
}
