//! Serving the registered endpoints on a free local port, for tests through real HTTP.

use std::net::SocketAddr;

use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

use crate::app::{App, ServiceInfo};
use crate::config::Config;

/// A server of every registered endpoint on `127.0.0.1` and a free port, stopped when
/// dropped.
pub struct TestServer {
    addr: SocketAddr,
    prefix: String,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server with the default configuration (but on `127.0.0.1:0`).
    ///
    /// # Panics
    /// When the registered endpoints do not pass the start-up checks, or no port is free.
    pub async fn start() -> Self {
        let config = Config::from_lookup(|name| match name {
            "flyer_host" => Some("127.0.0.1".to_owned()),
            "flyer_port" => Some("0".to_owned()),
            _ => None,
        })
        .expect("the default configuration is valid");
        Self::with_config(config).await
    }

    /// Starts a server with `config` (its host and port are used as given).
    ///
    /// # Panics
    /// When the registered endpoints do not pass the start-up checks, or the address
    /// cannot be bound.
    pub async fn with_config(config: Config) -> Self {
        let info = ServiceInfo {
            name: "flyer-test",
            version: "0.0.0",
            description: None,
        };
        let prefix = config.prefix();
        let addr = (config.host, config.port);
        let app = App::new(info, config);
        let endpoint = app.endpoint().unwrap_or_else(|err| panic!("{err}"));
        let acceptor = TcpListener::bind(addr)
            .into_acceptor()
            .await
            .expect("bind the test server");
        let addr = *acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr())
            .expect("a TCP address");
        let task = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(endpoint).await;
        });
        TestServer { addr, prefix, task }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The absolute URL of `path` under the API prefix: `url("/demo")` is
    /// `http://127.0.0.1:PORT/flyer/v1/demo`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}{}", self.addr, self.prefix, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
