//! Range shortcuts: which key means what, and stepping to the previous or next period.

use jiff::civil::{date, Date};
use merchant_console_core::range::{
    shortcut_for, step, DateRange, Modifiers, Preset, Shortcut, Step, SHORTCUTS,
};

fn custom(from: Date, to: Date) -> Preset {
    Preset::Custom(DateRange::new(from, to).unwrap())
}

fn dates(p: Preset, today: Date) -> (Date, Date) {
    let r = p.resolve_on(today).unwrap();
    (r.from, r.to)
}

const NONE: Modifiers = Modifiers {
    ctrl: false,
    alt: false,
    meta: false,
    shift: false,
};

#[test]
fn letters_map_to_presets_as_in_plausible() {
    let expect = [
        ("d", Preset::Today),
        ("e", Preset::Yesterday),
        ("w", Preset::Last7Days),
        ("t", Preset::Last30Days),
        ("m", Preset::ThisMonth),
        ("p", Preset::LastMonth),
        ("y", Preset::ThisYear),
        ("l", Preset::Last12Months),
    ];
    for (key, preset) in expect {
        assert_eq!(
            shortcut_for(key, NONE),
            Some(Shortcut::Range(preset)),
            "{key}"
        );
        // Caps Lock: the upper-case letter without Shift.
        let upper = key.to_uppercase();
        assert_eq!(shortcut_for(&upper, NONE), Some(Shortcut::Range(preset)));
    }
    assert_eq!(shortcut_for("ArrowLeft", NONE), Some(Shortcut::Previous));
    assert_eq!(shortcut_for("ArrowRight", NONE), Some(Shortcut::Next));
    assert_eq!(shortcut_for("?", NONE), Some(Shortcut::Help));
    // Every listed key is a real shortcut and the list names each preset's letter.
    assert_eq!(SHORTCUTS.len(), 11);
    for (key, _) in SHORTCUTS {
        let key = match key {
            "←" => "ArrowLeft",
            "→" => "ArrowRight",
            k => k,
        };
        assert!(shortcut_for(key, NONE).is_some(), "{key}");
    }
}

#[test]
fn modifiers_and_other_keys_are_not_shortcuts() {
    for mods in [
        Modifiers { ctrl: true, ..NONE },
        Modifiers { alt: true, ..NONE },
        Modifiers { meta: true, ..NONE },
        Modifiers {
            shift: true,
            ..NONE
        },
    ] {
        for key in ["d", "D", "ArrowLeft", "ArrowRight", "l"] {
            assert_eq!(shortcut_for(key, mods), None, "{key} {mods:?}");
        }
    }
    // `?` needs Shift on most layouts, but never Ctrl, Alt or Meta.
    assert_eq!(
        shortcut_for(
            "?",
            Modifiers {
                shift: true,
                ..NONE
            }
        ),
        Some(Shortcut::Help)
    );
    assert_eq!(shortcut_for("?", Modifiers { ctrl: true, ..NONE }), None);
    for key in [
        "a", "x", "1", "Enter", " ", "ArrowUp", "Escape", "", "dd", "Dead", "ß",
    ] {
        assert_eq!(shortcut_for(key, NONE), None, "{key:?}");
    }
}

#[test]
fn last_12_months_is_this_month_and_the_eleven_before() {
    assert_eq!(
        dates(Preset::Last12Months, date(2026, 3, 16)),
        (date(2025, 4, 1), date(2026, 3, 16))
    );
    assert_eq!(
        dates(Preset::Last12Months, date(2026, 1, 1)),
        (date(2025, 2, 1), date(2026, 1, 1))
    );
    assert_eq!(
        Preset::from_id("last-12-months", None),
        Some(Preset::Last12Months)
    );
}

