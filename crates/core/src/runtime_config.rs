//! Runtime configuration: which base URL each API region uses, from the host's
//! `config.json` (a portal points regions at its proxy paths; the sandbox points them at
//! itself) and the mount's own settings. Without one, the real hosts are used.
//!
//! The file is the host's input, so it is read leniently, part by part, from a JSON value:
//! a part of the wrong type is left out and named in [`RuntimeConfig::ignored`], and the
//! rest still applies. Every base then passes the URL gate ([`RuntimeConfig::gate`]).
//! (Reading by hand instead of through derived `Deserialize` also keeps kilobytes of
//! serde and map code out of the wasm; the maps are short lists for the same reason.)

use serde_json::{Map, Value};

use crate::embed::EmbedConfig;
use crate::export::Region;
use crate::url_gate::{usable_base, Base};

/// Region id to base URL, in the file's order.
pub type Bases = Vec<(String, String)>;

/// `config.json` as written by a host. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuntimeConfig {
    /// Clover region id (`us`, `eu`, `la`, `sandbox`) to base URL.
    pub clover: Bases,
    /// LaterPay region id (`eu`, `us`, `eu-sandbox`, `us-sandbox`) to base URL.
    pub laterpay: Bases,
    /// Sign in with Clover: the app's client id and, per region, the authorize page base.
    pub oauth: Option<OAuthConfig>,
    /// Sandbox-only demo credentials to prefill the forms with.
    pub demo: Option<DemoCredentials>,
    /// A files proxy for export files: each is fetched as `GET <proxy>?url=<encoded URL>`
    /// (empty: none).
    pub clover_files: String,
    /// Parts of the file that were left out (wrong type, or refused by the URL gate), as
    /// `clover.eu`, `oauth` ...: for a warning to the host page's developer.
    pub ignored: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DemoCredentials {
    pub clover_merchant: String,
    pub clover_token: String,
    pub laterpay_merchant: String,
    pub laterpay_key: String,
}

/// `config.json`'s `oauth` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OAuthConfig {
    pub client_id: String,
    /// Clover region id to the base of its `/oauth/v2/authorize` page (default: Clover's).
    pub authorize: Bases,
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

/// The base configured for `key`.
fn lookup<'a>(bases: &'a Bases, key: &str) -> Option<&'a String> {
    bases.iter().find(|(k, _)| k == key).map(|(_, b)| b)
}

/// Sets `key` to `base`, replacing an earlier value.
fn set(bases: &mut Bases, key: &str, base: &str) {
    match bases.iter_mut().find(|(k, _)| k == key) {
        Some((_, b)) => *b = base.to_string(),
        None => bases.push((key.to_string(), base.to_string())),
    }
}

/// Reading one JSON object; what does not fit is noted in `ignored`.
struct Reader<'a> {
    object: &'a Map<String, Value>,
    path: &'a str,
    ignored: &'a mut Vec<String>,
}

impl Reader<'_> {
    fn note(&mut self, field: &str) {
        self.ignored.push(if self.path.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.path)
        });
    }

    /// The field as an object; `None` when absent, null or of another type (noted).
    fn object(&mut self, field: &str) -> Option<&Map<String, Value>> {
        match self.object.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(_) => {
                self.note(field);
                None
            }
        }
    }

    /// The field as text; empty when absent, null or of another type (noted).
    fn text(&mut self, field: &str) -> String {
        match self.object.get(field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.note(field);
                String::new()
            }
        }
    }

    /// The field as a map of region to base; entries that are not text are noted.
    fn bases(&mut self, field: &str) -> Bases {
        let Some(map) = self.object(field) else {
            return Bases::new();
        };
        let mut bases = Bases::new();
        let mut bad = Vec::new();
        for (region, base) in map {
            match base {
                Value::String(b) => bases.push((region.clone(), b.clone())),
                _ => bad.push(region.clone()),
            }
        }
        for region in bad {
            self.note(&format!("{field}.{region}"));
        }
        bases
    }
}

