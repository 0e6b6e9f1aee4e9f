//! The Redis backend: one count per route for every instance sharing the Redis, and
//! gateways that hand work to workers.
//!
//! **Permits are leases.** A route's permits are the members of a sorted set, scored by
//! when they expire (Redis's clock, so instances need not agree on the time). Admission
//! is one script: drop the expired leases, count, add one if under the limit. A lease is
//! renewed every [`RENEW_EVERY`] by whoever still needs it — the gateway while it waits
//! for the answer, the process running the handler while it runs — and expires
//! [`LEASE_TTL`] after the last renewal. So a process that dies (SIGKILL included) gives
//! its permits back within [`LEASE_TTL`], with no restart and nothing to clean up; and a
//! request that timed out at the gateway still counts while its handler runs.
//!
//! **Tasks are stream entries.** A gateway admits and enqueues in the same script
//! (`XADD`), then waits for the answer on its own Pub/Sub channel (the answer is also
//! kept under a key until the gateway's timeout, read once more before giving up). Workers read with a
//! consumer group (`XREADGROUP`), take the lease over, run the handler, and in one
//! script release the lease, publish the answer, acknowledge and delete the entry. An
//! entry is acknowledged only when done: a worker that dies mid-task leaves it pending,
//! and another worker claims it (`XAUTOCLAIM`) once it has been idle for
//! [`CLAIM_IDLE`] — workers touch the entries they are running to keep them theirs.
//! Delivery is therefore at least once; a route marked `at_most_once` answers 50000
//! instead of running a task again, and any task is given up (50000 to its caller)
//! after [`MAX_DELIVERIES`] deliveries. The names of stopped workers are dropped from
//! the group after [`CONSUMER_GONE`].
//!
//! **Failing fast.** With Redis unreachable, admission answers 50300 at once; blocking
//! reads use their own connection, so they never hold up other commands.

mod gateway;
mod leases;
mod scripts;
mod wire;
mod worker;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use fred::types::Value;
use fred::types::scripts::Script;
use poem::endpoint::BoxEndpoint;
use tokio::sync::{Semaphore, oneshot};

use self::scripts::Scripts;
use self::wire::Answer;
use crate::api::spec::{self, Controls};
use crate::config::{Config, Role};
use crate::data::redis::Redis;
use crate::error::Error;
use crate::extract::state::Resources;

/// How long a lease lives without renewal: a dead process's permits come back by then.
pub(crate) const LEASE_TTL: Duration = Duration::from_secs(3);
/// How often held leases are renewed.
const RENEW_EVERY: Duration = Duration::from_secs(1);
/// How long a delivered task may go untouched before another worker claims it.
const CLAIM_IDLE: Duration = Duration::from_secs(3);
/// A consumer with nothing pending and idle this long is forgotten (a stopped worker's
/// name; a live one that is merely idle comes back by itself on its next read).
const CONSUMER_GONE: Duration = Duration::from_secs(10);
/// Deliveries after which a task is given up.
pub(crate) const MAX_DELIVERIES: u64 = 3;
/// The consumer group of the workers.
const GROUP: &str = "workers";
/// A safety cap on a route's stream (entries are deleted when done).
const STREAM_CAP: u64 = 100_000;

/// The Redis keys of one route.
struct RouteKeys {
    leases: String,
    stream: String,
}

/// One `#[queued]` route, as this instance sees it.
struct RouteQueue {
    route: &'static str,
    keys: RouteKeys,
    timeout: Duration,
    at_most_once: bool,
    /// This process's `concurrency` (what a worker runs at once); `limit` when unset.
    running: Arc<Semaphore>,
}

