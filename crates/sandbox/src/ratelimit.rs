//! Per-token request rate limit (Clover: 16 requests per second per token).
//!
//! A sliding one-second window in real time (not the simulated clock: the limit is
//! about bursts the client really sends). Rejected requests are not counted, so a
//! client that waits as told by Retry-After gets through.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        RateLimiter {
            limit: per_second as usize,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Records a request for `key`; false when it is over the limit.
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut w = self.windows.lock().unwrap();
        let q = w.entry(key.to_string()).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            q.pop_front();
        }
        if q.len() >= self.limit {
            return false;
        }
        q.push_back(now);
        true
    }

    pub fn reset(&self) {
        self.windows.lock().unwrap().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_then_refused() {
        let r = RateLimiter::new(16);
        assert!((0..16).all(|_| r.allow("t")));
        assert!(!r.allow("t"));
        assert!(r.allow("other"));
        r.reset();
        assert!(r.allow("t"));
    }
}
