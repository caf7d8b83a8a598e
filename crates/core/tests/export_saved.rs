//! Reading a saved queue: `ExportQueue::from_json` walks a `serde_json::Value` by hand
//! (far less wasm than the derive). The derived `Deserialize` is the reference: for a queue
//! holding every state and wait, and for every damaged or older variant of its JSON (each
//! field removed, nulled or given a wrong value), both must accept the same documents and
//! read them into the same queue. One difference is deliberate: serde also takes a struct
//! written as a JSON array (`[1, 2]` for `{"start":1,"end":2}`), a form no version ever
//! saved; `from_json` refuses it.

use jiff::civil::date;
use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::hours::ServiceHours;
use merchant_console_core::export::job::RangeLabel;
use merchant_console_core::export::plan::MAX_EXPORT_SPAN_MS;
use merchant_console_core::export::policy::{Response, RetryState, Wait, WaitReason};
use merchant_console_core::export::poll::{PollState, ProgressMark, RateAnchor};
use merchant_console_core::export::queue::*;
use merchant_console_core::export::ExportType;
use merchant_console_core::range::{DateRange, TimeSpan};
use merchant_console_core::Millis;
use serde_json::{json, Value};

const T0: Millis = 1_773_669_720_000;

/// What the derive reads, with the same resume step as `from_json`.
fn derived(json: &str, now: Millis) -> Option<ExportQueue> {
    let mut q: ExportQueue = serde_json::from_str(json).ok()?;
    q.resume_after_reload(now);
    Some(q)
}

fn request(merchant: &str, chunks: i64, label: bool) -> NewRequest {
    NewRequest {
        merchant: merchant.into(),
        region: "eu".into(),
        export_type: if label {
            ExportType::Payments
        } else {
            ExportType::Orders
        },
        span: TimeSpan::new(0, chunks * MAX_EXPORT_SPAN_MS - 1).unwrap(),
        hours: Some(ServiceHours::eu()),
        label: label.then(|| RangeLabel {
            range: DateRange::new(date(2026, 1, 1), date(2026, 3, 31)).unwrap(),
            zone: "Europe/Berlin".into(),
            partial: true,
        }),
        auth: if label {
            CredentialSource::Proxy
        } else {
            CredentialSource::Tab
        },
    }
}

/// A saved queue with every job state, wait reason, poll state, a stopped merchant and
/// a suspected orphan.
fn rich() -> Value {
    let mut q = ExportQueue::new(7);
    q.add_request(request("M1", 3, true), T0).unwrap();
    q.add_request(request("M2", 2, false), T0).unwrap();
    // M2: a create answered 401, so the merchant stops.
    while let Some(a) = q.next_action(T0) {
        let answer = if a.op.merchant() == "M2" {
            Response::http(401, "no")
        } else {
            Response::http(
                200,
                r#"{"id":"E1","status":"IN_PROGRESS","percentComplete":40}"#,
            )
        };
        q.on_response(a.op_id, answer, T0 + 10);
    }
    let mut v = serde_json::to_value(&q).unwrap();
    let states = [
        json!("Queued"),
        json!("Creating"),
        json!("Pending"),
        json!("Cancelled"),
        json!({"InProgress": {"percent": 40}}),
        json!({"Done": {"urls": ["https://f.example/1", "https://f.example/2"], "available_until": T0 + 1}}),
        json!({"Failed": {"reason": "FAILED"}}),
        json!({"Expired": {"urls": [], "available_until": null}}),
    ];
    let reasons = [
        WaitReason::Busy,
        WaitReason::BusyProbablyOurs { asked_at: T0 },
        WaitReason::ServiceHours { opens_at: Some(T0) },
        WaitReason::ServiceHours { opens_at: None },
        WaitReason::RateLimited,
        WaitReason::Retrying {
            attempt: 2,
            cause: "timeout".into(),
        },
        WaitReason::PollFailing {
            since: T0,
            cause: "502".into(),
        },
    ];
    let template = v["requests"][0]["exports"][0].clone();
    let mut jobs = Vec::new();
    for (i, state) in states.iter().enumerate() {
        let mut j = template.clone();
        j["id"] = json!(100 + i);
        j["index"] = json!(i);
        j["state"] = state.clone();
        j["server_id"] = json!(format!("S{i}"));
        j["server_status"] = json!("IN_PROGRESS");
        j["wait"] = serde_json::to_value(Wait {
            until: T0 + i as i64,
            reason: reasons[i % reasons.len()].clone(),
            message: (i % 2 == 0).then(|| "busy".to_string()),
        })
        .unwrap();
        j["poll"] = serde_json::to_value(PollState {
            interval_ms: 2_000,
            mark: ProgressMark {
                started: true,
                percent: 40,
            },
            last_progress_at: T0,
            stalled: i % 2 == 1,
            next_poll_at: T0 + 2_000,
            anchor: (i % 2 == 0).then_some(RateAnchor {
                at: T0,
                percent: 10,
            }),
        })
        .unwrap();
        j["retry"] = serde_json::to_value(RetryState {
            failures: 3,
            since: Some(T0),
        })
        .unwrap();
        j["create_answer_lost_at"] = json!(T0 - 5);
        j["export_gone"] = json!(i % 3 == 0);
        j["verify_first"] = json!(i % 3 == 1);
        j["done_without_urls"] = json!(i);
        jobs.push(j);
    }
    v["requests"][0]["exports"] = Value::Array(jobs);
    v["requests"][0]["suspected_orphans"] =
        json!([{"export": 100, "span": {"start": 0, "end": 9}, "asked_at": T0}]);
    v
}

