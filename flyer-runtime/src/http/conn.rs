//! One HTTP/1.1 connection: hyper serves it; flyer watches its clock.
//!
//! hyper closes a connection whose headers are late without a word, and has no idle
//! limit of its own, so the connection's task keeps two deadlines itself:
//! - once a request has started to arrive, its headers must be complete within
//!   `flyer_header_timeout`, or the client gets a 40800 envelope and the connection
//!   closes;
//! - with nothing in flight and nothing arriving, the connection closes after
//!   `flyer_keepalive`.
//!
//! A request in flight has neither deadline: `flyer_timeout` bounds its handler, and a
//! stream may take as long as it needs.
//!
//! hyper also answers by itself, before any service runs, a request it cannot parse: a
//! bare 400, 414 or 431 with an empty body. The connection's IO swallows that answer and
//! the connection answers the envelope instead (40000, 41400, 43100), like every other
//! error.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use poem::endpoint::BoxEndpoint;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::context;
use crate::error::{Error, codes};

/// The clock of one connection.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub header_timeout: Duration,
    pub keepalive: Duration,
}

#[derive(Default)]
struct Clock {
    /// Requests whose response is not finished yet.
    in_flight: usize,
    /// When the bytes of the next request head began to arrive.
    head_started: Option<Instant>,
    /// When the connection last became idle.
    idle_since: Option<Instant>,
    /// The status of an answer hyper wrote by itself (to a request it could not parse),
    /// swallowed: the envelope goes out instead.
    refused: Option<u16>,
}

/// What the connection's task and its IO share.
struct State {
    clock: Mutex<Clock>,
    changed: Notify,
}

impl State {
    fn new() -> Self {
        State {
            clock: Mutex::new(Clock {
                idle_since: Some(Instant::now()),
                ..Clock::default()
            }),
            changed: Notify::new(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Clock) -> R) -> R {
        let mut clock = self.clock.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut clock)
    }

    fn bytes_arrived(&self) {
        let started = self.with(|c| {
            if c.in_flight == 0 && c.head_started.is_none() {
                c.head_started = Some(Instant::now());
                c.idle_since = None;
                true
            } else {
                false
            }
        });
        if started {
            self.changed.notify_one();
        }
    }

    fn request_started(&self) {
        self.with(|c| {
            c.in_flight += 1;
            c.head_started = None;
            c.idle_since = None;
        });
    }

    fn response_finished(&self) {
        let idle = self.with(|c| {
            c.in_flight -= 1;
            if c.in_flight == 0 {
                c.idle_since = Some(Instant::now());
            }
            c.in_flight == 0
        });
        if idle {
            self.changed.notify_one();
        }
    }

