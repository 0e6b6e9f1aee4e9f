//! One voice for every validation problem: each validator, in each place a value can be
//! (a body at depth, the query, the path, a header, a cookie), answers the same message
//! and `type`, derived from the schema — and a JSON body's types are strict.

use flyer_runtime::prelude::*;
use flyer_runtime::testing::TestServer;
use flyer_tests::{Answer, get, post_json, send};
use serde_json::{Value, json};

/// A colour.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
enum Colour {
    Red,
    Green,
}

/// One field per validator.
#[derive(Object)]
struct Checked {
    #[oai(validator(minimum(value = "1")))]
    min: Option<u32>,
    #[oai(validator(maximum(value = "10")))]
    max: Option<u32>,
    #[oai(validator(minimum(value = "0", exclusive)))]
    xmin: Option<i32>,
    #[oai(validator(maximum(value = "10", exclusive)))]
    xmax: Option<i32>,
    #[oai(validator(min_length = 2))]
    minlen: Option<String>,
    #[oai(validator(max_length = 3))]
    maxlen: Option<String>,
    #[oai(validator(pattern = "^a+$"))]
    pattern: Option<String>,
    colour: Option<Colour>,
    #[oai(validator(multiple_of = 3.0))]
    mult: Option<u32>,
    #[oai(validator(max_items = 2))]
    maxitems: Option<Vec<u32>>,
    #[oai(validator(unique_items))]
    unique: Option<Vec<u32>>,
    count: Option<u32>,
    flag: Option<bool>,
    name: Option<String>,
}

/// The checked fields one level down.
#[derive(Object)]
struct Outer {
    inner: Checked,
}

/// A body.
#[endpoint(POST, "/v/body", tag = "validation")]
async fn v_body(body: Json<Outer>) -> String {
    body.0.inner.name.unwrap_or_default()
}

/// Query parameters.
#[endpoint(GET, "/v/query", tag = "validation")]
#[allow(clippy::too_many_arguments)]
async fn v_query(
    #[oai(validator(minimum(value = "1")))] min: Query<Option<u32>>,
    #[oai(validator(maximum(value = "10")))] max: Query<Option<u32>>,
    #[oai(validator(minimum(value = "0", exclusive)))] xmin: Query<Option<i32>>,
    #[oai(validator(maximum(value = "10", exclusive)))] xmax: Query<Option<i32>>,
    #[oai(validator(min_length = 2))] minlen: Query<Option<String>>,
    #[oai(validator(max_length = 3))] maxlen: Query<Option<String>>,
    #[oai(validator(pattern = "^a+$"))] pattern: Query<Option<String>>,
    colour: Query<Option<Colour>>,
    #[oai(validator(multiple_of = 3.0))] mult: Query<Option<u32>>,
    #[oai(validator(max_items = 2))] maxitems: Query<Vec<u32>>,
    #[oai(validator(unique_items))] unique: Query<Vec<u32>>,
    count: Query<Option<u32>>,
    flag: Query<Option<bool>>,
    required: Query<Option<String>>,
) -> String {
    let _ = (min, max, xmin, xmax, minlen, maxlen, pattern, colour, mult);
    let _ = (maxitems, unique, count, flag);
    required.0.unwrap_or_default()
}

/// Path parameters: every one must be there, so each row changes one.
#[endpoint(
    GET,
    "/v/path/{min}/{max}/{xmin}/{xmax}/{minlen}/{maxlen}/{pattern}/{colour}/{mult}/{count}/{flag}",
    tag = "validation"
)]
#[allow(clippy::too_many_arguments)]
async fn v_path(
    #[oai(validator(minimum(value = "1")))] min: Path<u32>,
    #[oai(validator(maximum(value = "10")))] max: Path<u32>,
    #[oai(validator(minimum(value = "0", exclusive)))] xmin: Path<i32>,
    #[oai(validator(maximum(value = "10", exclusive)))] xmax: Path<i32>,
    #[oai(validator(min_length = 2))] minlen: Path<String>,
    #[oai(validator(max_length = 3))] maxlen: Path<String>,
    #[oai(validator(pattern = "^a+$"))] pattern: Path<String>,
    colour: Path<Colour>,
    #[oai(validator(multiple_of = 3.0))] mult: Path<u32>,
    count: Path<u32>,
    flag: Path<bool>,
) -> String {
    let _ = (
        min, max, xmin, xmax, minlen, maxlen, pattern, colour, mult, count, flag,
    );
    "ok".to_owned()
}

