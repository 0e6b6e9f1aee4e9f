//! A binary that links no endpoint of its own — a library of endpoints forgotten — is
//! refused, by every entry point, with the fix; unless it says it means it.

use flyer_runtime::testing::{INFO, TestServer, config};
use flyer_runtime::{App, ServiceInfo};

fn app() -> App {
    App::new(INFO, config(&[]).unwrap())
}

#[test]
fn the_start_up_checks_refuse_a_service_without_endpoints() {
    let err = app().check().unwrap_err().to_string();
    for part in [
        "no endpoint of this service is registered",
        "serve!(endpoints = [my_lib])",
        "use my_lib as _;",
        "serve!(allow_no_endpoints)",
    ] {
        assert!(err.contains(part), "{part:?} missing from:\n{err}");
    }
    assert!(app().allow_no_endpoints().check().is_ok());
}

#[test]
fn a_named_crate_without_endpoints_is_named() {
    let err = app()
        .allow_no_endpoints()
        .endpoints_from(&["billing"])
        .check()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no endpoint of `billing` is registered"),
        "{err}"
    );
}

#[tokio::test]
async fn test_servers_refuse_too_unless_told() {
    let Err(refused) = tokio::spawn(TestServer::start()).await else {
        panic!("a test server started with no endpoint of the service");
    };
    let panic = refused.into_panic();
    let msg = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(msg.contains("no endpoint of this service"), "{msg}");

    let s = TestServer::with_app(app().allow_no_endpoints()).await;
    let health = raw_get(s.addr(), "/flyer/v1/health_check").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
}

/// The binary's commands, as `serve!` runs them.
#[test]
fn every_command_refuses_what_serve_refuses() {
    let info = ServiceInfo {
        name: "empty",
        ..INFO
    };
    let main = || flyer_runtime::__private::Main::new(info);
    for command in ["routes", "openapi"] {
        assert_eq!(main().run_with(["empty", command]), 1, "{command}");
        assert_eq!(
            main().allow_no_endpoints().run_with(["empty", command]),
            0,
            "{command} with allow_no_endpoints"
        );
    }
}

/// One GET over raw TCP: this crate has no HTTP client among its dependencies.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}
