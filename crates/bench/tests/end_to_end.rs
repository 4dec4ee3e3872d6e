//! The load generator against a real server started in this process on 127.0.0.1 port 0:
//! small, short runs of each scenario that check the counting (every message delivered and
//! counted, moves made, games finished), never the latencies.

use std::time::Duration;

use capital_bench::cli::{ChatArgs, IdleArgs, PlayArgs, SeedArgs, Target};
use capital_bench::{chat, idle, play, seed};
use capital_client::Client;
use capital_protocol::{Phase, Role};
use capital_server::{Config, Server};
use tokio::sync::oneshot;

/// A server on a fresh data directory (or `data`), stopped when dropped.
struct Running {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Running {
    async fn start(data: Option<std::path::PathBuf>) -> Self {
        let dir = if data.is_some() { None } else { Some(tempfile::tempdir().expect("temp dir")) };
        let data = data.unwrap_or_else(|| dir.as_ref().expect("made above").path().join("data"));
        let config = Config::new("127.0.0.1:0".parse().expect("an address"), data);
        let server = Server::bind(config, capital_server::Registry::standard())
            .await
            .expect("the server binds");
        let url = format!("ws://{}/ws", server.local_addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running { url, stop: Some(stop), task, _dir: dir }
    }

    fn target(&self) -> Target {
        Target { url: self.url.clone(), pid: Vec::new(), connect_concurrency: 8, seed: 7 }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = &mut self.task;
        task.await.expect("server task").expect("the server stops cleanly");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_delivers_and_counts_every_message() {
    let server = Running::start(None).await;
    let args = ChatArgs {
        target: server.target(),
        players: 20,
        room_size: 3,
        rate: Some(5.0),
        window: 4,
        bytes: 64,
        duration: 2.0,
        messages: None,
        drain: 5.0,
        no_echo: false,
    };
    let report = chat::run(&args, true).await.expect("the chat run");
    // 20 players in rooms of 3: six rooms of three and one of two.
    assert_eq!(report.rooms, 7);
    assert!(report.acked > 20, "every player sent about 10 messages: {report:?}");
    assert_eq!(report.errors.total(), 0, "{report:?}");
    assert_eq!(report.delivered, report.expected, "nothing lost after the drain: {report:?}");
    assert!(report.expected >= report.acked * 2 - 20, "mostly two recipients each: {report:?}");
    let latency = report.latency.expect("latencies were recorded");
    assert_eq!(latency.count, report.delivered, "one latency per delivery");
    assert!(report.delivered_in_window <= report.delivered);
    assert!(report.server.cpu_seconds.is_none(), "no --pid, no server figures");
    assert!(report.load_generator.cpu_seconds.is_some());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_stops_after_the_message_count() {
    let server = Running::start(None).await;
    let args = ChatArgs {
        target: server.target(),
        players: 4,
        room_size: 2,
        rate: None,
        window: 2,
        bytes: 40,
        duration: 30.0,
        messages: Some(40),
        drain: 5.0,
        // The senders do not hear their own messages: the other player still gets each.
        no_echo: true,
    };
    let report = chat::run(&args, true).await.expect("the chat run");
    assert_eq!(report.sent, 40, "{report:?}");
    assert_eq!(report.acked, 40, "{report:?}");
    assert_eq!(report.delivered, 40, "one recipient in a room of two: {report:?}");
    assert_eq!(report.errors.total(), 0, "no frame the bench did not expect: {report:?}");
    assert!(report.window_seconds < 20.0, "stopped at the count, not the duration");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn play_makes_moves_and_finishes_games() {
    let server = Running::start(None).await;
    let args =
        PlayArgs { target: server.target(), players: 9, rate: 10.0, duration: 3.0, moves: None };
    let report = play::run(&args, true).await.expect("the play run");
    assert_eq!((report.players, report.games), (8, 4), "the odd player sits out");
    assert!(report.moves > 20, "{report:?}");
    assert!(report.games_completed >= 1, "a game lasts about a second at 10 moves/s: {report:?}");
    assert_eq!(report.errors.total(), 0, "{report:?}");
    let round_trip = report.round_trip.expect("round trips were recorded");
    assert!(round_trip.count + 4 >= report.moves, "a round trip for (nearly) every move");
    assert!(report.notify.is_some());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connects_and_seats_half() {
    let server = Running::start(None).await;
    let args = IdleArgs { target: server.target(), players: 10, duration: 0.2 };
    let report = idle::run(&args, true).await.expect("the idle run");
    assert_eq!((report.players, report.seated, report.rooms), (10, 4, 2));
    assert!(report.server_rss_mib.is_none());
    assert!(report.load_generator_rss_mib.is_some());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_data_directory_loads_in_a_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("seeded");
    let args = SeedArgs { data: data.clone(), games: 6, chat: 120, seed: 2 };
    let report = tokio::task::spawn_blocking(move || seed::run(&args, true))
        .await
        .expect("seed task")
        .expect("seeding");
    assert_eq!((report.games, report.chat), (6, 120));
    let (code, token) = report.first_room.clone().expect("a first room");

    let server = Running::start(Some(data)).await;
    let client = Client::connect(&server.url).await.expect("connect");
    let welcome = client.hello("", Some(&token)).await.expect("the seeded token works");
    assert_eq!(welcome.name, "Ana0");
    assert!(welcome.rooms.iter().any(|r| r.code == code), "{welcome:?}");
    let joined = client.join_room(&code, Role::Player, None).await.expect("rejoin");
    let room = joined.room.expect("the room");
    assert_eq!(room.phase, Phase::Over);
    assert!(room.outcome.is_some(), "the game was played to its end");
    assert_eq!(joined.chat.len(), 20, "120 messages over 6 rooms");
    assert!(joined.chat.windows(2).all(|w| w[0].seq < w[1].seq));
    drop(client);
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.stop().await;
}
