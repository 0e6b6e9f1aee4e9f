//! `__FLYER_CONTROLS`: the static the runtime reads the route's `#[queued]` and
//! `#[rate_limit]` from.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::model::Endpoint;
use super::{controlled, option};
use crate::values::{Priority, RateKey};

pub(super) fn controls(ep: &Endpoint, rt: &TokenStream) -> TokenStream {
    if !controlled(ep) {
        return TokenStream::new();
    }
    let route = format!("{} {}", ep.method.as_str(), ep.path);
    let queue = option(ep.queued.as_ref().map(|q| {
        let limit = q.limit;
        let timeout = option(q.timeout_ms);
        let concurrency = option(q.concurrency);
        let at_most_once = q.at_most_once;
        let priority = match q.priority {
            Priority::High => quote!(#rt::Priority::High),
            Priority::Normal => quote!(#rt::Priority::Normal),
            Priority::Low => quote!(#rt::Priority::Low),
        };
        let group = option(q.group.as_deref());
        let reserve = q.reserve;
        quote!(#rt::QueueSpec {
            limit: #limit,
            timeout_ms: #timeout,
            concurrency: #concurrency,
            at_most_once: #at_most_once,
            priority: #priority,
            group: #group,
            reserve: #reserve,
        })
    }));
    let rate_limit = option(ep.rate_limit.as_ref().map(|r| {
        let (count, period_ms, burst) = (r.count, r.period_ms, r.burst);
        let key = match &r.key {
            RateKey::Global => quote!(#rt::RateKey::Global),
            RateKey::Ip => quote!(#rt::RateKey::Ip),
            RateKey::Header(h) => quote!(#rt::RateKey::Header(#h)),
        };
        quote!(#rt::RateLimitSpec {
            count: #count,
            period_ms: #period_ms,
            burst: #burst,
            key: #key,
        })
    }));
    quote! {
        static __FLYER_CONTROLS: #rt::Controls = #rt::Controls {
            route: #route,
            queue: #queue,
            rate_limit: #rate_limit,
        };
    }
}
