//! The command line of a flyer binary: serve (the default), or inspect the service
//! without starting it.

use std::io::Write;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::api::registry;
use crate::app::{App, ServiceInfo};
use crate::config::Config;
#[cfg(feature = "sql")]
use crate::data::migrate::{self, Migrations};
use crate::http::server;
use crate::observe;

#[derive(Parser)]
#[command(
    about = "A flyer service. With no command, it serves HTTP as configured by flyer_* environment variables."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// List the routes: method, path, function, tags and source location.
    Routes,
    /// Print the effective configuration (secrets shown as ***).
    Config,
    /// Print the OpenAPI document (JSON unless --yaml).
    Openapi {
        /// Print YAML instead of JSON.
        #[arg(long)]
        yaml: bool,
    },
    /// Run the service's database migrations: up, down, status or fresh.
    #[cfg(feature = "sql")]
    Migrate {
        #[command(subcommand)]
        action: migrate::Action,
    },
}

/// What `serve!` expands to: the service's identity and what it declares, then
/// [`Main::run`]. Not for direct use.
#[doc(hidden)]
pub struct Main {
    info: ServiceInfo,
    #[cfg(feature = "sql")]
    migrations: Option<Migrations>,
    endpoints_from: &'static [&'static str],
    allow_no_endpoints: bool,
}

impl Main {
    pub fn new(info: ServiceInfo) -> Self {
        Main {
            info,
            #[cfg(feature = "sql")]
            migrations: None,
            endpoints_from: &[],
            allow_no_endpoints: false,
        }
    }

    /// `serve!(migrator = M)`.
    #[cfg(feature = "sql")]
    pub fn migrator<M: sea_orm_migration::MigratorTrait + 'static>(mut self) -> Self {
        self.migrations = Some(Migrations::of::<M>());
        self
    }

    /// `serve!(endpoints = [a, b])`.
    pub fn endpoints_from(mut self, crates: &'static [&'static str]) -> Self {
        self.endpoints_from = crates;
        self
    }

    /// `serve!(allow_no_endpoints)`.
    pub fn allow_no_endpoints(mut self) -> Self {
        self.allow_no_endpoints = true;
        self
    }

    /// Runs the binary on its own command line; returns the process's exit code.
    pub fn run(self) -> i32 {
        self.run_with(std::env::args_os())
    }

    /// Runs the binary on `args` (the first is the program's name).
    pub fn run_with<I, T>(self, args: I) -> i32
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let info = self.info;
        let command = Cli::command()
            .name(info.name)
            .bin_name(info.name)
            .version(info.version);
        let cli = match command
            .try_get_matches_from(args)
            .and_then(|m| Cli::from_arg_matches(&m))
        {
            Ok(cli) => cli,
            Err(err) => {
                let _ = err.print();
                return err.exit_code();
            }
        };
        let config = match Config::from_env() {
            Ok(config) => config,
            Err(err) => {
                eprintln!("{}: {err}", info.name);
                return 2;
            }
        };
        let mut app = App::new(info, config).endpoints_from(self.endpoints_from);
        if self.allow_no_endpoints {
            app = app.allow_no_endpoints();
        }
        #[cfg(feature = "sql")]
        if let Some(migrations) = self.migrations {
            app = app.with_migrations(migrations);
        }
        let command = cli.command.unwrap_or(Command::Serve);
        // What the service would refuse to serve, it refuses to list or document too.
        if matches!(command, Command::Routes | Command::Openapi { .. })
            && let Err(err) = app.check()
        {
            eprintln!("{err}");
            return 1;
        }
        let result = match command {
            Command::Serve => return serve(app),
            #[cfg(feature = "sql")]
            Command::Migrate { action } => {
                return migrate::command(info.name, &app.config().db, self.migrations, action);
            }
            Command::Routes => print_routes(&app),
            Command::Config => write!(std::io::stdout(), "{}", app.config().describe()),
            Command::Openapi { yaml: false } => {
                writeln!(std::io::stdout(), "{}", app.spec_json())
            }
            Command::Openapi { yaml: true } => write!(std::io::stdout(), "{}", app.spec_yaml()),
        };
        match result {
            Ok(()) => 0,
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(err) => {
                eprintln!("{}: {err}", info.name);
                1
            }
        }
    }
}

/// Builds the runtime and serves `app` until SIGTERM or SIGINT; returns the exit code.
fn serve(app: App) -> i32 {
    observe::init_logging(&app.config().log);
    let settings = app.config().server.clone();
    let runtime = match server::runtime(&settings) {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the tokio runtime: {err}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        let (endpoint, drain) = match app.start() {
            Ok(started) => started,
            Err(err) => {
                eprintln!("{err}");
                return 1;
            }
        };
        let listener = match TcpListener::bind((settings.host, settings.port)).await {
            Ok(listener) => listener,
            Err(err) => {
                eprintln!(
                    "cannot listen on {}:{} (flyer_host, flyer_port): {err}",
                    settings.host, settings.port
                );
                return 1;
            }
        };
        if let Ok(local) = listener.local_addr() {
            tracing::info!(
                "listening on http://{local}{prefix} (docs: {prefix}/docs)",
                prefix = app.config().prefix()
            );
        }
        // One signal stops both: HTTP stops accepting and finishes its requests, the
        // queue stops reading and finishes its tasks, each within flyer_graceful_timeout.
        let stop = CancellationToken::new();
        let signal = stop.clone();
        tokio::spawn(async move {
            server::shutdown_signal().await;
            signal.cancel();
        });
        let draining = {
            let stop = stop.clone();
            let deadline = settings.graceful_timeout;
            tokio::spawn(async move {
                stop.cancelled().await;
                drain.run(deadline).await;
            })
        };
        server::serve(listener, endpoint, &settings, stop.cancelled()).await;
        let _ = draining.await;
        0
    });
    // Blocking handlers still running after the graceful timeout are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

fn print_routes(app: &App) -> std::io::Result<()> {
    let prefix = app.config().prefix();
    let mut rows = vec![[
        "METHOD".to_owned(),
        "PATH".to_owned(),
        "FUNCTION".to_owned(),
        "TAGS".to_owned(),
        "LOCATION".to_owned(),
    ]];
    for reg in registry::all() {
        rows.push([
            reg.method.to_owned(),
            format!("{prefix}{}", reg.path),
            reg.function.to_owned(),
            reg.tags.join(","),
            reg.location(),
        ]);
    }
    for (path, what) in [
        ("/docs", "(Swagger UI)"),
        ("/redoc", "(ReDoc)"),
        ("/openapi.json", "(OpenAPI document)"),
    ] {
        rows.push([
            "GET".to_owned(),
            format!("{prefix}{path}"),
            what.to_owned(),
            String::new(),
            String::new(),
        ]);
    }
    let mut widths = [0; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = std::io::stdout().lock();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}
