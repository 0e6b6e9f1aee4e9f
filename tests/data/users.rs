//! The demo's users resource end to end, the same suite on each database.

use std::time::Duration;

use flyer_tests::{Answer, get, post_json, send};
use serde_json::{Value, json};

use crate::backends::{Backend, Scratch, until_ready};

/// What a driver or the SQL would say; none of it may reach a client.
const LEAKS: &[&str] = &[
    "INSERT",
    "UPDATE",
    "SELECT",
    "UNIQUE",
    "Duplicate",
    "duplicate",
    "violates",
    "users_",
    "sqlx",
    "error returned from database",
];

fn assert_no_leak(answer: &Answer) {
    for word in LEAKS {
        assert!(
            !answer.text.contains(word),
            "the answer leaks {word:?}: {}",
            answer.text
        );
    }
}

async fn put_json(url: &str, body: &Value) -> Answer {
    send(reqwest::Client::new().put(url).json(body)).await
}

async fn delete(url: &str) -> Answer {
    send(reqwest::Client::new().delete(url)).await
}

async fn suite(backend: Backend) {
    let db = Scratch::new(backend).await;
    let server = db.serve(&[]).await;
    let users = server.url("/users");

    // Migrations run in the background at start-up: ready once they are done.
    let ready = until_ready(&server.url("/ready"), Duration::from_secs(10)).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.json["data"]["database"], "up");

    // Create.
    let alice = post_json(
        &users,
        &json!({"name": "Alice", "email": "alice@example.com", "age": 30}),
    )
    .await;
    assert_eq!(alice.status, 200, "{}", alice.text);
    assert_eq!(alice.json["code"], 200);
    let id = alice.json["data"]["id"].as_i64().expect("an id");
    assert_eq!(
        alice.json["data"],
        json!({"id": id, "name": "Alice", "email": "alice@example.com", "age": 30})
    );

    // A unique email: 40900, in words of our own.
    let again = post_json(
        &users,
        &json!({"name": "Alicia", "email": "alice@example.com", "age": 31}),
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.json["code"], 40900);
    assert_no_leak(&again);

    // Validation: every problem, before the database is touched.
    let bad = post_json(&users, &json!({"name": "", "email": "nobody", "age": 201})).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.json["code"], 40000);
    let locs: Vec<&str> = bad.json["data"]
        .as_array()
        .expect("the problems")
        .iter()
        .map(|p| p["loc"].as_str().unwrap())
        .collect();
    assert_eq!(
        locs,
        ["body.name", "body.email", "body.age"],
        "{}",
        bad.text
    );
    let long = post_json(
        &users,
        &json!({"name": "n".repeat(129), "email": "long@example.com", "age": 1}),
    )
    .await;
    assert_eq!(long.json["code"], 40000, "{}", long.text);
    let negative = post_json(
        &users,
        &json!({"name": "Neg", "email": "neg@example.com", "age": -1}),
    )
    .await;
    assert_eq!(negative.json["code"], 40000, "{}", negative.text);
    // The edges are allowed.
    let edges = post_json(
        &users,
        &json!({"name": "é".repeat(128), "email": "edge@example.com", "age": 200}),
    )
    .await;
    assert_eq!(edges.status, 200, "{}", edges.text);
    assert_eq!(edges.json["data"]["name"], "é".repeat(128));

    // Read.
    let got = get(&format!("{users}/{id}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["data"], alice.json["data"]);
    let missing = get(&format!("{users}/999999")).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert_eq!(missing.json["code"], 40400);

    // List, Flyer's pagination.
    for i in 0..3 {
        let made = post_json(
            &users,
            &json!({"name": format!("user {i} 🚀"), "email": format!("u{i}@example.com"), "age": 20 + i}),
        )
        .await;
        assert_eq!(made.status, 200, "{}", made.text);
    }
    let page = get(&format!("{users}?offset=1&size=2")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.json["code"], 200);
    assert_eq!(page.json["msg"], "success");
    assert_eq!(
        page.json["pagination"],
        json!({"total": 5, "offset": 1, "size": 2}),
        "{}",
        page.text
    );
    assert_eq!(
        page.json["data"][1]["name"], "user 0 🚀",
        "four-byte UTF-8 kept"
    );
    let emails: Vec<&str> = page.json["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["edge@example.com", "u0@example.com"],
        "oldest first"
    );
    let all = get(&users).await;
    assert_eq!(all.json["pagination"]["size"], 20, "the default size");
    assert_eq!(all.json["data"].as_array().unwrap().len(), 5);
    let beyond = get(&format!("{users}?offset=50")).await;
    assert_eq!(beyond.json["data"], json!([]));
    assert_eq!(beyond.json["pagination"]["total"], 5);
    for size in ["0", "101"] {
        let wrong = get(&format!("{users}?size={size}")).await;
        assert_eq!(wrong.json["code"], 40000, "size={size}: {}", wrong.text);
    }

    // Replace: in a transaction; a taken email is 40900 and changes nothing.
    let replaced = put_json(
        &format!("{users}/{id}"),
        &json!({"name": "Alice B.", "email": "alice.b@example.com", "age": 31}),
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(
        replaced.json["data"],
        json!({"id": id, "name": "Alice B.", "email": "alice.b@example.com", "age": 31})
    );
    let taken = put_json(
        &format!("{users}/{id}"),
        &json!({"name": "Alice C.", "email": "u0@example.com", "age": 32}),
    )
    .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert_no_leak(&taken);
    let unchanged = get(&format!("{users}/{id}")).await;
    assert_eq!(unchanged.json["data"], replaced.json["data"]);
    let nobody = put_json(
        &format!("{users}/999999"),
        &json!({"name": "X", "email": "x@example.com", "age": 1}),
    )
    .await;
    assert_eq!(nobody.status, 404, "{}", nobody.text);

    // Delete.
    let deleted = delete(&format!("{users}/{id}")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.json["code"], 200);
    assert!(deleted.json.get("data").is_none(), "{}", deleted.text);
    let twice = delete(&format!("{users}/{id}")).await;
    assert_eq!(twice.json["code"], 40400, "{}", twice.text);
    let gone = get(&format!("{users}/{id}")).await;
    assert_eq!(gone.status, 404);
    let after = get(&users).await;
    assert_eq!(after.json["pagination"]["total"], 4);
    // The email is free again.
    let reused = post_json(
        &users,
        &json!({"name": "Alice", "email": "alice.b@example.com", "age": 30}),
    )
    .await;
    assert_eq!(reused.status, 200, "{}", reused.text);

    server.shutdown().await;
    db.drop().await;
}

#[tokio::test]
async fn users_on_sqlite() {
    suite(Backend::Sqlite).await;
}

#[tokio::test]
async fn users_on_mariadb() {
    suite(Backend::MariaDb).await;
}

#[tokio::test]
async fn users_on_postgres() {
    suite(Backend::Postgres).await;
}
