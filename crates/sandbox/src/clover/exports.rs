//! Export records and their lifecycle.
//!
//! No background task moves an export along: its status is a pure function of its
//! creation instant, the simulated now and its fault plan (`phase`). Jumping the
//! clock therefore moves every export consistently, and tests are deterministic.

use super::data::ExportType;
use crate::faults::ExportPlan;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// Files are deleted this long after an export finishes.
pub const AVAILABLE_MS: i64 = 24 * 3_600_000;
/// Objects per export file.
pub const PER_FILE: usize = 1000;

#[derive(Clone, Debug)]
pub struct Export {
    pub id: String,
    pub merchant: String,
    pub region: String,
    pub kind: ExportType,
    pub start: i64,
    pub end: i64,
    /// Simulated instant of creation.
    pub created: i64,
    pub plan: ExportPlan,
    pub object_count: usize,
    /// One unguessable token per file (empty for failed exports).
    pub file_tokens: Vec<String>,
    pub pending_ms: i64,
    pub processing_ms: i64,
}

/// What a poll at a given instant sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    pub status: String,
    pub percent: u32,
    pub modified: i64,
    /// Set only when finished successfully (files exist).
    pub finished: Option<i64>,
}

impl Phase {
    /// Still occupies one of the merchant's concurrent export slots.
    pub fn active(&self) -> bool {
        self.status == "PENDING" || self.status == "IN_PROGRESS"
    }
}

/// Number of files an export with this plan and object count has.
pub fn file_count(plan: &ExportPlan, objects: usize) -> usize {
    if plan.fail_status.is_some() || plan.stall_percent.is_some() {
        0
    } else if plan.object_urls {
        1
    } else {
        objects.div_ceil(PER_FILE)
    }
}

impl Export {
    /// Status at simulated instant `now`.
    pub fn phase(&self, now: i64) -> Phase {
        let t = now.saturating_sub(self.created);
        let processing = self.processing_ms.max(0);
        let finish = self.created + self.pending_ms + processing;
        let in_progress = |percent: u32| Phase {
            status: "IN_PROGRESS".into(),
            percent,
            // The instant the percentage last changed.
            modified: self.created + self.pending_ms + i64::from(percent) * processing / 100,
            finished: None,
        };
        let progress = |t_in: i64| -> u32 {
            if processing == 0 {
                99
            } else {
                (t_in.clamp(0, processing) * 100 / processing).min(99) as u32
            }
        };
        if t < self.pending_ms {
            return Phase {
                status: "PENDING".into(),
                percent: 0,
                modified: self.created,
                finished: None,
            };
        }
        if let Some(stall) = self.plan.stall_percent {
            return in_progress(progress(t - self.pending_ms).min(stall));
        }
        if now < finish {
            return in_progress(progress(t - self.pending_ms));
        }
        if let Some(status) = &self.plan.fail_status {
            return Phase {
                status: status.clone(),
                percent: 99,
                modified: finish,
                finished: None,
            };
        }
        Phase {
            status: if self.plan.legacy_complete {
                "COMPLETE"
            } else {
                "DONE"
            }
            .into(),
            percent: 100,
            modified: finish,
            finished: Some(finish),
        }
    }

    /// The Clover export object at `now`; `base` is `http://host:port` for file URLs.
    /// Serialises in the field order of Clover's documentation.
    pub fn view(&self, now: i64, base: &str) -> ExportView<'_> {
        let p = self.phase(now);
        let export_urls = p.finished.map(|_| {
            let mut urls: Vec<UrlView<'_>> = self
                .file_tokens
                .iter()
                .map(|t| UrlView {
                    url: format!("{base}/clover/files/{t}"),
                    export: IdRef { id: &self.id },
                })
                .collect();
            if self.plan.object_urls && !urls.is_empty() {
                UrlsView::Single {
                    elements: urls.swap_remove(0),
                }
            } else {
                UrlsView::List { elements: urls }
            }
        });
        ExportView {
            id: &self.id,
            kind: self.kind.as_str(),
            status: p.status,
            percent_complete: p.percent,
            available_until: p.finished.map(|f| f + AVAILABLE_MS),
            start_time: self.start,
            end_time: self.end,
            created_time: self.created,
            modified_time: p.modified,
            export_urls,
            merchant_ref: IdRef { id: &self.merchant },
        }
    }

    /// `view` as a JSON value.
    pub fn to_json(&self, now: i64, base: &str) -> Value {
        serde_json::to_value(self.view(now, base)).expect("plain struct")
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportView<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    status: String,
    percent_complete: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_until: Option<i64>,
    start_time: i64,
    end_time: i64,
    created_time: i64,
    modified_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    export_urls: Option<UrlsView<'a>>,
    merchant_ref: IdRef<'a>,
}