/// Header parameters.
#[endpoint(GET, "/v/header", tag = "validation")]
#[allow(clippy::too_many_arguments)]
async fn v_header(
    #[oai(validator(minimum(value = "1")))] min: Header<Option<u32>>,
    #[oai(validator(maximum(value = "10")))] max: Header<Option<u32>>,
    #[oai(validator(minimum(value = "0", exclusive)))] xmin: Header<Option<i32>>,
    #[oai(validator(maximum(value = "10", exclusive)))] xmax: Header<Option<i32>>,
    #[oai(validator(min_length = 2))] minlen: Header<Option<String>>,
    #[oai(validator(max_length = 3))] maxlen: Header<Option<String>>,
    #[oai(validator(pattern = "^a+$"))] pattern: Header<Option<String>>,
    colour: Header<Option<Colour>>,
    #[oai(validator(multiple_of = 3.0))] mult: Header<Option<u32>>,
    count: Header<Option<u32>>,
    flag: Header<Option<bool>>,
    required: Header<String>,
) -> String {
    let _ = (
        min, max, xmin, xmax, minlen, maxlen, pattern, colour, mult, count, flag,
    );
    required.0
}

/// Cookie parameters.
#[endpoint(GET, "/v/cookie", tag = "validation")]
#[allow(clippy::too_many_arguments)]
async fn v_cookie(
    #[oai(validator(minimum(value = "1")))] min: Cookie<Option<u32>>,
    #[oai(validator(maximum(value = "10")))] max: Cookie<Option<u32>>,
    #[oai(validator(minimum(value = "0", exclusive)))] xmin: Cookie<Option<i32>>,
    #[oai(validator(maximum(value = "10", exclusive)))] xmax: Cookie<Option<i32>>,
    #[oai(validator(min_length = 2))] minlen: Cookie<Option<String>>,
    #[oai(validator(max_length = 3))] maxlen: Cookie<Option<String>>,
    #[oai(validator(pattern = "^a+$"))] pattern: Cookie<Option<String>>,
    colour: Cookie<Option<Colour>>,
    #[oai(validator(multiple_of = 3.0))] mult: Cookie<Option<u32>>,
    count: Cookie<Option<u32>>,
    flag: Cookie<Option<bool>>,
    required: Cookie<String>,
) -> String {
    let _ = (
        min, max, xmin, xmax, minlen, maxlen, pattern, colour, mult, count, flag,
    );
    required.0
}

/// Every validator (and the two type errors a text can have): the field, a bad value,
/// as text and as JSON, and the problem it must give. Arrays are not scalars of a path,
/// a header or a cookie: `list` says so.
struct Row {
    field: &'static str,
    text: &'static str,
    json: Value,
    msg: &'static str,
    kind: &'static str,
    list: bool,
}

fn rows() -> Vec<Row> {
    let row = |field, text, json, msg, kind| Row {
        field,
        text,
        json,
        msg,
        kind,
        list: false,
    };
    vec![
        row("min", "0", json!(0), "must be >= 1", "value_error.minimum"),
        row(
            "max",
            "11",
            json!(11),
            "must be <= 10",
            "value_error.maximum",
        ),
        row("xmin", "0", json!(0), "must be > 0", "value_error.minimum"),
        row(
            "xmax",
            "10",
            json!(10),
            "must be < 10",
            "value_error.maximum",
        ),
        row(
            "minlen",
            "a",
            json!("a"),
            "must be at least 2 characters long",
            "value_error.min_length",
        ),
        row(
            "maxlen",
            "abcd",
            json!("abcd"),
            "must be at most 3 characters long",
            "value_error.max_length",
        ),
        row(
            "pattern",
            "b",
            json!("b"),
            "must match the pattern ^a+$",
            "value_error.pattern",
        ),
        row(
            "colour",
            "Blue",
            json!("Blue"),
            "must be one of: \"Red\", \"Green\"",
            "value_error.enum",
        ),
        row(
            "mult",
            "4",
            json!(4),
            "must be a multiple of 3",
            "value_error.multiple_of",
        ),
        row(
            "count",
            "x",
            json!("x"),
            "must be an unsigned integer",
            "type_error.integer",
        ),
        row(
            "count",
            "-1",
            json!(-1),
            "must be >= 0",
            "value_error.minimum",
        ),
        row(
            "flag",
            "maybe",
            json!("maybe"),
            "must be a boolean (true or false)",
            "type_error.boolean",
        ),
        Row {
            list: true,
            ..row(
                "maxitems",
                "1,2,3",
                json!([1, 2, 3]),
                "must have at most 2 items",
                "value_error.max_items",
            )
        },
        Row {
            list: true,
            ..row(
                "unique",
                "1,1",
                json!([1, 1]),
                "items must be unique",
                "value_error.unique_items",
            )
        },
    ]
}

