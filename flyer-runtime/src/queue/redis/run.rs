//! One task on a worker: started under its run's fencing token (`takeover.lua`), run
//! through the application's routes, finished (`finish.lua`) — tried again until done —
//! or handed back when the worker stops before starting it.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use fred::types::Value;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, IntoResponse};
use tokio::sync::oneshot;

use super::keeper::HeldTask;
use super::wire::{self, Answer, Task};
use super::{CLAIM_IDLE, GROUP, HANDED_BACK, LEASE_TTL, MAX_DELIVERIES, RedisQueue, ms, n};
use crate::api::spec::Priority;
use crate::context;
use crate::error::Error;
use crate::extract::client_ip::ClientIp;
use crate::extract::state::Resources;
use crate::queue::Admitted;

/// What a caller is told when its `at_most_once` task's run was lost.
pub(super) const OUTCOME_UNKNOWN: &str = "outcome unknown: the worker running this request stopped answering, and the route runs requests at most once, so it was not run again";
/// What a caller is told when its task was given up.
const GIVEN_UP: &str = "given up: the request was delivered to workers that all stopped";
/// An entry read from a stream.
pub(super) struct Entry {
    pub(super) level: Priority,
    pub(super) id: String,
    pub(super) fields: HashMap<String, Value>,
    pub(super) deliveries: u64,
}

impl RedisQueue {
    /// Runs one delivered entry of group `g`, once one of its slots is free.
    pub(super) async fn run_entry(self: Arc<Self>, g: usize, entry: Entry) {
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
        let _slot = tokio::select! {
            slot = self.gates[g].acquire(entry.level) => slot,
            _ = lost.cancelled() => return,
            _ = self.stopping.cancelled() => {
                drop(hold);
                self.hand_back(g, entry.level, &entry.id).await;
                return;
            }
        };
        if self.stopping.is_cancelled() {
            drop(hold);
            self.hand_back(g, entry.level, &entry.id).await;
            return;
        }
        let started = self
            .eval(
                &self.scripts.takeover,
                vec![keys.leases(), keys.epoch(), keys.run(&task.id)],
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
                        ms(super::replies::HEARD_KEEP),
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
