//! The worker's side: reads tasks of every queued route, runs them through the
//! application's routes, and claims the tasks of workers that stopped.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use fred::clients::Client;
use fred::interfaces::{ClientLike, StreamsInterface};
use fred::types::Value;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, IntoResponse};

use super::wire::{self, Answer, Task};
use super::{
    CLAIM_IDLE, CONSUMER_GONE, GROUP, LEASE_TTL, MAX_DELIVERIES, RENEW_EVERY, RedisQueue,
    RouteQueue, n,
};
use crate::context;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::extract::state::Resources;
use crate::queue::Admitted;

impl RedisQueue {
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
            Some((executor, resources)) => {
                execute(executor, resources, &task, Duration::from_millis(left_ms)).await
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
    resources: &Weak<Resources>,
    task: &Task,
    left: Duration,
) -> Answer {
    let (Some(mut req), Some(resources)) = (task.to_request(), resources.upgrade()) else {
        return error_answer(task, Error::internal("a task could not be run")).await;
    };
    req.extensions_mut().insert(resources);
    req.extensions_mut().insert(Admitted);
    req.extensions_mut().insert(ClientIp(task.client_ip));
    let json = context::is_json(req.headers());
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

/// A worker: reads tasks of every queued route, runs them, and claims the tasks of
/// workers that stopped.
pub(super) async fn work_loop(queue: std::sync::Weak<RedisQueue>, reader: Client) {
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
