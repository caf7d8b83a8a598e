//! Short property-test versions of the fuzz targets (`fuzz/`): arbitrary JSON values in
//! every record field, through the same pipelines and invariants
//! (`support/pipeline.rs`). The fuzz targets run the same checks for hours; these run
//! in every `cargo test`.

#[path = "support/pipeline.rs"]
mod pipeline;

use merchant_console_core::export::ExportType;
use merchant_console_core::purchases::BucketSize;
use merchant_console_core::zone::Zone;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Text a hostile server might send: formulas, URLs with odd schemes, right-to-left and
/// control characters, emoji, long runs, numbers as text.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("=HYPERLINK(\"http://evil.example\",\"x\")".to_string()),
        Just("+1+1".to_string()),
        Just("-2".to_string()),
        Just("@SUM(A1:A9)".to_string()),
        Just("\t=1".to_string()),
        Just("\r=1".to_string()),
        Just("javascript:alert(1)".to_string()),
        Just("\u{202E}evil\u{202C} \u{05D0}\u{05D1}".to_string()),
        Just("\u{1F600}\u{0000}\u{0007}\u{FEFF}".to_string()),
        Just("2026-02-10T10:00:00+00:00".to_string()),
        Just("9000000000000000000".to_string()),
        "[a-z;,\"\n\r =+@-]{0,12}",
        any::<String>(),
        "x{2000,3000}",
    ]
}

/// Any JSON value, nested a little.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(9_000_000_000_000_000_000),
            Just(1_000_000_000_000_001),
            Just(-1_000_000_000_000_001),
            Just(0),
            Just(-499)
        ]
        .prop_map(Value::from),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A purchase date: mostly inside the pipeline's span or its previous period, sometimes
/// at the calendar's ends or not a date at all.
fn purchase_date() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (0i64..180 * 86_400, prop::bool::ANY).prop_map(|(s, z)| {
            let t = jiff::Timestamp::from_second(1_759_276_800 + s).unwrap();
            Value::String(if z {
                t.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string()
            } else {
                t.to_string()
            })
        }),
        1 => prop_oneof![
            Just("9999-12-31T23:59:59+00:00"),
            Just("0001-01-01T00:00:00+00:00"),
            Just("1969-12-31T23:59:59Z"),
            Just("2101-01-01T00:00:00Z"),
            Just("2026-13-01T00:00:00Z"),
        ]
        .prop_map(|s| Value::String(s.into())),
        1 => any_value(),
    ]
}

const FIELDS: [&str; 10] = [
    "payment_model",
    "sales_model",
    "price",
    "title",
    "expiry_date",
    "item_url",
    "purchase_date",
    "shared_user_id",
    "payment_date",
    "article_id",
];

