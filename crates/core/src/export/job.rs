//! The data of the export queue: requests, their exports (chunks) and their states.
//!
//! See [`queue`](super::queue) for the state machine that changes them.

use serde::{Deserialize, Serialize};

use super::hours::{Region, ServiceHours};
use super::model::ExportType;
use super::policy::{RetryState, Wait};
use super::poll::PollState;
use crate::credentials::CredentialSource;
use crate::range::{DateRange, TimeSpan};
use crate::Millis;

/// Id of a request (one user submission), unique within a queue.
pub type RequestId = u64;
/// Local id of one planned export (chunk), unique within a queue.
pub type JobId = u64;
/// Id of one HTTP operation handed out by [`ExportQueue::next_action`](super::queue::ExportQueue::next_action).
pub type OpId = u64;

/// What the user picked, kept for display and file names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeLabel {
    /// The local dates.
    pub range: DateRange,
    /// The zone name the dates were resolved in ("UTC", "Europe/Berlin").
    pub zone: String,
    /// The end was clamped to the submission time (the range reached into the future).
    pub partial: bool,
}

/// Input of [`ExportQueue::add_request`](super::queue::ExportQueue::add_request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequest {
    /// Clover merchant id.
    pub merchant: String,
    /// Key the app maps to an API base URL (e.g. [`Region::id`]); opaque to the queue.
    pub region: String,
    /// ORDERS or PAYMENTS.
    pub export_type: ExportType,
    /// The whole span, inclusive ends; split into 30-day exports.
    pub span: TimeSpan,
    /// The region's service hours; `None` = unknown.
    pub hours: Option<ServiceHours>,
    /// Dates and zone as picked, for display and file names.
    pub label: Option<RangeLabel>,
    /// Who adds the credentials: this tab, or the portal's proxy.
    pub auth: CredentialSource,
}

impl NewRequest {
    /// A request for a known region, using its default service hours.
    pub fn for_region(
        merchant: impl Into<String>,
        region: Region,
        export_type: ExportType,
        span: TimeSpan,
    ) -> Self {
        Self {
            merchant: merchant.into(),
            region: region.id().to_string(),
            export_type,
            span,
            hours: region.service_hours(),
            label: None,
            auth: CredentialSource::Tab,
        }
    }

    /// Adds the picked dates and zone.
    pub fn with_label(mut self, label: RangeLabel) -> Self {
        self.label = Some(label);
        self
    }

    /// Sets who adds the credentials.
    pub fn with_auth(mut self, auth: CredentialSource) -> Self {
        self.auth = auth;
        self
    }
}

/// State of one export (one chunk).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    /// Not created yet (possibly waiting: see [`ExportJob::wait`]).
    Queued,
    /// The create request is in flight.
    Creating,
    /// Created; the server has not started it.
    Pending,
    /// The server is working on it.
    InProgress {
        /// Last reported percentage.
        percent: u8,
    },
    /// Finished; files can be downloaded until `available_until`.
    Done {
        /// File URLs as sent by the server (filter with `safe_http_url` when rendering).
        urls: Vec<String>,
        /// When Clover deletes the files.
        available_until: Option<Millis>,
    },
    /// Gave up, or the server reported a failure (raw status or message).
    Failed {
        /// What to show.
        reason: String,
    },
    /// Done, but `available_until` has passed: the links are probably dead.
    Expired {
        /// The old URLs, kept for reference.
        urls: Vec<String>,
        /// When the files were deleted.
        available_until: Option<Millis>,
    },
    /// Cancelled by the user.
    Cancelled,
}

impl JobState {
    /// Creating, Pending or InProgress: an export exists (or is being created) server-side.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            JobState::Creating | JobState::Pending | JobState::InProgress { .. }
        )
    }

    /// Done, Failed, Expired or Cancelled: nothing more will happen without a command.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobState::Done { .. }
                | JobState::Failed { .. }
                | JobState::Expired { .. }
                | JobState::Cancelled
        )
    }

    /// Done or Expired (the export succeeded).
    pub fn is_success(&self) -> bool {
        matches!(self, JobState::Done { .. } | JobState::Expired { .. })
    }
}

