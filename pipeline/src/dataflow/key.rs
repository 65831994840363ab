//! Compact integer keys for (plant, tag), interned at the edge.
//!
//! Strings are hashed once, when a reading enters the dataflow; from there
//! on every operator hashes, compares and exchanges a [`TagKey`] (a `u64`).
//! The key is a stable hash of the two names (64-bit FNV-1a over
//! `plant 0xFF tag`; `0xFF` never occurs in UTF-8, so the split is
//! unambiguous), so every worker of every process computes the same key for
//! the same names without talking to the others, and exchange by key is
//! consistent across processes.
//!
//! The [`KeyRegistry`] is the shared, append-only map back from keys to
//! names (for sinks) and to the exchange route of each key. It detects the
//! (astronomically unlikely) case of two name pairs hashing alike: the
//! second pair is refused and its readings are dead-lettered.
//! An [`Interner`] is one source's front to the registry: a small
//! direct-mapped cache keyed by the addresses of the shared name strings, so
//! a source that reuses its [`PlantId`]/[`Tag`] values (the usual case)
//! interns a reading with two pointer compares and no string hashing.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use steamflow_operators::reading::{PlantId, Tag};

/// A (plant, tag) pair as a stable 64-bit hash of its names.
///
/// ```
/// use steamflow::dataflow::TagKey;
///
/// let key = TagKey::of("north", "boiler1.flow");
/// assert_eq!(key, TagKey::of("north", "boiler1.flow"));
/// assert_ne!(key, TagKey::of("north.boiler1", "flow"));
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct TagKey(pub u64);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

impl TagKey {
    /// The key of a plant and tag name.
    pub fn of(plant: &str, tag: &str) -> TagKey {
        let hash = fnv1a(FNV_OFFSET, plant.as_bytes());
        let hash = fnv1a(hash, &[0xFF]);
        // A final avalanche step spreads FNV's weak low bits, which pick the worker.
        TagKey(mix(fnv1a(hash, tag.as_bytes())))
    }
}

/// The 64-bit finaliser of MurmurHash3 (`fmix64`): every input bit flips
/// about half of the output bits.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl std::fmt::Display for TagKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A hasher for keys that are hashes already: it passes the `u64` through.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u64 keys; fold them in FNV-style.
        self.0 = fnv1a(self.0 ^ FNV_OFFSET, bytes);
    }

    /// FxHash's step: cheap, and the multiply carries every word into the
    /// high bits the table probes on.
    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }
}

/// A `HashMap` keyed by already well-mixed `u64`-like keys.
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// What the registry knows of one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    /// The plant name.
    pub plant: PlantId,
    /// The tag name.
    pub tag: Tag,
    /// The key whose worker validates and windows this one. A tag checked
    /// against another (a temperature against the saturation temperature at
    /// a pressure tag) is routed with that tag so both meet on one worker.
    pub route: TagKey,
}

/// The shared, append-only map from keys to names and routes.
///
/// One registry serves every worker of a process (`Arc<KeyRegistry>`).
/// Entries are never removed or changed, so a key once resolved stays valid.
#[derive(Debug, Default)]
pub struct KeyRegistry {
    entries: RwLock<KeyMap<TagKey, KeyEntry>>,
    /// Routes declared before the key was first seen: (plant, tag) → route.
    routes: RwLock<HashMap<(PlantId, Tag), TagKey>>,
}

/// Two different name pairs with one key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{plant}/{tag} hashes to key {key}, already taken by {taken_plant}/{taken_tag}")]
pub struct KeyCollision {
    /// The key.
    pub key: TagKey,
    /// The pair refused.
    pub plant: PlantId,
    /// The pair refused.
    pub tag: Tag,
    /// The pair that holds the key.
    pub taken_plant: PlantId,
    /// The pair that holds the key.
    pub taken_tag: Tag,
}

impl KeyRegistry {
    /// An empty registry, ready to share.
    pub fn new() -> Arc<KeyRegistry> {
        Arc::new(KeyRegistry::default())
    }

    /// Routes `tag` with `with` (both of `plant`): they are exchanged to the
    /// same worker. Must be declared before the dataflow sees `tag`, and the
    /// same in every process (it comes from the config).
    pub fn route_with(&self, plant: &PlantId, tag: &Tag, with: &Tag) {
        let route = TagKey::of(plant.as_str(), with.as_str());
        if let Ok(mut routes) = self.routes.write() {
            routes.insert((plant.clone(), tag.clone()), route);
        }
    }

