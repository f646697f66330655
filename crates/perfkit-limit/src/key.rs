//! Limiter keys: a 64-bit hash of whatever identifies the client (IP prefix, API key,
//! user, route, tier), so a decision never allocates.

use std::hash::{Hash, Hasher};

/// What a limit is counted per. Two inputs with the same 64-bit hash share one limit;
/// with `n` live keys the chance that any two collide is about `n² / 2⁶⁵`
/// (10⁻⁷ for a million keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(u64);

impl Key {
    /// The key for a byte string (xxh3).
    #[inline]
    pub fn from_bytes(bytes: &[u8]) -> Key {
        Key::from_hash(xxhash_rust::xxh3::xxh3_64(bytes))
    }

    /// The key for any hashable value, e.g. a tuple `(ip_prefix, route_id, tier)`.
    #[inline]
    pub fn of<T: Hash + ?Sized>(value: &T) -> Key {
        let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
        value.hash(&mut hasher);
        Key::from_hash(hasher.finish())
    }

    /// The key for a small integer id (a user id, an IPv4 address): mixed so that
    /// consecutive ids spread over the in-memory table.
    #[inline]
    pub fn from_u64(id: u64) -> Key {
        // splitmix64's finaliser: a bijection, so distinct ids never collide.
        let mut z = id.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Key::from_hash(z ^ (z >> 31))
    }

    /// A key from an already well-mixed 64-bit hash.
    #[inline]
    pub fn from_hash(hash: u64) -> Key {
        // 0 marks an empty slot in the in-memory table.
        Key(if hash == 0 { 0x5bd1_e995 } else { hash })
    }

    /// The hash, never 0.
    #[inline]
    pub fn hash(self) -> u64 {
        self.0
    }
}
