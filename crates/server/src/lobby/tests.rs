//! The lobby against its narrow environment: a memory store (that can fail), paused time.

use std::sync::Arc;
use std::time::Duration;

use capital_protocol::Role;
use capital_store::RoomStore;

use super::*;
use crate::room::{Request, RoomRequest, RoomSettings};
use crate::testing::*;

fn turns(turn_seconds: Option<u32>) -> RoomSetup {
    RoomSetup { turn_seconds, ..RoomSetup::default() }
}

fn lobby(max_rooms: usize) -> (Directory, Arc<capital_store::MemoryStore>) {
    let (env, store) = env();
    let room_env = RoomEnv {
        env,
        settings: RoomSettings {
            grace: Duration::from_secs(120),
            idle: Duration::from_secs(1800),
            rematch_countdown: Duration::from_secs(3),
            max_chat_chars: 500,
            max_spectators: 10,
            word_filter: Arc::default(),
            max_replay_bytes: 256 * 1024,
        },
        lookups: Arc::new(PerMinute::new(30)),
        on_close: Arc::new(|_, _| {}),
        games: capital_games::Registry::standard(),
        rebuild: Arc::new(|_| Err("no game scripts here".into())),
    };
    let settings = LobbySettings { max_rooms, max_rooms_per_player: 2, new_rooms_per_minute: 100 };
    (Directory::new(room_env, settings), store)
}

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

#[tokio::test(start_paused = true)]
async fn a_room_is_listed_only_once_it_is_stored_and_its_closing_frees_the_count() {
    let (lobby, store) = lobby(10);
    let ana = player("pa", "Ana");
    let room = lobby.create(&ana, IP, "tictactoe", None, RoomSetup::default()).await.unwrap();
    assert!(store.load_room(room.id, 1).unwrap().is_some(), "stored first");
    assert_eq!(lobby.get(&room.code.to_lowercase()).map(|r| r.id), Some(room.id));
    lobby.create(&ana, IP, "rps", None, RoomSetup::default()).await.unwrap();
    let err = lobby.create(&ana, IP, "rps", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::TooManyRooms(2));
    // Ana joins and leaves her first room: it closes, and she may create another.
    let (conn, mut out) = conn(1);
    let join = RoomRequest::Join { role: Role::Player, since: None, screen: false };
    room.try_request(Request { conn: conn.clone(), id: 1, player: ana.clone(), cmd: join })
        .unwrap();
    let leave = RoomRequest::Leave;
    room.try_request(Request { conn, id: 2, player: ana.clone(), cmd: leave }).unwrap();
    frames(&mut out).await;
    settle().await;
    assert!(lobby.get(&room.code).is_none(), "a closed room is no longer listed");
    lobby
        .create(&ana, IP, "rps", None, RoomSetup::default())
        .await
        .expect("the closed room no longer counts");
}

#[tokio::test(start_paused = true)]
async fn rooms_in_all_are_bounded_and_a_failed_write_lists_nothing() {
    let (full, _) = lobby(3);
    for i in 0..3 {
        full.create(&player(&format!("p{i}"), "P"), IP, "rps", None, RoomSetup::default())
            .await
            .unwrap();
    }
    let err =
        full.create(&player("p9", "P"), IP, "rps", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::Full);
    assert_eq!(full.len(), 3);
    let (small, store) = lobby(3);
    store.fail_writes(true);
    let err =
        small.create(&player("pa", "A"), IP, "rps", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::Internal);
    assert!(small.is_empty(), "nothing listed");
    store.fail_writes(false);
    small
        .create(&player("pa", "A"), IP, "rps", None, RoomSetup::default())
        .await
        .expect("the count was given back");
}

#[tokio::test(start_paused = true)]
async fn unknown_games_and_bad_options_are_refused() {
    let (lobby, _) = lobby(3);
    let ana = player("pa", "Ana");
    let err = lobby.create(&ana, IP, "chess", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::UnknownGame("chess".into()));
    let options = serde_json::json!({"best_of": 4});
    let err = lobby.create(&ana, IP, "rps", Some(options), RoomSetup::default()).await.unwrap_err();
    assert!(matches!(err, LobbyError::BadOptions(_)), "{err:?}");
    assert!(lobby.is_empty());
}

