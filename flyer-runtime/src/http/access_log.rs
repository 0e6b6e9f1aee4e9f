//! One line per request (`flyer_access_log*`), in the log's format (`flyer_log_format`):
//! JSON or plain text, to stdout or to a file rotated daily, written off the request path
//! by a background thread.

use std::io::Write;
use std::net::IpAddr;
use std::time::SystemTime;

use serde::Serialize;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};

use crate::config::{LogFormat, LogSettings};

/// The access log's writer; lines are flushed when it is dropped.
pub(crate) struct AccessLog {
    json: bool,
    writer: NonBlocking,
    _flush_on_drop: WorkerGuard,
}

/// One request, as logged.
#[derive(Serialize)]
pub(crate) struct Entry<'a> {
    pub timestamp: String,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    /// The envelope's code; absent for an answer that is not an envelope (a docs page,
    /// the spec, a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// Milliseconds, to the microsecond.
    #[serde(serialize_with = "microseconds")]
    pub latency_ms: f64,
    pub client_ip: Option<IpAddr>,
    pub request_id: &'a str,
    pub user_agent: &'a str,
}

impl AccessLog {
    /// The access log `config` asks for, or `None` when it is off.
    pub(crate) fn open(config: &LogSettings) -> std::io::Result<Option<Self>> {
        if !config.access_log {
            return Ok(None);
        }
        // Lines wait for the writer rather than being dropped under load.
        let builder = NonBlockingBuilder::default().lossy(false);
        let (writer, guard) = match &config.access_logfile {
            None => builder.finish(std::io::stdout()),
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let name = path.file_name().ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("flyer_access_logfile={} names no file", path.display()),
                    )
                })?;
                std::fs::create_dir_all(dir)?;
                let appender = RollingFileAppender::builder()
                    .rotation(Rotation::DAILY)
                    .filename_prefix(name.to_string_lossy())
                    .build(dir)
                    .map_err(std::io::Error::other)?;
                builder.finish(appender)
            }
        };
        Ok(Some(AccessLog {
            json: config.format == LogFormat::Json,
            writer,
            _flush_on_drop: guard,
        }))
    }

    pub(crate) fn write(&self, entry: &Entry<'_>) {
        let mut line = if self.json {
            serde_json::to_vec(entry).unwrap_or_default()
        } else {
            format!(
                "{} {} \"{} {}\" {} {} {:.3}ms {} \"{}\"",
                entry.timestamp,
                entry
                    .client_ip
                    .map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
                entry.method,
                entry.path,
                entry.status,
                entry.code.map_or_else(|| "-".to_owned(), |c| c.to_string()),
                entry.latency_ms,
                entry.request_id,
                entry.user_agent,
            )
            .into_bytes()
        };
        line.push(b'\n');
        // A failed write of a log line must not fail the request it describes.
        let _ = self.writer.clone().write_all(&line);
    }
}

/// Milliseconds with three decimals at most: a log line has no use for femtoseconds.
fn microseconds<S: serde::Serializer>(ms: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((ms * 1e3).round() / 1e3)
}

/// Now, as RFC 3339 with milliseconds.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}
