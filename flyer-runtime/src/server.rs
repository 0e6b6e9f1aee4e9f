//! Serving: the tokio runtime, the listener and the server loop.

use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

use crate::app::App;

/// Builds the runtime and serves `app` until interrupted.
pub(crate) fn run(app: App) -> i32 {
    init_logging();
    let endpoint = match app.endpoint() {
        Ok(endpoint) => endpoint,
        Err(err) => {
            eprintln!("{err}");
            return 1;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the tokio runtime: {err}");
            return 1;
        }
    };
    runtime.block_on(async move {
        let config = app.config();
        let addr = (config.host, config.port);
        let acceptor = match TcpListener::bind(addr).into_acceptor().await {
            Ok(acceptor) => acceptor,
            Err(err) => {
                eprintln!(
                    "cannot listen on {}:{} (flyer_host, flyer_port): {err}",
                    config.host, config.port
                );
                return 1;
            }
        };
        for local in acceptor.local_addr() {
            if let Some(local) = local.as_socket_addr() {
                tracing::info!(
                    "listening on http://{local}{prefix} (docs: {prefix}/docs)",
                    prefix = config.prefix()
                );
            }
        }
        match Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(endpoint, shutdown_signal(), None)
            .await
        {
            Ok(()) => 0,
            Err(err) => {
                eprintln!("server failed: {err}");
                1
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}
