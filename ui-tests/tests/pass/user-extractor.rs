//! A user-written extractor (`poem::FromRequest`) as an endpoint argument.

use flyer_runtime::prelude::*;
use poem::{FromRequest, Request, RequestBody};

/// The client's `User-Agent`, or `"unknown"`.
struct UserAgent(String);

impl<'a> FromRequest<'a> for UserAgent {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let agent = req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown");
        Ok(UserAgent(agent.to_owned()))
    }
}

/// Who is asking.
#[endpoint(GET, "/whoami")]
async fn whoami(agent: UserAgent, verbose: Query<Option<bool>>) -> String {
    format!("{} (verbose: {:?})", agent.0, verbose.0)
}

/// The same extractor in a plain `fn` (it is `Send + 'static`).
#[endpoint(GET, "/whoami/blocking")]
fn whoami_blocking(agent: UserAgent) -> String {
    agent.0
}

fn main() {}
