//! How a host page configures one mounted Merchant Console.
//!
//! The same settings arrive as `data-*` attributes (`data-sections="history"`) or as a
//! JavaScript object passed to `mount(element, config)` (`{ sections: "history" }`);
//! [`EmbedConfig::read`] takes a lookup by attribute name so both share one parser.
//! Unusable values are dropped with a warning the app prints, never a failure: a typo in
//! a host page must not leave a blank box.

/// The app's sections, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Exports,
    History,
}

impl Section {
    pub const ALL: [Section; 2] = [Section::Exports, Section::History];

    pub fn id(self) -> &'static str {
        match self {
            Section::Exports => "exports",
            Section::History => "history",
        }
    }

    pub fn from_id(id: &str) -> Option<Section> {
        match id {
            "exports" | "export" => Some(Section::Exports),
            "history" | "purchase-history" | "purchases" => Some(Section::History),
            _ => None,
        }
    }
}

/// Colour scheme: follow the system, or fixed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn id(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Where the API credentials come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// The person types a token / API key (the default).
    Token,
    /// A portal's server proxies the APIs and holds the credentials: no secret in the page.
    Proxy,
    /// Sign in with Clover (OAuth) for exports.
    SignIn,
}

/// One mount's settings. `None` means "not set by the host": the app's own default or the
/// person's saved choice applies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedConfig {
    /// Namespace for saved state, so two widgets on a page do not share forms or queues.
    pub instance: String,
    /// Sections to show, in tab order; empty means all.
    pub sections: Vec<Section>,
    pub clover_region: Option<String>,
    pub laterpay_region: Option<String>,
    pub merchant_id: Option<String>,
    pub auth: Option<AuthMode>,
    /// API base URLs (absolute, or a path on the page's origin such as `/api/clover`).
    pub clover_base: Option<String>,
    pub laterpay_base: Option<String>,
    /// URL of a `config.json` to read (the full page reads `config.json` by default).
    pub config_url: Option<String>,
    pub theme: Theme,
    /// IANA zone to show dates in, instead of the browser's.
    pub time_zone: Option<String>,
    /// Narrow layout (sidebar widgets).
    pub compact: bool,
    /// What was ignored and why, for the console.
    pub warnings: Vec<String>,
}

const CLOVER_REGIONS: [&str; 4] = ["us", "eu", "la", "sandbox"];
const LATERPAY_REGIONS: [&str; 4] = ["eu", "us", "eu-sandbox", "us-sandbox"];

impl EmbedConfig {
    /// Reads the settings through `get(attribute)`, where `attribute` is the `data-*` name
    /// without `data-` (`sections`, `merchant-id`, `clover-base` ...).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> EmbedConfig {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut c = EmbedConfig {
            instance: get("instance")
                .map(|i| clean_instance(&i))
                .unwrap_or_default(),
            ..EmbedConfig::default()
        };
        if let Some(list) = get("sections") {
            for part in list.split([',', ' ']).filter(|p| !p.is_empty()) {
                match Section::from_id(&part.to_ascii_lowercase()) {
                    Some(s) if !c.sections.contains(&s) => c.sections.push(s),
                    Some(_) => {}
                    None => c.warn(format!("unknown section \"{part}\" (use exports, history)")),
                }
            }
        }
        // `region` sets both APIs where it names a region of each (eu, us).
        if let Some(region) = get("region").map(|r| r.to_ascii_lowercase()) {
            let clover = CLOVER_REGIONS.contains(&region.as_str());
            let laterpay = LATERPAY_REGIONS.contains(&region.as_str());
            if clover {
                c.clover_region = Some(region.clone());
            }
            if laterpay {
                c.laterpay_region = Some(region.clone());
            }
            if !clover && !laterpay {
                c.warn(format!("unknown region \"{region}\""));
            }
        }
        if let Some(r) = get("clover-region").map(|r| r.to_ascii_lowercase()) {
            c.clover_region = c.known(r, &CLOVER_REGIONS, "clover-region");
        }
        if let Some(r) = get("laterpay-region").map(|r| r.to_ascii_lowercase()) {
            c.laterpay_region = c.known(r, &LATERPAY_REGIONS, "laterpay-region");
        }
        c.merchant_id = get("merchant-id");
        c.auth = match get("auth").map(|a| a.to_ascii_lowercase()).as_deref() {
            None => None,
            Some("token" | "key") => Some(AuthMode::Token),
            Some("proxy") => Some(AuthMode::Proxy),
            Some("signin" | "sign-in" | "oauth") => Some(AuthMode::SignIn),
            Some(other) => {
                c.warn(format!(
                    "unknown auth \"{other}\" (use token, proxy, signin)"
                ));
                None
            }
        };
        c.clover_base = get("clover-base").and_then(|b| c.base_url(b, "clover-base"));
        c.laterpay_base = get("laterpay-base").and_then(|b| c.base_url(b, "laterpay-base"));
        c.config_url = get("config").and_then(|b| c.base_url(b, "config"));
        c.theme = match get("theme").map(|t| t.to_ascii_lowercase()).as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(other) => {
                c.warn(format!("unknown theme \"{other}\" (use auto, light, dark)"));
                Theme::Auto
            }
        };
        c.time_zone = get("time-zone").and_then(|z| {
            if is_zone_name(&z) {
                Some(z)
            } else {
                c.warn(format!("\"{z}\" is not an IANA time zone name"));
                None
            }
        });
        c.compact = matches!(
            get("compact").map(|v| v.to_ascii_lowercase()).as_deref(),
            Some("true" | "yes" | "1" | "compact")
        ) || get("layout").as_deref() == Some("compact");
        c
    }

    /// The sections to show: the configured ones, or all.
    pub fn shown_sections(&self) -> Vec<Section> {
        if self.sections.is_empty() {
            Section::ALL.to_vec()
        } else {
            self.sections.clone()
        }
    }

    fn warn(&mut self, text: String) {
        self.warnings.push(text);
    }

    fn known(&mut self, value: String, known: &[&str], name: &str) -> Option<String> {
        if known.contains(&value.as_str()) {
            Some(value)
        } else {
            self.warn(format!("unknown {name} \"{value}\""));
            None
        }
    }

    /// Accepts what the URL gate accepts (http(s) URLs and same-origin paths); anything
    /// else (`javascript:`, `//host`, `/\\host` ...) is refused.
    fn base_url(&mut self, value: String, name: &str) -> Option<String> {
        match crate::url_gate::usable_base(&value) {
            Some(base) => Some(base.as_str().to_string()),
            None => {
                self.warn(format!(
                    "{name} must be an http(s) URL or a path starting with / (got \"{value}\")"
                ));
                None
            }
        }
    }
}

/// A storage namespace: letters, digits, `-` and `_` only.
fn clean_instance(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
        .take(40)
        .collect()
}

/// IANA names only: letters, digits, `_ + -` and `/` between parts (never `..`).
pub fn is_zone_name(name: &str) -> bool {
    name.len() <= 64
        && name.split('/').all(|part| {
            !part.is_empty()
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}
