//! Parsers of the values variables take, shared by every group: flags, durations, sizes,
//! numbers, addresses and path segments.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

/// What a flag's error says it expects.
pub(super) const FLAG: &str = "1 or 0 (true/false, yes/no, on/off)";
/// What a duration's error says it expects.
pub(super) const SECONDS: &str = "seconds (10, 1.5) or a duration (500ms, 2m)";
/// What a positive duration's error says it expects.
#[cfg(feature = "sql")]
pub(super) const POSITIVE_SECONDS: &str =
    "seconds (10, 1.5) or a duration (500ms, 2m), more than 0";

/// `1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`, in any case.
pub(super) fn flag(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A flag, or unset (`None`).
pub(super) fn optional_flag(raw: &str) -> Option<Option<bool>> {
    if raw.is_empty() {
        Some(None)
    } else {
        flag(raw).map(Some)
    }
}

/// `10` (seconds), `1.5`, or a unit: `500ms`, `2m`.
pub(super) fn duration(raw: &str) -> Option<Duration> {
    match raw.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Some(Duration::from_secs_f64(secs)),
        Ok(_) => None,
        Err(_) => humantime::parse_duration(raw).ok(),
    }
}

/// A duration longer than zero.
pub(super) fn positive_duration(raw: &str) -> Option<Duration> {
    duration(raw).filter(|d| !d.is_zero())
}

/// `2097152`, `2MiB`, `512KB`: a size in bytes.
pub(super) fn size(raw: &str) -> Option<usize> {
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let n: usize = digits.parse().ok()?;
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// A size of at least one byte.
pub(super) fn positive_size(raw: &str) -> Option<usize> {
    size(raw).filter(|n| *n > 0)
}

/// A count of at least 1.
pub(super) fn count(raw: &str) -> Option<usize> {
    raw.parse().ok().filter(|n| *n > 0)
}

/// A count of at least 1, as sqlx sizes pools.
#[cfg(feature = "sql")]
pub(super) fn count_u32(raw: &str) -> Option<u32> {
    raw.parse().ok().filter(|n| *n > 0)
}

/// A TCP port.
pub(super) fn port(raw: &str) -> Option<u16> {
    raw.parse().ok()
}

/// A TCP port, or unset (`None`).
#[cfg(feature = "sql")]
pub(super) fn optional_port(raw: &str) -> Option<Option<u16>> {
    if raw.is_empty() {
        Some(None)
    } else {
        port(raw).map(Some)
    }
}

/// An IP address.
pub(super) fn ip(raw: &str) -> Option<IpAddr> {
    raw.parse().ok()
}

/// Any text, as it is.
pub(super) fn text(raw: &str) -> Option<String> {
    Some(raw.to_owned())
}

/// `trace`, `debug`, `info`, `warn`/`warning`, `error`/`critical`.
pub(super) fn level(raw: &str) -> Option<tracing::Level> {
    Some(match raw.to_ascii_lowercase().as_str() {
        "trace" => tracing::Level::TRACE,
        "debug" => tracing::Level::DEBUG,
        "info" => tracing::Level::INFO,
        "warn" | "warning" => tracing::Level::WARN,
        "error" | "critical" => tracing::Level::ERROR,
        _ => return None,
    })
}

/// Comma-separated IP addresses or CIDRs.
pub(super) fn networks(raw: &str) -> Option<Vec<IpNet>> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .ok()
                .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
        })
        .collect()
}

/// `flyer/` → `/flyer`; `` → ``; `None` when a character is not allowed in a path.
pub(super) fn path_segments(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches('/');
    if trimmed.is_empty() {
        return Some(String::new());
    }
    let ok = trimmed.split('/').all(|seg| {
        !seg.is_empty()
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
    });
    ok.then(|| format!("/{trimmed}"))
}
