//! The room's side of a cluster: while this node runs a room it serves the room's subject.
//! A request from another node's connection is parsed and routed as a session here would, and
//! handed to the room with a stand-in connection: a [`ConnHandle`] whose outbox a task drains
//! into NATS, to the player's node. The stand-in goes when the player's connection closes
//! (their node says so), when its node stops (its heartbeat runs out), or with the room.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use capital_protocol::ErrorCode;
use capital_protocol::client::parse_request;
use tokio_util::sync::CancellationToken;

use super::Inner;
use super::wire::{self, Answer, Origin, ToConn, ToRoom};
use crate::conn::{ConnHandle, Outbox};
use crate::players::Player;
use crate::room::{Request, RoomHandle};
use crate::session::router::{self, Route};

/// A connection of another node, as a room here sees it.
pub(super) struct StandIn {
    pub(super) conn: ConnHandle,
    player_id: String,
    /// Stops the task that drains its outbox.
    pub(super) stop: CancellationToken,
}

/// Serves room `room`'s subject until `stop` (the room closed, or moved) or shutdown.
pub(super) async fn serve(inner: Arc<Inner>, room: RoomHandle, stop: CancellationToken) {
    let mut requests = match inner.nats.subscribe(wire::room(&room.code)).await {
        Ok(requests) => requests,
        Err(e) => {
            tracing::error!(code = %room.code, error = %e, "cannot serve a room to the other nodes");
            return;
        }
    };
    let shutdown = inner.env.shutdown.clone();
    loop {
        let Some(msg) = super::next_message(&mut requests, &stop, &shutdown).await else { break };
        let Ok(to) = serde_json::from_slice::<ToRoom>(&msg.payload) else {
            tracing::warn!(code = %room.code, "a message for a room that is not one");
            continue;
        };
        match to {
            ToRoom::Request { from, ip, player_id, name, text } => {
                let answer =
                    request(&inner, &room, from, ip, Player { id: player_id, name }, &text);
                if let Some(reply) = msg.reply {
                    let answer = serde_json::to_vec(&answer).expect("an answer serializes");
                    let _ = inner.nats.publish(reply, answer.into()).await;
                }
            }
            ToRoom::Input { player_id, text } => {
                if let Ok(parsed) = parse_request(&text)
                    && let Route::Input { input, .. } = router::route(true, parsed.body)
                {
                    room.try_input(player_id, input);
                }
            }
            ToRoom::Detach { from, player_id: _ } => {
                let gone = inner
                    .standins
                    .lock()
                    .expect("stand-ins lock")
                    .remove(&(room.code.clone(), from));
                if let Some(standin) = gone {
                    detach(&room, standin).await;
                }
            }
        }
    }
    let _ = requests.unsubscribe().await;
    let gone: Vec<StandIn> = {
        let mut standins = inner.standins.lock().expect("stand-ins lock");
        let keys: Vec<_> =
            standins.keys().filter(|(code, _)| *code == room.code).cloned().collect();
        keys.into_iter().filter_map(|key| standins.remove(&key)).collect()
    };
    for standin in gone {
        standin.stop.cancel();
    }
}

/// Hands a request of another node's connection to the room.
fn request(
    inner: &Arc<Inner>,
    room: &RoomHandle,
    from: Origin,
    ip: IpAddr,
    player: Player,
    text: &str,
) -> Answer {
    let refused = |code: ErrorCode, message: String| Answer::Refused { code, message };
    let parsed = match parse_request(text) {
        Ok(parsed) => parsed,
        Err(bad) => return refused(bad.code, bad.message),
    };
    let id = parsed.id;
    let cmd = match router::route(true, parsed.body) {
        Route::Room { code, cmd }
            if crate::lobby::codes::normalize(&code).as_deref() == Some(room.code.as_str()) =>
        {
            cmd
        }
        _ => return refused(ErrorCode::BadRequest, "not a request for this room".into()),
    };
    let conn = standin(inner, &room.code, from, ip, &player.id);
    match room.try_request(Request { conn, id, player, cmd }) {
        Ok(()) => Answer::Taken,
        Err(e) => refused(e.code(), e.to_string()),
    }
}

