//! Small building blocks shared by both sections.

use leptos::prelude::*;

/// An accessible progress bar (role=progressbar with its value), drawn with CSS.
#[component]
pub fn ProgressBar(label: &'static str, percent: Signal<u8>) -> impl IntoView {
    view! {
        <div class="mc-progress" role="progressbar" aria-label=label aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=move || percent.get().to_string()>
            <div class="mc-progress-fill" style:width=move || format!("{}%", percent.get())></div>
        </div>
    }
}
