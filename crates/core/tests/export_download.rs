//! "Download all" plans (which parts, label, file name, missing ranges, messages) and
//! drop-to-merge (checking and merging files the person saved themselves).

use merchant_console_core::credentials::CredentialSource;
use merchant_console_core::export::download_plan::{percent_encode_component, span_text};
use merchant_console_core::export::local_files::{LeftOut, LocalFiles, Verdict};
use merchant_console_core::export::policy::Response;
use merchant_console_core::export::queue::{ExportQueue, NewRequest, Op, RangeLabel};
use merchant_console_core::export::{
    fetch_url, DownloadPlan, ExportType, FetchOutcome, Merger, OutputFormat, PartState, PlanPart,
};
use merchant_console_core::range::{DateRange, TimeSpan};
use merchant_console_core::Millis;

const DAY: Millis = 86_400_000;
/// 2026-01-01T00:00:00Z
const T0: Millis = 1_767_225_600_000;

fn part(index: usize, state: PartState, urls: &[&str]) -> PlanPart {
    PlanPart {
        job: index as u64 + 1,
        index,
        span: TimeSpan::new(
            T0 + index as i64 * 30 * DAY,
            T0 + (index as i64 + 1) * 30 * DAY - 1,
        )
        .unwrap(),
        export_id: Some(format!("EXPORTID{index}AAAAA")),
        urls: urls.iter().map(|u| u.to_string()).collect(),
        state,
    }
}

fn plan(parts: Vec<PlanPart>) -> DownloadPlan {
    let span = TimeSpan::new(parts[0].span.start, parts.last().unwrap().span.end).unwrap();
    DownloadPlan {
        export_type: ExportType::Orders,
        span,
        label: Some(RangeLabel {
            range: DateRange::new(
                merchant_console_core::civil::utc_date(span.start),
                merchant_console_core::civil::utc_date(span.end),
            )
            .unwrap(),
            zone: "UTC".into(),
            partial: false,
        }),
        parts,
    }
}

/// Three 30-day parts: one file, two files, one file.
fn three_ready() -> DownloadPlan {
    plan(vec![
        part(0, PartState::Ready, &["https://f.example/files/tok-a"]),
        part(
            1,
            PartState::Ready,
            &[
                "https://f.example/files/tok-b1",
                "https://f.example/files/tok-b2?sig=x",
            ],
        ),
        part(2, PartState::Ready, &["https://f.example/files/tok-c"]),
    ])
}

#[test]
fn a_complete_request_downloads_as_today() {
    let p = three_ready();
    assert!(p.is_complete());
    assert_eq!(p.button_label(), "Download all");
    assert_eq!(
        p.download_name(OutputFormat::Csv),
        "clover-orders_2026-01-01_2026-03-31_UTC.csv"
    );
    assert_eq!(p.notice_heading(), None);
    assert!(p.missing_ranges().is_empty());
    let files = p.files();
    assert_eq!(
        files
            .iter()
            .map(|f| (f.order, f.part, f.number, f.of))
            .collect::<Vec<_>>(),
        vec![(0, 0, 0, 1), (1, 1, 0, 2), (2, 1, 1, 2), (3, 2, 0, 1)]
    );
    assert_eq!(files[2].url, "https://f.example/files/tok-b2?sig=x");
}

#[test]
fn a_partial_download_says_what_it_includes_and_what_it_leaves_out() {
    let mut p = three_ready();
    p.parts[2] = part(2, PartState::Running, &[]);
    assert!(!p.is_complete());
    assert!(p.has_files());
    assert_eq!(p.button_label(), "Download the 2 finished parts of 3");
    assert_eq!(
        p.download_name(OutputFormat::Csv),
        "clover-orders_2026-01-01_2026-03-31_UTC_partial.csv"
    );
    assert_eq!(
        p.download_name(OutputFormat::Ndjson),
        "clover-orders_2026-01-01_2026-03-31_UTC_partial.ndjson"
    );
    assert_eq!(
        p.notice_heading().as_deref(),
        Some("The file will leave out 1 of 3 parts:")
    );
    assert_eq!(
        p.missing_ranges(),
        vec!["2026-03-02 00:00:00 – 2026-03-31 23:59:59 UTC (export 3 of 3, not finished yet)"]
    );
    assert_eq!(
        p.saved_note().as_deref(),
        Some("It leaves out 1 of 3 parts: 2026-03-02 00:00:00 – 2026-03-31 23:59:59 UTC (export 3 of 3, not finished yet).")
    );
    assert_eq!(three_ready().saved_note(), None);
    // Only the finished parts' files are fetched.
    assert_eq!(p.files().len(), 3);
    assert!(p.files().iter().all(|f| f.part < 2));

    p.parts[1] = part(1, PartState::Failed, &[]);
    assert_eq!(p.button_label(), "Download the 1 finished part of 3");
    assert_eq!(p.missing_ranges().len(), 2);
    assert!(p.missing_ranges()[0].ends_with("(export 2 of 3, failed)"));
    // Nothing finished with files: nothing to download.
    p.parts[0] = part(0, PartState::Cancelled, &[]);
    assert!(!p.has_files());
    assert!(p.files().is_empty());
}

