//! The files of a request: each export's links with their expiry, and "Download all
//! files as one" with its honest label, partial notice, progress, and the way out when the
//! page may not fetch the files (merge saved files, see `drop_merge`).
//!
//! These components read no queue or runner: the card hands them a `DownloadPlan`
//! snapshot and the clock signal; the mount's driver gives the HTTP client and the
//! runtime config (for its files proxy).

use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::export::status::format_duration;
use merchant_console_core::export::{safe_http_url, DownloadPlan, RequestId};
use merchant_console_core::Millis;

use super::download::{download_all, DownloadJob, DownloadProgress};
use super::drop_merge::DropMerge;
use super::format_choice::FormatChoice;
use crate::config::RuntimeConfig;
use crate::driver::Driver;
use crate::ui::ProgressBar;

/// The files of one finished export: links (http/https only) and their expiry.
#[component]
pub fn FileLinks(
    urls: Vec<String>,
    until: Option<Millis>,
    expired: bool,
    /// The time of the last tick.
    now: Signal<i64>,
) -> impl IntoView {
    let expiry = move || {
        let Some(until) = until else {
            return "Expiry not given by the server.".to_string();
        };
        let local = local_time(until);
        let left = until - now.get();
        if left <= 0 {
            format!("Expired at {local}.")
        } else if left < 2 * 3_600_000 {
            format!(
                "Expires at {local} (in {}): download soon.",
                format_duration(left)
            )
        } else {
            format!("Available until {local} (in {}).", format_duration(left))
        }
    };
    let count = urls.len();
    // `download` saves a same-origin file in one click; for another origin the browser
    // opens it instead, and "Save link as…" saves it (no CORS needed either way).
    view! {
        <div class="mc-files" class:mc-expired=expired>
            <p class="mc-muted">{move || if count == 0 { "No objects in this range: no files.".to_string() } else { expiry() }}</p>
            <ul>
                {urls.into_iter().enumerate().map(|(i, url)| match safe_http_url(&url) {
                    Some(safe) if !expired => view! { <li><a href=safe.to_string() download="" rel="noopener noreferrer" target="_blank">{format!("File {} of {count}", i + 1)}</a></li> }.into_any(),
                    _ => view! { <li>{format!("File {} of {count}", i + 1)}{if expired { " (expired)" } else { " (not a web link)" }}</li> }.into_any(),
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Local date and time with the browser's zone name, via `Date.toLocaleString`.
fn local_time(ms: Millis) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"long".into());
    js_sys::Date::new(&(ms as f64).into())
        .to_locale_string("default", &options)
        .into()
}

/// "Download all files as one" for one request.
#[component]
pub fn DownloadAll(
    request: RequestId,
    /// The request's parts as they stand (`None` once it is removed).
    plan: Memo<Option<DownloadPlan>>,
) -> impl IntoView {
    // The mount's HTTP client and configuration (its files proxy), read at the click.
    let driver = expect_context::<Driver>();
    let config = expect_context::<RwSignal<Option<RuntimeConfig>>>();
    let runner = use_context::<super::ExportRunner>();
    let choice = FormatChoice {
        format: RwSignal::new("csv".to_string()),
        bom: RwSignal::new(false),
        european: RwSignal::new(false),
    };
    let progress = RwSignal::new(DownloadProgress::default());
    // The merge of saved files: opened by the person, or by a download that got no answer.
    let local_open = RwSignal::new(false);
    // Some part has (or had) files: worth offering anything at all.
    let any_files = Memo::new(move |_| {
        plan.with(|p| {
            p.as_ref().is_some_and(|p| {
                p.parts
                    .iter()
                    .any(|part| part.state.has_files() && !part.urls.is_empty())
            })
        })
    });
    let ready = move || plan.with(|p| p.as_ref().is_some_and(|p| p.has_files()));
    // Only beside the button: before anything is ready there is nothing to leave out.
    let notice = move || {
        plan.with(|p| {
            let p = p.as_ref().filter(|p| p.has_files())?;
            Some((p.notice_heading()?, p.missing_ranges()))
        })
    };
    let start = move |_| {
        let Some(plan) = plan.get_untracked() else {
            return;
        };
        let job = DownloadJob {
            plan,
            proxy: config.with_untracked(|c| c.as_ref().and_then(RuntimeConfig::clover_files)),
            format: choice.output(),
            bom: choice.bom.get_untracked(),
            european: choice.european.get_untracked(),
        };
        if let Some(http) = driver.http() {
            let gone = move |export| {
                if let Some(runner) = runner {
                    runner.command(|q, now| {
                        let _ = q.files_gone(request, export, now);
                    });
                }
            };
            spawn_local(download_all(http, job, progress, gone));
        }
    };
    let ids = move |part: &str| format!("mc-dl-{request}-{part}");
    let (format, bom, european) = (choice.format, choice.bom, choice.european);
    view! {
        <fieldset class="mc-download mc-download-all" hidden=move || !any_files.get()>
                <legend>"Download all files as one"</legend>
                <div class="mc-row">
                    <label for=ids("format")>"Format"</label>
                    <select id=ids("format") prop:value=move || format.get() on:change=move |ev| format.set(event_target_value(&ev))>
                        <option value="csv">"CSV"</option>
                        <option value="json">"JSON array"</option>
                        <option value="ndjson">"NDJSON (one object per line)"</option>
                    </select>
                    <Show when=move || format.get() == "csv">
                        <label class="mc-check"><input type="checkbox" prop:checked=move || bom.get() on:change=move |ev| bom.set(event_target_checked(&ev)) />" Excel (UTF-8 BOM)"</label>
                        <label class="mc-check"><input type="checkbox" prop:checked=move || european.get() on:change=move |ev| european.set(event_target_checked(&ev)) />" Semicolons and decimal commas"</label>
                    </Show>
                    // Hidden rather than removed while nothing is ready: it keeps its focus.
                    <button type="button" class="mc-primary" on:click=start hidden=move || !ready()
                        disabled=move || progress.get().running
                        aria-describedby=move || plan.with(|p| p.as_ref().and_then(|p| p.notice_heading())).map(|_| ids("notice"))>
                        {move || plan.with(|p| p.as_ref().map(|p| p.button_label()).unwrap_or_default())}
                    </button>
                </div>
                {move || notice().map(|(heading, ranges)| view! {
                    <div class="mc-notice" id=ids("notice") role="note">
                        <p>{heading}</p>
                        <ul>{ranges.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    </div>
                })}
                {move || {
                    let p = progress.get();
                    (p.running || p.message.is_some()).then(|| view! {
                        <Show when=move || progress.get().running>
                            <ProgressBar label="Download progress" percent=Signal::derive(move || {
                                let p = progress.get();
                                (p.files_done * 100 / p.files_total.max(1)) as u8
                            }) />
                        </Show>
                        <p class:mc-error=p.error role="status">{
                            p.message.clone().unwrap_or_else(|| format!("Downloading file {} of {}…", p.files_done + 1, p.files_total))
                        }</p>
                    })
                }}
                <details class="mc-local" prop:open=move || local_open.get() || progress.with(|p| p.offer_local)
                    on:toggle=move |ev| {
                        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                        if open != local_open.get_untracked() {
                            local_open.set(open);
                        }
                        if !open && progress.with_untracked(|p| p.offer_local) {
                            progress.update(|p| p.offer_local = false);
                        }
                    }>
                    <summary>"Merge files you saved yourself"</summary>
                    <DropMerge request plan choice />
                </details>
        </fieldset>
    }
}
