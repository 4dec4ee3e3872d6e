//! The log filter. Whatever level an operator asks for, no token or password reaches the log:
//! the WebSocket library logs whole frames at `trace` (hello carries a token, login a
//! password), so its targets are held at `info`, which it logs nothing secret at. The server's
//! own log lines name players by id, never by token.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{Directive, ParseError};

/// Targets that would log frame contents at debug or trace.
const FRAME_LOGGERS: &[&str] = &["tungstenite", "tokio_tungstenite", "axum::extract::ws"];

/// Reads a log filter: `EnvFilter` directives separated by commas, each trimmed first, and span
/// field values (`[room{code=KXMR}]`) matched as they are written, not as regular expressions.
/// Both found by the `config_file` fuzz target in tracing-subscriber 0.3.23: it finds a
/// directive's parts in its trimmed text but cuts them out of the untrimmed one (so
/// `info, capital_server=debug` was refused, and with a non-ASCII character after the space it
/// panicked); and it compiles a field value into a full DFA, which a 150-byte pattern can keep
/// busy for minutes.
pub fn parse(log: &str) -> Result<EnvFilter, ParseError> {
    let directives = log.split(',').map(str::trim).collect::<Vec<_>>().join(",");
    EnvFilter::builder().with_regex(false).parse(directives)
}

/// The filter for `log` (an `EnvFilter` directive string, already checked by the config, or
/// `RUST_LOG`), with the frame loggers held at `info`.
pub fn filter(log: &str) -> EnvFilter {
    let mut filter = parse(log).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in FRAME_LOGGERS {
        let directive: Directive = format!("{target}=info").parse().expect("a valid directive");
        filter = filter.add_directive(directive);
    }
    filter
}