/// The Redis queue of this instance.
pub(crate) struct RedisQueue {
    redis: Redis,
    namespace: String,
    role: Role,
    routes: HashMap<&'static str, RouteQueue>,
    scripts: Scripts,
    /// This instance's reply channel, and the consumer name it reads tasks as.
    channel: String,
    consumer: String,
    /// Gateways waiting for answers, by task id.
    waiters: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    /// Leases this instance renews, by route.
    held: Mutex<HashMap<&'static str, HashSet<String>>>,
    /// Stream entries this worker is running, by route (touched to keep them).
    running_entries: Mutex<HashMap<&'static str, HashSet<String>>>,
    /// What a worker runs tasks through: the application's routes, and the services
    /// handlers take as arguments.
    executor: OnceLock<(Arc<BoxEndpoint<'static>>, Weak<Resources>)>,
}

/// A number as a script argument.
fn n(x: u64) -> Value {
    Value::Integer(i64::try_from(x).unwrap_or(i64::MAX))
}

fn route_key(route: &str) -> String {
    route.replace('{', ":").replace('}', "")
}

fn unavailable(redis: &Redis) -> Error {
    Error::over_capacity(format!("Redis ({}) is unavailable", redis.target()))
}

impl RedisQueue {
    pub(crate) fn start(
        config: &Config,
        namespace: &str,
        redis: &Redis,
        controls: &[&'static Controls],
    ) -> Result<Arc<Self>, Error> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let routes = spec::queues(controls)
            .map(|(route, q)| {
                let base = format!("flyer:{namespace}:q:{}", route_key(route));
                let rq = RouteQueue {
                    route,
                    keys: RouteKeys {
                        leases: format!("{base}:leases"),
                        stream: format!("{base}:tasks"),
                    },
                    timeout: q.timeout_or(config.queue.timeout),
                    at_most_once: q.at_most_once,
                    running: Arc::new(Semaphore::new(q.concurrency.unwrap_or(q.limit) as usize)),
                };
                (route, rq)
            })
            .collect();
        let queue = Arc::new(RedisQueue {
            redis: redis.clone(),
            namespace: namespace.to_owned(),
            role: config.queue.role,
            routes,
            scripts: Scripts::new(),
            channel: format!("flyer:{namespace}:gw:{id}"),
            consumer: format!("{}-{}", std::process::id(), &id[..12]),
            waiters: Mutex::new(HashMap::new()),
            held: Mutex::new(HashMap::new()),
            running_entries: Mutex::new(HashMap::new()),
            executor: OnceLock::new(),
        });
        if !queue.routes.is_empty() {
            tokio::spawn(leases::renew_loop(Arc::downgrade(&queue)));
            if queue.role != Role::Worker {
                let settings = config.redis.as_ref().ok_or_else(|| unavailable(redis))?;
                let mut builder = crate::data::redis::builder(settings);
                // Answers arrive in bursts under load; a lagging receiver would drop them.
                builder.with_performance_config(|p| p.broadcast_channel_capacity = 1 << 16);
                let subscriber = builder
                    .build_subscriber_client()
                    .map_err(|e| Error::internal("invalid Redis configuration").with_source(e))?;
                tokio::spawn(gateway::listen(Arc::downgrade(&queue), subscriber));
            }
        }
        Ok(queue)
    }

    /// Hands the application's routes to the workers, and starts them (roles `all` and
    /// `worker`).
    pub(crate) fn attach(
        self: &Arc<Self>,
        executor: Arc<BoxEndpoint<'static>>,
        resources: Weak<Resources>,
        config: &Config,
    ) {
        if self.executor.set((executor, resources)).is_err() || self.routes.is_empty() {
            return;
        }
        if self.role != Role::Gateway
            && let Some(settings) = &config.redis
        {
            match crate::data::redis::builder(settings).build() {
                Ok(reader) => {
                    tokio::spawn(worker::work_loop(Arc::downgrade(self), reader));
                }
                Err(err) => tracing::error!(error = %err, "cannot start the queue's worker"),
            }
        }
    }

    async fn eval(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<Value>,
    ) -> Result<Value, Error> {
        let pool = self.redis.connected().await?;
        script
            .evalsha_with_reload(pool.next(), keys, args)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "Redis queue command failed");
                unavailable(&self.redis)
            })
    }

    fn reply_key(&self, id: &str) -> String {
        format!("flyer:{}:reply:{id}", self.namespace)
    }

    /// Releases a lease, acknowledges the entry, and delivers the answer, in one script.
    async fn finish(
        &self,
        route: &RouteQueue,
        id: &str,
        entry: &str,
        reply_to: &str,
        answer: Option<&Answer>,
    ) {
        // Kept as long as a gateway may still look for it.
        let keep_ms = route.timeout.as_millis() as u64 + 1_000;
        let answer = answer.map(wire::encode).unwrap_or_default();
        let done = self
            .eval(
                &self.scripts.finish,
                vec![
                    route.keys.leases.clone(),
                    route.keys.stream.clone(),
                    self.reply_key(id),
                ],
                vec![
                    id.into(),
                    entry.into(),
                    GROUP.into(),
                    reply_to.into(),
                    Value::Bytes(answer.into()),
                    n(keep_ms),
                ],
            )
            .await;
        if done.is_err() {
            tracing::warn!(
                task = id,
                "could not finish a task; its lease expires by itself"
            );
        }
    }
}
