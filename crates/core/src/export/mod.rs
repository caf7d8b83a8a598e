//! Clover Merchant Data Export: models, planning, retry policy, the export queue, and
//! merging of the downloaded files.
//!
//! * [`model`]: tolerant serde types of the (beta, loosely documented) API.
//! * [`plan`]: split a span into exports of at most 30 days.
//! * [`hours`]: per-region service hours, as configuration.
//! * [`policy`]: backoff with jitter, 503/429/5xx handling.
//! * [`poll`]: polling schedule and stall detection.
//! * [`job`]: requests, their exports (chunks) and states — the queue's data.
//! * [`action`]: what the queue asks the app to send, and the events it reports.
//! * [`queue`]: the sans-IO state machine the app drives (see its docs for the loop).
//! * [`status`]: words, progress and ETA for the UI.
//! * [`merge`]: merge downloaded files into JSON, NDJSON or CSV.
//! * [`download_plan`]: what "Download all" fetches, from where, and how to say so.
//! * [`local_files`]: check and merge files the person saved themselves (drop-to-merge).

pub mod action;
pub mod download_plan;
mod duration_text;
pub mod hours;
pub mod job;
pub mod local_files;
pub mod merge;
pub mod model;
pub mod plan;
pub mod policy;
pub mod poll;
pub mod queue;
mod saved;
pub mod status;

pub use download_plan::{fetch_url, DownloadPlan, FetchOutcome, PartState, PlanPart, PlannedFile};
pub use hours::{Region, ServiceHours, WeekdaySet, Window};
pub use local_files::{Check, FileCheck, LeftOut, LocalFiles, Verdict};
pub use merge::{file_name, FileStats, MergeError, MergeOptions, Merger, OutputFormat};
pub use model::{
    error_message, safe_http_url, CreateExportBody, Export, ExportStatus, ExportType, ExportUrl,
    ExportUrls,
};
pub use plan::{exports_needed, plan_chunks, MAX_EXPORT_SPAN_MS};
pub use policy::{
    Backoff, Jitter, JitterRng, Response, RetryPolicy, Wait, WaitReason, FILE_LIFETIME_MS,
};
pub use poll::{PollSchedule, MIN_REQUEST_GAP_MS};
pub use queue::{
    Action, Event, ExportJob, ExportQueue, ExportRequest, JobId, JobState, NewRequest, Op, OpId,
    QueueConfig, QueueError, RangeLabel, RequestId, StopReason, SuspectedOrphan, Timeouts,
    MAX_EXPORTS_PER_REQUEST,
};
pub use status::{Counts, RequestView};
