//! Sandbox configuration: defaults, the optional JSON config file, service windows.
//!
//! Precedence: built-in defaults < `--config` file < command-line flags (applied in
//! `main.rs`). Tests build a `Config` directly.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Clover regions the sandbox simulates, in the order shown by `/config.json`.
pub const CLOVER_REGIONS: [&str; 4] = ["us", "eu", "la", "sandbox"];
/// LaterPay regions.
pub const LATERPAY_REGIONS: [&str; 2] = ["eu", "us"];

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloverMerchant {
    pub id: String,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaterPayMerchant {
    pub id: String,
    pub key: String,
}

/// One opening window in UTC: on the marked weekdays, minutes [start, end) of the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Index 0 = Monday .. 6 = Sunday.
    pub days: [bool; 7],
    pub start_min: u32,
    pub end_min: u32,
}

impl Window {
    fn new(days: &str, start: &str, end: &str) -> Result<Self, String> {
        let w = Window {
            days: parse_days(days)?,
            start_min: parse_hhmm(start)?,
            end_min: parse_hhmm(end)?,
        };
        if w.end_min <= w.start_min {
            return Err(format!("window {start}-{end}: end must be after start"));
        }
        Ok(w)
    }

    /// Human text such as `Mon-Fri 01:00-05:00` or `every day 10:00-15:00`.
    pub fn describe(&self) -> String {
        let days = if self.days.iter().all(|d| *d) {
            "every day".to_string()
        } else {
            let on: Vec<usize> = (0..7).filter(|i| self.days[*i]).collect();
            let contiguous = on.windows(2).all(|p| p[1] == p[0] + 1);
            if on.len() > 2 && contiguous {
                format!("{}-{}", DAY_NAMES[on[0]], DAY_NAMES[on[on.len() - 1]])
            } else {
                on.iter()
                    .map(|i| DAY_NAMES[*i])
                    .collect::<Vec<_>>()
                    .join("/")
            }
        };
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        format!("{days} {}-{}", hm(self.start_min), hm(self.end_min))
    }
}

/// `"every day"`/`"daily"`, `"mon-fri"`, `"sat"`, or a comma list of those.
fn parse_days(spec: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    let idx = |name: &str| {
        DAY_NAMES
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("unknown weekday {name:?} (use Mon..Sun)"))
    };
    for part in spec.split(',') {
        let part = part.trim();
        if part.eq_ignore_ascii_case("every day") || part.eq_ignore_ascii_case("daily") {
            days = [true; 7];
        } else if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (idx(a)?, idx(b)?);
            if b < a {
                return Err(format!("day range {part:?} must run forward"));
            }
            days[a..=b].iter_mut().for_each(|d| *d = true);
        } else {
            days[idx(part)?] = true;
        }
    }
    Ok(days)
}

