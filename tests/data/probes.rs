//! `/ready` beside `/health_check`: both open when Basic auth is on, readiness touching
//! the database, liveness nothing; and migrations at start-up on the default SQLite.

use std::time::Duration;

use flyer_runtime::testing::{self, TestServer};
use flyer_tests::{get, post_json, send};
use serde_json::json;

use crate::backends::{Backend, Scratch, until_ready};

#[tokio::test]
async fn probes_stay_open_behind_basic_auth() {
    let db = Scratch::new(Backend::Sqlite).await;
    let server = db
        .serve(&[
            ("flyer_auth_enable", "1"),
            ("flyer_auth_user", "ops"),
            ("flyer_auth_pass", "s3cret"),
        ])
        .await;
    let ready = until_ready(&server.url("/ready"), Duration::from_secs(10)).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    for probe in ["/ready", "/health_check"] {
        let answer = get(&server.url(probe)).await;
        assert_eq!(answer.status, 200, "{probe}: {}", answer.text);
    }
    let users = get(&server.url("/users")).await;
    assert_eq!(users.status, 401, "{}", users.text);
    let with_credentials = send(
        reqwest::Client::new()
            .get(server.url("/users"))
            .basic_auth("ops", Some("s3cret")),
    )
    .await;
    assert_eq!(with_credentials.status, 200, "{}", with_credentials.text);
    server.shutdown().await;
}

#[tokio::test]
async fn sqlite_by_default_created_and_migrated_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fresh.db");
    // Only the file is named: driver, migrations and pool are the defaults.
    let config = testing::config(&[("flyer_db_name", file.to_str().unwrap())]).unwrap();
    assert!(config.db.migrate, "migrations run by default on SQLite");
    let server = TestServer::with_migrator::<flyer_demo::migration::Migrator>(config).await;
    let made = post_json(
        &server.url("/users"),
        &json!({"name": "First", "email": "first@example.com", "age": 1}),
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.text);
    assert!(file.exists(), "the SQLite file was created");
    server.shutdown().await;
}

#[tokio::test]
async fn without_migrations_run_the_table_is_missing_and_that_is_50000() {
    // flyer_db_migrate=0: nothing creates the table; the failure is logged, not sent.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.db");
    let config = testing::config(&[
        ("flyer_db_name", file.to_str().unwrap()),
        ("flyer_db_migrate", "0"),
    ])
    .unwrap();
    let server = TestServer::with_migrator::<flyer_demo::migration::Migrator>(config).await;
    let answer = get(&server.url("/users/1")).await;
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert_eq!(answer.json["msg"], "internal error");
    assert!(!answer.text.contains("users"), "{}", answer.text);
    server.shutdown().await;
}
