//! The Lua scripts of the queue, each one atomic step on Redis. The `.lua` files beside
//! this one say what each takes and returns; `prelude.lua` (Redis's clock, the epoch of a
//! group's state) goes in front of those that need it.
//!
//! Out of memory (`maxmemory` with `noeviction`), Redis refuses a script that declares it
//! may write (`#!lua`) before it starts: admission is refused whole (the caller gets
//! 50300), never half done. What keeps admitted work going — renewing, touching,
//! starting, finishing, cancelling — is declared `allow-oom`: it frees more than it takes,
//! and an admitted request must get its answer.

use fred::types::scripts::Script;

macro_rules! script {
    ($flags:literal, $file:literal) => {
        Script::from_lua(concat!(
            $flags,
            "\n",
            include_str!("scripts/prelude.lua"),
            include_str!(concat!("scripts/", $file))
        ))
    };
    ($file:literal) => {
        Script::from_lua(include_str!(concat!("scripts/", $file)))
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
            epoch: script!("#!lua", "epoch.lua"),
            admit: script!("#!lua", "admit.lua"),
            cancel: script!("#!lua flags=allow-oom", "cancel.lua"),
            renew: script!("#!lua flags=allow-oom", "renew.lua"),
            requeue: script!("#!lua", "requeue.lua"),
            trim: script!("#!lua flags=allow-oom", "trim.lua"),
            read: script!("read.lua"),
            takeover: script!("#!lua flags=allow-oom", "takeover.lua"),
            touch: script!("#!lua flags=allow-oom", "touch.lua"),
            finish: script!("#!lua flags=allow-oom", "finish.lua"),
            reclaim: script!("reclaim.lua"),
            handback: script!("handback.lua"),
            forget: script!("forget.lua"),
        }
    }
}
