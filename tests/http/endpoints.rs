//! `#[endpoint]`: collection (from this crate and from a library it links), the
//! envelope, parameters, the merge of operations sharing a path, and what the spec says
//! about each.

use std::time::{Duration, Instant};

use flyer_runtime::prelude::*;
use flyer_runtime::testing::TestServer;
use flyer_tests::{get, post_json, send};
use serde_json::{Value, json};

/// Read a thing.
///
/// Shares its path with `create_thing` and `delete_thing`.
#[endpoint(GET, "/things/{id}", tag = "things")]
async fn read_thing(id: Path<u32>) -> String {
    format!("read {}", *id)
}

/// Replace a thing.
#[endpoint(PUT, "/things/{id}", tags = ["things", "writes"])]
async fn replace_thing(id: Path<u32>, body: Json<Value>) -> Value {
    json!({"id": *id, "body": body.0})
}

/// Delete a thing.
#[endpoint(DELETE, "/things/{id}", tag = "things", deprecated)]
async fn delete_thing(id: Path<u32>) -> Result<()> {
    if *id == 0 {
        return Err(Error::not_found("no thing 0"));
    }
    Ok(())
}

/// Path parameters bound by name, whatever the order of the arguments.
#[endpoint(GET, "/pair/{first}/{second}", tag = "params")]
async fn pair(second: Path<String>, first: Path<String>) -> String {
    format!("first={} second={}", first.0, second.0)
}

type WidgetId = Path<u64>;
type Verbose = Query<Option<bool>>;

/// Arguments written as type aliases.
#[endpoint(GET, "/widgets/{id}", tag = "params", operation_id = "widgetById")]
async fn widget(id: WidgetId, verbose: Verbose) -> String {
    format!("widget {} verbose={:?}", id.0, verbose.0)
}

/// A user-written extractor: the value of `X-Tenant`, or `public`.
struct Tenant(String);

impl<'a> poem::FromRequest<'a> for Tenant {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        Ok(Tenant(
            req.header("x-tenant").unwrap_or("public").to_owned(),
        ))
    }
}

impl flyer_runtime::DeclaresErrors for Tenant {
    const ERRORS: &'static [u32] = &[40300];
}

/// Who is asking.
#[endpoint(GET, "/tenant", tag = "params", errors = [40400, 42200])]
async fn tenant(tenant: Tenant) -> String {
    tenant.0
}

/// A plain `fn`: runs on the blocking pool.
#[endpoint(GET, "/sleepy", tag = "blocking")]
fn sleepy(ms: Query<u64>) -> u64 {
    std::thread::sleep(Duration::from_millis(ms.0));
    ms.0
}

/// A plain `fn` that panics.
#[endpoint(GET, "/blocking-panic", tag = "blocking")]
fn blocking_panic() -> u64 {
    panic!("boom in a blocking handler")
}

#[derive(Debug)]
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("secret detail: password=hunter2")
    }
}

impl std::error::Error for Broken {}

/// `?` on any error is a 50000 whose detail is never sent.
#[endpoint(GET, "/broken", tag = "errors")]
async fn broken() -> std::result::Result<String, Broken> {
    Err(Broken)
}

/// A code of the user's own.
#[endpoint(GET, "/teapot", tag = "errors")]
async fn teapot() -> Result<String> {
    Err(Error::new(41800, "I'm a teapot").with_data(json!({"brew": "later"})))
}

/// Served but not documented.
#[endpoint(GET, "/secret", hidden)]
async fn secret() -> &'static str {
    "hidden but served"
}

/// A struct as data.
#[derive(Object)]
struct Point {
    x: i32,
    y: i32,
}

/// Points, from a query.
#[endpoint(GET, "/points", tag = "params", summary = "List points")]
async fn points(#[oai(validator(maximum(value = "10")))] n: Query<i32>) -> Vec<Point> {
    (0..n.0).map(|i| Point { x: i, y: -i }).collect()
}

async fn server() -> TestServer {
    TestServer::start().await
}

