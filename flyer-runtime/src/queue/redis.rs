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

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use fred::clients::{Client, SubscriberClient};
use fred::interfaces::{
    ClientLike, EventInterface, KeysInterface, PubsubInterface, StreamsInterface,
};
use fred::types::Value;
use fred::types::scripts::Script;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, IntoResponse, Request};
use tokio::sync::{Semaphore, oneshot};

use super::wire::{self, Answer, Task};
use super::{Admission, Admitted, Controls, QueueSpec, Ticket, over_capacity};
use crate::config::{Config, Role};
use crate::context;
use crate::error::Error;
use crate::redis::Redis;
use crate::registry::Registration;
use crate::services::Services;

/// How long a lease lives without renewal: a dead process's permits come back by then.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// How often held leases are renewed.
const RENEW_EVERY: Duration = Duration::from_secs(1);
/// How long a delivered task may go untouched before another worker claims it.
const CLAIM_IDLE: Duration = Duration::from_secs(3);
/// A consumer with nothing pending and idle this long is forgotten (a stopped worker's
/// name; a live one that is merely idle comes back by itself on its next read).
const CONSUMER_GONE: Duration = Duration::from_secs(10);
/// Deliveries after which a task is given up.
pub const MAX_DELIVERIES: u64 = 3;
/// The consumer group of the workers.
const GROUP: &str = "workers";
/// A safety cap on a route's stream (entries are deleted when done).
const STREAM_CAP: u64 = 100_000;

const ADMIT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl * 4 + tonumber(ARGV[4]))
if #KEYS > 1 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'i', ARGV[3], 'd', now + tonumber(ARGV[4]), 't', ARGV[5])
end
return 1
"#;

const RENEW: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ttl * 4 + 60000)
return 1
"#;

const TAKEOVER: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[3]) then return 0 end
local s = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not s or tonumber(s) < now then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
return tonumber(ARGV[3]) - now
"#;

const FINISH: &str = r#"
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
if ARGV[5] ~= '' then
  redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
"#;

const RECLAIM: &str = r#"
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])
local out = {}
for _, e in ipairs(r[2]) do
  if e[2] then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    local n = 1
    if p[1] then n = p[1][4] end
    table.insert(out, {e[1], n, e[2]})
  end
