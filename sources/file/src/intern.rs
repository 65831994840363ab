//! Shared names without an allocation per row.
//!
//! A historian file repeats a few plants, a few thousand tags and a dozen
//! units millions of times. Each distinct name is allocated once, as the
//! `Arc<str>` inside a [`PlantId`]/[`Tag`]/[`UnitLabel`]; every later row
//! with that name gets a clone of it (a reference-count increment).
//!
//! [`PlantId`]: steamflow_operators::reading::PlantId
//! [`Tag`]: steamflow_operators::reading::Tag
//! [`UnitLabel`]: steamflow_operators::reading::UnitLabel

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::dead_letter::Reason;

/// Distinct names kept; past this (a file of unique ids, say) new names are
/// allocated per row instead of growing the map without bound.
const MAX_NAMES: usize = 1 << 20;

/// The names seen so far, by their bytes, with the last one looked up kept
/// aside: in a historian file the plant and unit of a row are usually those
/// of the row before.
pub(crate) struct Interner<T> {
    names: HashMap<Box<[u8]>, T, BuildHasherDefault<FxHasher>>,
    last_key: Vec<u8>,
    last: Option<T>,
}

impl<T: Clone + for<'a> From<&'a str>> Interner<T> {
    pub(crate) fn new() -> Self {
        Self {
            names: HashMap::default(),
            last_key: Vec::new(),
            last: None,
        }
    }

    /// The shared name of `bytes`; `field` names the column in the reason
    /// when the bytes are not UTF-8.
    pub(crate) fn get(&mut self, bytes: &[u8], field: &'static str) -> Result<T, Reason> {
        if let Some(last) = &self.last
            && self.last_key == bytes
        {
            return Ok(last.clone());
        }
        let name = match self.names.get(bytes) {
            Some(name) => name.clone(),
            None => {
                let text = std::str::from_utf8(bytes).map_err(|_| Reason::NotUtf8(field))?;
                let name = T::from(text);
                if self.names.len() < MAX_NAMES {
                    self.names.insert(bytes.into(), name.clone());
                }
                name
            }
        };
        self.last_key.clear();
        self.last_key.extend_from_slice(bytes);
        self.last = Some(name.clone());
        Ok(name)
    }
}

/// The multiply-rotate hash of rustc (FxHash): names are short and come
/// from the file being read, not from an adversary who could flood one
/// bucket for gain — SipHash's protection buys nothing here and costs a
/// third of the per-row time.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0_u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0_u8; 8];
        let rest = chunks.remainder();
        if let Some(head) = tail.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        self.add(u64::from_le_bytes(tail) ^ (rest.len() as u64) << 56);
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_operators::reading::Tag;

    #[test]
    fn repeated_names_share_one_allocation() {
        let mut tags = Interner::<Tag>::new();
        let a = tags.get(b"b1.flow", "tag").unwrap();
        let b = tags.get(b"b2.flow", "tag").unwrap();
        let c = tags.get(b"b1.flow", "tag").unwrap();
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert!(std::ptr::eq(a.as_str().as_ptr(), c.as_str().as_ptr()));
        let d = tags.get(b"b1.flow", "tag").unwrap();
        assert!(std::ptr::eq(a.as_str().as_ptr(), d.as_str().as_ptr()));
    }

    #[test]
    fn invalid_utf8_is_a_reason_not_a_panic() {
        let mut tags = Interner::<Tag>::new();
        assert_eq!(tags.get(b"\xff\xfe", "tag"), Err(Reason::NotUtf8("tag")));
    }

    #[test]
    fn the_hash_tells_tails_of_different_lengths_apart() {
        let hash = |bytes: &[u8]| {
            let mut h = FxHasher::default();
            h.write(bytes);
            h.finish()
        };
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b"tag.000001"), hash(b"tag.000002"));
    }
}
