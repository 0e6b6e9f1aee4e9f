//! `Db::transaction` commits on `Ok` and rolls back on `Err`, a panic, or a handler cut
//! short by `flyer_timeout`; a transaction begun by hand and dropped uncommitted rolls
//! back too. Each test route inserts a user,
//! then ends its own way; the users list tells what stayed.

use flyer_demo::users::entity;
use flyer_runtime::prelude::*;
use flyer_tests::{get, post_json};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::json;

use crate::backends::{Backend, Scratch};

/// How a test route ends its transaction.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
enum Ending {
    /// Returns `Ok`: committed.
    Commit,
    /// Returns an error after the insert: rolled back.
    Error,
    /// Panics after the insert: rolled back.
    Panic,
    /// A database error after the insert (a duplicate): rolled back, answered 40900.
    Conflict,
    /// Outlives `flyer_timeout` after the insert: cut short (50400), rolled back.
    Hang,
}

async fn insert(conn: &impl ConnectionTrait, email: &str) -> Result<()> {
    entity::ActiveModel {
        name: Set("probe".to_owned()),
        email: Set(email.to_owned()),
        age: Set(1),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Inserts `email` in a transaction, then ends as `ending` says.
#[endpoint(POST, "/test/tx", tag = "test")]
async fn tx_probe(db: Db, email: Query<String>, ending: Query<Ending>) -> Result<()> {
    db.transaction(async |tx| {
        insert(tx, &email).await?;
        match ending.0 {
            Ending::Commit => Ok(()),
            Ending::Error => Err(Error::new(42200, "changed my mind")),
            Ending::Panic => panic!("a handler bug"),
            Ending::Conflict => insert(tx, &email).await,
            Ending::Hang => {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                Ok(())
            }
        }
    })
    .await
}

/// Begins a transaction by hand, inserts `email`, and commits only when asked.
#[endpoint(POST, "/test/tx-begin", tag = "test")]
async fn tx_begin(db: Db, email: Query<String>, commit: Query<bool>) -> Result<()> {
    let tx = db.begin().await?;
    insert(&tx, &email).await?;
    if commit.0 {
        tx.commit().await?;
    }
    Ok(())
}

async fn emails(base: &str) -> Vec<String> {
    let list = get(&format!("{base}/users?size=100")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.json["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn rolls_back(backend: Backend) {
    let db = Scratch::new(backend).await;
    let server = db.serve(&[("flyer_timeout", "1")]).await;
    let base = server.url("");
    let client = reqwest::Client::new();
    let call = |path: &str, email: &str, ending: &str| {
        let url = format!("{base}{path}?email={email}&{ending}");
        let client = client.clone();
        async move {
            let resp = client.post(url).send().await.expect("an answer");
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.expect("an envelope");
            (status, body)
        }
    };

    let (status, _) = call("/test/tx", "commit@example.com", "ending=commit").await;
    assert_eq!(status, 200);
    let (status, body) = call("/test/tx", "error@example.com", "ending=error").await;
    assert_eq!((status, body["code"].clone()), (422, json!(42200)));
    let (status, body) = call("/test/tx", "panic@example.com", "ending=panic").await;
    assert_eq!((status, body["code"].clone()), (500, json!(50000)));
    let (status, body) = call("/test/tx", "conflict@example.com", "ending=conflict").await;
    assert_eq!((status, body["code"].clone()), (409, json!(40900)));
    let (status, body) = call("/test/tx", "hang@example.com", "ending=hang").await;
    assert_eq!((status, body["code"].clone()), (504, json!(50400)));
    let (status, _) = call("/test/tx-begin", "begin-kept@example.com", "commit=true").await;
    assert_eq!(status, 200);
    let (status, _) = call(
        "/test/tx-begin",
        "begin-dropped@example.com",
        "commit=false",
    )
    .await;
    assert_eq!(status, 200);

    assert_eq!(
        emails(&base).await,
        ["commit@example.com", "begin-kept@example.com"],
        "only committed rows stay"
    );
    // The pool survived the panic and the dropped transaction: it still writes.
    let after = post_json(
        &format!("{base}/users"),
        &json!({"name": "After", "email": "after@example.com", "age": 2}),
    )
    .await;
    assert_eq!(after.status, 200, "{}", after.text);

    server.shutdown().await;
    db.drop().await;
}

#[tokio::test]
async fn transactions_roll_back_on_sqlite() {
    rolls_back(Backend::Sqlite).await;
}

#[tokio::test]
async fn transactions_roll_back_on_mariadb() {
    rolls_back(Backend::MariaDb).await;
}

#[tokio::test]
async fn transactions_roll_back_on_postgres() {
    rolls_back(Backend::Postgres).await;
}
