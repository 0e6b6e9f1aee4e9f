//! The Lua scripts of the queue, each one atomic step on Redis; the `.lua` files beside
//! this one say what each takes and returns.

use fred::types::scripts::Script;

/// Every script, loaded once per process and run by its SHA.
pub(super) struct Scripts {
    pub(super) admit: Script,
    pub(super) renew: Script,
    pub(super) takeover: Script,
    pub(super) finish: Script,
    pub(super) reclaim: Script,
    pub(super) touch: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Scripts {
            admit: Script::from_lua(include_str!("scripts/admit.lua")),
            renew: Script::from_lua(include_str!("scripts/renew.lua")),
            takeover: Script::from_lua(include_str!("scripts/takeover.lua")),
            finish: Script::from_lua(include_str!("scripts/finish.lua")),
            reclaim: Script::from_lua(include_str!("scripts/reclaim.lua")),
            touch: Script::from_lua(include_str!("scripts/touch.lua")),
        }
    }
}
