//! The app's one way to talk HTTP. Callers get the status, the Retry-After header and the
//! body as text; deciding what a response means is the core crate's job.

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

pub async fn send(
    method: Method,
    url: &str,
    auth: &Auth,
    json_body: Option<String>,
) -> Result<HttpResponse, NetworkError> {
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
    };
    let request = match json_body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|e| NetworkError(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| NetworkError(e.to_string()))?;
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

/// A file download: no Authorization header (Clover's file URLs carry their own).
pub async fn get_plain(url: &str) -> Result<HttpResponse, NetworkError> {
    let response = RequestBuilder::new(url)
        .credentials(RequestCredentials::Omit)
        .send()
        .await
        .map_err(|e| NetworkError(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| NetworkError(e.to_string()))?;
    Ok(HttpResponse {
        status,
        retry_after: None,
        body,
    })
}
