//! Several nodes as one server (docs/scale-out.md): they share one PostgreSQL store and reach
//! each other through one NATS server.
//!
//! A room runs on exactly one node, the one that holds its lease (in the store, see
//! [`capital_store::postgres::Leases`]). A player may be connected to any node: a request for a
//! room that runs elsewhere crosses NATS to the room's node as the text the client sent; there a
//! stand-in connection takes the room's frames and sends them back across NATS to the player's
//! node, which queues them for the player as its own. The single-node path is untouched: a room
//! that runs here is reached as ever, without NATS.
//!
//! Each node renews its leases every second; a node that stops (kill -9, power) lets them run
//! out after [`LEASE`], and another node takes each room, rebuilds it from the store, and says
//! so (`capital.moved.CODE`): the nodes close the connections that were linked to the room there,
//! and the phones reconnect and resume as after any drop.
//!
//! # Layout
//! - [`wire`]: the subjects and messages (pure).
//! - [`owner`]: the room's side: serving a room's subject, the stand-in connections.
//! - [`origin`]: the player's side: forwarding requests, queuing the frames that come back.
//! - [`hub`]: the cluster's one direct-message hub, on the node that holds its lease.
//! - here: starting, leases, failover, and "one live connection" across nodes.

mod hub;
mod origin;
mod owner;
pub mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capital_store::RoomId;
use capital_store::postgres::Leases;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

pub use origin::{ForwardError, Forwarded};

use crate::conn::ConnHandle;
use crate::dm::{DmHandle, DmSettings};
use crate::env::Env;
use crate::lobby::{Directory, Placement};
use crate::players::{Online, Player};
use crate::room::RoomHandle;

/// How long a lease lasts unless renewed: a dead node's rooms wait this long for another.
pub const LEASE: Duration = Duration::from_secs(4);

/// How often a node renews its leases and looks for rooms whose node died.
const TICK: Duration = Duration::from_secs(1);

/// One node of a cluster. Cheap to clone.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    /// This node's name (in the leases and the subjects).
    node: String,
    nats: async_nats::Client,
    leases: Leases,
    rooms: Directory,
    online: Arc<Online>,
    env: Env,
    /// The outbox bounds of a stand-in connection (a player's, on their node).
    outbox: (usize, usize),
    /// The rooms this node runs, each with the token that stops serving its subject.
    owned: Mutex<HashMap<String, (RoomHandle, CancellationToken)>>,
    /// Stand-ins of other nodes' connections, by room and origin.
    standins: Mutex<HashMap<(String, wire::Origin), owner::StandIn>>,
    /// This node's connections that reach rooms on other nodes, and which rooms.
    linked: Mutex<HashMap<u64, (ConnHandle, HashSet<String>)>>,
    /// Ids of stand-in connections (high bit set: they never meet this node's own ids).
    next_standin: AtomicU64,
    /// The hub this node runs for the cluster, if it holds the hub's lease, and what stops
    /// serving it.
    hub: Mutex<Option<(DmHandle, CancellationToken)>>,
    /// Commands on their way to the hub.
    hub_out: tokio::sync::mpsc::Sender<hub::Outbound>,
    /// This node's connections the hub knows as online, with their players (told again when
    /// the hub moves).
    dm_players: Mutex<HashMap<u64, (ConnHandle, Player)>>,
    dm_settings: DmSettings,
}

/// What a cluster node starts with.
pub struct Setup {
    /// The NATS server's URL.
    pub url: String,
    /// This node's name (empty: a random one).
    pub node: String,
    /// The store's leases.
    pub leases: Leases,
    /// The actors' environment (its shutdown stops the cluster's tasks).
    pub env: Env,
    /// This node's rooms.
    pub rooms: Directory,
    /// Who is connected here.
    pub online: Arc<Online>,
    /// A connection's outbox bounds (frames, bytes).
    pub outbox: (usize, usize),
    /// The settings of the hub, when this node runs it.
    pub dm_settings: DmSettings,
}

