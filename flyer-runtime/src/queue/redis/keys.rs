//! The Redis keys of a queue group. Every key of a group carries the same hash tag, the
//! `{...}` part, so that a script touching several of them runs on one node of a Redis
//! Cluster.

use crate::api::spec::Priority;

/// The keys of one group: `{flyer:<namespace>:q:<group>}:...`.
pub(super) struct GroupKeys {
    tag: String,
}

impl GroupKeys {
    /// `group` is a group's key (`g:<name>` or `r:<route>`), braces already removed.
    pub(super) fn new(namespace: &str, group: &str) -> Self {
        GroupKeys {
            tag: format!("{{flyer:{namespace}:q:{group}}}"),
        }
    }

    /// The sorted set of permits: members are task ids, scores when they expire.
    pub(super) fn leases(&self) -> String {
        format!("{}:leases", self.tag)
    }

    /// `ready`, or `warming:<until>` after a loss of the group's state (see `prelude.lua`).
    pub(super) fn epoch(&self) -> String {
        format!("{}:epoch", self.tag)
    }

    /// The stream of tasks waiting at `level`.
    pub(super) fn stream(&self, level: Priority) -> String {
        format!("{}:tasks:{}", self.tag, level.name())
    }

    /// Who runs task `id` now: `<consumer>:<delivery>`, the fencing token of that run.
    pub(super) fn run(&self, id: &str) -> String {
        format!("{}:run:{id}", self.tag)
    }

    /// The answer to task `id`, kept for a gateway that missed it on its channel.
    pub(super) fn reply(&self, id: &str) -> String {
        format!("{}:reply:{id}", self.tag)
    }

    /// Set when task `id`'s gateway gave up on admitting it: it must not run.
    pub(super) fn cancel(&self, id: &str) -> String {
        format!("{}:cancel:{id}", self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_a_group_has_one_hash_tag() {
        let k = GroupKeys::new("svc", "r:GET /prime/:x");
        for key in [
            k.leases(),
            k.epoch(),
            k.stream(Priority::Low),
            k.run("1"),
            k.reply("1"),
            k.cancel("1"),
        ] {
            assert!(key.starts_with("{flyer:svc:q:r:GET /prime/:x}:"), "{key}");
            assert_eq!(key.matches('{').count(), 1, "{key}");
        }
    }
}
