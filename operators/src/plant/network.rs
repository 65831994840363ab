//! The plant's flow network: references resolved to indices, checked to be a
//! forest fed from boilers, and ordered so that every asset comes after the
//! one that feeds it.

use std::collections::{HashMap, VecDeque};

use super::{AssetKind, Plant, PlantIssue};

/// What feeds a header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderSupply {
    /// One or more boilers (indices into `Plant::boilers`).
    Boilers(Vec<usize>),
    /// A pressure reducing valve.
    Prv(usize),
    /// A pipe segment ending at the header.
    Segment(usize),
}

/// Where a pipe segment starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentStart {
    /// At a header.
    Header(usize),
    /// At the end of another segment.
    Segment(usize),
}

/// Where a pipe segment ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentEnd {
    /// Nowhere named: other segments continue from it.
    Open,
    /// At a header it feeds.
    Header(usize),
    /// At a consumer it feeds.
    Consumer(usize),
}

/// What feeds a consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// Drawn straight from a header.
    Header(usize),
    /// The end of a pipe segment.
    Segment(usize),
}

/// Where a trap sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapSite {
    /// On a drip leg of a pipe segment.
    Segment(usize),
    /// Draining a consumer.
    Consumer(usize),
}

/// Where condensate goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discharge {
    /// To waste: lost with its heat and water.
    Drain,
    /// To a condensate return.
    Return(usize),
    /// To a flash vessel.
    FlashVessel(usize),
}

/// One step of a walk down the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// A header.
    Header(usize),
    /// A PRV (after its upstream header, before its downstream one).
    Prv(usize),
    /// A pipe segment.
    Segment(usize),
    /// A consumer.
    Consumer(usize),
}

/// The resolved network of a [`Plant`]. Indices refer to the plant's lists.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The header each boiler feeds.
    pub boiler_header: Vec<usize>,
    /// What feeds each header.
    pub header_supply: Vec<HeaderSupply>,
    /// Each PRV's upstream and downstream header.
    pub prv_headers: Vec<(usize, usize)>,
    /// Where each segment starts.
    pub segment_start: Vec<SegmentStart>,
    /// Where each segment ends.
    pub segment_end: Vec<SegmentEnd>,
    /// What feeds each consumer.
    pub consumer_feed: Vec<Feed>,
    /// Where each trap sits.
    pub trap_site: Vec<TrapSite>,
    /// Where each trap discharges.
    pub trap_discharge: Vec<Discharge>,
    /// The traps on each segment.
    pub segment_traps: Vec<Vec<usize>>,
    /// The traps draining each consumer.
    pub consumer_traps: Vec<Vec<usize>>,
    /// Where each consumer's condensate goes when it has no trap.
    pub consumer_condensate: Vec<Discharge>,
    /// The header each flash vessel feeds, if any.
    pub flash_header: Vec<Option<usize>>,
    /// Where each flash vessel's residual liquid goes (a return or drain).
    pub flash_condensate: Vec<Discharge>,
    /// What each header feeds directly: segments starting at it, PRVs from it,
    /// consumers drawing from it.
    pub header_outlets: Vec<Vec<Visit>>,
    /// What each segment feeds: segments continuing it, and its end node.
    pub segment_outlets: Vec<Vec<Visit>>,
    /// Every header, PRV, segment and consumer, each after whatever feeds it.
    /// Walk it forwards for pressures, backwards to sum flows.
    pub order: Vec<Visit>,
}

struct Resolver<'a> {
    ids: HashMap<&'a str, (AssetKind, usize)>,
    issues: Vec<PlantIssue>,
}

impl<'a> Resolver<'a> {
    fn new(plant: &'a Plant) -> Self {
        let mut ids = HashMap::new();
        for (kind, index, id) in plant.asset_ids() {
            ids.entry(id).or_insert((kind, index));
        }
        Resolver {
            ids,
            issues: Vec::new(),
        }
    }

    fn issue(&mut self, key: String, message: String) {
        self.issues.push(PlantIssue { key, message });
    }