fn ours(v: &Value) -> Option<ExportQueue> {
    ExportQueue::from_json(&v.to_string(), T0 + 60_000).ok()
}

fn same(v: &Value, what: &str) {
    let json = v.to_string();
    let ours = ours(v);
    let reference = derived(&json, T0 + 60_000);
    assert_eq!(ours, reference, "{what}: {json}");
    if let Some(q) = ours {
        written_as_the_derive_writes(&q);
    }
}

/// `to_json` (written by hand) and the derived `Serialize` give the same document.
fn written_as_the_derive_writes(q: &ExportQueue) {
    let ours: Value = serde_json::from_str(&q.to_json()).unwrap();
    assert_eq!(ours, serde_json::to_value(q).unwrap());
}

#[test]
fn reads_a_rich_queue_as_the_derive_does() {
    let v = rich();
    let q = ExportQueue::from_json(&v.to_string(), T0 + 60_000).unwrap();
    assert_eq!(q.requests().len(), 2);
    assert_eq!(q.requests()[0].exports.len(), 8);
    assert!(q.merchant_stopped("M2").is_some());
    same(&v, "as saved");
}

/// Every place a value sits in the document (object fields and list items).
fn paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                out.push(at.clone());
                paths(x, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(i.to_string());
                out.push(at.clone());
                paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn edit(v: &mut Value, path: &[String], f: &dyn Fn(&mut Value, &str)) {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = v;
    for p in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(p).unwrap(),
            Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    f(cur, last);
}

#[test]
fn damaged_and_older_documents_are_read_as_the_derive_reads_them() {
    let v = rich();
    let mut all = Vec::new();
    paths(&v, &mut Vec::new(), &mut all);
    assert!(all.len() > 300, "{}", all.len());
    let replacements = [
        Value::Null,
        json!("x"),
        json!(-1),
        json!(300),
        json!(70_000),
        json!(1.5),
        json!(true),
        json!([]),
        json!({}),
        json!(u64::MAX),
        json!("Queued"),
        json!({"Busy": null}),
        json!({"Cancelled": {}}),
        json!({"Done": null}),
    ];
    let mut checked = 0;
    for path in &all {
        // Removed (an older version without the field, or damage).
        let mut d = v.clone();
        edit(&mut d, path, &|parent, key| match parent {
            Value::Object(m) => {
                m.remove(key);
            }
            Value::Array(a) => {
                a.remove(key.parse::<usize>().unwrap());
            }
            _ => {}
        });
        same(&d, &format!("without {path:?}"));
        let was_object = v
            .pointer(&format!("/{}", path.join("/")))
            .is_some_and(Value::is_object);
        for r in &replacements {
            let mut d = v.clone();
            edit(&mut d, path, &|parent, key| match parent {
                Value::Object(m) => {
                    m.insert(key.to_string(), r.clone());
                }
                Value::Array(a) => a[key.parse::<usize>().unwrap()] = r.clone(),
                _ => {}
            });
            if was_object && r.is_array() {
                assert!(ours(&d).is_none(), "{path:?} = {r}");
            } else {
                same(&d, &format!("{path:?} = {r}"));
            }
            checked += 1;
        }
    }
    assert!(checked > 3000);
}

#[test]
fn an_unreadable_document_is_an_error() {
    for text in ["", "null", "[]", "{", r#"{"rng":{"state":1}}"#] {
        assert!(ExportQueue::from_json(text, T0).is_err(), "{text}");
    }
}

/// A queue as the first version (238b284) saved it: the queue's configuration inside,
/// `RetryState` with its old `kind` and `last_delay_ms`, and none of the fields added
/// since (`auth`, `suspected_orphans`, `create_sent_at`, `anchor`, …).
const SAVED_BY_THE_FIRST_VERSION: &str = r#"{
  "config": {"retry": {"max_attempts": 8}, "poll": {"min_interval_ms": 2000}},
  "rng": {"state": 12345},
  "next_id": 9,
  "next_op": 4,
  "requests": [{
    "id": 1, "merchant": "M1", "region": "eu", "export_type": "PAYMENTS",
    "span": {"start": 1767225600000, "end": 1769903999999},
    "created_at": 1767225600500,
    "hours": {"windows": [{"days": 31, "start_minute": 480, "end_minute": 1200}]},
    "label": {"range": {"from": "2026-01-01", "to": "2026-01-31"}, "zone": "Europe/Berlin", "partial": false},
    "exports": [
      {"id": 2, "index": 0, "span": {"start": 1767225600000, "end": 1768521599999},
       "state": {"Done": {"urls": ["https://files.example/a.csv"], "available_until": 1767312000000}},
       "server_id": "EX1", "wait": null, "poll": null,
       "retry": {"kind": null, "failures": 0, "last_delay_ms": 0},
       "started_at": 1767225600600, "created_at": 1767225601000, "finished_at": 1767225700000,
       "server_status": "DONE", "pending_op": null},
      {"id": 3, "index": 1, "span": {"start": 1768521600000, "end": 1769903999999},
       "state": {"InProgress": {"percent": 40}},
       "server_id": "EX2",
       "wait": {"until": 1767225900000, "reason": {"Retrying": {"attempt": 2, "cause": "timeout"}}, "message": null},
       "poll": {"interval_ms": 3000, "mark": {"started": true, "percent": 40},
                "last_progress_at": 1767225800000, "stalled": false, "next_poll_at": 1767225803000},
       "retry": {"kind": "Transient", "failures": 2, "last_delay_ms": 5000},
       "started_at": 1767225700000, "created_at": 1767225701000, "finished_at": null,
       "server_status": "IN_PROGRESS", "pending_op": 3}
    ]
  }],
  "merchants": {
    "M1": {"stopped": null, "last_request_at": 1767225800000},
    "M2": {"stopped": {"NeedsCredentials": {"status": 401}}, "last_request_at": null}
  }
}"#;

