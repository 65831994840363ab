//! Pacing a replay by event time at a real-time factor.
//!
//! The first reading fixes the origin: event time `t0` at wall instant `w0`.
//! A reading of event time `t` is due at `w0 + (t − t0) / factor`. Batches are
//! cut so that one spans at most [`SLOT_WALL`] of wall time, and each is
//! released when its latest reading is due: no reading leaves early, none
//! more than a slot late. The clock is the largest event time seen so far,
//! so a late (out-of-order) reading is released at once, not waited for.

use std::time::{Duration, Instant};

/// The wall time one batch may span when paced: short enough that a
/// real-time replay looks continuous, long enough not to sleep per reading.
const SLOT_WALL: Duration = Duration::from_millis(10);

pub(crate) struct Pacer {
    factor: f64,
    /// Event time per slot, in ms.
    slot_ms: i64,
    origin: Option<(i64, Instant)>,
    /// The largest event time seen.
    clock_ms: i64,
    /// The last event time the current batch may hold.
    slot_end_ms: Option<i64>,
}

impl Pacer {
    /// A pacer for a factor already checked to be finite and positive.
    pub(crate) fn new(factor: f64) -> Self {
        let slot_ms = (factor * SLOT_WALL.as_secs_f64() * 1000.0).clamp(1.0, 1.0e15) as i64;
        Self {
            factor,
            slot_ms,
            origin: None,
            clock_ms: i64::MIN,
            slot_end_ms: None,
        }
    }

    /// Whether a reading at `time_ms` belongs in the current batch; if so it
    /// is counted. A reading refused here starts the next batch.
    pub(crate) fn admit(&mut self, time_ms: i64) -> bool {
        match self.slot_end_ms {
            Some(end) if time_ms > end => false,
            Some(_) => {
                self.observe(time_ms);
                true
            }
            None => {
                self.observe(time_ms);
                self.slot_end_ms = Some(self.clock_ms.saturating_add(self.slot_ms));
                true
            }
        }
    }

    fn observe(&mut self, time_ms: i64) {
        if self.origin.is_none() {
            self.origin = Some((time_ms, Instant::now()));
        }
        self.clock_ms = self.clock_ms.max(time_ms);
    }

    /// Sleeps until the batch's latest reading is due; starts a new slot.
    pub(crate) fn wait(&mut self) {
        self.slot_end_ms = None;
        if let Some(due) = self.due() {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
    }

    /// The wall instant the clock's event time is due, if it can be told.
    fn due(&self) -> Option<Instant> {
        let (t0, w0) = self.origin?;
        let event_ms = self.clock_ms.checked_sub(t0)? as f64;
        let wall = Duration::try_from_secs_f64(event_ms / 1000.0 / self.factor).ok()?;
        w0.checked_add(wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_holds_the_event_time_of_ten_wall_milliseconds() {
        let mut pacer = Pacer::new(100.0); // 1 s of events per 10 ms
        assert!(pacer.admit(0));
        assert!(pacer.admit(1000));
        assert!(!pacer.admit(1001));
        // Late readings belong to any slot.
        assert!(pacer.admit(-5_000));
        pacer.wait();
        assert!(pacer.admit(1001));
        assert!(pacer.admit(2001));
        assert!(!pacer.admit(2002));
    }

    #[test]
    fn absurd_times_neither_panic_nor_sleep_forever() {
        let mut pacer = Pacer::new(1.0e300);
        assert!(pacer.admit(i64::MIN));
        assert!(!pacer.admit(i64::MAX), "beyond the slot");
        pacer.wait();
        assert!(pacer.admit(i64::MAX));
        pacer.wait();
        let mut pacer = Pacer::new(1.0e-300);
        assert!(pacer.admit(0));
        pacer.wait();
        assert!(pacer.admit(1));
        assert!(
            pacer.due().is_none(),
            "an overflowing due time is not waited for"
        );
    }
}
