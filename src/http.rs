//! The app's one way to talk HTTP, one [`Http`] per mounted app.
//!
//! Every request
//! * passes this mount's host allow-list (the configured API hosts and bases the person
//!   typed; same-origin paths always) — export files excepted, whose host is Clover's
//!   choice and which carry no credentials;
//! * gets its credentials here (an [`Auth`], never logged);
//! * has a timeout: an `AbortController` aborts it, and the caller sees
//!   [`HttpError::Timeout`], the body read included;
//! * is aborted when the mount goes away ([`Http::shutdown`]), unless it asked to
//!   [`finish`](OnUnmount::Finish) (an export create: aborting a POST that Clover may
//!   already have carried out would leave an export nobody knows the id of).
//!
//! Callers get the status, the Retry-After header and the body; deciding what a response
//! means is the core crate's job.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use merchant_console_core::url_gate::{is_same_origin_path, origin_of};
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

/// What came back, the body as text.
pub struct HttpResponse {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

/// A request that got no usable HTTP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// Not sent: the host is not one this mount may call.
    Refused(String),
    /// No answer: connection, DNS, TLS, or (most often in a browser) CORS.
    Network(String),
    /// No complete answer within the timeout.
    Timeout,
    /// The mount went away meanwhile; nobody is waiting for the answer.
    Aborted,
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Refused(why) => f.write_str(why),
            HttpError::Network(why) => f.write_str(why),
            HttpError::Timeout => f.write_str("no answer in time"),
            HttpError::Aborted => f.write_str("stopped"),
        }
    }
}

/// What happens to a request still under way when the mount goes away.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OnUnmount {
    /// Aborted at once (polls, history, files, token calls).
    Abort,
    /// Left to finish within its timeout, so its answer can still be saved.
    Finish,
}

/// One request.
pub struct Request<'a> {
    pub method: Method,
    pub url: &'a str,
    pub auth: &'a Auth,
    pub json_body: Option<String>,
    pub timeout_ms: u32,
    pub on_unmount: OnUnmount,
}

impl<'a> Request<'a> {
    /// A GET that is aborted on unmount.
    pub fn get(url: &'a str, auth: &'a Auth, timeout_ms: u32) -> Self {
        Self {
            method: Method::GET,
            url,
            auth,
            json_body: None,
            timeout_ms,
            on_unmount: OnUnmount::Abort,
        }
    }
}

#[derive(Default)]
struct Inner {
    alive: Cell<bool>,
    /// Origins (`scheme://host[:port]`) requests may go to.
    allowed: RefCell<Vec<String>>,
    /// Requests to abort on shutdown, by a local id.
    abortable: RefCell<Vec<(u64, web_sys::AbortController)>>,
    next_id: Cell<u64>,
}

/// One mount's HTTP client (a cheap handle; clones share it).
#[derive(Clone)]
pub struct Http(Rc<Inner>);

impl Http {
    pub fn new() -> Self {
        let inner = Inner::default();
        inner.alive.set(true);
        Http(Rc::new(inner))
    }

    /// Adds a base URL's origin to the allow-list (same-origin paths need nothing).
    pub fn allow(&self, base: &str) {
        if let Some(origin) = origin_of(base) {
            let mut allowed = self.0.allowed.borrow_mut();
            if !allowed.contains(&origin) {
                allowed.push(origin);
            }
        }
    }

    /// False once the mount is gone: answers arriving then must not touch its views.
    pub fn is_alive(&self) -> bool {
        self.0.alive.get()
    }

    /// The mount goes away: abort every abortable request under way.
    pub fn shutdown(&self) {
        self.0.alive.set(false);
        let pending = std::mem::take(&mut *self.0.abortable.borrow_mut());
        for (_, controller) in pending {
            controller.abort();
        }
    }

    fn check_allowed(&self, url: &str) -> Result<(), HttpError> {
        if is_same_origin_path(url) {
            return Ok(());
        }
        match origin_of(url) {
            Some(origin) if self.0.allowed.borrow().contains(&origin) => Ok(()),
            Some(origin) => Err(HttpError::Refused(format!(
                "refused: {origin} is not one of the configured API hosts"
            ))),
            None => Err(HttpError::Refused(
                "refused: not an http(s) address or a path on this server".into(),
            )),
        }
    }

    /// Sends a request and reads the body as text.
    pub async fn send(&self, req: Request<'_>) -> Result<HttpResponse, HttpError> {
        self.check_allowed(req.url)?;
        let builder = with_auth(RequestBuilder::new(req.url).method(req.method), req.auth)
            .header("Accept", "application/json");
        self.run(builder, req.json_body, req.timeout_ms, req.on_unmount)
            .await
    }

