//! The one error type of flyer handlers, and the codes of the envelope.
//!
//! Codes follow Flyer's `ierror.py` and extend it. The HTTP status is `code / 100`
//! (40000 → 400, 50300 → 503; a code of your own in the same families likewise), except
//! Flyer's two legacy server-side faults: 40001 → 500 and 40002 → 504.

use std::borrow::Cow;
use std::fmt;

use poem::http::{HeaderName, HeaderValue, StatusCode};

pub mod codes;

/// The HTTP status of an envelope code: `code / 100`, except 40001 → 500 and 40002 → 504.
/// A code that does not map to a valid status is answered with 500.
pub fn status_of(code: u32) -> StatusCode {
    match code {
        codes::SUCCESS => StatusCode::OK,
        codes::RESPONSE_VALIDATION => StatusCode::INTERNAL_SERVER_ERROR,
        codes::UPSTREAM_TIMEOUT => StatusCode::GATEWAY_TIMEOUT,
        code => u16::try_from(code / 100)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .filter(|s| s.is_client_error() || s.is_server_error())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// `Result` with flyer's [`Error`]: what endpoints usually return.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answered as an envelope: `{"code": ..., "msg": ..., "data": ..., "request_id": ...}`.
///
/// Build one with a constructor per code ([`Error::not_found`], [`Error::conflict`], ...)
/// or [`Error::new`] for codes of your own. `?` on any other error
/// (`std::error::Error + Send + Sync`) gives 50000: the detail is logged with the request
/// id, never sent to the client.
pub struct Error {
    code: u32,
    msg: Cow<'static, str>,
    data: Option<serde_json::Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error with a code of your own; its HTTP status is `code / 100`.
    pub fn new(code: u32, msg: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            msg: msg.into(),
            data: None,
            headers: Vec::new(),
            source: None,
        }
    }

    /// 40000: the request is invalid.
    pub fn bad_request(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::REQUEST_VALIDATION, msg)
    }
    /// 40001: the response the handler built is invalid (HTTP 500).
    pub fn response_validation(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::RESPONSE_VALIDATION, msg)
    }
    /// 40002: an upstream call timed out (HTTP 504).
    pub fn upstream_timeout(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::UPSTREAM_TIMEOUT, msg)
    }
    /// 40100: credentials missing or wrong.
    pub fn unauthorized(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::UNAUTHORIZED, msg)
    }
    /// 40300: not allowed.
    pub fn forbidden(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::FORBIDDEN, msg)
    }
    /// 40400: not found.
    pub fn not_found(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::NOT_FOUND, msg)
    }
    /// 40500: the route does not answer this method.
    pub fn method_not_allowed(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::METHOD_NOT_ALLOWED, msg)
    }
    /// 40800: the client was too slow to send its request.
    pub fn client_too_slow(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::CLIENT_TOO_SLOW, msg)
    }
    /// 41300: the body is too large.
    pub fn body_too_large(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::BODY_TOO_LARGE, msg)
    }
    /// 50400: the work did not finish in time.
    pub fn handler_timeout(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::HANDLER_TIMEOUT, msg)
    }
    /// 40900: conflict with the current state.
    pub fn conflict(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::CONFLICT, msg)
    }
    /// 42900: too many requests.
    pub fn rate_limited(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::RATE_LIMITED, msg)
    }
    /// 50000: an internal error; `msg` is sent, so keep details out of it.
    pub fn internal(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::INTERNAL, msg)
    }
    /// 50300: over capacity or a dependency is down.
    pub fn over_capacity(msg: impl Into<Cow<'static, str>>) -> Self {
        Self::new(codes::OVER_CAPACITY, msg)
    }

    /// Attaches `data` to the envelope (for example the list of validation problems).
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Adds a header to the answer (`Retry-After`, say); kept even with
    /// `flyer_error_status=200`.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The headers added with [`Error::with_header`].
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// Keeps `source` as the cause: logged with the request id, never sent.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The envelope code.
    pub fn code(&self) -> u32 {
        self.code
    }
    /// The message sent to the client.
    pub fn msg(&self) -> &str {
        &self.msg
    }
    /// The envelope's `data`, if any.
    pub fn data(&self) -> Option<&serde_json::Value> {
        self.data.as_ref()
    }
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }
    /// The error this one was made from by `?`; logged, never sent.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }

    /// Translates an error raised by poem or poem-openapi (a request that failed to
    /// parse, an unknown route, ...) into its envelope code.
    pub(crate) fn from_poem(err: poem::Error) -> Self {
        let status = err.status();
        let code = match status {
            StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                codes::REQUEST_VALIDATION
            }
            StatusCode::PAYLOAD_TOO_LARGE => codes::BODY_TOO_LARGE,
            StatusCode::SERVICE_UNAVAILABLE => codes::OVER_CAPACITY,
            s if s.is_client_error() => u32::from(s.as_u16()) * 100,
            _ => codes::INTERNAL,
        };
        if code == codes::INTERNAL {
            let mut e = Error::internal("internal error");
            e.source = Some(Box::new(err));
            e
        } else {
            Error::new(code, err.to_string())
        }
    }
}

/// A back-end that knows a better answer than 50000 for its own errors (a database error
/// that is a conflict, a missing row, a server down) registers one of these with
/// `inventory::submit!`: `?` on any error asks each in turn.
pub(crate) struct Translator(pub(crate) Translate);

/// Gives the error back when it is not the translator's kind.
pub(crate) type Translate = fn(BoxedError) -> std::result::Result<Error, BoxedError>;

/// An error of any kind, as `?` hands it over.
pub(crate) type BoxedError = Box<dyn std::error::Error + Send + Sync>;

inventory::collect!(Translator);

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(err: E) -> Self {
        let mut err: BoxedError = Box::new(err);
        for translator in inventory::iter::<Translator> {
            match (translator.0)(err) {
                Ok(translated) => return translated,
                Err(other) => err = other,
            }
        }
        Error {
            code: codes::INTERNAL,
            msg: Cow::Borrowed("internal error"),
            data: None,
            headers: Vec::new(),
            source: Some(err),
        }
    }
}

/// What a panic said, for the log: its message when it has one.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic")
}

/// Marks a response as an envelope with this code, for the access log and
/// `flyer_error_status=200`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EnvelopeCode(pub(crate) u32);

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("data", &self.data)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.msg)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constructor_has_its_code_and_status() {
        let cases = [
            (Error::bad_request("x"), 40000, 400),
            (Error::response_validation("x"), 40001, 500),
            (Error::upstream_timeout("x"), 40002, 504),
            (Error::unauthorized("x"), 40100, 401),
            (Error::forbidden("x"), 40300, 403),
            (Error::not_found("x"), 40400, 404),
            (Error::method_not_allowed("x"), 40500, 405),
            (Error::client_too_slow("x"), 40800, 408),
            (Error::conflict("x"), 40900, 409),
            (Error::body_too_large("x"), 41300, 413),
            (Error::rate_limited("x"), 42900, 429),
            (Error::internal("x"), 50000, 500),
            (Error::over_capacity("x"), 50300, 503),
            (Error::handler_timeout("x"), 50400, 504),
        ];
        for (err, code, status) in cases {
            assert_eq!((err.code(), err.status().as_u16()), (code, status));
        }
    }

    #[test]
    fn statuses_follow_the_code() {
        assert_eq!(status_of(40000), StatusCode::BAD_REQUEST);
        assert_eq!(status_of(40001), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_of(40002), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(status_of(50300), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status_of(40412), StatusCode::NOT_FOUND);
        assert_eq!(status_of(7), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_of(20000), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
