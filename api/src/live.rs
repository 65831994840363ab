//! The current state of each stream, as the API serves it.
//!
//! The pipeline feeds [`LiveState::apply`] with every settled update of the
//! streams the API serves: a record (its JSON fields), the time it was
//! made and its diff (+1 asserts, −1 retracts). The store keeps each
//! stream's collection — the records whose diffs sum to more than zero —
//! so a correction from late data (a retraction and a new assertion)
//! replaces the old value here as it does in every other sink.
//!
//! What "current" means depends on the stream ([`Current`]):
//! - windowed results (balances, trap statuses, losses, leaks, steam
//!   states): the records of each plant's latest window; the store keeps
//!   the last `history` windows per plant and forgets older ones, so its
//!   memory is bounded by plants × history × records per window;
//! - alerts: the latest record of each dedup key (firing or resolved);
//! - recommendations: the whole collection (a recommendation that no
//!   longer applies is retracted and disappears).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

/// How a stream's current state is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Current {
    /// The records of each plant's latest window (`window_end`).
    LatestWindowPerPlant,
    /// The latest record of each value of this field.
    LatestPerKey(&'static str),
    /// Every record in the collection.
    Collection,
}

impl Current {
    /// The reading of the stream named `stream`.
    pub fn of(stream: &str) -> Current {
        match stream {
            "alerts" => Current::LatestPerKey("dedup_key"),
            "recommendations" => Current::Collection,
            _ => Current::LatestWindowPerPlant,
        }
    }
}

/// Windows kept per plant unless configured otherwise: enough for a late
/// correction of the last few windows to find the record it retracts.
pub const DEFAULT_HISTORY: usize = 60;

/// The current state of the streams the API serves; shared between the
/// pipeline (writer) and the HTTP handlers (readers).
#[derive(Debug)]
pub struct LiveState {
    history: usize,
    streams: RwLock<HashMap<String, StreamState>>,
}

impl Default for LiveState {
    fn default() -> Self {
        LiveState::new(DEFAULT_HISTORY)
    }
}

#[derive(Debug, Default)]
struct StreamState {
    /// Record (its JSON text) → entry.
    records: HashMap<String, Entry>,
    /// Windows present per plant (windowed streams only).
    windows: HashMap<String, BTreeSet<i64>>,
}

#[derive(Debug)]
struct Entry {
    count: isize,
    /// When the record was last asserted [ms].
    time: i64,
    value: Arc<Value>,
    plant: String,
    window_end: i64,
}

/// Why an update was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The fields are not a JSON object.
    #[error("stream {stream}: the record is not a JSON object: {reason}")]
    NotAnObject {
        /// The stream.
        stream: String,
        /// What the parser said.
        reason: String,
    },
}

impl LiveState {
    /// A store that keeps `history` windows per plant of windowed streams.
    pub fn new(history: usize) -> LiveState {
        LiveState {
            history: history.max(1),
            streams: RwLock::new(HashMap::new()),
        }
    }

    /// Applies one update given as JSON object members without braces, the
    /// way the graph's line sinks render records (`"plant":"north",…`).
    pub fn apply_fields(
        &self,
        stream: &str,
        time: i64,
        fields: &str,
        diff: isize,
    ) -> Result<(), ApplyError> {
        let text = format!("{{{fields}}}");
        let value: Value =
            serde_json::from_str(&text).map_err(|error| ApplyError::NotAnObject {
                stream: stream.to_string(),
                reason: error.to_string(),
            })?;
        self.apply_value(stream, time, text, value, diff)
    }

    /// Applies one update of a record given as a JSON object.
    pub fn apply(
        &self,
        stream: &str,
        time: i64,
        record: Map<String, Value>,
        diff: isize,
    ) -> Result<(), ApplyError> {
        let value = Value::Object(record);
        let text = value.to_string();
        self.apply_value(stream, time, text, value, diff)
    }