#[test]
fn a_finished_part_without_files_counts_as_finished() {
    let mut p = three_ready();
    p.parts[1] = part(1, PartState::Ready, &[]); // no objects in that range
    assert!(p.is_complete());
    assert_eq!(p.button_label(), "Download all");
    assert_eq!(p.files().len(), 2);
}

fn queue_with_done_export(urls: &str) -> (ExportQueue, u64) {
    let mut q = ExportQueue::new(7);
    let span = TimeSpan::new(T0, T0 + 45 * DAY - 1).unwrap();
    let req = NewRequest {
        merchant: "M1".into(),
        region: "sandbox".into(),
        export_type: ExportType::Payments,
        span,
        hours: None,
        label: None,
        auth: CredentialSource::Tab,
    };
    let r = q.add_request(req, T0 + 50 * DAY).unwrap();
    let now = T0 + 50 * DAY;
    let create = q.next_action(now).expect("a create");
    assert!(matches!(create.op, Op::Create { .. }));
    let body = format!(
        r#"{{"id":"EXP1","status":"DONE","percentComplete":100,"availableUntil":{},"exportUrls":{{"elements":[{urls}]}}}}"#,
        now + DAY
    );
    q.on_response(create.op_id, Response::http(200, body), now);
    (q, r)
}

#[test]
fn a_plan_is_taken_from_the_queue_and_refuses_links_that_are_not_web_links() {
    let (q, r) =
        queue_with_done_export(r#"{"url":"https://f.example/1"},{"url":"https://f.example/2"}"#);
    let p = DownloadPlan::of(q.request(r).unwrap());
    assert_eq!(p.total(), 2);
    assert_eq!(p.parts[0].state, PartState::Ready);
    assert_eq!(p.parts[0].export_id.as_deref(), Some("EXP1"));
    assert_eq!(
        p.parts[0].urls,
        vec!["https://f.example/1", "https://f.example/2"]
    );
    assert_eq!(p.parts[1].state, PartState::Running);
    assert_eq!(p.button_label(), "Download the 1 finished part of 2");
    // No picked dates: the name comes from the span's UTC dates.
    assert_eq!(
        p.download_name(OutputFormat::Json),
        "clover-payments_2026-01-01_2026-02-14_UTC_partial.json"
    );

    let (q, r) =
        queue_with_done_export(r#"{"url":"https://f.example/1"},{"url":"javascript:alert(1)"}"#);
    let p = DownloadPlan::of(q.request(r).unwrap());
    // One bad link spoils the part: a merge of some of its files would look complete.
    assert_eq!(p.parts[0].state, PartState::BadLinks);
    assert!(p.parts[0].urls.is_empty());
    assert!(!p.has_files());
    assert!(p.missing_ranges()[0].contains("not web links"));
}

#[test]
fn files_go_through_the_proxy_as_one_encoded_parameter() {
    let url = "https://files.example/a/b?X-Sig=a%2Bb&exp=1";
    assert_eq!(fetch_url(None, url), url);
    assert_eq!(
        fetch_url(Some("/api/clover-files"), url),
        format!("/api/clover-files?url={}", percent_encode_component(url))
    );
    assert_eq!(
        fetch_url(Some("/api/clover-files"), url),
        "/api/clover-files?url=https%3A%2F%2Ffiles.example%2Fa%2Fb%3FX-Sig%3Da%252Bb%26exp%3D1"
    );
    assert!(
        fetch_url(Some("https://portal.example/files?tenant=3"), url)
            .starts_with("https://portal.example/files?tenant=3&url=https%3A%2F%2F")
    );
}

#[test]
fn failures_say_what_happened_and_what_to_do() {
    let p = three_ready();
    let f = &p.files()[2]; // file 2 of 2 of export 2
    let cors = p.failure(
        f,
        None,
        &FetchOutcome::NoResponse("TypeError: Failed to fetch".into()),
    );
    assert!(
        cors.starts_with("File 2 of 2 of export 2 of 3 could not be fetched"),
        "{cors}"
    );
    assert!(
        cors.contains("Save the files through their links"),
        "{cors}"
    );
    let gone = p.failure(f, None, &FetchOutcome::Status(410));
    assert!(gone.contains("HTTP 410"), "{gone}");
    assert!(
        gone.contains("“Request this range again” on export 2 of 3"),
        "{gone}"
    );
    let refused = p.failure(f, Some("/api/clover-files"), &FetchOutcome::Status(403));
    assert!(
        refused.contains("files proxy /api/clover-files refused file 2 of 2"),
        "{refused}"
    );
    assert!(refused.contains("f.example"), "{refused}");
    assert!(refused.contains("allow-list"), "{refused}");
    let via = p.failure(f, Some("/p"), &FetchOutcome::NoResponse("timed out".into()));
    assert!(
        via.contains("through the files proxy /p") && via.contains("timed out"),
        "{via}"
    );
    let slow = p.failure(f, None, &FetchOutcome::Timeout);
    assert!(
        slow.contains("did not arrive in time") && slow.contains("merge them below"),
        "{slow}"
    );
    assert!(p
        .failure(f, None, &FetchOutcome::Status(502))
        .contains("(HTTP 502). Try again."));
    assert!(p
        .failure(
            f,
            None,
            &FetchOutcome::Unreadable("the file is not valid JSON".into())
        )
        .ends_with("could not be read: the file is not valid JSON."));
}

// ---- drop-to-merge ------------------------------------------------------------------

/// An export file of orders created at the given instants (ids from `prefix`).
fn orders_file(prefix: &str, times: &[Millis]) -> String {
    let elements: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                r#"{{"id":"{prefix}{i}","currency":"USD","total":{},"paymentState":"PAID","createdTime":{t},"modifiedTime":{t}}}"#,
                100 + i
            )
        })
        .collect();
    format!(r#"{{"elements":[{}]}}"#, elements.join(","))
}