#[tokio::test(start_paused = true)]
async fn turn_timers_are_asked_for_checked_and_a_game_may_have_one_by_default() {
    let (lobby, store) = lobby(10);
    let stored = |room: &RoomHandle| store.load_room(room.id, 1).unwrap().unwrap().room;
    let plain =
        lobby.create(&player("p1", "A"), IP, "rps", None, RoomSetup::default()).await.unwrap();
    assert_eq!(stored(&plain).turn_seconds, 0, "no timer unless asked");
    let timed = lobby.create(&player("p2", "B"), IP, "rps", None, turns(Some(45))).await.unwrap();
    assert_eq!(stored(&timed).turn_seconds, 45);
    let dots = lobby
        .create(&player("p3", "C"), IP, "dots_and_boxes", None, RoomSetup::default())
        .await
        .unwrap();
    assert_eq!(stored(&dots).turn_seconds, 30, "the game's own default");
    let untimed =
        lobby.create(&player("p4", "D"), IP, "dots_and_boxes", None, turns(Some(0))).await.unwrap();
    assert_eq!(stored(&untimed).turn_seconds, 0, "0 turns the default off");
    for bad in [1, 4, 601] {
        let err =
            lobby.create(&player("p5", "E"), IP, "rps", None, turns(Some(bad))).await.unwrap_err();
        assert!(matches!(err, LobbyError::BadOptions(_)), "{bad}: {err:?}");
    }
}

/// A cluster's placement, as the lobby sees it: how many claims other nodes win before one is
/// this node's, or a store that cannot say; what was asked and adopted.
#[derive(Default)]
struct Placed {
    held_elsewhere: std::sync::atomic::AtomicUsize,
    unreachable: std::sync::atomic::AtomicBool,
    asked: std::sync::Mutex<Vec<String>>,
    adopted: std::sync::Mutex<Vec<String>>,
}

impl Placement for Placed {
    fn claim(
        &self,
        code: &str,
        _: RoomId,
    ) -> futures_util::future::BoxFuture<'static, Result<bool, ()>> {
        use std::sync::atomic::Ordering::Relaxed;
        self.asked.lock().unwrap().push(code.to_owned());
        let elsewhere =
            self.held_elsewhere.fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1)).is_ok();
        let answer = if self.unreachable.load(Relaxed) { Err(()) } else { Ok(!elsewhere) };
        Box::pin(async move { answer })
    }

    fn adopt(&self, room: &RoomHandle) {
        self.adopted.lock().unwrap().push(room.code.clone());
    }
}

#[tokio::test(start_paused = true)]
async fn in_a_cluster_a_code_another_node_holds_is_not_given_and_a_refusal_holds_nothing() {
    use std::sync::atomic::Ordering::Relaxed;
    let (lobby, store) = lobby(10);
    let placed = Arc::new(Placed::default());
    lobby.place_with(placed.clone());
    let ana = player("pa", "Ana");
    // Every code is another node's: none is given.
    placed.held_elsewhere.store(usize::MAX, Relaxed);
    let err = lobby.create(&ana, IP, "tictactoe", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::NoFreeCode, "every code held elsewhere");
    assert_eq!(placed.asked.lock().unwrap().len(), CODE_ATTEMPTS);
    // The first code asked for is another node's: the room gets the next one.
    placed.held_elsewhere.store(1, Relaxed);
    placed.asked.lock().unwrap().clear();
    let room = lobby.create(&ana, IP, "tictactoe", None, RoomSetup::default()).await.unwrap();
    let asked = placed.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2);
    assert_eq!(room.code, asked[1]);
    assert_ne!(room.code, asked[0]);
    assert!(store.load_room(room.id, 1).unwrap().is_some());
    assert_eq!(*placed.adopted.lock().unwrap(), vec![room.code.clone()], "told it runs here");
    // The store cannot say who holds codes: refused, nothing stored, nothing counted.
    placed.unreachable.store(true, Relaxed);
    let err = lobby.create(&ana, IP, "rps", None, RoomSetup::default()).await.unwrap_err();
    assert_eq!(err, LobbyError::Internal);
    assert_eq!(lobby.len(), 1);
    let rooms = lobby.shared.rooms.lock().unwrap();
    assert!(rooms.reserved.is_empty(), "no code stays reserved");
    assert_eq!(rooms.per_creator.get("pa").copied(), Some(1), "only the listed room counts");
}
