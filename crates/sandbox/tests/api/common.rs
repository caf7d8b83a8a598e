//! Shared test helpers.

use merchant_console_sandbox::civil::{days_from_civil, DAY_MS};
use merchant_console_sandbox::{build_app, Config};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

pub const M1: &str = "DEMOMERCHANT1";
pub const T1: &str = "sandbox-token-1";
pub const M2: &str = "DEMOMERCHANT2";
pub const T2: &str = "sandbox-token-2";
pub const HOUR: i64 = 3_600_000;

/// Epoch ms of a UTC date and time.
pub fn at(y: i64, m: u32, d: u32, h: i64, min: i64) -> i64 {
    days_from_civil(y, m, d) * DAY_MS + h * HOUR + min * 60_000
}

/// Wednesday 2024-06-12 12:00 UTC: inside every default service window but the EU's.
pub fn noon() -> i64 {
    at(2024, 6, 12, 12, 0)
}

/// Defaults, quiet, no dist, and a rate limit high enough not to disturb other tests.
pub fn config() -> Config {
    Config {
        log_requests: false,
        dist: "/nonexistent-dist-for-tests".into(),
        rate_limit_per_s: 100_000,
        port: 0,
        ..Config::default()
    }
}

pub struct Sandbox {
    pub base: String,
    pub http: Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {}", &self.text[..self.text.len().min(300)])
        })
    }

    pub fn message(&self) -> String {
        self.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

pub async fn start(config: Config) -> Sandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, build_app(config)).await.unwrap();
    });
    Sandbox {
        base: format!("http://{addr}"),
        http: Client::new(),
    }
}

pub async fn start_default() -> Sandbox {
    start(config()).await
}

impl Sandbox {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let r = req.send().await.expect("request");
        Reply {
            status: r.status(),
            headers: r.headers().clone(),
            text: r.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.send(req).await
    }

    /// Freezes the simulated clock at `now`.
    pub async fn freeze(&self, now: i64) {
        let r = self
            .post_json("/__sandbox/clock", json!({"now": now, "scale": 0.0}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["now"], now);
    }

    pub async fn advance(&self, ms: i64) {
        let r = self
            .post_json("/__sandbox/clock", json!({"advance_ms": ms}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    pub async fn fault(&self, fault: Value) {
        let r = self.post_json("/__sandbox/faults", fault).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    pub async fn create(&self, region: &str, merchant: &str, token: &str, body: Value) -> Reply {
        self.request(
            Method::POST,
            &format!("/clover/{region}/v3/merchants/{merchant}/exports"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// Creates an export in the sandbox region and expects success.
    pub async fn create_ok(&self, kind: &str, start: i64, end: i64) -> Value {
        let r = self
            .create(
                "sandbox",
                M1,
                T1,
                json!({"type": kind, "startTime": start, "endTime": end}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }

    pub async fn poll(&self, region: &str, merchant: &str, token: &str, id: &str) -> Reply {
        self.request(
            Method::GET,
            &format!("/clover/{region}/v3/merchants/{merchant}/exports/{id}"),
            Some(token),
            None,
        )
        .await
    }

    pub async fn poll_ok(&self, id: &str) -> Value {
        let r = self.poll("sandbox", M1, T1, id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }

    /// (count, sum) from the control API.
    pub async fn count(&self, merchant: &str, kind: &str, start: i64, end: i64) -> (u64, i64) {
        let r = self
            .get(&format!(
                "/__sandbox/clover/count?merchant={merchant}&type={kind}&start={start}&end={end}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        (v["count"].as_u64().unwrap(), v["sum"].as_i64().unwrap())
    }

    /// All elements of a finished export's files, downloaded without auth.
    pub async fn download_all(&self, export: &Value) -> Vec<Value> {
        let mut all = Vec::new();
        for e in export["exportUrls"]["elements"]
            .as_array()
            .expect("url array")
        {
            let r = self.get(e["url"].as_str().unwrap()).await;
            assert_eq!(r.status, 200, "{}", r.text);
            all.extend(r.json()["elements"].as_array().unwrap().iter().cloned());
        }
        all
    }
}

/// A sandbox with a second origin for files: (main, files origin).
pub async fn start_with_files(config: Config) -> (Sandbox, String) {
    let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let files = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", files.local_addr().unwrap());
    let apps = merchant_console_sandbox::build_apps(config, Some(origin.clone()));
    let addr = main.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(main, apps.main).await.unwrap() });
    tokio::spawn(async move { axum::serve(files, apps.files).await.unwrap() });
    (
        Sandbox {
            base: format!("http://{addr}"),
            http: Client::new(),
        },
        origin,
    )
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
