//! Small deterministic hashing PRNG and id formats.
//!
//! Why hash-based rather than one sequential generator: every generated object is a
//! pure function of (seed, merchant, kind, day, index), so any range split yields the
//! same objects and a single file can be rebuilt without generating its neighbours.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// SplitMix64 finaliser: a strong 64-bit mixer.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combines two values into a new well-mixed key.
pub fn mix(a: u64, b: u64) -> u64 {
    mix64(a ^ mix64(b.wrapping_add(0x632B_E59B_D9B4_E019)))
}

/// Stable (FNV-1a + mix) hash of a string; unlike `DefaultHasher` it never changes.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// A tiny SplitMix64 stream.
pub struct Rng(u64);

impl Rng {
    pub fn new(key: u64) -> Self {
        Rng(key)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(hi >= lo);
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// An index chosen by relative weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = (self.next_u64() % u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A Clover-looking id: 13 characters of uppercase letters and digits.
pub fn clover_id(key: u64) -> String {
    let mut a = mix64(key);
    let mut b = mix64(a ^ 0x5851_F42D_4C95_7F2D);
    let mut s = String::with_capacity(13);
    for i in 0..13 {
        let src = if i < 12 { &mut a } else { &mut b };
        s.push(ALNUM[(*src % 36) as usize] as char);
        *src /= 36;
        if i == 5 {
            a = mix64(a ^ b);
        }
    }
    s
}

/// A UUID-looking string (version 4 layout) from a key.
pub fn uuid_from(key: u64) -> String {
    let hi = mix64(key);
    let lo = mix64(hi ^ key.rotate_left(17));
    let hi = (hi & !0xF000) | 0x4000; // version nibble
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

/// Unpredictable ids for things a client must not guess (file URLs, export ids).
///
/// Why std's `RandomState`: it is keyed from the OS at start-up, so SipHash of a
/// counter is unguessable without the key, and no extra crate is needed.
pub struct SecretSource {
    state: RandomState,
    counter: AtomicU64,
}

impl Default for SecretSource {
    fn default() -> Self {
        SecretSource {
            state: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }
}

impl SecretSource {
    pub fn next_u64(&self) -> u64 {
        let mut h = self.state.build_hasher();
        h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        h.finish()
    }

    /// 48 lowercase hex characters (192 bits).
    pub fn token(&self) -> String {
        format!(
            "{:016x}{:016x}{:016x}",
            self.next_u64(),
            self.next_u64(),
            self.next_u64()
        )
    }

    /// A fresh Clover-looking id.
    pub fn clover_id(&self) -> String {
        clover_id(self.next_u64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_formats() {
        let id = clover_id(7);
        assert_eq!(id.len(), 13);
        assert!(id
            .bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        assert_eq!(id, clover_id(7));
        let u = uuid_from(3);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let s = SecretSource::default();
        assert_ne!(s.token(), s.token());
        assert_eq!(s.token().len(), 48);
    }
}