    /// The key of `(plant, tag)`, registering the pair on first sight.
    pub fn intern(&self, plant: &PlantId, tag: &Tag) -> Result<KeyEntryRef, KeyCollision> {
        self.intern_fresh(plant, tag).map(|(entry, _)| entry)
    }

    /// Like [`intern`](Self::intern), and true when this call registered the pair.
    pub fn intern_fresh(
        &self,
        plant: &PlantId,
        tag: &Tag,
    ) -> Result<(KeyEntryRef, bool), KeyCollision> {
        let key = TagKey::of(plant.as_str(), tag.as_str());
        {
            let entries = read(&self.entries);
            if let Some(found) = entries.get(&key) {
                return check_same(key, found, plant, tag).map(|entry| (entry, false));
            }
        }
        let route = read(&self.routes)
            .get(&(plant.clone(), tag.clone()))
            .copied()
            .unwrap_or(key);
        let mut entries = match self.entries.write() {
            Ok(entries) => entries,
            // A panicking writer cannot leave a half-made entry (insert is
            // atomic for readers), so the map is still sound.
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut fresh = false;
        let entry = entries.entry(key).or_insert_with(|| {
            fresh = true;
            KeyEntry {
                plant: plant.clone(),
                tag: tag.clone(),
                route,
            }
        });
        check_same(key, entry, plant, tag).map(|entry| (entry, fresh))
    }

    /// Records what another process announced about `key`; a key known
    /// already keeps its entry.
    pub fn learn(&self, key: TagKey, entry: KeyEntry) {
        let mut entries = match self.entries.write() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        };
        entries.entry(key).or_insert(entry);
    }

    /// The names and route of `key`, if it was interned in this process.
    pub fn lookup(&self, key: TagKey) -> Option<KeyEntry> {
        read(&self.entries).get(&key).cloned()
    }

    /// How many keys are registered.
    pub fn len(&self) -> usize {
        self.entries.read().map_or(0, |entries| entries.len())
    }

    /// True when no key is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A resolved key: what the hot path needs of a [`KeyEntry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEntryRef {
    /// The key.
    pub key: TagKey,
    /// Its exchange route.
    pub route: TagKey,
}

/// A read guard, also after a writer panicked (entries are only ever
/// inserted whole, so the map stays sound).
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    match lock.read() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

fn check_same(
    key: TagKey,
    found: &KeyEntry,
    plant: &PlantId,
    tag: &Tag,
) -> Result<KeyEntryRef, KeyCollision> {
    if found.plant == *plant && found.tag == *tag {
        Ok(KeyEntryRef {
            key,
            route: found.route,
        })
    } else {
        Err(KeyCollision {
            key,
            plant: plant.clone(),
            tag: tag.clone(),
            taken_plant: found.plant.clone(),
            taken_tag: found.tag.clone(),
        })
    }
}

/// The interner's cache holds at least this many name pairs before it
/// starts over.
const CACHE_MIN: usize = 1 << 16;

/// One source's cached front to the [`KeyRegistry`].
///
/// The cache is keyed by the addresses of the two shared name strings and
/// holds clones of them, so an address cannot be freed and reused by
/// another name while the cache points at it. A source that makes fresh
/// strings for every reading would fill it with dead entries, so it starts
/// over once it holds twice the registry's keys (and at least
/// `CACHE_MIN`): memory stays bounded, and a source that reuses its
/// names never misses after the first sight.
pub struct Interner {
    registry: Arc<KeyRegistry>,
    cache: KeyMap<(usize, usize), (PlantId, Tag, KeyEntryRef)>,
    limit: usize,
    fresh: Vec<KeyName>,
}

/// A key with its names, as announced to the other processes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyName {
    /// The key.
    pub key: TagKey,
    /// Its plant.
    pub plant: String,
    /// Its tag.
    pub tag: String,
    /// Its route.
    pub route: TagKey,
}

impl Interner {
    /// An interner over `registry`.
    pub fn new(registry: Arc<KeyRegistry>) -> Self {
        Interner {
            registry,
            cache: KeyMap::default(),
            limit: CACHE_MIN,
            fresh: Vec::new(),
        }
    }

