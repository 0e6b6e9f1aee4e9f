//! The keeper: a thread of its own, with its own runtime and its own Redis connection,
//! that renews every lease this instance holds and keeps alive every entry its worker
//! holds, once a [`RENEW_EVERY`]. Handlers run on the request runtime, which may have one
//! thread that a CPU-bound handler keeps busy; the keeper is never waiting behind them, so
//! a live process never loses its permits or its tasks, and a process that stalls does.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use fred::clients::Client;
use fred::interfaces::ClientLike;
use fred::types::Value;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{GROUP, LEASE_TTL, RENEW_EVERY, RedisQueue, ms};
use crate::api::spec::Priority;
use crate::error::Error;

/// Most tasks touched by one script call.
const TOUCH_BATCH: usize = 64;

/// What the keeper keeps alive, per group (by index).
pub(super) struct Held {
    /// Leases this instance holds as the admitter: a gateway waiting, an `all` instance
    /// running the handler itself.
    leases: Mutex<Vec<HashSet<String>>>,
    /// Entries this worker holds, by entry id: waiting for a slot, or running.
    tasks: Mutex<Vec<HashMap<String, HeldTask>>>,
    /// Notified when the keeper finds that Redis lost a group's state.
    pub(super) state_lost: Vec<Notify>,
}

/// An entry a worker holds.
pub(super) struct HeldTask {
    pub(super) id: String,
    pub(super) level: Priority,
    /// The run's fencing token, once started.
    run: Option<String>,
    /// Cancelled when the task is lost (another run has it) or gone (Redis lost it).
    pub(super) lost: CancellationToken,
}

