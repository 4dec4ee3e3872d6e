//! The log filter. Whatever level an operator asks for, no token or password reaches the log:
//! the WebSocket library logs whole frames at `trace` (hello carries a token, login a
//! password), so its targets are held at `info`, which it logs nothing secret at. The server's
//! own log lines name players by id, never by token.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;

/// Targets that would log frame contents at debug or trace.
const FRAME_LOGGERS: &[&str] = &["tungstenite", "tokio_tungstenite", "axum::extract::ws"];

/// Reads a log filter: `EnvFilter` directives separated by commas, each trimmed first, without
/// span field filters (`[conn{player=...}]`; span names, `[conn]=debug`, are fine). Both for
/// tracing-subscriber 0.3.23, as the `config_file` fuzz target found: it finds a directive's
/// parts in its trimmed text but cuts them out of the untrimmed one (so
/// `info, capital_server=debug` was refused, and with a non-ASCII character after the space it
/// panicked); and it compiles a field value into a full DFA, which a 150-byte value kept busy
/// for minutes (matched literally instead, two directives with the same field value trip an
/// assertion of its own).
pub fn parse(log: &str) -> Result<EnvFilter, String> {
    if log.contains('{') {
        return Err("span field filters ({...}) are not supported".into());
    }
    let directives = log.split(',').map(str::trim).collect::<Vec<_>>().join(",");
    EnvFilter::try_new(directives).map_err(|e| e.to_string())
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
