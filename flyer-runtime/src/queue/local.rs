//! The local backend: each process bounds its own requests with semaphores.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{Admission, QueueSpec, Ticket, over_capacity};
use crate::config::Config;
use crate::error::Error;
use crate::registry::Registration;

struct Route {
    /// Permits for admitted requests (running or waiting to run).
    admitted: Arc<Semaphore>,
    /// Permits to run, when `concurrency` is set; waiters are served in FIFO order.
    running: Option<Arc<Semaphore>>,
    deadline: std::time::Duration,
}

/// Per-process queues, one per `#[queued]` route.
pub(crate) struct Local {
    routes: HashMap<&'static str, Route>,
}

impl Local {
    pub(crate) fn new(config: &Config, regs: &[&'static Registration]) -> Self {
        let routes = regs
            .iter()
            .filter_map(|r| r.controls)
            .filter_map(|c| c.queue.as_ref().map(|q| (c.route, q)))
            .map(|(route, q)| {
                let r = Route {
                    admitted: Arc::new(Semaphore::new(q.limit as usize)),
                    running: q.concurrency.map(|c| Arc::new(Semaphore::new(c as usize))),
                    deadline: q.timeout(config),
                };
                (route, r)
            })
            .collect();
        Local { routes }
    }

    pub(crate) fn enter(&self, route: &'static str, spec: &QueueSpec) -> Result<Admission, Error> {
        let Some(r) = self.routes.get(route) else {
            return Err(Error::internal("a queued route was not set up"));
        };
        let permit = Arc::clone(&r.admitted)
            .try_acquire_owned()
            .map_err(|_| over_capacity(spec.limit))?;
        Ok(Admission::Run(Ticket::new(
            vec![Box::new(permit)],
            r.running.clone(),
            Some(r.deadline),
        )))
    }
}
