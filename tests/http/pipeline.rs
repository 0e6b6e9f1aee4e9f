//! The request pipeline: structured validation errors, statuses, limits, timeouts,
//! panics, `flyer_error_status=200`, Basic auth, response headers, client IP, access log.

use std::time::{Duration, Instant};

use flyer_runtime::prelude::*;
use flyer_runtime::testing::{TestServer, config};
use flyer_tests::{Answer, get, post_json, send};
use serde_json::{Value, json};

/// Waits, then answers.
#[endpoint(GET, "/wait", tag = "pipeline")]
async fn wait(ms: Query<u64>) -> u64 {
    tokio::time::sleep(Duration::from_millis(ms.0)).await;
    ms.0
}

/// Panics.
#[endpoint(GET, "/panic", tag = "pipeline")]
async fn panics() -> String {
    panic!("boom in an async handler")
}

#[derive(Object)]
struct Customer {
    #[oai(validator(min_length = 1, max_length = 16))]
    name: String,
    #[oai(validator(pattern = r"^[^@]+@[^@]+$"))]
    email: String,
}

#[derive(Object)]
struct Line {
    #[oai(validator(min_length = 1))]
    sku: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "99")))]
    qty: u32,
}

#[derive(Object)]
struct Order {
    customer: Customer,
    #[oai(validator(min_items = 1))]
    lines: Vec<Line>,
}

/// Takes an order.
#[endpoint(POST, "/orders", tag = "pipeline")]
async fn order(body: Json<Order>) -> String {
    format!("{} x{}", body.customer.name, body.lines.len())
}

/// Echoes the body's size.
#[endpoint(POST, "/size", tag = "pipeline")]
async fn size(body: Json<Value>) -> usize {
    body.0.to_string().len()
}

/// Who is asking.
#[endpoint(GET, "/whoami", tag = "pipeline")]
async fn whoami(ip: ClientIp) -> String {
    ip.0.map(|ip| ip.to_string()).unwrap_or_default()
}

/// Header and cookie parameters.
#[endpoint(GET, "/token", tag = "pipeline")]
async fn token(
    #[oai(name = "X-Token", validator(min_length = 3))] token: Header<String>,
    session: Cookie<Option<String>>,
) -> String {
    format!("{} {:?}", token.0, session.0)
}

async fn start(vars: &[(&str, &str)]) -> TestServer {
    TestServer::with_config(config(vars).expect("valid test configuration")).await
}