    /// Resolves `id` to an index of one of the `accepted` kinds, or records why not.
    fn resolve(
        &mut self,
        key: String,
        id: &str,
        accepted: &[AssetKind],
    ) -> Option<(AssetKind, usize)> {
        let names = accepted
            .iter()
            .map(|kind| kind.table())
            .collect::<Vec<_>>()
            .join(" or ");
        match self.ids.get(id) {
            Some(&(kind, index)) if accepted.contains(&kind) => Some((kind, index)),
            Some(&(kind, _)) => {
                self.issue(
                    key,
                    format!(
                        "`{id}` is one of the {}, expected one of the {names}",
                        kind.table()
                    ),
                );
                None
            }
            None => {
                self.issue(
                    key,
                    format!("no asset has id `{id}` (expected one of the {names})"),
                );
                None
            }
        }
    }

    fn discharge(
        &mut self,
        key: String,
        target: Option<&str>,
        accepted: &[AssetKind],
    ) -> Discharge {
        match target.and_then(|id| self.resolve(key, id, accepted)) {
            Some((AssetKind::CondensateReturn, index)) => Discharge::Return(index),
            Some((AssetKind::FlashVessel, index)) => Discharge::FlashVessel(index),
            _ => Discharge::Drain,
        }
    }
}

const CONDENSATE_TARGETS: [AssetKind; 2] = [AssetKind::CondensateReturn, AssetKind::FlashVessel];