/// The one problem of `a`, as `(loc, msg, type)`.
fn only_problem(a: &Answer) -> (String, String, String) {
    assert_eq!(a.status, 400, "{}", a.text);
    assert_eq!(a.json["code"], 40000, "{}", a.text);
    let data = a.json["data"].as_array().expect("a list of problems");
    assert_eq!(data.len(), 1, "one problem, one entry: {}", a.text);
    let p = &data[0];
    assert_eq!(
        a.json["msg"],
        format!(
            "{}: {}",
            p["loc"].as_str().unwrap(),
            p["msg"].as_str().unwrap()
        )
    );
    (
        p["loc"].as_str().unwrap().to_owned(),
        p["msg"].as_str().unwrap().to_owned(),
        p["type"].as_str().unwrap().to_owned(),
    )
}

fn expect(row: &Row, loc: String, a: &Answer) {
    assert_eq!(
        only_problem(a),
        (loc, row.msg.to_owned(), row.kind.to_owned()),
        "{} = {}",
        row.field,
        row.text
    );
}

#[tokio::test]
async fn every_validator_speaks_one_voice_everywhere() {
    let s = TestServer::start().await;
    let client = reqwest::Client::new();
    for row in rows() {
        // A body, one level down.
        let a = post_json(&s.url("/v/body"), &json!({"inner": {row.field: row.json}})).await;
        expect(&row, format!("body.inner.{}", row.field), &a);

        // The query: a list is the parameter repeated.
        let query: String = row
            .text
            .split(if row.list { ',' } else { '\n' })
            .map(|v| format!("{}={v}&", row.field))
            .collect();
        let a = get(&s.url(&format!("/v/query?{query}"))).await;
        expect(&row, format!("query.{}", row.field), &a);
        if row.list {
            continue;
        }

        // The path, every other segment valid.
        let mut segments = [
            ("min", "5"),
            ("max", "5"),
            ("xmin", "5"),
            ("xmax", "5"),
            ("minlen", "ab"),
            ("maxlen", "ab"),
            ("pattern", "aa"),
            ("colour", "Red"),
            ("mult", "3"),
            ("count", "7"),
            ("flag", "true"),
        ];
        for s in &mut segments {
            if s.0 == row.field {
                s.1 = row.text;
            }
        }
        let path: String = segments.iter().map(|(_, v)| format!("/{v}")).collect();
        let a = get(&s.url(&format!("/v/path{path}"))).await;
        expect(&row, format!("path.{}", row.field), &a);

        let a = send(
            client
                .get(s.url("/v/header"))
                .header("required", "yes")
                .header(row.field, row.text),
        )
        .await;
        expect(&row, format!("header.{}", row.field), &a);

        let a = send(client.get(s.url("/v/cookie")).header(
            "cookie",
            format!("required=yes; {}={}", row.field, row.text),
        ))
        .await;
        expect(&row, format!("cookie.{}", row.field), &a);
    }
}

