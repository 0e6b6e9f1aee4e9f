//! `X-Request-ID`: kept from the client when sane, generated otherwise, echoed on the
//! response and in every envelope.

use std::sync::Arc;

use poem::Request;
use poem::http::HeaderValue;

/// The header carrying the request id, both ways.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// A client's id is kept when it is at most 128 characters of `[A-Za-z0-9._-]`.
fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The id of `req`: the client's when sane, else a new UUID v4.
pub(crate) fn of(req: &Request) -> Arc<str> {
    match req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(id) if is_sane(id) => Arc::from(id),
        _ => Arc::from(uuid::Uuid::new_v4().simple().to_string()),
    }
}

/// Runs `fut` with `id` as the current request id.
pub(crate) async fn scope<F: Future>(id: Arc<str>, fut: F) -> F::Output {
    CURRENT.scope(id, fut).await
}

/// Calls `f` with the current request id (empty outside a request).
pub(crate) fn with_current<R>(f: impl FnOnce(&str) -> R) -> R {
    let mut f = Some(f);
    CURRENT
        .try_with(|id| (f.take().expect("called once"))(id))
        .unwrap_or_else(|_| (f.take().expect("called once"))(""))
}

/// The id of the request being served, if any.
pub fn current() -> Option<Arc<str>> {
    CURRENT.try_with(Arc::clone).ok()
}

pub(crate) fn header_value(id: &str) -> HeaderValue {
    // Sane ids and UUIDs are visible ASCII, always valid header values.
    HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sanity() {
        assert!(super::is_sane("abc-DEF_1.2"));
        assert!(!super::is_sane(""));
        assert!(!super::is_sane("a b"));
        assert!(!super::is_sane(&"a".repeat(129)));
        assert!(super::is_sane(&"a".repeat(128)));
    }
}
