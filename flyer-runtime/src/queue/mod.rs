//! Admission control of `#[queued]` and `#[rate_limit]` routes.
//!
//! A request is admitted after it was validated (so an invalid one never takes a
//! permit) and before its handler runs. `#[rate_limit]` is checked first: a request
//! over the rate is refused (42900) without touching the queue. `#[queued(limit = N)]`
//! then admits at most N requests of the route at once — running or waiting to run — and
//! refuses the next at once (50300, `Retry-After`). An admitted request not answered
//! within its timeout gets 50400; its permit is held until its handler really stops.
//!
//! Two backends: [`local`] (per process) and [`redis`] (every instance shares one count,
//! and gateways hand the work to workers through Redis Streams).

mod gate;
mod group;
pub(crate) mod local;
#[cfg(feature = "queue-redis")]
pub(crate) mod redis;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use self::gate::{Gate, Slot};
use crate::api::spec::Priority;
use poem::http::{HeaderValue, header};
use poem::{IntoResponse, Request, Response};

use crate::api::spec::Controls;
use crate::config::Config;
#[cfg(feature = "queue-redis")]
use crate::config::QueueBackend;
#[cfg(feature = "queue-redis")]
use crate::data::redis::Redis;
use crate::error::Error;
use crate::extract::state::Resources;
use crate::rate_limit::RateLimits;

/// What the generated operation does with a request.
#[doc(hidden)]
pub enum Admission {
    /// Answer this (a refusal, or the answer of the worker that ran the request).
    Answer(Response),
    /// Run the handler here, under this ticket.
    Run(Ticket),
}

/// The right to run a handler: holds the permits until the handler stops, and bounds
/// the wait for an answer.
#[doc(hidden)]
pub struct Ticket {
    /// Released when the handler stops (the admission permit, a Redis lease, ...).
    held: Vec<Box<dyn Send>>,
    /// Waited for before running: this process's `concurrency`, at the route's priority.
    running: Option<(Arc<Gate>, Priority)>,
    deadline: Option<Duration>,
}

impl Ticket {
    fn free() -> Self {
        Ticket {
            held: Vec::new(),
            running: None,
            deadline: None,
        }
    }

    pub(crate) fn new(
        held: Vec<Box<dyn Send>>,
        running: Option<(Arc<Gate>, Priority)>,
        deadline: Option<Duration>,
    ) -> Self {
        Ticket {
            held,
            running,
            deadline,
        }
    }

    async fn turn(running: Option<(Arc<Gate>, Priority)>) -> Option<Slot> {
        match running {
            Some((gate, priority)) => Some(gate.acquire(priority).await),
            None => None,
        }
    }

    fn timed_out(deadline: Duration) -> Error {
        Error::handler_timeout(format!("not answered within {deadline:?}"))
    }

    /// Runs an async handler. On timeout the handler is dropped (it stops there), and
    /// with it the permits.
    pub async fn run<R>(self, fut: impl Future<Output = R>) -> Result<R, Error> {
        let Ticket {
            held,
            running,
            deadline,
        } = self;
        let work = async move {
            let _turn = Self::turn(running).await;
            let out = fut.await;
            drop(held);
            Ok(out)
        };
        Self::within(deadline, work).await
    }

    async fn within<R>(
        deadline: Option<Duration>,
        work: impl Future<Output = Result<R, Error>>,
    ) -> Result<R, Error> {
        match deadline {
            Some(d) => tokio::time::timeout(d, work)
                .await
                .map_err(|_| Self::timed_out(d))?,
            None => work.await,
        }
    }

    /// Runs a plain-`fn` handler on the blocking pool. It cannot be stopped: on timeout
    /// the caller gets 50400, and the permits stay held until the function returns.
    pub async fn run_blocking<R: Send + 'static>(
        self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, Error> {
        let Ticket {
            held,
            running,
            deadline,
        } = self;
        let work = async move {
            let turn = Self::turn(running).await;
            crate::context::spawn_blocking(move || {
                let out = f();
                drop((held, turn));
                out
            })
            .await
            .map_err(|err| Error::internal("internal error").with_source(err))
        };
        Self::within(deadline, work).await
    }
}

/// A request a worker runs for a gateway: already admitted, its lease held by the worker.
/// The ticket keeps `guard` until the handler really stops (a plain `fn` that outlives its
/// timeout included), and the worker holds the lease until then.
#[derive(Clone)]
pub(crate) struct Admitted {
    pub(crate) guard: Arc<dyn Send + Sync>,
}

/// The 50300 of a full queue.
pub(crate) fn over_capacity(limit: u32) -> Error {
    Error::over_capacity(format!(
        "over capacity: at most {limit} requests of this route at once"
    ))
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("1"))
}

/// The queues and rate limits of every registered route, for one backend.
pub(crate) enum Queues {
    Local(local::Local),
    #[cfg(feature = "queue-redis")]
    Redis(Arc<redis::RedisQueue>),
}

impl Queues {
    pub(crate) fn start(
        config: &Config,
        namespace: &str,
        resources: &Resources,
        controls: &[&'static Controls],
    ) -> Result<Self, Error> {
        #[cfg(feature = "queue-redis")]
        if let (QueueBackend::Redis, Some(redis)) = (config.queue.backend, resources.get::<Redis>())
        {
            let queue = redis::RedisQueue::start(config, namespace, redis, controls)?;
            return Ok(Queues::Redis(queue));
        }
        let _ = (namespace, resources);
        Ok(Queues::Local(local::Local::new(config, controls)))
    }
}

/// Admits (or refuses) a request of a controlled route.
#[doc(hidden)]
pub async fn admit(controls: &'static Controls, req: &Request) -> Admission {
    let Some(resources) = req.extensions().get::<Arc<Resources>>() else {
        return Admission::Run(Ticket::free());
    };
    if let Some(spec) = &controls.rate_limit
        && req.extensions().get::<Admitted>().is_none()
        && let Some(limits) = resources.get::<RateLimits>()
        && let Err(err) = limits.check(controls.route, spec, req).await
    {
        return Admission::Answer(err.into_response());
    }
    let (Some(spec), Some(queues)) = (&controls.queue, resources.get::<Queues>()) else {
        return Admission::Run(Ticket::free());
    };
    let result = match queues {
        Queues::Local(local) => local.enter(controls.route, spec),
        #[cfg(feature = "queue-redis")]
        Queues::Redis(queue) => queue.enter(controls, spec, req).await,
    };
    match result {
        Ok(admission) => admission,
        Err(err) => Admission::Answer(err.into_response()),
    }
}
