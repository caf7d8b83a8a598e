//! Host page settings: data-* attributes and mount() objects share one parser.

use std::collections::HashMap;

use merchant_console_core::embed::{AuthMode, EmbedConfig, Section, Theme};

fn read(pairs: &[(&str, &str)]) -> EmbedConfig {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    EmbedConfig::read(|k| map.get(k).cloned())
}

#[test]
fn nothing_set_means_the_full_app_with_defaults() {
    let c = read(&[]);
    assert_eq!(c.shown_sections(), vec![Section::Exports, Section::History]);
    assert_eq!(c.theme, Theme::Auto);
    assert_eq!(c.auth, None);
    assert!(!c.compact);
    assert!(c.warnings.is_empty());
}

#[test]
fn a_history_widget_for_an_eu_proxy() {
    let c = read(&[
        ("sections", "history"),
        ("region", "EU"),
        ("merchant-id", " shop-42 "),
        ("auth", "proxy"),
        ("laterpay-base", "/api/laterpay/"),
        ("theme", "dark"),
        ("time-zone", "Europe/Berlin"),
        ("compact", "true"),
        ("instance", "side bar!"),
    ]);
    assert_eq!(c.shown_sections(), vec![Section::History]);
    assert_eq!(c.laterpay_region.as_deref(), Some("eu"));
    assert_eq!(c.clover_region.as_deref(), Some("eu"));
    assert_eq!(c.merchant_id.as_deref(), Some("shop-42"));
    assert_eq!(c.auth, Some(AuthMode::Proxy));
    assert_eq!(c.laterpay_base.as_deref(), Some("/api/laterpay"));
    assert_eq!(c.theme, Theme::Dark);
    assert_eq!(c.time_zone.as_deref(), Some("Europe/Berlin"));
    assert!(c.compact);
    assert_eq!(c.instance, "sidebar");
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn region_applies_only_where_it_exists() {
    let c = read(&[("region", "la")]);
    assert_eq!(c.clover_region.as_deref(), Some("la"));
    assert_eq!(c.laterpay_region, None);
    let c = read(&[("region", "us"), ("laterpay-region", "us-sandbox")]);
    assert_eq!(c.clover_region.as_deref(), Some("us"));
    assert_eq!(c.laterpay_region.as_deref(), Some("us-sandbox"));
}

#[test]
fn sections_keep_their_order_without_duplicates() {
    let c = read(&[("sections", "history, exports history")]);
    assert_eq!(c.shown_sections(), vec![Section::History, Section::Exports]);
}

#[test]
fn bad_values_are_dropped_with_a_warning_each() {
    let c = read(&[
        ("sections", "history,charts"),
        ("region", "mars"),
        ("auth", "password"),
        ("clover-base", "javascript:alert(1)"),
        ("laterpay-base", "//evil.example"),
        ("theme", "neon"),
        ("time-zone", "../../etc/passwd"),
    ]);
    assert_eq!(c.shown_sections(), vec![Section::History]);
    assert_eq!(c.clover_region, None);
    assert_eq!(c.auth, None);
    assert_eq!(c.clover_base, None);
    assert_eq!(c.laterpay_base, None);
    assert_eq!(c.theme, Theme::Auto);
    assert_eq!(c.time_zone, None);
    assert_eq!(c.warnings.len(), 7, "{:?}", c.warnings);
}

#[test]
fn only_unknown_sections_fall_back_to_all() {
    let c = read(&[("sections", "nope")]);
    assert_eq!(c.shown_sections(), Section::ALL.to_vec());
    assert_eq!(c.warnings.len(), 1);
}
