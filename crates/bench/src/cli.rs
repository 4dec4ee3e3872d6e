//! The command line: `capital-bench [--json] [--quiet] <idle|chat|play|seed|startup> ...`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Load generator and tools for measuring a Capital server.
#[derive(Debug, Parser)]
#[command(name = "capital-bench", version, about)]
pub struct Cli {
    /// Print the results as one JSON object on stdout instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress line on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// N players connect and say hello; half of them sit in rooms of two. Reports the server's
    /// RSS, in total and per player.
    Idle(IdleArgs),
    /// N players in rooms of K send chat messages. Reports delivered messages per second and the
    /// send-to-receive latency.
    Chat(ChatArgs),
    /// N players in two-player tic-tac-toe games make moves. Reports the move round trip, the
    /// opponent's notification latency and games completed per second.
    Play(PlayArgs),
    /// Rooms of light cycles (real-time, 30 ticks a second), every player steering at
    /// --input-hz. Reports frames per player, tick -> frame latency, input -> frame latency,
    /// server CPU per room-tick and memory per room.
    Realtime(RealtimeArgs),
    /// Fills a new data directory with finished games and chat, through the store API (no
    /// server involved), for timing `capital serve` on it.
    Seed(SeedArgs),
    /// Starts `capital serve` on a data directory and times it until `/healthz` answers 200;
    /// reports that time and the server's RSS then. Repeats and takes the median.
    Startup(StartupArgs),
}

/// The server under test: where it is and, if it runs here, its process.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// The server's WebSocket URL, e.g. ws://127.0.0.1:8080/ws. Nothing else is contacted.
    /// Several, comma-separated, are the nodes of a cluster: player N connects to the Nth
    /// (round robin), so the players of a room are on different nodes.
    #[arg(long)]
    pub url: String,
    /// The server's process id, when it runs on this machine: its RSS and CPU time are read
    /// from /proc and reported. Several, comma-separated (a cluster's nodes): summed.
    #[arg(long, value_delimiter = ',')]
    pub pid: Vec<u32>,
    /// Connections opened at once while setting up.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub connect_concurrency: u64,
    /// Seed for the players' random choices (moves, start offsets).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `capital-bench idle`.
#[derive(Debug, Clone, Args)]
pub struct IdleArgs {
    /// The server.
    #[command(flatten)]
    pub target: Target,
    /// Players to connect.
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub players: usize,
    /// Seconds to hold the connections open (RSS is sampled every second meanwhile).
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
}

/// `capital-bench chat`.
#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    /// The server.
    #[command(flatten)]
    pub target: Target,
    /// Players.
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub players: usize,
    /// Players per room (K). Two sit, the others watch (tic-tac-toe rooms have two seats).
    #[arg(long, short = 'k', default_value_t = 2)]
    pub room_size: usize,
    /// Messages per second each player sends. Without it, each player sends as fast as the
    /// window allows.
    #[arg(long, short = 'r')]
    pub rate: Option<f64>,
    /// Messages each player may have sent and not yet seen acknowledged (`chat_sent`).
    #[arg(long, short = 'w', default_value_t = 8)]
    pub window: usize,
    /// Characters in each message (ASCII, so also bytes); the first 17 carry the send time.
    #[arg(long, default_value_t = 64)]
    pub bytes: usize,
    /// Seconds to send for.
    #[arg(long, short = 'd', default_value_t = 10.0)]
    pub duration: f64,
    /// Stop sending after this many messages in all (whichever comes first with --duration).
    #[arg(long)]
    pub messages: Option<u64>,
    /// Seconds to wait, after sending stops, for what is in flight to arrive.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Send every message with `"echo": false`: the sender gets only its `chat_sent`, not its
    /// own `chat` event back (one frame fewer per message).
    #[arg(long)]
    pub no_echo: bool,
}

/// `capital-bench play`.
#[derive(Debug, Clone, Args)]
pub struct PlayArgs {
    /// The server.
    #[command(flatten)]
    pub target: Target,
    /// Players (two per game; an odd one out sits out).
    #[arg(long, short = 'n', default_value_t = 1000)]
    pub players: usize,
    /// Moves per second each player makes: a player whose turn it is moves at once, but no
    /// sooner than 1/RATE seconds after its previous move.
    #[arg(long, short = 'r', default_value_t = 1.0)]
    pub rate: f64,
    /// Seconds to play for.
    #[arg(long, short = 'd', default_value_t = 10.0)]
    pub duration: f64,
    /// Stop after this many moves in all (whichever comes first with --duration).
    #[arg(long, alias = "messages")]
    pub moves: Option<u64>,
}

/// `capital-bench realtime`.
#[derive(Debug, Clone, Args)]
pub struct RealtimeArgs {
    /// The server.
    #[command(flatten)]
    pub target: Target,
    /// Rooms.
    #[arg(long, default_value_t = 100)]
    pub rooms: usize,
    /// Players per room (2 to 8).
    #[arg(long, short = 'k', default_value_t = 4)]
    pub room_size: usize,
    /// Inputs each player sends a second.
    #[arg(long, default_value_t = 30.0)]
    pub input_hz: f64,
    /// Ticks a second: the game's `speed` option (10 to 30).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(10..=30))]
    pub tick_hz: u32,
    /// Seconds to measure.
    #[arg(long, short = 'd', default_value_t = 10.0)]
    pub duration: f64,
}

/// `capital-bench seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// The data directory to create (must not hold a database yet).
    #[arg(long)]
    pub data: PathBuf,
    /// Finished games, one room each (tic-tac-toe, connect four and rock paper scissors in
    /// turn); the rooms stay open, so a server loads them all at start.
    #[arg(long, default_value_t = 1000)]
    pub games: usize,
    /// Chat messages in all, spread evenly over the rooms.
    #[arg(long, default_value_t = 100_000)]
    pub chat: usize,
    /// Seed for the moves played.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `capital-bench startup`.
#[derive(Debug, Clone, Args)]
pub struct StartupArgs {
    /// The server binary, e.g. target/release/capital.
    #[arg(long)]
    pub exe: PathBuf,
    /// The data directory to serve. Without it, a fresh empty one each run.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How many times to start the server (the report gives the median and every run).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub runs: u64,
    /// Seconds to wait for /healthz before giving up on a run.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Seconds to wait after /healthz before reading the RSS a second time (settled).
    #[arg(long, default_value_t = 1.0)]
    pub settle: f64,
    /// More arguments for `capital serve` (after `--`).
    #[arg(last = true)]
    pub server_args: Vec<String>,
}

/// Seconds from the command line as a [`Duration`] (negative or not a number: zero).
pub fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn chat_defaults_match_the_issue() {
        let cli = Cli::parse_from(["capital-bench", "chat", "--url", "ws://127.0.0.1:1/ws"]);
        let Command::Chat(args) = cli.command else { panic!("chat") };
        assert_eq!((args.players, args.room_size, args.bytes, args.window), (1000, 2, 64, 8));
        assert_eq!(args.rate, None);
        let cli = Cli::parse_from([
            "capital-bench",
            "--json",
            "startup",
            "--exe",
            "capital",
            "--",
            "--rate-burst",
            "9",
        ]);
        assert!(cli.json);
        let Command::Startup(args) = cli.command else { panic!("startup") };
        assert_eq!(args.server_args, ["--rate-burst", "9"]);
    }

    #[test]
    fn seconds_never_panic() {
        assert_eq!(seconds(1.5), Duration::from_millis(1500));
        assert_eq!(seconds(-1.0), Duration::ZERO);
        assert_eq!(seconds(f64::NAN), Duration::ZERO);
    }
}
