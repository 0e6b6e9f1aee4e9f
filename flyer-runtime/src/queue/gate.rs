//! Counting in one process, by priority: [`Admissions`] bounds how many requests of a group
//! are admitted at once (keeping `reserve` of them for `high`), and [`Gate`] how many run
//! at once, starting waiting `high` requests first, then `normal`, then `low`, each level
//! first come first served. tokio's semaphore is FIFO only; this is that, with three lines.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::api::spec::Priority;

/// How many requests of a group are admitted at once.
pub(crate) struct Admissions {
    limit: u32,
    reserve: u32,
    taken: Mutex<u32>,
}

/// One admitted request: its permit comes back when this is dropped.
pub(crate) struct Admitted(Arc<Admissions>);

impl Admissions {
    pub(crate) fn new(limit: u32, reserve: u32) -> Arc<Self> {
        Arc::new(Admissions {
            limit,
            reserve,
            taken: Mutex::new(0),
        })
    }

    /// Admits a request at `priority`, or `None` when the group is full for it: `high`
    /// may take every permit, the others all but `reserve`.
    pub(crate) fn try_admit(self: &Arc<Self>, priority: Priority) -> Option<Admitted> {
        let cap = if priority == Priority::High {
            self.limit
        } else {
            self.limit - self.reserve.min(self.limit)
        };
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        if *taken >= cap {
            return None;
        }
        *taken += 1;
        Some(Admitted(Arc::clone(self)))
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut taken = self.0.taken.lock().unwrap_or_else(|p| p.into_inner());
        *taken = taken.saturating_sub(1);
    }
}

/// How many run at once in this process, started by priority.
pub(crate) struct Gate {
    state: Mutex<State>,
}

struct State {
    free: usize,
    /// Who waits, one line per level.
    waiting: [VecDeque<oneshot::Sender<Slot>>; 3],
}

/// The right to run one handler; handed to the next in line when dropped.
pub(crate) struct Slot(Option<Arc<Gate>>);

impl Gate {
    pub(crate) fn new(slots: usize) -> Arc<Self> {
        Arc::new(Gate {
            state: Mutex::new(State {
                free: slots,
                waiting: Default::default(),
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot, once it is this request's turn.
    pub(crate) async fn acquire(self: &Arc<Self>, priority: Priority) -> Slot {
        let rx = {
            let mut state = self.state();
            if state.free > 0 && state.waiting.iter().all(VecDeque::is_empty) {
                state.free -= 1;
                return Slot(Some(Arc::clone(self)));
            }
            let (tx, rx) = oneshot::channel();
            state.waiting[priority.rank()].push_back(tx);
            rx
        };
        // The sender lives in `waiting` until a slot is handed over: it is never dropped
        // unanswered while the gate lives.
        rx.await.unwrap_or(Slot(None))
    }

    /// How many are free now.
    pub(crate) fn free(&self) -> usize {
        self.state().free
    }

    /// Gives a slot back: to the first waiter of the highest level, else to the pool.
    fn release(self: &Arc<Self>) {
        let mut state = self.state();
        loop {
            let next = state.waiting.iter_mut().find_map(VecDeque::pop_front);
            let Some(tx) = next else {
                state.free += 1;
                return;
            };
            // A waiter that gave up (its request timed out) is skipped.
            match tx.send(Slot(Some(Arc::clone(self)))) {
                Ok(()) => return,
                Err(mut slot) => slot.0 = None,
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(gate) = self.0.take() {
            gate.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_is_for_high() {
        let a = Admissions::new(3, 1);
        let one = a.try_admit(Priority::Low).unwrap();
        let _two = a.try_admit(Priority::Normal).unwrap();
        assert!(
            a.try_admit(Priority::Low).is_none(),
            "the last permit is reserved"
        );
        let _three = a.try_admit(Priority::High).unwrap();
        assert!(a.try_admit(Priority::High).is_none(), "all taken");
        drop(one);
        assert!(
            a.try_admit(Priority::Normal).is_none(),
            "still only the reserved one"
        );
        assert!(a.try_admit(Priority::High).is_some());
    }

    #[tokio::test]
    async fn waiting_high_starts_before_earlier_low() {
        let gate = Gate::new(1);
        let running = gate.acquire(Priority::Normal).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for (name, p) in [
            ("low", Priority::Low),
            ("normal", Priority::Normal),
            ("high", Priority::High),
        ] {
            let (gate, order) = (Arc::clone(&gate), Arc::clone(&order));
            waiters.push(tokio::spawn(async move {
                let _slot = gate.acquire(p).await;
                order.lock().unwrap().push(name);
            }));
            tokio::task::yield_now().await;
        }
        drop(running);
        for w in waiters {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["high", "normal", "low"]);
        assert_eq!(gate.free(), 1);
    }

    #[tokio::test]
    async fn a_waiter_that_gave_up_passes_its_turn() {
        let gate = Gate::new(1);
        let running = gate.acquire(Priority::Normal).await;
        let gone = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move { gate.acquire(Priority::High).await }
        });
        tokio::task::yield_now().await;
        gone.abort();
        let _ = gone.await;
        drop(running);
        assert_eq!(gate.free(), 1, "the slot came back to the pool");
    }
}
