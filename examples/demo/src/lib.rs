//! flyer's demo service: Flyer's demo API and a few more routes showing path, query and
//! header parameters with validators, a plain-`fn` endpoint and two tags.
//!
//! The endpoints live in this library; `main.rs` only serves them. A binary collects the
//! endpoints of every crate it links, so linking this library is all it takes.

use flyer_runtime::prelude::*;

/// Flyer's demo request.
#[derive(Object)]
#[oai(rename_all = "camelCase")]
pub struct DemoRequest {
    /// What to greet.
    #[oai(validator(min_length = 1, max_length = 64))]
    pub msg_content: String,
}

/// Say hello.
///
/// Flyer's demo route: answers `Hello <msgContent>!`.
#[endpoint(POST, "/demo", tag = "demo")]
pub async fn demo(body: Json<DemoRequest>) -> Result<String> {
    Ok(format!("Hello {}!", body.msg_content))
}

/// An item of the demo's catalogue.
#[derive(Object)]
pub struct Item {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// The language the name was asked in.
    pub lang: String,
}

/// Get an item.
///
/// Shows a path parameter with a validator and an optional header.
#[endpoint(GET, "/items/{id}", tag = "catalogue")]
pub async fn get_item(
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] id: Path<u32>,
    #[oai(name = "Accept-Language")] lang: Header<Option<String>>,
) -> Result<Item> {
    if *id == 404 {
        return Err(Error::not_found(format!("no item {}", *id)));
    }
    Ok(Item {
        id: *id,
        name: format!("item {}", *id),
        lang: lang.0.unwrap_or_else(|| "en".to_owned()),
    })
}

/// List item names.
///
/// Shows query parameters with validators and a default.
#[endpoint(GET, "/items", tag = "catalogue")]
pub async fn list_items(
    #[oai(validator(maximum(value = "100")), default = "default_size")] size: Query<u32>,
    #[oai(validator(max_length = 32))] prefix: Query<Option<String>>,
) -> Vec<String> {
    let prefix = prefix.0.unwrap_or_else(|| "item".to_owned());
    (1..=size.0).map(|i| format!("{prefix} {i}")).collect()
}

fn default_size() -> u32 {
    3
}

/// Sum 1..=n.
///
/// A plain `fn`: it runs on the blocking pool, so heavy work never stalls the reactor.
#[endpoint(GET, "/sum/{n}", tag = "catalogue")]
pub fn sum(#[oai(validator(maximum(value = "10000000")))] n: Path<u64>) -> u64 {
    (1..=n.0).sum()
}

/// Is `x` prime?
///
/// fastapi-queue's synchronous example: a plain `fn` (it runs on the blocking pool) that
/// sleeps 0.2 s to stand for slow blocking work.
#[endpoint(GET, "/sync-test", tag = "queue")]
#[queued(limit = 320)]
pub fn sync_test(#[oai(validator(minimum(value = "0")))] x: Query<u64>) -> bool {
    std::thread::sleep(std::time::Duration::from_millis(200));
    is_prime(x.0)
}

fn is_prime(x: u64) -> bool {
    x >= 2
        && (2..)
            .take_while(|d| d * d <= x)
            .all(|d| !x.is_multiple_of(d))
}

/// The `n`th Fibonacci number.
///
/// fastapi-queue's asynchronous example: waits 0.2 s (a slow dependency), then computes.
#[endpoint(GET, "/async-test", tag = "queue")]
#[queued(limit = 1000)]
pub async fn async_test(#[oai(validator(maximum(value = "80")))] n: Query<u32>) -> u64 {
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n.0 {
        (a, b) = (b, a + b);
    }
    a
}

/// Wait `ms` milliseconds, then answer: a stand-in for a slow dependency, to see
/// `flyer_timeout` and graceful shutdown at work.
#[endpoint(GET, "/sleep", tag = "catalogue")]
pub async fn sleep(#[oai(validator(maximum(value = "60000")))] ms: Query<u64>) -> u64 {
    tokio::time::sleep(std::time::Duration::from_millis(ms.0)).await;
    ms.0
}

/// The server's time, at most 5 requests a second per client (bursts of 10).
#[endpoint(GET, "/time", tag = "queue")]
#[rate_limit(rate = "5/s", burst = 10, key = "ip")]
pub async fn time() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:03}", now.as_secs(), now.subsec_millis())
}

// sanic-ms's users example on the database (SQLite's `flyer.db` unless `flyer_db_*` says
// otherwise), and the migrations that make its table.
pub mod migration;
pub mod users;
