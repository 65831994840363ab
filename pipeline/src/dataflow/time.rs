//! Event time as timely time, and the window shapes built on it.
//!
//! # The timestamp
//!
//! Timely time in steamflow's dataflow is **event time in milliseconds since
//! the Unix epoch, quantised down to the tick** ([`Time`], [`Ticks`]). The
//! tick defaults to the base window (one minute), so every reading of one
//! base window travels under one timestamp: each window is reduced once
//! when the frontier passes it, not once per reading. A reading that arrives
//! after the watermark passed its window (but inside the allowed lateness)
//! is stamped with the watermark's tick instead of its own: it cannot go back
//! in time, so its window is retracted and re-asserted at the later time, and
//! the record keeps its own event time for window assignment.
//!
//! A frontier `F` therefore reads "no reading of a tick before `F` will
//! arrive on time any more": it is the watermark.

use serde::{Deserialize, Serialize};

/// Timely time: event time in ms since the Unix epoch, quantised to the tick.
pub type Time = u64;

/// Quantises event times to ticks.
///
/// ```
/// use steamflow::dataflow::Ticks;
///
/// let ticks = Ticks::new(60_000);
/// assert_eq!(ticks.floor(125_000), 120_000);
/// assert_eq!(ticks.floor(120_000), 120_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticks {
    tick_ms: u64,
}

impl Ticks {
    /// Ticks of `tick_ms` milliseconds (at least 1).
    pub fn new(tick_ms: u64) -> Self {
        Ticks {
            tick_ms: tick_ms.max(1),
        }
    }

    /// The tick length in ms.
    pub fn tick_ms(self) -> u64 {
        self.tick_ms
    }

    /// The start of the tick holding `time_ms`.
    #[inline]
    pub fn floor(self, time_ms: u64) -> Time {
        time_ms - time_ms % self.tick_ms
    }
}

impl Default for Ticks {
    /// One-minute ticks: the base window.
    fn default() -> Self {
        Ticks::new(60_000)
    }
}

/// The shape of a family of event-time windows: windows of `size_ms` that
/// start every `slide_ms`, aligned to the Unix epoch.
///
/// Tumbling windows have `slide == size`; hopping windows a slide shorter
/// than the size (a reading falls in `size / slide` of them); sliding windows
/// are hopping windows that advance by the base window, so a window ends at
/// every base-window boundary ([`WindowSpec::sliding`]).
///
/// ```
/// use steamflow::dataflow::WindowSpec;
///
/// let hop = WindowSpec::hopping(300_000, 60_000).unwrap();
/// let starts: Vec<u64> = hop.starts_containing(610_000).collect();
/// assert_eq!(starts, vec![360_000, 420_000, 480_000, 540_000, 600_000]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WindowSpec {
    /// Window length [ms].
    pub size_ms: u32,
    /// Distance between window starts [ms].
    pub slide_ms: u32,
}

/// Why a window shape is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowSpecError {
    /// Size or slide is zero or over 49 days (`u32` ms).
    #[error(
        "window size and slide must be between 1 ms and 49 days, got size {size_ms} ms, slide {slide_ms} ms"
    )]
    OutOfRange {
        /// The size asked for.
        size_ms: u64,
        /// The slide asked for.
        slide_ms: u64,
    },
    /// The slide is longer than the window: readings between windows would be lost.
    #[error("a window of {size_ms} ms sliding by {slide_ms} ms leaves gaps")]
    Gaps {
        /// The size asked for.
        size_ms: u64,
        /// The slide asked for.
        slide_ms: u64,
    },
    /// A rollup must tile its source windows exactly.
    #[error(
        "{target} cannot be rolled up from {from}: its size and slide must be multiples of the size of {from}, and {from} tumbling"
    )]
    NotTiled {
        /// The rollup asked for.
        target: WindowSpec,
        /// The windows it would be built from.
        from: WindowSpec,
    },
}

impl WindowSpec {
    /// Windows of `size_ms` starting every `slide_ms` (`0 < slide ≤ size`).
    pub fn hopping(size_ms: u64, slide_ms: u64) -> Result<Self, WindowSpecError> {
        let (size, slide) = match (u32::try_from(size_ms), u32::try_from(slide_ms)) {
            (Ok(size), Ok(slide)) if size > 0 && slide > 0 => (size, slide),
            _ => return Err(WindowSpecError::OutOfRange { size_ms, slide_ms }),
        };
        if slide > size {
            return Err(WindowSpecError::Gaps { size_ms, slide_ms });
        }
        Ok(WindowSpec {
            size_ms: size,
            slide_ms: slide,
        })
    }

    /// Back-to-back windows of `size_ms`.
    pub fn tumbling(size_ms: u64) -> Result<Self, WindowSpecError> {
        WindowSpec::hopping(size_ms, size_ms)
    }

    /// Windows of `size_ms` ending at every `base_ms` boundary.
    pub fn sliding(size_ms: u64, base_ms: u64) -> Result<Self, WindowSpecError> {
        WindowSpec::hopping(size_ms, base_ms)
    }

    /// Size and slide in ms; a zero (only a struct literal can make one)
    /// reads as 1 ms rather than dividing by zero.
    fn size_and_slide(self) -> (u64, u64) {
        (
            u64::from(self.size_ms.max(1)),
            u64::from(self.slide_ms.max(1)),
        )
    }