    /// A GET whose body stays a JavaScript `ArrayBuffer` until the caller copies it in.
    ///
    /// For large bodies (purchase history: about 10 MB a month at 1,000 purchases a day).
    /// `text()` decodes the bytes to a JavaScript string, which wasm-bindgen then
    /// re-encodes into wasm memory one character at a time in a JavaScript loop: that
    /// cost as much as the browser's whole `JSON.parse`. Bytes go in with one copy.
    pub async fn get_bytes(
        &self,
        url: &str,
        auth: &Auth,
        timeout_ms: u32,
    ) -> Result<(u16, js_sys::ArrayBuffer), HttpError> {
        self.check_allowed(url)?;
        let builder =
            with_auth(RequestBuilder::new(url), auth).header("Accept", "application/json");
        let guard = self.guard(timeout_ms, OnUnmount::Abort);
        let outcome = async {
            let response = send_with(builder, None, &guard.controller).await?;
            let status = response.status();
            let raw = web_sys::Response::from(response);
            let promise = raw.array_buffer().map_err(|_| unreadable())?;
            let buffer = wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map_err(|_| unreadable())?;
            Ok((status, wasm_bindgen::JsCast::unchecked_into(buffer)))
        }
        .await;
        guard.finish(outcome)
    }

    /// An export file: no Authorization header (Clover's file URLs carry their own) and no
    /// allow-list (the file host is Clover's choice), http(s) only.
    pub async fn get_file(&self, url: &str, timeout_ms: u32) -> Result<HttpResponse, HttpError> {
        if merchant_console_core::export::safe_http_url(url).is_none() {
            return Err(HttpError::Refused("refused: not an http(s) address".into()));
        }
        let builder = RequestBuilder::new(url).credentials(RequestCredentials::Omit);
        self.run(builder, None, timeout_ms, OnUnmount::Abort).await
    }

    async fn run(
        &self,
        builder: RequestBuilder,
        json_body: Option<String>,
        timeout_ms: u32,
        on_unmount: OnUnmount,
    ) -> Result<HttpResponse, HttpError> {
        let guard = self.guard(timeout_ms, on_unmount);
        let outcome = async {
            let response = send_with(builder, json_body, &guard.controller).await?;
            let status = response.status();
            let retry_after = response.headers().get("Retry-After");
            let body = response
                .text()
                .await
                .map_err(|e| HttpError::Network(e.to_string()))?;
            Ok(HttpResponse {
                status,
                retry_after,
                body,
            })
        }
        .await;
        guard.finish(outcome)
    }

    fn guard(&self, timeout_ms: u32, on_unmount: OnUnmount) -> Guard {
        let controller = web_sys::AbortController::new().ok();
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller.clone().map(|c| {
            let flag = timed_out.clone();
            gloo_timers::callback::Timeout::new(timeout_ms.max(1), move || {
                flag.set(true);
                c.abort();
            })
        });
        let id = (on_unmount == OnUnmount::Abort)
            .then(|| controller.clone())
            .flatten()
            .map(|c| {
                let id = self.0.next_id.get().wrapping_add(1);
                self.0.next_id.set(id);
                self.0.abortable.borrow_mut().push((id, c));
                id
            });
        Guard {
            http: self.clone(),
            controller,
            timed_out,
            _timer: timer,
            id,
        }
    }
}

/// One request's abort controller, timer and registration; dropped when it is answered.
struct Guard {
    http: Http,
    controller: Option<web_sys::AbortController>,
    timed_out: Rc<Cell<bool>>,
    _timer: Option<gloo_timers::callback::Timeout>,
    id: Option<u64>,
}

impl Guard {
    /// Names the error for what really happened: the timer fired, or the mount went away.
    fn finish<T>(self, outcome: Result<T, HttpError>) -> Result<T, HttpError> {
        match outcome {
            Err(HttpError::Network(_)) if self.timed_out.get() => Err(HttpError::Timeout),
            Err(HttpError::Network(_)) if !self.http.is_alive() => Err(HttpError::Aborted),
            other => other,
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.http.0.abortable.borrow_mut().retain(|(i, _)| *i != id);
        }
    }
}

fn unreadable() -> HttpError {
    HttpError::Network("the response body could not be read".to_string())
}

/// Adds the credentials.
fn with_auth(builder: RequestBuilder, auth: &Auth) -> RequestBuilder {
    match auth {
        Auth::Bearer(token) => builder
            .header("Authorization", &format!("Bearer {token}"))
            .credentials(RequestCredentials::Omit),
        Auth::Basic { user, password } => {
            let encoded =
                merchant_console_core::base64::standard(format!("{user}:{password}").as_bytes());
            builder
                .header("Authorization", &format!("Basic {encoded}"))
                .credentials(RequestCredentials::Omit)
        }
        Auth::Proxy => builder.credentials(RequestCredentials::Include),
        Auth::None => builder.credentials(RequestCredentials::Omit),
    }
}

async fn send_with(
    builder: RequestBuilder,
    json_body: Option<String>,
    controller: &Option<web_sys::AbortController>,
) -> Result<gloo_net::http::Response, HttpError> {
    let signal = controller.as_ref().map(|c| c.signal());
    let builder = builder.abort_signal(signal.as_ref());
    let request = match json_body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|e| HttpError::Network(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| HttpError::Network(e.to_string()))
}
