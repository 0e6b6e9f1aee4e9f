//! Serving the registered endpoints on a free local port, for tests through real HTTP.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::app::{App, ServiceInfo};
use crate::config::{Config, ConfigErrors};
#[cfg(feature = "sql")]
use crate::data::migrate::Migrations;
use crate::http::server;

/// The identity test servers give their spec.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "flyer-test",
    version: "0.0.0",
    description: None,
};

/// A server of every registered endpoint, as the binary serves them (same pipeline, same
/// connection handling), on `127.0.0.1` and a free port. Stopped when dropped.
pub struct TestServer {
    addr: SocketAddr,
    prefix: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// The default configuration with these variables set, listening on `127.0.0.1:0`.
pub fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
    Config::from_lookup(|name| match name {
        "flyer_host" => Some("127.0.0.1".to_owned()),
        "flyer_port" => Some("0".to_owned()),
        "flyer_access_log" => Some(
            vars.iter()
                .find(|(k, _)| *k == name)
                .map_or("0", |(_, v)| v)
                .to_owned(),
        ),
        _ => vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned()),
    })
}

impl TestServer {
    /// Starts a server with the default configuration (access log off).
    ///
    /// # Panics
    /// When the registered endpoints do not pass the start-up checks: among them, when
    /// no endpoint of the service is registered. A test binary collects the endpoints of
    /// the crates it links: name the library of endpoints, `use my_service as _;`.
    pub async fn start() -> Self {
        Self::with_config(config(&[]).expect("the default configuration is valid")).await
    }

    /// Starts a server with `config` (its host and port are used as given).
    ///
    /// # Panics
    /// When the registered endpoints do not pass the start-up checks, or the address
    /// cannot be bound.
    pub async fn with_config(config: Config) -> Self {
        Self::with_app(App::new(INFO, config)).await
    }

    /// Starts a server with `config` and the migrations of `M`, run at start-up as the
    /// binary runs them (when `flyer_db_migrate` is on: the default for SQLite).
    ///
    /// # Panics
    /// As [`TestServer::with_config`].
    #[cfg(feature = "sql")]
    pub async fn with_migrator<M: sea_orm_migration::MigratorTrait + 'static>(
        config: Config,
    ) -> Self {
        Self::with_app(App::new(INFO, config).with_migrations(Migrations::of::<M>())).await
    }

    /// Starts a server of `app`, as built by hand: to name the crates whose endpoints
    /// it serves ([`App::endpoints_from`]), or to start with none of the service's own
    /// ([`App::allow_no_endpoints`]). Its host and port are used as given.
    ///
    /// # Panics
    /// As [`TestServer::with_config`].
    pub async fn with_app(app: App) -> Self {
        let config = app.config();
        let prefix = config.prefix();
        let listener = TcpListener::bind((config.server.host, config.server.port))
            .await
            .expect("bind the test server");
        let addr = listener.local_addr().expect("a local address");
        let (endpoint, drain) = app.start().unwrap_or_else(|err| panic!("{err}"));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let settings = app.config().server.clone();
            // As the binary: one signal, and HTTP and the queue drain together.
            let stop = CancellationToken::new();
            let signal = stop.clone();
            tokio::spawn(async move {
                let _ = stopped.await;
                signal.cancel();
            });
            let queue = async {
                stop.cancelled().await;
                drain.run(settings.graceful_timeout).await;
            };
            let http = server::serve(listener, endpoint, &settings, stop.cancelled());
            tokio::join!(http, queue);
        });
        TestServer {
            addr,
            prefix,
            stop: Some(stop),
            task: Some(task),
        }
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

    /// Shuts down as SIGTERM does: stops accepting, lets in-flight requests (and the
    /// queue's running tasks) finish within `flyer_graceful_timeout`, and returns when the
    /// server has stopped.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