fn assert_envelope(json: &Value, code: u64) {
    assert_eq!(json["code"], code, "{json}");
    assert!(json["msg"].is_string(), "{json}");
    assert!(
        json["request_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{json}"
    );
}

#[tokio::test]
async fn health_check_is_an_envelope_without_data() {
    let s = server().await;
    let a = get(&s.url("/health_check")).await;
    assert_eq!(a.status, 200);
    assert_envelope(&a.json, 200);
    assert_eq!(a.json["msg"], "success");
    assert!(a.json.get("data").is_none(), "{}", a.text);
    assert_eq!(a.header("x-request-id"), a.json["request_id"]);
}

#[tokio::test]
async fn endpoints_of_a_linked_library_are_collected() {
    let s = server().await;
    let a = post_json(&s.url("/demo"), &json!({"msgContent": "world"})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["data"], "Hello world!");
    let a = get(&s.url("/items/7")).await;
    assert_eq!(a.json["data"]["id"], 7, "{}", a.text);
}

#[tokio::test]
async fn validation_failures_are_40000() {
    let s = server().await;
    let a = post_json(&s.url("/demo"), &json!({"msgContent": ""})).await;
    assert_eq!(a.status, 400);
    assert_envelope(&a.json, 40000);
    assert!(
        a.json["msg"].as_str().unwrap().contains("msgContent"),
        "{}",
        a.text
    );
    let a = get(&s.url("/points?n=11")).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_envelope(&a.json, 40000);
    let a = get(&s.url("/things/notanumber")).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert_envelope(&a.json, 40000);
}

#[tokio::test]
async fn operations_sharing_a_path_all_route() {
    let s = server().await;
    let client = reqwest::Client::new();
    let a = get(&s.url("/things/3")).await;
    assert_eq!(a.json["data"], "read 3");
    let a = send(client.put(s.url("/things/3")).json(&json!({"k": 1}))).await;
    assert_eq!(a.json["data"], json!({"id": 3, "body": {"k": 1}}));
    let a = send(client.delete(s.url("/things/3"))).await;
    assert_eq!(a.status, 200);
    assert_envelope(&a.json, 200);
    assert!(a.json.get("data").is_none());
    let a = send(client.delete(s.url("/things/0"))).await;
    assert_eq!(a.status, 404);
    assert_envelope(&a.json, 40400);
    assert_eq!(a.json["msg"], "no thing 0");
}

#[tokio::test]
async fn operations_sharing_a_path_are_one_path_item() {
    let s = server().await;
    let spec = get(&s.url("/openapi.json")).await.json;
    let item = &spec["paths"]["/flyer/v1/things/{id}"];
    let methods: Vec<&str> = item
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(methods.len(), 3, "{item}");
    for m in ["get", "put", "delete"] {
        assert!(methods.contains(&m), "{m} missing from {methods:?}");
    }
    assert_eq!(item["delete"]["deprecated"], true);
    assert_eq!(item["put"]["tags"], json!(["things", "writes"]));
    assert_eq!(item["get"]["summary"], "Read a thing.");
    assert_eq!(
        item["get"]["description"],
        "Shares its path with `create_thing` and `delete_thing`."
    );
    assert_eq!(item["get"]["operationId"], "read_thing");
}

#[tokio::test]
async fn path_parameters_bind_by_name() {
    let s = server().await;
    let a = get(&s.url("/pair/one/two")).await;
    assert_eq!(a.json["data"], "first=one second=two", "{}", a.text);
    let spec = get(&s.url("/openapi.json")).await.json;
    let params = &spec["paths"]["/flyer/v1/pair/{first}/{second}"]["get"]["parameters"];
    let names: Vec<&str> = params
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["first", "second"]);
}

