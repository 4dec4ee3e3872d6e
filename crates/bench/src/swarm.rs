//! Setting up many players: connect and say `hello` with bounded concurrency, then seat them in
//! rooms. Set-up is not measured; any failure here aborts the run with what went wrong.

use std::ops::Range;
use std::time::Duration;

use anyhow::Context as _;
use capital_client::Client;
use capital_protocol::{PlayerId, Role, RoomCode};
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::rooms::{Part, part};

/// The game rooms are made for: tic-tac-toe (two seats; more members watch).
pub const GAME: &str = "tictactoe";

/// Seats in a [`GAME`] room.
pub const SEATS: usize = 2;

/// How long one connection and its `hello` may take during set-up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// One simulated player.
pub struct Player {
    /// Its number in the run, from 0.
    pub index: usize,
    /// Its connection.
    pub client: Client,
    /// Its player id, from `welcome`.
    pub id: PlayerId,
}

/// A room and its members, in the order they joined (the host first).
pub struct Room {
    /// The room's code.
    pub code: RoomCode,
    /// The members.
    pub members: Vec<Player>,
}

/// Connects `n` players to `url` (several, comma-separated: player N to the Nth, round robin)
/// and says `hello` for each, `concurrency` at a time. The players come back in index order.
pub async fn connect(url: &str, n: usize, concurrency: usize) -> anyhow::Result<Vec<Player>> {
    let urls: Vec<&str> = url.split(',').collect();
    let urls = &urls;
    let mut players: Vec<Player> = stream::iter(0..n)
        .map(|index| async move {
            let connect = async {
                let client = Client::connect(urls[index % urls.len()]).await?;
                let welcome = client.hello(&format!("bench{index}"), None).await?;
                Ok::<_, capital_client::ClientError>(Player {
                    index,
                    client,
                    id: welcome.player_id,
                })
            };
            match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
                Ok(result) => result.with_context(|| format!("player {index}: connect and hello")),
                Err(_) => anyhow::bail!("player {index}: no welcome within {CONNECT_TIMEOUT:?}"),
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    players.sort_by_key(|p| p.index);
    Ok(players)
}

/// Seats `players` in rooms: `groups` are ranges of player indexes (as made by
/// [`crate::rooms::groups`]); in each, the first creates a [`GAME`] room, the next takes the
/// other seat and the rest join as spectators. With `start`, the host then starts the game.
/// Players in no group come back in the second vector.
pub async fn seat(
    players: Vec<Player>,
    groups: &[Range<usize>],
    concurrency: usize,
    start: bool,
) -> anyhow::Result<(Vec<Room>, Vec<Player>)> {
    let mut slots: Vec<Option<Player>> = players.into_iter().map(Some).collect();
    let mut grouped = Vec::with_capacity(groups.len());
    for range in groups {
        let members: Option<Vec<Player>> =
            range.clone().map(|i| slots.get_mut(i).and_then(Option::take)).collect();
        grouped.push(members.context("a room names a player twice or one that does not exist")?);
    }
    let rest: Vec<Player> = slots.into_iter().flatten().collect();
    let mut rooms: Vec<Room> = stream::iter(grouped)
        .map(|members| async move {
            let room = fill_room(members, start);
            tokio::time::timeout(CONNECT_TIMEOUT, room)
                .await
                .unwrap_or_else(|_| anyhow::bail!("seating a room took over {CONNECT_TIMEOUT:?}"))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await?;
    rooms.sort_by_key(|r| r.members.first().map_or(0, |p| p.index));
    Ok((rooms, rest))
}

async fn fill_room(members: Vec<Player>, start: bool) -> anyhow::Result<Room> {
    let host = members.first().context("an empty room")?;
    let joined = host
        .client
        .create_room(GAME, None)
        .await
        .with_context(|| format!("player {}: create_room", host.index))?;
    let code = joined.code;
    for (position, member) in members.iter().enumerate().skip(1) {
        let role = match part(position, SEATS) {
            Part::Host | Part::Player => Role::Player,
            Part::Spectator => Role::Spectator,
        };
        member
            .client
            .join_room(&code, role, None)
            .await
            .with_context(|| format!("player {}: join_room {code}", member.index))?;
    }
    if start {
        host.client.start(&code).await.with_context(|| format!("start {code}"))?;
    }
    Ok(Room { code, members })
}
