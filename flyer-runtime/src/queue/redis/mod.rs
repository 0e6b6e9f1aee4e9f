//! The Redis backend: one count per queue group for every instance sharing the Redis, and
//! gateways that hand work to workers. The README's "What the Redis backend guarantees"
//! says what holds under which faults; this is how.
//!
//! **Permits are leases.** A group's permits are the members of a sorted set, scored by
//! when they expire, on Redis's clock. Admission is one script (`admit.lua`): drop the
//! expired, count, add. Whoever still needs a lease renews it every [`RENEW_EVERY`] — the
//! gateway while it waits, the process running the handler while it runs — from a thread
//! of its own ([`keeper`]), so a busy handler cannot starve it; it expires [`LEASE_TTL`]
//! after the last renewal. A process that dies gives its permits back by then.
//!
//! **Tasks are stream entries**, one stream per priority level. Workers read them with a
//! consumer group, highest level first, no more than they can start ([`worker`]), and keep
//! every entry they hold alive; an entry idle past [`CLAIM_IDLE`] (its worker stopped or
//! stalled) is claimed by another worker. Each start of a task writes its run's fencing
//! token (`<consumer>:<delivery>`) under `run:<id>`: renewing, finishing and publishing
//! are refused to any other run, so a stalled runner that lost its task stops at its next
//! await and publishes nothing. Delivery is at least once; `at_most_once` routes answer
//! 50000 ("outcome unknown") instead of starting a task a lost run may have started.
//!
//! **A loss of Redis's state** (a restart without persistence) is noticed by the epoch
//! key every group has: while it warms up again for one lease period, admission answers
//! 50300, holders re-register their leases and runs, and gateways put back the requests
//! nobody runs ([`gateway`]).

mod gateway;
mod keeper;
mod keys;
mod replies;
mod run;
mod scripts;
mod wire;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use fred::types::Value;
use fred::types::scripts::Script;
use poem::endpoint::BoxEndpoint;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use self::keeper::Held;
use self::keys::GroupKeys;
use self::replies::Waiter;
use self::scripts::Scripts;
use super::gate::Gate;
use super::group::Groups;
use crate::api::spec::Controls;
use crate::config::{Config, RedisSettings, Role};
use crate::data::redis::Redis;
use crate::error::Error;
use crate::extract::state::Resources;

/// How long a lease lives without renewal: a dead process's permits come back by then.
pub(crate) const LEASE_TTL: Duration = Duration::from_secs(3);
/// How often held leases are renewed and held entries touched.
const RENEW_EVERY: Duration = Duration::from_secs(1);
/// How long a delivered entry may go untouched before another worker claims it.
const CLAIM_IDLE: Duration = Duration::from_secs(3);
/// How often a worker looks for entries to claim.
const RECLAIM_EVERY: Duration = Duration::from_millis(500);
/// A consumer with nothing pending and idle this long is forgotten (a stopped worker's
/// name; a live one that is merely idle comes back by itself on its next read).
const CONSUMER_GONE: Duration = Duration::from_secs(10);
/// Deliveries after which a task is given up.
pub(crate) const MAX_DELIVERIES: u64 = 3;
/// The consumer group of the workers.
const GROUP: &str = "workers";
/// Where a stopping worker hands back the entries it has not started.
const HANDED_BACK: &str = "flyer-handed-back";
/// A safety cap on a stream; entries leave it when done, or when their deadline passed.
const STREAM_CAP: u64 = 100_000;

/// The Redis queue of this instance.
pub(crate) struct RedisQueue {
    redis: Redis,
    settings: RedisSettings,
    role: Role,
    groups: Groups,
    /// The keys of each group, by its index in `groups`.
    keys: Vec<GroupKeys>,
    /// How many of each group run at once here: `concurrency`, started by priority.
    gates: Vec<Arc<Gate>>,
    scripts: Scripts,
    default_timeout: Duration,
    /// This instance's reply channel, and the consumer name it reads tasks as.
    channel: String,
    consumer: String,
    /// Requests this gateway waits for, by task id.
    waiters: Mutex<HashMap<String, Waiter>>,
    /// What the keeper thread keeps alive.
    held: Arc<Held>,
    /// What a worker runs tasks through: the application's routes, and the resources
    /// handlers take as arguments.
    executor: OnceLock<(Arc<BoxEndpoint<'static>>, Weak<Resources>)>,
    /// Cancelled when the instance stops: workers read no more.
    stopping: CancellationToken,
    /// The tasks this worker holds, waited for when it stops.
    tasks: TaskTracker,
}

/// A number as a script argument.
fn n(x: u64) -> Value {
    Value::Integer(i64::try_from(x).unwrap_or(i64::MAX))
}

/// A duration in milliseconds, as a script argument.
fn ms(d: Duration) -> Value {
    n(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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
        let settings = config.redis.clone().ok_or_else(|| unavailable(redis))?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let groups = Groups::new(controls, config.queue.timeout);
        let keys = groups
            .all
            .iter()
            .map(|g| GroupKeys::new(namespace, &g.key))
            .collect();
        let gates = groups
            .all
            .iter()
            .map(|g| Gate::new(g.concurrency as usize))
            .collect();
        let queue = Arc::new(RedisQueue {
            redis: redis.clone(),
            settings,
            role: config.queue.role,
            held: Arc::new(Held::new(groups.all.len())),
            groups,
            keys,
            gates,
            scripts: Scripts::new(),
            default_timeout: config.queue.timeout,
            channel: format!("flyer:{namespace}:gw:{id}"),
            consumer: format!("{}-{}", std::process::id(), &id[..12]),
            waiters: Mutex::new(HashMap::new()),
            executor: OnceLock::new(),
            stopping: CancellationToken::new(),
            tasks: TaskTracker::new(),
        });
        if queue.groups.all.is_empty() {
            return Ok(queue);
        }
        keeper::spawn(Arc::downgrade(&queue))?;
        if queue.role != Role::Worker {
            gateway::spawn(&queue)?;
        }
        Ok(queue)
    }

    /// Hands the application's routes to the workers, and starts them (roles `all` and
    /// `worker`).
    pub(crate) fn attach(
        self: &Arc<Self>,
        executor: Arc<BoxEndpoint<'static>>,
        resources: Weak<Resources>,
    ) {
        if self.executor.set((executor, resources)).is_err() || self.groups.all.is_empty() {
            return;
        }
        if self.role != Role::Gateway {
            worker::spawn(self);
        }
    }

    /// Stops reading tasks, hands back those not started, and waits for the running ones
    /// to finish, until `deadline` (a rolling deploy: `flyer_graceful_timeout`).
    pub(crate) async fn drain(&self, deadline: Duration) {
        self.stopping.cancel();
        self.tasks.close();
        if tokio::time::timeout(deadline, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                tasks = self.tasks.len(),
                "flyer_graceful_timeout reached with queued tasks still running; other workers will claim them"
            );
        }
    }

    /// Runs `script` on the pool.
    async fn eval(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<Value>,
    ) -> Result<Value, fred::error::Error> {
        let pool = self.redis.connected().await.map_err(|_| {
            fred::error::Error::new(fred::error::ErrorKind::IO, "Redis is not connected")
        })?;
        script.evalsha_with_reload(pool.next(), keys, args).await
    }
}
