//! The Lua scripts of the queue, each one atomic step on Redis. The `.lua` files beside
//! this one say what each takes and returns; `prelude.lua` (Redis's clock, the epoch of a
//! group's state) goes in front of those that need it.

use fred::types::scripts::Script;

macro_rules! with_prelude {
    ($file:literal) => {
        concat!(
            include_str!("scripts/prelude.lua"),
            include_str!(concat!("scripts/", $file))
        )
    };
}

/// Every script, loaded once per process and run by its SHA.
#[derive(Clone)]
pub(super) struct Scripts {
    pub(super) epoch: Script,
    pub(super) admit: Script,
    pub(super) cancel: Script,
    pub(super) renew: Script,
    pub(super) requeue: Script,
    pub(super) trim: Script,
    pub(super) read: Script,
    pub(super) takeover: Script,
    pub(super) touch: Script,
    pub(super) finish: Script,
    pub(super) reclaim: Script,
    pub(super) handback: Script,
    pub(super) forget: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Scripts {
            epoch: Script::from_lua(with_prelude!("epoch.lua")),
            admit: Script::from_lua(with_prelude!("admit.lua")),
            cancel: Script::from_lua(include_str!("scripts/cancel.lua")),
            renew: Script::from_lua(with_prelude!("renew.lua")),
            requeue: Script::from_lua(with_prelude!("requeue.lua")),
            trim: Script::from_lua(with_prelude!("trim.lua")),
            read: Script::from_lua(include_str!("scripts/read.lua")),
            takeover: Script::from_lua(with_prelude!("takeover.lua")),
            touch: Script::from_lua(with_prelude!("touch.lua")),
            // Out of memory, a script that may write is refused; this one must still
            // deliver the answer (and frees memory: the entry, the lease).
            finish: Script::from_lua(concat!(
                "#!lua flags=allow-oom\n",
                include_str!("scripts/prelude.lua"),
                include_str!("scripts/finish.lua")
            )),
            reclaim: Script::from_lua(include_str!("scripts/reclaim.lua")),
            handback: Script::from_lua(include_str!("scripts/handback.lua")),
            forget: Script::from_lua(include_str!("scripts/forget.lua")),
        }
    }
}
