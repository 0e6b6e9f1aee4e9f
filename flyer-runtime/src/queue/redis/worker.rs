//! The worker's side: per queue group, a loop that reads no more entries than it can
//! start (highest priority first), claims those of stopped workers, and runs each task
//! through the application's routes under its run's fencing token.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use fred::clients::Client;
use fred::interfaces::{ClientLike, StreamsInterface};
use fred::types::Value;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, IntoResponse};
use tokio::sync::oneshot;

use super::keeper::HeldTask;
use super::wire::{self, Answer, Task};
use super::{
    CLAIM_IDLE, CONSUMER_GONE, GROUP, HANDED_BACK, LEASE_TTL, MAX_DELIVERIES, RECLAIM_EVERY,
    RedisQueue, ms, n,
};
use crate::api::spec::Priority;
use crate::context;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::extract::state::Resources;
use crate::queue::Admitted;
use crate::queue::gate::Slot;

/// What a caller is told when its `at_most_once` task's run was lost.
pub(super) const OUTCOME_UNKNOWN: &str = "outcome unknown: the worker running this request stopped answering, and the route runs requests at most once, so it was not run again";
/// What a caller is told when its task was given up.
const GIVEN_UP: &str = "given up: the request was delivered to workers that all stopped";
/// Most entries read or claimed at once.
const BATCH: usize = 64;
/// How long an idle blocking read waits before looking for entries to claim again.
const BLOCK_FOR: Duration = Duration::from_millis(500);

/// An entry read from a stream.
struct Entry {
    level: Priority,
    id: String,
    fields: HashMap<String, Value>,
    deliveries: u64,
}

/// Starts a reading loop per group, each with a connection of its own (its blocking read
/// would hold up any other command on it).
pub(super) fn spawn(queue: &Arc<RedisQueue>) {
    for g in 0..queue.groups.all.len() {
        match crate::data::redis::builder(&queue.settings).build() {
            Ok(reader) => {
                tokio::spawn(read_loop(Arc::downgrade(queue), g, reader));
            }
            Err(err) => tracing::error!(error = %err, "cannot start the queue's worker"),
        }
    }
    tokio::spawn(forget_loop(Arc::downgrade(queue)));
}

/// Creates the consumer group of every stream of group `g` (and the streams).
async fn create_groups(queue: &RedisQueue, reader: &Client, g: usize) -> bool {
    let mut ok = true;
    for level in &queue.groups.all[g].levels {
        let made: Result<Value, _> = reader
            .xgroup_create(queue.keys[g].stream(*level), GROUP, "0", true)
            .await;
        if let Err(err) = made
            && !err.details().contains("BUSYGROUP")
        {
            tracing::warn!(error = %err, "cannot create the queue's consumer group");
            ok = false;
        }
    }
    ok
}

fn entries_of(levels: &[Priority], raw: Value, claimed: bool) -> Vec<Entry> {
    let Value::Array(items) = raw else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|item| {
            let Value::Array(parts) = item else {
                return None;
            };
            let mut parts = parts.into_iter();
            let (first, id, third) = (parts.next()?, parts.next()?, parts.next()?);
            // `read.lua` gives {stream index, id, fields}; `reclaim.lua` {id, deliveries, fields}.
            let (level, id, deliveries, flat) = if claimed {
                (
                    levels[0],
                    first.as_string()?,
                    id.as_u64().unwrap_or(2),
                    third,
                )
            } else {
                let index = first.as_u64()? as usize;
                (
                    *levels.get(index.checked_sub(1)?)?,
                    id.as_string()?,
                    1,
                    third,
                )
            };
            let Value::Array(flat) = flat else {
                return None;
            };
            let mut fields = HashMap::new();
            let mut flat = flat.into_iter();
            while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
                fields.insert(k.as_string()?, v);
            }
            Some(Entry {
                level,
                id,
                fields,
                deliveries,
            })
        })
        .collect()
}

