//! Stage 2 of `#[queued]` and `#[rate_limit]`: what their arguments must be together.

use super::model::{Queued, RateLimit};
use super::parse::{QueuedArgs, RateLimitArgs, Written};
use crate::error_store::ErrorSink;
use crate::values::{Count, Priority, RateKey};

fn at_least_one(key: &str, count: Option<&Count>, sink: &ErrorSink) {
    if let Some(count) = count.filter(|c| c.value == 0) {
        sink.at(&count.lit, format!("`{key}` must be at least 1"));
    }
}

pub(crate) fn queued(written: Written<QueuedArgs>, sink: &ErrorSink) -> Option<Queued> {
    let args = written.args?;
    let sink = sink.child();
    at_least_one("limit", args.limit.as_ref(), &sink);
    at_least_one("concurrency", args.concurrency.as_ref(), &sink);
    if let Some(timeout) = args.timeout.as_ref().filter(|t| t.value.is_zero()) {
        sink.at(&timeout.lit, "`timeout` must be longer than zero");
    }
    if let (Some(reserve), Some(limit)) = (&args.reserve, &args.limit)
        && reserve.value >= limit.value
    {
        sink.at(
            &reserve.lit,
            "`reserve` must be less than `limit`: it keeps part of the permits for `high`",
        );
    }
    let Some(limit) = args.limit else {
        // Beside another mistake in the attribute, a missing `limit` is one error too many.
        if !sink.has_errors() {
            sink.at(
                &written.attr,
                "#[queued] needs `limit = N`: how many requests are admitted at once",
            );
        }
        return None;
    };
    (!sink.has_errors()).then(|| Queued {
        limit: limit.value,
        timeout_ms: args
            .timeout
            .map(|t| u64::try_from(t.value.as_millis()).unwrap_or(u64::MAX)),
        concurrency: args.concurrency.map(|c| c.value),
        at_most_once: args.at_most_once.is_some(),
        priority: args.priority.unwrap_or(Priority::Normal),
        group: args.group.map(|g| g.0.value()),
        reserve: args.reserve.map_or(0, |r| r.value),
    })
}

pub(crate) fn rate_limit(written: Written<RateLimitArgs>, sink: &ErrorSink) -> Option<RateLimit> {
    let args = written.args?;
    let sink = sink.child();
    at_least_one("burst", args.burst.as_ref(), &sink);
    let Some(rate) = args.rate else {
        if !sink.has_errors() {
            sink.at(&written.attr, "#[rate_limit] needs `rate = \"N/s\"`");
        }
        return None;
    };
    (!sink.has_errors()).then(|| RateLimit {
        count: rate.count,
        period_ms: rate.period_ms,
        burst: args.burst.map_or(rate.count, |b| b.value),
        key: args.key.unwrap_or(RateKey::Global),
    })
}
