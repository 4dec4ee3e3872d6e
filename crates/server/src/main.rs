//! The `capital` binary: `capital serve` runs the server; `capital config` shows the settings
//! that `serve` would use, and where each comes from.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Capital: a self-hosted game and chat server for phones.
#[derive(Parser)]
#[command(name = "capital", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve(capital_server::Config),
    /// Print the settings in effect (flags, then CAPITAL_* variables, then the config file,
    /// then defaults) and where each came from, then exit.
    Config(capital_server::Config),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    let (mut config, sub) = match Cli::from_arg_matches(&matches)?.command {
        Command::Serve(config) => (config, "serve"),
        Command::Config(config) => (config, "config"),
    };
    let sub_matches = matches.subcommand_matches(sub).expect("clap matched this subcommand");
    let sources = match config.resolve(sub_matches) {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("capital: bad setting {e}");
            std::process::exit(2);
        }
    };
    if sub == "config" {
        print!("{}", config.describe(&sources));
        return Ok(());
    }
    let filter = match std::env::var("RUST_LOG") {
        Ok(rust_log)
            if sources
                .iter()
                .any(|(n, s)| *n == "log" && *s == capital_server::config::Source::Default) =>
        {
            rust_log
        }
        _ => config.log.clone(),
    };
    tracing_subscriber::fmt().with_env_filter(EnvFilter::new(filter)).init();
    let server = match capital_server::Server::bind(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("capital: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let mdns = server.mdns_url();
    capital_server::banner::print(
        server.urls(),
        mdns.as_deref(),
        server.tls_fingerprint(),
        server.ca_fingerprint(),
    );
    server.run(capital_server::shutdown::signal()).await
}