/// One planned export (chunk) of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportJob {
    /// Local id.
    pub id: JobId,
    /// Position in the request (0-based, oldest first).
    pub index: usize,
    /// The chunk, inclusive ends.
    pub span: TimeSpan,
    /// Current state.
    pub state: JobState,
    /// Server id, once created.
    pub server_id: Option<String>,
    /// Set while waiting before the next create/poll (busy, hours, rate limit, retry).
    pub wait: Option<Wait>,
    /// Polling state, once created.
    pub poll: Option<PollState>,
    /// Consecutive failures.
    pub retry: RetryState,
    /// When the first create of this attempt was sent.
    pub started_at: Option<Millis>,
    /// When the server accepted the create.
    pub created_at: Option<Millis>,
    /// When it reached a terminal state.
    pub finished_at: Option<Millis>,
    /// The last raw status the server reported.
    pub server_status: Option<String>,
    /// The op whose response will update this job.
    pub(super) pending_op: Option<OpId>,
    /// When the create in flight (or the last one sent) was sent.
    #[serde(default)]
    pub create_sent_at: Option<Millis>,
    /// A create of this export sent at this time may have been carried out by Clover
    /// although its answer was lost (no answer, timeout, 502/504, a reload meanwhile).
    /// Cleared when a create answer with an id arrives.
    #[serde(default)]
    pub create_answer_lost_at: Option<Millis>,
    /// The last good answer about the export (create or poll).
    #[serde(default)]
    pub last_contact_at: Option<Millis>,
    /// Clover said the export is over for good (a failure status, or 404/410 for its
    /// id): a retry needs a new export.
    #[serde(default)]
    pub export_gone: bool,
    /// Set by a retry of an export whose id is known: the next poll checks on it, and
    /// only if it is gone or failed is a new export created.
    #[serde(default)]
    pub verify_first: bool,
    /// Polls that saw DONE without a file list (a list is waited for a few polls).
    #[serde(default)]
    pub done_without_urls: u8,
}

impl ExportJob {
    pub(super) fn new(id: JobId, index: usize, span: TimeSpan) -> Self {
        Self {
            id,
            index,
            span,
            state: JobState::Queued,
            server_id: None,
            wait: None,
            poll: None,
            retry: RetryState::default(),
            started_at: None,
            created_at: None,
            finished_at: None,
            server_status: None,
            pending_op: None,
            create_sent_at: None,
            create_answer_lost_at: None,
            last_contact_at: None,
            export_gone: false,
            verify_first: false,
            done_without_urls: 0,
        }
    }

    /// Flagged when a running export made no progress for the configured time.
    pub fn stalled(&self) -> bool {
        self.state.is_active() && self.poll.is_some_and(|p| p.stalled)
    }

    /// When progress last moved (or the export was created).
    pub fn last_progress_at(&self) -> Option<Millis> {
        self.poll.map(|p| p.last_progress_at)
    }

    /// Current percentage of this export (100 for success, 0 before it runs).
    pub fn percent(&self) -> u8 {
        match &self.state {
            JobState::InProgress { percent } => *percent,
            s if s.is_success() => 100,
            _ => 0,
        }
    }

    /// Waiting time still ahead at `now`, if any.
    pub fn waiting_until(&self, now: Millis) -> Option<Millis> {
        self.wait.as_ref().map(|w| w.until).filter(|&u| u > now)
    }

    /// Back to Queued for a new export. A create whose answer was lost is remembered, so
    /// that a "busy" answer to the next create is still recognised as probably ours.
    pub(super) fn reset_for_requeue(&mut self) {
        let (id, index, span) = (self.id, self.index, self.span);
        let lost = self.create_answer_lost_at;
        *self = ExportJob::new(id, index, span);
        self.create_answer_lost_at = lost;
    }

    /// Whether a retry should first check on the export Clover already has: its id is
    /// known and Clover has not said it is over.
    pub fn may_still_exist(&self) -> bool {
        self.server_id.is_some() && !self.export_gone
    }
}