fn locs(a: &Answer) -> Vec<&str> {
    a.json["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data list: {}", a.text))
        .iter()
        .map(|p| p["loc"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_body_failing_validation_lists_every_problem() {
    let s = start(&[]).await;
    let bad = json!({
        "customer": {"name": "", "email": "nope"},
        "lines": [{"sku": "a", "qty": 1}, {"sku": "", "qty": 100}, {"qty": 2}]
    });
    let a = post_json(&s.url("/orders"), &bad).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.json["code"], 40000);
    assert_eq!(
        locs(&a),
        [
            "body.customer.name",
            "body.customer.email",
            "body.lines.1.sku",
            "body.lines.1.qty",
            "body.lines.2.sku",
        ]
    );
    assert!(
        a.json["msg"]
            .as_str()
            .unwrap()
            .starts_with("body.customer.name: "),
        "{}",
        a.text
    );
    let problems = a.json["data"].as_array().unwrap();
    assert_eq!(problems[0]["type"], "value_error.min_length");
    assert_eq!(problems[3]["type"], "value_error.maximum");
    assert_eq!(problems[4]["type"], "missing");

    let a = post_json(
        &s.url("/orders"),
        &json!({"customer": {"name": "x", "email": "a@b"}, "lines": []}),
    )
    .await;
    assert_eq!(locs(&a), ["body.lines"]);
    let a = post_json(
        &s.url("/orders"),
        &json!({"customer": {"name": ["x"], "email": "a@b"}, "lines": [{"sku": "s", "qty": 1}]}),
    )
    .await;
    assert_eq!(locs(&a), ["body.customer.name"]);
    assert_eq!(a.json["data"][0]["type"], "type_error.string");
    let good =
        json!({"customer": {"name": "ann", "email": "a@b"}, "lines": [{"sku": "s", "qty": 1}]});
    let a = post_json(&s.url("/orders"), &good).await;
    assert_eq!(a.json["data"], "ann x1", "{}", a.text);
}

#[tokio::test]
async fn malformed_json_and_wrong_content_type_are_40000() {
    let s = start(&[]).await;
    let client = reqwest::Client::new();
    let a = send(
        client
            .post(s.url("/orders"))
            .header("content-type", "application/json")
            .body("{\"customer\": "),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.json["code"], 40000);
    assert_eq!(a.json["data"][0]["loc"], "body");
    assert_eq!(a.json["data"][0]["type"], "json_invalid");
    let a = send(
        client
            .post(s.url("/orders"))
            .header("content-type", "text/plain")
            .body("hello"),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.json["code"], 40000);
    assert_eq!(a.json["data"][0]["loc"], "header.content-type");
}

#[tokio::test]
async fn parameters_failing_validation_name_where_they_live() {
    let s = start(&[]).await;
    let a = get(&s.url("/things/notanumber")).await;
    assert_eq!(locs(&a), ["path.id"]);
    let a = get(&s.url("/points?n=11")).await;
    assert_eq!(locs(&a), ["query.n"]);
    assert_eq!(a.json["data"][0]["type"], "value_error.maximum");
    let a = get(&s.url("/points")).await;
    assert_eq!(locs(&a), ["query.n"]);
    let a = get(&s.url("/token")).await;
    assert_eq!(locs(&a), ["header.X-Token"], "{}", a.text);
    let a = send(
        reqwest::Client::new()
            .get(s.url("/token"))
            .header("x-token", "ab"),
    )
    .await;
    assert_eq!(locs(&a), ["header.X-Token"]);
    let a = send(
        reqwest::Client::new()
            .get(s.url("/token"))
            .header("x-token", "abc")
            .header("cookie", "session=s1"),
    )
    .await;
    assert_eq!(a.json["data"], "abc Some(\"s1\")", "{}", a.text);
}

#[tokio::test]
async fn wrong_method_lists_the_allowed_ones() {
    let s = start(&[]).await;
    let a = send(reqwest::Client::new().post(s.url("/things/3"))).await;
    assert_eq!(a.status, 405);
    assert_eq!(a.json["code"], 40500);
    assert_eq!(a.header("allow"), "GET, PUT, DELETE");
}

#[tokio::test]
async fn bodies_over_the_limit_are_41300() {
    let s = start(&[("flyer_body_limit", "1KiB")]).await;
    let big = json!({"pad": "x".repeat(2000)});
    let a = post_json(&s.url("/size"), &big).await;
    assert_eq!(a.status, 413, "{}", a.text);
    assert_eq!(a.json["code"], 41300);
    // Without a Content-Length: the limit holds while the body streams in.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..20).map(|_| Ok("x".repeat(100))).collect();
    let a = send(
        reqwest::Client::new()
            .post(s.url("/size"))
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            ))),
    )
    .await;
    assert_eq!(a.status, 413, "{}", a.text);
    assert_eq!(a.json["code"], 41300);
    let a = post_json(&s.url("/size"), &json!({"pad": "x".repeat(500)})).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test]
async fn a_handler_over_the_timeout_is_50400() {
    let s = start(&[("flyer_timeout", "0.3")]).await;
    let started = Instant::now();
    let a = get(&s.url("/wait?ms=5000")).await;
    assert_eq!(a.status, 504, "{}", a.text);
    assert_eq!(a.json["code"], 50400);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let a = get(&s.url("/wait?ms=10")).await;
    assert_eq!(a.json["data"], 10);
}

#[tokio::test]
async fn a_panic_is_50000_and_the_server_stays_up() {
    let s = start(&[]).await;
    for _ in 0..3 {
        let a = get(&s.url("/panic")).await;
        assert_eq!(a.status, 500);
        assert_eq!(a.json["code"], 50000);
        assert!(!a.text.contains("boom"), "{}", a.text);
    }
    assert_eq!(get(&s.url("/health_check")).await.status, 200);
}

