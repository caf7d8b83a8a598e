//! The "Exports" section: request Clover bulk exports and collect their files.
//!
//! `runner` drives the core's `ExportQueue` (HTTP, timers, storage); `form` adds requests;
//! `jobs` draws them with progress; `files` draws their links and "Download all";
//! `download` fetches and merges the files; `drop_merge` merges files the person saved.

mod attention;
mod download;
mod drop_merge;
mod files;
mod form;
mod format_choice;
mod jobs;
mod leader;
pub mod runner;

use leptos::prelude::*;

pub use form::saved_range;
pub use runner::ExportRunner;

#[component]
pub fn ExportsPage() -> impl IntoView {
    view! {
        <h2>"Exports"</h2>
        <p class="lead">"Request bulk exports of orders or payments from Clover, follow their progress and download every file as one."</p>
        <FollowerNotice />
        <form::ExportForm />
        <NotifyOptIn />
        <jobs::JobsList />
    }
}

/// "Notify me when a request finishes": a desktop notification while the tab is hidden.
#[component]
fn NotifyOptIn() -> impl IntoView {
    let attention = expect_context::<ExportRunner>().attention;
    view! {
        <Show when=attention::Attention::available>
            <div class="mc-row mc-notify">
                <Show when=move || attention.notify.get() fallback=move || view! {
                    <button type="button" class="mc-secondary" on:click=move |_| attention.opt_in()>
                        "Notify me when a request finishes"
                    </button>
                }>
                    <span role="status">"You will get a desktop notification when a request finishes while this tab is in the background."</span>
                    <button type="button" class="mc-secondary" on:click=move |_| attention.opt_out()>"Stop notifications"</button>
                </Show>
                <p class="mc-error" role="alert">{move || attention.refused.get()}</p>
            </div>
        </Show>
    }
}

/// Shown while another tab of this browser drives the exports (see `leader`).
#[component]
fn FollowerNotice() -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    view! {
        <Show when=move || !runner.leader.leading.get()>
            <p class="mc-alert" role="status">
                "Exports are running in another tab of this browser. This tab shows their progress; add or change requests there, or close that tab to continue here."
            </p>
        </Show>
    }
}
