//! The date-range field set shared by both forms: preset, custom dates, time zone.

use leptos::prelude::*;
use merchant_console_core::civil::ymd;
use merchant_console_core::range::{parse_date, DateRange, Preset, ResolvedSpan};

use crate::storage::Fields;
use crate::zone::{loaded_browser_zone, now_ms, zone_by_name};

/// The picker's state; every field is a signal so forms can derive from it.
#[derive(Clone, Copy)]
pub struct RangeState {
    pub preset: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub zone: RwSignal<String>,
    /// Set while a date is being typed: the view's next address-bar write then replaces
    /// the entry instead of adding one per keystroke (the view owns and clears it).
    pub editing: StoredValue<bool>,
}

/// The picker's fields as a form saves them (as fields of the form's own JSON object).
#[derive(Clone, Debug, Default)]
pub struct SavedRange {
    pub preset: String,
    pub from: String,
    pub to: String,
    pub zone: String,
}

impl SavedRange {
    /// The range fields among a form's saved fields.
    pub fn from_fields(f: &Fields) -> Self {
        SavedRange {
            preset: f.text("preset"),
            from: f.text("from"),
            to: f.text("to"),
            zone: f.text("zone"),
        }
    }

    /// A form's fields with these added.
    pub fn into_fields(self, f: Fields) -> Fields {
        f.with("preset", self.preset)
            .with("from", self.from)
            .with("to", self.to)
            .with("zone", self.zone)
    }
}

/// A resolved choice: the local dates, the instant span and the zone's name.
#[derive(Clone, Debug, PartialEq)]
pub struct PickedRange {
    pub range: DateRange,
    pub resolved: ResolvedSpan,
    pub zone_name: String,
}

