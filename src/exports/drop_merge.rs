//! Drop-to-merge: when the page may not fetch the export files, the person saves them
//! through their links and drops them here (or picks them with a file input). The core's
//! `LocalFiles` checks each one against the request and merges the accepted ones with the
//! same `Merger` as "Download all". Nothing leaves the browser.

use leptos::prelude::*;
use leptos::task::spawn_local;
use merchant_console_core::export::{DownloadPlan, LocalFiles, RequestId, Verdict};
use wasm_bindgen::JsCast;

use super::format_choice::FormatChoice;
use crate::save::save_file;

/// A file larger than this is not a Clover export file (1000 objects each): refused
/// before it is read into memory.
const MAX_FILE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

#[component]
pub fn DropMerge(
    request: RequestId,
    plan: Memo<Option<DownloadPlan>>,
    choice: FormatChoice,
) -> impl IntoView {
    let local = RwSignal::new(LocalFiles::new());
    let over = RwSignal::new(false);
    // The last thing to say (reading, refused files, saved), and whether it is an error.
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let say = move |text: String, is_error: bool| {
        message.try_set(text);
        error.try_set(is_error);
    };
    let add = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if files.is_empty() {
            return;
        }
        say("Reading files…".into(), false);
        spawn_local(async move {
            let mut refused = Vec::new();
            for file in files {
                let name = file.name();
                if file.size() > MAX_FILE_BYTES {
                    refused.push(format!("“{name}” is too large to be an export file"));
                    continue;
                }
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(text) => {
                        let text = text.as_string().unwrap_or_default();
                        // The card may be gone by now: stop quietly.
                        if local.try_update(|l| l.add(&name, text)).is_none() {
                            return;
                        }
                    }
                    Err(_) => refused.push(format!("“{name}” could not be read")),
                }
            }
            if refused.is_empty() {
                say(String::new(), false);
            } else {
                say(format!("{}.", refused.join("; ")), true);
            }
        });
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        over.set(false);
        add(ev.data_transfer().and_then(|d| d.files()));
    };
    let on_pick = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        add(input.files());
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    let save = move |_| {
        let Some(plan) = plan.get_untracked() else {
            return;
        };
        let format = choice.output();
        let mut options = plan.merge_options(format);
        options.bom = choice.bom.get_untracked();
        options.semicolon = choice.european.get_untracked();
        let result = local.with_untracked(|l| {
            let check = l.check(&plan);
            let name = plan.file_name(format, !check.complete);
            let (bytes, stats) = l.merge(&check, options)?;
            save_file(&name, format.mime_type(), &bytes)?;
            let mut text = format!(
                "Saved {name}: {} rows from {} files",
                stats.added, check.accepted
            );
            if stats.duplicates > 0 {
                text.push_str(&format!(", {} duplicates removed", stats.duplicates));
            }
            text.push('.');
            if !check.complete {
                text.push_str(" It is partial: the files listed as missing are not in it.");
            }
            Ok::<_, String>(text)
        });
        match result {
            Ok(text) => say(text, false),
            Err(e) => say(e, true),
        }
    };
    let clear = move |_| {
        local.update(LocalFiles::clear);
        say(String::new(), false);
    };
    let input_id = format!("mc-local-{request}");
    // What was dropped, each file's verdict, what is still missing: redrawn when files
    // come or the request changes.
    let results = move || {
        let plan = plan.get()?;
        local.with(|l| {
            if l.is_empty() {
                return None;
            }
            let check = l.check(&plan);
            let missing = check.missing_lines(&plan);
            let accepted = check.accepted;
            Some(view! {
                <ul class="mc-local-files" aria-label="Files added">
                    {check.files.iter().map(|f| {
                        let ok = matches!(f.verdict, Verdict::Accepted { .. });
                        view! { <li class:mc-left-out=!ok><span class="mc-mono">{f.name.clone()}</span>": "{f.text(&plan, &check.files)}</li> }
                    }).collect_view()}
                </ul>
                {(!missing.is_empty()).then(|| view! {
                    <div class="mc-notice" role="note">
                        <p>"Still missing (the merged file will be partial):"</p>
                        <ul>{missing.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                    </div>
                })}
                <div class="mc-row">
                    <button type="button" class="mc-primary" on:click=save disabled=accepted == 0>
                        {format!("Save the merged file ({accepted} files)")}
                    </button>
                    <button type="button" class="mc-secondary" on:click=clear>"Remove the added files"</button>
                </div>
            })
        })
    };
    view! {
        <div class="mc-local-body">
            <p>"If this page may not fetch the files (their host does not allow it), save them yourself and merge them here. Nothing leaves your browser."</p>
            <ol>
                <li>"Save each file: right-click each “File … of …” link of the exports above and choose “Save link as…” (or open the link and save the page)."</li>
                <li>"Drop the saved files into the box below, or choose them. Each file is checked against this request."</li>
            </ol>
            <div class="mc-dropzone" role="group" aria-label="Drop zone for saved files" class:mc-dragover=move || over.get()
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop>
                <label for=input_id.clone()>"Choose saved files"</label>
                <input id=input_id type="file" multiple accept=".json,application/json,text/plain" on:change=on_pick />
                <p class="mc-muted">"or drop them here."</p>
            </div>
            {results}
            <p class:mc-error=move || error.get() role="status">{move || message.get()}</p>
        </div>
    }
}
