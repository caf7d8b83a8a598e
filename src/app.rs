//! The app shell: header and the section tabs.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use merchant_console_core::embed::Section;
use merchant_console_core::view_state::ViewState;

use crate::dom;
use crate::driver::Driver;
use crate::exports::ExportsPage;
use crate::history::HistoryPage;
use crate::mounted::Mounted;
use crate::shortcuts;
use crate::view::View;

/// Tab label of a section.
fn label(section: Section) -> &'static str {
    match section {
        Section::Exports => "Exports",
        Section::History => "Purchase history",
    }
}

#[component]
pub fn App(mounted: Mounted) -> impl IntoView {
    let embed = mounted.embed.clone();
    let is_widget = mounted.is_widget;
    // The full page's address bar may hold a view (a shared link, a reload, Back).
    let link =
        (!is_widget).then(|| ViewState::parse(&window().location().search().unwrap_or_default()));
    // A link's zone is the local zone to load (one per page), so the view it names shows.
    let link_zone = link
        .as_ref()
        .and_then(|l| l.zone.clone())
        .filter(|z| z != "UTC");
    crate::zone::init(link_zone.or(embed.time_zone.clone()));
    let driver = Driver::start(&mounted);
    let announce = driver.announce;
    let sections = embed.shown_sections();
    let loader = driver.history;
    let history_form = crate::history::saved_view(driver.store);
    let view = View::new(driver.store, &sections, link, history_form, move || {
        loader.has_request()
    });
    provide_context(view);
    let section = view.section;
    let compact = embed.compact;

    // Range shortcuts: the full page answers them wherever the focus is (but not for a
    // widget's shadow tree on the same page, which handles its own); a widget only while
    // the focus is inside it, and never takes keys from its host page.
    let on_key = move |ev: KeyboardEvent| shortcuts::on_key(&ev, view, driver);
    if !is_widget {
        let listener = window_event_listener(leptos::ev::keydown, move |ev| {
            let inside_shadow = ev.target().is_some_and(|t| {
                let first: wasm_bindgen::JsValue = ev.composed_path().get(0);
                first != wasm_bindgen::JsValue::from(t)
            });
            if !inside_shadow {
                on_key(ev);
            }
        });
        on_cleanup(move || listener.remove());
    }

    // One section needs no tabs (and then the panel is not a tab panel either).
    let has_tabs = sections.len() > 1;
    let tabs = has_tabs.then(|| {
        view! { <SectionTabs sections section set_section=view.set_section /> }
    });
    view! {
        <div class="mc-app" class:mc-compact=compact on:keydown=move |ev| if is_widget { on_key(ev) }
            on:click=move |ev| shortcuts::on_click(&ev)>
            <header class="mc-header">
                <h1 class="mc-title">"Merchant Console"</h1>
                {tabs}
                <button type="button" class="mc-secondary mc-help-button" data-help="open" aria-keyshortcuts="?">"Keyboard shortcuts"</button>
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
            // Range shortcuts, listed by `?` (see `shortcuts`).
            <dialog id="mc-help" class="mc-card mc-help" aria-labelledby="mc-help-title" aria-modal="true"
                inner_html=shortcuts::help_markup()></dialog>
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
