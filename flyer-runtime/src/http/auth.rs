//! HTTP Basic auth (`flyer_auth_*`): every route but the open ones (see `api::open`)
//! needs the credentials.

use base64::Engine;
use poem::Request;
use poem::http::header;
use subtle::ConstantTimeEq;

use crate::config::BasicAuth;

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
