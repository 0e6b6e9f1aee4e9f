//! The gateway's side: admits a request and either runs it here (role `all`) or enqueues
//! it and waits for a worker's answer on its own reply channel (role `gateway`). The
//! channel is watched with a heartbeat; answers missed meanwhile are read from their keys;
//! requests whose entries Redis lost are put back.

use std::sync::Arc;
use std::time::Duration;

use fred::types::Value;
use poem::Request;
use poem::http::{HeaderValue, header};
use tokio::sync::oneshot;

use super::keeper::LeaseHold;
use super::replies::{Waiter, Waiting};
use super::wire::{self, Task};
use super::{LEASE_TTL, RedisQueue, STREAM_CAP, ms, n};
use crate::api::spec::{Controls, Priority, QueueSpec};
use crate::config::Role;
use crate::context;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::queue::{Admission, Admitted, Ticket, over_capacity};

/// Why a request was not admitted.
fn warming() -> Error {
    Error::over_capacity(
        "over capacity: the queue's state is being rebuilt (Redis restarted, or first use); retry after Retry-After",
    )
    .with_header(header::RETRY_AFTER, HeaderValue::from_static("3"))
}

impl RedisQueue {
    /// Admits a request: runs it here (role `all`), or hands it to a worker and waits
    /// for the answer (role `gateway`); on a worker, runs it under the worker's run.
    pub(crate) async fn enter(
        self: &Arc<Self>,
        controls: &'static Controls,
        spec: &QueueSpec,
        req: &Request,
    ) -> Result<Admission, Error> {
        if let Some(admitted) = req.extensions().get::<Admitted>() {
            // A worker running a task: the run holds the lease while this guard lives.
            let guard = Box::new(Arc::clone(&admitted.guard));
            return Ok(Admission::Run(Ticket::new(vec![guard], None, None)));
        }
        let Some((g, _)) = self.groups.of(controls.route) else {
            return Err(Error::internal("a queued route was not set up"));
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let timeout = spec.timeout_or(self.default_timeout);
        if self.role == Role::All {
            self.admit(g, spec, &id, timeout, None).await?;
            let lease = LocalLease {
                _hold: self.held.hold_lease(g, &id),
                queue: Arc::clone(self),
                g,
                id,
            };
            return Ok(Admission::Run(Ticket::new(
                vec![Box::new(lease)],
                Some((Arc::clone(&self.gates[g]), spec.priority)),
                Some(timeout),
            )));
        }
        let task = Task::from_request(
            id.clone(),
            self.channel.clone(),
            req,
            &context::body().unwrap_or_default(),
            &context::request_id().unwrap_or_default(),
            ClientIp::of(req),
            spec.at_most_once,
        );
        let blob = wire::encode(&task);
        let (tx, rx) = oneshot::channel();
        // Registered before the task exists, so that no answer can come unawaited.
        self.lock_waiters().insert(
            id.clone(),
            Waiter {
                tx,
                g,
                level: spec.priority,
                task: blob.clone(),
                at_most_once: spec.at_most_once,
                deadline: u64::MAX,
                lost: false,
            },
        );
        let _waiting = Waiting {
            queue: self,
            id: &id,
        };
        let deadline = self.admit(g, spec, &id, timeout, Some(blob)).await?;
        if let Some(w) = self.lock_waiters().get_mut(&id) {
            w.deadline = deadline;
        }
        let _lease = self.held.hold_lease(g, &id);
        if let Ok(Ok(answer)) = tokio::time::timeout(timeout, rx).await {
            return Ok(Admission::Answer(answer.into_response()));
        }
        // The answer may have come while the channel was away: it is kept a while.
        if let Some(answer) = self.kept_answer(g, &id).await {
            return Ok(Admission::Answer(answer.into_response()));
        }
        Err(Error::handler_timeout(format!(
            "not answered within {timeout:?}"
        )))
    }

    /// Admits request `id` (and enqueues `task`, for a gateway); returns its deadline on
    /// Redis's clock.
    async fn admit(
        &self,
        g: usize,
        spec: &QueueSpec,
        id: &str,
        timeout: Duration,
        task: Option<Vec<u8>>,
    ) -> Result<u64, Error> {
        let group = &self.groups.all[g];
        let keys = &self.keys[g];
        // Not connected: nothing is sent, so nothing can run.
        if self.redis.connected().await.is_err() {
            return Err(super::unavailable(&self.redis));
        }
        let mut script_keys = vec![keys.leases(), keys.epoch(), keys.cancel(id)];
        let mut args = vec![
            ms(LEASE_TTL),
            n(group.limit.into()),
            n(group.reserve.into()),
            if spec.priority == Priority::High {
                "1"
            } else {
                "0"
            }
            .into(),
            id.into(),
            ms(timeout),
        ];
        if let Some(task) = task {
            script_keys.push(keys.stream(spec.priority));
            args.push(Value::Bytes(task.into()));
            args.push(n(STREAM_CAP));
        }
        match self.eval(&self.scripts.admit, script_keys, args).await {
            Ok(v) => match v.as_i64() {
                Some(deadline) if deadline > 0 => Ok(deadline as u64),
                Some(0) => Err(over_capacity(group.limit)),
                Some(-1) => Err(warming()),
                _ => Err(super::unavailable(&self.redis)),
            },
            Err(err) => {
                // Sent, and not answered in time: Redis may still run it. The caller is
                // told 50300, so the request must not run: it is marked cancelled, which
                // admission and workers both check (whatever order they run in).
                tracing::warn!(error = %err, task = id, "queue admission failed; cancelling the request");
                self.cancel(g, id, timeout);
                Err(super::unavailable(&self.redis))
            }
        }
    }

    /// Marks request `id` cancelled, in the background.
    fn cancel(&self, g: usize, id: &str, timeout: Duration) {
        let keys = &self.keys[g];
        let script_keys = vec![keys.leases(), keys.cancel(id)];
        let args = vec![id.into(), ms(timeout + LEASE_TTL * 2)];
        let (redis, script) = (self.redis.clone(), self.scripts.cancel.clone());
        let id = id.to_owned();
        tokio::spawn(async move {
            let done = match redis.connected().await {
                Ok(pool) => script
                    .evalsha_with_reload::<Value, _, _>(pool.next(), script_keys, args)
                    .await
                    .is_ok(),
                Err(_) => false,
            };
            if !done {
                tracing::error!(
                    task = %id,
                    "could not cancel a request whose admission timed out: it may still run, its answer unheard"
                );
            }
        });
    }

    /// Marks the requests of group `g` waiting now: Redis lost their state.
    pub(super) fn mark_lost(&self, g: usize) {
        for waiter in self.lock_waiters().values_mut() {
            if waiter.g == g && waiter.deadline != u64::MAX {
                waiter.lost = true;
            }
        }
    }

    /// After Redis lost group `g`'s state: once it has warmed up (the runs that survived
    /// registered again), puts back every request of the group this gateway waits for
    /// that nobody runs and nobody answered.
    async fn requeue(&self, g: usize) {
        let keys = &self.keys[g];
        let waiting: Vec<(String, Priority, Vec<u8>, u64, bool)> = self
            .lock_waiters()
            .iter()
            .filter(|(_, w)| w.g == g && w.lost)
            .map(|(id, w)| {
                (
                    id.clone(),
                    w.level,
                    w.task.clone(),
                    w.deadline,
                    w.at_most_once,
                )
            })
            .collect();
        for (id, level, task, deadline, at_most_once) in waiting {
            if let Some(w) = self.lock_waiters().get_mut(&id) {
                w.lost = false;
            }
            loop {
                let done = self
                    .eval(
                        &self.scripts.requeue,
                        vec![
                            keys.leases(),
                            keys.epoch(),
                            keys.run(&id),
                            keys.reply(&id),
                            keys.stream(level),
                        ],
                        vec![
                            ms(LEASE_TTL),
                            id.clone().into(),
                            n(deadline),
                            Value::Bytes(task.clone().into()),
                            n(STREAM_CAP),
                            if at_most_once { "1" } else { "0" }.into(),
                        ],
                    )
                    .await;
                match done.ok().and_then(|v| v.as_i64()) {
                    Some(-1) => tokio::time::sleep(Duration::from_millis(500)).await,
                    Some(1) => {
                        tracing::warn!(task = %id, "Redis lost a waiting request: put it back");
                        break;
                    }
                    Some(2) => {
                        let Some(task) = wire::decode::<Task>(&task) else {
                            break;
                        };
                        let why = Error::internal(super::run::OUTCOME_UNKNOWN);
                        self.deliver(super::run::error_answer(&task, why).await);
                        break;
                    }
                    _ => break,
                }
            }
        }
    }
}

/// A lease held by a handler running in this process (role `all`).
struct LocalLease {
    _hold: LeaseHold,
    queue: Arc<RedisQueue>,
    g: usize,
    id: String,
}

impl Drop for LocalLease {
    fn drop(&mut self) {
        let queue = Arc::clone(&self.queue);
        let (leases, id) = (
            self.queue.keys[self.g].leases(),
            std::mem::take(&mut self.id),
        );
        // Released off the request's path; if it fails, the lease expires by itself.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Ok(pool) = queue.redis.connected().await {
                    let _: Result<i64, _> =
                        fred::interfaces::SortedSetsInterface::zrem(pool.next(), leases, id).await;
                }
            });
        }
    }
}

