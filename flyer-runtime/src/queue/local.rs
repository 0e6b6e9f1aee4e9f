//! The local backend: each process counts its own requests, per queue group.

use std::sync::Arc;
use std::time::Duration;

use super::gate::{Admissions, Gate};
use super::group::Groups;
use super::{Admission, Ticket, over_capacity};
use crate::api::spec::{Controls, QueueSpec};
use crate::config::Config;
use crate::error::Error;

/// One group's counts.
struct Counts {
    admitted: Arc<Admissions>,
    running: Arc<Gate>,
}

/// Per-process queues, one per group.
pub(crate) struct Local {
    groups: Groups,
    counts: Vec<Counts>,
    default_timeout: Duration,
}

impl Local {
    pub(crate) fn new(config: &Config, controls: &[&'static Controls]) -> Self {
        let groups = Groups::new(controls, config.queue.timeout);
        let counts = groups
            .all
            .iter()
            .map(|g| Counts {
                admitted: Admissions::new(g.limit, g.reserve),
                running: Gate::new(g.concurrency as usize),
            })
            .collect();
        Local {
            groups,
            counts,
            default_timeout: config.queue.timeout,
        }
    }

    pub(crate) fn enter(&self, route: &'static str, spec: &QueueSpec) -> Result<Admission, Error> {
        let Some((at, group)) = self.groups.of(route) else {
            return Err(Error::internal("a queued route was not set up"));
        };
        let counts = &self.counts[at];
        let admitted = counts
            .admitted
            .try_admit(spec.priority)
            .ok_or_else(|| over_capacity(group.limit))?;
        Ok(Admission::Run(Ticket::new(
            vec![Box::new(admitted)],
            Some((Arc::clone(&counts.running), spec.priority)),
            Some(spec.timeout_or(self.default_timeout)),
        )))
    }
}
