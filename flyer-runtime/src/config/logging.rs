//! What flyer writes about itself: the log level, its format, and the access log.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::values::{self, FLAG};
use super::vars::{Reader, settings, var};

settings! {
    LOG_LEVEL: tracing::Level = var("flyer_log_level", "info", "trace, debug, info, warn(ing) or error/critical")
        .parsed("trace, debug, info, warn, warning, error or critical", values::level);
    ACCESS_LOG: bool = var("flyer_access_log", "1", "one access-log line per request (1) or none (0)")
        .parsed(FLAG, values::flag);
    LOG_FORMAT: Option<LogFormat> = var(
        "flyer_log_format",
        "",
        "json or text: one format for every line flyer writes, the log and the access log (default: text on a terminal, else json)",
    )
    .parsed("json or text", format);
    ACCESS_LOG_JSON: Option<bool> = var(
        "flyer_access_log_json",
        "",
        "alias of flyer_log_format kept for Flyer's name: 1 is json, 0 is text (flyer_log_format wins when both are set)",
    )
    .parsed(FLAG, values::optional_flag);
    ACCESS_LOGFILE: Option<PathBuf> = var(
        "flyer_access_logfile",
        "-",
        "where the access log goes: - for stdout, or a file path (rotated daily: path.YYYY-MM-DD)",
    )
    .parsed("- or a file path", logfile);
}

/// How every line flyer writes is formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object a line: what log shippers read.
    Json,
    /// Plain text, for a person at a terminal.
    Text,
}

fn format(raw: &str) -> Option<Option<LogFormat>> {
    match raw.to_ascii_lowercase().as_str() {
        "" => Some(None),
        "json" => Some(Some(LogFormat::Json)),
        "text" => Some(Some(LogFormat::Text)),
        _ => None,
    }
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
    /// `flyer_log_format` (or its alias `flyer_access_log_json`): the format of the log
    /// and of the access log.
    pub format: LogFormat,
    /// `flyer_access_log`.
    pub access_log: bool,
    /// `flyer_access_logfile`: `None` for stdout.
    pub access_logfile: Option<PathBuf>,
}

/// Reads the group.
pub(super) fn read(r: &mut Reader<'_>) -> LogSettings {
    let level = r.get(&LOG_LEVEL);
    let access_log = r.get(&ACCESS_LOG);
    let format = r.get(&LOG_FORMAT);
    let alias = r.get(&ACCESS_LOG_JSON).map(|json| {
        if json {
            LogFormat::Json
        } else {
            LogFormat::Text
        }
    });
    LogSettings {
        level,
        format: format.or(alias).unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                LogFormat::Text
            } else {
                LogFormat::Json
            }
        }),
        access_log,
        access_logfile: r.get(&ACCESS_LOGFILE),
    }
}