impl HeldTask {
    pub(super) fn new(id: String, level: Priority) -> Self {
        HeldTask {
            id,
            level,
            run: None,
            lost: CancellationToken::new(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Held {
    pub(super) fn new(groups: usize) -> Self {
        Held {
            leases: Mutex::new(vec![HashSet::new(); groups]),
            tasks: Mutex::new((0..groups).map(|_| HashMap::new()).collect()),
            state_lost: (0..groups).map(|_| Notify::new()).collect(),
        }
    }

    /// Keeps task `id`'s lease of group `g` alive until the guard is dropped.
    pub(super) fn hold_lease(self: &Arc<Self>, g: usize, id: &str) -> LeaseHold {
        lock(&self.leases)[g].insert(id.to_owned());
        LeaseHold {
            held: Arc::clone(self),
            g,
            id: id.to_owned(),
        }
    }

    /// Keeps entry `entry` of group `g` alive until the guard is dropped; returns the
    /// token cancelled if it is lost.
    pub(super) fn hold_task(
        self: &Arc<Self>,
        g: usize,
        entry: &str,
        task: HeldTask,
    ) -> (TaskHold, CancellationToken) {
        let lost = task.lost.clone();
        lock(&self.tasks)[g].insert(entry.to_owned(), task);
        let hold = TaskHold {
            held: Arc::clone(self),
            g,
            entry: entry.to_owned(),
        };
        (hold, lost)
    }
}

impl Held {
    /// Whether this worker holds entry `entry` of group `g`.
    pub(super) fn holds(&self, g: usize, entry: &str) -> bool {
        lock(&self.tasks)[g].contains_key(entry)
    }
}

/// A lease the keeper renews; released from its care when dropped.
pub(super) struct LeaseHold {
    held: Arc<Held>,
    g: usize,
    id: String,
}

impl Drop for LeaseHold {
    fn drop(&mut self) {
        lock(&self.held.leases)[self.g].remove(&self.id);
    }
}

/// An entry the keeper keeps alive; forgotten when dropped.
pub(super) struct TaskHold {
    held: Arc<Held>,
    g: usize,
    entry: String,
}

impl TaskHold {
    /// The task started as run `token`: from now on its run key and lease are renewed.
    pub(super) fn started(&self, token: &str) {
        if let Some(task) = lock(&self.held.tasks)[self.g].get_mut(&self.entry) {
            task.run = Some(token.to_owned());
        }
    }
}

impl Drop for TaskHold {
    fn drop(&mut self) {
        lock(&self.held.tasks)[self.g].remove(&self.entry);
    }
}

/// Starts the keeper's thread, with a connection of its own.
pub(super) fn spawn(queue: Weak<RedisQueue>) -> Result<(), Error> {
    let Some(q) = queue.upgrade() else {
        return Ok(());
    };
    let client = crate::data::redis::builder(&q.settings)
        .build()
        .map_err(|e| Error::internal("invalid Redis configuration").with_source(e))?;
    drop(q);
    std::thread::Builder::new()
        .name("flyer-queue-keeper".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(err) => {
                    tracing::error!(error = %err, "the queue's keeper cannot start");
                    return;
                }
            };
            runtime.block_on(async move {
                client.connect();
                // The first round as soon as connected: a new group warms up at start-up.
                let _ = client.wait_for_connect().await;
                let mut tick = tokio::time::interval(RENEW_EVERY);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let Some(queue) = queue.upgrade() else { break };
                    keep(&queue, &client).await;
                }
            });
        })
        .map_err(|e| Error::internal("cannot start the queue's keeper").with_source(e))?;
    Ok(())
}

/// One round: renews the leases held as admitter, touches the entries held as worker.
async fn keep(queue: &RedisQueue, client: &Client) {
    if !client.is_connected() {
        return;
    }
    for g in 0..queue.groups.all.len() {
        let keys = &queue.keys[g];
        let state: Result<i64, _> = queue
            .scripts
            .epoch
            .evalsha_with_reload(client, vec![keys.epoch()], vec![ms(LEASE_TTL)])
            .await;
        if let Ok(1) = state {
            queue.mark_lost(g);
            queue.held.state_lost[g].notify_one();
        }
        renew(queue, client, g).await;
        touch(queue, client, g).await;
    }
}

async fn renew(queue: &RedisQueue, client: &Client, g: usize) {
    let ids: Vec<String> = lock(&queue.held.leases)[g].iter().cloned().collect();
    if ids.is_empty() {
        return;
    }
    let keys = &queue.keys[g];
    let mut args = vec![ms(LEASE_TTL)];
    args.extend(ids.into_iter().map(Value::from));
    let renewed: Result<i64, _> = queue
        .scripts
        .renew
        .evalsha_with_reload(client, vec![keys.leases(), keys.epoch()], args)
        .await;
    match renewed {
        Ok(1) => queue.held.state_lost[g].notify_one(),
        Ok(_) => {}
        Err(err) => tracing::debug!(error = %err, "renewing the queue's leases failed"),
    }
}

async fn touch(queue: &RedisQueue, client: &Client, g: usize) {
    let tasks: Vec<(String, String, Priority, Option<String>, CancellationToken)> =
        lock(&queue.held.tasks)[g]
            .iter()
            .map(|(entry, t)| {
                (
                    entry.clone(),
                    t.id.clone(),
                    t.level,
                    t.run.clone(),
                    t.lost.clone(),
                )
            })
            .collect();
    let keys = &queue.keys[g];
    for batch in tasks.chunks(TOUCH_BATCH) {
        let mut script_keys = vec![keys.leases(), keys.epoch()];
        let mut args: Vec<Value> = vec![ms(LEASE_TTL), GROUP.into(), queue.consumer.clone().into()];
        for (entry, id, level, run, _) in batch {
            script_keys.push(keys.stream(*level));
            script_keys.push(keys.run(id));
            args.push(if run.is_some() { "r" } else { "w" }.into());
            args.push(id.clone().into());
            args.push(entry.clone().into());
            args.push(run.clone().unwrap_or_default().into());
        }
        let statuses: Result<Vec<i64>, _> = queue
            .scripts
            .touch
            .evalsha_with_reload(client, script_keys, args)
            .await;
        let statuses = match statuses {
            Ok(statuses) => statuses,
            Err(err) => {
                tracing::debug!(error = %err, "touching the queue's entries failed");
                continue;
            }
        };
        for ((entry, id, _, run, lost), status) in batch.iter().zip(statuses) {
            if status != 1 {
                tracing::warn!(
                    task = %id,
                    entry = %entry,
                    running = run.is_some(),
                    "{}",
                    if status == 0 {
                        "lost the task to another run: it stops here and publishes nothing"
                    } else {
                        "Redis lost this waiting task; its gateway puts it back"
                    }
                );
                lost.cancel();
            }
        }
    }
}
