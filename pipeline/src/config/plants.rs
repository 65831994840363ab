//! `[plants.<id>]`: the plant asset model (see [`steamflow_operators::plant`]),
//! checked as a whole: references, the network, tags bound once, dimensions.

use steamflow_operators::plant::Plant;

use super::Checker;
use super::diagnostic::KeyPath;

impl<'c> Checker<'c> {
    pub(crate) fn check_plant(&mut self, id: &str, plant: &Plant) {
        let path = KeyPath::root().key("plants").key(id);
        for issue in plant.check() {
            self.issue(path.join(&issue.key), issue.message);
        }
    }

    /// The plant `id` names, reporting at `path` when there is none. A plant
    /// that is present but has errors of its own is not reported again.
    pub(crate) fn plant_reference(&mut self, path: &KeyPath, id: &str) -> Option<&'c Plant> {
        let config = self.config;
        if let Some(plant) = config.plants.get(id) {
            return Some(plant);
        }
        if !self.present.plants.contains(id) {
            let known: Vec<&str> = self.present.plants.iter().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none is defined".to_owned()
            } else {
                format!("known: {}", known.join(", "))
            };
            self.issue(path.clone(), format!("no plant `{id}` ({known})"));
        }
        None
    }

    /// True when `tag` is bound by the plant `plant`, or by any plant when `None`.
    /// Plants with errors of their own count as binding every tag, so that one
    /// error is not reported again as an unknown tag.
    pub(crate) fn tag_known(&self, plant: Option<&str>, tag: &str) -> bool {
        let binds = |p: &Plant| p.tag_bindings().iter().any(|b| b.tag == tag);
        match plant {
            Some(id) => self.config.plants.get(id).is_none_or(binds),
            None => {
                self.present.plants.len() > self.config.plants.len()
                    || self.config.plants.values().any(binds)
            }
        }
    }
}
