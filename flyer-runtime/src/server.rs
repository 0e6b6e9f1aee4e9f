//! Serving: the tokio runtime (`flyer_workers`, `flyer_threads`), the accept loop
//! (`flyer_worker_connections`) and graceful shutdown (`flyer_graceful_timeout`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::App;
use crate::config::Config;
use crate::conn::{self, Limits};

/// Builds the runtime and serves `app` until SIGTERM or SIGINT; returns the exit code.
pub(crate) fn run(app: App) -> i32 {
    init_logging(app.config().log_level);
    let config = app.config().clone();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers)
        .max_blocking_threads(config.threads)
        .thread_name("flyer-worker")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the tokio runtime: {err}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        let endpoint = match app.endpoint() {
            Ok(endpoint) => endpoint,
            Err(err) => {
                eprintln!("{err}");
                return 1;
            }
        };
        let listener = match TcpListener::bind((config.host, config.port)).await {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!(
                    "cannot listen on {}:{} (flyer_host, flyer_port): {err}",
                    config.host, config.port
                );
                return 1;
            }
        };
        if let Ok(local) = listener.local_addr() {
            tracing::info!(
                "listening on http://{local}{prefix} (docs: {prefix}/docs)",
                prefix = config.prefix()
            );
        }
        serve(listener, endpoint, &config, shutdown_signal()).await;
        0
    });
    // Blocking handlers still running after the graceful timeout are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

/// Serves connections from `listener` until `shutdown` completes, then stops accepting
/// and lets in-flight requests finish for up to `flyer_graceful_timeout`.
pub(crate) async fn serve(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static>,
    config: &Config,
    shutdown: impl Future<Output = ()>,
) {
    let endpoint = Arc::new(endpoint);
    let limits = Limits {
        header_timeout: config.header_timeout,
        keepalive: config.keepalive,
    };
    let Ok(local) = listener.local_addr() else {
        return;
    };
    // A connection is accepted only with a permit: the surplus waits in the backlog.
    let permits = Arc::new(Semaphore::new(config.worker_connections));
    let stop = CancellationToken::new();
    let kill = CancellationToken::new();
    let connections = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, remote)) => {
                let endpoint = Arc::clone(&endpoint);
                let (stop, kill) = (stop.clone(), kill.clone());
                connections.spawn(async move {
                    conn::serve(stream, local, remote, endpoint, limits, stop, kill).await;
                    drop(permit);
                });
            }
            Err(err) => {
                // Out of file descriptors, say: back off instead of spinning.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    drop(listener);
    tracing::info!(
        connections = connections.len(),
        "shutting down: no new connections; in-flight requests may finish"
    );
    stop.cancel();
    connections.close();
    if tokio::time::timeout(config.graceful_timeout, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            connections = connections.len(),
            "flyer_graceful_timeout reached: cutting the remaining connections"
        );
        kill.cancel();
        connections.wait().await;
    }
    tracing::info!("stopped");
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn init_logging(level: tracing::Level) {
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}
