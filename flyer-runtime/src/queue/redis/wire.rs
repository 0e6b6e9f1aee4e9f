//! What crosses Redis between a gateway and a worker: the HTTP request as it came (so
//! handler types need no serde bounds) and the HTTP response as the worker made it,
//! in MessagePack.

use poem::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use poem::{Request, Response};
use serde::{Deserialize, Serialize};

use crate::error::EnvelopeCode;

/// Headers that describe one hop, not the message.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "upgrade" | "te"
    )
}

type Headers = Vec<(String, serde_bytes::ByteBuf)>;

/// The headers of a message, less the hop-by-hop ones.
fn carry(headers: &HeaderMap) -> Headers {
    headers
        .iter()
        .filter(|(n, _)| !hop_by_hop(n.as_str()))
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                serde_bytes::ByteBuf::from(v.as_bytes()),
            )
        })
        .collect()
}

/// The carried headers that are still valid, as pairs to set.
fn restore(headers: &Headers) -> impl Iterator<Item = (HeaderName, HeaderValue)> + '_ {
    headers.iter().filter_map(|(name, value)| {
        Some((
            HeaderName::from_bytes(name.as_bytes()).ok()?,
            HeaderValue::from_bytes(value).ok()?,
        ))
    })
}

/// A request handed to a worker.
#[derive(Serialize, Deserialize)]
pub(crate) struct Task {
    pub id: String,
    /// The gateway's reply channel.
    pub reply_to: String,
    pub method: String,
    pub uri: String,
    pub headers: Headers,
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
    pub request_id: String,
    pub client_ip: Option<std::net::IpAddr>,
    /// Its route runs requests at most once.
    pub at_most_once: bool,
}

impl Task {
    pub(crate) fn from_request(
        id: String,
        reply_to: String,
        req: &Request,
        body: &[u8],
        request_id: &str,
        client_ip: Option<std::net::IpAddr>,
        at_most_once: bool,
    ) -> Self {
        Task {
            id,
            reply_to,
            method: req.method().as_str().to_owned(),
            uri: req.original_uri().to_string(),
            headers: carry(req.headers()),
            body: body.to_vec(),
            request_id: request_id.to_owned(),
            client_ip,
            at_most_once,
        }
    }

    /// The request again, as the worker serves it.
    pub(crate) fn to_request(&self) -> Option<Request> {
        let method = Method::from_bytes(self.method.as_bytes()).ok()?;
        let uri: Uri = self.uri.parse().ok()?;
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in restore(&self.headers) {
            builder = builder.header(name, value);
        }
        Some(builder.body(self.body.clone()))
    }
}

/// A worker's answer to a task.
#[derive(Serialize, Deserialize)]
pub(crate) struct Answer {
    pub id: String,
    pub status: u16,
    pub headers: Headers,
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
    /// The envelope code, when the answer is an envelope.
    pub code: Option<u32>,
}

impl Answer {
    pub(crate) async fn from_response(id: String, resp: Response) -> Self {
        let status = resp.status().as_u16();
        let code = resp.extensions().get::<EnvelopeCode>().map(|c| c.0);
        let headers = carry(resp.headers());
        let body = resp.into_body().into_vec().await.unwrap_or_default();
        Answer {
            id,
            status,
            headers,
            body,
            code,
        }
    }

    /// The answer as the gateway relays it.
    pub(crate) fn into_response(self) -> Response {
        let mut builder =
            Response::builder().status(StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK));
        for (name, value) in restore(&self.headers) {
            builder = builder.header(name, value);
        }
        let mut resp = builder.body(self.body);
        if let Some(code) = self.code {
            resp.extensions_mut().insert(EnvelopeCode(code));
        }
        resp
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(value).unwrap_or_default()
}

pub(crate) fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    rmp_serde::from_slice(bytes).ok()
}
