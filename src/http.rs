//! The app's one way to talk HTTP. Callers get the status, the Retry-After header and the
//! body as text (or, for large bodies, as bytes); deciding what a response means is the
//! core crate's job. Every request passes the host allow-list and gets its credentials
//! here.

use base64::Engine;
use gloo_net::http::{Method, RequestBuilder};
use web_sys::RequestCredentials;

/// How a request proves who it is.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (Clover).
    Bearer(String),
    /// `Authorization: Basic <user:password>` (LaterPay: merchant id and API key).
    Basic { user: String, password: String },
    /// Credentials are added by a proxy: send none, but include cookies for the portal.
    Proxy,
    /// Nothing at all (OAuth token endpoints: the body carries what they need).
    None,
}

// Deliberately no Debug derive on Auth: a credential must never reach a log line.

/// What came back. Bodies are text: the core decodes them with serde_json.
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// A request that got no HTTP response at all. In a browser this is most often CORS:
/// the host does not allow calls from this page.
pub struct NetworkError(pub String);

thread_local! {
    /// Origins (`scheme://host[:port]`) requests may go to: the configured API hosts and
    /// base URLs the person typed. Same-origin paths are always allowed.
    static ALLOWED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `https://Host:443/x` -> `https://host:443`; `None` for a same-origin path.
fn origin_of(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .map(|r| ("https://", r))
        .or_else(|| lower.strip_prefix("http://").map(|r| ("http://", r)));
    match rest {
        Some((scheme, r)) => Some(format!(
            "{scheme}{}",
            r.split(['/', '?', '#']).next().unwrap_or("")
        )),
        // Anything else but a plain path ("//host", "javascript:") is never allowed.
        None if lower.starts_with('/') && !lower.starts_with("//") => None,
        None => Some(lower),
    }
}

/// Adds a base URL's origin to the allow-list.
pub fn allow(base: &str) {
    if let Some(origin) = origin_of(base) {
        ALLOWED.with_borrow_mut(|a| {
            if !a.contains(&origin) {
                a.push(origin);
            }
        });
    }
}

/// Refuses a request to a host that is neither configured nor typed in by the person.
fn check_allowed(url: &str) -> Result<(), NetworkError> {
    match origin_of(url) {
        None => Ok(()),
        Some(origin) if ALLOWED.with_borrow(|a| a.contains(&origin)) => Ok(()),
        Some(origin) => Err(NetworkError(format!(
            "refused: {origin} is not one of the configured API hosts"
        ))),
    }
}

pub async fn send(
    method: Method,
    url: &str,
    auth: &Auth,
    json_body: Option<String>,
) -> Result<HttpResponse, NetworkError> {
    read_text(start(method, url, auth, json_body).await?).await
}

/// Status, Retry-After and the body as text.
async fn read_text(response: gloo_net::http::Response) -> Result<HttpResponse, NetworkError> {
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    let body = response
        .text()
        .await
        .map_err(|e| NetworkError(e.to_string()))?;
    Ok(HttpResponse {
        status,
        retry_after,
        body,
    })
}

/// A GET whose body stays a JavaScript `ArrayBuffer` until the caller copies it in.
///
/// For large bodies (purchase history: about 10 MB a month at 1,000 purchases a day).
/// `text()` decodes the bytes to a JavaScript string, which wasm-bindgen then re-encodes
/// into wasm memory one character at a time in a JavaScript loop: that cost as much as the
/// browser's whole `JSON.parse`. Bytes go in with one copy instead.
pub async fn get_bytes(url: &str, auth: &Auth) -> Result<(u16, js_sys::ArrayBuffer), NetworkError> {
    let response = start(Method::GET, url, auth, None).await?;
    let status = response.status();
    let unreadable = |_| NetworkError("the response body could not be read".to_string());
    let raw = web_sys::Response::from(response);
    let buffer = wasm_bindgen_futures::JsFuture::from(raw.array_buffer().map_err(unreadable)?)
        .await
        .map_err(unreadable)?;
    Ok((status, wasm_bindgen::JsCast::unchecked_into(buffer)))
}

/// Checks the host, adds the credentials and sends; the response is not read yet.
async fn start(
    method: Method,
    url: &str,
    auth: &Auth,
    json_body: Option<String>,
) -> Result<gloo_net::http::Response, NetworkError> {
    check_allowed(url)?;
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json");
    builder = match auth {
        Auth::Bearer(token) => builder
            .header("Authorization", &format!("Bearer {token}"))
            .credentials(RequestCredentials::Omit),
        Auth::Basic { user, password } => {
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            builder
                .header("Authorization", &format!("Basic {encoded}"))
                .credentials(RequestCredentials::Omit)
        }
        Auth::Proxy => builder.credentials(RequestCredentials::Include),
        Auth::None => builder.credentials(RequestCredentials::Omit),
    };
    let request = match json_body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|e| NetworkError(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| NetworkError(e.to_string()))
}

/// A file download: no Authorization header (Clover's file URLs carry their own).
pub async fn get_plain(url: &str) -> Result<HttpResponse, NetworkError> {
    let response = RequestBuilder::new(url)
        .credentials(RequestCredentials::Omit)
        .send()
        .await
        .map_err(|e| NetworkError(e.to_string()))?;
    read_text(response).await
}