fn payments_file(times: &[Millis]) -> String {
    let elements: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(r#"{{"id":"P{i}","amount":100,"order":{{"id":"O{i}"}},"createdTime":{t}}}"#)
        })
        .collect();
    format!(r#"{{"elements":[{}]}}"#, elements.join(","))
}

fn at(part: i64, hour: i64) -> Millis {
    T0 + part * 30 * DAY + hour * 3_600_000
}

/// The four files of `three_ready`, as "Download all" would fetch them.
fn the_four_files() -> Vec<(&'static str, String)> {
    vec![
        ("tok-a", orders_file("A", &[at(0, 1), at(0, 2)])),
        ("tok-b1", orders_file("B", &[at(1, 1), at(1, 2), at(1, 3)])),
        ("tok-b2", orders_file("C", &[at(1, 400), at(1, 500)])),
        ("tok-c", orders_file("D", &[at(2, 1)])),
    ]
}

fn merged_by_download_all(format: OutputFormat) -> Vec<u8> {
    let mut m = Merger::new(three_ready().merge_options(format));
    for (i, (_, body)) in the_four_files().iter().enumerate() {
        m.add_file(i, body).unwrap();
    }
    m.finish()
}

#[test]
fn dropped_files_merge_exactly_as_download_all_in_any_order_and_under_any_name() {
    let p = three_ready();
    for format in [OutputFormat::Csv, OutputFormat::Json, OutputFormat::Ndjson] {
        // Saved under their URL's name, dropped in reverse; one renamed by the person.
        let mut local = LocalFiles::new();
        let files = the_four_files();
        for (i, (name, body)) in files.iter().enumerate().rev() {
            let name = if i == 2 {
                "my orders.json".to_string()
            } else {
                format!("{name}.json")
            };
            local.add(&name, body.clone());
        }
        let check = local.check(&p);
        assert!(check.complete, "{check:?}");
        assert_eq!(check.accepted, 4);
        assert!(check.missing_lines(&p).is_empty());
        // The renamed file was placed by its content, the others by name.
        let renamed = check
            .files
            .iter()
            .find(|f| f.name == "my orders.json")
            .unwrap();
        assert_eq!(
            renamed.verdict,
            Verdict::Accepted {
                part: 1,
                number: None
            }
        );
        assert_eq!(renamed.text(&p, &check.files), "Export 2 of 3: 2 orders");
        let named = check
            .files
            .iter()
            .find(|f| f.name == "tok-b1.json")
            .unwrap();
        assert_eq!(
            named.verdict,
            Verdict::Accepted {
                part: 1,
                number: Some(0)
            }
        );
        assert_eq!(
            named.text(&p, &check.files),
            "Export 2 of 3, file 1 of 2: 3 orders"
        );
        let (bytes, stats) = local.merge(&check, p.merge_options(format)).unwrap();
        assert_eq!(stats.added, 8);
        assert_eq!(bytes, merged_by_download_all(format), "{format:?}");
    }
}