/// `exportUrls`: an array, or (legacy docs) a single object.
#[derive(Serialize)]
#[serde(untagged)]
enum UrlsView<'a> {
    List { elements: Vec<UrlView<'a>> },
    Single { elements: UrlView<'a> },
}

#[derive(Serialize)]
struct UrlView<'a> {
    url: String,
    export: IdRef<'a>,
}

#[derive(Serialize)]
struct IdRef<'a> {
    id: &'a str,
}

/// All exports since the last reset.
#[derive(Debug, Default)]
pub struct ExportStore {
    pub exports: Vec<Export>,
    /// File token -> (index into `exports`, file number).
    pub files: HashMap<String, (usize, usize)>,
}

impl ExportStore {
    pub fn insert(&mut self, e: Export) {
        let idx = self.exports.len();
        for (k, t) in e.file_tokens.iter().enumerate() {
            self.files.insert(t.clone(), (idx, k));
        }
        self.exports.push(e);
    }

    /// Exports of `merchant` still PENDING or IN_PROGRESS at `now`.
    pub fn active_for(&self, merchant: &str, now: i64) -> usize {
        self.exports
            .iter()
            .filter(|e| e.merchant == merchant && e.phase(now).active())
            .count()
    }

    pub fn find(&self, region: &str, merchant: &str, id: &str) -> Option<&Export> {
        self.exports
            .iter()
            .find(|e| e.id == id && e.merchant == merchant && e.region == region)
    }

    pub fn clear(&mut self) {
        self.exports.clear();
        self.files.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(plan: ExportPlan, objects: usize) -> Export {
        Export {
            id: "X".into(),
            merchant: "M".into(),
            region: "us".into(),
            kind: ExportType::Orders,
            start: 0,
            end: 1,
            created: 10_000,
            file_tokens: (0..file_count(&plan, objects))
                .map(|i| i.to_string())
                .collect(),
            plan,
            object_count: objects,
            pending_ms: 1000,
            processing_ms: 4000,
        }
    }

    #[test]
    fn lifecycle_is_monotonic() {
        let e = export(ExportPlan::default(), 2500);
        assert_eq!(e.phase(10_500).status, "PENDING");
        let mut last = 0;
        for t in (11_000..15_000).step_by(100) {
            let p = e.phase(t);
            assert_eq!(p.status, "IN_PROGRESS");
            assert!(p.percent >= last && p.percent < 100);
            last = p.percent;
        }
        let done = e.phase(15_000);
        assert_eq!(
            (done.status.as_str(), done.finished),
            ("DONE", Some(15_000))
        );
        let j = e.to_json(15_000, "http://h");
        assert_eq!(j["availableUntil"], 15_000 + AVAILABLE_MS);
        assert_eq!(j["exportUrls"]["elements"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn plans_change_the_outcome() {
        let failed = export(
            ExportPlan {
                fail_status: Some("ERROR".into()),
                ..Default::default()
            },
            10,
        );
        assert_eq!(failed.phase(99_999).status, "ERROR");
        assert!(failed.to_json(99_999, "").get("exportUrls").is_none());
        let stall = export(
            ExportPlan {
                stall_percent: Some(30),
                ..Default::default()
            },
            10,
        );
        assert_eq!(stall.phase(i64::MAX / 2).percent, 30);
        let legacy = export(
            ExportPlan {
                legacy_complete: true,
                object_urls: true,
                ..Default::default()
            },
            2500,
        );
        let j = legacy.to_json(20_000, "http://h");
        assert_eq!(j["status"], "COMPLETE");
        assert!(j["exportUrls"]["elements"].is_object());
    }
}