end
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['name'] ~= ARGV[2] and info['pending'] == 0 and info['idle'] > tonumber(ARGV[5]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
  end
end
return out
"#;

const TOUCH: &str = r#"
for i = 3, #ARGV do
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
end
return 1
"#;

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

struct Scripts {
    admit: Script,
    renew: Script,
    takeover: Script,
    finish: Script,
    reclaim: Script,
    touch: Script,
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
    executor: OnceLock<(Arc<BoxEndpoint<'static>>, Weak<Services>)>,
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
        regs: &[&'static Registration],
    ) -> Result<Arc<Self>, Error> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let routes = regs
            .iter()
            .filter_map(|r| r.controls)
            .filter_map(|c| c.queue.as_ref().map(|q| (c.route, q)))
            .map(|(route, q)| {
                let base = format!("flyer:{namespace}:q:{}", route_key(route));
                let rq = RouteQueue {
                    route,
                    keys: RouteKeys {
                        leases: format!("{base}:leases"),
                        stream: format!("{base}:tasks"),
                    },
                    timeout: q.timeout(config),
                    at_most_once: q.at_most_once,
                    running: Arc::new(Semaphore::new(q.concurrency.unwrap_or(q.limit) as usize)),
                };
                (route, rq)
            })
            .collect();
        let queue = Arc::new(RedisQueue {
            redis: redis.clone(),
            namespace: namespace.to_owned(),
            role: config.role,
            routes,
            scripts: Scripts {
                admit: Script::from_lua(ADMIT),
                renew: Script::from_lua(RENEW),
                takeover: Script::from_lua(TAKEOVER),
                finish: Script::from_lua(FINISH),
                reclaim: Script::from_lua(RECLAIM),
                touch: Script::from_lua(TOUCH),
            },
            channel: format!("flyer:{namespace}:gw:{id}"),
            consumer: format!("{}-{}", std::process::id(), &id[..12]),
            waiters: Mutex::new(HashMap::new()),
            held: Mutex::new(HashMap::new()),
            running_entries: Mutex::new(HashMap::new()),
            executor: OnceLock::new(),
        });
        if !queue.routes.is_empty() {
            tokio::spawn(renew_loop(Arc::downgrade(&queue)));
            if queue.role != Role::Worker {
                let settings = config.redis.as_ref().ok_or_else(|| unavailable(redis))?;
                let mut builder = crate::redis::builder(settings);
                // Answers arrive in bursts under load; a lagging receiver would drop them.
                builder.with_performance_config(|p| p.broadcast_channel_capacity = 1 << 16);
                let subscriber = builder
                    .build_subscriber_client()
                    .map_err(|e| Error::internal("invalid Redis configuration").with_source(e))?;
                tokio::spawn(listen(Arc::downgrade(&queue), subscriber));
            }
        }
        Ok(queue)
    }

    /// Hands the application's routes to the workers, and starts them (roles `all` and
    /// `worker`).
    pub(crate) fn attach(
        self: &Arc<Self>,
        executor: Arc<BoxEndpoint<'static>>,
        services: Weak<Services>,
        config: &Config,
    ) {
        if self.executor.set((executor, services)).is_err() || self.routes.is_empty() {
            return;
        }
        if self.role != Role::Gateway
            && let Some(settings) = &config.redis
        {
            match crate::redis::builder(settings).build() {
                Ok(reader) => {
                    tokio::spawn(work_loop(Arc::downgrade(self), reader));
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

    fn hold(&self, route: &'static str, id: &str) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.entry(route).or_default().insert(id.to_owned());
    }

    fn unhold(&self, route: &'static str, id: &str) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = held.get_mut(route) {
            set.remove(id);
        }
    }

    /// Admits a request: runs it here (role `all`), or hands it to a worker and waits
    /// for the answer (role `gateway`); on a worker, runs it under the worker's lease.
    pub(crate) async fn enter(
        self: &Arc<Self>,
        controls: &'static Controls,
        spec: &QueueSpec,
        req: &Request,
    ) -> Result<Admission, Error> {
        let Some(route) = self.routes.get(controls.route) else {
            return Err(Error::internal("a queued route was not set up"));
        };
        if let Some(Admitted) = req.extensions().get::<Admitted>() {
            // A worker running a task: its lease and permit are held around this call.
            return Ok(Admission::Run(Ticket::new(Vec::new(), None, None)));
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let ttl = LEASE_TTL.as_millis() as u64;
        let timeout_ms = route.timeout.as_millis() as u64;
        if self.role == Role::All {
            let admitted = self
                .eval(
                    &self.scripts.admit,
                    vec![route.keys.leases.clone()],
                    vec![
                        n(ttl),
                        n(spec.limit.into()),
                        id.clone().into(),
                        n(timeout_ms),
                    ],
                )
                .await?;
            if admitted.as_u64() != Some(1) {
                return Err(over_capacity(spec.limit));
            }
            self.hold(route.route, &id);
            let lease = Lease {
                queue: Arc::clone(self),
                route: route.route,
                id,
            };
            return Ok(Admission::Run(Ticket::new(
                vec![Box::new(lease)],
                Some(Arc::clone(&route.running)),
                Some(route.timeout),
            )));
        }
        // Gateway: enqueue, then wait.
        let ip = req
            .extensions()
            .get::<crate::ClientIp>()
            .and_then(|ip| ip.0);
        let body = context::body().unwrap_or_default();
        let request_id = context::request_id().unwrap_or_default();
        let task = Task::from_request(
            id.clone(),
            self.channel.clone(),
            req,
            &body,
            &request_id,
            ip,
            timeout_ms,
        );
        let (tx, rx) = oneshot::channel();
        self.waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), tx);
        let _waiting = Waiting {
            queue: self,
            route: route.route,
            id: &id,
        };
        let admitted = self
            .eval(
                &self.scripts.admit,
                vec![route.keys.leases.clone(), route.keys.stream.clone()],
                vec![
                    n(ttl),
                    n(spec.limit.into()),
                    id.clone().into(),
                    n(timeout_ms),
                    Value::Bytes(wire::encode(&task).into()),
                    n(STREAM_CAP),
                ],
            )
            .await?;
        if admitted.as_u64() != Some(1) {
            return Err(over_capacity(spec.limit));
        }
        self.hold(route.route, &id);
        match tokio::time::timeout(route.timeout, rx).await {
            Ok(Ok(answer)) => Ok(Admission::Answer(answer.into_response())),
            _ => {
                // The answer may have come while the channel was away: it is kept a while.
                if let Ok(pool) = self.redis.connected().await
                    && let Ok(Some(bytes)) =
                        pool.get::<Option<Vec<u8>>, _>(self.reply_key(&id)).await
                    && let Some(answer) = wire::decode::<Answer>(&bytes)
                {
                    return Ok(Admission::Answer(answer.into_response()));
                }
                Err(Error::handler_timeout(format!(
                    "not answered within {:?}",
                    route.timeout
                )))
            }
        }
    }

    /// Delivers to every waiting request the answer already kept for it, if any.
    async fn sweep(&self) {
        let ids: Vec<String> = self
            .waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        let Ok(pool) = self.redis.connected().await else {
            return;
        };
        for id in ids {
            if let Ok(Some(bytes)) = pool.get::<Option<Vec<u8>>, _>(self.reply_key(&id)).await
                && let Some(answer) = wire::decode::<Answer>(&bytes)
            {
                let waiter = self
                    .waiters
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                if let Some(waiter) = waiter {
                    let _ = waiter.send(answer);
                }
            }
        }
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

    /// Runs one delivered task on this worker.
    async fn run_task(
        self: Arc<Self>,
        route: &'static str,
        entry: String,
        fields: HashMap<String, Value>,
        deliveries: u64,
    ) {
        let Some(rq) = self.routes.get(route) else {
            return;
        };
        let Some(task) = fields
            .get("t")
            .and_then(|v| v.as_bytes())
            .and_then(wire::decode::<Task>)
        else {
            // Not ours to read: drop it rather than loop on it.
            self.finish(rq, "", &entry, "", None).await;
            return;
        };
        let deadline = fields.get("d").and_then(|v| v.as_u64()).unwrap_or(0);
        if deliveries > 1 && (rq.at_most_once || deliveries > MAX_DELIVERIES) {
            let why = if rq.at_most_once {
                "the worker running this request stopped; the route runs requests at most once"
            } else {
                "given up: the request was delivered to workers that all stopped"
            };
            let answer = error_answer(&task, Error::internal(why)).await;
            self.finish(rq, &task.id, &entry, &task.reply_to, Some(&answer))
                .await;
            return;
        }
        let Ok(_permit) = Arc::clone(&rq.running).acquire_owned().await else {
            return;
        };
        let left = self
            .eval(
                &self.scripts.takeover,
                vec![rq.keys.leases.clone()],
                vec![
                    n(LEASE_TTL.as_millis() as u64),
                    task.id.clone().into(),
                    n(deadline),
                ],
            )
            .await;
        let left_ms = match left.ok().and_then(|v| v.as_u64()) {
            Some(ms) if ms > 0 => ms,
            // Nobody waits for it any more (the gateway gave up or died): drop it.
            _ => {
                self.finish(rq, &task.id, &entry, "", None).await;
                return;
            }
        };
        self.hold(route, &task.id);
        self.running_entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(route)
            .or_default()
            .insert(entry.clone());
        let answer = match self.executor.get() {
            Some((executor, services)) => {
                execute(executor, services, &task, Duration::from_millis(left_ms)).await
            }
            None => error_answer(&task, Error::internal("the worker is not ready")).await,
        };
        self.running_entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(route)
            .or_default()
            .remove(&entry);
        self.unhold(route, &task.id);
        self.finish(rq, &task.id, &entry, &task.reply_to, Some(&answer))
            .await;
    }
}

/// Runs `task` through the application's routes, as if it had arrived here.
async fn execute(
    executor: &Arc<BoxEndpoint<'static>>,
    services: &Weak<Services>,
    task: &Task,
    left: Duration,
) -> Answer {
    let (Some(mut req), Some(services)) = (task.to_request(), services.upgrade()) else {
        return error_answer(task, Error::internal("a task could not be run")).await;
    };
    req.extensions_mut().insert(services);
    req.extensions_mut().insert(Admitted);
    req.extensions_mut().insert(crate::ClientIp(task.client_ip));
    let json = req
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    let current = context::Current {
        id: Arc::from(task.request_id.as_str()),
        body: (!task.body.is_empty()).then(|| bytes::Bytes::from(task.body.clone())),
        json,
    };
    let run = async {
        let fut = std::panic::AssertUnwindSafe(executor.get_response(req));
        match tokio::time::timeout(left, futures_util::FutureExt::catch_unwind(fut)).await {
            Ok(Ok(resp)) => resp,
            Ok(Err(_)) => Error::internal("internal error").into_response(),
            Err(_) => {
                Error::handler_timeout(format!("not answered within {left:?}")).into_response()
            }
        }
    };
    let resp = context::scope(current, run).await;
    Answer::from_response(task.id.clone(), resp).await
}

async fn error_answer(task: &Task, err: Error) -> Answer {
    let current = context::Current {
        id: Arc::from(task.request_id.as_str()),
        body: None,
        json: false,
    };
    let resp = context::scope(current, async { err.into_response() }).await;
    Answer::from_response(task.id.clone(), resp).await
}

/// A lease held by a handler running in this process (role `all`).
struct Lease {
    queue: Arc<RedisQueue>,
    route: &'static str,
    id: String,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.queue.unhold(self.route, &self.id);
        let queue = Arc::clone(&self.queue);
        let (route, id) = (self.route, std::mem::take(&mut self.id));
        // Released off the request's path; if it fails, the lease expires by itself.
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Some(rq) = queue.routes.get(route) {
                    queue.finish(rq, &id, "", "", None).await;
                }
            });
        }
    }
}