#[test]
fn a_queue_saved_by_the_first_version_still_loads() {
    let now = 1_767_225_850_000;
    let q = ExportQueue::from_json(SAVED_BY_THE_FIRST_VERSION, now).unwrap();
    assert_eq!(Some(q.clone()), derived(SAVED_BY_THE_FIRST_VERSION, now));
    let [r] = q.requests() else {
        panic!("one request")
    };
    assert_eq!(
        (r.merchant.as_str(), r.export_type),
        ("M1", ExportType::Payments)
    );
    assert_eq!(r.auth, CredentialSource::Tab);
    assert!(r.suspected_orphans.is_empty());
    assert_eq!(r.label.as_ref().unwrap().zone, "Europe/Berlin");
    assert_eq!(r.hours.as_ref().unwrap().windows.len(), 1);
    let [done, running] = r.exports.as_slice() else {
        panic!("two exports")
    };
    assert_eq!(
        done.state,
        JobState::Done {
            urls: vec!["https://files.example/a.csv".into()],
            available_until: Some(1_767_312_000_000),
        }
    );
    assert_eq!(running.state, JobState::InProgress { percent: 40 });
    assert_eq!(running.retry.failures, 2);
    assert_eq!(running.retry.since, None);
    assert_eq!(running.poll.unwrap().anchor, None);
    assert_eq!(
        running.wait.as_ref().unwrap().reason,
        WaitReason::Retrying {
            attempt: 2,
            cause: "timeout".into()
        }
    );
    assert_eq!(running.create_sent_at, None);
    assert!(!running.export_gone && !running.verify_first);
    assert!(q.merchant_stopped("M2").is_some());
    assert!(q.merchant_stopped("M1").is_none());
}

#[test]
fn a_queue_round_trips_through_its_saved_form() {
    let q = ExportQueue::from_json(&rich().to_string(), T0 + 60_000).unwrap();
    let saved = q.to_json();
    let again = ExportQueue::from_json(&saved, T0 + 60_000).unwrap();
    assert_eq!(again, q);
    assert_eq!(again.to_json(), saved);
    // What this version writes, the previous one (the derive) reads, and the other way.
    let derived: ExportQueue = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        serde_json::to_string(&derived).unwrap(),
        serde_json::to_string(&q).unwrap()
    );
    written_as_the_derive_writes(&q);
    written_as_the_derive_writes(&ExportQueue::new(0));
}

#[test]
fn text_that_needs_escaping_is_written_as_the_derive_writes_it() {
    let odd = "quote \" backslash \\ newline \n tab \t ctl \u{1} \u{1f} del \u{7f} é 🎉 \u{2028}";
    let mut v = rich();
    v["requests"][0]["exports"][0]["state"] = json!({ "Failed": { "reason": odd } });
    v["requests"][0]["exports"][1]["server_status"] = json!(odd);
    v["requests"][0]["merchant"] = json!(odd);
    let stopped = v["merchants"]["M2"].clone();
    v["merchants"][odd] = stopped;
    let q = ExportQueue::from_json(&v.to_string(), T0 + 60_000).unwrap();
    written_as_the_derive_writes(&q);
    let again = ExportQueue::from_json(&q.to_json(), T0 + 60_000).unwrap();
    assert_eq!(again, q);
    assert!(again.merchant_stopped(odd).is_some());
}
