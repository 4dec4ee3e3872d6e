//! `capital-bench`: the load generator's command line. Parses, raises the open-file limit,
//! runs one subcommand and prints its report (a table, or JSON with `--json`).

use capital_bench::cli::{Cli, Command};
use capital_bench::report::print;
use capital_bench::{chat, idle, play, realtime, seed, startup};
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let players = match &cli.command {
        Command::Idle(a) => a.players,
        Command::Chat(a) => a.players,
        Command::Play(a) => a.players,
        Command::Realtime(a) => a.rooms * a.room_size,
        Command::Seed(_) | Command::Startup(_) => 0,
    };
    let limit = capital_bench::raise_fd_limit();
    if let Some(limit) = limit {
        // One descriptor per connection, and some to spare.
        if players as u64 + 64 > limit {
            eprintln!(
                "capital-bench: {players} connections need more open files than the limit \
                 ({limit}); raise it with `ulimit -n` (its hard limit too)"
            );
        }
    }
    let quiet = cli.quiet;
    match cli.command {
        Command::Idle(args) => print(&idle::run(&args, quiet).await?, cli.json),
        Command::Chat(args) => print(&chat::run(&args, quiet).await?, cli.json),
        Command::Play(args) => print(&play::run(&args, quiet).await?, cli.json),
        Command::Realtime(args) => print(&realtime::run(&args, quiet).await?, cli.json),
        Command::Seed(args) => {
            let report = tokio::task::spawn_blocking(move || seed::run(&args, quiet)).await??;
            print(&report, cli.json);
        }
        Command::Startup(args) => print(&startup::run(&args, quiet).await?, cli.json),
    }
    Ok(())
}
