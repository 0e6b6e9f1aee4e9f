//! The envelope codes flyer itself answers with: Flyer's `ierror.py`, extended.

/// Success.
pub const SUCCESS: u32 = 200;
/// The request failed validation (body, query, path, header or cookie).
pub const REQUEST_VALIDATION: u32 = 40000;
/// The handler produced a response that failed validation (HTTP 500).
pub const RESPONSE_VALIDATION: u32 = 40001;
/// An upstream service timed out (HTTP 504).
pub const UPSTREAM_TIMEOUT: u32 = 40002;
/// Credentials missing or wrong.
pub const UNAUTHORIZED: u32 = 40100;
/// Authenticated but not allowed.
pub const FORBIDDEN: u32 = 40300;
/// No such route or resource.
pub const NOT_FOUND: u32 = 40400;
/// The route exists, not with this method.
pub const METHOD_NOT_ALLOWED: u32 = 40500;
/// The client was too slow to send its request.
pub const CLIENT_TOO_SLOW: u32 = 40800;
/// The request conflicts with the state of a resource.
pub const CONFLICT: u32 = 40900;
/// The body is larger than allowed.
pub const BODY_TOO_LARGE: u32 = 41300;
/// The request's URI is longer than the server reads.
pub const URI_TOO_LONG: u32 = 41400;
/// The request's headers are too many or too large.
pub const HEADERS_TOO_LARGE: u32 = 43100;
/// Too many requests.
pub const RATE_LIMITED: u32 = 42900;
/// Something failed inside the service; the detail is logged, never sent.
pub const INTERNAL: u32 = 50000;
/// Over capacity: a queue is full or a dependency is down.
pub const OVER_CAPACITY: u32 = 50300;
/// The handler did not finish in time.
pub const HANDLER_TIMEOUT: u32 = 50400;

/// What a code means, in a few words (for the spec).
pub fn describe(code: u32) -> &'static str {
    match code {
        SUCCESS => "success",
        REQUEST_VALIDATION => "request validation failed",
        RESPONSE_VALIDATION => "response validation failed",
        UPSTREAM_TIMEOUT => "upstream timeout",
        UNAUTHORIZED => "unauthorized",
        FORBIDDEN => "forbidden",
        NOT_FOUND => "not found",
        METHOD_NOT_ALLOWED => "method not allowed",
        CLIENT_TOO_SLOW => "client too slow",
        CONFLICT => "conflict",
        BODY_TOO_LARGE => "body too large",
        URI_TOO_LONG => "URI too long",
        HEADERS_TOO_LARGE => "request headers too large",
        RATE_LIMITED => "rate limited",
        INTERNAL => "internal error",
        OVER_CAPACITY => "over capacity, or a dependency is down",
        HANDLER_TIMEOUT => "handler timed out",
        _ => "an error of this service",
    }
}
