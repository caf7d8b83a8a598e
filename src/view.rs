//! The view a person is looking at, held per mount: the open section, each form's range and
//! time zone, the chart's period per bar and grouping, and the comparison.
//!
//! On the full page it is also the address bar's query string (the core's `view_state`):
//! opening a link restores the view, each change adds a history entry, and Back and
//! Forward go between them. A widget never touches its host page's address bar or history.

use leptos::prelude::*;
use merchant_console_core::embed::Section;
use merchant_console_core::oauth::Redirect;
use merchant_console_core::purchases::{BucketSize, Comparison};
use merchant_console_core::view_state::{Grouping, ViewState};
use wasm_bindgen::JsValue;

use crate::range_picker::{set_if_changed, RangeState, SavedRange};
use crate::storage::Store;

const SECTION_KEY: &str = "section";

/// The mount's view, provided as context. (Signal types the app uses anyway: every new
/// one costs its own copy of the reactive code in the wasm.)
#[derive(Clone, Copy)]
pub struct View {
    pub section: ReadSignal<Section>,
    pub set_section: WriteSignal<Section>,
    pub exports_range: RangeState,
    pub history_range: RangeState,
    /// Period per bar, used when `bucket_chosen` (else automatic for the span's length).
    pub bucket: RwSignal<BucketSize>,
    pub bucket_chosen: RwSignal<bool>,
    /// Revenue bars stacked by sales (0) or payment (1) model.
    pub by: RwSignal<usize>,
    /// The history form's comparison, by id (saved with the form).
    pub compare: RwSignal<String>,
    /// The purchase history should load without a click: a link opened it, or Back,
    /// Forward or a shortcut changed the range of a dashboard on screen. The history
    /// form acts on it once it can (configuration read, zone loaded, form filled in).
    pub load_wanted: RwSignal<bool>,
    /// The sections shown, one bit per `Section::ALL` entry.
    sections: u8,
    /// The next address-bar write replaces the entry instead of adding one (also set by
    /// the range pickers while a date is typed: the ranges hold the same flag).
    replace: StoredValue<bool>,
}

fn bit(section: Section) -> u8 {
    1 << Section::ALL.iter().position(|s| *s == section).unwrap_or(0)
}

impl View {
    /// The view restored from storage (`history_form`: the history form's saved range and
    /// comparison) and, on the full page, the `link` (the page's query string, already
    /// read) on top. `has_dashboard` says whether a dashboard is on screen.
    pub fn new(
        store: Store,
        sections: &[Section],
        link: Option<ViewState>,
        history_form: (SavedRange, String),
        has_dashboard: impl Fn() -> bool + Copy + 'static,
    ) -> Self {
        // The open section also survives a reload of a widget, which has no URL of its own.
        let initial = store
            .load(SECTION_KEY)
            .and_then(|id| Section::from_id(&id))
            .filter(|s| sections.contains(s))
            .unwrap_or(sections[0]);
        let (section, set_section) = signal(initial);
        let (history_range, compare) = history_form;
        let replace = StoredValue::new(false);
        let view = View {
            section,
            set_section,
            exports_range: RangeState::restore(
                crate::exports::saved_range(store),
                "last-30-days",
                replace,
            ),
            history_range: RangeState::restore(history_range, "last-30-days", replace),
            bucket: RwSignal::new(BucketSize::Day),
            bucket_chosen: RwSignal::new(false),
            by: RwSignal::new(0),
            compare: RwSignal::new(compare),
            load_wanted: RwSignal::new(false),
            sections: sections.iter().fold(0, |bits, s| bits | bit(*s)),
            replace,
        };
        Effect::new(move |_| store.save(SECTION_KEY, section.get().id()));
        if let Some(link) = link {
            view.apply(&link);
            view.load_wanted
                .set(link.section == Some(Section::History) && view.is_history());
            view.sync_address_bar(has_dashboard);
        }
        view
    }