/// The stand-in of `from` in room `code`, made if it is the connection's first request there.
pub(super) fn standin(
    inner: &Arc<Inner>,
    code: &str,
    from: Origin,
    ip: IpAddr,
    player_id: &str,
) -> ConnHandle {
    let mut standins = inner.standins.lock().expect("stand-ins lock");
    let key = (code.to_owned(), from);
    if let Some(standin) = standins.get(&key) {
        return standin.conn.clone();
    }
    let id = inner.next_standin.fetch_add(1, Ordering::Relaxed);
    let (frames, bytes) = inner.outbox;
    let (conn, outbox) = ConnHandle::new(id, ip, frames, bytes);
    let stop = CancellationToken::new();
    let origin = key.1.clone();
    inner.env.tracker.spawn(drain(inner.clone(), origin, conn.clone(), outbox, stop.clone()));
    standins.insert(key, StandIn { conn: conn.clone(), player_id: player_id.to_owned(), stop });
    conn
}

/// Sends what the room queues for a stand-in to the player's node, until stopped (what is
/// queued by then still goes) or the room closes the connection (the player's node closes it
/// too, with the same code).
async fn drain(
    inner: Arc<Inner>,
    origin: Origin,
    conn: ConnHandle,
    mut outbox: Outbox,
    stop: CancellationToken,
) {
    let closer = conn.closer();
    let send = async |frame: tungstenite::Utf8Bytes, realtime: bool| {
        let what = if realtime { ToConn::RealTime } else { ToConn::Frame };
        let subject = wire::conn(&origin.node, origin.conn, what);
        let _ = inner.nats.publish(subject, bytes::Bytes::from(frame)).await;
    };
    loop {
        tokio::select! {
            biased;
            frame = outbox.recv_tagged() => match frame {
                Some((frame, realtime)) => send(frame, realtime).await,
                None => break,
            },
            () = stop.cancelled() => {
                while let Some((frame, realtime)) = outbox.try_recv_tagged() {
                    send(frame, realtime).await;
                }
                break;
            }
            () = closer.cancelled() => {
                let code = conn.close_reason().map_or(1000, |r| r.code());
                let subject = wire::conn(&origin.node, origin.conn, ToConn::Close);
                let _ = inner.nats.publish(subject, code.to_string().into()).await;
                break;
            }
        }
    }
}

/// The player's connection is gone: the room holds their seat for the grace period, as for a
/// connection of this node.
async fn detach(room: &RoomHandle, standin: StandIn) {
    room.detach(standin.player_id.clone(), standin.conn.id()).await;
    standin.stop.cancel();
}

/// Forgets the stand-ins of connections of nodes that are no longer `live`.
pub(super) async fn forget_dead(inner: &Arc<Inner>, live: &HashSet<String>) {
    let gone: Vec<(String, StandIn)> = {
        let mut standins = inner.standins.lock().expect("stand-ins lock");
        let keys: Vec<_> =
            standins.keys().filter(|(_, origin)| !live.contains(&origin.node)).cloned().collect();
        keys.into_iter().filter_map(|key| standins.remove(&key).map(|s| (key.0, s))).collect()
    };
    let hub = inner.hub.lock().expect("hub lock").as_ref().map(|(hub, _)| hub.clone());
    for (code, standin) in gone {
        if code == super::wire::HUB_LEASE {
            if let Some(hub) = &hub {
                let offline = crate::dm::DmCmd::Offline {
                    player_id: standin.player_id.clone(),
                    conn_id: standin.conn.id(),
                };
                hub.presence(offline).await;
            }
            standin.stop.cancel();
            continue;
        }
        match inner.rooms.get(&code) {
            Some(room) => detach(&room, standin).await,
            None => standin.stop.cancel(),
        }
    }
}