/// `HH:MM`, 00:00 to 24:00.
fn parse_hhmm(s: &str) -> Result<u32, String> {
    let bad = || format!("bad time {s:?} (use HH:MM)");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h * 60 + m > 24 * 60 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// The windows of one region; empty means "no limit".
pub type ServiceHours = Vec<Window>;

/// True when `now_ms` (UTC) falls inside one of the windows (or there are none).
pub fn within_hours(hours: &[Window], now_ms: i64) -> bool {
    if hours.is_empty() {
        return true;
    }
    let day = crate::civil::day_of_ms(now_ms);
    let wd = crate::civil::weekday(day);
    let minute = ((now_ms - day * crate::civil::DAY_MS) / 60_000) as u32;
    hours
        .iter()
        .any(|w| w.days[wd] && w.start_min <= minute && minute < w.end_min)
}

/// `every day 10:00-15:00` / `Mon-Fri 01:00-05:00, Sat 02:00-05:00, ...`.
pub fn describe_hours(hours: &[Window]) -> String {
    if hours.is_empty() {
        return "every day 00:00-24:00".into();
    }
    hours
        .iter()
        .map(Window::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Debug)]
pub struct Config {
    pub host: String,
    /// 0 = any free port.
    pub port: u16,
    pub seed: u64,
    /// Simulated milliseconds per real millisecond (0 freezes the clock).
    pub time_scale: f64,
    pub orders_per_day: u32,
    /// `None`: one payment per order, mirroring the orders.
    pub payments_per_day: Option<u32>,
    pub purchases_per_day: u32,
    pub pending_ms: u64,
    pub processing_ms: u64,
    pub max_active_exports: u32,
    /// Requests per token per second before 429 (Clover's documented 16/s).
    pub rate_limit_per_s: u32,
    pub dist: PathBuf,
    /// Example host pages, served under `/examples/`.
    pub examples: PathBuf,
    /// Send the strict Content-Security-Policy with every page and asset (switchable at
    /// run time through `/__sandbox/csp`).
    pub csp: bool,
    pub clover_merchants: Vec<CloverMerchant>,
    pub laterpay_merchants: Vec<LaterPayMerchant>,
    /// Region -> windows; a missing or empty entry means no limit.
    pub service_hours: BTreeMap<String, ServiceHours>,
    pub cors_origins: Vec<String>,
    /// Lifetime of OAuth access tokens issued by `/oauth/v2/token` and `/refresh`.
    pub oauth_token_ttl_s: u64,
    /// One stderr line per request (tests turn it off).
    pub log_requests: bool,
    /// Also serve export files on this port: a second origin without CORS (`0` = any
    /// free port; `None` = no second listener).
    pub files_port: Option<u16>,
    /// Where file URLs point at start-up and after a reset: `same`, `files-port`, or an
    /// origin fronting the second listener (see `files.rs`).
    pub file_host: crate::files::FileHost,
    /// Demo data, or demo data with hostile records mixed in (switchable at run time
    /// through `/__sandbox/data`).
    pub data: crate::hostile::DataMode,
}

impl Default for Config {
    fn default() -> Self {
        let w = |d, s, e| Window::new(d, s, e).expect("built-in window");
        let mut service_hours = BTreeMap::new();
        service_hours.insert("us".into(), vec![w("every day", "10:00", "15:00")]);
        service_hours.insert(
            "eu".into(),
            vec![
                w("Mon-Fri", "01:00", "05:00"),
                w("Sat", "02:00", "05:00"),
                w("Sun", "02:00", "06:00"),
            ],
        );
        service_hours.insert("la".into(), vec![]);
        service_hours.insert("sandbox".into(), vec![]);
        Config {
            host: "127.0.0.1".into(),
            port: 8787,
            seed: 42,
            time_scale: 1.0,
            orders_per_day: 400,
            payments_per_day: None,
            purchases_per_day: 150,
            pending_ms: 1000,
            processing_ms: 4000,
            max_active_exports: 1,
            rate_limit_per_s: 16,
            dist: PathBuf::from("dist"),
            examples: PathBuf::from("examples"),
            csp: false,
            clover_merchants: vec![
                CloverMerchant {
                    id: "DEMOMERCHANT1".into(),
                    token: "sandbox-token-1".into(),
                },
                CloverMerchant {
                    id: "DEMOMERCHANT2".into(),
                    token: "sandbox-token-2".into(),
                },
            ],
            laterpay_merchants: vec![
                LaterPayMerchant {
                    id: "demo-merchant".into(),
                    key: "demo-api-key".into(),
                },
                // A second publisher, for portals that show two merchants side by side.
                LaterPayMerchant {
                    id: "demo-merchant-2".into(),
                    key: "demo-api-key-2".into(),
                },
            ],
            service_hours,
            cors_origins: vec![],
            oauth_token_ttl_s: 3600,
            log_requests: true,
            files_port: None,
            file_host: crate::files::FileHost::Same,
            data: crate::hostile::DataMode::Demo,
        }
    }
}

impl Config {
    /// The windows of a Clover region (empty = always open).
    pub fn hours(&self, region: &str) -> &[Window] {
        self.service_hours
            .get(region)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The `--config` file. Every field is optional; unknown fields are an error so a
/// typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub seed: Option<u64>,
    pub time_scale: Option<f64>,
    pub orders_per_day: Option<u32>,
    pub payments_per_day: Option<u32>,
    pub purchases_per_day: Option<u32>,
    pub pending_ms: Option<u64>,
    pub processing_ms: Option<u64>,
    pub max_active_exports: Option<u32>,
    pub rate_limit_per_s: Option<u32>,
    pub dist: Option<PathBuf>,
    pub oauth_token_ttl_s: Option<u64>,
    pub files_port: Option<u16>,
    /// `"same"`, `"files-port"` or an origin.
    pub file_host: Option<String>,
    /// `"demo"` or `"hostile"`.
    pub data: Option<String>,
    #[serde(default)]
    pub cors_origins: Vec<String>,
    pub clover: Option<FileClover>,
    pub laterpay: Option<FileLaterPay>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileClover {
    pub merchants: Option<Vec<FileCloverMerchant>>,
    /// Region -> list of windows; `null` or `[]` = no limit. Regions not named keep
    /// their defaults.
    #[serde(default)]
    pub service_hours: BTreeMap<String, Option<Vec<FileWindow>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCloverMerchant {
    pub id: String,
    pub token: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileWindow {
    /// `"every day"`, `"Mon-Fri"`, `"Sat"`, `"Mon,Wed"`.
    pub days: String,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLaterPay {
    pub merchants: Option<Vec<FileLaterPayMerchant>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLaterPayMerchant {
    pub id: String,
    pub key: String,
}

/// Reads and parses a config file.
pub fn load_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("bad config {}: {e}", path.display()))
}

impl Config {
    /// Overlays the values present in a config file.
    pub fn apply_file(&mut self, f: FileConfig) -> Result<(), String> {
        macro_rules! take {
            ($($field:ident),*) => { $( if let Some(v) = f.$field { self.$field = v; } )* };
        }
        take!(
            host,
            port,
            seed,
            time_scale,
            orders_per_day,
            purchases_per_day,
            pending_ms,
            processing_ms,
            max_active_exports,
            rate_limit_per_s,
            dist,
            oauth_token_ttl_s
        );
        if f.payments_per_day.is_some() {
            self.payments_per_day = f.payments_per_day;
        }
        if f.files_port.is_some() {
            self.files_port = f.files_port;
        }
        if let Some(h) = &f.file_host {
            self.file_host = crate::files::FileHost::parse(h)?;
        }
        if let Some(d) = f.data {
            self.data = crate::hostile::DataMode::parse(&d)
                .ok_or_else(|| format!("data: {d:?} is not \"demo\" or \"hostile\""))?;
        }
        self.cors_origins.extend(f.cors_origins);
        if let Some(c) = f.clover {
            if let Some(ms) = c.merchants {
                self.clover_merchants = ms
                    .into_iter()
                    .map(|m| CloverMerchant {
                        id: m.id,
                        token: m.token,
                    })
                    .collect();
            }
            for (region, windows) in c.service_hours {
                if !CLOVER_REGIONS.contains(&region.as_str()) {
                    return Err(format!("service_hours: unknown Clover region {region:?}"));
                }
                let parsed = windows
                    .unwrap_or_default()
                    .iter()
                    .map(|w| Window::new(&w.days, &w.start, &w.end))
                    .collect::<Result<Vec<_>, _>>()?;
                self.service_hours.insert(region, parsed);
            }
        }
        if let Some(l) = f.laterpay {
            if let Some(ms) = l.merchants {
                self.laterpay_merchants = ms
                    .into_iter()
                    .map(|m| LaterPayMerchant {
                        id: m.id,
                        key: m.key,
                    })
                    .collect();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_hours_text_and_checks() {
        let c = Config::default();
        assert_eq!(
            describe_hours(&c.service_hours["us"]),
            "every day 10:00-15:00"
        );
        assert_eq!(
            describe_hours(&c.service_hours["eu"]),
            "Mon-Fri 01:00-05:00, Sat 02:00-05:00, Sun 02:00-06:00"
        );
        // 2024-06-16 is a Sunday: 05:30 is open in the EU, closed on Saturday.
        let sun = crate::civil::days_from_civil(2024, 6, 16) * crate::civil::DAY_MS;
        let at = |day: i64, h: i64, m: i64| day + (h * 60 + m) * 60_000;
        assert!(within_hours(&c.service_hours["eu"], at(sun, 5, 30)));
        assert!(!within_hours(
            &c.service_hours["eu"],
            at(sun - crate::civil::DAY_MS, 5, 30)
        ));
        assert!(!within_hours(&c.service_hours["us"], at(sun, 15, 0)));
        assert!(within_hours(&c.service_hours["us"], at(sun, 14, 59)));
        assert!(within_hours(&c.service_hours["la"], at(sun, 23, 0)));
    }

    #[test]
    fn file_overrides() {
        let f: FileConfig = serde_json::from_str(
            r#"{"seed":7,"clover":{"merchants":[{"id":"M","token":"t"}],
                "service_hours":{"la":[{"days":"Mon,Wed","start":"08:00","end":"24:00"}],"us":null}},
                "laterpay":{"merchants":[{"id":"lp","key":"k"}]},"cors_origins":["http://x"]}"#,
        )
        .unwrap();
        let mut c = Config::default();
        c.apply_file(f).unwrap();
        assert_eq!(c.seed, 7);
        assert_eq!(c.clover_merchants[0].id, "M");
        assert!(c.service_hours["us"].is_empty());
        assert_eq!(
            describe_hours(&c.service_hours["la"]),
            "Mon/Wed 08:00-24:00"
        );
        assert_eq!(c.cors_origins, vec!["http://x".to_string()]);
        assert!(serde_json::from_str::<FileConfig>(r#"{"sed":1}"#).is_err());
    }
}