    fn is_history(&self) -> bool {
        self.section.get_untracked() == Section::History
    }

    /// The range fields of the open section's form.
    pub fn open_range(&self) -> RangeState {
        if self.is_history() {
            self.history_range
        } else {
            self.exports_range
        }
    }

    /// The comparison chosen on the history form (tracked).
    pub fn comparison(&self) -> Comparison {
        Comparison::from_id(&self.compare.get()).unwrap_or_default()
    }

    /// A period per bar, or `None` for the automatic one.
    pub fn choose_bucket(&self, size: Option<BucketSize>) {
        if let Some(size) = size {
            set_if_changed(self.bucket, size);
        }
        set_if_changed(self.bucket_chosen, size.is_some());
    }

    /// Takes over what `v` sets; the rest stays.
    fn apply(&self, v: &ViewState) {
        if let Some(s) = v.section.filter(|s| self.sections & bit(*s) != 0) {
            if self.section.get_untracked() != s {
                self.set_section.set(s);
            }
        }
        let range = self.open_range();
        if let Some(p) = v.range {
            range.set_preset(p);
        }
        if let Some(z) = &v.zone {
            set_if_changed(range.zone, z.clone());
        }
        if self.is_history() {
            // No `per` in a link is the automatic period.
            self.choose_bucket(v.per);
        }
        if let Some(g) = v.by {
            set_if_changed(self.by, g as usize);
        }
        if let Some(c) = v.compare {
            set_if_changed(self.compare, c.id().to_string());
        }
    }

    /// The view as a link states it (tracked). The chart's choices only go with the
    /// purchase history.
    fn current(&self) -> ViewState {
        let section = self.section.get();
        let history = section == Section::History;
        let range = if history {
            self.history_range
        } else {
            self.exports_range
        };
        ViewState {
            section: Some(section),
            range: range.preset_value(),
            zone: Some(range.zone.get()),
            per: (history && self.bucket_chosen.get()).then(|| self.bucket.get()),
            by: history.then(|| {
                if self.by.get() == 1 {
                    Grouping::PaymentModel
                } else {
                    Grouping::SalesModel
                }
            }),
            compare: history.then(|| self.comparison()),
        }
    }

    /// Writes each change of the view into the address bar (a new entry, or the same one
    /// for the first write and edits in progress) and restores the view on Back/Forward.
    fn sync_address_bar(self, has_dashboard: impl Fn() -> bool + Copy + 'static) {
        let first = StoredValue::new(true);
        Effect::new(move |_| {
            let state = self.current();
            let replace = first.get_value() || self.replace.get_value();
            first.set_value(false);
            self.replace.set_value(false);
            let location = window().location();
            let search = location.search().unwrap_or_default();
            // Back from Clover's sign-in: the auth module reads the code and removes it
            // from the address bar; until then the entry is left alone.
            if Redirect::parse(&search).is_some() {
                return;
            }
            let next = state.to_query(&search);
            if next == search {
                return;
            }
            let url = format!(
                "{}{next}{}",
                location.pathname().unwrap_or_default(),
                location.hash().unwrap_or_default()
            );
            if let Ok(history) = window().history() {
                let _ = if replace {
                    history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
                } else {
                    history.push_state_with_url(&JsValue::NULL, "", Some(&url))
                };
            }
        });
        let popstate = window_event_listener(leptos::ev::popstate, move |_| {
            let search = window().location().search().unwrap_or_default();
            // Restoring is not a change of its own: nothing is added to the history.
            self.replace.set_value(true);
            self.apply(&ViewState::parse(&search));
            if self.is_history() && has_dashboard() {
                self.load_wanted.set(true);
            }
            // Nothing changed (the same view twice): no write will clear the flag.
            gloo_timers::callback::Timeout::new(0, move || {
                let _ = self.replace.try_set_value(false);
            })
            .forget();
        });
        on_cleanup(move || popstate.remove());
    }
}
