//! Fills a new data directory with finished games and chat, written through the store API
//! (`capital_store::SqliteStore`, the server's own backend), for timing a server start on a
//! data directory that has seen use.
//!
//! Each game gets its own room with two players, as the server would have recorded it: the
//! players, the room row (phase `over`, not closed, so a server loads it at start), both
//! members, the move log of one game played to its end with random legal moves (checked by
//! the game's own rules, so the log replays), and its share of the chat after the game. Room
//! sequence numbers follow the server's order: 1 created, 2 joined, 3 started, then one per
//! move, one for game over, one per chat message.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use capital_engine::{DynGame, GameKind};
use capital_games::Registry;
use capital_protocol::{Phase, Role};
use capital_store::{
    ChatRecord, MemberRecord, MoveRecord, PlayerRecord, RoomRecord, SqliteStore, Store, Ticket,
    TokenRecord, Write, WriteBatch,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cli::SeedArgs;
use crate::progress;
use crate::report::{self, Report, Table};
use crate::rng::Rng;

/// The letters of room codes (the server's alphabet, without look-alikes).
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPRTWXY";

/// The games played in turn.
const KINDS: [&str; 3] = ["tictactoe", "connect_four", "rps"];

/// Words chat messages are made of.
const WORDS: &[&str] = &[
    "good", "game", "again", "nice", "move", "your", "turn", "wow", "close", "one", "next", "time",
    "lucky", "well", "played", "ready", "go", "who", "wins", "rematch", "ha", "oops",
];

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    /// `"seed"`.
    pub scenario: &'static str,
    /// The data directory.
    pub data: PathBuf,
    /// Rooms, each with one finished game.
    pub games: usize,
    /// Players.
    pub players: usize,
    /// Moves in all.
    pub moves: usize,
    /// Chat messages in all.
    pub chat: usize,
    /// Seconds taken.
    pub seconds: f64,
    /// Size of the database files, bytes.
    pub database_bytes: u64,
    /// The first room's code and its host's resume token, to look at the data with a client.
    pub first_room: Option<(String, String)>,
}

impl Report for SeedReport {
    fn table(&self) -> Table {
        let mut t = Table::new(format!("seed: {}", self.data.display()));
        t.row("games (rooms)", report::thousands(self.games as u64))
            .row("players", report::thousands(self.players as u64))
            .row("moves", report::thousands(self.moves as u64))
            .row("chat messages", report::thousands(self.chat as u64))
            .row("time", format!("{:.1} s", self.seconds))
            .row("database", format!("{:.1} MiB", self.database_bytes as f64 / 1_048_576.0));
        if let Some((code, token)) = &self.first_room {
            t.row("first room", format!("{code} (host token {token})"));
        }
        t
    }
}

