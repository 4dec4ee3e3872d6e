//! Direct-message requests: checked here, then handed to the hub (or, for history, read
//! straight from the store).

use capital_protocol::{ErrorCode, RequestId, Seq, ServerMsg};
use capital_store::conversation;

use super::{Session, blocking};
use crate::config::limits::{HISTORY_PAGE, MAX_HISTORY_PAGE};
use crate::dm::{self, DmCmd};
use crate::players::Player;

type Reply = Result<Option<ServerMsg>, (ErrorCode, String)>;

impl Session {
    /// Fails with `no_such_player` unless `id` is a player.
    async fn known_player(&self, id: &str) -> Result<(), (ErrorCode, String)> {
        let store = self.state.store().clone();
        let who = id.to_owned();
        match blocking(move || store.player(&who)).await? {
            Some(_) => Ok(()),
            None => Err((ErrorCode::NoSuchPlayer, format!("no player has the id {id:?}"))),
        }
    }

    pub(super) async fn send_dm(
        &self,
        id: RequestId,
        from: Player,
        to: String,
        text: String,
        client_msg_id: String,
    ) -> Reply {
        dm::validate(&text, &client_msg_id, self.state.config().max_dm_chars as usize)?;
        self.known_player(&to).await?;
        let conn = self.conn.clone();
        self.state.dm().request(DmCmd::Send { conn, id, from, to, text, client_msg_id })?;
        Ok(None)
    }

    pub(super) async fn dm_history(
        &self,
        me: &Player,
        with: String,
        before: Option<Seq>,
        after: Option<Seq>,
        limit: Option<u32>,
    ) -> Reply {
        let limit = limit.unwrap_or(HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE) as usize;
        let (a, b) = conversation(&me.id, &with);
        let store = self.state.store().clone();
        let (mut messages, more) = blocking(move || {
            Ok(match after {
                Some(after) => {
                    let mut page = store.dms_after(&a, &b, after, limit + 1)?;
                    let more = page.len() > limit;
                    page.truncate(limit);
                    (page, more)
                }
                None => {
                    let mut page = store.dms_before(&a, &b, before, limit + 1)?;
                    let more = page.len() > limit;
                    if more {
                        page.remove(0);
                    }
                    (page, more)
                }
            })
        })
        .await?;
        let messages = messages.drain(..).map(|d| dm::hub::message(&d)).collect();
        Ok(Some(ServerMsg::DmPage { with, messages, more }))
    }

    pub(super) async fn block(&self, id: RequestId, me: Player, other: String, on: bool) -> Reply {
        self.known_player(&other).await?;
        let conn = self.conn.clone();
        self.state.dm().request(DmCmd::Block { conn, id, blocker: me.id, blocked: other, on })?;
        Ok(None)
    }
}
