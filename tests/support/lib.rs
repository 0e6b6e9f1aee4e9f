//! Helpers shared by flyer's integration tests: HTTP calls that return what a client
//! sees, parsed.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// What came back from one HTTP call.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, parsed as JSON (`Value::Null` when it is not JSON).
    pub json: Value,
    /// The body as text.
    pub text: String,
}

impl Answer {
    /// A header's value as text (empty when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("read the body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        json,
        text,
    }
}

/// Sends `req` and reads the answer.
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    answer(req.send().await.expect("the server answers")).await
}

/// `GET url`.
pub async fn get(url: &str) -> Answer {
    send(reqwest::Client::new().get(url)).await
}

/// `POST url` with a JSON body.
pub async fn post_json(url: &str, body: &Value) -> Answer {
    send(reqwest::Client::new().post(url).json(body)).await
}

/// Today's date in UTC, `YYYY-MM-DD`, as log files and timestamps write it.
pub fn today_utc() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now()).to_string()[..10].to_owned()
}