    /// The keys this interner registered first since the last call, to
    /// announce to other processes.
    pub fn take_fresh(&mut self) -> Vec<KeyName> {
        std::mem::take(&mut self.fresh)
    }

    /// The registry behind this interner.
    pub fn registry(&self) -> &Arc<KeyRegistry> {
        &self.registry
    }

    /// The key and route of `(plant, tag)`.
    #[inline]
    pub fn intern(&mut self, plant: &PlantId, tag: &Tag) -> Result<KeyEntryRef, KeyCollision> {
        let addresses = (
            plant.as_str().as_ptr() as usize,
            tag.as_str().as_ptr() as usize,
        );
        if let Some((cached_plant, cached_tag, entry)) = self.cache.get(&addresses)
            // Equal addresses of live strings are the same strings; the
            // lengths tell an empty string from its neighbour.
            && cached_plant.as_str().len() == plant.as_str().len()
            && cached_tag.as_str().len() == tag.as_str().len()
        {
            return Ok(*entry);
        }
        let (entry, fresh) = self.registry.intern_fresh(plant, tag)?;
        if fresh {
            self.fresh.push(KeyName {
                key: entry.key,
                plant: plant.as_str().to_owned(),
                tag: tag.as_str().to_owned(),
                route: entry.route,
            });
        }
        if self.cache.len() >= self.limit {
            self.cache.clear();
            self.limit = (2 * self.registry.len()).max(CACHE_MIN);
        }
        self.cache
            .insert(addresses, (plant.clone(), tag.clone(), entry));
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_separate_the_names() {
        // Pinned: keys travel between processes and into files.
        assert_eq!(TagKey::of("p", "t"), TagKey::of("p", "t"));
        assert_ne!(TagKey::of("ab", "c"), TagKey::of("a", "bc"));
        assert_ne!(TagKey::of("", "x"), TagKey::of("x", ""));
    }

    #[test]
    fn registry_interns_once_and_resolves_names() {
        let registry = KeyRegistry::new();
        let (plant, tag) = (PlantId::from("north"), Tag::from("flow"));
        let first = registry.intern(&plant, &tag).unwrap();
        let again = registry
            .intern(&PlantId::from("north"), &Tag::from("flow"))
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(first.route, first.key);
        let entry = registry.lookup(first.key).unwrap();
        assert_eq!((entry.plant, entry.tag), (plant, tag));
        assert_eq!(registry.len(), 1);
    }

    #[test]
    fn declared_routes_pair_tags() {
        let registry = KeyRegistry::new();
        let plant = PlantId::from("north");
        let (temperature, pressure) = (Tag::from("hdr.t"), Tag::from("hdr.p"));
        registry.route_with(&plant, &temperature, &pressure);
        let t = registry.intern(&plant, &temperature).unwrap();
        let p = registry.intern(&plant, &pressure).unwrap();
        assert_eq!(t.route, p.key);
        assert_eq!(p.route, p.key);
    }

    #[test]
    fn collisions_are_refused() {
        let registry = KeyRegistry::new();
        let key = TagKey::of("a", "b");
        // Forge a collision by planting another pair under the key.
        registry.entries.write().unwrap().insert(
            key,
            KeyEntry {
                plant: PlantId::from("x"),
                tag: Tag::from("y"),
                route: key,
            },
        );
        let refused = registry.intern(&PlantId::from("a"), &Tag::from("b"));
        assert!(matches!(refused, Err(KeyCollision { key: k, .. }) if k == key));
    }

    #[test]
    fn interner_cache_agrees_with_registry() {
        let registry = KeyRegistry::new();
        let mut interner = Interner::new(Arc::clone(&registry));
        let plant = PlantId::from("p");
        let tags: Vec<Tag> = (0..10_000).map(|i| Tag::from(format!("t{i}"))).collect();
        for _ in 0..2 {
            for tag in &tags {
                let entry = interner.intern(&plant, tag).unwrap();
                assert_eq!(entry.key, TagKey::of("p", tag.as_str()));
            }
        }
        // Fresh strings with equal text resolve to the same keys.
        let entry = interner
            .intern(&PlantId::from("p"), &Tag::from("t7"))
            .unwrap();
        assert_eq!(entry.key, TagKey::of("p", "t7"));
        assert_eq!(registry.len(), tags.len());
    }
}
