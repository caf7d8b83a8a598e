//! Clover OAuth v2 for a browser app: authorization code with PKCE (S256).
//!
//! Pure: the caller supplies random bytes and the current time. The app keeps the
//! verifier and `state` for the redirect round trip only, exchanges the code, then keeps
//! a [`TokenState`] in memory and asks it when to refresh.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::export::Region;
use crate::Millis;

/// Refresh this long before the access token expires (or at half its lifetime when
/// that is shorter).
pub const REFRESH_AHEAD_MS: Millis = 60_000;

/// Something wrong in the OAuth round trip, worded for the person signing in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthError {
    /// Fewer than 32 or more than 96 random bytes (verifier must be 43..=128 chars).
    BadRandom(usize),
    /// The redirect carried no `state`, or no sign-in was started in this tab.
    MissingState,
    /// The redirect's `state` is not the one this tab sent: possibly forged.
    StateMismatch,
    /// Clover answered with `error=...`.
    Denied(String),
    /// The redirect has a state but no code.
    MissingCode,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OAuthError::BadRandom(n) => write!(f, "PKCE needs 32 to 96 random bytes, got {n}"),
            OAuthError::MissingState => f.write_str(
                "Sign-in refused: the answer from Clover has no matching sign-in started in this tab. Start again with \"Sign in with Clover\".",
            ),
            OAuthError::StateMismatch => f.write_str(
                "Sign-in refused: the answer from Clover does not belong to the sign-in started in this tab (state mismatch). No token was requested. Start again with \"Sign in with Clover\".",
            ),
            OAuthError::Denied(e) => write!(f, "Clover did not grant access ({e})."),
            OAuthError::MissingCode => {
                f.write_str("Sign-in failed: Clover's answer has no authorization code.")
            }
        }
    }
}

impl std::error::Error for OAuthError {}

/// A PKCE code verifier: base64url without padding of the given random bytes
/// (32 bytes give the recommended 43 characters; at most 96 bytes = 128 characters).
pub fn pkce_verifier(random: &[u8]) -> Result<String, OAuthError> {
    if !(32..=96).contains(&random.len()) {
        return Err(OAuthError::BadRandom(random.len()));
    }
    Ok(URL_SAFE_NO_PAD.encode(random))
}

/// The S256 challenge of a verifier: base64url(SHA-256(verifier)), no padding.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// An opaque `state` value from random bytes (base64url).
pub fn state_value(random: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

/// Where each Clover region's authorize page lives (the token endpoints are on the API host).
pub fn authorize_base(region: Region) -> &'static str {
    match region {
        Region::Us => "https://www.clover.com",
        Region::Eu => "https://www.eu.clover.com",
        Region::La => "https://www.la.clover.com",
        Region::Sandbox => "https://sandbox.dev.clover.com",
    }
}

/// `{base}/oauth/v2/authorize?response_type=code&client_id=..&redirect_uri=..&state=..&code_challenge=..&code_challenge_method=S256`.
pub fn authorize_url(
    base: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    code_challenge: &str,
) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge", code_challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{}/oauth/v2/authorize?{query}", base.trim_end_matches('/'))
}

/// The OAuth parameters of the page's query string after Clover redirected back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redirect {
    pub code: Option<String>,
    pub state: Option<String>,
    pub merchant_id: Option<String>,
    pub error: Option<String>,
}

impl Redirect {
    /// Reads a query string (with or without the leading `?`). `None` when it carries
    /// nothing of OAuth (no `code`, `state` or `error`): an ordinary page load.
    pub fn parse(query: &str) -> Option<Redirect> {
        let mut r = Redirect::default();
        for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let v = Some(v.into_owned());
            match k.as_ref() {
                "code" => r.code = v,
                "state" => r.state = v,
                "merchant_id" => r.merchant_id = v,
                "error" => r.error = v,
                _ => {}
            }
        }
        (r.code.is_some() || r.state.is_some() || r.error.is_some()).then_some(r)
    }

    /// Checks the redirect against the `state` this tab saved before leaving. Only a
    /// matching state yields the code to exchange.
    pub fn check(&self, expected_state: Option<&str>) -> Result<Grant, OAuthError> {
        let (Some(got), Some(expected)) = (self.state.as_deref(), expected_state) else {
            return Err(OAuthError::MissingState);
        };
        if !constant_time_eq(got.as_bytes(), expected.as_bytes()) {
            return Err(OAuthError::StateMismatch);
        }
        if let Some(e) = &self.error {
            return Err(OAuthError::Denied(e.clone()));
        }
        match &self.code {
            Some(code) if !code.is_empty() => Ok(Grant {
                code: code.clone(),
                merchant_id: self.merchant_id.clone().filter(|m| !m.is_empty()),
            }),
            _ => Err(OAuthError::MissingCode),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A checked authorization code, ready to exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub code: String,
    pub merchant_id: Option<String>,
}

/// JSON body of `POST /oauth/v2/token`.
pub fn token_request_body(client_id: &str, code: &str, code_verifier: &str) -> String {
    serde_json::json!({"client_id": client_id, "code": code, "code_verifier": code_verifier})
        .to_string()
}

/// JSON body of `POST /oauth/v2/refresh`.
pub fn refresh_request_body(client_id: &str, refresh_token: &str) -> String {
    serde_json::json!({"client_id": client_id, "refresh_token": refresh_token}).to_string()
}

/// Answer of `/oauth/v2/token` and `/oauth/v2/refresh`. Expirations are epoch seconds
/// (Clover) or milliseconds (told apart by size); `expires_in` is seconds from now.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub access_token_expiration: Option<i64>,
    #[serde(default)]
    pub expires_in: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub refresh_token_expiration: Option<i64>,
}