    /// True when windows do not overlap.
    pub fn is_tumbling(self) -> bool {
        self.size_ms == self.slide_ms
    }

    /// The starts of every window holding the instant `time_ms`, ascending:
    /// `start ≤ time < start + size`, `start` a multiple of the slide.
    pub fn starts_containing(self, time_ms: u64) -> impl Iterator<Item = u64> {
        let (size, slide) = self.size_and_slide();
        let last = time_ms - time_ms % slide;
        // The earliest start s with s + size > time, i.e. s ≥ time + 1 − size.
        let first = time_ms
            .saturating_add(1)
            .saturating_sub(size)
            .div_ceil(slide)
            * slide;
        (first..=last).step_by(slide as usize)
    }

    /// The starts of every window of `self` that wholly contains the window
    /// `[start, start + source.size)` of a tiling `source`.
    pub fn starts_covering(self, source: WindowSpec, start: u64) -> impl Iterator<Item = u64> {
        let (size, slide) = self.size_and_slide();
        let end = start.saturating_add(u64::from(source.size_ms));
        let last = start - start % slide;
        let first = end.saturating_sub(size).div_ceil(slide) * slide;
        (first..=last).step_by(slide as usize)
    }

    /// Checks that windows of `self` are unions of whole windows of a tumbling `source`.
    pub fn tiles_from(self, source: WindowSpec) -> Result<(), WindowSpecError> {
        let tiled = source.is_tumbling()
            && self.size_ms.is_multiple_of(source.size_ms)
            && self.slide_ms.is_multiple_of(source.size_ms);
        if tiled {
            Ok(())
        } else {
            Err(WindowSpecError::NotTiled {
                target: self,
                from: source,
            })
        }
    }

    /// A short label: `1m`, `5m`, `1h`, or `5m/1m` for hopping windows.
    pub fn label(self) -> String {
        if self.is_tumbling() {
            duration_label(self.size_ms)
        } else {
            format!(
                "{}/{}",
                duration_label(self.size_ms),
                duration_label(self.slide_ms)
            )
        }
    }
}

impl std::fmt::Display for WindowSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

fn duration_label(ms: u32) -> String {
    const UNITS: [(u32, &str); 4] = [(3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")];
    UNITS
        .iter()
        .find(|(unit, _)| ms.is_multiple_of(*unit))
        .map_or_else(
            || format!("{ms}ms"),
            |(unit, name)| format!("{}{name}", ms / unit),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumbling_windows_hold_each_instant_once() {
        let minute = WindowSpec::tumbling(60_000).unwrap();
        for t in [0, 1, 59_999, 60_000, 1_735_689_659_999] {
            let starts: Vec<u64> = minute.starts_containing(t).collect();
            assert_eq!(starts, vec![t - t % 60_000], "{t}");
        }
    }

    #[test]
    fn hopping_windows_hold_each_instant_size_over_slide_times() {
        let hop = WindowSpec::hopping(300_000, 60_000).unwrap();
        for t in [300_000_u64, 359_999, 1_000_000, 1_735_689_659_999] {
            let starts: Vec<u64> = hop.starts_containing(t).collect();
            assert_eq!(starts.len(), 5, "{t}");
            assert!(starts.iter().all(|s| *s <= t && t < s + 300_000));
        }
        // Near the epoch fewer windows exist.
        assert_eq!(hop.starts_containing(0).collect::<Vec<_>>(), vec![0]);
    }

    #[test]
    fn rollups_cover_whole_source_windows() {
        let base = WindowSpec::tumbling(60_000).unwrap();
        let five = WindowSpec::tumbling(300_000).unwrap();
        let hop = WindowSpec::hopping(300_000, 120_000).unwrap();
        assert_eq!(
            five.starts_covering(base, 840_000).collect::<Vec<_>>(),
            vec![600_000]
        );
        for start in hop.starts_covering(base, 840_000) {
            assert!(start <= 840_000 && 900_000 <= start + 300_000);
        }
        assert_eq!(
            hop.starts_covering(base, 840_000).collect::<Vec<_>>(),
            vec![600_000, 720_000, 840_000]
        );
        assert!(five.tiles_from(base).is_ok());
        assert!(base.tiles_from(five).is_err());
        assert!(
            WindowSpec::tumbling(90_000)
                .unwrap()
                .tiles_from(base)
                .is_err()
        );
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert!(WindowSpec::tumbling(0).is_err());
        assert!(WindowSpec::hopping(60_000, 120_000).is_err());
        assert!(WindowSpec::tumbling(u64::from(u32::MAX) + 1).is_err());
    }

    #[test]
    fn labels_read_like_durations() {
        assert_eq!(WindowSpec::tumbling(60_000).unwrap().label(), "1m");
        assert_eq!(WindowSpec::tumbling(3_600_000).unwrap().label(), "1h");
        assert_eq!(
            WindowSpec::hopping(300_000, 60_000).unwrap().label(),
            "5m/1m"
        );
        assert_eq!(WindowSpec::tumbling(1500).unwrap().label(), "1500ms");
    }
}
