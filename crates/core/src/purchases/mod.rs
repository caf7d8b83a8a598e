//! LaterPay purchase history: decoding, fetch planning, aggregation, tables and CSV.
//!
//! Everything here is pure: the app performs the HTTP calls (one
//! `GET /merchant/purchase-history?from_date=..&to_date=..` per [`Chunk`]), feeds the
//! response body (bytes or text) to [`parse_response`], records it in a [`FetchPlan`], and hands the
//! merged purchases to [`summarize`], [`view_indices`] or [`purchases_csv`].
//!
//! Typical flow:
//! 1. `let span = LocalSpan::new(from, to, zone);`
//! 2. `let mut plan = FetchPlan::for_comparison(&span, compare.as_ref());` with
//!    `compare = span.compared_with(Comparison::PreviousPeriod)` (or last year, or none):
//!    the comparison span is fetched too, each month once; a zone other than UTC adds
//!    the one extra UTC day it needs, see [`fetch_dates_for`].
//! 3. While `plan.start_next(DEFAULT_MAX_IN_FLIGHT)` gives a chunk index `i`, request
//!    `?{plan.chunks()[i].query()}`; when it answers, `plan.mark_done(i, decoded)` with
//!    `decoded = parse_response(&body)?` (or [`error_from_status`] for a non-2xx answer),
//!    else `plan.mark_failed(i, err.to_string())`. Show `plan.progress()`; offer
//!    `plan.retry_failed()` when `plan.is_finished() && !plan.is_complete()`.
//! 4. `let all = plan.into_purchases();` then:
//!    * dashboard: `summarize(&all, &span, &AggregateOptions::new(&span, now, "EUR"))`
//!      (purchases outside the span and its previous period are ignored);
//!    * table: `view_indices(&all, query, Some(&span), column, dir)` gives row indices;
//!    * download: `purchases_csv(rows.iter().map(|&i| &all[i as usize]), &csv_options)`
//!      saved as `csv_file_name(span.from, span.to, &span.zone)`.
//!
//! Money is always integer minor units (cents) of one currency; nothing here converts
//! currencies or uses floating point for sums.

mod aggregate;
mod buckets;
mod chunks;
mod csv;
mod decode;
mod fxhash;
mod instant;
mod model;
mod response;
mod span;
mod table;
mod text;

pub use aggregate::{
    percent_change, summarize, supported_instant, AggregateOptions, BuyerStat, Excluded, Exclusion,
    ItemStat, Series, Share, Summary, Totals, MAX_PRICE, MAX_SERIES, SUPPORTED_YEARS,
};
pub use buckets::{Bucket, BucketSize};
pub use chunks::{
    fetch_dates_for, in_span, month_chunks, Chunk, ChunkStatus, FetchPlan, SplitPurchases,
    DEFAULT_MAX_IN_FLIGHT,
};
pub use csv::{csv_file_name, format_cents, purchases_csv, CsvOptions, CSV_COLUMNS};
pub use instant::{local_time, parse_instant, LocalTime};
pub use model::{ApiError, Decoded, MaybeInstant, Purchase};
pub use response::{error_from_status, parse_response};
pub use span::{Comparison, LocalSpan};
pub use table::{filter_indices, sort_indices, view_indices, SortColumn, SortDir};
pub use text::Text;
