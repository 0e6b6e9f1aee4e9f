use std::time::Duration;

use super::*;

fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    Config::from_lookup(|n| {
        vars.iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn defaults() {
    let c = with(&[]).unwrap();
    assert_eq!(c.server.port, 8080);
    assert_eq!(c.prefix(), "/flyer/v1");
    assert_eq!(c.server.body_limit, 2 << 20);
    assert_eq!(c.server.timeout, Duration::from_secs(60));
    assert_eq!(c.server.threads, 512);
    assert!(c.server.workers >= 1);
    assert!(c.log.access_logfile.is_none());
    assert!(c.server.auth.is_none());
}

#[test]
fn every_variable_is_listed_once_and_read() {
    let c = with(&[]).unwrap();
    let read: Vec<&str> = c.raw.iter().map(|(v, _, _)| v.name).collect();
    let listed: Vec<&str> = VARS.iter().map(|v| v.name).collect();
    assert_eq!(read, listed, "read in the order listed, each once");
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "a variable is listed twice");
}

#[test]
fn parses_values() {
    let c = with(&[
        ("flyer_base_url", "api/"),
        ("flyer_version", "v2"),
        ("flyer_timeout", "1.5"),
        ("flyer_keepalive", "500ms"),
        ("flyer_body_limit", "512KB"),
        ("flyer_trusted_proxies", "10.0.0.0/8, 127.0.0.1"),
        ("flyer_log_level", "WARNING"),
    ])
    .unwrap();
    assert_eq!(c.prefix(), "/api/v2");
    assert_eq!(c.server.timeout, Duration::from_millis(1500));
    assert_eq!(c.server.keepalive, Duration::from_millis(500));
    assert_eq!(c.server.body_limit, 512_000);
    assert_eq!(c.server.trusted_proxies.len(), 2);
    assert_eq!(c.log.level, tracing::Level::WARN);
}

#[test]
fn rejects_bad_values_naming_them() {
    for (var, value) in [
        ("flyer_port", "80a"),
        ("flyer_base_url", "/a b"),
        ("flyer_version", "v1/x"),
        ("flyer_host", "nowhere"),
        ("flyer_workers", "0"),
        ("flyer_timeout", "0"),
        ("flyer_timeout", "soon"),
        ("flyer_body_limit", "2 parsecs"),
        ("flyer_error_status", "500"),
        ("flyer_trusted_proxies", "10.0.0.0/99"),
        ("flyer_access_log", "maybe"),
        ("flyer_log_level", "loud"),
        ("flyer_redis_db", "300"),
        ("flyer_queue_backend", "kafka"),
        ("flyer_db_pool_size", "0"),
    ] {
        let e = with(&[(var, value)]).unwrap_err();
        assert_eq!(e.first().var, var);
        assert!(e.to_string().contains(&format!("{value:?}")), "{e}");
    }
}

#[test]
fn every_bad_variable_is_reported_at_once() {
    let e = with(&[
        ("flyer_port", "80a"),
        ("flyer_log_level", "loud"),
        ("flyer_db_recycle", "never"),
    ])
    .unwrap_err();
    let vars: Vec<&str> = e.iter().map(|e| e.var).collect();
    assert_eq!(vars, ["flyer_port", "flyer_log_level", "flyer_db_recycle"]);
    let shown = e.to_string();
    assert!(shown.starts_with("3 invalid settings:"), "{shown}");
    assert!(
        shown.contains("invalid flyer_log_level=\"loud\""),
        "{shown}"
    );
}

#[test]
fn a_bad_redis_url_is_not_also_a_missing_redis() {
    let e = with(&[
        ("flyer_redis_url", "redis://:hunter2@127.0.0.1:99999/0"),
        ("flyer_queue_backend", "redis"),
    ])
    .unwrap_err();
    let vars: Vec<&str> = e.iter().map(|e| e.var).collect();
    assert_eq!(vars, ["flyer_redis_url"]);
    assert!(
        !e.to_string().contains("nowhere"),
        "a Redis URL is a secret"
    );
}

#[test]
fn urls_are_shown_with_the_password_masked() {
    for (url, shown) in [
        (
            "postgres://app:hunter2@db:5432/app?sslmode=require&password=x",
            "postgres://app:***@db:5432/app",
        ),
        ("mysql://root@db/app", "mysql://root@db/app"),
        ("mysql://a:b:c@d@db/app", "mysql://a:***@db/app"),
        ("sqlite://flyer.db?mode=rwc", "sqlite://flyer.db"),
        ("not a url", "not a url"),
    ] {
        assert_eq!(db::redact_url(url), shown);
    }
}

#[test]
fn auth_needs_credentials_and_hides_the_password() {
    let e = with(&[("flyer_auth_enable", "1")]).unwrap_err();
    assert_eq!(e.first().var, "flyer_auth_user");
    let c = with(&[
        ("flyer_auth_enable", "1"),
        ("flyer_auth_user", "ops"),
        ("flyer_auth_pass", "s3cret"),
    ])
    .unwrap();
    assert_eq!(c.server.auth.as_ref().unwrap().pass.expose(), "s3cret");
    assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
    assert!(!c.describe().contains("s3cret"));
    assert!(c.describe().contains("flyer_auth_pass=***"));
}

#[test]
fn one_log_format_with_the_old_name_as_an_alias() {
    let format = |vars: &[(&str, &str)]| with(vars).unwrap().log.format;
    assert_eq!(format(&[("flyer_log_format", "json")]), LogFormat::Json);
    assert_eq!(format(&[("flyer_log_format", "TEXT")]), LogFormat::Text);
    assert_eq!(format(&[("flyer_access_log_json", "0")]), LogFormat::Text);
    assert_eq!(format(&[("flyer_access_log_json", "1")]), LogFormat::Json);
    assert_eq!(
        format(&[("flyer_log_format", "json"), ("flyer_access_log_json", "0")]),
        LogFormat::Json,
        "the new name wins"
    );
    let err = with(&[("flyer_log_format", "yaml")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("flyer_log_format") && err.contains("json or text"),
        "{err}"
    );
    let described = with(&[]).unwrap().describe();
    assert!(
        described.contains("flyer_access_log_json=  # default: alias of flyer_log_format"),
        "{described}"
    );
}