    fn apply_value(
        &self,
        stream: &str,
        time: i64,
        text: String,
        value: Value,
        diff: isize,
    ) -> Result<(), ApplyError> {
        let Value::Object(fields) = &value else {
            return Err(ApplyError::NotAnObject {
                stream: stream.to_string(),
                reason: "not an object".into(),
            });
        };
        let plant = string_field(fields, "plant").unwrap_or_default();
        let window_end = fields
            .get("window_end")
            .and_then(Value::as_i64)
            .unwrap_or(time);
        let windowed = Current::of(stream) == Current::LatestWindowPerPlant;
        let mut streams = self.streams.write().unwrap_or_else(|e| e.into_inner());
        let state = streams.entry(stream.to_string()).or_default();
        match state.records.get_mut(&text) {
            Some(entry) => {
                entry.count += diff;
                if diff > 0 {
                    entry.time = entry.time.max(time);
                }
                if entry.count <= 0 {
                    state.records.remove(&text);
                }
            }
            // A retraction of a record this store never held (or forgot
            // with its window) has nothing to undo.
            None if diff <= 0 => return Ok(()),
            None => {
                if windowed {
                    let oldest = state
                        .windows
                        .get(&plant)
                        .filter(|windows| windows.len() >= self.history)
                        .and_then(|windows| windows.first().copied());
                    if oldest.is_some_and(|oldest| window_end < oldest) {
                        // Older than every window kept: never current.
                        return Ok(());
                    }
                    state
                        .windows
                        .entry(plant.clone())
                        .or_default()
                        .insert(window_end);
                }
                state.records.insert(
                    text,
                    Entry {
                        count: diff,
                        time,
                        value: Arc::new(value),
                        plant: plant.clone(),
                        window_end,
                    },
                );
            }
        }
        if windowed {
            state.forget_beyond(&plant, self.history);
        }
        Ok(())
    }

    /// The current records of `stream` (see [`Current`]), of one plant or
    /// all, ordered by plant, window, time and content (the record's JSON
    /// text as it was applied). `windows` > 1 returns the
    /// last `windows` windows of windowed streams.
    pub fn current(&self, stream: &str, plant: Option<&str>, windows: usize) -> Vec<Arc<Value>> {
        let streams = self.streams.read().unwrap_or_else(|e| e.into_inner());
        let Some(state) = streams.get(stream) else {
            return Vec::new();
        };
        // Records are paired with their JSON text (the store's key): the
        // content that orders them, without serialising a record per
        // comparison.
        let in_plant = |(_, entry): &(&String, &Entry)| plant.is_none_or(|p| entry.plant == p);
        let mut chosen: Vec<(&String, &Entry)> = match Current::of(stream) {
            Current::LatestWindowPerPlant => {
                let mut wanted: HashMap<&str, BTreeSet<i64>> = HashMap::new();
                for (_, entry) in state.records.iter().filter(in_plant) {
                    wanted
                        .entry(&entry.plant)
                        .or_default()
                        .insert(entry.window_end);
                }
                for ends in wanted.values_mut() {
                    while ends.len() > windows.max(1) {
                        ends.pop_first();
                    }
                }
                state
                    .records
                    .iter()
                    .filter(in_plant)
                    .filter(|(_, entry)| {
                        wanted
                            .get(entry.plant.as_str())
                            .is_some_and(|ends| ends.contains(&entry.window_end))
                    })
                    .collect()
            }
            Current::LatestPerKey(field) => {
                let mut latest: HashMap<String, (&String, &Entry)> = HashMap::new();
                for (text, entry) in state.records.iter().filter(in_plant) {
                    let Value::Object(fields) = entry.value.as_ref() else {
                        continue;
                    };
                    let key = string_field(fields, field).unwrap_or_default();
                    let slot = latest.entry(key).or_insert((text, entry));
                    if (entry.time, text) > (slot.1.time, slot.0) {
                        *slot = (text, entry);
                    }
                }
                latest.into_values().collect()
            }
            Current::Collection => state.records.iter().filter(in_plant).collect(),
        };
        chosen.sort_unstable_by(|(a_text, a), (b_text, b)| {
            (&a.plant, a.window_end, a.time, a_text).cmp(&(&b.plant, b.window_end, b.time, b_text))
        });
        chosen
            .into_iter()
            .map(|(_, entry)| Arc::clone(&entry.value))
            .collect()
    }

    /// The names of the streams that hold records.
    pub fn streams(&self) -> Vec<String> {
        let streams = self.streams.read().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = streams
            .iter()
            .filter(|(_, state)| !state.records.is_empty())
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }

