//! Words and numbers for the UI: status lines, progress, elapsed time, ETA.
//!
//! Everything is computed from the queue state and an explicit `now`, so the UI can
//! re-render every second ("retrying in 8 s") without touching the queue.

pub use super::duration_text::format_duration;
use super::hours::utc_weekday_abbrev;
use super::policy::{Wait, WaitReason};
use super::queue::{ExportJob, ExportQueue, ExportRequest, JobState, RequestId, StopReason};
use crate::range::MS_PER_DAY;
use crate::Millis;

/// A UTC clock time: "10:00 UTC" on the same UTC day as `now`, "Sat 02:00 UTC" within a
/// week, "2026-03-21 02:00 UTC" further away.
pub fn format_utc_time(t: Millis, now: Millis) -> String {
    let minute_of_day = t.rem_euclid(MS_PER_DAY) / 60_000;
    let hm = format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60);
    let days_apart = t.div_euclid(MS_PER_DAY) - now.div_euclid(MS_PER_DAY);
    if days_apart == 0 {
        format!("{hm} UTC")
    } else if (1..7).contains(&days_apart) {
        format!("{} {hm} UTC", utc_weekday_abbrev(t))
    } else {
        format!("{} {hm} UTC", crate::civil::ymd(crate::civil::utc_date(t)))
    }
}

/// Describes a wait at `now`, e.g. "Retrying in 8 s (server busy)".
pub fn wait_text(w: &Wait, now: Millis) -> String {
    let left = w.until.saturating_sub(now);
    let in_ = if left > 0 {
        format!("in {}", format_duration(left))
    } else {
        "now".to_string()
    };
    match &w.reason {
        WaitReason::Busy => format!("Retrying {in_} (server busy)"),
        WaitReason::BusyProbablyOurs { asked_at } => format!(
            "Clover is busy, probably with the export asked for at {} whose answer was lost; waiting for it to finish — retrying {in_}",
            format_utc_time(*asked_at, now)
        ),
        WaitReason::PollFailing { since, cause } => {
            let next = if left > 0 {
                format!("next try in {}", format_duration(left))
            } else {
                "trying now".to_string()
            };
            format!(
                "Can't reach Clover since {} ({cause}), {next}",
                format_utc_time(*since, now)
            )
        }
        WaitReason::RateLimited => format!("Rate limited — retrying {in_}"),
        WaitReason::Retrying { attempt, cause } => {
            format!("Retrying {in_} (retry {attempt}, last error: {cause})")
        }
        WaitReason::ServiceHours { opens_at: Some(t) } => {
            let opens_in = t.saturating_sub(now);
            if opens_in > 0 {
                format!(
                    "Waiting for service hours — opens {} (in {})",
                    format_utc_time(*t, now),
                    format_duration(opens_in)
                )
            } else {
                format!(
                    "Waiting for service hours — opened {}, retrying {in_}",
                    format_utc_time(*t, now)
                )
            }
        }
        WaitReason::ServiceHours { opens_at: None } => match &w.message {
            Some(m) => format!("Outside service hours — retrying {in_}. Server said: {m}"),
            None => format!("Outside service hours — retrying {in_}"),
        },
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

impl ExportJob {
    /// One line for this export at `now`: "Queued", "Creating export", "Waiting in
    /// Clover's queue", "Running 42%", "Waiting for service hours — opens 10:00 UTC (in
    /// 2 h 13 min)", "Retrying in 8 s (server busy)", "Done", "Failed: FAILED",
    /// "Link expired", "Cancelled". A stalled export says so.
    pub fn status_text(&self, now: Millis) -> String {
        let wait = self.wait.as_ref().filter(|w| w.until > now);
        let base = match &self.state {
            JobState::Queued => match wait {
                Some(w) => return wait_text(w, now),
                None if self.verify_first => {
                    "Queued to check on the export Clover already has".to_string()
                }
                None => "Queued".to_string(),
            },
            JobState::Creating => "Creating export".to_string(),
            JobState::Pending if self.verify_first => {
                "Checking on the export Clover already has".to_string()
            }
            JobState::Pending => "Waiting in Clover's queue".to_string(),
            JobState::InProgress { percent } => format!("Running {percent}%"),
            JobState::Done { .. } => return "Done".to_string(),
            JobState::Failed { reason } => return format!("Failed: {reason}"),
            JobState::Expired { .. } => return "Link expired".to_string(),
            JobState::Cancelled if self.may_still_exist() => {
                return "Cancelled (Clover may still finish it: a retry checks on it first)"
                    .to_string()
            }
            JobState::Cancelled => return "Cancelled".to_string(),
        };
        let mut out = base;
        if let Some(w) = wait {
            out.push_str(" — ");
            out.push_str(&lower_first(&wait_text(w, now)));
        }
        if self.stalled() {
            if let Some(p) = self.last_progress_at() {
                out.push_str(&format!(
                    " (no progress for {})",
                    format_duration(now.saturating_sub(p))
                ));
            }
        }
        out
    }
}

/// Export counts of a request, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// All exports.
    pub total: usize,
    /// Not created yet.
    pub queued: usize,
    /// Creating, Pending or InProgress.
    pub active: usize,
    /// Done (files available).
    pub done: usize,
    /// Done but the files expired.
    pub expired: usize,
    /// Failed.
    pub failed: usize,
    /// Cancelled.
    pub cancelled: usize,
}

/// A read-only view of one request with what the UI needs.
#[derive(Clone, Copy, Debug)]
pub struct RequestView<'a> {
    /// The request.
    pub request: &'a ExportRequest,
    /// Set when the merchant's queue is stopped.
    pub stopped: Option<&'a StopReason>,
}

