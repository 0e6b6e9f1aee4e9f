//! Queue groups: the routes that share one count of permits. A route declared with
//! `group = "g"` shares the group's; any other route is a group of its own. Start-up
//! checks (`api::check`) have made sure the routes of a group declare it alike.

use std::collections::HashMap;
use std::time::Duration;

use crate::api::spec::{self, Controls, Priority};

/// One group, as this process sees it.
pub(crate) struct Group {
    /// What names the group in Redis keys: `g:<group>`, or `r:<route>` for a route alone
    /// (its `{param}` braces written `:param`, so that no brace reaches a key).
    pub(crate) key: String,
    /// At most this many admitted at once (running or waiting to run).
    pub(crate) limit: u32,
    /// Permits only `high` requests may take.
    pub(crate) reserve: u32,
    /// How many run at once in one process: `concurrency`, else `limit`.
    pub(crate) concurrency: u32,
    /// The levels its routes use, the first first.
    pub(crate) levels: Vec<Priority>,
    /// The longest timeout of its routes: how long an entry of it can matter.
    pub(crate) longest: Duration,
}

/// Every group, and which one each queued route belongs to.
pub(crate) struct Groups {
    pub(crate) all: Vec<Group>,
    by_route: HashMap<&'static str, usize>,
}

/// `GET /prime/{x}` → `GET /prime/:x`.
pub(crate) fn route_key(route: &str) -> String {
    route.replace('{', ":").replace('}', "")
}

impl Groups {
    /// The groups of the queued routes among `controls`; `default_timeout` is
    /// `flyer_queue_timeout`.
    pub(crate) fn new(controls: &[&'static Controls], default_timeout: Duration) -> Self {
        let mut all: Vec<Group> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut by_route = HashMap::new();
        for (route, q) in spec::queues(controls) {
            let key = match q.group {
                Some(group) => format!("g:{group}"),
                None => format!("r:{}", route_key(route)),
            };
            let at = *by_key.entry(key.clone()).or_insert_with(|| {
                all.push(Group {
                    key,
                    limit: q.limit,
                    reserve: q.reserve,
                    concurrency: q.concurrency.unwrap_or(q.limit),
                    levels: Vec::new(),
                    longest: Duration::ZERO,
                });
                all.len() - 1
            });
            let group = &mut all[at];
            if !group.levels.contains(&q.priority) {
                group.levels.push(q.priority);
                group.levels.sort();
            }
            group.longest = group.longest.max(q.timeout_or(default_timeout));
            by_route.insert(route, at);
        }
        Groups { all, by_route }
    }

    /// The group of `route`, and its index in [`Groups::all`].
    pub(crate) fn of(&self, route: &str) -> Option<(usize, &Group)> {
        let at = *self.by_route.get(route)?;
        Some((at, &self.all[at]))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_carry_no_braces() {
        assert_eq!(super::route_key("GET /prime/{x}"), "GET /prime/:x");
    }
}