impl TokenResponse {
    pub fn from_json(body: &str) -> Result<TokenResponse, String> {
        serde_json::from_str(body).map_err(|e| format!("unexpected token answer: {e}"))
    }
}

/// How a token or refresh call ended, as the page must act on it.
pub enum TokenOutcome {
    /// New tokens.
    Tokens(TokenState),
    /// Clover said no (4xx) or answered 2xx with something that is not a token: the code
    /// or refresh token is spent. Signing in again is the only way on.
    Refused(String),
    /// No usable answer for now (timeout, no connection, 429, 5xx): the tokens held are
    /// kept and the call is tried again later. A single-use refresh token that Clover did
    /// spend is then refused on that next try, and only then is sign-in asked for.
    Unreachable(String),
}

impl TokenOutcome {
    /// From the HTTP status and body of the answer, received at `now`.
    pub fn from_answer(status: u16, body: &str, now: Millis) -> TokenOutcome {
        match status {
            200..=299 => match TokenResponse::from_json(body) {
                Ok(r) => TokenOutcome::Tokens(TokenState::from_response(r, now)),
                Err(e) => TokenOutcome::Refused(e),
            },
            408 | 429 | 500..=599 => TokenOutcome::Unreachable(format!("Clover answered {status}")),
            _ => TokenOutcome::Refused(format!("Clover answered {status}")),
        }
    }
}

/// Epoch seconds or milliseconds to milliseconds (before 1973 in ms = seconds).
fn to_ms(t: i64) -> Millis {
    if t.abs() < 100_000_000_000 {
        t.saturating_mul(1000)
    } else {
        t
    }
}

/// The tokens held in memory, and when to renew them.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenState {
    pub access_token: String,
    /// When the token was received.
    pub issued_at: Millis,
    /// `None`: no expiry was given; use until refused.
    pub access_expires_at: Option<Millis>,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Option<Millis>,
}

// No Debug: tokens must never reach a log line.

impl TokenState {
    /// From a token answer received at `now`.
    pub fn from_response(r: TokenResponse, now: Millis) -> TokenState {
        let access_expires_at = r.access_token_expiration.map(to_ms).or_else(|| {
            r.expires_in
                .map(|s| now.saturating_add(s.saturating_mul(1000)))
        });
        TokenState {
            access_token: r.access_token,
            issued_at: now,
            access_expires_at,
            refresh_token: r.refresh_token.filter(|t| !t.is_empty()),
            refresh_expires_at: r.refresh_token_expiration.map(to_ms),
        }
    }

    /// True once the access token is expired or within [`REFRESH_AHEAD_MS`] of it (half
    /// its lifetime for short-lived tokens, so they are not refreshed on every request).
    pub fn needs_refresh(&self, now: Millis) -> bool {
        self.access_expires_at.is_some_and(|t| {
            let margin = REFRESH_AHEAD_MS.min((t - self.issued_at).max(0) / 2);
            now >= t.saturating_sub(margin)
        })
    }

    /// True while a refresh token is held and not known to be expired.
    pub fn can_refresh(&self, now: Millis) -> bool {
        self.refresh_token.is_some() && self.refresh_expires_at.is_none_or(|t| now < t)
    }

