//! What flyer knows about the request being served, available to the code that runs for
//! it: its id (`X-Request-ID`: the client's when sane, else generated; echoed on the
//! response and in every envelope), and the JSON body, kept to explain a validation
//! failure field by field.

use std::sync::Arc;

use bytes::Bytes;
use poem::Request;
use poem::http::HeaderValue;

/// The header carrying the request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request being served.
#[derive(Clone)]
pub(crate) struct Current {
    pub id: Arc<str>,
    /// The body, read within `flyer_body_limit`.
    pub body: Option<Bytes>,
    /// Whether the body is JSON.
    pub json: bool,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// A client's id is kept when it is at most 128 characters of `[A-Za-z0-9._-]`.
fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A new request id.
pub(crate) fn new_id() -> Arc<str> {
    Arc::from(uuid::Uuid::new_v4().simple().to_string())
}

/// The id of `req`: the client's when sane, else a new one.
pub(crate) fn id_of(req: &Request) -> Arc<str> {
    match req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        Some(id) if is_sane(id) => Arc::from(id),
        _ => new_id(),
    }
}

/// Runs `fut` as the handling of the request `current`.
pub(crate) async fn scope<F: Future>(current: Current, fut: F) -> F::Output {
    CURRENT.scope(current, fut).await
}

/// Runs `f` on tokio's blocking pool as part of the current request: a plain-`fn`
/// handler sees its request id there too.
pub(crate) fn spawn_blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> tokio::task::JoinHandle<R> {
    let current = CURRENT.try_with(Current::clone).ok();
    tokio::task::spawn_blocking(move || match current {
        Some(current) => CURRENT.sync_scope(current, f),
        None => f(),
    })
}

/// Calls `f` with the current request id (empty outside a request).
pub(crate) fn with_id<R>(f: impl FnOnce(&str) -> R) -> R {
    let mut f = Some(f);
    CURRENT
        .try_with(|c| (f.take().expect("called once"))(&c.id))
        .unwrap_or_else(|_| (f.take().expect("called once"))(""))
}

/// The JSON body of the current request, when it had one.
pub(crate) fn json_body() -> Option<Bytes> {
    CURRENT
        .try_with(|c| c.body.clone().filter(|_| c.json))
        .ok()
        .flatten()
}

/// Whether the current request had a body (`None` outside a request).
pub(crate) fn has_body() -> Option<bool> {
    CURRENT.try_with(|c| c.body.is_some()).ok()
}

/// The body of the current request, when it had one.
#[cfg(feature = "queue-redis")]
pub(crate) fn body() -> Option<Bytes> {
    CURRENT.try_with(|c| c.body.clone()).ok().flatten()
}

/// The id of the request being served, if any: for your own logs and outgoing calls.
pub fn request_id() -> Option<Arc<str>> {
    CURRENT.try_with(|c| Arc::clone(&c.id)).ok()
}

/// Whether a message with these headers carries JSON.
pub(crate) fn is_json(headers: &poem::http::HeaderMap) -> bool {
    headers
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"))
}

pub(crate) fn header_value(id: &str) -> HeaderValue {
    // Sane ids and UUIDs are visible ASCII, always valid header values.
    HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_blocking_handler_sees_its_request() {
        let current = super::Current {
            id: std::sync::Arc::from("abc"),
            body: None,
            json: false,
        };
        let seen = super::scope(current, async {
            super::spawn_blocking(super::request_id).await.unwrap()
        })
        .await;
        assert_eq!(seen.as_deref(), Some("abc"));
    }

    #[test]
    fn sanity() {
        assert!(super::is_sane("abc-DEF_1.2"));
        assert!(!super::is_sane(""));
        assert!(!super::is_sane("a b"));
        assert!(!super::is_sane(&"a".repeat(129)));
        assert!(super::is_sane(&"a".repeat(128)));
    }
}