impl Network {
    /// Resolves and checks the plant's network.
    ///
    /// Fails with every issue found: references to unknown or wrong-kind
    /// assets, a header with no supply or more than one kind of supply, a
    /// consumer fed twice or not at all, a trap on both or neither of a
    /// segment and a consumer, and assets no boiler reaches (a cycle, or a
    /// branch fed from nothing).
    pub fn build(plant: &Plant) -> Result<Network, Vec<PlantIssue>> {
        let mut r = Resolver::new(plant);
        let boiler_header = plant
            .boilers
            .iter()
            .enumerate()
            .map(|(i, b)| {
                r.resolve(
                    format!("boilers[{i}].header"),
                    &b.header,
                    &[AssetKind::Header],
                )
                .map(|(_, h)| h)
            })
            .collect::<Vec<_>>();
        let prv_headers = plant
            .prvs
            .iter()
            .enumerate()
            .map(|(i, prv)| {
                let from = r.resolve(format!("prvs[{i}].from"), &prv.from, &[AssetKind::Header]);
                let to = r.resolve(format!("prvs[{i}].to"), &prv.to, &[AssetKind::Header]);
                match (from, to) {
                    (Some((_, f)), Some((_, t))) if f == t => {
                        r.issue(
                            format!("prvs[{i}].to"),
                            "a PRV must connect two different headers".into(),
                        );
                        None
                    }
                    (Some((_, f)), Some((_, t))) => Some((f, t)),
                    _ => None,
                }
            })
            .collect::<Vec<_>>();
        let segment_start = plant
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let key = format!("segments[{i}].from");
                if s.from == s.id {
                    r.issue(key, "a segment cannot continue itself".into());
                    return None;
                }
                r.resolve(key, &s.from, &[AssetKind::Header, AssetKind::Segment])
                    .map(|(kind, j)| match kind {
                        AssetKind::Header => SegmentStart::Header(j),
                        _ => SegmentStart::Segment(j),
                    })
            })
            .collect::<Vec<_>>();
        let segment_end = plant
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| match &s.to {
                None => SegmentEnd::Open,
                Some(to) => match r.resolve(
                    format!("segments[{i}].to"),
                    to,
                    &[AssetKind::Header, AssetKind::Consumer],
                ) {
                    Some((AssetKind::Header, h)) => SegmentEnd::Header(h),
                    Some((_, c)) => SegmentEnd::Consumer(c),
                    None => SegmentEnd::Open,
                },
            })
            .collect::<Vec<_>>();

        let header_supply =
            resolve_header_supplies(plant, &mut r, &boiler_header, &prv_headers, &segment_end);
        let consumer_feed = resolve_consumer_feeds(plant, &mut r, &segment_end);
        let (trap_site, segment_traps, consumer_traps) = resolve_trap_sites(plant, &mut r);
        let trap_discharge = plant
            .traps
            .iter()
            .enumerate()
            .map(|(i, t)| {
                r.discharge(
                    format!("traps[{i}].discharge_to"),
                    t.discharge_to.as_deref(),
                    &CONDENSATE_TARGETS,
                )
            })
            .collect();
        let consumer_condensate = plant
            .consumers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                r.discharge(
                    format!("consumers[{i}].condensate_to"),
                    c.condensate_to.as_deref(),
                    &CONDENSATE_TARGETS,
                )
            })
            .collect();
        let flash_header = plant
            .flash_vessels
            .iter()
            .enumerate()
            .map(|(i, f)| {
                f.to_header
                    .as_deref()
                    .and_then(|h| {
                        r.resolve(
                            format!("flash_vessels[{i}].to_header"),
                            h,
                            &[AssetKind::Header],
                        )
                    })
                    .map(|(_, h)| h)
            })
            .collect();
        let flash_condensate = plant
            .flash_vessels
            .iter()
            .enumerate()
            .map(|(i, f)| {
                r.discharge(
                    format!("flash_vessels[{i}].condensate_to"),
                    f.condensate_to.as_deref(),
                    &[AssetKind::CondensateReturn],
                )
            })
            .collect();

        let (
            Some(boiler_header),
            Some(prv_headers),
            Some(segment_start),
            Some(header_supply),
            Some(consumer_feed),
            Some(trap_site),
        ) = (
            boiler_header.into_iter().collect::<Option<Vec<_>>>(),
            prv_headers.into_iter().collect::<Option<Vec<_>>>(),
            segment_start.into_iter().collect::<Option<Vec<_>>>(),
            header_supply,
            consumer_feed,
            trap_site,
        )
        else {
            return Err(r.issues);
        };
        if !r.issues.is_empty() {
            return Err(r.issues);
        }
        let mut network = Network {
            boiler_header,
            header_supply,
            prv_headers,
            segment_start,
            segment_end,
            consumer_feed,
            trap_site,
            trap_discharge,
            segment_traps,
            consumer_traps,
            consumer_condensate,
            flash_header,
            flash_condensate,
            header_outlets: vec![Vec::new(); plant.headers.len()],
            segment_outlets: vec![Vec::new(); plant.segments.len()],
            order: Vec::new(),
        };
        network.link_outlets();
        network.walk(plant).map(|()| network)
    }

    fn link_outlets(&mut self) {
        for (s, start) in self.segment_start.iter().enumerate() {
            match *start {
                SegmentStart::Header(h) => push(&mut self.header_outlets, h, Visit::Segment(s)),
                SegmentStart::Segment(parent) => {
                    push(&mut self.segment_outlets, parent, Visit::Segment(s))
                }
            }
        }
        for (s, end) in self.segment_end.iter().enumerate() {
            match *end {
                SegmentEnd::Header(h) => push(&mut self.segment_outlets, s, Visit::Header(h)),
                SegmentEnd::Consumer(c) => push(&mut self.segment_outlets, s, Visit::Consumer(c)),
                SegmentEnd::Open => {}
            }
        }
        for (p, &(from, _)) in self.prv_headers.iter().enumerate() {
            push(&mut self.header_outlets, from, Visit::Prv(p));
        }
        for (c, feed) in self.consumer_feed.iter().enumerate() {
            if let Feed::Header(h) = *feed {
                push(&mut self.header_outlets, h, Visit::Consumer(c));
            }
        }
    }

    /// Breadth-first from the boiler-fed headers; whatever is not reached is
    /// part of a cycle or hangs off nothing.
    fn walk(&mut self, plant: &Plant) -> Result<(), Vec<PlantIssue>> {
        let mut queue: VecDeque<Visit> = self
            .header_supply
            .iter()
            .enumerate()
            .filter(|(_, supply)| matches!(supply, HeaderSupply::Boilers(_)))
            .map(|(h, _)| Visit::Header(h))
            .collect();
        let mut seen_headers = vec![false; plant.headers.len()];
        let mut seen_segments = vec![false; plant.segments.len()];
        let mut seen_consumers = vec![false; plant.consumers.len()];
        let mut seen_prvs = vec![false; plant.prvs.len()];
        while let Some(visit) = queue.pop_front() {
            let seen = match visit {
                Visit::Header(i) => seen_headers.get_mut(i),
                Visit::Segment(i) => seen_segments.get_mut(i),
                Visit::Consumer(i) => seen_consumers.get_mut(i),
                Visit::Prv(i) => seen_prvs.get_mut(i),
            };
            match seen {
                Some(flag) if !*flag => *flag = true,
                _ => continue,
            }
            self.order.push(visit);
            let next: &[Visit] = match visit {
                Visit::Header(h) => self.header_outlets.get(h).map_or(&[], Vec::as_slice),
                Visit::Segment(s) => self.segment_outlets.get(s).map_or(&[], Vec::as_slice),
                Visit::Prv(p) => {
                    if let Some(&(_, to)) = self.prv_headers.get(p) {
                        queue.push_back(Visit::Header(to));
                    }
                    &[]
                }
                Visit::Consumer(_) => &[],
            };
            queue.extend(next.iter().copied());
        }
        let mut issues = Vec::new();
        let unreached = |table: &str,
                         seen: &[bool],
                         ids: &dyn Fn(usize) -> String,
                         issues: &mut Vec<PlantIssue>| {
            for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
                issues.push(PlantIssue {
                    key: format!("{table}[{i}]"),
                    message: format!(
                        "`{}` is not fed from any boiler (a loop, or a branch fed from nothing)",
                        ids(i)
                    ),
                });
            }
        };
        let id =
            |list: &[&str], i: usize| list.get(i).map_or_else(String::new, |s| (*s).to_owned());
        let header_ids: Vec<&str> = plant.headers.iter().map(|h| h.id.as_str()).collect();
        let segment_ids: Vec<&str> = plant.segments.iter().map(|s| s.id.as_str()).collect();
        let consumer_ids: Vec<&str> = plant.consumers.iter().map(|c| c.id.as_str()).collect();
        let prv_ids: Vec<&str> = plant.prvs.iter().map(|p| p.id.as_str()).collect();
        unreached(
            "headers",
            &seen_headers,
            &|i| id(&header_ids, i),
            &mut issues,
        );
        unreached("prvs", &seen_prvs, &|i| id(&prv_ids, i), &mut issues);
        unreached(
            "segments",
            &seen_segments,
            &|i| id(&segment_ids, i),
            &mut issues,
        );
        unreached(
            "consumers",
            &seen_consumers,
            &|i| id(&consumer_ids, i),
            &mut issues,
        );
        if issues.is_empty() {
            Ok(())
        } else {
            Err(issues)
        }
    }
}