/// A gateway's wait for an answer: forgotten however the wait ends.
struct Waiting<'a> {
    queue: &'a RedisQueue,
    route: &'static str,
    id: &'a str,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.queue
            .waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(self.id);
        self.queue.unhold(self.route, self.id);
    }
}

/// Renews every lease this instance holds, and touches the entries its workers run.
async fn renew_loop(queue: std::sync::Weak<RedisQueue>) {
    let mut tick = tokio::time::interval(RENEW_EVERY);
    loop {
        tick.tick().await;
        let Some(queue) = queue.upgrade() else { return };
        let held: Vec<(&'static str, Vec<String>)> = {
            let held = queue.held.lock().unwrap_or_else(|p| p.into_inner());
            held.iter()
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(r, ids)| (*r, ids.iter().cloned().collect()))
                .collect()
        };
        for (route, ids) in held {
            let Some(rq) = queue.routes.get(route) else {
                continue;
            };
            let mut args: Vec<Value> = vec![n(LEASE_TTL.as_millis() as u64)];
            args.extend(ids.into_iter().map(Value::from));
            let _ = queue
                .eval(&queue.scripts.renew, vec![rq.keys.leases.clone()], args)
                .await;
        }
        let entries: Vec<(&'static str, Vec<String>)> = {
            let running = queue
                .running_entries
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            running
                .iter()
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(r, ids)| (*r, ids.iter().cloned().collect()))
                .collect()
        };
        for (route, ids) in entries {
            let Some(rq) = queue.routes.get(route) else {
                continue;
            };
            let mut args: Vec<Value> = vec![GROUP.into(), queue.consumer.clone().into()];
            args.extend(ids.into_iter().map(Value::from));
            let _ = queue
                .eval(&queue.scripts.touch, vec![rq.keys.stream.clone()], args)
                .await;
        }
    }
}

