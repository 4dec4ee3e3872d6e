//! The cluster's one direct-message hub. Direct messages need one place that allocates each
//! conversation's sequence numbers, knows who is online and sends the receipts, so a cluster has
//! one hub, on the node that holds its lease ([`HUB_LEASE`]); every node's sessions reach it
//! through NATS, also the sessions of the hub's own node (one path, one order). The hub answers
//! into stand-in connections, as a room on another node does.
//!
//! When the hub's node stops, another node takes the lease, starts a hub (which reads what it
//! knows from the store) and says the hub moved: every node then tells the new hub who is
//! online on it again, so presence and the messages stored meanwhile carry on.

use std::sync::Arc;

use capital_protocol::Outgoing;
use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::wire::{self, HUB_LEASE, HubRequest, Origin, ToHub};
use super::{Cluster, Inner, owner};
use crate::conn::ConnHandle;
use crate::dm::{DmCmd, DmError, DmHandle, Forward};
use crate::players::Player;

/// Commands waiting to go to the hub, at most (then `busy`).
pub(super) const WAITING: usize = 4096;

/// A command for the hub, and for a request its reply subject.
pub(super) type Outbound = (bytes::Bytes, Option<String>);

impl Forward for Cluster {
    fn forward(&self, cmd: DmCmd) -> Result<(), DmError> {
        let out = self.to_hub(cmd);
        self.inner.hub_out.try_send(out).map_err(|_| DmError::Busy)
    }

    fn forward_all(&self, cmd: DmCmd) -> BoxFuture<'static, ()> {
        let out = self.to_hub(cmd);
        let hub_out = self.inner.hub_out.clone();
        Box::pin(async move {
            let _ = hub_out.send(out).await;
        })
    }
}

impl Cluster {
    /// `cmd` as the hub's node gets it (the connection is linked for the hub's answers), and
    /// for a request the subject where NATS says that no node runs the hub.
    fn to_hub(&self, cmd: DmCmd) -> Outbound {
        let request = |conn: &ConnHandle, id, request| {
            let (from, ip) = self.origin(conn);
            ToHub::Request { from, ip, id, request }
        };
        let message = match cmd {
            DmCmd::Online { player, conn } => {
                let (from, ip) = self.origin(&conn);
                let (player_id, name) = (player.id.clone(), player.name.clone());
                let mut online = self.inner.dm_players.lock().expect("dm players lock");
                online.insert(conn.id(), (conn, player));
                ToHub::Online { from, ip, player_id, name }
            }
            DmCmd::Offline { player_id, conn_id } => {
                self.inner.dm_players.lock().expect("dm players lock").remove(&conn_id);
                let from = Origin { node: self.inner.node.clone(), conn: conn_id };
                ToHub::Offline { from, player_id }
            }
            DmCmd::Send { conn, id, from, to, text, sealed, client_msg_id } => {
                let (from_id, from_name) = (from.id, from.name);
                let send = HubRequest::Send { from_id, from_name, to, text, sealed, client_msg_id };
                request(&conn, id, send)
            }
            DmCmd::Read { conn, id, reader, with, seq } => {
                request(&conn, id, HubRequest::Read { reader, with, seq })
            }
            DmCmd::Block { conn, id, blocker, blocked, on } => {
                request(&conn, id, HubRequest::Block { blocker, blocked, on })
            }
            DmCmd::PublishKey { conn, id, player, key, max } => {
                request(&conn, id, HubRequest::PublishKey { player, key, max })
            }
            DmCmd::KeysOf { conn, id, player } => request(&conn, id, HubRequest::KeysOf { player }),
            DmCmd::Conversations { conn, id, player } => {
                request(&conn, id, HubRequest::Conversations { player })
            }
            DmCmd::ReloadKeys => ToHub::ReloadKeys,
        };
        let reply = match &message {
            ToHub::Request { from, id, .. } => Some(wire::hub_reply(&from.node, from.conn, *id)),
            _ => None,
        };
        (serde_json::to_vec(&message).expect("serializes").into(), reply)
    }

    /// Where `conn` is, for the hub; linked, so that the hub's answers reach it.
    fn origin(&self, conn: &ConnHandle) -> (Origin, std::net::IpAddr) {
        self.link(conn, HUB_LEASE);
        (Origin { node: self.inner.node.clone(), conn: conn.id() }, conn.peer())
    }

    /// Tells the hub (it moved) who is online on this node.
    pub(super) async fn online_again(&self) {
        let online: Vec<(ConnHandle, Player)> =
            self.inner.dm_players.lock().expect("dm players lock").values().cloned().collect();
        for (conn, player) in online {
            self.forward_all(DmCmd::Online { player, conn }).await;
        }
    }

    /// Takes the hub's lease if nobody holds it: this node runs the hub from now on.
    pub(super) async fn claim_hub(&self) -> Result<(), capital_store::StoreError> {
        let inner = &self.inner;
        if inner.hub.lock().expect("hub lock").is_some() {
            return Ok(());
        }
        if !inner.leases.claim(HUB_LEASE, 0, &inner.node, super::LEASE).await? {
            return Ok(());
        }
        let hub = crate::dm::hub::Hub::start(inner.env.clone(), inner.dm_settings).await?;
        let stop = CancellationToken::new();
        *inner.hub.lock().expect("hub lock") = Some((hub.clone(), stop.clone()));
        inner.env.tracker.spawn(serve(inner.clone(), hub, stop));
        tracing::info!(node = %inner.node, "this node runs the direct-message hub");
        let node = inner.node.clone().into_bytes();
        if let Err(e) = inner.nats.publish(wire::moved(HUB_LEASE), node.into()).await {
            tracing::warn!(error = %e, "could not say the hub moved");
        }
        Ok(())
    }
}

