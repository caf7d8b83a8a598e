//! The list of export requests: one card per request, a progress bar per export, status in
//! words, countdowns and cancel/retry; `files` draws each export's links and "download all".
//!
//! Cards and rows are keyed and read the queue through memos, so the 500 ms tick only
//! updates text and bars; buttons and inputs keep their focus.

use leptos::prelude::*;
use merchant_console_core::civil::{utc_date_time, ymd};
use merchant_console_core::export::status::format_duration;
use merchant_console_core::export::{
    DownloadPlan, ExportJob, ExportRequest, JobId, JobState, RequestId, StopReason, WaitReason,
};
use merchant_console_core::Millis;

use super::files::{DownloadAll, FileLinks};
use super::runner::ExportRunner;
use crate::auth::clover_key;
use crate::credentials::SecretInput;
use crate::ui::ProgressBar;

#[component]
pub fn JobsList() -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    // Newest request first.
    let ids = Memo::new(move |_| {
        runner
            .queue
            .with(|q| q.requests().iter().rev().map(|r| r.id).collect::<Vec<_>>())
    });
    view! {
        <section class="mc-jobs" aria-labelledby="mc-jobs-title">
            <h3 id="mc-jobs-title">"Requests"</h3>
            <Show when=move || !ids.get().is_empty() fallback=|| view! {
                <p class="mc-empty">"No exports yet. Fill in the form above: long ranges are split into 30-day exports automatically."</p>
            }>
                <For each=move || ids.get() key=|id| *id let:id>
                    <RequestCard id />
                </For>
            </Show>
        </section>
    }
}

