//! Runtime configuration: which base URL each API region uses.
//!
//! The page may ship a `config.json` beside `index.html` (a portal points regions at its
//! proxy paths; the sandbox points them at itself). Without one, the real hosts are used.

use std::collections::BTreeMap;

use merchant_console_core::embed::EmbedConfig;
use merchant_console_core::export::Region;
use merchant_console_core::url_gate::{usable_base, Base};
use serde::Deserialize;

use crate::http::{Auth, Http, Request};

/// `config.json` as written by a host. Every part is optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct RuntimeConfig {
    /// Clover region id (`us`, `eu`, `la`, `sandbox`) to base URL.
    #[serde(default)]
    pub clover: BTreeMap<String, String>,
    /// LaterPay region id (`eu`, `us`, `eu-sandbox`, `us-sandbox`) to base URL.
    #[serde(default)]
    pub laterpay: BTreeMap<String, String>,
    /// Sign in with Clover: the app's client id and, per region, the authorize page base.
    #[serde(default)]
    pub oauth: Option<OAuthConfig>,
    /// Sandbox-only demo credentials to prefill the forms with.
    #[serde(default)]
    pub demo: Option<DemoCredentials>,
    /// A files proxy for export files: each is fetched as `GET <proxy>?url=<encoded URL>`
    /// (empty: none; a `String`, not an `Option`, saves its deserialiser in the wasm).
    #[serde(default)]
    pub clover_files: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct DemoCredentials {
    #[serde(default)]
    pub clover_merchant: String,
    #[serde(default)]
    pub clover_token: String,
    #[serde(default)]
    pub laterpay_merchant: String,
    #[serde(default)]
    pub laterpay_key: String,
}

/// `config.json`'s `oauth` block.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct OAuthConfig {
    #[serde(default)]
    pub client_id: String,
    /// Clover region id to the base of its `/oauth/v2/authorize` page (default: Clover's).
    #[serde(default)]
    pub authorize: BTreeMap<String, String>,
}

/// LaterPay regions: id, label, real host.
pub const LATERPAY_REGIONS: [(&str, &str, &str); 4] = [
    ("eu", "Europe (EUR)", "https://api.laterpay.net"),
    ("us", "United States (USD)", "https://api.uselaterpay.com"),
    (
        "eu-sandbox",
        "Europe sandbox (EUR)",
        "https://api.sandbox.laterpaytest.net",
    ),
    (
        "us-sandbox",
        "United States sandbox (USD)",
        "https://api.sandbox.uselaterpaytest.com",
    ),
];

/// A region key that is itself a base URL (the "custom base URL" choice): anything that
/// is not a region id. Whether it may be used is [`usable_base`]'s call.
pub fn is_custom_base(key: &str) -> bool {
    key.contains(['/', ':'])
}

impl RuntimeConfig {
    /// Base URL for a Clover region key: a custom URL as is, the configured one, else the
    /// real host.
    pub fn clover_base(&self, region: &str) -> Option<String> {
        let default = Region::from_id(region).map(|r| r.api_base().to_string());
        resolve(&self.clover, region, default)
    }

    /// The files proxy, when one is configured and passes the URL gate; `None`: files are
    /// fetched directly.
    pub fn clover_files(&self) -> Option<String> {
        usable_base(&self.clover_files)
            .map(|b| b.as_str().to_string())
            .filter(|b| !b.is_empty())
    }

    /// Base of the OAuth authorize page for a Clover region: configured (when it passes
    /// the URL gate), else Clover's.
    pub fn oauth_authorize_base(&self, region: &str) -> Option<Base> {
        let configured = self
            .oauth
            .as_ref()
            .and_then(|o| o.authorize.get(region))
            .and_then(|b| usable_base(b));
        configured.or_else(|| {
            Region::from_id(region)
                .and_then(|r| usable_base(merchant_console_core::oauth::authorize_base(r)))
        })
    }

    /// Lets `http` reach every configured and default API host, and no other.
    fn allow_hosts(&self, http: &Http) {
        Region::ALL
            .iter()
            .map(|r| r.api_base())
            .chain(LATERPAY_REGIONS.iter().map(|(_, _, host)| *host))
            .chain(self.clover.values().map(String::as_str))
            .chain(self.laterpay.values().map(String::as_str))
            .for_each(|b| http.allow(b));
    }

