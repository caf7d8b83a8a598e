//! The one gate every base URL passes before the app uses it: API bases from
//! `config.json` or a mount's attributes, a base the person typed, the OAuth authorize
//! base, the files proxy. A base is usable when it is
//!
//! * an absolute `http://` or `https://` URL with a host, or
//! * a path on this page's server: one leading `/` (not `//`, which a browser reads as
//!   another host),
//!
//! and in both cases holds no backslash (browsers read `/\evil.example` as
//! `//evil.example`), no control character (tab and newline are dropped by URL parsers,
//! so `/\t/evil.example` becomes `//evil.example`) and no space.

/// A base URL that passed the gate, without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base(String);

impl Base {
    /// The base as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a path on this page's server.
    pub fn is_same_origin(&self) -> bool {
        self.0.starts_with('/') || self.0.is_empty()
    }

    /// `scheme://host[:port]`, lower-cased; `None` for a same-origin path.
    pub fn origin(&self) -> Option<String> {
        origin_of(&self.0)
    }
}

impl std::fmt::Display for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `s` may be used as a base URL; the base without trailing slashes when it may.
/// Leading and trailing spaces are trimmed first (a pasted value).
pub fn usable_base(s: &str) -> Option<Base> {
    let s = s.trim();
    if s.chars()
        .any(|c| c.is_control() || c == '\\' || c.is_whitespace())
    {
        return None;
    }
    let ok = match split_scheme(s) {
        Some((_, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.contains('@') && !rest.starts_with('/')
        }
        None => s.starts_with('/') && !s.starts_with("//"),
    };
    ok.then(|| {
        let trimmed = s.trim_end_matches('/');
        // "/" alone is this server's root: an empty base, paths are appended to it.
        Base(trimmed.to_string())
    })
}

/// `https://Host:443/x` → `Some("https://host:443")`; `None` for anything that is not
/// an absolute http(s) URL (same-origin paths included).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = split_scheme(url.trim())?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// Whether `url` is a request to this page's own server (a single leading `/`), which
/// the allow-list always lets through. Anything that a browser could resolve to another
/// host (`//h`, `/\h`, `/<tab>/h`) is not.
pub fn is_same_origin_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.chars().any(|c| c.is_control() || c == '\\')
}

/// `("https", rest)` for `https://rest` (scheme case-insensitive).
fn split_scheme(s: &str) -> Option<(&'static str, &str)> {
    let lower = |n: usize| s.get(..n).map(str::to_ascii_lowercase);
    if lower(8).as_deref() == Some("https://") {
        Some(("https", &s[8..]))
    } else if lower(7).as_deref() == Some("http://") {
        Some(("http", &s[7..]))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_bases_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/api\r\nX-Injected: 1",
            "/a b",
            "https://",
            "https:///path",
            "https://user@evil.example",
            "http:evil.example",
            "ftp://files.example",
            "evil.example",
            "",
            "  ",
            "api/clover",
            "https://\u{0}x",
        ] {
            assert_eq!(usable_base(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn good_bases_pass_without_trailing_slash() {
        for (good, want) in [
            ("https://api.clover.com", "https://api.clover.com"),
            ("https://api.clover.com/", "https://api.clover.com"),
            (
                "HTTPS://API.example:8443/v1/",
                "HTTPS://API.example:8443/v1",
            ),
            (
                "http://127.0.0.1:8787/clover/us",
                "http://127.0.0.1:8787/clover/us",
            ),
            ("/api/clover", "/api/clover"),
            ("  /api/clover/  ", "/api/clover"),
            ("/", ""),
        ] {
            assert_eq!(
                usable_base(good).map(|b| b.0),
                Some(want.to_string()),
                "{good}"
            );
        }
        assert!(usable_base("/api").unwrap().is_same_origin());
        assert!(!usable_base("https://x.example").unwrap().is_same_origin());
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://Host.Example:443/x?y#z").as_deref(),
            Some("https://host.example:443")
        );
        assert_eq!(origin_of("HTTP://a.b").as_deref(), Some("http://a.b"));
        assert_eq!(origin_of("/api"), None);
        assert_eq!(origin_of("javascript:x"), None);
        assert!(is_same_origin_path("/api/x"));
        for bad in ["//h/x", "/\\h", "/\t/h", "https://h/x", "x", ""] {
            assert!(!is_same_origin_path(bad), "{bad:?}");
        }
    }
}
