//! [`Placement`]: where rooms run when several nodes share one store. A single node has none:
//! every room runs here. A cluster's nodes each give their directory one (the cluster's), which
//! takes a room's code for this node before the room is stored, and is told of every room this
//! node then runs.

use capital_store::RoomId;
use futures_util::future::BoxFuture;

use crate::room::RoomHandle;

/// Where rooms run in a cluster.
pub trait Placement: Send + Sync {
    /// Takes room `code` (id `room`) for this node: `Ok(false)` when another node runs an open
    /// room by that code, `Err` when nobody could say (the failure is logged).
    fn claim(&self, code: &str, room: RoomId) -> BoxFuture<'static, Result<bool, ()>>;

    /// This node runs `room` now (created or restored here).
    fn adopt(&self, room: &RoomHandle);
}
