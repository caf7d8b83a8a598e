//! What "Download all" of one request will fetch, and how to say so.
//!
//! A [`DownloadPlan`] is a snapshot of a request taken when the card is drawn: every
//! chunk with its span, its server export id, its usable file URLs and whether it is
//! finished. From it come the button's label ("Download the 2 finished parts of 3"), the
//! merged file's name (`…_partial.csv` when parts are missing), the notice listing the
//! missing ranges, the order in which files are fetched, the address each file is
//! fetched from (directly or through a files proxy), and the words for a failed fetch.
//!
//! The app only draws these; nothing here reads a clock or the network.

use super::job::{ExportRequest, JobId, JobState, RangeLabel};
use super::merge::{file_name, file_name_for_span, MergeOptions, OutputFormat};
use super::model::{safe_http_url, ExportType};
use crate::range::TimeSpan;

/// Where one chunk of the request stands, as far as its files go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartState {
    /// Finished: its files can be fetched now.
    Ready,
    /// Finished, but `availableUntil` has passed: the links are probably dead. Files the
    /// person saved before still belong to the request (see
    /// [`LocalFiles`](super::local_files::LocalFiles)).
    Expired,
    /// Finished, but some of its file addresses are not web links: nothing is fetched.
    BadLinks,
    /// Queued, being created or still running.
    Running,
    /// Failed, or the server reported a terminal status other than success.
    Failed,
    /// Cancelled by the person.
    Cancelled,
}

impl PartState {
    /// The words used in lists of missing parts.
    pub fn words(self) -> &'static str {
        match self {
            PartState::Ready => "ready",
            PartState::Expired => "its files have expired",
            PartState::BadLinks => "its file addresses are not web links",
            PartState::Running => "not finished yet",
            PartState::Failed => "failed",
            PartState::Cancelled => "cancelled",
        }
    }

    /// Finished successfully (the server made files for it), expired or not.
    pub fn has_files(self) -> bool {
        matches!(self, PartState::Ready | PartState::Expired)
    }
}

/// One chunk (one Clover export) of the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanPart {
    /// The queue's id of the chunk.
    pub job: JobId,
    /// Position in the request, 0-based (shown as "export 1 of 3").
    pub index: usize,
    /// The chunk's span, inclusive ends.
    pub span: TimeSpan,
    /// Clover's export id, once created.
    pub export_id: Option<String>,
    /// The file URLs that are web links (http or https), in server order. Empty for a
    /// part that is not finished, and for a finished one with no objects.
    pub urls: Vec<String>,
    /// How it stands.
    pub state: PartState,
}

impl PlanPart {
    /// "export 2 of 3"
    pub fn name(&self, total: usize) -> String {
        format!("export {} of {total}", self.index + 1)
    }

    /// "2026-01-01 00:00:00 – 2026-01-30 23:59:59 UTC", as the export rows show spans.
    pub fn span_text(&self) -> String {
        span_text(self.span)
    }
}

/// `start – end UTC` of a span, with seconds.
pub fn span_text(span: TimeSpan) -> String {
    format!(
        "{} – {} UTC",
        crate::civil::utc_date_time(span.start, ' '),
        crate::civil::utc_date_time(span.end, ' ')
    )
}

/// One file to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Position in the merged output (0-based over the files fetched).
    pub order: usize,
    /// Index of its part in [`DownloadPlan::parts`].
    pub part: usize,
    /// Position within its part, 0-based (the row shows "File 1 of 2").
    pub number: usize,
    /// How many files its part has.
    pub of: usize,
    /// The file's URL as Clover gave it.
    pub url: String,
}

/// How fetching one file went, as the app saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchOutcome {
    /// No HTTP response: network failure or CORS refusal (the browser's words).
    NoResponse(String),
    /// No complete answer within the file timeout.
    Timeout,
    /// An HTTP status other than 200.
    Status(u16),
    /// 200, but the body could not be merged (the reason, in words).
    Unreadable(String),
}

/// A snapshot of one request for downloading its files. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadPlan {
    /// ORDERS or PAYMENTS.
    pub export_type: ExportType,
    /// The whole request's span.
    pub span: TimeSpan,
    /// The picked dates and zone, for the file name.
    pub label: Option<RangeLabel>,
    /// Every chunk, oldest first.
    pub parts: Vec<PlanPart>,
}

