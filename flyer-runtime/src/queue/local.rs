//! The local backend: each process bounds its own requests with semaphores.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::{Admission, Ticket, over_capacity};
use crate::api::spec::{self, Controls, QueueSpec};
use crate::config::Config;
use crate::error::Error;

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
    pub(crate) fn new(config: &Config, controls: &[&'static Controls]) -> Self {
        let routes = spec::queues(controls)
            .map(|(route, q)| {
                let r = Route {
                    admitted: Arc::new(Semaphore::new(q.limit as usize)),
                    running: q.concurrency.map(|c| Arc::new(Semaphore::new(c as usize))),
                    deadline: q.timeout_or(config.queue.timeout),
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
