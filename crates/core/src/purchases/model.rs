//! Tolerant decoding of `/merchant/purchase-history` responses.
//!
//! The API is loosely documented (see `api-notes.md`, part B): models are open sets of
//! strings, `expiry_date` may be empty, null or a date-time, and error entries have no
//! documented shape. Decoding therefore never fails on a single odd record: each field is
//! read as a loose scalar, bad records are skipped and counted, and only a response that
//! is not JSON at all (or not an object) becomes [`ApiError::Malformed`].
//!
//! This module holds the public types; the streaming decoder lives in `decode.rs`, and
//! `response.rs` turns a whole response (body and status) into a result or an error.

use std::fmt;

use super::text::Text;
use crate::Millis;

/// One purchase as reported by the API, normalised. Its text fields are shared [`Text`]
/// (equal strings of one response are one allocation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purchase {
    /// e.g. "Pay Now", "Pay Later": an open set, never matched exhaustively.
    pub payment_model: Text,
    /// e.g. "Single Purchase", time passes, subscriptions: an open set.
    pub sales_model: Text,
    /// Price in minor units (cents) of the region's currency.
    pub price: i64,
    pub title: Text,
    /// End of access for time passes / subscriptions; `None` for single purchases.
    pub expiry: MaybeInstant,
    pub item_url: Text,
    /// When the purchase happened (the instant every report is based on).
    pub purchase_time: Millis,
    /// Pseudonymous buyer id; empty when the API omits it.
    pub shared_user_id: Text,
    /// When it was paid ("Pay Later" purchases may be unpaid: `None`).
    pub payment_time: MaybeInstant,
    /// Item key; numbers are turned into their decimal text.
    pub article_id: Text,
}

/// An instant that may be missing, in 8 bytes instead of the 16 of an `Option<Millis>`
/// (two per record: 16 of a record's 72 bytes in wasm). Orders like the `Option`: missing
/// first. `Some(i64::MIN)` is stored as `Some(i64::MIN + 1)`, the one value it cannot
/// hold (no date-time the decoder reads comes near it).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MaybeInstant(i64);

impl MaybeInstant {
    pub const NONE: MaybeInstant = MaybeInstant(i64::MIN);

    pub fn get(self) -> Option<Millis> {
        (self.0 != i64::MIN).then_some(self.0)
    }
}

impl Default for MaybeInstant {
    fn default() -> Self {
        MaybeInstant::NONE
    }
}

impl From<Option<Millis>> for MaybeInstant {
    fn from(ms: Option<Millis>) -> Self {
        ms.map_or(MaybeInstant::NONE, |ms| MaybeInstant(ms.max(i64::MIN + 1)))
    }
}

impl From<MaybeInstant> for Option<Millis> {
    fn from(t: MaybeInstant) -> Self {
        t.get()
    }
}

impl PartialEq<Option<Millis>> for MaybeInstant {
    fn eq(&self, other: &Option<Millis>) -> bool {
        self.get() == *other
    }
}

impl fmt::Debug for MaybeInstant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

/// Result of decoding one successful response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Usable records, in response order.
    pub purchases: Vec<Purchase>,
    /// Records dropped because their purchase date or price could not be read, or because
    /// they were not objects.
    pub skipped: usize,
    /// Why the first skipped record was dropped, to show the merchant one concrete case.
    pub first_skip_reason: Option<String>,
}

/// Why a call gave no purchases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The API answered with `status: "error"` (or an error body); `messages` are its
    /// `errors` entries rendered as text.
    Api { messages: Vec<String> },
    /// An HTTP error whose body carried no readable errors.
    Http { status: u16, message: String },
    /// The body was not the expected JSON.
    Malformed(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Api { messages } if messages.is_empty() => {
                f.write_str("The API reported an error without details.")
            }
            ApiError::Api { messages } => {
                write!(f, "The API reported: {}", messages.join("; "))
            }
            ApiError::Http { message, .. } => f.write_str(message),
            ApiError::Malformed(d) => write!(f, "Unexpected response from the API: {d}"),
        }
    }
}

impl std::error::Error for ApiError {}
