//! Credentials, as a typed model: what a request proves itself with, per API, region and
//! merchant, and what of it may ever be written to storage.
//!
//! * **none**: nothing held; a request that needs credentials waits for them (the queue's
//!   `Response::NoCredentials`), it is never sent without them.
//! * **pasted** token or API key: in memory; in storage only when the person opted in
//!   ("remember on this device").
//! * **OAuth session** (Sign in with Clover): in memory only, never in storage. A tab that
//!   takes over the export queue from another one has no session and says so.
//! * **held by the proxy**: not a secret at all but a property of the mount or of the
//!   request ([`CredentialSource::Proxy`]), saved with an export request so a reload in a
//!   portal continues without asking for anything.

use serde::{Deserialize, Serialize};

use crate::oauth::TokenState;
use crate::Millis;

/// Which API a credential is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Api {
    /// Clover (Bearer token).
    Clover,
    /// LaterPay (Basic: merchant id and API key).
    LaterPay,
}

/// Who adds the credentials to a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialSource {
    /// This tab: a pasted token or an OAuth session.
    #[default]
    Tab,
    /// The portal's proxy adds them on its side: the page sends none (cookies only).
    Proxy,
}

/// One API, region and merchant. The region is the region id or the custom base URL the
/// request goes to: the same merchant id in two regions has two tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialKey {
    /// The API.
    pub api: Api,
    /// Region id or custom base.
    pub region: String,
    /// Merchant id.
    pub merchant: String,
}

impl CredentialKey {
    /// A key; the merchant id is trimmed.
    pub fn new(api: Api, region: &str, merchant: &str) -> Self {
        Self {
            api,
            region: region.trim().to_string(),
            merchant: merchant.trim().to_string(),
        }
    }
}

/// What this tab holds for one key.
#[derive(Clone, PartialEq, Eq)]
enum Held {
    Pasted(String),
    OAuth(TokenState),
}

// No Debug on anything holding a secret: it must never reach a log line.

