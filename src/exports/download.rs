//! "Download all": fetch the files the core's `DownloadPlan` lists, one at a time (directly,
//! or through the configured files proxy), merge them in order with the core's `Merger`,
//! and save one file. Which files, the file name and every message are the plan's.

use leptos::prelude::*;
use merchant_console_core::export::{
    fetch_url, DownloadPlan, FetchOutcome, JobId, Merger, OutputFormat,
};

use crate::http::{Http, HttpError};
use crate::save::save_file;

/// How long one export file (up to 1,000 objects) may take to arrive.
const FILE_TIMEOUT_MS: u32 = 120_000;

/// Progress of one request's download, shown under its files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DownloadProgress {
    pub running: bool,
    pub files_done: usize,
    pub files_total: usize,
    pub message: Option<String>,
    pub error: bool,
    /// The files could not be fetched at all (no response): offer to merge saved files.
    pub offer_local: bool,
}

/// What to download and how to write it.
pub struct DownloadJob {
    /// The request as it stood when the button was pressed.
    pub plan: DownloadPlan,
    /// `config.json`'s `clover_files`, if any.
    pub proxy: Option<String>,
    pub format: OutputFormat,
    pub bom: bool,
    pub european: bool,
}

/// Runs one download with the mount's `http`. Stops quietly when the mount or the card
/// goes away meanwhile.
/// `files_gone` is told which export's file answered "gone", so its row can offer to
/// request the range again.
pub async fn download_all(
    http: Http,
    job: DownloadJob,
    progress: RwSignal<DownloadProgress>,
    files_gone: impl Fn(JobId),
) {
    let DownloadJob {
        plan,
        proxy,
        format,
        bom,
        european,
    } = job;
    let files = plan.files();
    if files.is_empty() {
        progress.try_set(DownloadProgress {
            message: Some("There are no files to download yet.".into()),
            error: true,
            ..Default::default()
        });
        return;
    }
    let mut options = plan.merge_options(format);
    options.bom = bom;
    options.semicolon = european;
    let mut merger = Merger::new(options);
    let total = files.len();
    let started = DownloadProgress {
        running: true,
        files_total: total,
        ..Default::default()
    };
    if progress.try_set(started).is_some() {
        return; // disposed: try_set hands the value back
    }
    for file in &files {
        // No credentials of ours: Clover's file URLs carry their own, and a proxy adds none.
        let url = absolute(&fetch_url(proxy.as_deref(), &file.url));
        let outcome = match http.get_file(&url, FILE_TIMEOUT_MS).await {
            Ok(r) if r.status == 200 => match merger.add_file(file.order, &r.body) {
                Ok(_) => None,
                Err(e) => Some(FetchOutcome::Unreadable(e.to_string())),
            },
            Ok(r) => Some(FetchOutcome::Status(r.status)),
            Err(HttpError::Timeout) => Some(FetchOutcome::Timeout),
            Err(HttpError::Aborted) => return,
            Err(HttpError::Network(why) | HttpError::Refused(why)) => {
                Some(FetchOutcome::NoResponse(why))
            }
        };
        if !http.is_alive() {
            return; // the mount went away
        }
        if let Some(FetchOutcome::Status(404 | 410)) = outcome {
            if let Some(part) = plan.parts.get(file.part) {
                files_gone(part.job);
            }
        }
        if let Some(outcome) = outcome {
            progress.try_set(DownloadProgress {
                files_done: file.order,
                files_total: total,
                message: Some(plan.failure(file, proxy.as_deref(), &outcome)),
                error: true,
                running: false,
                offer_local: matches!(outcome, FetchOutcome::NoResponse(_)),
            });
            return;
        }
        if progress
            .try_update(|p| p.files_done = file.order + 1)
            .is_none()
        {
            return;
        }
    }
    let name = plan.download_name(format);
    let stats = merger.totals();
    let bytes = merger.finish();
    let mut message = format!("Saved {name}: {} rows from {total} files", stats.added);
    if stats.duplicates > 0 {
        message.push_str(&format!(", {} duplicates removed", stats.duplicates));
    }
    if stats.skipped > 0 {
        message.push_str(&format!(", {} unreadable entries skipped", stats.skipped));
    }
    message.push('.');
    if let Some(note) = plan.saved_note() {
        message.push(' ');
        message.push_str(&note);
    }
    let result = save_file(&name, format.mime_type(), &bytes);
    progress.try_set(DownloadProgress {
        running: false,
        files_done: total,
        files_total: total,
        error: result.is_err(),
        message: Some(result.err().unwrap_or(message)),
        offer_local: false,
    });
}

/// A files proxy given as a path on this page's server, as an absolute URL (the file
/// fetch takes http(s) addresses only).
fn absolute(url: &str) -> String {
    if !url.starts_with('/') {
        return url.to_string();
    }
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .and_then(|page| web_sys::Url::new_with_base(url, &page).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| url.to_string())
}