#[component]
fn RequestCard(id: RequestId) -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    // Memos of what is drawn, not of the whole request: a `Memo<Option<ExportRequest>>`
    // cloned and compared every export on each change, in wasm code of its own.
    let title = Memo::new(move |_| {
        runner
            .queue
            .with(|q| q.request(id).map(request_title).unwrap_or_default())
    });
    let status = move || {
        let now = runner.now.get();
        runner
            .queue
            .with(|q| q.view(id).map(|v| v.status_text(now)).unwrap_or_default())
    };
    let percent = move || {
        runner
            .queue
            .with(|q| q.view(id).map(|v| v.percent()).unwrap_or(0))
    };
    let timing = move || {
        let now = runner.now.get();
        runner.queue.with(|q| {
            let v = q.view(id)?;
            let mut s = format!("Elapsed {}", format_duration(v.elapsed_ms(now)));
            if let Some(eta) = v.eta_ms(now) {
                s.push_str(&format!(" · about {} left", format_duration(eta)));
            }
            Some(s)
        })
    };
    let finished = Memo::new(move |_| {
        runner
            .queue
            .with(|q| q.request(id).is_some_and(|r| r.is_finished()))
    });
    // (merchant, region, nothing was sent for want of a token)
    let stopped = Memo::new(move |_| {
        runner.queue.with(|q| {
            let r = q.request(id)?;
            let why = q.merchant_stopped(&r.merchant)?;
            Some((
                r.merchant.clone(),
                r.region.clone(),
                *why == StopReason::MissingCredentials,
            ))
        })
    });
    let orphans = move || {
        runner
            .queue
            .with(|q| q.view(id).and_then(|v| v.orphan_notice()))
    };
    let job_ids = Memo::new(move |_| {
        runner.queue.with(|q| {
            q.request(id)
                .map(|r| r.exports.iter().map(|j| j.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    // A snapshot for the download: it changes only when a part's state or files change.
    let download_plan =
        Memo::new(move |_| runner.queue.with(|q| q.request(id).map(DownloadPlan::of)));
    let heading_id = format!("mc-request-{id}");
    let cancel = move |_| {
        runner.command(|q, now| {
            let _ = q.cancel_request(id, now);
        })
    };
    let remove = move |_| {
        runner.command(|q, _| {
            let _ = q.remove_request(id);
        })
    };
    view! {
        <article class="mc-card mc-request" aria-labelledby=heading_id.clone()>
            <h4 id=heading_id.clone()>{move || title.get()}</h4>
            <p class="mc-status">{status}</p>
            <ProgressBar label="Overall progress" percent=Signal::derive(percent) />
            <p class="mc-muted">{timing}</p>
            {move || stopped.get().map(|(merchant, region, missing)| view! { <TokenPrompt merchant region missing /> })}
            {move || orphans().map(|text| view! { <p class="mc-warn" role="note">{text}</p> })}
            <ol class="mc-exports">
                <For each=move || job_ids.get() key=|j| *j let:job>
                    <ExportRow request=id job />
                </For>
            </ol>
            <DownloadAll request=id plan=download_plan />
            <div class="mc-row">
                <Show when=move || !finished.get() fallback=move || view! {
                    <button type="button" class="mc-secondary" disabled=move || !runner.leader.leading.get() on:click=remove>"Remove from list"</button>
                }>
                    <button type="button" class="mc-secondary" disabled=move || !runner.leader.leading.get() on:click=cancel>"Cancel request"</button>
                </Show>
            </div>
        </article>
    }
}

fn request_title(r: &ExportRequest) -> String {
    let what = r.export_type.label();
    match &r.label {
        Some(l) => format!(
            "{what} · {} to {} ({}) · merchant {}",
            ymd(l.range.from),
            ymd(l.range.to),
            l.zone,
            r.merchant
        ),
        None => format!("{what} · merchant {}", r.merchant),
    }
}

/// Asks for a token again after Clover refused one, or when this tab has none.
#[component]
fn TokenPrompt(merchant: String, region: String, missing: bool) -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    let token = RwSignal::new(String::new());
    let (m, r) = (merchant.clone(), region.clone());
    let resume = move |_| {
        let t = token.get_untracked().trim().to_string();
        if t.is_empty() {
            return;
        }
        runner.vault.set_pasted(clover_key(&r, &m), &t);
        runner.command(|q, now| q.credentials_updated(&m, now));
    };
    let text = if missing {
        format!("Waiting for credentials: this tab holds no API token for merchant {merchant} (tokens are kept only in the tab that was given them, unless \"remember\" is ticked). Enter it to continue, or sign in with Clover above; finished exports are kept.")
    } else {
        format!("Clover did not accept the API token for merchant {merchant}. Enter a valid token to continue; finished exports are kept.")
    };
    view! {
        <div class="mc-alert" role="alert">
            <p>{text}</p>
            <SecretInput id="mc-token-retry" label="API token" value=token />
            <button type="button" class="mc-primary" disabled=move || !runner.leader.leading.get() on:click=resume>"Continue with this token"</button>
        </div>
    }
}

#[component]
fn ExportRow(request: RequestId, job: JobId) -> impl IntoView {
    let runner = expect_context::<ExportRunner>();
    let state = Memo::new(move |_| {
        runner
            .queue
            .with(|q| q.request(request).and_then(|r| r.export(job)).cloned())
    });
    let count = move || {
        runner
            .queue
            .with(|q| q.request(request).map(|r| r.exports.len()).unwrap_or(0))
    };
    let label = move || {
        state
            .get()
            .map(|j| format!("Export {} of {}: {}", j.index + 1, count(), span_text(&j)))
            .unwrap_or_default()
    };
    let status = move || {
        let now = runner.now.get();
        state.with(|j| j.as_ref().map(|j| j.status_text(now)).unwrap_or_default())
    };
    let percent =
        Signal::derive(move || state.with(|j| j.as_ref().map(|j| j.percent()).unwrap_or(0)));
    let kind = Memo::new(move |_| {
        state.with(|j| {
            j.as_ref()
                .map(|j| match j.state {
                    JobState::Failed { .. } | JobState::Cancelled => "retry",
                    JobState::Expired { .. } => "again",
                    JobState::Done { .. } => "done",
                    // Queued behind a running export: nothing to cancel at Clover yet,
                    // but the person may still drop it.
                    _ => "active",
                })
                .unwrap_or("")
        })
    });
    let links = Memo::new(move |_| {
        state.with(|j| match j.as_ref().map(|j| &j.state) {
            Some(JobState::Done {
                urls,
                available_until,
            }) => Some((urls.clone(), *available_until, false)),
            Some(JobState::Expired {
                urls,
                available_until,
            }) => Some((urls.clone(), *available_until, true)),
            _ => None,
        })
    });
    let retry = move |_| {
        runner.command(|q, now| {
            let _ = q.retry_export(request, job, now);
        })
    };
    let cancel = move |_| {
        runner.command(|q, now| {
            let _ = q.cancel_export(request, job, now);
        })
    };
    let check_now = move |_| {
        runner.command(|q, now| {
            let _ = q.check_now(request, job, now);
        })
    };
    // A wait that "Check now" can cut short (not the service-hours one: Clover is closed).
    let can_check = move || {
        let now = runner.now.get();
        state.with(|j| {
            j.as_ref().is_some_and(|j| {
                j.waiting_until(now).is_some()
                    && !matches!(
                        j.wait.as_ref().map(|w| &w.reason),
                        Some(WaitReason::ServiceHours { .. })
                    )
            })
        })
    };
    let stalled = move || state.with(|j| j.as_ref().is_some_and(|j| j.stalled()));
    view! {
        <li class="mc-export" class:mc-failed=move || kind.get() == "retry">
            <div class="mc-export-head">
                <span class="mc-export-label">{label}</span>
                <span class="mc-status">{status}</span>
            </div>
            <ProgressBar label="Export progress" percent />
            <Show when=stalled>
                <p class="mc-warn">"This export has not moved for a while. You can keep waiting, or cancel it and request it again."</p>
            </Show>
            <div class="mc-row">
                {move || match kind.get() {
                    "retry" | "again" => view! { <button type="button" class="mc-secondary" disabled=move || !runner.leader.leading.get() on:click=retry>"Request this range again"</button> }.into_any(),
                    "active" => view! { <button type="button" class="mc-secondary" disabled=move || !runner.leader.leading.get() on:click=cancel>"Cancel this export"</button> }.into_any(),
                    _ => ().into_any(),
                }}
                <Show when=can_check>
                    <button type="button" class="mc-secondary" disabled=move || !runner.leader.leading.get() on:click=check_now>"Check now"</button>
                </Show>
            </div>
            {move || links.get().map(|(urls, until, expired)| view! { <FileLinks urls until expired now=runner.now.into() /> })}
        </li>
    }
}

fn span_text(j: &ExportJob) -> String {
    // Plain field formatting: jiff's strftime costs about 14 KB of wasm.
    let fmt = |ms: Millis| format!("{} UTC", utc_date_time(ms, ' '));
    format!("{} – {}", fmt(j.span.start), fmt(j.span.end))
}