    /// The next deadline and what missing it means.
    fn deadline(&self, limits: Limits) -> Option<(Instant, Overdue)> {
        self.with(|c| {
            if c.in_flight > 0 {
                None
            } else if let Some(t) = c.head_started {
                Some((t + limits.header_timeout, Overdue::Headers))
            } else {
                let idle = if limits.keepalive.is_zero() {
                    limits.header_timeout
                } else {
                    limits.keepalive
                };
                c.idle_since.map(|t| (t + idle, Overdue::Idle))
            }
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overdue {
    Headers,
    Idle,
}

/// The status of hyper's own answer to a request it could not parse, when `bytes` are
/// one: a 400, 414 or 431 head with an empty body (flyer's own answers always have one).
fn automatic(bytes: &[u8]) -> Option<u16> {
    let rest = bytes
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| bytes.strip_prefix(b"HTTP/1.0 "))?;
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    let empty = bytes
        .windows(b"content-length: 0\r\n".len())
        .any(|w| w.eq_ignore_ascii_case(b"content-length: 0\r\n"));
    (matches!(status, 400 | 414 | 431) && empty).then_some(status)
}

/// The socket as hyper sees it; flyer keeps a handle to answer a late client itself.
struct Io {
    stream: Arc<TcpStream>,
    state: Arc<State>,
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            match self.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    if n > 0 {
                        self.state.bytes_arrived();
                    }
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        // With no request in flight, what hyper writes is its own answer to a request it
        // could not parse: kept from the client, who gets the envelope instead.
        let swallowed = self.state.with(|c| {
            if c.refused.is_none() && c.in_flight == 0 && c.head_started.is_some() {
                c.refused = automatic(buf);
            }
            c.refused.is_some()
        });
        if swallowed {
            return Poll::Ready(Ok(buf.len()));
        }
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.state.with(|c| c.refused.is_some()) {
            // The envelope is still to be written.
            return Poll::Ready(Ok(()));
        }
        Poll::Ready(self.stream_shutdown())
    }
}

impl Io {
    fn stream_shutdown(&self) -> io::Result<()> {
        socket_shutdown(&self.stream)
    }
}

/// Half-closes the socket for writing (FIN), through a shared handle.
fn socket_shutdown(stream: &TcpStream) -> io::Result<()> {
    socket2::SockRef::from(stream).shutdown(std::net::Shutdown::Write)
}

/// A response body that tells the connection when it is done.
struct Tracked {
    inner: BoxBody<Bytes, io::Error>,
    state: Option<Arc<State>>,
}

impl Tracked {
    fn finish(&mut self) {
        if let Some(state) = self.state.take() {
            state.response_finished();
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if frame.is_none() {
            self.finish();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Serves one connection until it closes, the client is too slow, it idles out, or
/// `stop` (graceful: finish what is in flight) or `kill` (now) is cancelled.
pub(crate) async fn serve(
    stream: TcpStream,
    local: SocketAddr,
    remote: SocketAddr,
    endpoint: Arc<BoxEndpoint<'static>>,
    limits: Limits,
    stop: CancellationToken,
    kill: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    tracing::debug!(%remote, "connection opened");
    let stream = Arc::new(stream);
    let state = Arc::new(State::new());
    let io = Io {
        stream: Arc::clone(&stream),
        state: Arc::clone(&state),
    };
    let service = {
        let state = Arc::clone(&state);
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let endpoint = Arc::clone(&endpoint);
            let state = Arc::clone(&state);
            state.request_started();
            async move {
                let req = poem::Request::from((
                    req,
                    LocalAddr(Addr::SocketAddr(local)),
                    RemoteAddr(Addr::SocketAddr(remote)),
                    poem::http::uri::Scheme::HTTP,
                ));
                let resp: hyper::Response<BoxBody<Bytes, io::Error>> =
                    endpoint.get_response(req).await.into();
                Ok::<_, Infallible>(resp.map(|inner| Tracked {
                    inner,
                    state: Some(state),
                }))
            }
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .keep_alive(!limits.keepalive.is_zero())
        .header_read_timeout(None);
    let mut conn = Box::pin(
        builder
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades(),
    );
    let mut stopping = false;
    loop {
        let deadline = state.deadline(limits);
        let sleep = async {
            match deadline {
                Some((at, _)) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = conn.as_mut() => {
                if let Some(status) = state.with(|c| c.refused) {
                    tracing::debug!(%remote, status, "request hyper could not parse");
                    answer_and_close(&stream, unparsable(status)).await;
                } else {
                    tracing::debug!(%remote, "connection closed");
                }
                return;
            }
            _ = state.changed.notified() => {}
            _ = stop.cancelled(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = kill.cancelled() => return,
            _ = sleep => match state.deadline(limits) {
                Some((at, Overdue::Headers)) if at <= Instant::now() => break,
                Some((at, Overdue::Idle)) if at <= Instant::now() => {
                    if !stopping {
                        conn.as_mut().graceful_shutdown();
                    }
                    // Nothing is in flight: give hyper a moment to close, then drop it.
                    let _ = tokio::time::timeout(Duration::from_secs(1), conn.as_mut()).await;
                    tracing::debug!(%remote, "idle connection closed (flyer_keepalive)");
                    return;
                }
                _ => {}
            },
        }
    }
    // The client started a request and did not finish its headers in time.
    drop(conn);
    tracing::debug!(%remote, "request headers too slow (flyer_header_timeout)");
    let limit = limits.header_timeout;
    answer_and_close(
        &stream,
        Error::client_too_slow(format!(
            "the request headers did not arrive within {limit:?}"
        )),
    )
    .await;
}

/// The error of a request hyper refused to parse, by the status hyper chose.
fn unparsable(status: u16) -> Error {
    match status {
        431 => Error::new(
            codes::HEADERS_TOO_LARGE,
            "the request's headers are too many or too large",
        ),
        414 => Error::new(codes::URI_TOO_LONG, "the request's URI is too long"),
        _ => Error::bad_request("the request is not valid HTTP/1.1"),
    }
}

/// Writes `err`'s envelope on a connection hyper has let go of, then closes it.
async fn answer_and_close(stream: &TcpStream, err: Error) {
    let current = context::Current {
        id: context::new_id(),
        body: None,
        json: false,
    };
    let body = context::scope(current, async {
        let resp = poem::IntoResponse::into_response(err);
        let status = resp.status();
        let id = context::request_id().unwrap_or_default();
        let body = resp.into_body().into_bytes().await.unwrap_or_default();
        (status, id, body)
    })
    .await;
    let (status, id, body) = body;
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nx-request-id: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
        id,
    );
    let mut out = head.into_bytes();
    out.extend_from_slice(&body);
    let write = async {
        let mut written = 0;
        while written < out.len() {
            stream.writable().await?;
            match stream.try_write(&out[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        socket_shutdown(stream)
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), write).await;
    // Let the client read the answer before the socket goes away: closing with unread
    // input would reset the connection and could discard the answer.
    let drain = async {
        let mut buf = [0u8; 1024];
        loop {
            if stream.readable().await.is_err() {
                return;
            }
            match stream.try_read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}