    /// Drops every configured base the URL gate refuses (`javascript:`, `//host`,
    /// `/\host` ...), with a warning for the host page's developer.
    fn gate(&mut self) {
        let mut refused = Vec::new();
        let mut keep = |map: &mut BTreeMap<String, String>, what: &str| {
            map.retain(|region, base| match usable_base(base) {
                Some(ok) => {
                    *base = ok.as_str().to_string();
                    true
                }
                None => {
                    refused.push(format!("{what}.{region}"));
                    false
                }
            });
        };
        keep(&mut self.clover, "clover");
        keep(&mut self.laterpay, "laterpay");
        if let Some(o) = self.oauth.as_mut() {
            keep(&mut o.authorize, "oauth.authorize");
        }
        if !self.clover_files.trim().is_empty() && self.clover_files().is_none() {
            refused.push("clover_files".to_string());
            self.clover_files.clear();
        }
        for r in refused {
            web_sys::console::warn_1(
                &format!("Merchant Console: config.json {r} ignored: not an http(s) URL or a path on this server").into(),
            );
        }
    }

    /// Base URL for a LaterPay region key, likewise.
    pub fn laterpay_base(&self, region: &str) -> Option<String> {
        let default = LATERPAY_REGIONS
            .iter()
            .find(|(id, _, _)| *id == region)
            .map(|(_, _, host)| host.to_string());
        resolve(&self.laterpay, region, default)
    }
}

fn resolve(
    configured: &BTreeMap<String, String>,
    key: &str,
    default: Option<String>,
) -> Option<String> {
    if is_custom_base(key) {
        // A base the person typed (allowed by the form's submit): used only if it passes
        // the gate.
        return usable_base(key).map(|b| b.as_str().to_string());
    }
    configured
        .get(key)
        .cloned()
        .or(default)
        .map(|b| b.trim_end_matches('/').to_string())
}

/// Reads the host's `config.json` (when there is one to read) and applies the mount's
/// own settings on top. A missing or broken file means defaults; a broken one is
/// reported on the console because it is the host's mistake. Every base passes the URL
/// gate; the mount's `http` may then reach exactly the configured hosts.
pub async fn load(source: Option<&str>, embed: &EmbedConfig, http: &Http) -> RuntimeConfig {
    let mut config = match source {
        Some(url) => read(url, http).await,
        None => RuntimeConfig::default(),
    };
    config.gate();
    config.apply(embed);
    config.allow_hosts(http);
    config
}

/// Lets the mount's requests reach a base the person typed (custom region).
pub fn allow_typed_base(http: &Http, base: &str) {
    if let Some(b) = usable_base(base) {
        http.allow(b.as_str());
    }
}

impl RuntimeConfig {
    /// A mount's `clover-base` / `laterpay-base` serve every region of that API: the host
    /// (a portal's proxy, say) decides where requests go, whatever region is picked.
    fn apply(&mut self, embed: &EmbedConfig) {
        if let Some(base) = &embed.clover_base {
            for region in Region::ALL {
                self.clover.insert(region.id().to_string(), base.clone());
            }
        }
        if let Some(base) = &embed.laterpay_base {
            for (id, _, _) in LATERPAY_REGIONS {
                self.laterpay.insert(id.to_string(), base.clone());
            }
        }
    }
}

/// How long the configuration may take to arrive.
const CONFIG_TIMEOUT_MS: u32 = 15_000;

async fn read(url: &str, http: &Http) -> RuntimeConfig {
    // Relative to the page ("config.json" beside index.html); the host page named this
    // file, so its host may be called even when it is another one.
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let Some(absolute) = web_sys::Url::new_with_base(url, &base)
        .ok()
        .map(|u| u.href())
    else {
        return RuntimeConfig::default();
    };
    let url = absolute.as_str();
    http.allow(url);
    match http
        .send(Request::get(url, &Auth::None, CONFIG_TIMEOUT_MS))
        .await
    {
        Ok(resp) if (200..300).contains(&resp.status) => serde_json::from_str(&resp.body)
            .unwrap_or_else(|e| {
                web_sys::console::warn_1(&format!("Merchant Console: {url} ignored: {e}").into());
                RuntimeConfig::default()
            }),
        Ok(_) => RuntimeConfig::default(),
        Err(e) => {
            web_sys::console::warn_1(
                &format!(
                    "Merchant Console: {url} could not be read ({e}); using the default hosts"
                )
                .into(),
            );
            RuntimeConfig::default()
        }
    }
}