/// One user submission: a merchant, a type, a span, and its planned exports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    /// Id.
    pub id: RequestId,
    /// Clover merchant id.
    pub merchant: String,
    /// Region / base URL key.
    pub region: String,
    /// ORDERS or PAYMENTS.
    pub export_type: ExportType,
    /// The whole span.
    pub span: TimeSpan,
    /// Submission time.
    pub created_at: Millis,
    /// Service hours (`None` = unknown).
    pub hours: Option<ServiceHours>,
    /// Dates and zone as picked.
    pub label: Option<RangeLabel>,
    /// The chunks, oldest first.
    pub exports: Vec<ExportJob>,
    /// Who adds the credentials (saved, so a reload in a portal continues).
    #[serde(default)]
    pub auth: CredentialSource,
    /// Exports Clover probably made for creates whose answers were lost: they cannot be
    /// polled (their ids never arrived) and finish on their own.
    #[serde(default)]
    pub suspected_orphans: Vec<SuspectedOrphan>,
}

/// An export Clover probably made although the create's answer was lost: the next create
/// for the same chunk met "503 busy".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspectedOrphan {
    /// The chunk it was asked for.
    pub export: JobId,
    /// The chunk's span.
    pub span: TimeSpan,
    /// When the create whose answer was lost was sent.
    pub asked_at: Millis,
}

impl ExportRequest {
    /// Whether every export is terminal.
    pub fn is_finished(&self) -> bool {
        self.exports.iter().all(|j| j.state.is_terminal())
    }

    /// Looks up an export.
    pub fn export(&self, id: JobId) -> Option<&ExportJob> {
        self.exports.iter().find(|j| j.id == id)
    }
}

/// Why a merchant's queue stopped. Resume with [`ExportQueue::credentials_updated`](super::queue::ExportQueue::credentials_updated).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// 401/403: the token was refused.
    NeedsCredentials {
        /// 401 or 403.
        status: u16,
    },
    /// This tab holds no credentials for the merchant: nothing was sent.
    MissingCredentials,
}

/// Per-merchant state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantState {
    /// Set when the merchant's queue is stopped.
    pub stopped: Option<StopReason>,
    /// Start of the last request sent (for the 1/16 s spacing).
    pub last_request_at: Option<Millis>,
}

/// Every merchant's state, sorted by merchant id: a map for the few merchants a queue
/// has. A sorted `Vec`, not a `BTreeMap`, whose code was kilobytes of wasm. It is saved
/// as a JSON object `{"merchant": {...}}`, keys in this order (as the map wrote it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MerchantMap(Vec<(String, MerchantState)>);

impl MerchantMap {
    fn find(&self, merchant: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(m, _)| m.as_str().cmp(merchant))
    }

    pub(crate) fn get(&self, merchant: &str) -> Option<&MerchantState> {
        self.find(merchant).ok().map(|i| &self.0[i].1)
    }

    pub(crate) fn get_mut(&mut self, merchant: &str) -> Option<&mut MerchantState> {
        self.find(merchant).ok().map(|i| &mut self.0[i].1)
    }

    /// The merchant's state, added as the default if it has none.
    pub(crate) fn entry(&mut self, merchant: &str) -> &mut MerchantState {
        let i = self.find(merchant).unwrap_or_else(|i| {
            self.0
                .insert(i, (merchant.to_string(), MerchantState::default()));
            i
        });
        &mut self.0[i].1
    }

    /// Sets the merchant's state (a later one for the same merchant replaces it).
    pub(crate) fn insert(&mut self, merchant: String, state: MerchantState) {
        match self.find(&merchant) {
            Ok(i) => self.0[i].1 = state,
            Err(i) => self.0.insert(i, (merchant, state)),
        }
    }

    /// In merchant order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &MerchantState)> {
        self.0.iter().map(|(m, s)| (m.as_str(), s))
    }

    /// In merchant order.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut MerchantState)> {
        self.0.iter_mut().map(|(m, s)| (m.as_str(), s))
    }
}

impl Serialize for MerchantMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for MerchantMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = MerchantMap;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut entries: A,
            ) -> Result<MerchantMap, A::Error> {
                let mut map = MerchantMap::default();
                while let Some((merchant, state)) = entries.next_entry()? {
                    map.insert(merchant, state);
                }
                Ok(map)
            }
        }
        d.deserialize_map(Entries)
    }
}
