//! The "Exports" section: request Clover bulk exports and collect their files.
//!
//! `runner` drives the core's `ExportQueue` (HTTP, timers, storage); `form` adds requests;
//! `jobs` draws them with progress, links and downloads; `download` merges the files.

mod download;
mod form;
mod jobs;
pub mod runner;

use leptos::prelude::*;

pub use runner::ExportRunner;

#[component]
pub fn ExportsPage() -> impl IntoView {
    view! {
        <h2>"Exports"</h2>
        <p class="lead">"Request bulk exports of orders or payments from Clover, follow their progress and download every file as one."</p>
        <form::ExportForm />
        <jobs::JobsList />
    }
}
