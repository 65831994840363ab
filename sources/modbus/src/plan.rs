//! Request coalescing: which read requests fetch a device's tags.
//!
//! Tags of the same unit id and table are sorted by address and read
//! together while the next one starts at most `max_gap` addresses after
//! the end of the request so far and the request stays within the limit
//! per request. A tag wider than the limit (a float64 with a limit below 4)
//! is read alone, whole: a value is never split over two requests.
//!
//! When a device refuses a request of several tags with an address
//! exception, [`bisect`] splits it into two requests of half the tags
//! each, recursively, until the refused tags stand alone: the good tags
//! stay coalesced and a bad one costs about 2·log₂(n) extra requests, once.

use crate::config::RegisterType;

/// Where one tag lies on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The unit id of its requests.
    pub unit_id: u8,
    /// Its table.
    pub kind: RegisterType,
    /// First wire address.
    pub start: u16,
    /// Registers (or bits) it spans.
    pub width: u16,
}

impl Slot {
    /// One past the last address (as u32: 65535 + 1 does not fit in u16).
    pub fn end(&self) -> u32 {
        u32::from(self.start) + u32::from(self.width)
    }
}

/// One read request and the tags it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub unit_id: u8,
    pub kind: RegisterType,
    /// First wire address.
    pub start: u16,
    /// Registers (or bits) requested.
    pub count: u16,
    /// Indices of the tags (into the slots the plan was made from), by address.
    pub tags: Vec<usize>,
}

impl Block {
    /// The request covering `tags` (indices into `slots`, sorted by address,
    /// of one unit and table); `None` for no tags.
    fn covering(tags: Vec<usize>, slots: &[Slot]) -> Option<Block> {
        let first = slots.get(*tags.first()?)?;
        let mut start = u32::from(first.start);
        let mut end = first.end();
        for slot in tags.iter().filter_map(|&t| slots.get(t)) {
            start = start.min(u32::from(slot.start));
            end = end.max(slot.end());
        }
        Some(Block {
            unit_id: first.unit_id,
            kind: first.kind,
            start: u16::try_from(start).ok()?,
            count: u16::try_from(end - start).ok()?,
            tags,
        })
    }

    /// Address offset of a slot within this block's answer.
    pub fn offset_of(&self, slot: &Slot) -> usize {
        usize::from(slot.start.saturating_sub(self.start))
    }
}

/// Limits of one device's requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_registers: u16,
    pub max_coils: u16,
    pub max_gap: u16,
}

impl Limits {
    fn max(&self, kind: RegisterType) -> u32 {
        u32::from(if kind.is_bits() {
            self.max_coils
        } else {
            self.max_registers
        })
        .max(1)
    }
}

/// The requests that read every slot, coalesced (see the module docs), in
/// the order unit id, table, address.
pub fn plan(slots: &[Slot], limits: Limits) -> Vec<Block> {
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| slots.get(i).map(|s| (s.unit_id, s.kind, s.start, s.width)));
    let mut blocks = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut span: Option<(Slot, u32, u32)> = None; // (first slot, start, end)
    for index in order {
        let Some(slot) = slots.get(index).copied() else {
            continue;
        };
        let joins = span.is_some_and(|(first, start, end)| {
            first.unit_id == slot.unit_id
                && first.kind == slot.kind
                && u32::from(slot.start) <= end + u32::from(limits.max_gap)
                && end.max(slot.end()) - start <= limits.max(slot.kind)
        });
        if joins {
            if let Some((_, _, end)) = span.as_mut() {
                *end = (*end).max(slot.end());
            }
        } else {
            blocks.extend(Block::covering(std::mem::take(&mut current), slots));
            span = Some((slot, u32::from(slot.start), slot.end()));
        }
        current.push(index);
    }
    blocks.extend(Block::covering(current, slots));
    blocks
}