#[test]
fn a_file_from_another_export_is_named_and_left_out() {
    let p = three_ready();
    let mut local = LocalFiles::new();
    for (name, body) in the_four_files() {
        local.add(&format!("{name}.json"), body);
    }
    // A year earlier: another request's file.
    let old = orders_file("Z", &[T0 - 365 * DAY, T0 - 364 * DAY]);
    local.add("5f3a9c.json", old);
    let check = local.check(&p);
    assert!(check.complete);
    assert_eq!(check.accepted, 4);
    let extra = &check.files[4];
    assert!(matches!(
        extra.verdict,
        Verdict::LeftOut(LeftOut::OtherExport { .. })
    ));
    let text = extra.text(&p, &check.files);
    assert!(
        text.starts_with("Left out: it is from another export"),
        "{text}"
    );
    assert!(text.contains("2025-01-01"), "{text}");
    assert!(text.contains(&span_text(p.span)), "{text}");
    let (bytes, stats) = local
        .merge(&check, p.merge_options(OutputFormat::Csv))
        .unwrap();
    assert_eq!(stats.added, 8);
    assert_eq!(bytes, merged_by_download_all(OutputFormat::Csv));
}

#[test]
fn every_kind_of_wrong_file_is_named_with_its_reason() {
    let mut p = three_ready();
    p.parts[2] = part(2, PartState::Failed, &[]);
    let mut local = LocalFiles::new();
    let files = the_four_files();
    local.add("tok-a.json", files[0].1.clone());
    local.add("tok-a (1).json", files[0].1.clone()); // the same file saved twice
    local.add("copy.json", files[0].1.clone()); // and once more, renamed
    local.add("span.json", orders_file("X", &[at(0, 5), at(1, 5)]));
    local.add("pay.json", payments_file(&[at(0, 3)]));
    local.add("c.json", files[3].1.clone()); // belongs to the failed part
    local.add("notes.txt", "these are my notes".into());
    local.add("b-1.json", files[1].1.clone());
    local.add("b-2.json", files[2].1.clone());
    local.add("b-3.json", orders_file("Y", &[at(1, 7)])); // part 2 has only 2 files
    local.add(
        "undated.json",
        r#"{"elements":[{"id":"Q1","total":5}]}"#.into(),
    );
    let check = local.check(&p);
    let v = |i: usize| check.files[i].verdict.clone();
    assert_eq!(
        v(0),
        Verdict::Accepted {
            part: 0,
            number: Some(0)
        }
    );
    assert_eq!(v(1), Verdict::LeftOut(LeftOut::Duplicate { of: 0 }));
    assert_eq!(v(2), Verdict::LeftOut(LeftOut::Duplicate { of: 0 }));
    assert_eq!(
        v(3),
        Verdict::LeftOut(LeftOut::CrossesParts { from: 0, to: 1 })
    );
    assert_eq!(
        v(4),
        Verdict::LeftOut(LeftOut::OtherType(ExportType::Payments))
    );
    assert_eq!(v(5), Verdict::LeftOut(LeftOut::PartNotDone { part: 2 }));
    assert!(matches!(v(6), Verdict::LeftOut(LeftOut::Unreadable(_))));
    assert_eq!(
        v(7),
        Verdict::Accepted {
            part: 1,
            number: None
        }
    );
    assert_eq!(
        v(8),
        Verdict::Accepted {
            part: 1,
            number: None
        }
    );
    assert_eq!(v(9), Verdict::LeftOut(LeftOut::TooMany { part: 1 }));
    assert_eq!(v(10), Verdict::LeftOut(LeftOut::Unidentified));
    let texts: Vec<String> = check
        .files
        .iter()
        .map(|f| f.text(&p, &check.files))
        .collect();
    assert_eq!(
        texts[1],
        "Left out: every one of its orders is already in “tok-a.json”."
    );
    assert_eq!(
        texts[2],
        "Left out: every one of its orders is already in “tok-a.json”."
    );
    assert_eq!(
        texts[3],
        "Left out: it is from another export: its orders run from export 1 of 3 into export 2 of 3 of this request."
    );
    assert_eq!(
        texts[4],
        "Left out: it holds payments, and this request is for orders."
    );
    assert_eq!(
        texts[5],
        "Left out: its orders belong to export 3 of 3, which has no files (failed)."
    );
    assert!(texts[6].starts_with("Left out: it is not a Clover export file (not valid JSON"));
    assert_eq!(
        texts[9],
        "Left out: export 2 of 3 has 2 file(s), and all of them are here already."
    );
    assert!(!check.complete);
    assert_eq!(
        check.missing_lines(&p),
        vec!["2026-03-02 00:00:00 – 2026-03-31 23:59:59 UTC (export 3 of 3): no files (failed)"]
    );
    let (_, stats) = local
        .merge(&check, p.merge_options(OutputFormat::Csv))
        .unwrap();
    assert_eq!(stats.added, 7);
}

