//! The worker's side: per queue group, a loop that reads no more entries than it can
//! start (highest priority first) and claims those of stopped workers; each entry is run
//! by [`super::run`].

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use fred::clients::Client;
use fred::interfaces::{ClientLike, StreamsInterface};
use fred::types::Value;

use super::run::Entry;
use super::{CLAIM_IDLE, CONSUMER_GONE, GROUP, RECLAIM_EVERY, RedisQueue, ms, n};
use crate::api::spec::Priority;

/// Most entries read or claimed at once.
const BATCH: usize = 64;
/// How long an idle blocking read waits before looking for entries to claim again.
const BLOCK_FOR: Duration = Duration::from_millis(500);

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
        // As many as are free now; each entry then takes its own slot (at once, unless
        // an `all` instance's own request took it meanwhile: then it waits, kept alive).
        let count = (1 + gate.free()).min(BATCH);
        drop(first);
        let mut entries = Vec::new();
        if last_reclaim.elapsed() >= RECLAIM_EVERY {
            last_reclaim = Instant::now();
            entries = q.reclaim(g, &mut cursors, count).await;
        }
        // With several levels, a script reads them in order, exactly as many as can
        // start; with one, the blocking read below does it in one step.
        let levels = q.groups.all[g].levels.len();
        if entries.len() < count && levels > 1 {
            match q.read(g, count - entries.len()).await {
                Ok(read) => entries.extend(read),
                Err(err) => {
                    if err.details().contains("NOGROUP") {
                        groups_ready = false;
                    }
                    drop(q);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        if entries.is_empty() {
            // Wait for entries: as many as were free on one stream; one a level across
            // several, whose order a single read cannot keep.
            let count = if levels == 1 { count } else { 1 };
            match q.block_read(g, &reader, count).await {
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
        }
        entries.sort_by_key(|e| e.level);
        for entry in entries {
            let task = Arc::clone(&q).run_entry(g, entry);
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
        count: usize,
    ) -> Result<Vec<Entry>, fred::error::Error> {
        let levels = &self.groups.all[g].levels;
        let streams: Vec<String> = levels.iter().map(|l| self.keys[g].stream(*l)).collect();
        let ids: Vec<&str> = levels.iter().map(|_| ">").collect();
        let read = reader
            .xreadgroup_map::<String, String, String, Value, _, _, _, _>(
                GROUP,
                self.consumer.clone(),
                Some(count as u64),
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