/// The two halves of a block of several tags (by tag, in address order);
/// `None` for a block of one tag.
pub fn bisect(block: &Block, slots: &[Slot]) -> Option<(Block, Block)> {
    if block.tags.len() < 2 {
        return None;
    }
    let mid = block.tags.len() / 2;
    let (low, high) = block.tags.split_at(mid);
    Some((
        Block::covering(low.to_vec(), slots)?,
        Block::covering(high.to_vec(), slots)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegisterType::*;

    fn slot(unit_id: u8, kind: RegisterType, start: u16, width: u16) -> Slot {
        Slot {
            unit_id,
            kind,
            start,
            width,
        }
    }

    const LIMITS: Limits = Limits {
        max_registers: 125,
        max_coils: 2000,
        max_gap: 0,
    };

    fn ranges(blocks: &[Block]) -> Vec<(u8, RegisterType, u16, u16)> {
        blocks
            .iter()
            .map(|b| (b.unit_id, b.kind, b.start, b.count))
            .collect()
    }

    #[test]
    fn adjacent_tags_share_one_request() {
        let slots: Vec<Slot> = (0..10).map(|i| slot(1, Holding, 100 + 2 * i, 2)).collect();
        let blocks = plan(&slots, LIMITS);
        assert_eq!(ranges(&blocks), vec![(1, Holding, 100, 20)]);
        assert_eq!(blocks[0].tags, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn holes_split_requests_unless_max_gap_bridges_them() {
        let slots = vec![
            slot(1, Input, 0, 1),
            slot(1, Input, 1, 2),
            slot(1, Input, 6, 1),
        ];
        assert_eq!(
            ranges(&plan(&slots, LIMITS)),
            vec![(1, Input, 0, 3), (1, Input, 6, 1)]
        );
        let bridge = Limits {
            max_gap: 3,
            ..LIMITS
        };
        assert_eq!(ranges(&plan(&slots, bridge)), vec![(1, Input, 0, 7)]);
        let short = Limits {
            max_gap: 2,
            ..LIMITS
        };
        assert_eq!(ranges(&plan(&slots, short)).len(), 2);
    }

    #[test]
    fn units_and_tables_never_mix() {
        let slots = vec![
            slot(2, Holding, 0, 1),
            slot(1, Holding, 1, 1),
            slot(1, Input, 2, 1),
            slot(1, Holding, 0, 1),
            slot(1, Coil, 3, 1),
            slot(1, DiscreteInput, 4, 1),
        ];
        assert_eq!(
            ranges(&plan(&slots, LIMITS)),
            vec![
                (1, Holding, 0, 2),
                (1, Input, 2, 1),
                (1, Coil, 3, 1),
                (1, DiscreteInput, 4, 1),
                (2, Holding, 0, 1)
            ]
        );
    }

    #[test]
    fn requests_respect_the_caps() {
        // 300 adjacent registers in float32 pairs: 125 is odd, so 62 pairs (124) per request.
        let slots: Vec<Slot> = (0..150).map(|i| slot(1, Holding, 2 * i, 2)).collect();
        let blocks = plan(&slots, LIMITS);
        assert_eq!(
            ranges(&blocks),
            vec![
                (1, Holding, 0, 124),
                (1, Holding, 124, 124),
                (1, Holding, 248, 52)
            ]
        );
        let coils: Vec<Slot> = (0..5000).map(|i| slot(1, Coil, i, 1)).collect();
        let counts: Vec<u16> = plan(&coils, LIMITS).iter().map(|b| b.count).collect();
        assert_eq!(counts, vec![2000, 2000, 1000]);
        let small = Limits {
            max_registers: 3,
            ..LIMITS
        };
        let wide = vec![slot(1, Holding, 0, 4), slot(1, Holding, 4, 1)];
        assert_eq!(
            ranges(&plan(&wide, small)),
            vec![(1, Holding, 0, 4), (1, Holding, 4, 1)]
        );
    }

    #[test]
    fn overlapping_tags_share_registers() {
        let slots = vec![slot(1, Holding, 10, 2), slot(1, Holding, 10, 1)];
        let blocks = plan(&slots, LIMITS);
        assert_eq!(ranges(&blocks), vec![(1, Holding, 10, 2)]);
        assert_eq!(blocks[0].tags, vec![1, 0]);
    }

    #[test]
    fn the_last_address_does_not_overflow() {
        let slots = vec![slot(1, Holding, 65_532, 4), slot(1, Holding, 65_535, 1)];
        assert_eq!(ranges(&plan(&slots, LIMITS)), vec![(1, Holding, 65_532, 4)]);
    }

    #[test]
    fn bisect_halves_by_tag_until_one_remains() {
        let slots: Vec<Slot> = (0..5).map(|i| slot(1, Holding, 2 * i, 2)).collect();
        let blocks = plan(&slots, LIMITS);
        let Some((low, high)) = bisect(&blocks[0], &slots) else {
            panic!("five tags split");
        };
        assert_eq!((low.start, low.count, low.tags), (0, 4, vec![0, 1]));
        assert_eq!(
            (high.start, high.count, high.tags.clone()),
            (4, 6, vec![2, 3, 4])
        );
        let Some((a, b)) = bisect(&high, &slots) else {
            panic!("three tags split");
        };
        assert_eq!((a.tags, b.tags.clone()), (vec![2], vec![3, 4]));
        assert!(bisect(&Block { tags: vec![2], ..b }, &slots).is_none());
    }

    #[test]
    fn an_empty_map_plans_nothing() {
        assert!(plan(&[], LIMITS).is_empty());
    }
}