/// Writes the data. Blocking: call it from a plain thread or `spawn_blocking`.
pub fn run(args: &SeedArgs, quiet: bool) -> anyhow::Result<SeedReport> {
    let max_rooms = CODE_ALPHABET.len().pow(4);
    anyhow::ensure!(args.games <= max_rooms, "--games: at most {max_rooms} (one code each)");
    anyhow::ensure!(args.games > 0 || args.chat == 0, "--chat needs at least one game");
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("cannot create {}", args.data.display()))?;
    let db = args.data.join("capital.db");
    anyhow::ensure!(!db.exists(), "{} exists already: seed a new directory", db.display());
    let started = Instant::now();
    let store = SqliteStore::open(&db).context("open the database")?;
    let registry = Registry::standard();
    let mut rng = Rng::new(args.seed, 0);
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let mut ts = now_ms.saturating_sub(30 * 86_400_000);
    let mut tickets: Vec<Ticket> = Vec::new();
    let mut moves = 0;
    let mut chat = 0;
    let mut first_room = None;
    progress::note(quiet, &format!("writing {} games and {} chat messages", args.games, args.chat));
    for i in 0..args.games {
        let kind = KINDS[i % KINDS.len()];
        let entry = registry.find(kind).with_context(|| format!("no game {kind}"))?;
        let (a, a_token) = player(&mut rng, format!("Ana{i}"), ts);
        let (b, _) = player(&mut rng, format!("Bo{i}"), ts);
        let room_id = i as i64 + 1;
        let code = room_code(i);
        if first_room.is_none() {
            first_room = Some((code.clone(), a_token));
        }
        // One batch per game, as a room writes it.
        let mut batch = WriteBatch::new();
        batch.push(Write::CreatePlayer(a.0.clone(), a.1.clone()));
        batch.push(Write::CreatePlayer(b.0.clone(), b.1.clone()));
        let (a, b) = (a.0, b.0);
        for (seat, p) in [&a, &b].into_iter().enumerate() {
            batch.push(Write::PutMember(MemberRecord {
                room_id,
                player_id: p.id.clone(),
                role: Role::Player,
                seat: Some(seat),
                joined_ms: ts,
                ready: false,
            }));
        }
        // Seqs 1-3: created, joined, started. Then the moves, then game over.
        let mut seq = 3;
        let (options, _) = entry.check(&Value::Null).context("default options")?;
        let game = entry.create(&options, 2, 0).context("a two-player game")?;
        let log = play_out(&*entry, game, &mut rng)?;
        for (ply, (seat, mv)) in log.into_iter().enumerate() {
            seq += 1;
            ts += 900;
            batch.push(Write::AppendMove(MoveRecord {
                room_id,
                game_no: 1,
                ply: ply as u32,
                seat,
                mv,
                seq,
                ts_ms: ts,
            }));
            moves += 1;
        }
        seq += 1;
        let messages = args.chat / args.games + usize::from(i < args.chat % args.games);
        for m in 0..messages {
            seq += 1;
            ts += 1;
            let (from, name) = if m % 2 == 0 { (&a.id, &a.name) } else { (&b.id, &b.name) };
            batch.push(Write::AppendChat(ChatRecord {
                room_id,
                seq,
                player_id: from.clone(),
                name: name.clone(),
                text: sentence(&mut rng),
                client_msg_id: format!("seed-{seq}"),
                ts_ms: ts,
                removed: false,
            }));
            chat += 1;
        }
        batch.push(Write::PutRoom(RoomRecord {
            id: room_id,
            mode: Default::default(),
            code,
            game: kind.to_owned(),
            options,
            host: a.id.clone(),
            phase: Phase::Over,
            game_no: 1,
            seq,
            outcome: None,
            players: 2,
            seed: 0,
            deadlines: vec![],
            turn_seconds: 0,
            snapshot: None,
            snapshot_tick: 0,
            created_ms: ts,
            closed: false,
            locked: false,
            banned: Vec::new(),
            chat_off: false,
            muted: Vec::new(),
            scoreboard: Vec::new(),
            game_version: String::new(),
        }));
        tickets.push(store.commit(batch));
        if tickets.len() > 500 {
            wait_all(&mut tickets)?;
        }
    }
    wait_all(&mut tickets)?;
    drop(store);
    Ok(SeedReport {
        scenario: "seed",
        data: args.data.clone(),
        games: args.games,
        players: 2 * args.games,
        moves,
        chat,
        seconds: started.elapsed().as_secs_f64(),
        database_bytes: database_bytes(&args.data),
        first_room,
    })
}

fn wait_all(tickets: &mut Vec<Ticket>) -> anyhow::Result<()> {
    for ticket in tickets.drain(..) {
        ticket.wait().context("a write failed")?;
    }
    Ok(())
}

/// A new guest player, its token record, and the token itself.
fn player(rng: &mut Rng, name: String, created_ms: u64) -> ((PlayerRecord, TokenRecord), String) {
    const ID_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let id: String = std::iter::once('p')
        .chain((0..11).map(|_| char::from(ID_ALPHABET[rng.below(ID_ALPHABET.len())])))
        .collect();
    let token: String = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
    let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let record = TokenRecord { hash, player_id: id.clone(), created_ms, expires_ms: None };
    ((PlayerRecord { id, name, created_ms }, record), token)
}

