//! Key names across processes.
//!
//! Keys are hashes, so every process computes the same key for the same
//! names; but a sink that writes names needs them in the process it runs
//! in, and a key may first be seen by a source in another process. Each
//! [`Ingest`](super::Ingest) therefore announces the keys its process
//! registered first ([`KeyName`]), stamped no later than the key's first
//! reading; [`LearnNames`] broadcasts the announcements and records them in
//! every process's registry. A sink that renders names waits until the
//! learned stream has passed a time before writing that time, so every
//! name it needs is there.

use std::sync::Arc;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::StreamVec;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::vec::Broadcast;

use super::key::{KeyEntry, KeyName, KeyRegistry};
use super::time::Time;

/// Records announced key names in the local registry.
pub trait LearnNames<'scope> {
    /// Broadcasts the announcements to every worker and records them in
    /// `registry`. The returned stream carries no data: its frontier says
    /// which times' names are known.
    ///
    /// ```
    /// use steamflow::dataflow::{KeyName, KeyRegistry, LearnNames, TagKey};
    /// use timely::dataflow::operators::ToStream;
    ///
    /// let registry = KeyRegistry::new();
    /// let learned = registry.clone();
    /// let key = TagKey::of("north", "flow");
    /// timely::example(move |scope| {
    ///     let name = KeyName { key, plant: "north".into(), tag: "flow".into(), route: key };
    ///     vec![name].to_stream(scope).learn_names(learned);
    /// });
    /// assert_eq!(registry.lookup(key).unwrap().tag.as_str(), "flow");
    /// ```
    fn learn_names(self, registry: Arc<KeyRegistry>) -> StreamVec<'scope, Time, KeyName>;
}

impl<'scope> LearnNames<'scope> for StreamVec<'scope, Time, KeyName> {
    fn learn_names(self, registry: Arc<KeyRegistry>) -> StreamVec<'scope, Time, KeyName> {
        self.broadcast()
            .unary::<CapacityContainerBuilder<Vec<KeyName>>, _, _, _>(
                Pipeline,
                "LearnNames",
                move |_capability, _info| {
                    move |input, _output| {
                        input.for_each_stamp(|_capability, data| {
                            for batch in data {
                                for name in batch.drain(..) {
                                    let entry = KeyEntry {
                                        plant: name.plant.as_str().into(),
                                        tag: name.tag.as_str().into(),
                                        route: name.route,
                                    };
                                    registry.learn(name.key, entry);
                                }
                            }
                        });
                    }
                },
            )
    }
}
