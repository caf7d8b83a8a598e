//! Simulated Clover Merchant Data Export API (`/clover/{region}/v3/...`) and its
//! export-file host (`/clover/files/{token}`).

pub mod data;
pub mod exports;
pub mod routes;

pub use routes::router;

/// 503 body when the merchant already has `max_active_exports` running. It must not
/// mention hours: clients tell the two 503s apart by that word.
pub const BUSY_MESSAGE: &str =
    "Too many concurrent exports. Please wait for your current export to finish.";

/// 503 body outside the service windows.
pub fn hours_message(hours: &str) -> String {
    format!("The export service is available during these hours (UTC): {hours}")
}

/// Order currency of a simulated region.
pub fn currency(region: &str) -> &'static str {
    if region == "eu" {
        "EUR"
    } else {
        "USD"
    }
}
