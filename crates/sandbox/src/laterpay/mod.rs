//! Simulated LaterPay Merchant Data API (`/laterpay/{region}/merchant/purchase-history`).

pub mod data;
pub mod routes;

pub use routes::router;