impl DownloadPlan {
    /// The plan of a request as it stands now.
    pub fn of(request: &ExportRequest) -> Self {
        let parts = request
            .exports
            .iter()
            .map(|job| {
                let (state, urls) = match &job.state {
                    JobState::Done { urls, .. } => (PartState::Ready, urls),
                    JobState::Expired { urls, .. } => (PartState::Expired, urls),
                    JobState::Failed { .. } => (PartState::Failed, &Vec::new()),
                    JobState::Cancelled => (PartState::Cancelled, &Vec::new()),
                    _ => (PartState::Running, &Vec::new()),
                };
                let safe: Vec<String> = urls
                    .iter()
                    .filter_map(|u| safe_http_url(u))
                    .map(str::to_string)
                    .collect();
                // A finished part with a link we may not follow is left out whole: a merge
                // with some of its files would look complete and not be.
                let state = if state == PartState::Ready && safe.len() != urls.len() {
                    PartState::BadLinks
                } else {
                    state
                };
                PlanPart {
                    job: job.id,
                    index: job.index,
                    span: job.span,
                    export_id: job.server_id.clone(),
                    urls: if state.has_files() { safe } else { Vec::new() },
                    state,
                }
            })
            .collect();
        DownloadPlan {
            export_type: request.export_type,
            span: request.span,
            label: request.label.clone(),
            parts,
        }
    }

    /// Number of parts (chunks) of the request.
    pub fn total(&self) -> usize {
        self.parts.len()
    }

    /// Parts whose files can be fetched now.
    pub fn ready(&self) -> impl Iterator<Item = &PlanPart> {
        self.parts.iter().filter(|p| p.state == PartState::Ready)
    }

    /// Parts that "Download all" leaves out.
    pub fn missing(&self) -> impl Iterator<Item = &PlanPart> {
        self.parts.iter().filter(|p| p.state != PartState::Ready)
    }

    /// Every part is ready: the merged file covers the whole request.
    pub fn is_complete(&self) -> bool {
        !self.parts.is_empty() && self.missing().next().is_none()
    }

    /// At least one file can be fetched: the button is worth showing.
    pub fn has_files(&self) -> bool {
        self.ready().any(|p| !p.urls.is_empty())
    }

    /// "Download all", or what a partial download will include:
    /// "Download the 2 finished parts of 3".
    pub fn button_label(&self) -> String {
        let ready = self.ready().count();
        let total = self.total();
        if self.is_complete() {
            "Download all".to_string()
        } else if ready == 1 {
            format!("Download the 1 finished part of {total}")
        } else {
            format!("Download the {ready} finished parts of {total}")
        }
    }

    /// The merged file's name: the request's type, dates and zone, with `_partial` before
    /// the extension when parts are left out.
    pub fn file_name(&self, format: OutputFormat, partial: bool) -> String {
        let full = match &self.label {
            Some(l) => file_name(self.export_type, &l.range, &l.zone, format),
            None => file_name_for_span(self.export_type, self.span, format),
        };
        if !partial {
            return full;
        }
        let ext = format!(".{}", format.extension());
        match full.strip_suffix(&ext) {
            Some(stem) => format!("{stem}_partial{ext}"),
            None => format!("{full}_partial"),
        }
    }

    /// The name of "Download all"'s file: partial unless every part is ready.
    pub fn download_name(&self, format: OutputFormat) -> String {
        self.file_name(format, !self.is_complete())
    }

    /// The notice's heading when parts are left out, else `None`:
    /// "The file will leave out 1 of 3 parts:".
    pub fn notice_heading(&self) -> Option<String> {
        let missing = self.missing().count();
        (missing > 0).then(|| {
            let parts = if self.total() == 1 { "part" } else { "parts" };
            format!(
                "The file will leave out {missing} of {} {parts}:",
                self.total()
            )
        })
    }

    /// For the message after saving a partial file: "It leaves out 1 of 3 parts: 2026-… UTC
    /// (export 3 of 3, not finished yet)."
    pub fn saved_note(&self) -> Option<String> {
        let missing = self.missing().count();
        (missing > 0).then(|| {
            let parts = if self.total() == 1 { "part" } else { "parts" };
            format!(
                "It leaves out {missing} of {} {parts}: {}.",
                self.total(),
                self.missing_ranges().join("; ")
            )
        })
    }

    /// One line per missing part, the range first: "2026-03-01 00:00:00 – 2026-03-16
    /// 23:59:59 UTC (export 3 of 3, not finished yet)". (Not "Export 3 of 3: …", which is
    /// how the export's own row begins.)
    pub fn missing_ranges(&self) -> Vec<String> {
        let total = self.total();
        self.missing()
            .map(|p| format!("{} ({}, {})", p.span_text(), p.name(total), p.state.words()))
            .collect()
    }

    /// The files "Download all" fetches, in merge order (part order, then server order).
    pub fn files(&self) -> Vec<PlannedFile> {
        let mut out = Vec::new();
        for (part, p) in self.parts.iter().enumerate() {
            if p.state != PartState::Ready {
                continue;
            }
            for (number, url) in p.urls.iter().enumerate() {
                out.push(PlannedFile {
                    order: out.len(),
                    part,
                    number,
                    of: p.urls.len(),
                    url: url.clone(),
                });
            }
        }
        out
    }