#[test]
fn missing_files_are_named_when_the_names_tell_and_counted_otherwise() {
    let p = three_ready();
    let files = the_four_files();
    let mut local = LocalFiles::new();
    local.add("tok-a.json", files[0].1.clone());
    local.add("tok-b2.json", files[2].1.clone());
    let check = local.check(&p);
    assert_eq!(
        check.missing_lines(&p),
        vec![
            "2026-01-31 00:00:00 – 2026-03-01 23:59:59 UTC (export 2 of 3): file 1 of 2 missing",
            "2026-03-02 00:00:00 – 2026-03-31 23:59:59 UTC (export 3 of 3): file 1 of 1 missing",
        ]
    );
    let mut local = LocalFiles::new();
    local.add("renamed.json", files[1].1.clone());
    let check = local.check(&p);
    assert_eq!(
        check.missing_lines(&p)[1],
        "2026-01-31 00:00:00 – 2026-03-01 23:59:59 UTC (export 2 of 3): 1 of 2 files missing"
    );
    assert_eq!(check.missing_lines(&p).len(), 3);
    assert!(!check.complete);
}

#[test]
fn the_export_id_in_a_name_places_the_file_and_expired_parts_still_take_saved_files() {
    let mut p = three_ready();
    p.parts[0].state = PartState::Expired;
    let mut local = LocalFiles::new();
    // A name with the export id, and a body whose objects have no createdTime.
    local.add(
        "EXPORTID0AAAAA-orders.json",
        r#"{"elements":[{"id":"A0","total":1},{"id":"A1","total":2}]}"#.into(),
    );
    let check = local.check(&p);
    assert_eq!(
        check.files[0].verdict,
        Verdict::Accepted {
            part: 0,
            number: None
        }
    );
    assert_eq!(check.parts[0].received, 1);
}

#[test]
fn files_dedupe_across_chunk_boundaries_as_download_all_does() {
    let p = three_ready();
    let mut local = LocalFiles::new();
    // The same order at the very end of part 1 appears again in part 2's first file.
    let shared = r#"{"id":"SHARED","total":1,"createdTime":1769817599999}"#;
    let a = format!(r#"{{"elements":[{shared}]}}"#);
    let b = format!(
        r#"{{"elements":[{shared},{{"id":"B9","total":2,"createdTime":{}}}]}}"#,
        at(1, 1)
    );
    local.add("tok-a.json", a.clone());
    local.add("tok-b1.json", b.clone());
    let check = local.check(&p);
    assert_eq!(check.accepted, 2);
    let (_, stats) = local
        .merge(&check, p.merge_options(OutputFormat::Json))
        .unwrap();
    assert_eq!((stats.added, stats.duplicates), (2, 1));
}