impl Cluster {
    /// Connects to NATS, subscribes to this node's subjects and gives the directory its
    /// placement (before any room is loaded). Fails when NATS cannot be reached.
    pub async fn start(setup: Setup) -> anyhow::Result<Cluster> {
        let node = if setup.node.is_empty() { random_name() } else { setup.node };
        // A node of the same name that is still alive would share this one's leases. One that
        // just died (kill -9 and a restart) is waited for: its heartbeat runs out.
        let deadline = tokio::time::Instant::now() + LEASE + TICK;
        while setup.leases.live_nodes().await?.contains(&node) {
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!(
                    "cluster: another node named {node} is running (give each node its own \
                     --node-name)"
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let nats = async_nats::ConnectOptions::new()
            .name(format!("capital {node}"))
            .connection_timeout(Duration::from_secs(5))
            .event_callback(|event| async move {
                tracing::warn!(%event, "NATS");
            })
            .connect(setup.url.as_str())
            .await
            .map_err(|e| anyhow::anyhow!("cluster: cannot reach NATS at {}: {e}", setup.url))?;
        let (hub_out, waiting) = tokio::sync::mpsc::channel(hub::WAITING);
        let cluster = Cluster {
            inner: Arc::new(Inner {
                node,
                nats,
                leases: setup.leases,
                rooms: setup.rooms,
                online: setup.online,
                env: setup.env,
                outbox: setup.outbox,
                owned: Mutex::default(),
                standins: Mutex::default(),
                linked: Mutex::default(),
                next_standin: AtomicU64::new(1 << 63),
                hub: Mutex::default(),
                hub_out,
                dm_players: Mutex::default(),
                dm_settings: setup.dm_settings,
            }),
        };
        let inner = &cluster.inner;
        let subscribe = async |subject: String| {
            inner
                .nats
                .subscribe(subject.clone())
                .await
                .map_err(|e| anyhow::anyhow!("cluster: cannot subscribe to {subject}: {e}"))
        };
        let frames = subscribe(wire::conns_of(&inner.node)).await?;
        let logins = subscribe(wire::LOGINS.to_owned()).await?;
        let moves = subscribe(wire::MOVES.to_owned()).await?;
        let unserved = subscribe(wire::hub_replies_of(&inner.node)).await?;
        let tracker = &inner.env.tracker;
        tracker.spawn(origin::frames(inner.clone(), frames));
        tracker.spawn(cluster.clone().logins(logins));
        tracker.spawn(origin::moves(cluster.clone(), moves));
        tracker.spawn(hub::send_out(inner.clone(), waiting));
        tracker.spawn(hub::unserved(inner.clone(), unserved));
        inner.rooms.place_with(Arc::new(cluster.clone()));
        // The first heartbeat before anything else: the other nodes see this one as alive.
        inner.leases.renew(&inner.node, LEASE).await?;
        tracing::info!(node = %inner.node, nats = %setup.url, "cluster node started");
        Ok(cluster)
    }

    /// Starts renewing leases and taking over the rooms of nodes that died, until shutdown.
    pub fn run(&self) {
        self.inner.env.tracker.spawn(self.clone().tick());
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// `player` connected here: their connection on any other node closes as replaced.
    pub async fn connected(&self, player: &str) {
        let node = self.inner.node.clone().into_bytes();
        if let Err(e) = self.inner.nats.publish(wire::login(player), node.into()).await {
            tracing::warn!(error = %e, "could not tell the other nodes of a connection");
        }
    }

    async fn logins(self, mut logins: async_nats::Subscriber) {
        let shutdown = self.inner.env.shutdown.clone();
        loop {
            let Some(msg) = next_message(&mut logins, &shutdown, &shutdown).await else { return };
            if msg.payload.as_ref() != self.inner.node.as_bytes() {
                self.inner.online.replaced_elsewhere(wire::last(&msg.subject));
            }
        }
    }

    async fn tick(self) {
        let shutdown = self.inner.env.shutdown.clone();
        loop {
            if let Err(e) = self.renew().await {
                tracing::warn!(error = %e, "could not renew this node's room leases");
            }
            if let Err(e) = self.take_over().await {
                tracing::warn!(error = %e, "could not look for rooms whose node stopped");
            }
            if let Err(e) = self.claim_hub().await {
                tracing::warn!(error = %e, "could not look for the direct-message hub");
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(TICK) => {}
            }
        }
        // Stopping: what this node ran is free for the others at once (the store keeps it).
        let owned: Vec<String> =
            self.inner.owned.lock().expect("owned lock").keys().cloned().collect();
        let hub = self.inner.hub.lock().expect("hub lock").is_some();
        for code in owned.iter().map(String::as_str).chain(hub.then_some(wire::HUB_LEASE)) {
            let _ = self.inner.leases.release(code, &self.inner.node).await;
        }
    }

    /// Renews this node's leases; lets go of those of rooms that closed, stops serving those it
    /// lost; forgets the stand-ins of nodes that stopped.
    async fn renew(&self) -> Result<(), capital_store::StoreError> {
        let inner = &self.inner;
        let held: HashSet<String> =
            inner.leases.renew(&inner.node, LEASE).await?.into_iter().collect();
        let (closed, lost) = {
            let mut owned = inner.owned.lock().expect("owned lock");
            let closed: Vec<String> = owned
                .iter()
                .filter(|(_, (room, _))| room.is_closed())
                .map(|(c, _)| c.clone())
                .collect();
            let lost: Vec<String> = owned
                .keys()
                .filter(|code| !held.contains(*code) && !closed.contains(*code))
                .cloned()
                .collect();
            for code in closed.iter().chain(&lost) {
                if let Some((_, stop)) = owned.remove(code) {
                    stop.cancel();
                }
            }
            (closed, lost)
        };
        for code in &closed {
            inner.leases.release(code, &inner.node).await?;
        }
        if !held.contains(wire::HUB_LEASE)
            && let Some((_, stop)) = inner.hub.lock().expect("hub lock").take()
        {
            tracing::error!("this node lost the direct-message hub's lease; it no longer runs it");
            stop.cancel();
        }
        for code in &lost {
            tracing::error!(%code, "this node lost a room's lease (the store was out of reach too long); it no longer serves the room");
        }
        let live: HashSet<String> = inner.leases.live_nodes().await?.into_iter().collect();
        owner::forget_dead(inner, &live).await;
        Ok(())
    }

    /// Takes every room whose lease ran out, rebuilds it from the store and says it moved.
    async fn take_over(&self) -> Result<(), capital_store::StoreError> {
        let inner = &self.inner;
        for lease in inner.leases.expired().await? {
            // (The hub's lease is taken by `claim_hub`.)
            if lease.code == wire::HUB_LEASE {
                continue;
            }
            if !inner.leases.claim(&lease.code, lease.room_id, &inner.node, LEASE).await? {
                continue;
            }
            match inner.rooms.restore(lease.room_id).await? {
                Some(_) => {
                    tracing::info!(code = %lease.code, from = %lease.node, "room taken over from a node that stopped");
                    let node = inner.node.clone().into_bytes();
                    if let Err(e) = inner.nats.publish(wire::moved(&lease.code), node.into()).await
                    {
                        tracing::warn!(error = %e, "could not say a room moved");
                    }
                }
                None => inner.leases.release(&lease.code, &inner.node).await?,
            }
        }
        Ok(())
    }
}

impl Placement for Cluster {
    fn claim(&self, code: &str, room: RoomId) -> BoxFuture<'static, Result<bool, ()>> {
        let (inner, code) = (self.inner.clone(), code.to_owned());
        Box::pin(async move {
            inner.leases.claim(&code, room, &inner.node, LEASE).await.map_err(|e| {
                tracing::error!(%code, error = %e, "could not take a room's lease");
            })
        })
    }

    fn adopt(&self, room: &RoomHandle) {
        let stop = CancellationToken::new();
        let previous = self
            .inner
            .owned
            .lock()
            .expect("owned lock")
            .insert(room.code.clone(), (room.clone(), stop.clone()));
        if let Some((_, previous)) = previous {
            previous.cancel();
        }
        self.inner.env.tracker.spawn(owner::serve(self.inner.clone(), room.clone(), stop));
    }
}

/// The next message of `subscription`, or none once `stop` (or shutdown) comes first or the
/// subscription ended.
async fn next_message(
    subscription: &mut async_nats::Subscriber,
    stop: &CancellationToken,
    shutdown: &CancellationToken,
) -> Option<async_nats::Message> {
    tokio::select! {
        () = stop.cancelled() => None,
        () = shutdown.cancelled() => None,
        msg = subscription.next() => msg,
    }
}

/// A random node name: `n` and 8 characters.
fn random_name() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let tail: String =
        (0..8).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("n{tail}")
}