/// Delivers answers published on this gateway's channel to the requests waiting.
async fn listen(queue: std::sync::Weak<RedisQueue>, subscriber: SubscriberClient) {
    let channel = match queue.upgrade() {
        Some(q) => q.channel.clone(),
        None => return,
    };
    let mut messages = subscriber.message_rx();
    let _resubscribe = subscriber.manage_subscriptions();
    // Answers published while the channel was away are kept under their keys: fetch them
    // once it is back, instead of at each request's timeout.
    let mut reconnects = subscriber.reconnect_rx();
    let sweeper = queue.clone();
    tokio::spawn(async move {
        while reconnects.recv().await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            match sweeper.upgrade() {
                Some(queue) => queue.sweep().await,
                None => return,
            }
        }
    });
    subscriber.connect();
    let subscribe = async {
        loop {
            if subscriber.wait_for_connect().await.is_ok()
                && subscriber.subscribe(channel.clone()).await.is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    subscribe.await;
    loop {
        let message = match messages.recv().await {
            Ok(message) => message,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                // Answers were missed: they are also kept under their keys.
                tracing::warn!(
                    missed,
                    "queue answers arrived faster than read; fetching them"
                );
                if let Some(queue) = queue.upgrade() {
                    tokio::spawn(async move { queue.sweep().await });
                }
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let Some(queue) = queue.upgrade() else { return };
        let Some(answer) = message.value.as_bytes().and_then(wire::decode::<Answer>) else {
            continue;
        };
        let waiter = queue
            .waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&answer.id);
        if let Some(waiter) = waiter {
            let _ = waiter.send(answer);
        }
    }
}

/// A worker: reads tasks of every queued route, runs them, and claims the tasks of
/// workers that stopped.
async fn work_loop(queue: std::sync::Weak<RedisQueue>, reader: Client) {
    reader.connect();
    let mut groups_ready = false;
    let mut last_reclaim = tokio::time::Instant::now();
    loop {
        let Some(q) = queue.upgrade() else { return };
        if !reader.is_connected() {
            drop(q);
            let _ = tokio::time::timeout(Duration::from_secs(1), reader.wait_for_connect()).await;
            continue;
        }
        if !groups_ready {
            groups_ready = true;
            for rq in q.routes.values() {
                let made: Result<Value, _> = reader
                    .xgroup_create(&rq.keys.stream, GROUP, "0", true)
                    .await;
                if let Err(err) = made
                    && !err.details().contains("BUSYGROUP")
                {
                    tracing::warn!(error = %err, "cannot create the queue's consumer group");
                    groups_ready = false;
                }
            }
            if !groups_ready {
                drop(q);
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        }
        if last_reclaim.elapsed() >= RENEW_EVERY {
            last_reclaim = tokio::time::Instant::now();
            reclaim(&q).await;
        }
        // Read only for routes with a free slot, no more than they can start.
        let open: Vec<&RouteQueue> = q
            .routes
            .values()
            .filter(|r| r.running.available_permits() > 0)
            .collect();
        if open.is_empty() {
            drop(q);
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        let count = open
            .iter()
            .map(|r| r.running.available_permits())
            .max()
            .unwrap_or(1) as u64;
        let streams: Vec<String> = open.iter().map(|r| r.keys.stream.clone()).collect();
        let ids: Vec<&str> = open.iter().map(|_| ">").collect();
        let by_stream: HashMap<String, &'static str> = open
            .iter()
            .map(|r| (r.keys.stream.clone(), r.route))
            .collect();
        let consumer = q.consumer.clone();
        drop(open);
        let read = reader
            .xreadgroup_map::<String, String, String, Value, _, _, _, _>(
                GROUP,
                consumer,
                Some(count),
                Some(1000),
                false,
                streams,
                ids,
            )
            .await;
        match read {
            Ok(batches) => {
                for (stream, entries) in batches {
                    let Some(route) = by_stream.get(&stream).copied() else {
                        continue;
                    };
                    for (entry, fields) in entries {
                        tokio::spawn(Arc::clone(&q).run_task(route, entry, fields, 1));
                    }
                }
            }
            Err(err) => {
                if err.details().contains("NOGROUP") {
                    groups_ready = false;
                }
                drop(q);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Claims the tasks of workers that stopped (idle past [`CLAIM_IDLE`]) and runs them.
async fn reclaim(queue: &Arc<RedisQueue>) {
    for rq in queue.routes.values() {
        let claimed = queue
            .eval(
                &queue.scripts.reclaim,
                vec![rq.keys.stream.clone()],
                vec![
                    GROUP.into(),
                    queue.consumer.clone().into(),
                    n(CLAIM_IDLE.as_millis() as u64),
                    n(10),
                    n(CONSUMER_GONE.as_millis() as u64),
                ],
            )
            .await;
        let Ok(Value::Array(entries)) = claimed else {
            continue;
        };
        for entry in entries {
            let Value::Array(parts) = entry else { continue };
            let mut parts = parts.into_iter();
            let (Some(id), Some(n), Some(Value::Array(flat))) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Some(id) = id.as_string() else { continue };
            let mut fields = HashMap::new();
            let mut flat = flat.into_iter();
            while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                if let Some(k) = k.as_string() {
                    fields.insert(k, v);
                }
            }
            tracing::warn!(route = rq.route, entry = %id, deliveries = n.as_u64().unwrap_or(0), "claimed the task of a stopped worker");
            tokio::spawn(Arc::clone(queue).run_task(rq.route, id, fields, n.as_u64().unwrap_or(2)));
        }
    }
}
