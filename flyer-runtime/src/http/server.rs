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

use super::conn::{self, Limits};
use crate::config::ServerSettings;

/// The tokio runtime of `flyer_workers` threads and a blocking pool of `flyer_threads`.
pub(crate) fn runtime(settings: &ServerSettings) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(settings.workers)
        .max_blocking_threads(settings.threads)
        .thread_name("flyer-worker")
        .enable_all()
        .build()
}

/// Serves connections from `listener` until `shutdown` completes, then stops accepting
/// and lets in-flight requests finish for up to `flyer_graceful_timeout`.
pub(crate) async fn serve(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static>,
    config: &ServerSettings,
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

pub(crate) async fn shutdown_signal() {
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