    /// True while the access token is not known to be expired.
    pub fn access_valid(&self, now: Millis) -> bool {
        self.access_expires_at.is_none_or(|t| now < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_outcomes_keep_the_tokens_only_when_clover_could_not_answer() {
        let ok = r#"{"access_token":"a","expires_in":60,"refresh_token":"r"}"#;
        assert!(
            matches!(TokenOutcome::from_answer(200, ok, 0), TokenOutcome::Tokens(t) if t.access_token == "a")
        );
        assert!(matches!(
            TokenOutcome::from_answer(200, "<html>", 0),
            TokenOutcome::Refused(_)
        ));
        for status in [400, 401, 403, 404] {
            assert!(
                matches!(
                    TokenOutcome::from_answer(status, "{}", 0),
                    TokenOutcome::Refused(_)
                ),
                "{status}"
            );
        }
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    TokenOutcome::from_answer(status, ok, 0),
                    TokenOutcome::Unreachable(_)
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn verifier_length_and_alphabet() {
        let v = pkce_verifier(&[0xffu8; 32]).unwrap();
        assert_eq!(v.len(), 43);
        assert!(v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(pkce_verifier(&[7u8; 96]).unwrap().len(), 128);
        assert_eq!(pkce_verifier(&[1u8; 31]), Err(OAuthError::BadRandom(31)));
        assert_eq!(pkce_verifier(&[1u8; 97]), Err(OAuthError::BadRandom(97)));
    }

    #[test]
    fn s256_challenge_matches_rfc7636_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn authorize_url_is_encoded() {
        let u = authorize_url(
            "https://sandbox.dev.clover.com/",
            "APP 1",
            "https://example.com/app/?x=1&y=2",
            "s+t/=",
            "ch",
        );
        assert_eq!(
            u,
            "https://sandbox.dev.clover.com/oauth/v2/authorize?response_type=code&client_id=APP+1\
             &redirect_uri=https%3A%2F%2Fexample.com%2Fapp%2F%3Fx%3D1%26y%3D2&state=s%2Bt%2F%3D\
             &code_challenge=ch&code_challenge_method=S256"
        );
        assert_eq!(authorize_base(Region::Eu), "https://www.eu.clover.com");
    }

    #[test]
    fn redirect_parsing_and_state_check() {
        assert_eq!(Redirect::parse(""), None);
        assert_eq!(Redirect::parse("?tab=x"), None);
        let r = Redirect::parse("?code=abc%2B1&state=xyz&merchant_id=M1&other=1").unwrap();
        assert_eq!(
            r.check(Some("xyz")),
            Ok(Grant {
                code: "abc+1".into(),
                merchant_id: Some("M1".into())
            })
        );
        assert_eq!(r.check(Some("xy")), Err(OAuthError::StateMismatch));
        assert_eq!(r.check(None), Err(OAuthError::MissingState));
        let no_state = Redirect::parse("code=abc").unwrap();
        assert_eq!(no_state.check(Some("xyz")), Err(OAuthError::MissingState));
        let denied = Redirect::parse("error=access_denied&state=xyz").unwrap();
        assert_eq!(
            denied.check(Some("xyz")),
            Err(OAuthError::Denied("access_denied".into()))
        );
        assert_eq!(
            Redirect::parse("state=xyz").unwrap().check(Some("xyz")),
            Err(OAuthError::MissingCode)
        );
        assert!(OAuthError::StateMismatch.to_string().contains("state"));
    }

    #[test]
    fn token_state_refresh_timing() {
        let now = 1_700_000_000_000;
        let r = TokenResponse::from_json(
            r#"{"access_token":"a","access_token_expiration":1700000120,"refresh_token":"r","refresh_token_expiration":1700086400,"extra":1}"#,
        )
        .unwrap();
        let t = TokenState::from_response(r, now);
        assert_eq!(t.access_expires_at, Some(now + 120_000));
        assert!(!t.needs_refresh(now));
        assert!(!t.needs_refresh(now + 59_999));
        assert!(t.needs_refresh(now + 60_000));
        assert!(t.access_valid(now + 119_999));
        assert!(!t.access_valid(now + 120_000));
        assert!(t.can_refresh(now + 1000));
        assert!(!t.can_refresh(now + 86_400_000));

        let r = TokenResponse::from_json(r#"{"access_token":"a","expires_in":30}"#).unwrap();
        let t = TokenState::from_response(r, now);
        assert_eq!(t.access_expires_at, Some(now + 30_000));
        assert!(
            !t.needs_refresh(now + 14_999),
            "short-lived: refresh at half its life"
        );
        assert!(t.needs_refresh(now + 15_000));
        assert!(!t.can_refresh(now));

        let r = TokenResponse::from_json(
            r#"{"access_token":"a","access_token_expiration":1700000120000}"#,
        )
        .unwrap();
        let t = TokenState::from_response(r, now);
        assert_eq!(t.access_expires_at, Some(now + 120_000));
        let never = TokenState::from_response(
            TokenResponse::from_json(r#"{"access_token":"a"}"#).unwrap(),
            now,
        );
        assert!(!never.needs_refresh(i64::MAX));
        assert!(TokenResponse::from_json("{}").is_err());
    }

    #[test]
    fn request_bodies() {
        let b: serde_json::Value =
            serde_json::from_str(&token_request_body("c", "k", "v")).unwrap();
        assert_eq!(
            b,
            serde_json::json!({"client_id":"c","code":"k","code_verifier":"v"})
        );
        let b: serde_json::Value = serde_json::from_str(&refresh_request_body("c", "r")).unwrap();
        assert_eq!(b, serde_json::json!({"client_id":"c","refresh_token":"r"}));
    }
}