#[tokio::test]
async fn error_status_200_answers_errors_with_200() {
    let s = start(&[
        ("flyer_error_status", "200"),
        ("flyer_auth_enable", "1"),
        ("flyer_auth_user", "ops"),
        ("flyer_auth_pass", "pw"),
    ])
    .await;
    let a = get(&s.url("/no/such/route")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["code"], 40100);
    assert!(a.header("www-authenticate").starts_with("Basic"));
    let client = reqwest::Client::new();
    let a = send(
        client
            .get(s.url("/no/such/route"))
            .basic_auth("ops", Some("pw")),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["code"], 40400);
    let a = send(
        client
            .get(s.url("/points?n=99"))
            .basic_auth("ops", Some("pw")),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["code"], 40000);
    let spec = get(&s.url("/openapi.json")).await.json;
    let responses = spec["paths"]["/flyer/v1/points"]["get"]["responses"]
        .as_object()
        .unwrap();
    assert_eq!(
        responses.keys().collect::<Vec<_>>(),
        ["200"],
        "{responses:?}"
    );
    let one_of = &responses["200"]["content"]["application/json; charset=utf-8"]["schema"]["oneOf"];
    assert_eq!(one_of[1]["$ref"], "#/components/schemas/ErrorEnvelope");

    let plain = start(&[]).await;
    let a = get(&plain.url("/no/such/route")).await;
    assert_eq!(a.status, 404);
    let spec = get(&plain.url("/openapi.json")).await.json;
    let statuses = |path: &str, method: &str| -> Vec<String> {
        spec["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path} undocumented"))
            .keys()
            .cloned()
            .collect()
    };
    // A query to validate: 400; no body: no 413; what any route can answer: `default`.
    assert_eq!(
        statuses("/flyer/v1/points", "get"),
        ["200", "400", "default"]
    );
    // Nothing to validate.
    assert_eq!(
        statuses("/flyer/v1/health_check", "get"),
        ["200", "default"]
    );
    // A body: 400 and 413.
    assert_eq!(
        statuses("/flyer/v1/orders", "post"),
        ["200", "400", "413", "default"]
    );
    let default = &spec["paths"]["/flyer/v1/points"]["get"]["responses"]["default"];
    for code in ["40800", "43100", "50000", "50400"] {
        assert!(
            default["description"].as_str().unwrap().contains(code),
            "{default}"
        );
    }
    assert_eq!(
        default["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ErrorEnvelope"
    );
}

#[tokio::test]
async fn basic_auth_guards_user_routes_only() {
    let s = start(&[
        ("flyer_auth_enable", "1"),
        ("flyer_auth_user", "ops"),
        ("flyer_auth_pass", "s3cret"),
    ])
    .await;
    let client = reqwest::Client::new();
    let a = get(&s.url("/items/1")).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json["code"], 40100);
    assert_eq!(
        a.header("www-authenticate"),
        "Basic realm=\"flyer\", charset=\"UTF-8\""
    );
    let a = send(
        client
            .get(s.url("/items/1"))
            .basic_auth("ops", Some("wrong")),
    )
    .await;
    assert_eq!(a.status, 401);
    let a = send(
        client
            .get(s.url("/items/1"))
            .basic_auth("ops", Some("s3cret2")),
    )
    .await;
    assert_eq!(a.status, 401);
    let a = send(
        client
            .get(s.url("/items/1"))
            .header("authorization", "Bearer s3cret"),
    )
    .await;
    assert_eq!(a.status, 401);
    let a = send(
        client
            .get(s.url("/items/1"))
            .basic_auth("ops", Some("s3cret")),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    for open in ["/health_check", "/docs", "/redoc", "/openapi.json"] {
        assert_eq!(get(&s.url(open)).await.status, 200, "{open} must stay open");
    }
    let spec = get(&s.url("/openapi.json")).await.json;
    assert_eq!(
        spec["components"]["securitySchemes"]["basicAuth"]["scheme"],
        "basic"
    );
    let op = &spec["paths"]["/flyer/v1/items/{id}"]["get"];
    assert_eq!(op["security"], json!([{"basicAuth": []}]));
    assert!(op["responses"].get("401").is_some());
    assert!(
        spec["paths"]["/flyer/v1/health_check"]["get"]
            .get("security")
            .is_none()
    );

    let open = start(&[]).await;
    assert_eq!(get(&open.url("/items/1")).await.status, 200);
    let spec = get(&open.url("/openapi.json")).await.json;
    assert!(spec["components"].get("securitySchemes").is_none());
}

#[tokio::test]
async fn every_response_carries_timing_and_nosniff() {
    let s = start(&[]).await;
    for path in [
        "/health_check",
        "/no/such/route",
        "/docs",
        "/openapi.json",
        "/panic",
    ] {
        let a = get(&s.url(path)).await;
        assert_eq!(a.header("x-content-type-options"), "nosniff", "{path}");
        let ms: f64 = a
            .header("x-lasting-time")
            .parse()
            .unwrap_or_else(|_| panic!("{path}: no X-Lasting-Time"));
        assert!((0.0..10_000.0).contains(&ms), "{path}: {ms}");
        assert!(!a.header("x-request-id").is_empty(), "{path}");
    }
    let a = get(&s.url("/wait?ms=200")).await;
    let ms: f64 = a.header("x-lasting-time").parse().unwrap();
    assert!(ms >= 200.0, "{ms}");
}