/// What to send with one request, as decided here.
#[derive(Clone, PartialEq, Eq)]
pub enum Authorization {
    /// No Authorization header; cookies included (the proxy adds the credentials).
    Proxy,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic <user:password>`.
    Basic {
        /// The merchant id.
        user: String,
        /// The API key.
        password: String,
    },
    /// Nothing is held: do not send.
    Missing,
}

/// Every credential of one mounted app (a handful: a list, not a map, keeps the wasm small).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    held: Vec<(CredentialKey, Held)>,
    remember: bool,
}

/// The stored form: pasted secrets only.
#[derive(Serialize, Deserialize)]
struct Saved {
    api: Api,
    region: String,
    merchant: String,
    secret: String,
}

/// Reads the stored form from a parsed `Value` by hand: what the derived `Deserialize`
/// reads (the tests compare both), in less wasm. Unknown fields are ignored; a missing
/// field, a wrong type or an unknown API makes the whole list unreadable. Two forms no
/// version wrote differ: an entry written as an array is refused, a repeated field
/// keeps its last value (serde refused the whole list).
fn read_saved(json: &str) -> Option<Vec<Saved>> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v.as_array()?
        .iter()
        .map(|s| {
            let s = s.as_object()?;
            let text = |k: &str| s.get(k)?.as_str().map(str::to_string);
            // A unit variant: "Clover", or {"Clover": null} as serde also reads it.
            let api = match s.get("api")? {
                serde_json::Value::String(name) => name,
                serde_json::Value::Object(m) if m.len() == 1 => match m.iter().next()? {
                    (name, serde_json::Value::Null) => name,
                    _ => return None,
                },
                _ => return None,
            };
            Some(Saved {
                api: match api.as_str() {
                    "Clover" => Api::Clover,
                    "LaterPay" => Api::LaterPay,
                    _ => return None,
                },
                region: text("region")?,
                merchant: text("merchant")?,
                secret: text("secret")?,
            })
        })
        .collect()
}

impl Credentials {
    fn get(&self, key: &CredentialKey) -> Option<&Held> {
        self.held.iter().find(|(k, _)| k == key).map(|(_, h)| h)
    }

    fn put(&mut self, key: CredentialKey, held: Held) {
        match self.held.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = held,
            None => self.held.push((key, held)),
        }
    }

    /// Restores what an earlier visit saved with "remember" on. Anything unreadable is
    /// dropped (the person types it again).
    pub fn from_saved(json: Option<&str>) -> Self {
        let Some(saved) = json.and_then(read_saved) else {
            return Self::default();
        };
        let held = saved
            .into_iter()
            .filter(|s| !s.secret.is_empty())
            .map(|s| {
                (
                    CredentialKey::new(s.api, &s.region, &s.merchant),
                    Held::Pasted(s.secret),
                )
            })
            .collect();
        Self {
            held,
            remember: true,
        }
    }

    /// What to keep in storage now: `None` means "nothing: remove the stored copy". Only
    /// pasted secrets, and only with "remember" on; OAuth sessions never.
    pub fn saved(&self) -> Option<String> {
        if !self.remember {
            return None;
        }
        let saved: Vec<Saved> = self
            .held
            .iter()
            .filter_map(|(k, h)| match h {
                Held::Pasted(secret) => Some(Saved {
                    api: k.api,
                    region: k.region.clone(),
                    merchant: k.merchant.clone(),
                    secret: secret.clone(),
                }),
                Held::OAuth(_) => None,
            })
            .collect();
        serde_json::to_string(&saved).ok()
    }

    /// Whether "remember on this device" is on.
    pub fn remembers(&self) -> bool {
        self.remember
    }

    /// Turns "remember on this device" on or off.
    pub fn set_remember(&mut self, on: bool) {
        self.remember = on;
    }

    /// Keeps a pasted token or key (an empty one removes what was pasted). An OAuth
    /// session for the key stays: it wins over a pasted token.
    pub fn set_pasted(&mut self, key: CredentialKey, secret: &str) {
        let secret = secret.trim();
        match self.get(&key) {
            Some(Held::OAuth(_)) => {}
            _ if secret.is_empty() => self.remove(&key),
            _ => self.put(key, Held::Pasted(secret.to_string())),
        }
    }

    /// Keeps an OAuth session (memory only).
    pub fn set_oauth(&mut self, key: CredentialKey, tokens: TokenState) {
        self.put(key, Held::OAuth(tokens));
    }

    /// Forgets one key.
    pub fn remove(&mut self, key: &CredentialKey) {
        self.held.retain(|(k, _)| k != key);
    }

    /// Forgets everything and turns "remember" off.
    pub fn forget_all(&mut self) {
        self.held.clear();
        self.remember = false;
    }

    /// The pasted secret for a key, for prefilling a form.
    pub fn pasted(&self, key: &CredentialKey) -> Option<&str> {
        match self.get(key) {
            Some(Held::Pasted(s)) => Some(s),
            _ => None,
        }
    }

    /// The OAuth session for a key.
    pub fn oauth(&self, key: &CredentialKey) -> Option<&TokenState> {
        match self.get(key) {
            Some(Held::OAuth(t)) => Some(t),
            _ => None,
        }
    }

    /// Whether a key has an OAuth session.
    pub fn has_oauth(&self, key: &CredentialKey) -> bool {
        self.oauth(key).is_some()
    }

    /// Whether anything is held for a key.
    pub fn holds(&self, key: &CredentialKey) -> bool {
        self.get(key).is_some()
    }

    /// What to send for a request to `key` whose credentials come from `source`. An
    /// OAuth session whose access token is known to be expired (and cannot be refreshed)
    /// counts as missing.
    pub fn authorization(
        &self,
        source: CredentialSource,
        key: &CredentialKey,
        now: Millis,
    ) -> Authorization {
        if source == CredentialSource::Proxy {
            return Authorization::Proxy;
        }
        let secret = match self.get(key) {
            Some(Held::Pasted(s)) => s.clone(),
            Some(Held::OAuth(t)) if t.access_valid(now) || t.can_refresh(now) => {
                t.access_token.clone()
            }
            _ => return Authorization::Missing,
        };
        match key.api {
            Api::Clover => Authorization::Bearer(secret),
            Api::LaterPay => Authorization::Basic {
                user: key.merchant.clone(),
                password: secret,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_is_read_as_the_derive_reads_it() {
        let good = r#"{"api":"LaterPay","region":"eu","merchant":"M1","secret":"k"}"#;
        let docs = [
            "",
            "null",
            "{}",
            "[]",
            "[null]",
            "[1]",
            "[[\"Clover\",\"eu\",\"M\",\"t\"]]",
            r#"[{"api":"Clover","region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":{"Clover":null},"region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":{"Clover":{}},"region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":{"Clover":null,"LaterPay":null},"region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":"Square","region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":"clover","region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":null,"region":"eu","merchant":"M","secret":"t"}]"#,
            r#"[{"api":"Clover","region":"eu","merchant":"M"}]"#,
            r#"[{"api":"Clover","region":"eu","merchant":"M","secret":null}]"#,
            r#"[{"api":"Clover","region":"eu","merchant":7,"secret":"t"}]"#,
            r#"[{"api":"Clover","region":"eu","merchant":"M","secret":"","x":1}]"#,
            r#"[{"api":"Clover","region":"eu","merchant":"M","secret":"t","secret":"u"}]"#,
        ];
        let with_good = docs.iter().map(|d| match d.strip_prefix('[') {
            Some(rest) if rest != "]" => format!("[{good},{rest}"),
            _ => format!("[{good}]"),
        });
        for doc in docs.iter().map(|d| d.to_string()).chain(with_good) {
            let ours = read_saved(&doc).map(|v| {
                v.into_iter()
                    .map(|s| (s.api, s.region, s.merchant, s.secret))
                    .collect::<Vec<_>>()
            });
            let derived = serde_json::from_str::<Vec<Saved>>(&doc).ok().map(|v| {
                v.into_iter()
                    .map(|s| (s.api, s.region, s.merchant, s.secret))
                    .collect::<Vec<_>>()
            });
            // serde also reads a struct written as an array, a form never saved.
            if doc.contains(r#"["Clover","#) {
                assert!(derived.is_some() && ours.is_none(), "{doc}");
            } else if doc.contains(r#""secret":"t","secret""#) {
                // A duplicate field: serde refuses it, the Value keeps the last one.
                assert!(derived.is_none(), "{doc}");
            } else {
                assert_eq!(ours, derived, "{doc}");
            }
        }
    }

    fn tokens(access: &str, expires: Option<Millis>) -> TokenState {
        TokenState {
            access_token: access.into(),
            issued_at: 0,
            access_expires_at: expires,
            refresh_token: None,
            refresh_expires_at: None,
        }
    }

    fn key(api: Api, region: &str, merchant: &str) -> CredentialKey {
        CredentialKey::new(api, region, merchant)
    }

    #[test]
    fn nothing_is_saved_without_opt_in_and_oauth_never() {
        let mut c = Credentials::default();
        c.set_pasted(key(Api::Clover, "us", "M1"), "tok");
        c.set_oauth(key(Api::Clover, "eu", "M1"), tokens("oauth-secret", None));
        assert_eq!(c.saved(), None);
        c.set_remember(true);
        let saved = c.saved().unwrap();
        assert!(saved.contains("tok"));
        assert!(!saved.contains("oauth-secret"));
        let back = Credentials::from_saved(Some(&saved));
        assert!(back.remembers());
        assert_eq!(back.pasted(&key(Api::Clover, "us", "M1")), Some("tok"));
        assert!(!back.holds(&key(Api::Clover, "eu", "M1")));
    }

    #[test]
    fn keys_include_the_region_and_the_api() {
        let mut c = Credentials::default();
        c.set_pasted(key(Api::Clover, "us", "M1"), "us-token");
        c.set_pasted(key(Api::Clover, "eu", "M1"), "eu-token");
        c.set_pasted(key(Api::LaterPay, "eu", "M1"), "lp-key");
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &key(Api::Clover, "us", "M1"), 0),
            Authorization::Bearer(t) if t == "us-token"
        ));
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &key(Api::Clover, "eu", "M1"), 0),
            Authorization::Bearer(t) if t == "eu-token"
        ));
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &key(Api::LaterPay, "eu", "M1"), 0),
            Authorization::Basic { user, password } if user == "M1" && password == "lp-key"
        ));
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &key(Api::Clover, "la", "M1"), 0),
            Authorization::Missing
        ));
    }

    #[test]
    fn proxy_needs_nothing_and_oauth_wins_over_pasted() {
        let mut c = Credentials::default();
        let k = key(Api::Clover, "us", "M1");
        assert!(matches!(
            c.authorization(CredentialSource::Proxy, &k, 0),
            Authorization::Proxy
        ));
        c.set_oauth(k.clone(), tokens("oauth", Some(1_000)));
        c.set_pasted(k.clone(), "pasted");
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &k, 0),
            Authorization::Bearer(t) if t == "oauth"
        ));
        // Expired and not refreshable: missing, so the request waits for a sign-in.
        assert!(matches!(
            c.authorization(CredentialSource::Tab, &k, 2_000),
            Authorization::Missing
        ));
    }

    #[test]
    fn empty_paste_removes_and_unreadable_saves_are_dropped() {
        let mut c = Credentials::default();
        let k = key(Api::LaterPay, "eu", "M1");
        c.set_pasted(k.clone(), "  key  ");
        assert_eq!(c.pasted(&k), Some("key"));
        c.set_pasted(k.clone(), " ");
        assert!(!c.holds(&k));
        let c = Credentials::from_saved(Some(r#"{"clover:M1":"old-format"}"#));
        assert!(!c.remembers());
        assert!(!c.holds(&key(Api::Clover, "us", "M1")));
        c.clone().forget_all();
    }
}