#[test]
fn day_ranges_step_by_their_length_and_never_past_today() {
    let today = date(2026, 3, 16);
    assert_eq!(
        step(&Preset::Today, Step::Previous, today),
        Some(Preset::Yesterday)
    );
    assert_eq!(
        step(&Preset::Yesterday, Step::Next, today),
        Some(Preset::Today)
    );
    assert_eq!(step(&Preset::Today, Step::Next, today), None);
    assert_eq!(
        step(&Preset::Yesterday, Step::Previous, today),
        Some(custom(date(2026, 3, 14), date(2026, 3, 14)))
    );
    let back = step(&Preset::Last7Days, Step::Previous, today).unwrap();
    assert_eq!(back, custom(date(2026, 3, 3), date(2026, 3, 9)));
    // Forward again is the preset, not a custom copy of it.
    assert_eq!(step(&back, Step::Next, today), Some(Preset::Last7Days));
    assert_eq!(step(&Preset::Last7Days, Step::Next, today), None);
    let back = step(&Preset::Last30Days, Step::Previous, today).unwrap();
    assert_eq!(back, custom(date(2026, 1, 16), date(2026, 2, 14)));
    // A step that would cross today ends today, same length.
    let near = custom(date(2026, 3, 5), date(2026, 3, 11));
    assert_eq!(step(&near, Step::Next, today), Some(Preset::Last7Days));
    let odd = custom(date(2026, 3, 2), date(2026, 3, 14));
    assert_eq!(
        step(&odd, Step::Next, today),
        Some(custom(date(2026, 3, 4), date(2026, 3, 16)))
    );
    // A range ending in the future has no next period.
    assert_eq!(
        step(
            &custom(date(2026, 3, 10), date(2026, 3, 20)),
            Step::Next,
            today
        ),
        None
    );
}

#[test]
fn months_and_years_step_by_the_calendar() {
    let today = date(2026, 3, 16);
    // This month so far steps back to all of last month, which is "Last month".
    assert_eq!(
        step(&Preset::ThisMonth, Step::Previous, today),
        Some(Preset::LastMonth)
    );
    assert_eq!(
        step(&Preset::LastMonth, Step::Next, today),
        Some(Preset::ThisMonth)
    );
    let jan = step(&Preset::LastMonth, Step::Previous, today).unwrap();
    assert_eq!(jan, custom(date(2026, 1, 1), date(2026, 1, 31)));
    let dec = step(&jan, Step::Previous, today).unwrap();
    assert_eq!(dec, custom(date(2025, 12, 1), date(2025, 12, 31)));
    assert_eq!(step(&dec, Step::Next, today), Some(jan));
    // Leap February stays whole.
    let feb = step(
        &custom(date(2024, 3, 1), date(2024, 3, 31)),
        Step::Previous,
        today,
    );
    assert_eq!(feb, Some(custom(date(2024, 2, 1), date(2024, 2, 29))));

    let last_year = step(&Preset::ThisYear, Step::Previous, today).unwrap();
    assert_eq!(last_year, custom(date(2025, 1, 1), date(2025, 12, 31)));
    assert_eq!(step(&last_year, Step::Next, today), Some(Preset::ThisYear));
    assert_eq!(step(&Preset::ThisYear, Step::Next, today), None);

    let year_before = step(&Preset::Last12Months, Step::Previous, today).unwrap();
    assert_eq!(year_before, custom(date(2024, 4, 1), date(2025, 3, 31)));
    assert_eq!(
        step(&year_before, Step::Next, today),
        Some(Preset::Last12Months)
    );

    // In January "this month" and "this year" cover the same days; each keeps its kind.
    let jan_10 = date(2026, 1, 10);
    assert_eq!(
        step(&Preset::LastMonth, Step::Next, jan_10),
        Some(Preset::ThisMonth)
    );
    assert_eq!(
        step(
            &custom(date(2025, 1, 1), date(2025, 12, 31)),
            Step::Next,
            jan_10
        ),
        Some(Preset::ThisYear)
    );
    // Two whole quarters step by six months.
    assert_eq!(
        step(
            &custom(date(2025, 1, 1), date(2025, 6, 30)),
            Step::Next,
            today
        ),
        Some(custom(date(2025, 7, 1), date(2025, 12, 31)))
    );
}

#[test]
fn limits_never_panic() {
    for today in [Date::MIN, Date::MAX, date(2026, 3, 16)] {
        for p in Preset::FIXED {
            let _ = step(&p, Step::Previous, today);
            let _ = step(&p, Step::Next, today);
        }
        for p in [
            custom(Date::MIN, Date::MIN),
            custom(Date::MIN, Date::MAX),
            custom(Date::MAX, Date::MAX),
            custom(date(-9999, 1, 1), date(9999, 12, 31)),
        ] {
            let _ = step(&p, Step::Previous, today);
            let _ = step(&p, Step::Next, today);
        }
    }
    assert_eq!(
        step(
            &custom(Date::MIN, Date::MIN),
            Step::Previous,
            date(2026, 1, 1)
        ),
        None
    );
}