/// Publishes what waits for the hub, in order.
pub(super) async fn send_out(inner: Arc<Inner>, mut waiting: mpsc::Receiver<Outbound>) {
    let shutdown = inner.env.shutdown.clone();
    loop {
        let (payload, reply) = tokio::select! {
            () = shutdown.cancelled() => return,
            out = waiting.recv() => match out { Some(out) => out, None => return },
        };
        let sent = match reply {
            Some(reply) => inner.nats.publish_with_reply(wire::HUB, reply, payload).await,
            None => inner.nats.publish(wire::HUB, payload).await,
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "a direct-message command could not go to the hub");
        }
    }
}

/// Answers `busy` to the requests that NATS says no node took: the hub is moving.
pub(super) async fn unserved(inner: Arc<Inner>, mut replies: async_nats::Subscriber) {
    let shutdown = inner.env.shutdown.clone();
    while let Some(msg) = super::next_message(&mut replies, &shutdown, &shutdown).await {
        if msg.status != Some(async_nats::StatusCode::NO_RESPONDERS) {
            continue;
        }
        let Some((conn_id, id)) = wire::parse_hub_reply(&msg.subject) else { continue };
        let conn = inner.linked.lock().expect("linked lock").get(&conn_id).map(|(c, _)| c.clone());
        if let Some(conn) = conn {
            let why = "the direct messages' server is moving to another node; try again";
            let refused = Outgoing::error(Some(id), capital_protocol::ErrorCode::Busy, why);
            conn.send(refused.to_json().into());
        }
    }
}

/// Serves the hub's subject with `hub` until `stop` (the lease was lost) or shutdown.
async fn serve(inner: Arc<Inner>, hub: DmHandle, stop: CancellationToken) {
    let mut commands = match inner.nats.subscribe(wire::HUB).await {
        Ok(commands) => commands,
        Err(e) => {
            tracing::error!(error = %e, "cannot serve the direct-message hub");
            return;
        }
    };
    let shutdown = inner.env.shutdown.clone();
    loop {
        let Some(msg) = super::next_message(&mut commands, &stop, &shutdown).await else { break };
        let Ok(to) = serde_json::from_slice::<ToHub>(&msg.payload) else {
            tracing::warn!("a message for the hub that is not one");
            continue;
        };
        match to {
            ToHub::Online { from, ip, player_id, name } => {
                let conn = owner::standin(&inner, HUB_LEASE, from, ip, &player_id);
                hub.presence(DmCmd::Online { player: Player { id: player_id, name }, conn }).await;
            }
            ToHub::Offline { from, player_id } => {
                let gone = inner
                    .standins
                    .lock()
                    .expect("stand-ins lock")
                    .remove(&(HUB_LEASE.to_owned(), from));
                if let Some(standin) = gone {
                    hub.presence(DmCmd::Offline { player_id, conn_id: standin.conn.id() }).await;
                    standin.stop.cancel();
                }
            }
            ToHub::Request { from, ip, id, request } => {
                let player = match &request {
                    HubRequest::Send { from_id, .. } => from_id,
                    HubRequest::Read { reader, .. } => reader,
                    HubRequest::Block { blocker, .. } => blocker,
                    HubRequest::PublishKey { player, .. }
                    | HubRequest::KeysOf { player }
                    | HubRequest::Conversations { player } => player,
                };
                let player = player.clone();
                let conn = owner::standin(&inner, HUB_LEASE, from, ip, &player);
                if let Err(e) = hub.request(command(conn.clone(), id, request)) {
                    let refused = Outgoing::error(Some(id), e.code(), e.to_string());
                    conn.send(refused.to_json().into());
                }
            }
            ToHub::ReloadKeys => hub.reload_keys().await,
        }
    }
    let _ = commands.unsubscribe().await;
}

/// The hub's command for a request of stand-in `conn`.
fn command(conn: ConnHandle, id: u64, request: HubRequest) -> DmCmd {
    match request {
        HubRequest::Send { from_id, from_name, to, text, sealed, client_msg_id } => DmCmd::Send {
            conn,
            id,
            from: Player { id: from_id, name: from_name },
            to,
            text,
            sealed,
            client_msg_id,
        },
        HubRequest::Read { reader, with, seq } => DmCmd::Read { conn, id, reader, with, seq },
        HubRequest::Block { blocker, blocked, on } => {
            DmCmd::Block { conn, id, blocker, blocked, on }
        }
        HubRequest::PublishKey { player, key, max } => {
            DmCmd::PublishKey { conn, id, player, key, max }
        }
        HubRequest::KeysOf { player } => DmCmd::KeysOf { conn, id, player },
        HubRequest::Conversations { player } => DmCmd::Conversations { conn, id, player },
    }
}
