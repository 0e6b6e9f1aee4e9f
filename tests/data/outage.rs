//! The database goes away and comes back: the service starts without it, answers 50300
//! (fast, naming no secret) while it is gone, and heals by itself when it is back — no
//! restart. A proxy in front of the shared server stands for the database.

use std::time::{Duration, Instant};

use flyer_tests::{Answer, get, post_json};
use serde_json::json;

use crate::backends::{Backend, Scratch, serve_url, until_ready};
use flyer_tests::Proxy;

/// In the URL the service gets; PostgreSQL's trust auth ignores it, so it must be
/// accepted, and it must never be answered.
const PASSWORD: &str = "pw-that-must-not-leak";

fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.text);
    assert_eq!(answer.json["code"], 50300, "{what}: {}", answer.text);
    assert!(
        !answer.text.contains(PASSWORD),
        "{what} leaks the password: {}",
        answer.text
    );
}

async fn survives_an_outage(backend: Backend) {
    let db = Scratch::new(backend).await;
    let proxy = Proxy::new(([127, 0, 0, 1], db.port).into()).await;
    let password = (backend == Backend::Postgres).then_some(PASSWORD);
    let url = db.url_via(proxy.port(), password);
    // Down from the start: the service starts anyway.
    let server = serve_url(
        &url,
        &[
            ("flyer_db_acquire_timeout", "500ms"),
            ("flyer_db_connect_timeout", "500ms"),
        ],
    )
    .await;
    let ready_url = server.url("/ready");
    let users = server.url("/users");

    let ready = get(&ready_url).await;
    assert_unavailable(&ready, "/ready with the database down");
    assert!(
        ready.json["msg"].as_str().unwrap().contains("the database"),
        "{}",
        ready.text
    );
    assert_eq!(
        get(&server.url("/health_check")).await.status,
        200,
        "liveness"
    );
    let started = Instant::now();
    let refused = post_json(
        &users,
        &json!({"name": "Early", "email": "early@example.com", "age": 1}),
    )
    .await;
    assert_unavailable(&refused, "a write with the database down");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "50300 must not wait long: {:?}",
        started.elapsed()
    );

    // Up: migrations run, the service heals.
    proxy.open().await;
    let ready = until_ready(&ready_url, Duration::from_secs(15)).await;
    assert_eq!(ready.status, 200, "never ready: {}", ready.text);
    let made = post_json(
        &users,
        &json!({"name": "Bob", "email": "bob@example.com", "age": 40}),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text);
    let id = made.json["data"]["id"].as_i64().unwrap();

    // Down mid-run: 50300, readiness says so, liveness does not care.
    proxy.cut().await;
    let lost = get(&format!("{users}/{id}")).await;
    assert_unavailable(&lost, "a read with the database cut");
    let lost = post_json(
        &users,
        &json!({"name": "Carol", "email": "carol@example.com", "age": 41}),
    )
    .await;
    assert_unavailable(&lost, "a write with the database cut");
    assert_unavailable(&get(&ready_url).await, "/ready with the database cut");
    assert_eq!(
        get(&server.url("/health_check")).await.status,
        200,
        "liveness"
    );

    // Back: the same service answers again, with what was written before.
    proxy.open().await;
    let ready = until_ready(&ready_url, Duration::from_secs(15)).await;
    assert_eq!(ready.status, 200, "never ready again: {}", ready.text);
    let back = get(&format!("{users}/{id}")).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.json["data"]["email"], "bob@example.com");

    server.shutdown().await;
    proxy.cut().await;
    db.drop().await;
}

#[tokio::test]
async fn postgres_outage_is_50300_and_heals() {
    survives_an_outage(Backend::Postgres).await;
}

#[tokio::test]
async fn mariadb_outage_is_50300_and_heals() {
    survives_an_outage(Backend::MariaDb).await;
}