/// One record: every field absent, of any type, or of its usual type with hostile values.
fn record() -> impl Strategy<Value = Value> {
    let field = prop::option::weighted(0.9, any_value());
    (
        prop::collection::vec(field, FIELDS.len()),
        purchase_date(),
        prop_oneof![
            4 => (-100_000i64..100_000).prop_map(Value::from),
            1 => any_value(),
        ],
        prop::option::weighted(0.9, hostile_text()),
    )
        .prop_map(|(fields, date, price, title)| {
            let mut m = Map::new();
            for (name, value) in FIELDS.iter().zip(fields) {
                if let Some(v) = value {
                    m.insert(name.to_string(), v);
                }
            }
            m.insert("purchase_date".into(), date);
            m.insert("price".into(), price);
            if let Some(t) = title {
                m.insert("title".into(), Value::String(t));
            }
            Value::Object(m)
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => prop::collection::vec(record(), 0..40)
            .prop_map(|data| json!({"status": "ok", "data": data, "errors": []}).to_string().into_bytes()),
        1 => any_value().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn bucket() -> impl Strategy<Value = BucketSize> {
    prop_oneof![
        Just(BucketSize::Day),
        Just(BucketSize::Week),
        Just(BucketSize::Month)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn purchase_bodies_never_break_figures_charts_or_csv(
        body in body(),
        bucket in bucket(),
        berlin in any::<bool>(),
        semicolon in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let zone = if berlin { Zone::fixed("UTC+01:00", 3600) } else { Zone::utc() };
        pipeline::purchases(&body, bucket, zone, semicolon, bom);
    }

    #[test]
    fn export_objects_decode_or_fail_cleanly(fields in prop::collection::btree_map(
        prop_oneof![
            Just("id".to_string()), Just("type".to_string()), Just("status".to_string()),
            Just("percentComplete".to_string()), Just("startTime".to_string()),
            Just("endTime".to_string()), Just("createdTime".to_string()),
            Just("availableUntil".to_string()), Just("exportUrls".to_string()),
            Just("merchantRef".to_string()), Just("message".to_string()),
        ],
        prop_oneof![
            any_value(),
            prop::collection::vec(
                (prop::option::of(hostile_text()), any_value())
                    .prop_map(|(url, export)| json!({"url": url, "export": export})),
                0..3,
            ).prop_map(|e| json!({"elements": e})),
        ],
        0..8,
    )) {
        let body = Value::Object(fields.into_iter().collect()).to_string();
        pipeline::export_object(&body);
    }

    #[test]
    fn arbitrary_files_merge_into_valid_outputs(
        files in prop::collection::vec(
            prop_oneof![
                4 => prop::collection::vec(
                    prop::collection::btree_map(
                        prop_oneof![
                            Just("id".to_string()), Just("total".to_string()),
                            Just("amount".to_string()), Just("createdTime".to_string()),
                            Just("note".to_string()), Just("title".to_string()),
                            Just("currency".to_string()), Just("employee".to_string()),
                            Just("tipAmount".to_string()), Just("order".to_string()),
                            "[a-z]{1,6}",
                        ],
                        any_value(),
                        0..6,
                    ).prop_map(|m| Value::Object(m.into_iter().collect())),
                    0..6,
                ).prop_map(|els| json!({"elements": els}).to_string()),
                1 => any_value().prop_map(|v| v.to_string()),
                1 => any::<String>(),
            ],
            0..4,
        ),
        payments in any::<bool>(),
        semicolon in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let bodies: Vec<&str> = files.iter().map(String::as_str).collect();
        let t = if payments { ExportType::Payments } else { ExportType::Orders };
        pipeline::merge(&bodies, t, semicolon, bom);
    }

    #[test]
    fn scales_cover_any_range(lo in any::<i128>(), hi in any::<i128>()) {
        pipeline::check_scale(lo.min(hi), lo.max(hi));
    }

    #[test]
    fn stacked_bars_stay_in_the_plot(
        series in prop::collection::vec(prop::collection::vec(any::<i64>().prop_map(i128::from), 0..30), 0..6),
        buckets in 0usize..40,
        line in prop::option::of(prop::collection::vec(any::<i64>().prop_map(i128::from), 0..40)),
    ) {
        let refs: Vec<&[i128]> = series.iter().map(Vec::as_slice).collect();
        let c = merchant_console_core::chart::BarChart::stacked(&refs, buckets, line.as_deref(), 10_000, 3_000);
        pipeline::check_bar_chart(&c, buckets);
        pipeline::check_shares(&series.iter().map(|s| s.iter().sum::<i128>()).collect::<Vec<_>>());
    }
}

/// Every fuzz seed and every input a fuzzer once crashed on (`fuzz/regressions/`) passes
/// its target's pipeline, decoded the way the target decodes its bytes.
#[test]
fn fuzz_seeds_and_regressions_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut ran = 0;
    for kind in ["seeds", "regressions"] {
        for target in ["purchases", "export_object", "merge"] {
            let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
                continue;
            };
            for file in dir {
                let data = std::fs::read(file.unwrap().path()).unwrap();
                run_target(target, &data);
                ran += 1;
            }
        }
    }
    assert!(ran >= 16, "found {ran} inputs");
}

/// What each fuzz target does with its bytes (see `fuzz/fuzz_targets/`).
fn run_target(target: &str, data: &[u8]) {
    match target {
        "purchases" => {
            let Some((&pick, body)) = data.split_first() else {
                return;
            };
            let bucket =
                [BucketSize::Day, BucketSize::Week, BucketSize::Month][usize::from(pick % 3)];
            let zone = match (pick / 3) % 3 {
                0 => Zone::utc(),
                1 => Zone::fixed("UTC+05:30", 19_800),
                _ => Zone::fixed("UTC-10:00", -36_000),
            };
            pipeline::purchases(body, bucket, zone, pick & 0x40 != 0, pick & 0x80 != 0);
        }
        "export_object" => {
            if let Ok(text) = std::str::from_utf8(data) {
                pipeline::export_object(text);
            }
        }
        _ => {
            let Some((&pick, rest)) = data.split_first() else {
                return;
            };
            let bodies: Vec<String> = rest
                .split(|&b| b == 0xFF)
                .take(8)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
            let t = if pick & 1 == 0 {
                ExportType::Orders
            } else {
                ExportType::Payments
            };
            pipeline::merge(&bodies, t, pick & 2 != 0, pick & 4 != 0);
        }
    }
}
