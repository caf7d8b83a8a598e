//! `config.json` read leniently: wrong parts left out and named, bases through the URL gate.

use merchant_console_core::embed::EmbedConfig;
use merchant_console_core::runtime_config::RuntimeConfig;

#[test]
fn the_documented_file_reads_as_written() {
    let c = RuntimeConfig::from_json(
        r#"{
          "clover":   {"us": "/api/clover/us", "eu": "https://proxy.example/clover/eu/"},
          "laterpay": {"eu": "/api/laterpay/eu"},
          "oauth": {"client_id": "APP", "authorize": {"us": "https://www.clover.com"}},
          "demo": {"clover_merchant": "M", "clover_token": "T"},
          "clover_files": "/api/clover-files",
          "something_new": [1, 2]
        }"#,
    )
    .unwrap();
    assert_eq!(c.ignored, Vec::<String>::new());
    assert_eq!(c.clover_base("us").as_deref(), Some("/api/clover/us"));
    assert_eq!(
        c.clover_base("eu").as_deref(),
        Some("https://proxy.example/clover/eu")
    );
    // Regions not named use the real hosts.
    assert_eq!(
        c.clover_base("la").as_deref(),
        Some("https://api.la.clover.com")
    );
    assert_eq!(
        c.laterpay_base("us").as_deref(),
        Some("https://api.uselaterpay.com")
    );
    assert_eq!(c.laterpay_base("eu").as_deref(), Some("/api/laterpay/eu"));
    assert_eq!(c.laterpay_base("nowhere"), None);
    let oauth = c.oauth.as_ref().unwrap();
    assert_eq!(oauth.client_id, "APP");
    assert_eq!(
        c.oauth_authorize_base("us").unwrap().as_str(),
        "https://www.clover.com"
    );
    let demo = c.demo.as_ref().unwrap();
    assert_eq!(
        (demo.clover_merchant.as_str(), demo.clover_token.as_str()),
        ("M", "T")
    );
    assert_eq!(demo.laterpay_key, "");
    assert_eq!(c.clover_files().as_deref(), Some("/api/clover-files"));
}

#[test]
fn parts_of_the_wrong_type_are_left_out_and_named_and_the_rest_applies() {
    let mut c = RuntimeConfig::from_json(
        r#"{"clover": {"us": 7, "eu": "/eu", "la": null}, "laterpay": "oops",
            "oauth": {"client_id": 12, "authorize": ["x"]}, "demo": true,
            "clover_files": {"url": "/f"}}"#,
    )
    .unwrap();
    c.gate();
    assert_eq!(
        c.ignored,
        [
            "clover.la",
            "clover.us",
            "laterpay",
            "clover_files",
            "demo",
            "oauth.client_id",
            "oauth.authorize"
        ]
    );
    assert_eq!(c.clover_base("eu").as_deref(), Some("/eu"));
    assert_eq!(
        c.clover_base("us").as_deref(),
        Some("https://api.clover.com")
    );
    assert_eq!(c.oauth.as_ref().unwrap().client_id, "");
    assert_eq!(c.demo, None);
    assert_eq!(c.clover_files(), None);
}

#[test]
fn hostile_bases_are_refused_by_the_gate_and_named() {
    let mut c = RuntimeConfig::from_json(
        r#"{"clover": {"us": "javascript:alert(1)", "eu": "//evil.example", "la": "/\\evil.example",
                       "sandbox": "/ok"},
            "oauth": {"client_id": "A", "authorize": {"us": "javascript:alert(1)", "eu": "data:text/html,x"}},
            "clover_files": "javascript:alert(1)"}"#,
    )
    .unwrap();
    c.gate();
    assert_eq!(c.ignored.len(), 6, "{:?}", c.ignored);
    assert!(c.ignored.contains(&"oauth.authorize.us".to_string()));
    assert_eq!(
        c.clover_base("us").as_deref(),
        Some("https://api.clover.com")
    );
    assert_eq!(c.clover_base("sandbox").as_deref(), Some("/ok"));
    // A refused authorize base falls back to Clover's own page, never the hostile one.
    assert_eq!(
        c.oauth_authorize_base("us").unwrap().as_str(),
        "https://www.clover.com"
    );
    assert_eq!(c.clover_files(), None);
    assert!(c
        .api_bases()
        .all(|b| !b.contains("javascript") && !b.starts_with("//")));
}

#[test]
fn files_that_are_not_an_object_are_refused_whole() {
    for text in ["", "[]", "\"x\"", "null", "{", "12"] {
        assert!(RuntimeConfig::from_json(text).is_err(), "{text:?}");
    }
    // A byte-order mark is not a reason to refuse the file.
    assert!(RuntimeConfig::from_json("\u{feff}{}").is_ok());
}

#[test]
fn a_mounts_bases_serve_every_region_and_typed_bases_pass_the_gate() {
    let mut c = RuntimeConfig::from_json(r#"{"clover": {"us": "/a"}}"#).unwrap();
    let embed = EmbedConfig {
        clover_base: Some("/portal-api/clover".into()),
        laterpay_base: Some("/portal-api/laterpay".into()),
        ..EmbedConfig::default()
    };
    c.apply(&embed);
    for region in ["us", "eu", "la", "sandbox"] {
        assert_eq!(
            c.clover_base(region).as_deref(),
            Some("/portal-api/clover"),
            "{region}"
        );
    }
    assert_eq!(
        c.laterpay_base("us-sandbox").as_deref(),
        Some("/portal-api/laterpay")
    );
    assert_eq!(c.clover.len(), 4, "replaced, not added twice");
    // A base the person typed is used as is, only when the gate allows it.
    assert_eq!(
        c.clover_base("https://my.proxy/clover").as_deref(),
        Some("https://my.proxy/clover")
    );
    assert_eq!(c.clover_base("javascript:alert(1)//x"), None);
}
