//! `[windows.<id>]`: event-time windows.
//!
//! - `tumbling`: back-to-back windows of `size_secs`.
//! - `hopping`: windows of `size_secs` starting every `slide_secs` (≤ size),
//!   so each reading falls in size/slide windows.
//! - `sliding`: a window of `size_secs` ending at each reading (moving
//!   averages and rates of change); it has no slide.
//!
//! Each window waits `out_of_orderness_secs` behind the newest event time
//! seen (the watermark) before it closes, then accepts updates for
//! `allowed_lateness_secs` more; later readings go to the dead-letter stream.
//! A window with `rollup_of` is computed from the closed windows of another
//! tumbling window whose size divides its own.
//!
//! Without a `[windows]` section the defaults apply: a 1-minute tumbling
//! base window with 5-minute, 15-minute and 1-hour rollups.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::Checker;
use super::diagnostic::KeyPath;

/// How windows are laid on event time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// Back-to-back, non-overlapping.
    Tumbling,
    /// Overlapping, one starting every slide.
    Hopping,
    /// A trailing window ending at each reading.
    Sliding,
}

/// One window definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowConfig {
    /// How windows are laid out.
    pub kind: WindowKind,
    /// Length of a window [s].
    pub size_secs: u64,
    /// Start-to-start distance of hopping windows [s].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slide_secs: Option<u64>,
    /// How far behind the newest event time the watermark trails [s].
    #[serde(default = "default_out_of_orderness")]
    pub out_of_orderness_secs: u64,
    /// How long after the watermark passes a window late readings still update it [s].
    #[serde(default)]
    pub allowed_lateness_secs: u64,
    /// The tumbling window this one is rolled up from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup_of: Option<String>,
}

fn default_out_of_orderness() -> u64 {
    10
}

impl WindowConfig {
    fn tumbling(size_secs: u64, rollup_of: Option<&str>) -> Self {
        WindowConfig {
            kind: WindowKind::Tumbling,
            size_secs,
            slide_secs: None,
            out_of_orderness_secs: default_out_of_orderness(),
            allowed_lateness_secs: 300,
            rollup_of: rollup_of.map(str::to_owned),
        }
    }
}

/// The windows used when the config has no `[windows]` section.
pub fn default_windows() -> IndexMap<String, WindowConfig> {
    [
        ("1m", WindowConfig::tumbling(60, None)),
        ("5m", WindowConfig::tumbling(300, Some("1m"))),
        ("15m", WindowConfig::tumbling(900, Some("5m"))),
        ("1h", WindowConfig::tumbling(3600, Some("15m"))),
    ]
    .into_iter()
    .map(|(id, w)| (id.to_owned(), w))
    .collect()
}

impl Checker<'_> {
    pub(crate) fn check_window(&mut self, id: &str, window: &WindowConfig) {
        let path = KeyPath::root().key("windows").key(id);
        if window.size_secs == 0 {
            self.issue(path.key("size_secs"), "must be greater than 0");
        }
        match (window.kind, window.slide_secs) {
            (WindowKind::Hopping, None) => self.issue(path.key("slide_secs"), "a hopping window needs `slide_secs`"),
            (WindowKind::Hopping, Some(0)) => self.issue(path.key("slide_secs"), "must be greater than 0"),
            (WindowKind::Hopping, Some(slide)) if slide > window.size_secs => self.issue(
                path.key("slide_secs"),
                format!("slide {slide} s is longer than the window ({} s): readings would fall between windows", window.size_secs),
            ),
            (WindowKind::Tumbling | WindowKind::Sliding, Some(_)) => self.issue(
                path.key("slide_secs"),
                "only hopping windows have a slide (tumbling: slide = size; sliding: one window per reading)",
            ),
            _ => {}
        }
        if let Some(source) = &window.rollup_of {
            self.check_rollup(&path, window, source);
        }
    }

    fn check_rollup(&mut self, path: &KeyPath, window: &WindowConfig, source: &str) {
        let key = path.key("rollup_of");
        if window.kind != WindowKind::Tumbling {
            self.issue(key.clone(), "only tumbling windows can be rolled up");
        }
        let windows = &self.config.windows;
        let Some(base) = windows.get(source) else {
            if !self.present.windows.contains(source) {
                self.issue(key, format!("no window `{source}`"));
            }
            return;
        };
        if base.kind != WindowKind::Tumbling {
            self.issue(
                key,
                format!(
                    "`{source}` is not tumbling: its overlapping windows would be counted twice"
                ),
            );
        } else if base.size_secs == 0
            || !window.size_secs.is_multiple_of(base.size_secs)
            || window.size_secs == base.size_secs
        {
            self.issue(
                key,
                format!(
                    "size {} s is not a multiple (> 1) of `{source}`'s {} s",
                    window.size_secs, base.size_secs
                ),
            );
        }
        // Each rollup is a strict multiple of its base, so rollups cannot form a loop.
    }
}
