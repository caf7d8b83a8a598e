//! The app shell: header and the section tabs.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use merchant_console_core::embed::Section;

use crate::dom;
use crate::driver::Driver;
use crate::exports::ExportsPage;
use crate::history::HistoryPage;
use crate::mounted::Mounted;

/// Tab label of a section.
fn label(section: Section) -> &'static str {
    match section {
        Section::Exports => "Exports",
        Section::History => "Purchase history",
    }
}

const SECTION_KEY: &str = "section";

#[component]
pub fn App(mounted: Mounted) -> impl IntoView {
    let embed = mounted.embed.clone();
    crate::zone::init(embed.time_zone.clone());
    let driver = Driver::start(&mounted);
    let store = driver.store;
    let announce = driver.announce;
    let sections = embed.shown_sections();
    // The open section survives a reload, without touching the URL (the app may be a widget
    // inside someone else's page, whose history is not ours).
    let initial = store
        .load(SECTION_KEY)
        .and_then(|id| Section::from_id(&id))
        .filter(|s| sections.contains(s))
        .unwrap_or(sections[0]);
    let (section, set_section) = signal(initial);
    Effect::new(move |_| store.save(SECTION_KEY, section.get().id()));
    let compact = embed.compact;

    // One section needs no tabs (and then the panel is not a tab panel either).
    let has_tabs = sections.len() > 1;
    let tabs = has_tabs.then(|| view! { <SectionTabs sections section set_section /> });
    view! {
        <div class="mc-app" class:mc-compact=compact>
            <header class="mc-header">
                <h1 class="mc-title">"Merchant Console"</h1>
                {tabs}
            </header>
            // A plain <div>: the page (or the host page) owns the <main> landmark.
            <div
                class="mc-main"
                role=has_tabs.then_some("tabpanel")
                id=move || format!("mc-panel-{}", section.get().id())
                aria-labelledby=move || has_tabs.then(|| format!("mc-tab-{}", section.get().id()))
            >
                {move || match section.get() {
                    Section::Exports => view! { <ExportsPage /> }.into_any(),
                    Section::History => view! { <HistoryPage /> }.into_any(),
                }}
            </div>
            <div class="mc-visually-hidden" role="status" aria-live="polite" aria-atomic="true">{move || announce.get()}</div>
        </div>
    }
}

/// ARIA tabs: click or arrow keys switch sections, only the active tab is in the tab order.
#[component]
fn SectionTabs(
    sections: Vec<Section>,
    section: ReadSignal<Section>,
    set_section: WriteSignal<Section>,
) -> impl IntoView {
    let order = sections.clone();
    let on_keydown = move |ev: KeyboardEvent| {
        let current = order
            .iter()
            .position(|s| *s == section.get_untracked())
            .unwrap_or(0);
        let n = order.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (current + 1) % n,
            "ArrowLeft" => (current + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        let target = order[next];
        set_section.set(target);
        if let Some(root) = dom::root_of(ev.target()) {
            dom::focus_id(&root, &format!("mc-tab-{}", target.id()));
        }
    };
    view! {
        <nav class="mc-tabs" role="tablist" aria-label="Sections" on:keydown=on_keydown>
            {sections
                .into_iter()
                .map(|s| {
                    let selected = move || section.get() == s;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="mc-tab"
                            id=format!("mc-tab-{}", s.id())
                            aria-selected=move || selected().to_string()
                            aria-controls=format!("mc-panel-{}", s.id())
                            tabindex=move || if selected() { "0" } else { "-1" }
                            on:click=move |_| set_section.set(s)
                        >
                            {label(s)}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}
