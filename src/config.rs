//! Runtime configuration, the I/O part: reading the host's `config.json` and letting the
//! mount's `Http` reach the configured hosts. What the file means, and which bases may be
//! used, is the core's `runtime_config`.

use merchant_console_core::embed::EmbedConfig;
pub use merchant_console_core::runtime_config::{DemoCredentials, RuntimeConfig, LATERPAY_REGIONS};
use merchant_console_core::url_gate::usable_base;

use crate::http::{Auth, Http, Request};

/// How long the configuration may take to arrive.
const CONFIG_TIMEOUT_MS: u32 = 15_000;

/// Reads the host's `config.json` (when there is one to read) and applies the mount's
/// own settings on top. A missing or broken file means defaults; what was left out of it
/// is reported on the console because it is the host's mistake. Every base passes the URL
/// gate; the mount's `http` may then reach exactly the configured hosts.
pub async fn load(source: Option<&str>, embed: &EmbedConfig, http: &Http) -> RuntimeConfig {
    let mut config = match source {
        Some(url) => read(url, http).await,
        None => RuntimeConfig::default(),
    };
    config.gate();
    for part in &config.ignored {
        warn(&format!(
            "config.json {part} ignored: not in the documented form (bases must be text: an http(s) URL or a path on this server)"
        ));
    }
    config.apply(embed);
    config.api_bases().for_each(|b| http.allow(b));
    config
}

/// Lets the mount's requests reach a base the person typed (custom region).
pub fn allow_typed_base(http: &Http, base: &str) {
    if let Some(b) = usable_base(base) {
        http.allow(b.as_str());
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("Merchant Console: {message}").into());
}

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
        Ok(resp) if (200..300).contains(&resp.status) => RuntimeConfig::from_json(&resp.body)
            .unwrap_or_else(|e| {
                warn(&format!("{url} ignored: {e}"));
                RuntimeConfig::default()
            }),
        Ok(_) => RuntimeConfig::default(),
        Err(e) => {
            warn(&format!(
                "{url} could not be read ({e}); using the default hosts"
            ));
            RuntimeConfig::default()
        }
    }
}