fn push(lists: &mut [Vec<Visit>], index: usize, visit: Visit) {
    if let Some(list) = lists.get_mut(index) {
        list.push(visit);
    }
}

fn resolve_header_supplies(
    plant: &Plant,
    r: &mut Resolver<'_>,
    boiler_header: &[Option<usize>],
    prv_headers: &[Option<(usize, usize)>],
    segment_end: &[SegmentEnd],
) -> Option<Vec<HeaderSupply>> {
    let mut supplies = Vec::with_capacity(plant.headers.len());
    let mut complete = true;
    for (h, header) in plant.headers.iter().enumerate() {
        let boilers: Vec<usize> = boiler_header
            .iter()
            .enumerate()
            .filter(|(_, bh)| **bh == Some(h))
            .map(|(b, _)| b)
            .collect();
        let prvs: Vec<usize> = prv_headers
            .iter()
            .enumerate()
            .filter(|(_, ph)| matches!(ph, Some((_, to)) if *to == h))
            .map(|(p, _)| p)
            .collect();
        let segments: Vec<usize> = segment_end
            .iter()
            .enumerate()
            .filter(|(_, end)| **end == SegmentEnd::Header(h))
            .map(|(s, _)| s)
            .collect();
        let key = format!("headers[{h}]");
        match (boilers.is_empty(), prvs.as_slice(), segments.as_slice()) {
            (false, [], []) => supplies.push(HeaderSupply::Boilers(boilers)),
            (true, [p], []) => supplies.push(HeaderSupply::Prv(*p)),
            (true, [], [s]) => supplies.push(HeaderSupply::Segment(*s)),
            (true, [], []) => {
                complete = false;
                r.issue(
                    key,
                    format!(
                        "header `{}` has no supply: no boiler, PRV or segment feeds it",
                        header.id
                    ),
                );
            }
            _ => {
                complete = false;
                let mut feeders: Vec<String> = boilers
                    .iter()
                    .filter_map(|&b| plant.boilers.get(b).map(|x| format!("boiler `{}`", x.id)))
                    .collect();
                feeders.extend(
                    prvs.iter()
                        .filter_map(|&p| plant.prvs.get(p).map(|x| format!("PRV `{}`", x.id))),
                );
                feeders.extend(
                    segments.iter().filter_map(|&s| {
                        plant.segments.get(s).map(|x| format!("segment `{}`", x.id))
                    }),
                );
                r.issue(
                    key,
                    format!(
                        "header `{}` is fed by {}: a header takes boilers, or one PRV, or one segment",
                        header.id,
                        feeders.join(" and ")
                    ),
                );
            }
        }
    }
    complete.then_some(supplies)
}

