//! Connections: slow headers, idle keep-alive, the connection cap and graceful shutdown,
//! driven over raw TCP where a well-behaved HTTP client would hide the behaviour.

use std::time::{Duration, Instant};

use flyer_runtime::testing::{TestServer, config};
use flyer_tests::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn start(vars: &[(&str, &str)]) -> TestServer {
    TestServer::with_config(config(vars).expect("valid test configuration")).await
}

fn request(path: &str) -> String {
    format!("GET /flyer/v1{path} HTTP/1.1\r\nhost: test\r\n\r\n")
}

/// Reads one response (head and a Content-Length body) from `stream`.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.expect("read");
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Whether the server closed `stream` within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(within, stream.read(&mut byte)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

#[tokio::test]
async fn a_client_too_slow_with_its_headers_gets_40800() {
    let s = start(&[("flyer_header_timeout", "0.5")]).await;
    let mut stream = TcpStream::connect(s.addr()).await.unwrap();
    stream
        .write_all(b"GET /flyer/v1/health_check HTTP/1.1\r\nhost: test\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
        .await
        .expect("an answer, not a hang");
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":40800"), "{answer}");
    assert!(answer.contains("x-request-id: "), "{answer}");
    assert!(
        waited >= Duration::from_millis(400),
        "cut too early: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "cut too late: {waited:?}");
    assert!(closed_within(&mut stream, Duration::from_secs(2)).await);
}

#[tokio::test]
async fn a_client_that_keeps_sending_a_slow_request_is_cut_too() {
    let s = start(&[("flyer_header_timeout", "0.6")]).await;
    let mut stream = TcpStream::connect(s.addr()).await.unwrap();
    let started = Instant::now();
    // One header byte every 100 ms: never idle, never done.
    let trickle = async {
        for b in b"GET /flyer/v1/health_check HTTP/1.1\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if stream.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), trickle).await;
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
        .await
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let s = start(&[("flyer_keepalive", "0.5")]).await;
    let mut stream = TcpStream::connect(s.addr()).await.unwrap();
    stream
        .write_all(request("/health_check").as_bytes())
        .await
        .unwrap();
    let answer = read_response(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Still open for a second request right away.
    stream
        .write_all(request("/health_check").as_bytes())
        .await
        .unwrap();
    assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    assert!(
        closed_within(&mut stream, Duration::from_secs(3)).await,
        "idle connection kept"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_handler_is_not_an_idle_connection() {
    let s = start(&[("flyer_keepalive", "0.3")]).await;
    let a = get(&s.url("/wait?ms=1200")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["data"], 1200);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let s = start(&[("flyer_worker_connections", "2")]).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(s.addr()).await.unwrap();
        stream
            .write_all(request("/health_check").as_bytes())
            .await
            .unwrap();
        assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    let mut third = TcpStream::connect(s.addr()).await.unwrap();
    third
        .write_all(request("/health_check").as_bytes())
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(500), third.peek(&mut byte)).await;
    assert!(
        early.is_err(),
        "the third connection was served beyond the cap"
    );
    drop(held.pop());
    let answer = tokio::time::timeout(Duration::from_secs(5), read_response(&mut third))
        .await
        .expect("served once a connection is free");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let s = start(&[("flyer_graceful_timeout", "5")]).await;
    let url = s.url("/wait?ms=800");
    let addr = s.addr();
    let requests: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { get(&url).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    s.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(3));
    for r in requests {
        let a = r.await.unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.json["data"], 800);
    }
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

#[tokio::test]
async fn shutdown_cuts_what_outlasts_the_graceful_timeout() {
    let s = start(&[("flyer_graceful_timeout", "0.3")]).await;
    let url = s.url("/wait?ms=10000");
    let slow = tokio::spawn(async move { reqwest::get(url).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    s.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        slow.await.unwrap().is_err(),
        "the request outlived the graceful timeout"
    );
}

/// The body of a response read by `read_response`, as JSON.
fn envelope_of(response: &str) -> serde_json::Value {
    let body = &response[response.find("\r\n\r\n").expect("a head") + 4..];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {response}"))
}

/// hyper answers a request it cannot parse by itself, before any service runs: those
/// answers are envelopes too, with their status and a request id.
#[tokio::test]
async fn requests_hyper_refuses_get_envelopes() {
    let s = start(&[]).await;
    let huge = format!(
        "GET /flyer/v1/health_check HTTP/1.1\r\nhost: test\r\nx-big: {}\r\n\r\n",
        "a".repeat(500_000)
    );
    let many: String = (0..150).map(|i| format!("x-h{i}: 1\r\n")).collect();
    let many = format!("GET /flyer/v1/health_check HTTP/1.1\r\nhost: test\r\n{many}\r\n");
    let malformed = "GET /flyer/v1/health_check HTTP/1.1\r\nhost: test\r\nno colon\r\n\r\n";
    for (request, status, code) in [
        (huge.as_str(), "431", 43100),
        (many.as_str(), "431", 43100),
        (malformed, "400", 40000),
    ] {
        let mut stream = TcpStream::connect(s.addr()).await.unwrap();
        // The server may answer and close before it has read all of a huge request.
        let _ = stream.write_all(request.as_bytes()).await;
        let response = read_response(&mut stream).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status} ")),
            "{response}"
        );
        assert!(
            response.contains("content-type: application/json"),
            "{response}"
        );
        let envelope = envelope_of(&response);
        assert_eq!(envelope["code"], code, "{response}");
        assert!(envelope["msg"].as_str().is_some_and(|m| !m.is_empty()));
        let id = envelope["request_id"].as_str().unwrap();
        assert!(
            response.contains(&format!("x-request-id: {id}")),
            "{response}"
        );
    }
    // The server still serves.
    assert_eq!(get(&s.url("/health_check")).await.status, 200);
}
