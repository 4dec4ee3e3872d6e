//! The log filter. Whatever level an operator asks for, no token or password reaches the log:
//! the WebSocket library logs whole frames at `trace` (hello carries a token, login a
//! password), so its targets are held at `info`, which it logs nothing secret at. The server's
//! own log lines name players by id, never by token.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;

/// Targets that would log frame contents at debug or trace.
const FRAME_LOGGERS: &[&str] = &["tungstenite", "tokio_tungstenite", "axum::extract::ws"];

/// The filter for `log` (an `EnvFilter` directive string, already checked by the config), with
/// the frame loggers held at `info`.
pub fn filter(log: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(log).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in FRAME_LOGGERS {
        let directive: Directive = format!("{target}=info").parse().expect("a valid directive");
        filter = filter.add_directive(directive);
    }
    filter
}
