//! Leases this instance holds: registered while needed, renewed every [`RENEW_EVERY`], and
//! released when the handler stops (or left to expire if the process dies).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use fred::types::Value;

use super::{GROUP, LEASE_TTL, RENEW_EVERY, RedisQueue, n};

impl RedisQueue {
    pub(super) fn hold(&self, route: &'static str, id: &str) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.entry(route).or_default().insert(id.to_owned());
    }

    pub(super) fn unhold(&self, route: &'static str, id: &str) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = held.get_mut(route) {
            set.remove(id);
        }
    }
}

/// A lease held by a handler running in this process (role `all`).
pub(super) struct Lease {
    pub(super) queue: Arc<RedisQueue>,
    pub(super) route: &'static str,
    pub(super) id: String,
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

/// The non-empty sets of `by_route`, copied out so that no lock is held across an await.
fn snapshot(
    by_route: &Mutex<HashMap<&'static str, HashSet<String>>>,
) -> Vec<(&'static str, Vec<String>)> {
    by_route
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(r, ids)| (*r, ids.iter().cloned().collect()))
        .collect()
}

/// Renews every lease this instance holds, and touches the entries its workers run.
pub(super) async fn renew_loop(queue: std::sync::Weak<RedisQueue>) {
    let mut tick = tokio::time::interval(RENEW_EVERY);
    loop {
        tick.tick().await;
        let Some(queue) = queue.upgrade() else { return };
        for (route, ids) in snapshot(&queue.held) {
            let Some(rq) = queue.routes.get(route) else {
                continue;
            };
            let mut args: Vec<Value> = vec![n(LEASE_TTL.as_millis() as u64)];
            args.extend(ids.into_iter().map(Value::from));
            let _ = queue
                .eval(&queue.scripts.renew, vec![rq.keys.leases.clone()], args)
                .await;
        }
        for (route, ids) in snapshot(&queue.running_entries) {
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