impl RuntimeConfig {
    /// Reads `config.json`. `Err` only when the text is not a JSON object at all (the
    /// whole file is then ignored); wrong parts are left out and listed in `ignored`.
    pub fn from_json(text: &str) -> Result<RuntimeConfig, String> {
        let value: Value =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())?;
        let Value::Object(object) = &value else {
            return Err("not a JSON object".to_string());
        };
        let mut ignored = Vec::new();
        let mut top = Reader {
            object,
            path: "",
            ignored: &mut ignored,
        };
        let clover = top.bases("clover");
        let laterpay = top.bases("laterpay");
        let clover_files = top.text("clover_files");
        let oauth_object = top.object("oauth").cloned();
        let demo_object = top.object("demo").cloned();
        let oauth = oauth_object.map(|object| {
            let mut r = Reader {
                object: &object,
                path: "oauth",
                ignored: &mut ignored,
            };
            OAuthConfig {
                client_id: r.text("client_id"),
                authorize: r.bases("authorize"),
            }
        });
        let demo = demo_object.map(|object| {
            let mut r = Reader {
                object: &object,
                path: "demo",
                ignored: &mut ignored,
            };
            DemoCredentials {
                clover_merchant: r.text("clover_merchant"),
                clover_token: r.text("clover_token"),
                laterpay_merchant: r.text("laterpay_merchant"),
                laterpay_key: r.text("laterpay_key"),
            }
        });
        Ok(RuntimeConfig {
            clover,
            laterpay,
            oauth,
            demo,
            clover_files,
            ignored,
        })
    }

    /// Base URL for a Clover region key: a custom URL as is, the configured one, else the
    /// real host.
    pub fn clover_base(&self, region: &str) -> Option<String> {
        let default = Region::from_id(region).map(|r| r.api_base().to_string());
        resolve(&self.clover, region, default)
    }

    /// Base URL for a LaterPay region key, likewise.
    pub fn laterpay_base(&self, region: &str) -> Option<String> {
        let default = LATERPAY_REGIONS
            .iter()
            .find(|(id, _, _)| *id == region)
            .map(|(_, _, host)| host.to_string());
        resolve(&self.laterpay, region, default)
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
            .and_then(|o| lookup(&o.authorize, region))
            .and_then(|b| usable_base(b));
        configured.or_else(|| {
            Region::from_id(region).and_then(|r| usable_base(crate::oauth::authorize_base(r)))
        })
    }

    /// Every configured and default API base: the hosts a mount may reach.
    pub fn api_bases(&self) -> impl Iterator<Item = &str> {
        Region::ALL
            .iter()
            .map(|r| r.api_base())
            .chain(LATERPAY_REGIONS.iter().map(|(_, _, host)| *host))
            .chain(self.clover.iter().map(|(_, b)| b.as_str()))
            .chain(self.laterpay.iter().map(|(_, b)| b.as_str()))
    }

    /// Drops every configured base the URL gate refuses (`javascript:`, `//host`,
    /// `/\host` ...), naming it in `ignored`; the ones kept are normalised.
    pub fn gate(&mut self) {
        let ignored = &mut self.ignored;
        let mut keep = |bases: &mut Bases, what: &str| {
            bases.retain_mut(|(region, base)| match usable_base(base) {
                Some(ok) => {
                    *base = ok.as_str().to_string();
                    true
                }
                None => {
                    ignored.push(format!("{what}.{region}"));
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
            self.ignored.push("clover_files".to_string());
            self.clover_files.clear();
        }
    }

    /// A mount's `clover-base` / `laterpay-base` serve every region of that API: the host
    /// (a portal's proxy, say) decides where requests go, whatever region is picked.
    pub fn apply(&mut self, embed: &EmbedConfig) {
        if let Some(base) = &embed.clover_base {
            for region in Region::ALL {
                set(&mut self.clover, region.id(), base);
            }
        }
        if let Some(base) = &embed.laterpay_base {
            for (id, _, _) in LATERPAY_REGIONS {
                set(&mut self.laterpay, id, base);
            }
        }
    }
}

fn resolve(configured: &Bases, key: &str, default: Option<String>) -> Option<String> {
    if is_custom_base(key) {
        // A base the person typed (allowed by the form's submit): used only if it passes
        // the gate.
        return usable_base(key).map(|b| b.as_str().to_string());
    }
    lookup(configured, key)
        .cloned()
        .or(default)
        .map(|b| b.trim_end_matches('/').to_string())
}