/// Reads the tasks of group `g`, runs them, claims those of workers that stopped.
async fn read_loop(queue: Weak<RedisQueue>, g: usize, reader: Client) {
    reader.connect();
    let mut groups_ready = false;
    let mut cursors: HashMap<Priority, String> = HashMap::new();
    let mut last_reclaim = Instant::now() - RECLAIM_EVERY;
    loop {
        let Some(q) = queue.upgrade() else { return };
        if q.stopping.is_cancelled() {
            return;
        }
        if !reader.is_connected() {
            drop(q);
            let _ = tokio::time::timeout(Duration::from_secs(1), reader.wait_for_connect()).await;
            continue;
        }
        if !groups_ready {
            groups_ready = create_groups(&q, &reader, g).await;
            if !groups_ready {
                drop(q);
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        }
        let gate = Arc::clone(&q.gates[g]);
        let stopping = q.stopping.clone();
        drop(q);
        // A slot first: entries are read only when they can start. Asked at the lowest
        // level, so that entries already held start before new ones are read.
        let first = tokio::select! {
            slot = gate.acquire(Priority::Low) => slot,
            _ = stopping.cancelled() => return,
        };
        let Some(q) = queue.upgrade() else { return };
        let mut slots = vec![first];
        slots.extend(gate.take_free(BATCH - 1));
        let mut entries = Vec::new();
        if last_reclaim.elapsed() >= RECLAIM_EVERY {
            last_reclaim = Instant::now();
            entries = q.reclaim(g, &mut cursors, slots.len()).await;
        }
        if entries.len() < slots.len() {
            match q.read(g, slots.len() - entries.len()).await {
                Ok(read) => entries.extend(read),
                Err(err) => {
                    if err.details().contains("NOGROUP") {
                        groups_ready = false;
                    }
                    drop((q, slots));
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        if entries.is_empty() {
            // Nothing waits: give the slots back (an `all` instance's own requests may
            // need them) and block until something comes.
            drop(slots);
            match q.block_read(g, &reader).await {
                Ok(read) => entries = read,
                Err(err) => {
                    if err.details().contains("NOGROUP") {
                        groups_ready = false;
                    }
                    drop(q);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
            slots = Vec::new();
        }
        entries.sort_by_key(|e| e.level);
        for entry in entries {
            let slot = slots.pop();
            let task = Arc::clone(&q).run_entry(g, entry, slot);
            q.tasks.spawn(task);
        }
    }
}

impl RedisQueue {
    /// New entries of group `g`, at most `count`, highest level first.
    async fn read(&self, g: usize, count: usize) -> Result<Vec<Entry>, fred::error::Error> {
        let levels = &self.groups.all[g].levels;
        let streams = levels.iter().map(|l| self.keys[g].stream(*l)).collect();
        let raw = self
            .eval(
                &self.scripts.read,
                streams,
                vec![GROUP.into(), self.consumer.clone().into(), n(count as u64)],
            )
            .await?;
        Ok(entries_of(levels, raw, false))
    }

    /// Waits (a while) for a new entry of group `g`, on the reader's own connection.
    async fn block_read(
        &self,
        g: usize,
        reader: &Client,
    ) -> Result<Vec<Entry>, fred::error::Error> {
        let levels = &self.groups.all[g].levels;
        let streams: Vec<String> = levels.iter().map(|l| self.keys[g].stream(*l)).collect();
        let ids: Vec<&str> = levels.iter().map(|_| ">").collect();
        let read = reader
            .xreadgroup_map::<String, String, String, Value, _, _, _, _>(
                GROUP,
                self.consumer.clone(),
                Some(1),
                Some(BLOCK_FOR.as_millis() as u64),
                false,
                streams.clone(),
                ids,
            )
            .await?;
        let mut entries = Vec::new();
        for (stream, found) in read {
            let Some(at) = streams.iter().position(|s| *s == stream) else {
                continue;
            };
            for (id, fields) in found {
                entries.push(Entry {
                    level: levels[at],
                    id,
                    fields,
                    deliveries: 1,
                });
            }
        }
        Ok(entries)
    }

    /// Claims up to `count` entries of group `g` idle past [`CLAIM_IDLE`] (their worker
    /// stopped), following each stream's cursor so that a long backlog is walked through.
    async fn reclaim(
        &self,
        g: usize,
        cursors: &mut HashMap<Priority, String>,
        count: usize,
    ) -> Vec<Entry> {
        let mut claimed = Vec::new();
        for level in self.groups.all[g].levels.clone() {
            let cursor = cursors.entry(level).or_insert_with(|| "0-0".to_owned());
            while claimed.len() < count {
                let got = self
                    .eval(
                        &self.scripts.reclaim,
                        vec![self.keys[g].stream(level)],
                        vec![
                            GROUP.into(),
                            self.consumer.clone().into(),
                            ms(CLAIM_IDLE),
                            cursor.clone().into(),
                            n((count - claimed.len()) as u64),
                        ],
                    )
                    .await;
                let Ok(Value::Array(mut parts)) = got else {
                    break;
                };
                if parts.len() != 2 {
                    break;
                }
                let found = parts.pop().unwrap_or(Value::Null);
                let next = parts.pop().and_then(|v| v.as_string()).unwrap_or_default();
                // An entry this worker holds itself went idle while Redis was away: it is
                // still running here, not another worker's to restart.
                let found: Vec<Entry> = entries_of(&[level], found, true)
                    .into_iter()
                    .filter(|e| !self.held.holds(g, &e.id))
                    .collect();
                for e in &found {
                    tracing::warn!(entry = %e.id, deliveries = e.deliveries, "claimed the task of a stopped worker");
                }
                claimed.extend(found);
                let wrapped = next == "0-0" || next.is_empty();
                *cursor = if wrapped { "0-0".to_owned() } else { next };
                if wrapped {
                    break;
                }
            }
        }
        claimed
    }

    /// Runs one delivered entry of group `g`, in `slot` or once one is free.
    async fn run_entry(self: Arc<Self>, g: usize, entry: Entry, slot: Option<Slot>) {
        let keys = &self.keys[g];
        let stream = keys.stream(entry.level);
        let Some(task) = entry
            .fields
            .get("t")
            .and_then(|v| v.as_bytes())
            .and_then(wire::decode::<Task>)
        else {
            // Not ours to read: drop it rather than loop on it.
            self.finish(g, &stream, "", &entry.id, "", None, None).await;
            return;
        };
        let deadline = entry.fields.get("d").and_then(|v| v.as_u64()).unwrap_or(0);
        let token = format!("{}:{}", self.consumer, entry.deliveries);
        let (hold, lost) =
            self.held
                .hold_task(g, &entry.id, HeldTask::new(task.id.clone(), entry.level));
        if entry.deliveries > MAX_DELIVERIES && !task.at_most_once {
            let answer = error_answer(&task, Error::internal(GIVEN_UP)).await;
            self.finish(
                g,
                &stream,
                &task.id,
                &entry.id,
                "",
                Some(&task.reply_to),
                Some(&answer),
            )
            .await;
            return;
        }
        let _slot = match slot {
            Some(slot) => slot,
            None => tokio::select! {
                slot = self.gates[g].acquire(entry.level) => slot,
                _ = lost.cancelled() => return,
                _ = self.stopping.cancelled() => {
                    drop(hold);
                    self.hand_back(g, entry.level, &entry.id).await;
                    return;
                }
            },
        };
        if self.stopping.is_cancelled() {
            drop(hold);
            self.hand_back(g, entry.level, &entry.id).await;
            return;
        }
        let started = self
            .eval(
                &self.scripts.takeover,
                vec![
                    keys.leases(),
                    keys.epoch(),
                    keys.run(&task.id),
                    keys.cancel(&task.id),
                ],
                vec![
                    ms(LEASE_TTL),
                    task.id.clone().into(),
                    entry.id.clone().into(),
                    token.clone().into(),
                    n(deadline),
                    if task.at_most_once { "1" } else { "0" }.into(),
                ],
            )
            .await;
        let left_ms = match started.map(|v| v.as_i64()) {
            Ok(Some(ms)) if ms > 0 => ms as u64,
            Ok(Some(-1)) => {
                let answer = error_answer(&task, Error::internal(OUTCOME_UNKNOWN)).await;
                self.finish(
                    g,
                    &stream,
                    &task.id,
                    &entry.id,
                    "",
                    Some(&task.reply_to),
                    Some(&answer),
                )
                .await;
                return;
            }
            // Cancelled, past its deadline, its gateway gone, or done: nothing to run.
            Ok(_) => {
                self.finish(g, &stream, &task.id, &entry.id, "", None, None)
                    .await;
                return;
            }
            // Redis does not answer: the entry stays pending, and is claimed again.
            Err(err) => {
                tracing::warn!(error = %err, task = %task.id, "cannot start a queued task now");
                return;
            }
        };
        hold.started(&token);
        let (guard, stopped) = RunGuard::new();
        let answer = match self.executor.get() {
            Some((executor, resources)) => tokio::select! {
                answer = execute(executor, resources, &task, Duration::from_millis(left_ms), guard) => Some(answer),
                // Another run has the task: drop the handler here, publish nothing.
                _ = lost.cancelled() => None,
            },
            None => Some(error_answer(&task, Error::internal("the worker is not ready")).await),
        };
        if lost.is_cancelled() {
            // Its handler is dropped (an async one) or left to return (a plain `fn`,
            // holding this slot until then); the task is another run's now.
            drop(hold);
            let _ = stopped.await;
            return;
        }
        // A plain `fn` cannot be stopped: its run, and the permit, last until it returns.
        let _ = stopped.await;
        self.finish(
            g,
            &stream,
            &task.id,
            &entry.id,
            &token,
            Some(&task.reply_to),
            answer.as_ref(),
        )
        .await;
        drop(hold);
    }

    /// Ends a task: releases its lease, acknowledges its entry, delivers its answer. The
    /// step is idempotent for its run, so it is tried again until it is done, for as long
    /// as the task's lease may matter.
    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        g: usize,
        stream: &str,
        id: &str,
        entry: &str,
        token: &str,
        reply_to: Option<&str>,
        answer: Option<&Answer>,
    ) {
        let keys = &self.keys[g];
        let keep = self.groups.all[g].longest + Duration::from_secs(1);
        let answer = answer.map(wire::encode).unwrap_or_default();
        let give_up = Instant::now() + keep + LEASE_TTL;
        let mut backoff = Duration::from_millis(50);
        loop {
            let done = self
                .eval(
                    &self.scripts.finish,
                    vec![
                        keys.leases(),
                        keys.run(id),
                        stream.to_owned(),
                        keys.reply(id),
                        keys.epoch(),
                    ],
                    vec![
                        id.into(),
                        entry.into(),
                        GROUP.into(),
                        token.into(),
                        reply_to.unwrap_or_default().into(),
                        Value::Bytes(answer.clone().into()),
                        ms(keep),
                        ms(LEASE_TTL),
                        ms(super::gateway::HEARD_KEEP),
                    ],
                )
                .await;
            match done {
                Ok(v) if v.as_i64() == Some(0) => {
                    tracing::warn!(task = id, "another run has this task: its answer is theirs");
                    return;
                }
                Ok(_) => return,
                Err(err) if Instant::now() < give_up => {
                    tracing::warn!(error = %err, task = id, "could not finish a task; trying again");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
                Err(err) => {
                    tracing::error!(error = %err, task = id, "could not finish a task; its lease expires by itself");
                    return;
                }
            }
        }
    }

    /// Hands entry `entry` back to the stream (this worker is stopping): the next worker
    /// claims it at once.
    async fn hand_back(&self, g: usize, level: Priority, entry: &str) {
        let handed = self
            .eval(
                &self.scripts.handback,
                vec![self.keys[g].stream(level)],
                vec![
                    GROUP.into(),
                    HANDED_BACK.into(),
                    ms(CLAIM_IDLE + Duration::from_millis(100)),
                    entry.into(),
                ],
            )
            .await;
        if let Err(err) = handed {
            tracing::warn!(error = %err, entry, "could not hand a task back; it is claimed once idle");
        }
    }
}

/// Lives as long as a task's handler: the ticket holds a clone until the handler stops (a
/// plain `fn` past its timeout included); `stopped` resolves when the last one is gone.
struct RunGuard(Option<oneshot::Sender<()>>);

impl RunGuard {
    fn new() -> (Arc<RunGuard>, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        (Arc::new(RunGuard(Some(tx))), rx)
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// Runs `task` through the application's routes, as if it had arrived here.
async fn execute(
    executor: &Arc<BoxEndpoint<'static>>,
    resources: &Weak<Resources>,
    task: &Task,
    left: Duration,
    guard: Arc<RunGuard>,
) -> Answer {
    let (Some(mut req), Some(resources)) = (task.to_request(), resources.upgrade()) else {
        return error_answer(task, Error::internal("a task could not be run")).await;
    };
    req.extensions_mut().insert(resources);
    req.extensions_mut().insert(Admitted { guard });
    req.extensions_mut().insert(ClientIp(task.client_ip));
    let current = context::Current {
        id: Arc::from(task.request_id.as_str()),
        body: (!task.body.is_empty()).then(|| bytes::Bytes::from(task.body.clone())),
        json: context::is_json(req.headers()),
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

/// `err` as the answer to `task`, with its request id.
pub(super) async fn error_answer(task: &Task, err: Error) -> Answer {
    let current = context::Current {
        id: Arc::from(task.request_id.as_str()),
        body: None,
        json: false,
    };
    let resp = context::scope(current, async { err.into_response() }).await;
    Answer::from_response(task.id.clone(), resp).await
}

/// Forgets the consumer names of stopped workers, now and then.
async fn forget_loop(queue: Weak<RedisQueue>) {
    let mut tick = tokio::time::interval(CONSUMER_GONE);
    loop {
        tick.tick().await;
        let Some(q) = queue.upgrade() else { return };
        for (g, group) in q.groups.all.iter().enumerate() {
            for level in &group.levels {
                let _ = q
                    .eval(
                        &q.scripts.forget,
                        vec![q.keys[g].stream(*level)],
                        vec![GROUP.into(), ms(CONSUMER_GONE), q.consumer.clone().into()],
                    )
                    .await;
            }
        }
    }
}
