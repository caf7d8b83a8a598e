//! The view in the query string: round trips, foreign parameters kept, hostile input.

use jiff::civil::date;
use merchant_console_core::embed::Section;
use merchant_console_core::purchases::{BucketSize, Comparison};
use merchant_console_core::range::{DateRange, Preset};
use merchant_console_core::view_state::{Grouping, ViewState};

fn full() -> ViewState {
    ViewState {
        section: Some(Section::History),
        range: Some(Preset::Last7Days),
        zone: Some("Europe/Berlin".into()),
        per: Some(BucketSize::Week),
        by: Some(Grouping::PaymentModel),
        compare: Some(Comparison::PreviousYearWeekdays),
    }
}

#[test]
fn writes_a_readable_query_and_reads_it_back() {
    let v = full();
    let q = v.to_query("");
    assert_eq!(
        q,
        "?section=history&range=last-7-days&tz=Europe/Berlin&per=week&by=payment&compare=year-weekdays"
    );
    assert_eq!(ViewState::parse(&q), v);

    let custom = ViewState {
        section: Some(Section::Exports),
        range: Some(Preset::Custom(
            DateRange::new(date(2024, 2, 1), date(2024, 2, 29)).unwrap(),
        )),
        zone: Some("Etc/GMT+5".into()),
        ..ViewState::default()
    };
    let q = custom.to_query("");
    assert_eq!(
        q,
        "?section=exports&from=2024-02-01&to=2024-02-29&tz=Etc/GMT%2B5"
    );
    assert_eq!(ViewState::parse(&q), custom);
    assert_eq!(ViewState::default().to_query(""), "");
    for c in Comparison::ALL {
        let v = ViewState {
            compare: Some(c),
            ..ViewState::default()
        };
        assert_eq!(ViewState::parse(&v.to_query("")), v);
    }
    for p in Preset::FIXED {
        let v = ViewState {
            range: Some(p),
            ..ViewState::default()
        };
        assert_eq!(ViewState::parse(&v.to_query("")), v);
    }
}

#[test]
fn other_parameters_are_kept_in_place_and_ours_replaced() {
    let v = ViewState {
        section: Some(Section::History),
        range: Some(Preset::Today),
        ..ViewState::default()
    };
    assert_eq!(
        v.to_query("?utm_source=mail&section=exports&range=this-year&x=a%20b&flag"),
        "?utm_source=mail&x=a%20b&flag&section=history&range=today"
    );
    // Our keys are recognised however they are encoded, and dropped when not in the view.
    assert_eq!(
        ViewState::default().to_query("?%73ection=history&from=2026-01-01&keep=1"),
        "?keep=1"
    );
    // Writing the parsed view into its own query changes nothing.
    let q = full().to_query("?a=1");
    assert_eq!(ViewState::parse(&q).to_query(&q), q);
}

#[test]
fn unknown_and_hostile_values_are_ignored() {
    let v = ViewState::parse(
        "?section=admin&range=forever&tz=../../etc/passwd&per=hour&by=colour&compare=tomorrow&merchant=M1&key=secret",
    );
    assert_eq!(v, ViewState::default());
    // Dates: only YYYY-MM-DD between 1970 and 2100, and both ends needed.
    for q in [
        "from=2026-01-01",
        "to=2026-01-31",
        "from=0001-01-01&to=9999-12-31",
        "from=2026-02-30&to=2026-03-01",
        "from=26-1-1&to=2026-03-01",
        "from=2026-01-01T00:00&to=2026-01-02",
        "from=%00%01&to=%F0%9F%92%A9",
    ] {
        assert_eq!(ViewState::parse(q).range, None, "{q}");
    }
    // Reversed ends are put in order.
    assert_eq!(
        ViewState::parse("from=2026-03-31&to=2026-03-01").range,
        Some(Preset::Custom(
            DateRange::new(date(2026, 3, 1), date(2026, 3, 31)).unwrap()
        ))
    );
    // A preset wins over dates; the first usable value of a key counts.
    assert_eq!(
        ViewState::parse("range=yesterday&from=2026-03-01&to=2026-03-31").range,
        Some(Preset::Yesterday)
    );
    assert_eq!(
        ViewState::parse("range=nonsense&range=today&range=yesterday").range,
        Some(Preset::Today)
    );
    // `custom` alone names no dates.
    assert_eq!(ViewState::parse("range=custom").range, None);
    // Over-long values and odd encodings never panic.
    let long = format!("tz={}&section=history", "A/".repeat(5000));
    assert_eq!(ViewState::parse(&long).zone, None);
    assert_eq!(ViewState::parse(&long).section, Some(Section::History));
    for q in [
        "",
        "?",
        "&&&",
        "=",
        "?=x&y=",
        "%",
        "%zz=1",
        "section=%E2%28",
        "tz=UTC+",
    ] {
        let v = ViewState::parse(q);
        let _ = v.to_query(q);
    }
    assert_eq!(ViewState::parse("tz=UTC").zone.as_deref(), Some("UTC"));
    assert_eq!(
        ViewState::parse("tz=%20UTC%20").zone.as_deref(),
        Some("UTC")
    );
}

#[test]
fn nothing_secret_is_ever_written() {
    // The view has no place for them; foreign keys pass through untouched, but the app
    // never puts credentials there (the writer only knows its own keys).
    let q = full().to_query("");
    for word in ["merchant", "key", "token", "auth", "base", "http"] {
        assert!(!q.contains(word), "{word} in {q}");
    }
}
