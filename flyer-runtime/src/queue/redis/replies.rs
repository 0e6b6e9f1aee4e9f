//! The reply side of a gateway: the requests waiting for their answers, the channel the
//! answers arrive on — watched with a heartbeat published to it every second, subscribed
//! again when it goes silent — and the answers kept under their keys for a gateway that
//! missed them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use fred::clients::SubscriberClient;
use fred::interfaces::{ClientLike, EventInterface, KeysInterface, PubsubInterface};
use tokio::sync::oneshot;

use super::RedisQueue;
use super::wire::{self, Answer};
use crate::api::spec::Priority;

/// The payload of the heartbeat a gateway publishes to itself.
const HEARTBEAT: &[u8] = b"\0flyer-heartbeat";
/// A channel silent this long (heartbeats included) is subscribed again.
const CHANNEL_SILENT: Duration = Duration::from_secs(3);
/// How long an answer heard on a channel is kept: Redis counts it heard once written to
/// the subscriber's socket, which a silent subscription never reads; until the heartbeat
/// notices and the gateway reads the answers from their keys.
pub(super) const HEARD_KEEP: Duration = Duration::from_secs(6);

/// A request this gateway waits for.
pub(super) struct Waiter {
    pub(super) tx: oneshot::Sender<Answer>,
    pub(super) g: usize,
    pub(super) level: Priority,
    /// The task as enqueued, to put it back if Redis loses it.
    pub(super) task: Vec<u8>,
    pub(super) at_most_once: bool,
    /// When it stops mattering, on Redis's clock (known once admitted).
    pub(super) deadline: u64,
    /// Redis lost its group's state while it waited: it may have to be put back.
    pub(super) lost: bool,
}

impl RedisQueue {
    pub(super) fn lock_waiters(&self) -> MutexGuard<'_, HashMap<String, Waiter>> {
        self.waiters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The answer to task `id` kept under its key, if any.
    pub(super) async fn kept_answer(&self, g: usize, id: &str) -> Option<Answer> {
        let pool = self.redis.connected().await.ok()?;
        let bytes: Option<Vec<u8>> = pool.get(self.keys[g].reply(id)).await.ok()?;
        wire::decode::<Answer>(&bytes?)
    }

    /// Delivers to every waiting request the answer already kept for it, if any.
    pub(super) async fn sweep(&self) {
        let waiting: Vec<(String, usize)> = self
            .lock_waiters()
            .iter()
            .map(|(id, w)| (id.clone(), w.g))
            .collect();
        for (id, g) in waiting {
            if let Some(answer) = self.kept_answer(g, &id).await {
                self.deliver(answer);
            }
        }
    }

    pub(super) fn deliver(&self, answer: Answer) {
        let waiter = self.lock_waiters().remove(&answer.id);
        if let Some(waiter) = waiter {
            let _ = waiter.tx.send(answer);
        }
    }
}

/// A gateway's wait for an answer: forgotten however the wait ends.
pub(super) struct Waiting<'a> {
    pub(super) queue: &'a RedisQueue,
    pub(super) id: &'a str,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.queue.lock_waiters().remove(self.id);
    }
}

/// Delivers answers published on this gateway's channel to the requests waiting, and
/// watches the channel: a heartbeat published to it every second must come back, or the
/// subscription is made again (the answers in between are read from their keys).
pub(super) async fn listen(queue: std::sync::Weak<RedisQueue>, subscriber: SubscriberClient) {
    let channel = match queue.upgrade() {
        Some(q) => q.channel.clone(),
        None => return,
    };
    let mut messages = subscriber.message_rx();
    let _resubscribe = subscriber.manage_subscriptions();
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
    loop {
        if subscriber.wait_for_connect().await.is_ok()
            && subscriber.subscribe(channel.clone()).await.is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let started = Instant::now();
    let heard = Arc::new(AtomicU64::new(0));
    tokio::spawn(heartbeat(
        queue.clone(),
        subscriber.clone(),
        channel,
        started,
        Arc::clone(&heard),
    ));
    loop {
        let message = match messages.recv().await {
            Ok(message) => message,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
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
        let Some(bytes) = message.value.as_bytes() else {
            continue;
        };
        heard.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        if bytes == HEARTBEAT {
            continue;
        }
        let Some(queue) = queue.upgrade() else { return };
        if let Some(answer) = wire::decode::<Answer>(bytes) {
            queue.deliver(answer);
        }
    }
}

/// Publishes a heartbeat to the gateway's own channel every second; when nothing came
/// back for [`CHANNEL_SILENT`] while Redis answers, subscribes again.
async fn heartbeat(
    queue: std::sync::Weak<RedisQueue>,
    subscriber: SubscriberClient,
    channel: String,
    started: Instant,
    heard: Arc<AtomicU64>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Some(queue) = queue.upgrade() else { return };
        let Ok(pool) = queue.redis.connected().await else {
            continue;
        };
        let published: Result<i64, _> = pool.next().publish(&channel, HEARTBEAT).await;
        if published.is_err() {
            continue;
        }
        let silent = started
            .elapsed()
            .saturating_sub(Duration::from_millis(heard.load(Ordering::Relaxed)));
        if silent > CHANNEL_SILENT {
            tracing::warn!(
                silent_ms = silent.as_millis() as u64,
                "the queue's reply channel went silent; subscribing again"
            );
            heard.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
            let _ = subscriber.force_reconnection().await;
            queue.sweep().await;
        }
    }
}
