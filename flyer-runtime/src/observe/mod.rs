//! What a service says about itself: its log.

use crate::config::{LogFormat, LogSettings};

/// Logs to stdout at `flyer_log_level`, in `flyer_log_format`: one JSON object a line
/// (the access log's lines are JSON then too, so a shipper reading stdout reads one
/// format), or text, in colour on a terminal.
pub(crate) fn init_logging(settings: &LogSettings) {
    let builder = tracing_subscriber::fmt().with_max_level(settings.level);
    let _ = match settings.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .try_init(),
    };
}
