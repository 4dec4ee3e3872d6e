//! The `capital` binary: `capital serve` runs the server; `capital config` shows the settings
//! that `serve` would use, and where each comes from; `capital admin grant USERNAME` makes an
//! account an admin (the teacher's console at `/teach`); `capital new-game NAME` writes a
//! starter game script into the data directory's games folder; `capital import-sqlite FILE`
//! copies a SQLite database into the PostgreSQL database of `--store`.

use capital_server::Config;
use capital_server::config::Source;
use clap::{Arg, Command};

fn cli() -> Command {
    Command::new("capital")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Capital: a self-hosted game and chat server for phones.")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(Command::new("serve").about("Run the server.").args(Config::args()))
        .subcommand(
            Command::new("config")
                .about(
                    "Print the settings in effect (flags, then CAPITAL_* variables, then the \
                     config file, then defaults) and where each came from, then exit.",
                )
                .args(Config::args()),
        )
        .subcommand(
            Command::new("admin")
                .about(
                    "Make an account an admin of this server (the teacher's console at /teach), \
                     or no longer one. Works while the server runs.",
                )
                .arg(Arg::new("what").required(true).value_parser(["grant", "revoke"]))
                .arg(Arg::new("username").required(true).help("The account's username"))
                .args(Config::args()),
        )
        .subcommand(
            Command::new("import-sqlite")
                .about(
                    "Copy a SQLite database (a data directory's capital.db) into the empty \
                     PostgreSQL database given with --store, all or nothing, while no server \
                     runs on it. See docs/scale-out.md.",
                )
                .arg(
                    Arg::new("file")
                        .required(true)
                        .value_parser(clap::value_parser!(std::path::PathBuf))
                        .help("The SQLite database, e.g. /var/lib/capital/capital.db"),
                )
                .args(Config::args()),
        )
        .subcommand(
            Command::new("new-game")
                .about(
                    "Write a starter game (rules NAME.js and board NAME.board.js, with comments \
                     that teach) into the data directory's games folder. See \
                     docs/make-a-game.md.",
                )
                .arg(Arg::new("name").required(true).help("The game's name: a-z, 0-9 and _"))
                .args(Config::args()),
        )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let matches = cli().get_matches();
    let (sub, sub_matches) = matches.subcommand().expect("clap requires a subcommand");
    let (config, sources) = match Config::from_matches(sub_matches) {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("capital: bad setting {e}");
            std::process::exit(2);
        }
    };
    if sub == "config" {
        print!("{}", config.describe(&sources));
        return Ok(());
    }
    if sub == "admin" {
        let grant = sub_matches.get_one::<String>("what").is_some_and(|w| w == "grant");
        let username = sub_matches.get_one::<String>("username").expect("required").clone();
        let set = move || capital_server::admins::set_admin(&config, &username, grant);
        match tokio::task::spawn_blocking(set).await? {
            Ok(done) => println!("{done}"),
            Err(e) => {
                eprintln!("capital admin: {e}");
                std::process::exit(1);
            }
        }
        return Ok(());
    }
    if sub == "import-sqlite" {
        let file = sub_matches.get_one::<std::path::PathBuf>("file").expect("required").clone();
        let import = move || capital_server::storage::import_sqlite(&config, &file);
        match tokio::task::spawn_blocking(import).await? {
            Ok(done) => println!("{done}"),
            Err(e) => {
                eprintln!("capital import-sqlite: {e}");
                std::process::exit(1);
            }
        }
        return Ok(());
    }
    if sub == "new-game" {
        let name = sub_matches.get_one::<String>("name").expect("required");
        match capital_server::scripts::starter::write(&config.data.join("games"), name) {
            Ok(done) => println!("{done}"),
            Err(e) => {
                eprintln!("capital new-game: {e}");
                std::process::exit(1);
            }
        }
        return Ok(());
    }
    let log_is_default = sources.iter().any(|(n, s)| *n == "log" && *s == Source::Default);
    let log = match std::env::var("RUST_LOG") {
        Ok(rust_log) if log_is_default => rust_log,
        _ => config.log.clone(),
    };
    tracing_subscriber::fmt().with_env_filter(capital_server::logging::filter(&log)).init();
    let games = capital_server::Registry::standard();
    let server = match capital_server::Server::bind(config, games).await {
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
