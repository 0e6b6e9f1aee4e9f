//! What a service says about itself: its log.

/// Logs to stdout at `level`, in colour on a terminal.
pub(crate) fn init_logging(level: tracing::Level) {
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}