/// The `i`th room code: `i` written in base 17 with the code alphabet's letters.
pub fn room_code(i: usize) -> String {
    let n = CODE_ALPHABET.len();
    (0..4).rev().map(|place| char::from(CODE_ALPHABET[(i / n.pow(place)) % n])).collect()
}

/// Candidate moves of a game kind; the rules say which are legal now.
fn candidates(kind: &str) -> Vec<Value> {
    match kind {
        "tictactoe" => (0..9).map(|c| json!({ "cell": c })).collect(),
        "connect_four" => (0..7).map(|c| json!({ "column": c })).collect(),
        "rps" => ["rock", "paper", "scissors"].map(|c| json!({ "choice": c })).to_vec(),
        _ => Vec::new(),
    }
}

/// Plays `game` to its end with random legal moves; the log, in play order, with each move in
/// the canonical form the rules return.
fn play_out(
    entry: &dyn GameKind,
    mut game: Box<dyn DynGame>,
    rng: &mut Rng,
) -> anyhow::Result<Vec<(usize, Value)>> {
    let moves = candidates(entry.kind());
    let mut log = Vec::new();
    while game.outcome().is_none() {
        let turn = game.turn();
        anyhow::ensure!(!turn.is_empty() && log.len() < 1000, "{} never ends", entry.kind());
        for seat in turn {
            let start = rng.below(moves.len());
            let played = (0..moves.len()).find_map(|k| {
                let mv = &moves[(start + k) % moves.len()];
                game.play(seat, mv).ok()
            });
            let canonical = played.with_context(|| format!("{}: no legal move", entry.kind()))?;
            log.push((seat, canonical));
        }
    }
    Ok(log)
}

/// A short chat line of 2 to 9 words.
fn sentence(rng: &mut Rng) -> String {
    let words = 2 + rng.below(8);
    let mut text: Vec<&str> = (0..words).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    if text.first() == Some(&"ha") {
        text[0] = "haha";
    }
    text.join(" ")
}

fn database_bytes(data: &Path) -> u64 {
    ["capital.db", "capital.db-wal", "capital.db-shm"]
        .iter()
        .filter_map(|f| std::fs::metadata(data.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_codes_are_unique_four_letters_of_the_alphabet() {
        let codes: std::collections::HashSet<String> = (0..5000).map(room_code).collect();
        assert_eq!(codes.len(), 5000);
        assert!(
            codes.iter().all(|c| c.len() == 4 && c.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        );
        assert_eq!(room_code(0), "AAAA");
        assert_eq!(room_code(1), "AAAC");
    }

    #[test]
    fn every_game_plays_out_and_replays() {
        let registry = Registry::standard();
        let mut rng = Rng::new(3, 0);
        for kind in KINDS {
            let entry = registry.find(kind).unwrap();
            let (options, _) = entry.check(&Value::Null).unwrap();
            let game = entry.create(&options, 2, 0).unwrap();
            let log = play_out(&*entry, game, &mut rng).unwrap();
            assert!(!log.is_empty());
            let replayed =
                capital_engine::replay(&*entry, &options, 2, 0, log.iter().map(|(s, m)| (*s, m)))
                    .unwrap();
            assert!(replayed.outcome().is_some(), "{kind} ends the same way on replay");
        }
    }

    #[test]
    fn seeding_twice_into_one_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let args = SeedArgs { data: dir.path().join("d"), games: 4, chat: 10, seed: 1 };
        let report = run(&args, true).unwrap();
        assert_eq!((report.games, report.players, report.chat), (4, 8, 10));
        assert!(report.moves >= 4 * 3);
        let err = run(&args, true).unwrap_err();
        assert!(err.to_string().contains("exists already"), "{err}");
    }
}