/// Starts what a gateway (or an `all` instance) runs beside requests: the reply channel
/// and its heartbeat, the requeue of lost requests, the trimming of expired entries.
pub(super) fn spawn(queue: &Arc<RedisQueue>) -> Result<(), Error> {
    let mut builder = crate::data::redis::builder(&queue.settings);
    // Answers arrive in bursts under load; a lagging receiver would drop them.
    builder.with_performance_config(|p| p.broadcast_channel_capacity = 1 << 16);
    let subscriber = builder
        .build_subscriber_client()
        .map_err(|e| Error::internal("invalid Redis configuration").with_source(e))?;
    tokio::spawn(super::replies::listen(Arc::downgrade(queue), subscriber));
    for g in 0..queue.groups.all.len() {
        let weak = Arc::downgrade(queue);
        tokio::spawn(async move {
            loop {
                let notified = {
                    let Some(queue) = weak.upgrade() else { return };
                    let held = Arc::clone(&queue.held);
                    drop(queue);
                    async move { held.state_lost[g].notified().await }
                };
                notified.await;
                // Runs that survived the loss register again within a lease.
                tokio::time::sleep(LEASE_TTL + Duration::from_millis(200)).await;
                let Some(queue) = weak.upgrade() else { return };
                queue.requeue(g).await;
            }
        });
    }
    if queue.role == Role::Gateway {
        tokio::spawn(trim_loop(Arc::downgrade(queue)));
    }
    Ok(())
}

/// Deletes the entries whose deadline passed: with no worker alive, nobody else would.
async fn trim_loop(queue: std::sync::Weak<RedisQueue>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Some(queue) = queue.upgrade() else { return };
        for (g, group) in queue.groups.all.iter().enumerate() {
            let streams = group
                .levels
                .iter()
                .map(|l| queue.keys[g].stream(*l))
                .collect();
            let _ = queue
                .eval(
                    &queue.scripts.trim,
                    streams,
                    vec![n(100), super::GROUP.into()],
                )
                .await;
        }
    }
}