impl ExportQueue {
    /// A view of one request.
    pub fn view(&self, id: RequestId) -> Option<RequestView<'_>> {
        self.request(id).map(|r| self.view_of(r))
    }

    /// Views of all requests, oldest first.
    pub fn views(&self) -> Vec<RequestView<'_>> {
        self.requests().iter().map(|r| self.view_of(r)).collect()
    }

    fn view_of<'a>(&'a self, request: &'a ExportRequest) -> RequestView<'a> {
        RequestView {
            request,
            stopped: self.merchant_stopped(&request.merchant),
        }
    }
}

impl<'a> RequestView<'a> {
    /// Export counts by state.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            total: self.request.exports.len(),
            ..Counts::default()
        };
        for j in &self.request.exports {
            match j.state {
                JobState::Queued => c.queued += 1,
                JobState::Creating | JobState::Pending | JobState::InProgress { .. } => {
                    c.active += 1
                }
                JobState::Done { .. } => c.done += 1,
                JobState::Expired { .. } => c.expired += 1,
                JobState::Failed { .. } => c.failed += 1,
                JobState::Cancelled => c.cancelled += 1,
            }
        }
        c
    }

    /// Overall progress in `[0, 1]`: finished chunks plus the running chunk's percentage,
    /// over the chunks that are still meant to finish (failed and cancelled ones are left
    /// out, so the bar can still reach 100%).
    pub fn fraction(&self) -> f64 {
        let live: Vec<&ExportJob> = self
            .request
            .exports
            .iter()
            .filter(|j| !matches!(j.state, JobState::Failed { .. } | JobState::Cancelled))
            .collect();
        if live.is_empty() {
            return 0.0;
        }
        let sum: f64 = live.iter().map(|j| f64::from(j.percent()) / 100.0).sum();
        sum / live.len() as f64
    }

    /// Overall progress in percent (rounded down, so 100 means really finished).
    pub fn percent(&self) -> u8 {
        (self.fraction() * 100.0).floor().clamp(0.0, 100.0) as u8
    }

    /// The export the request is working on: the active one, else the first queued one.
    pub fn current(&self) -> Option<&'a ExportJob> {
        let ex = &self.request.exports;
        ex.iter()
            .find(|j| j.state.is_active())
            .or_else(|| ex.iter().find(|j| j.state == JobState::Queued))
    }

    /// Whether every export is terminal.
    pub fn is_finished(&self) -> bool {
        self.request.is_finished()
    }

    /// Time since submission, up to the last export's end once finished.
    pub fn elapsed_ms(&self, now: Millis) -> Millis {
        let end = if self.is_finished() {
            self.request
                .exports
                .iter()
                .filter_map(|j| j.finished_at)
                .max()
                .unwrap_or(now)
        } else {
            now
        };
        end.saturating_sub(self.request.created_at).max(0)
    }

    /// Rough time left, extrapolated from the progress rate observed since the first
    /// create was sent. `None` before any progress or once finished.
    pub fn eta_ms(&self, now: Millis) -> Option<Millis> {
        if self.is_finished() {
            return None;
        }
        let f = self.fraction();
        if f <= 0.0 || f >= 1.0 {
            return None;
        }
        let first = self
            .request
            .exports
            .iter()
            .filter_map(|j| j.started_at)
            .min()?;
        let spent = now.saturating_sub(first).max(0) as f64;
        Some((spent * (1.0 - f) / f).round() as Millis)
    }

    /// Words for the exports Clover probably made for creates whose answers were lost
    /// ([`ExportRequest::suspected_orphans`]), or `None` when there are none.
    pub fn orphan_notice(&self) -> Option<String> {
        let orphans = &self.request.suspected_orphans;
        let parts: Vec<String> = orphans
            .iter()
            .map(|o| {
                format!(
                    "{} – {} (asked for at {} UTC)",
                    crate::civil::ymd(crate::civil::utc_date(o.span.start)),
                    crate::civil::ymd(crate::civil::utc_date(o.span.end)),
                    crate::civil::utc_date_time(o.asked_at, ' ')
                )
            })
            .collect();
        let (one, its, it) = match parts.len() {
            0 => return None,
            1 => ("An export", "its", "It"),
            _ => ("Some exports", "their", "They"),
        };
        Some(format!(
            "{one} may have been made at Clover although {its} answer was lost: {}. {it} cannot be followed without {its} id and will finish at Clover on {its} own; this request's own export of the same days is shown below.",
            parts.join("; ")
        ))
    }

    /// One line for the request at `now`, e.g. "Export 2 of 4: Running 42%", "Done",
    /// "Stopped: the token was refused (401). Enter a valid token to continue."
    pub fn status_text(&self, now: Millis) -> String {
        let c = self.counts();
        match (self.stopped, self.is_finished()) {
            (Some(StopReason::NeedsCredentials { status }), false) => {
                return format!(
                    "Stopped: the token was refused ({status}). Enter a valid token to continue."
                );
            }
            (Some(StopReason::MissingCredentials), false) => {
                return "Waiting for credentials: this tab holds no token for this merchant. Enter the API token (or sign in with Clover) to continue.".to_string();
            }
            _ => {}
        }
        if c.total == 1 {
            return self.request.exports[0].status_text(now);
        }
        if self.is_finished() {
            return if c.done == c.total {
                "Done".to_string()
            } else if c.expired == c.total {
                "Link expired".to_string()
            } else if c.cancelled == c.total {
                "Cancelled".to_string()
            } else {
                let parts: Vec<String> = [
                    (c.done, "done"),
                    (c.expired, "expired"),
                    (c.failed, "failed"),
                    (c.cancelled, "cancelled"),
                ]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, w)| format!("{n} {w}"))
                .collect();
                format!("Finished: {}", parts.join(", "))
            };
        }
        match self.current() {
            Some(j) => format!(
                "Export {} of {}: {}",
                j.index + 1,
                c.total,
                j.status_text(now)
            ),
            None => "Queued".to_string(),
        }
    }
}
