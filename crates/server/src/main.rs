//! The `capital` binary: `capital serve` runs the server.

use clap::{Parser, Subcommand};
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    match Cli::parse().command {
        Command::Serve(config) => {
            let server = capital_server::Server::bind(config).await?;
            server.run(capital_server::shutdown::signal()).await
        }
    }
}
