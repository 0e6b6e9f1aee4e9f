//! The users API through real HTTP, as a service's own tests would do it: a complete
//! `TestServer` example (the README shows this file).

use flyer_demo::migration::Migrator;
use flyer_runtime::testing::{TestServer, config};
use serde_json::{Value, json};

// A test binary serves the endpoints of the crates it links: name the library.
use flyer_demo as _;

#[tokio::test]
async fn create_then_list_users() {
    // A SQLite file of this test's own, migrated at start-up as the binary does it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.db");
    let config = config(&[("flyer_db_name", file.to_str().unwrap())]).unwrap();
    let server = TestServer::with_migrator::<Migrator>(config).await;
    let client = reqwest::Client::new();

    let created: Value = client
        .post(server.url("/users"))
        .json(&json!({"name": "Ada", "email": "ada@example.com", "age": 36}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["code"], 200, "{created}");
    assert_eq!(created["data"]["name"], "Ada");

    let again = client
        .post(server.url("/users"))
        .json(&json!({"name": "Ada", "email": "ada@example.com", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "the email is taken");

    let page: Value = client
        .get(server.url("/users?size=10"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["pagination"]["total"], 1, "{page}");
    assert_eq!(page["data"][0]["email"], "ada@example.com");
}
