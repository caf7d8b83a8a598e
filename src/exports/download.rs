//! "Download all": fetch every file of a request one at a time, merge them in order with
//! the core's `Merger`, and save one file.

use leptos::prelude::*;
use merchant_console_core::export::{safe_http_url, JobState, Merger, OutputFormat, RequestId};

use super::runner::ExportRunner;
use crate::http::Http;
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
}

pub async fn download_all(
    http: Http,
    runner: ExportRunner,
    request: RequestId,
    format: OutputFormat,
    bom: bool,
    european: bool,
    progress: RwSignal<DownloadProgress>,
) {
    let Some((urls, mut options, name)) = runner.queue.with_untracked(|q| {
        let r = q.request(request)?;
        let mut urls = Vec::new();
        for job in &r.exports {
            if let JobState::Done { urls: u, .. } = &job.state {
                urls.extend(
                    u.iter()
                        .filter_map(|u| safe_http_url(u))
                        .map(str::to_string),
                );
            }
        }
        Some((urls, r.merge_options(format), r.file_name(format)))
    }) else {
        return;
    };
    if urls.is_empty() {
        progress.set(DownloadProgress {
            message: Some("There are no files to download yet.".into()),
            error: true,
            ..Default::default()
        });
        return;
    }
    options.bom = bom;
    options.european = european;
    let mut merger = Merger::new(options);
    let total = urls.len();
    progress.set(DownloadProgress {
        running: true,
        files_total: total,
        ..Default::default()
    });
    for (index, url) in urls.iter().enumerate() {
        let failure = match http.get_file(url, FILE_TIMEOUT_MS).await {
            Ok(r) if r.status == 200 => merger.add_file(index, &r.body).err().map(|e| format!("File {} could not be read: {e}.", index + 1)),
            Ok(r) if r.status == 404 || r.status == 410 => Some(format!(
                "File {} is gone ({}): its link has expired. Request that range again.",
                index + 1,
                r.status
            )),
            Ok(r) => Some(format!("File {} could not be downloaded (HTTP {}). Try again.", index + 1, r.status)),
            Err(e) => Some(format!(
                "File {} could not be downloaded: no response ({e}). The file host may not allow calls from this page; a proxy can help.",
                index + 1,
            )),
        };
        if !http.is_alive() {
            return; // the mount went away
        }
        if let Some(message) = failure {
            progress.set(DownloadProgress {
                files_done: index,
                files_total: total,
                message: Some(message),
                error: true,
                running: false,
            });
            return;
        }
        progress.update(|p| p.files_done = index + 1);
    }
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
    let result = save_file(&name, format.mime_type(), &bytes);
    progress.set(DownloadProgress {
        running: false,
        files_done: total,
        files_total: total,
        error: result.is_err(),
        message: Some(result.err().unwrap_or(message)),
    });
}