fn resolve_consumer_feeds(
    plant: &Plant,
    r: &mut Resolver<'_>,
    segment_end: &[SegmentEnd],
) -> Option<Vec<Feed>> {
    let mut feeds = Vec::with_capacity(plant.consumers.len());
    let mut complete = true;
    for (c, consumer) in plant.consumers.iter().enumerate() {
        let header = consumer
            .header
            .as_deref()
            .and_then(|h| r.resolve(format!("consumers[{c}].header"), h, &[AssetKind::Header]))
            .map(|(_, h)| h);
        let segments: Vec<usize> = segment_end
            .iter()
            .enumerate()
            .filter(|(_, end)| **end == SegmentEnd::Consumer(c))
            .map(|(s, _)| s)
            .collect();
        match (header, segments.as_slice(), consumer.header.is_some()) {
            (Some(h), [], _) => feeds.push(Feed::Header(h)),
            (None, [s], false) => feeds.push(Feed::Segment(*s)),
            (None, _, true) => complete = false, // the unknown header is already reported
            (None, [], false) => {
                complete = false;
                r.issue(
                    format!("consumers[{c}]"),
                    format!(
                        "consumer `{}` is fed by nothing: set `header`, or end a segment at it",
                        consumer.id
                    ),
                );
            }
            _ => {
                complete = false;
                r.issue(
                    format!("consumers[{c}]"),
                    format!(
                        "consumer `{}` is fed more than once (a header and/or several segments)",
                        consumer.id
                    ),
                );
            }
        }
    }
    complete.then_some(feeds)
}

type TrapSites = (Option<Vec<TrapSite>>, Vec<Vec<usize>>, Vec<Vec<usize>>);

fn resolve_trap_sites(plant: &Plant, r: &mut Resolver<'_>) -> TrapSites {
    let mut sites = Vec::with_capacity(plant.traps.len());
    let mut segment_traps = vec![Vec::new(); plant.segments.len()];
    let mut consumer_traps = vec![Vec::new(); plant.consumers.len()];
    let mut complete = true;
    for (t, trap) in plant.traps.iter().enumerate() {
        let site = match (&trap.segment, &trap.consumer) {
            (Some(s), None) => r
                .resolve(format!("traps[{t}].segment"), s, &[AssetKind::Segment])
                .map(|(_, s)| TrapSite::Segment(s)),
            (None, Some(c)) => r
                .resolve(format!("traps[{t}].consumer"), c, &[AssetKind::Consumer])
                .map(|(_, c)| TrapSite::Consumer(c)),
            _ => {
                r.issue(
                    format!("traps[{t}]"),
                    format!(
                        "trap `{}` needs exactly one of `segment` or `consumer`",
                        trap.id
                    ),
                );
                None
            }
        };
        match site {
            Some(TrapSite::Segment(s)) => {
                push_index(&mut segment_traps, s, t);
                sites.push(TrapSite::Segment(s));
            }
            Some(TrapSite::Consumer(c)) => {
                push_index(&mut consumer_traps, c, t);
                sites.push(TrapSite::Consumer(c));
            }
            None => complete = false,
        }
    }
    (complete.then_some(sites), segment_traps, consumer_traps)
}

fn push_index(lists: &mut [Vec<usize>], index: usize, value: usize) {
    if let Some(list) = lists.get_mut(index) {
        list.push(value);
    }
}
