//! HTTP Basic auth (`flyer_auth_*`): every user route needs the credentials; the health
//! check, the readiness probe, the docs and the spec stay open.

use base64::Engine;
use poem::Request;
use poem::http::header;
use subtle::ConstantTimeEq;

use crate::config::BasicAuth;

/// Operations (below the prefix) that answer without credentials.
pub(crate) const OPEN_OPERATIONS: &[&str] = &["/health_check", "/ready"];

/// The name of the security scheme in the spec.
pub(crate) const SCHEME: &str = "basicAuth";

/// The credentials a request must carry.
pub(crate) struct Guard {
    /// `user:pass`, as the `Authorization` header encodes it.
    expected: Vec<u8>,
}

impl Guard {
    pub(crate) fn new(auth: &BasicAuth) -> Self {
        Guard {
            expected: format!("{}:{}", auth.user, auth.pass.expose()).into_bytes(),
        }
    }

    /// Whether `req` carries the credentials, compared in constant time.
    pub(crate) fn admits(&self, req: &Request) -> bool {
        let Some(value) = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, encoded)) = value.split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(given) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        given.ct_eq(&self.expected).into()
    }
}

/// Whether `path` (the full request path) answers without credentials.
pub(crate) fn is_open(path: &str, prefix: &str) -> bool {
    let Some(rest) = path.strip_prefix(prefix) else {
        return false;
    };
    OPEN_OPERATIONS.contains(&rest)
        || rest == "/openapi.json"
        || ["/docs", "/redoc"]
            .iter()
            .any(|ui| rest == *ui || rest.starts_with(&format!("{ui}/")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_paths() {
        assert!(super::is_open("/flyer/v1/health_check", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/ready", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/docs/", "/flyer/v1"));
        assert!(super::is_open("/flyer/v1/openapi.json", "/flyer/v1"));
        assert!(!super::is_open("/flyer/v1/docsx", "/flyer/v1"));
        assert!(!super::is_open("/flyer/v1/demo", "/flyer/v1"));
    }
}
