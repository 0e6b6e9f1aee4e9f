//! What flyer writes about itself: the log level and the access log.

use std::path::PathBuf;

use super::values::{self, FLAG};
use super::vars::{Reader, settings, var};

settings! {
    LOG_LEVEL: tracing::Level = var("flyer_log_level", "info", "trace, debug, info, warn(ing) or error/critical")
        .parsed("trace, debug, info, warn, warning, error or critical", values::level);
    ACCESS_LOG: bool = var("flyer_access_log", "1", "one access-log line per request (1) or none (0)")
        .parsed(FLAG, values::flag);
    ACCESS_LOG_JSON: bool = var("flyer_access_log_json", "1", "access log as JSON (1) or plain text (0)")
        .parsed(FLAG, values::flag);
    ACCESS_LOGFILE: Option<PathBuf> = var(
        "flyer_access_logfile",
        "-",
        "where the access log goes: - for stdout, or a file path (rotated daily: path.YYYY-MM-DD)",
    )
    .parsed("- or a file path", logfile);
}

fn logfile(raw: &str) -> Option<Option<PathBuf>> {
    match raw {
        "" => None,
        "-" => Some(None),
        path => Some(Some(PathBuf::from(path))),
    }
}

/// The log and the access log.
#[derive(Clone, Debug)]
pub struct LogSettings {
    /// `flyer_log_level`.
    pub level: tracing::Level,
    /// `flyer_access_log`.
    pub access_log: bool,
    /// `flyer_access_log_json`.
    pub access_log_json: bool,
    /// `flyer_access_logfile`: `None` for stdout.
    pub access_logfile: Option<PathBuf>,
}

/// Reads the group.
pub(super) fn read(r: &mut Reader<'_>) -> LogSettings {
    LogSettings {
        level: r.get(&LOG_LEVEL),
        access_log: r.get(&ACCESS_LOG),
        access_log_json: r.get(&ACCESS_LOG_JSON),
        access_logfile: r.get(&ACCESS_LOGFILE),
    }
}