#[tokio::test]
async fn type_aliases_and_user_extractors_work() {
    let s = server().await;
    let a = get(&s.url("/widgets/42?verbose=true")).await;
    assert_eq!(a.json["data"], "widget 42 verbose=Some(true)", "{}", a.text);
    let spec = get(&s.url("/openapi.json")).await.json;
    let op = &spec["paths"]["/flyer/v1/widgets/{id}"]["get"];
    assert_eq!(op["operationId"], "widgetById");
    assert_eq!(op["parameters"][0]["in"], "path");
    assert_eq!(op["parameters"][1]["in"], "query");
    let a = send(
        reqwest::Client::new()
            .get(s.url("/tenant"))
            .header("x-tenant", "acme"),
    )
    .await;
    assert_eq!(a.json["data"], "acme");
    let a = get(&s.url("/tenant")).await;
    assert_eq!(a.json["data"], "public");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn plain_fn_endpoints_do_not_stall_the_reactor() {
    let s = server().await;
    let slow_url = s.url("/sleepy?ms=1500");
    let slow = tokio::spawn(async move { get(&slow_url).await });
    // Give the slow request time to start its sleep.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let a = get(&s.url("/health_check")).await;
    let waited = started.elapsed();
    assert_eq!(a.status, 200);
    assert!(
        waited < Duration::from_millis(1000),
        "the health check waited {waited:?} behind a blocking handler"
    );
    let a = slow.await.unwrap();
    assert_eq!(a.json["data"], 1500);
}

#[tokio::test]
async fn errors_are_envelopes_with_their_status() {
    let s = server().await;
    let a = get(&s.url("/broken")).await;
    assert_eq!(a.status, 500);
    assert_envelope(&a.json, 50000);
    assert!(!a.text.contains("hunter2"), "detail leaked: {}", a.text);
    let a = get(&s.url("/teapot")).await;
    assert_eq!(a.status, 418);
    assert_envelope(&a.json, 41800);
    assert_eq!(a.json["data"], json!({"brew": "later"}));
    let a = get(&s.url("/blocking-panic")).await;
    assert_eq!(a.status, 500);
    assert_envelope(&a.json, 50000);
    let a = get(&s.url("/health_check")).await;
    assert_eq!(a.status, 200, "the server survives a panic");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_envelopes() {
    let s = server().await;
    let a = get(&s.url("/no/such/route")).await;
    assert_eq!(a.status, 404);
    assert_envelope(&a.json, 40400);
    let a = send(reqwest::Client::new().patch(s.url("/health_check"))).await;
    assert_eq!(a.status, 405);
    assert_envelope(&a.json, 40500);
}

#[tokio::test]
async fn hidden_endpoints_serve_but_are_not_documented() {
    let s = server().await;
    let a = get(&s.url("/secret")).await;
    assert_eq!(a.json["data"], "hidden but served");
    let spec = get(&s.url("/openapi.json")).await.json;
    assert!(spec["paths"].get("/flyer/v1/secret").is_none());
}

#[tokio::test]
async fn the_spec_documents_the_envelope() {
    let s = server().await;
    let spec = get(&s.url("/openapi.json")).await.json;
    let op = &spec["paths"]["/flyer/v1/points"]["get"];
    assert_eq!(op["summary"], "List points");
    let ok = &op["responses"]["200"]["content"]["application/json; charset=utf-8"]["schema"];
    for field in ["code", "msg", "data", "request_id"] {
        assert!(
            ok["properties"].get(field).is_some(),
            "{field} missing: {ok}"
        );
    }
    assert_eq!(ok["properties"]["data"]["type"], "array");
    assert_eq!(
        ok["properties"]["data"]["items"]["$ref"],
        "#/components/schemas/Point"
    );
    assert_eq!(
        op["responses"]["400"]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ErrorEnvelope"
    );
    let health = &spec["paths"]["/flyer/v1/health_check"]["get"]["responses"]["200"]["content"]["application/json; charset=utf-8"]
        ["schema"];
    assert!(health["properties"].get("data").is_none(), "{health}");
    assert_eq!(
        spec["paths"]["/flyer/v1/points"]["get"]["parameters"][0]["schema"]["maximum"],
        10.0
    );
}

#[tokio::test]
async fn the_spec_is_sorted_and_stable() {
    let s = server().await;
    let first = get(&s.url("/openapi.json")).await.text;
    let second = get(&s.url("/openapi.json")).await.text;
    assert_eq!(first, second);
    let spec: Value = serde_json::from_str(&first).unwrap();
    let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    let tags: Vec<&str> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for tag in [
        "blocking",
        "catalogue",
        "demo",
        "errors",
        "health",
        "params",
        "things",
        "writes",
    ] {
        assert!(tags.contains(&tag), "{tag} missing from {tags:?}");
    }
}

#[tokio::test]
async fn docs_are_served_offline() {
    let s = server().await;
    for (path, marker) in [("/docs", "SwaggerUIBundle"), ("/redoc", "Redoc")] {
        let a = get(&s.url(path)).await;
        assert_eq!(a.status, 200, "{path}");
        assert!(a.header("content-type").starts_with("text/html"), "{path}");
        assert!(a.text.contains(marker), "{path} lacks {marker}");
        assert!(
            !a.text.contains("<script src=\"http"),
            "{path} loads a script from the network"
        );
    }
    let a = get(&s.url("/openapi.json")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["openapi"], "3.0.0");
}

#[tokio::test]
async fn request_ids_are_kept_when_sane_and_generated_otherwise() {
    let s = server().await;
    let client = reqwest::Client::new();
    let a = send(
        client
            .get(s.url("/health_check"))
            .header("x-request-id", "abc-123.X_y"),
    )
    .await;
    assert_eq!(a.header("x-request-id"), "abc-123.X_y");
    assert_eq!(a.json["request_id"], "abc-123.X_y");
    let a = send(
        client
            .get(s.url("/health_check"))
            .header("x-request-id", "bad id!"),
    )
    .await;
    assert_ne!(a.header("x-request-id"), "bad id!");
    assert_eq!(a.header("x-request-id").len(), 32);
    assert_eq!(a.json["request_id"], a.header("x-request-id"));
}

#[tokio::test]
async fn declared_errors_are_documented() {
    let s = server().await;
    let spec = get(&s.url("/openapi.json")).await.json;
    let responses = &spec["paths"]["/flyer/v1/tenant"]["get"]["responses"];
    for (status, text) in [
        ("403", "40300: forbidden"),
        ("404", "40400: not found"),
        ("422", "42200: "),
    ] {
        let described = responses[status]["description"]
            .as_str()
            .unwrap_or_default();
        assert!(described.starts_with(text), "{status}: {described:?}");
        assert_eq!(
            responses[status]["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
            "#/components/schemas/ErrorEnvelope"
        );
    }
    assert!(
        spec["paths"]["/flyer/v1/widgets/{id}"]["get"]["responses"]
            .get("404")
            .is_none(),
        "only what is declared"
    );
}