#[tokio::test]
async fn valid_values_pass_everywhere() {
    let s = TestServer::start().await;
    let a = post_json(
        &s.url("/v/body"),
        &json!({"inner": {"min": 1, "max": 10, "xmin": 1, "xmax": 9, "minlen": "ab",
            "maxlen": "abc", "pattern": "aaa", "colour": "Green", "mult": 9,
            "maxitems": [1, 2], "unique": [1, 2], "count": 0, "flag": false, "name": "n"}}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["data"], "n");
    let a = get(&s.url("/v/query?min=1&maxitems=1&maxitems=2&unique=1&unique=2&required=r")).await;
    assert_eq!(a.json["data"], "r", "{}", a.text);
    let a = get(&s.url("/v/path/5/5/5/5/ab/ab/aa/Red/3/0/false")).await;
    assert_eq!(a.json["data"], "ok", "{}", a.text);
}

#[tokio::test]
async fn missing_required_values_are_missing_everywhere() {
    let s = TestServer::start().await;
    let a = get(&s.url("/v/header")).await;
    assert_eq!(
        only_problem(&a),
        (
            "header.required".into(),
            "field required".into(),
            "missing".into()
        )
    );
    let a = get(&s.url("/v/cookie")).await;
    assert_eq!(
        only_problem(&a),
        (
            "cookie.required".into(),
            "field required".into(),
            "missing".into()
        )
    );
    let a = post_json(&s.url("/v/body"), &json!({})).await;
    assert_eq!(
        only_problem(&a),
        (
            "body.inner".into(),
            "field required".into(),
            "missing".into()
        )
    );
    let a = send(reqwest::Client::new().post(s.url("/v/body"))).await;
    assert_eq!(
        only_problem(&a),
        ("body".into(), "field required".into(), "missing".into())
    );
}

/// `null` for a required field is one problem, not two.
#[tokio::test]
async fn null_for_a_required_field_is_one_entry() {
    let s = TestServer::start().await;
    let a = post_json(&s.url("/demo"), &json!({"msgContent": null})).await;
    assert_eq!(
        only_problem(&a),
        (
            "body.msgContent".into(),
            "field required".into(),
            "missing".into()
        )
    );
}

/// Every problem of a request at once: parameters and body alike.
#[tokio::test]
async fn every_problem_is_listed() {
    let s = TestServer::start().await;
    let a = get(&s.url("/v/query?min=0&max=11&flag=maybe")).await;
    let locs: Vec<&str> = a.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["loc"].as_str().unwrap())
        .collect();
    assert_eq!(locs, ["query.min", "query.max", "query.flag"], "{}", a.text);
}

/// A JSON string field takes only a JSON string, at every depth; integers and booleans
/// stay strict.
#[tokio::test]
async fn json_types_are_strict() {
    let s = TestServer::start().await;
    for (body, loc, kind) in [
        (
            json!({"msgContent": false}),
            "body.msgContent",
            "type_error.string",
        ),
        (
            json!({"msgContent": 12}),
            "body.msgContent",
            "type_error.string",
        ),
    ] {
        let a = post_json(&s.url("/demo"), &body).await;
        assert_eq!(only_problem(&a).0, loc, "{body}");
        assert_eq!(only_problem(&a).2, kind, "{body}");
    }
    for (inner, loc, kind) in [
        (json!({"name": 12}), "body.inner.name", "type_error.string"),
        (
            json!({"name": true}),
            "body.inner.name",
            "type_error.string",
        ),
        (
            json!({"count": "1"}),
            "body.inner.count",
            "type_error.integer",
        ),
        (
            json!({"count": 1.5}),
            "body.inner.count",
            "type_error.integer",
        ),
        (json!({"flag": 1}), "body.inner.flag", "type_error.boolean"),
        (
            json!({"flag": "true"}),
            "body.inner.flag",
            "type_error.boolean",
        ),
        (
            json!({"maxitems": ["1"]}),
            "body.inner.maxitems.0",
            "type_error.integer",
        ),
    ] {
        let a = post_json(&s.url("/v/body"), &json!({ "inner": inner })).await;
        let (got_loc, _, got_kind) = only_problem(&a);
        assert_eq!(
            (got_loc.as_str(), got_kind.as_str()),
            (loc, kind),
            "{inner}"
        );
    }
    // The users example stores what it is given: a number is not a name.
    let a = post_json(
        &s.url("/users"),
        &json!({"name": 12, "email": "a@b", "age": 3}),
    )
    .await;
    assert_eq!(only_problem(&a).0, "body.name");
    // `null` where the field is optional is taken (the spec says nullable).
    let a = post_json(&s.url("/v/body"), &json!({"inner": {"name": null}})).await;
    assert_eq!(a.status, 200, "{}", a.text);
}
