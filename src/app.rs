//! The app shell: header and the section tabs.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use leptos::task::spawn_local;

use crate::credentials::Vault;
use crate::exports::{ExportRunner, ExportsPage};
use crate::history::HistoryPage;
use crate::{config, storage};

/// The sections of the app, in tab order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Section {
    Exports,
    History,
}

impl Section {
    const ALL: [Section; 2] = [Section::Exports, Section::History];

    fn id(self) -> &'static str {
        match self {
            Section::Exports => "exports",
            Section::History => "history",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Section::Exports => "Exports",
            Section::History => "Purchase history",
        }
    }

    fn from_id(id: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.id() == id)
    }
}

const SECTION_KEY: &str = "section";

#[component]
pub fn App() -> impl IntoView {
    // The open section survives a reload, without touching the URL (the app may be a widget
    // inside someone else's page, whose history is not ours).
    let initial = storage::load(SECTION_KEY)
        .and_then(|id| Section::from_id(&id))
        .unwrap_or(Section::Exports);
    let (section, set_section) = signal(initial);
    Effect::new(move |_| storage::save(SECTION_KEY, section.get().id()));

    // config.json decides where each region's API lives; work waits until it is read.
    crate::zone::init();
    let runtime_config = RwSignal::new(None);
    spawn_local(async move { runtime_config.set(Some(config::load().await)) });
    let vault = Vault::new();
    let announce = RwSignal::new(String::new());
    // The export runner lives as long as the app, so exports go on in either section.
    let auth = crate::auth::CloverAuth::new(vault, runtime_config);
    provide_context(auth);
    let runner = ExportRunner::start(runtime_config, vault, auth, announce);
    provide_context(runner);
    provide_context(vault);
    provide_context(runtime_config);

    view! {
        <div class="mc-app">
            <header class="mc-header">
                <h1 class="mc-title">"Merchant Console"</h1>
                <SectionTabs section set_section />
            </header>
            <main
                class="mc-main"
                role="tabpanel"
                id=move || format!("mc-panel-{}", section.get().id())
                aria-labelledby=move || format!("mc-tab-{}", section.get().id())
            >
                {move || match section.get() {
                    Section::Exports => view! { <ExportsPage /> }.into_any(),
                    Section::History => view! { <HistoryPage /> }.into_any(),
                }}
            </main>
            <div class="mc-visually-hidden" role="status" aria-live="polite" aria-atomic="true">{move || announce.get()}</div>
        </div>
    }
}

/// ARIA tabs: click or arrow keys switch sections, only the active tab is in the tab order.
#[component]
fn SectionTabs(section: ReadSignal<Section>, set_section: WriteSignal<Section>) -> impl IntoView {
    let on_keydown = move |ev: KeyboardEvent| {
        let current = Section::ALL
            .iter()
            .position(|s| *s == section.get_untracked())
            .unwrap_or(0);
        let n = Section::ALL.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (current + 1) % n,
            "ArrowLeft" => (current + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        let target = Section::ALL[next];
        set_section.set(target);
        focus_tab(target);
    };
    view! {
        <nav class="mc-tabs" role="tablist" aria-label="Sections" on:keydown=on_keydown>
            {Section::ALL
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
                            {s.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

fn focus_tab(section: Section) {
    use wasm_bindgen::JsCast;
    if let Some(el) =
        leptos::prelude::document().get_element_by_id(&format!("mc-tab-{}", section.id()))
    {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}