impl RangeState {
    pub fn new(preset: &str, editing: StoredValue<bool>) -> Self {
        Self {
            preset: RwSignal::new(preset.to_string()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            zone: RwSignal::new("UTC".to_string()),
            editing,
        }
    }

    /// Restores saved fields; an empty preset means `default_preset`, an empty zone the
    /// host's configured zone (`data-time-zone`), else UTC.
    pub fn restore(saved: SavedRange, default_preset: &str, editing: StoredValue<bool>) -> Self {
        let preset = if saved.preset.is_empty() {
            default_preset
        } else {
            &saved.preset
        };
        let state = Self::new(preset, editing);
        state.from.set(saved.from);
        state.to.set(saved.to);
        let configured = use_context::<crate::mounted::Mounted>().and_then(|m| m.embed.time_zone);
        if !saved.zone.is_empty() {
            state.zone.set(saved.zone);
        } else if let Some(zone) = configured {
            state.zone.set(zone);
        }
        state
    }

    /// The current fields (tracked, so an effect that saves them re-runs on change).
    pub fn saved(&self) -> SavedRange {
        SavedRange {
            preset: self.preset.get(),
            from: self.from.get(),
            to: self.to.get(),
            zone: self.zone.get(),
        }
    }

    /// Switches to `preset` (writing a custom range's dates into the date fields).
    pub fn set_preset(&self, preset: Preset) {
        if let Preset::Custom(r) = preset {
            set_if_changed(self.from, ymd(r.from));
            set_if_changed(self.to, ymd(r.to));
        }
        set_if_changed(self.preset, preset.id().to_string());
    }

    /// The chosen preset (a custom one with its dates), or `None` while the fields do not
    /// make a range.
    pub fn preset_value(&self) -> Option<Preset> {
        let id = self.preset.get();
        let custom = if id == "custom" {
            DateRange::new(
                parse_date(&self.from.get()).ok()?,
                parse_date(&self.to.get()).ok()?,
            )
            .ok()
        } else {
            None
        };
        Preset::from_id(&id, custom)
    }

    /// The range at `now`, or a sentence saying what is wrong with the input.
    pub fn resolve(&self, now: i64) -> Result<PickedRange, String> {
        let tz = zone_by_name(&self.zone.get());
        let zone_name = tz.name().to_string();
        let preset_id = self.preset.get();
        let custom = if preset_id == "custom" {
            let from =
                parse_date(&self.from.get()).map_err(|_| "Enter a start date.".to_string())?;
            let to = parse_date(&self.to.get()).map_err(|_| "Enter an end date.".to_string())?;
            Some(
                DateRange::new(from, to)
                    .map_err(|_| "The start date must not be after the end date.".to_string())?,
            )
        } else {
            None
        };
        let preset =
            Preset::from_id(&preset_id, custom).ok_or_else(|| "Choose a range.".to_string())?;
        let range = preset
            .resolve(now, &tz)
            .map_err(|e| format!("That range cannot be used: {e}."))?;
        let resolved = range.to_span(&tz, now).map_err(|e| match e {
            merchant_console_core::range::RangeError::StartsInFuture => {
                "The range starts in the future.".to_string()
            }
            other => format!("That range cannot be used: {other}."),
        })?;
        Ok(PickedRange {
            range,
            resolved,
            zone_name,
        })
    }
}

/// Sets a signal only when the value differs, so nothing that reads it re-runs in vain.
pub fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// Preset select, custom date inputs (when "Custom range" is picked) and the zone select.
#[component]
pub fn RangePicker(state: RangeState, id_prefix: &'static str) -> impl IntoView {
    let is_custom = move || state.preset.get() == "custom";
    // Custom dates start from the last preset's dates, so switching to custom edits them.
    let on_preset = move |ev| {
        let value = event_target_value(&ev);
        if value == "custom" && state.from.get_untracked().is_empty() {
            if let Ok(p) = state.resolve(now_ms()) {
                state.from.set(ymd(p.range.from));
                state.to.set(ymd(p.range.to));
            }
        }
        state.preset.set(value);
    };
    // A date being typed changes the address bar's entry in place, not one per keystroke.
    let edit = move || state.editing.set_value(true);
    let preset_id = format!("{id_prefix}-preset");
    let from_id = format!("{id_prefix}-from");
    let to_id = format!("{id_prefix}-to");
    let zone_id = format!("{id_prefix}-zone");
    view! {
        <div class="mc-field">
            <label for=preset_id.clone()>"Time range"</label>
            <select id=preset_id on:change=on_preset prop:value=move || state.preset.get()>
                {Preset::FIXED
                    .iter()
                    .map(|p| view! { <option value=p.id()>{p.label()}</option> })
                    .collect_view()}
                <option value="custom">"Custom range"</option>
            </select>
        </div>
        <Show when=is_custom>
            <div class="mc-field">
                <label for=from_id.clone()>"From (first day)"</label>
                <input id=from_id.clone() type="date" prop:value=move || state.from.get()
                    on:input=move |ev| { edit(); state.from.set(event_target_value(&ev)) } />
            </div>
            <div class="mc-field">
                <label for=to_id.clone()>"To (last day, included)"</label>
                <input id=to_id.clone() type="date" prop:value=move || state.to.get()
                    on:input=move |ev| { edit(); state.to.set(event_target_value(&ev)) } />
            </div>
        </Show>
        <div class="mc-field">
            <label for=zone_id.clone()>"Time zone"</label>
            // `selected` per option (not the select's value): the browser zone's option only
            // appears once its rules have loaded, possibly after a saved choice was restored.
            <select id=zone_id on:change=move |ev| state.zone.set(event_target_value(&ev))>
                <option value="UTC" selected=move || state.zone.get() != loaded_browser_zone().unwrap_or_default()>"UTC"</option>
                {move || loaded_browser_zone().map(|z| {
                    let whose = if crate::zone::browser_zone_name().as_deref() == Some(z.as_str()) {
                        "this browser"
                    } else {
                        "set by this page"
                    };
                    let label = format!("{z} ({whose})");
                    let value = z.clone();
                    view! { <option value=value selected=move || state.zone.get() == z>{label}</option> }
                })}
            </select>
        </div>
    }
}