    /// Options for merging this request's files (the same for fetched and dropped files).
    pub fn merge_options(&self, format: OutputFormat) -> MergeOptions {
        MergeOptions::new(self.export_type, format)
    }

    /// What went wrong with one file, and what to do about it. `proxy` is the files proxy
    /// the file was fetched through, if any.
    pub fn failure(
        &self,
        file: &PlannedFile,
        proxy: Option<&str>,
        outcome: &FetchOutcome,
    ) -> String {
        let total = self.total();
        let part = &self.parts[file.part.min(self.parts.len().saturating_sub(1))];
        let which = format!(
            "File {} of {} of export {} of {total}",
            file.number + 1,
            file.of,
            part.index + 1
        );
        let again = format!(
            "Use “Request this range again” on export {} of {total} to get new files.",
            part.index + 1
        );
        match (outcome, proxy) {
            (FetchOutcome::NoResponse(why), None) => format!(
                "{which} could not be fetched: the file host did not answer this page ({why}). \
                 It probably does not allow downloads from other sites. Save the files through \
                 their links instead and merge them below."
            ),
            (FetchOutcome::NoResponse(why), Some(proxy)) => format!(
                "{which} could not be fetched through the files proxy {proxy}: no response ({why}). \
                 Try again; if it keeps failing, save the files through their links and merge \
                 them below."
            ),
            (FetchOutcome::Status(status @ (404 | 410)), None) => {
                format!("{which} is gone (HTTP {status}): its link has expired. {again}")
            }
            (FetchOutcome::Status(403), None) => format!(
                "{which} was refused (HTTP 403): its link has expired or was revoked. {again}"
            ),
            (FetchOutcome::Status(403), Some(proxy)) => format!(
                "The files proxy {proxy} refused {} (HTTP 403): the file's host, {}, is not on \
                 the proxy's allow-list or the address is not https, or the link has expired. \
                 The site's administrator can add the host (docs/deployment.md); otherwise: {again}",
                lower_first(&which),
                host_of(&file.url)
            ),
            (FetchOutcome::Status(status @ (404 | 410)), Some(proxy)) => format!(
                "{which} is gone (HTTP {status} through the files proxy {proxy}): its link has \
                 expired, or the proxy is not set up at that address. {again}"
            ),
            (FetchOutcome::Status(status), None) => {
                format!("{which} could not be downloaded (HTTP {status}). Try again.")
            }
            (FetchOutcome::Status(status), Some(proxy)) => format!(
                "{which} could not be downloaded through the files proxy {proxy} (HTTP {status}). Try again."
            ),
            (FetchOutcome::Timeout, None) => format!(
                "{which} did not arrive in time. Try again; if it keeps failing, save the files \
                 through their links and merge them below."
            ),
            (FetchOutcome::Timeout, Some(proxy)) => format!(
                "{which} did not arrive in time through the files proxy {proxy}. Try again; if \
                 it keeps failing, save the files through their links and merge them below."
            ),
            (FetchOutcome::Unreadable(why), _) => format!("{which} could not be read: {why}."),
        }
    }
}

/// ASCII only: the texts are ours, and Unicode case tables would cost ~10 KB of wasm.
fn lower_first(s: &str) -> String {
    let mut out = s.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    out
}

/// `https://files.example/a?b` -> `files.example` (what the person or an administrator
/// needs to recognise the host).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or(authority)
}

/// The address to fetch `url` from: `url` itself, or `<proxy>?url=<url, percent-encoded>`
/// (`&url=` when the proxy address already has a query).
pub fn fetch_url(proxy: Option<&str>, url: &str) -> String {
    match proxy {
        None => url.to_string(),
        Some(proxy) => {
            let sep = if proxy.contains('?') { '&' } else { '?' };
            format!("{proxy}{sep}url={}", percent_encode_component(url))
        }
    }
}

/// Percent-encodes everything but the unreserved characters of RFC 3986 (`A-Z a-z 0-9
/// - . _ ~`): the strictest form, so any proxy decodes it to exactly the original URL.
pub fn percent_encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_strict_and_reversible_by_form_decoding() {
        let url = "https://f.example/a b/c?x=1&y=%2B+é#frag";
        let enc = percent_encode_component(url);
        assert!(enc
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        let back: String = form_urlencoded::parse(format!("url={enc}").as_bytes())
            .find(|(k, _)| k == "url")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        assert_eq!(back, url);
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://a.example:8443/x?y"), "a.example:8443");
        assert_eq!(host_of("https://u:p@a.example/x"), "a.example");
        assert_eq!(lower_first("File 1"), "file 1");
    }
}
