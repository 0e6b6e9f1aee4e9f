//! The `flyer_db_*` settings: a bad URL is a start-up error naming the variable, and no
//! password is ever printed.

use flyer_runtime::config::DbDriver;
use flyer_runtime::testing;

#[test]
fn a_bad_db_url_is_a_clear_error_without_the_password() {
    for (url, expected) in [
        (
            "postgres://app:hunter2@db.internal:notaport/app",
            "invalid port",
        ),
        (
            "oracle://app:hunter2@db.internal/app",
            "unknown scheme \"oracle\"",
        ),
        ("mysql://app:hunter2@", "empty host"),
    ] {
        let err = testing::config(&[("flyer_db_url", url)]).unwrap_err();
        assert_eq!(err.first().var, "flyer_db_url");
        let msg = err.to_string();
        assert!(msg.contains("flyer_db_url"), "{msg}");
        assert!(msg.contains(expected), "{url}: {msg}");
        assert!(!msg.contains("hunter2"), "the password leaks: {msg}");
        assert!(msg.contains("app:***@"), "the URL is shown masked: {msg}");
    }
}

#[test]
fn parts_make_the_url_and_secrets_stay_hidden() {
    let config = testing::config(&[
        ("flyer_db_driver", "postgres"),
        ("flyer_db_host", "db.internal"),
        ("flyer_db_user", "app"),
        ("flyer_db_pass", "p@ss:w/rd"),
        ("flyer_db_name", "orders"),
        ("flyer_db_pool_size", "4"),
        ("flyer_db_recycle", "10m"),
    ])
    .unwrap();
    assert_eq!(config.db.driver(), DbDriver::Postgres);
    assert_eq!(config.db.target, "postgres db.internal:5432/orders");
    assert_eq!(config.db.pool_size, 4);
    assert_eq!(config.db.recycle.as_secs(), 600);
    assert!(!config.db.migrate, "off by default on a server");
    for shown in [format!("{config:?}"), config.describe()] {
        assert!(!shown.contains("p@ss"), "{shown}");
    }
    assert!(config.describe().contains("flyer_db_pass=***"));

    let mysql = testing::config(&[("flyer_db_driver", "mariadb")]).unwrap();
    assert_eq!(mysql.db.target, "mysql 127.0.0.1:3306/flyer");
    let sqlite = testing::config(&[]).unwrap();
    assert_eq!(sqlite.db.target, "sqlite flyer.db");
    assert!(sqlite.db.migrate, "on by default for SQLite");
    assert_eq!(sqlite.db.pool_size, 32);
    assert_eq!(sqlite.db.recycle.as_secs(), 1800);

    let url =
        testing::config(&[("flyer_db_url", "postgres://app:hunter2@db.internal/app")]).unwrap();
    assert!(!url.describe().contains("hunter2"));
    assert!(url.describe().contains("flyer_db_url=***"));
}

#[test]
fn bad_pool_values_name_their_variable() {
    for (var, value) in [
        ("flyer_db_pool_size", "0"),
        ("flyer_db_recycle", "soon"),
        ("flyer_db_acquire_timeout", "0"),
        ("flyer_db_connect_timeout", "-1"),
        ("flyer_db_migrate", "maybe"),
        ("flyer_db_driver", "oracle"),
        ("flyer_db_port", "99999"),
    ] {
        let err = testing::config(&[(var, value)]).unwrap_err();
        assert_eq!(err.first().var, var, "{err}");
        assert!(err.to_string().contains(value), "{err}");
    }
}