#[tokio::test]
async fn the_client_ip_comes_through_trusted_proxies_only() {
    let xff = |s: &TestServer| {
        reqwest::Client::new()
            .get(s.url("/whoami"))
            .header("x-forwarded-for", "1.1.1.1, 9.9.9.9, 10.0.0.2")
    };
    let s = start(&[]).await;
    assert_eq!(send(xff(&s)).await.json["data"], "127.0.0.1");
    let s = start(&[("flyer_trusted_proxies", "127.0.0.1")]).await;
    assert_eq!(send(xff(&s)).await.json["data"], "10.0.0.2");
    let s = start(&[("flyer_trusted_proxies", "127.0.0.0/8, 10.0.0.0/8")]).await;
    assert_eq!(send(xff(&s)).await.json["data"], "9.9.9.9");
    assert_eq!(get(&s.url("/whoami")).await.json["data"], "127.0.0.1");
}

fn read_log(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("access.log."), "unexpected file {name}");
        text.push_str(&std::fs::read_to_string(&path).unwrap());
    }
    text
}

async fn wait_for_lines(dir: &std::path::Path, n: usize) -> String {
    for _ in 0..100 {
        let text = read_log(dir);
        if text.lines().count() >= n {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    read_log(dir)
}

#[tokio::test]
async fn the_access_log_has_one_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("access.log");
    let s = start(&[
        ("flyer_access_log", "1"),
        ("flyer_log_format", "json"),
        ("flyer_access_logfile", file.to_str().unwrap()),
        ("flyer_trusted_proxies", "127.0.0.1"),
    ])
    .await;
    let client = reqwest::Client::new();
    send(
        client
            .get(s.url("/health_check"))
            .header("user-agent", "probe/1.0")
            .header("x-request-id", "req-1")
            .header("x-forwarded-for", "203.0.113.9"),
    )
    .await;
    send(client.get(s.url("/no/such?secret=1"))).await;
    send(client.get(s.url("/openapi.json"))).await;
    let text = wait_for_lines(dir.path(), 3).await;
    let today = flyer_tests::today_utc();
    assert!(
        dir.path().join(format!("access.log.{today}")).exists(),
        "the log file is named by day"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    // Milliseconds to the microsecond, not to fifteen digits.
    for line in text.lines() {
        let latency = line.split("\"latency_ms\":").nth(1).unwrap();
        let number = latency.split([',', '}']).next().unwrap();
        let decimals = number.split('.').nth(1).map_or(0, str::len);
        assert!(decimals <= 3, "{line}");
    }
    // Not an envelope: no code, rather than `"code": null`.
    assert_eq!(lines[2]["status"], 200);
    assert!(lines[2].get("code").is_none(), "{}", lines[2]);
    let first = &lines[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/flyer/v1/health_check");
    assert_eq!(first["status"], 200);
    assert_eq!(first["code"], 200);
    assert_eq!(first["client_ip"], "203.0.113.9");
    assert_eq!(first["request_id"], "req-1");
    assert_eq!(first["user_agent"], "probe/1.0");
    assert!(first["latency_ms"].as_f64().unwrap() >= 0.0);
    assert!(first["timestamp"].as_str().unwrap().starts_with(&today));
    assert_eq!(lines[1]["status"], 404);
    assert_eq!(lines[1]["code"], 40400);
    assert!(!text.contains("secret=1"), "query strings are not logged");

    let plain_dir = tempfile::tempdir().unwrap();
    let plain_file = plain_dir.path().join("access.log");
    let s = start(&[
        ("flyer_access_log", "1"),
        ("flyer_log_format", "text"),
        ("flyer_access_logfile", plain_file.to_str().unwrap()),
    ])
    .await;
    get(&s.url("/health_check")).await;
    let text = wait_for_lines(plain_dir.path(), 1).await;
    assert!(
        text.contains("\"GET /flyer/v1/health_check\" 200 200 "),
        "{text}"
    );

    let off_dir = tempfile::tempdir().unwrap();
    let off_file = off_dir.path().join("access.log");
    let s = start(&[
        ("flyer_access_log", "0"),
        ("flyer_access_logfile", off_file.to_str().unwrap()),
    ])
    .await;
    get(&s.url("/health_check")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(std::fs::read_dir(off_dir.path()).unwrap().count(), 0);
}
