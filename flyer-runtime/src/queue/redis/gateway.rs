//! The gateway's side: admits a request and either runs it here (role `all`) or enqueues
//! it and waits for a worker's answer on its own reply channel (role `gateway`).

use std::sync::Arc;
use std::time::Duration;

use fred::clients::SubscriberClient;
use fred::interfaces::{ClientLike, EventInterface, KeysInterface, PubsubInterface};
use fred::types::Value;
use poem::Request;
use tokio::sync::oneshot;

use super::leases::Lease;
use super::wire::{self, Answer, Task};
use super::{LEASE_TTL, RedisQueue, STREAM_CAP, n};
use crate::api::spec::{Controls, QueueSpec};
use crate::config::Role;
use crate::context;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::queue::{Admission, Admitted, Ticket, over_capacity};

impl RedisQueue {
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
        let ip = ClientIp::of(req);
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

/// Delivers answers published on this gateway's channel to the requests waiting.
pub(super) async fn listen(queue: std::sync::Weak<RedisQueue>, subscriber: SubscriberClient) {
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
