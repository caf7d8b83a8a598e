//! Runtime configuration: which base URL each API region uses.
//!
//! The page may ship a `config.json` beside `index.html` (a portal points regions at its
//! proxy paths; the sandbox points them at itself). Without one, the real hosts are used.

use std::collections::BTreeMap;

use merchant_console_core::embed::EmbedConfig;
use merchant_console_core::export::Region;
use serde::Deserialize;

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

/// A region key that is itself a base URL (the "custom base URL" choice).
pub fn is_custom_base(key: &str) -> bool {
    key.starts_with("https://") || key.starts_with("http://") || key.starts_with('/')
}

impl RuntimeConfig {
    /// Base URL for a Clover region key: a custom URL as is, the configured one, else the
    /// real host.
    pub fn clover_base(&self, region: &str) -> Option<String> {
        let default = Region::from_id(region).map(|r| r.api_base().to_string());
        resolve(&self.clover, region, default)
    }

    /// Base of the OAuth authorize page for a Clover region: configured, else Clover's.
    pub fn oauth_authorize_base(&self, region: &str) -> Option<String> {
        let default = Region::from_id(region)
            .map(|r| merchant_console_core::oauth::authorize_base(r).to_string());
        let configured = self
            .oauth
            .as_ref()
            .and_then(|o| o.authorize.get(region).cloned());
        configured
            .or(default)
            .map(|b| b.trim_end_matches('/').to_string())
    }

    /// Lets `http` reach every configured and default API host, and no other.
    fn allow_hosts(&self) {
        Region::ALL
            .iter()
            .map(|r| r.api_base())
            .chain(LATERPAY_REGIONS.iter().map(|(_, _, host)| *host))
            .chain(self.clover.values().map(String::as_str))
            .chain(self.laterpay.values().map(String::as_str))
            .for_each(crate::http::allow);
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
    let base = if is_custom_base(key) {
        // A base the person typed: requests to it are theirs to make.
        crate::http::allow(key);
        Some(key.to_string())
    } else {
        configured.get(key).cloned().or(default)
    };
    base.map(|b| b.trim_end_matches('/').to_string())
}

/// Reads the host's `config.json` (when there is one to read) and applies the mount's
/// own settings on top. A missing or broken file means defaults; a broken one is
/// reported on the console because it is the host's mistake.
pub async fn load(source: Option<&str>, embed: &EmbedConfig) -> RuntimeConfig {
    let mut config = match source {
        Some(url) => read(url).await,
        None => RuntimeConfig::default(),
    };
    config.apply(embed);
    config.allow_hosts();
    config
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

async fn read(url: &str) -> RuntimeConfig {
    match gloo_net::http::Request::get(url).send().await {
        Ok(resp) if resp.ok() => match resp.text().await {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                web_sys::console::warn_1(&format!("Merchant Console: {url} ignored: {e}").into());
                RuntimeConfig::default()
            }),
            Err(_) => RuntimeConfig::default(),
        },
        _ => RuntimeConfig::default(),
    }
}
