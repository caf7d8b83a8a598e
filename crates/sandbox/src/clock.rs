//! The simulated clock.
//!
//! `sim_now = anchor_sim + (real_now - anchor_real) * scale`. Export lifecycles,
//! service hours and file expiry all read this clock, so a test can jump to 03:00 on
//! a Sunday or fast-forward 25 hours without sleeping. Rate limiting deliberately
//! does not: it is about real request bursts.

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
struct Anchor {
    sim_ms: f64,
    real: Instant,
    scale: f64,
}

#[derive(Debug)]
pub struct Clock {
    anchor: Mutex<Anchor>,
    default_scale: f64,
}

/// Real wall-clock time in epoch milliseconds.
pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Anchor {
    fn fresh(scale: f64) -> Self {
        Anchor {
            sim_ms: real_now_ms() as f64,
            real: Instant::now(),
            scale,
        }
    }

    fn now(&self, real: Instant) -> f64 {
        self.sim_ms + real.duration_since(self.real).as_secs_f64() * 1000.0 * self.scale
    }
}

impl Clock {
    /// A clock equal to real time, running at `scale` (1.0 = real speed).
    pub fn new(scale: f64) -> Self {
        Clock {
            anchor: Mutex::new(Anchor::fresh(scale)),
            default_scale: scale,
        }
    }

    /// Simulated now, epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        let a = self.anchor.lock().unwrap();
        a.now(Instant::now()).floor() as i64
    }

    pub fn scale(&self) -> f64 {
        self.anchor.lock().unwrap().scale
    }

    /// Back to real time at the start-up scale.
    pub fn reset(&self) {
        *self.anchor.lock().unwrap() = Anchor::fresh(self.default_scale);
    }

    /// Re-anchors at the current simulated instant, then applies the changes in
    /// order: jump to `now`, add `advance_ms`, set `scale`.
    pub fn adjust(&self, now: Option<i64>, advance_ms: Option<i64>, scale: Option<f64>) {
        let mut a = self.anchor.lock().unwrap();
        let real = Instant::now();
        let mut sim = a.now(real);
        if let Some(n) = now {
            sim = n as f64;
        }
        if let Some(d) = advance_ms {
            sim += d as f64;
        }
        a.sim_ms = sim;
        a.real = real;
        if let Some(s) = scale {
            a.scale = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_jumps_and_advances() {
        let c = Clock::new(1.0);
        c.adjust(Some(1_000_000), None, Some(0.0));
        assert_eq!(c.now_ms(), 1_000_000);
        c.adjust(None, Some(500), None);
        assert_eq!(c.now_ms(), 1_000_500);
        c.reset();
        assert!((c.now_ms() - real_now_ms()).abs() < 1000);
        assert_eq!(c.scale(), 1.0);
    }
}
