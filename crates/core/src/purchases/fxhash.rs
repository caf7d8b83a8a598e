//! A fast non-cryptographic hash for the purchase maps (aggregation, string interning).
//! The keys (models, article and buyer ids) come from the merchant's own API, so flooding
//! is not a concern, and hashing is a main cost of a summary: SipHash made it about twice
//! as slow.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Hash map with [`FxHasher`].
pub(crate) type Map<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// Hash set with [`FxHasher`].
pub(crate) type Set<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The "Fx" hash of rustc/Firefox: one rotate, xor and multiply per 8 bytes.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
