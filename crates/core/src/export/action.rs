//! What the queue asks the app to send, and what it reports back.

use super::job::{JobId, OpId, RequestId};
use super::model::CreateExportBody;
use crate::credentials::CredentialSource;
use crate::Millis;

/// What to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `POST /v3/merchants/{merchant}/exports` with `body`.
    Create {
        /// Merchant id.
        merchant: String,
        /// Region / base URL key.
        region: String,
        /// JSON body.
        body: CreateExportBody,
    },
    /// `GET /v3/merchants/{merchant}/exports/{export_id}`.
    Poll {
        /// Merchant id.
        merchant: String,
        /// Region / base URL key.
        region: String,
        /// Server id of the export.
        export_id: String,
    },
}

impl Op {
    /// The merchant (whose token to use).
    pub fn merchant(&self) -> &str {
        match self {
            Op::Create { merchant, .. } | Op::Poll { merchant, .. } => merchant,
        }
    }

    /// The region / base URL key.
    pub fn region(&self) -> &str {
        match self {
            Op::Create { region, .. } | Op::Poll { region, .. } => region,
        }
    }

    /// `"POST"` or `"GET"`.
    pub fn method(&self) -> &'static str {
        match self {
            Op::Create { .. } => "POST",
            Op::Poll { .. } => "GET",
        }
    }

    /// Path below the API base, ids percent-encoded.
    pub fn path(&self) -> String {
        match self {
            Op::Create { merchant, .. } => {
                format!("/v3/merchants/{}/exports", encode_segment(merchant))
            }
            Op::Poll {
                merchant,
                export_id,
                ..
            } => format!(
                "/v3/merchants/{}/exports/{}",
                encode_segment(merchant),
                encode_segment(export_id)
            ),
        }
    }

    /// The JSON body to send (creates only).
    pub fn body_json(&self) -> Option<String> {
        match self {
            Op::Create { body, .. } => Some(body.to_json()),
            Op::Poll { .. } => None,
        }
    }
}

fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A request for the app to perform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// Pass back to [`ExportQueue::on_response`](super::queue::ExportQueue::on_response).
    pub op_id: OpId,
    /// The request it belongs to.
    pub request: RequestId,
    /// The export it belongs to.
    pub export: JobId,
    /// What to send.
    pub op: Op,
    /// Abort the request after this long and report [`Response::Timeout`](super::policy::Response::Timeout).
    pub timeout_ms: Millis,
    /// Who adds the credentials: this tab, or the portal's proxy.
    pub auth: CredentialSource,
}

/// Notable changes, returned by [`ExportQueue::on_response`](super::queue::ExportQueue::on_response) and
/// [`ExportQueue::handle_timeout`](super::queue::ExportQueue::handle_timeout) so the app can react
/// (notify, ask for a token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An export finished; its files can be downloaded.
    ExportDone {
        /// Request.
        request: RequestId,
        /// Export.
        export: JobId,
    },
    /// An export failed.
    ExportFailed {
        /// Request.
        request: RequestId,
        /// Export.
        export: JobId,
        /// Why.
        reason: String,
    },
    /// Every export of the request is terminal.
    RequestFinished {
        /// Request.
        request: RequestId,
    },
    /// The merchant's token was refused; its queue stopped.
    NeedsCredentials {
        /// Merchant id.
        merchant: String,
    },
    /// This tab holds no credentials for the merchant; its queue waits for them.
    MissingCredentials {
        /// Merchant id.
        merchant: String,
    },
}