    /// Records held over all streams (bounded; see the module docs).
    pub fn len(&self) -> usize {
        let streams = self.streams.read().unwrap_or_else(|e| e.into_inner());
        streams.values().map(|state| state.records.len()).sum()
    }

    /// Whether no stream holds a record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl StreamState {
    /// Drops the records of `plant`'s windows beyond the newest `history`.
    fn forget_beyond(&mut self, plant: &str, history: usize) {
        let Some(windows) = self.windows.get_mut(plant) else {
            return;
        };
        let mut forgotten = Vec::new();
        while windows.len() > history {
            if let Some(oldest) = windows.pop_first() {
                forgotten.push(oldest);
            }
        }
        if !forgotten.is_empty() {
            self.records
                .retain(|_, entry| entry.plant != plant || !forgotten.contains(&entry.window_end));
        }
    }
}

fn string_field(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(plant: &str, window_end: i64, closure: f64) -> String {
        format!(r#""plant":"{plant}","window_end":{window_end},"mass_closure_pct":{closure}"#)
    }

    fn closures(live: &LiveState, plant: Option<&str>) -> Vec<f64> {
        live.current("balances", plant, 1)
            .iter()
            .filter_map(|v| v["mass_closure_pct"].as_f64())
            .collect()
    }

    #[test]
    fn the_latest_window_of_each_plant_is_current() {
        let live = LiveState::new(3);
        for (plant, end, closure) in [("a", 60, 99.0), ("a", 120, 101.0), ("b", 60, 98.0)] {
            live.apply_fields("balances", end, &balance(plant, end, closure), 1)
                .unwrap();
        }
        assert_eq!(closures(&live, None), [101.0, 98.0]);
        assert_eq!(closures(&live, Some("b")), [98.0]);
        assert_eq!(live.current("balances", Some("a"), 2).len(), 2);
    }

    #[test]
    fn a_correction_replaces_the_old_value() {
        let live = LiveState::new(3);
        live.apply_fields("balances", 60, &balance("a", 60, 99.0), 1)
            .unwrap();
        live.apply_fields("balances", 90, &balance("a", 60, 99.0), -1)
            .unwrap();
        live.apply_fields("balances", 90, &balance("a", 60, 99.5), 1)
            .unwrap();
        assert_eq!(closures(&live, None), [99.5]);
    }

    #[test]
    fn history_is_bounded_per_plant() {
        let live = LiveState::new(2);
        for end in 1..=100 {
            live.apply_fields("balances", end, &balance("a", end, 100.0), 1)
                .unwrap();
        }
        assert_eq!(live.len(), 2);
        // A retraction of a forgotten window and a late window older than
        // every kept one change nothing.
        live.apply_fields("balances", 101, &balance("a", 5, 100.0), -1)
            .unwrap();
        live.apply_fields("balances", 101, &balance("a", 6, 1.0), 1)
            .unwrap();
        assert_eq!(live.len(), 2);
        assert_eq!(closures(&live, None), [100.0]);
    }

    #[test]
    fn alerts_show_the_latest_record_per_dedup_key() {
        let live = LiveState::default();
        let alert = |kind: &str| format!(r#""plant":"a","dedup_key":"trap/a/t1","kind":"{kind}""#);
        live.apply_fields("alerts", 10, &alert("firing"), 1)
            .unwrap();
        live.apply_fields("alerts", 20, &alert("resolved"), 1)
            .unwrap();
        let current = live.current("alerts", None, 1);
        assert_eq!(current.len(), 1);
        assert_eq!(current[0]["kind"], "resolved");
    }

    #[test]
    fn a_retracted_recommendation_disappears() {
        let live = LiveState::default();
        let rec = r#""plant":"a","id":"repair t1""#;
        live.apply_fields("recommendations", 10, rec, 1).unwrap();
        assert_eq!(live.current("recommendations", None, 1).len(), 1);
        live.apply_fields("recommendations", 20, rec, -1).unwrap();
        assert!(live.current("recommendations", None, 1).is_empty());
    }

    #[test]
    fn malformed_fields_are_an_error_not_a_panic() {
        let live = LiveState::default();
        assert!(live.apply_fields("balances", 1, "not json", 1).is_err());
    }
}
