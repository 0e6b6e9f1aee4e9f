//! Redis through the handler argument (`redis: Redis`), on the real server, under a key
//! prefix of this test's own.

use std::time::Duration;

use flyer_runtime::prelude::*;
use flyer_runtime::testing::{self, TestServer};
use flyer_tests::{get, send};
use fred::interfaces::KeysInterface;
use fred::types::Expiration;

const REDIS: &str = "127.0.0.1:6379";
const START: &str = "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log";

/// Stores `value` under `key` for a minute.
#[endpoint(PUT, "/test/kv/{key}", tag = "test")]
async fn kv_set(redis: Redis, key: Path<String>, value: PlainText<String>) -> Result<()> {
    redis
        .ready()?
        .set::<(), _, _>(key.0, value.0, Some(Expiration::EX(60)), None, false)
        .await?;
    Ok(())
}

/// The value under `key`, if any.
#[endpoint(GET, "/test/kv/{key}", tag = "test")]
async fn kv_get(redis: Redis, key: Path<String>) -> Result<Option<String>> {
    Ok(redis.ready()?.get(key.0).await?)
}

/// Deletes `key`.
#[endpoint(DELETE, "/test/kv/{key}", tag = "test")]
async fn kv_del(redis: Redis, key: Path<String>) -> Result<u32> {
    Ok(redis.ready()?.del(key.0).await?)
}

/// A Redis server must answer here; the test fails, saying how to start it, otherwise.
async fn require_redis() {
    let connected = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(REDIS),
    )
    .await;
    assert!(
        matches!(connected, Ok(Ok(_))),
        "Redis does not answer on {REDIS}; start it with: {START}"
    );
}

/// Waits until the service's pool has connected (it connects in the background).
async fn until_ready(server: &TestServer) {
    for _ in 0..50 {
        if get(&server.url("/ready")).await.status == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service never became ready with Redis at {REDIS}");
}

#[tokio::test]
async fn redis_set_and_get_through_the_handler_argument() {
    require_redis().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.db");
    let config = testing::config(&[
        ("flyer_redis_url", "redis://127.0.0.1:6379/0"),
        ("flyer_db_name", file.to_str().unwrap()),
    ])
    .unwrap();
    let server = TestServer::with_config(config).await;
    until_ready(&server).await;
    let ready = get(&server.url("/ready")).await;
    assert_eq!(ready.json["data"]["redis"], "up", "{}", ready.text);

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let key = format!("flyer-test:{}:{nanos}:greeting", std::process::id());
    let url = server.url(&format!("/test/kv/{key}"));
    let client = reqwest::Client::new();

    let missing = get(&url).await;
    assert_eq!(missing.status, 200, "{}", missing.text);
    assert!(
        missing.json.get("data").is_none_or(|d| d.is_null()),
        "{}",
        missing.text
    );
    let stored = send(
        client
            .put(&url)
            .header("content-type", "text/plain")
            .body("héllo"),
    )
    .await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    let read = get(&url).await;
    assert_eq!(read.json["data"], "héllo", "{}", read.text);
    let deleted = send(client.delete(&url)).await;
    assert_eq!(deleted.json["data"], 1, "{}", deleted.text);
    assert!(get(&url).await.json.get("data").is_none_or(|d| d.is_null()));

    server.shutdown().await;
}

#[tokio::test]
async fn ready_names_redis_when_it_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.db");
    // Port 1: nothing listens there.
    let config = testing::config(&[
        ("flyer_redis_url", "redis://:hunter2@127.0.0.1:1/0"),
        ("flyer_db_name", file.to_str().unwrap()),
    ])
    .unwrap();
    let server = TestServer::with_config(config).await;
    let ready = get(&server.url("/ready")).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert_eq!(ready.json["code"], 50300);
    let msg = ready.json["msg"].as_str().unwrap();
    assert!(msg.contains("Redis (127.0.0.1:1/0)"), "{msg}");
    assert!(!msg.contains("the database"), "the database is up: {msg}");
    assert_eq!(ready.json["data"]["database"], "up");
    assert!(!ready.text.contains("hunter2"), "{}", ready.text);
    // A route using Redis answers 50300 too, fast.
    let kv = get(&server.url("/test/kv/anything")).await;
    assert_eq!(kv.json["code"], 50300, "{}", kv.text);
    server.shutdown().await;
}
