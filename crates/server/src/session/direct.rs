//! Direct-message requests: checked here, then handed to the hub (or, for history, read
//! straight from the store).

use capital_protocol::{RequestId, ServerMsg, StoredDm};
use capital_store::conversation;

use super::router::DmRequest;
use super::{Reply, Session, SessionError};
use crate::dm::pages::Start;
use crate::dm::{self, DmCmd, DmError};

impl Session {
    pub(super) async fn dm(&mut self, id: RequestId, request: DmRequest) -> Reply {
        let me = self.me()?;
        let conn = self.conn.clone();
        let cmd = match request {
            DmRequest::Send { to, text, sealed, client_msg_id } => {
                let config = self.state.config();
                let max = config.max_dm_chars as usize;
                match &sealed {
                    None => crate::text::message(&text, &client_msg_id, max)?,
                    Some(_) if !text.is_empty() => {
                        return Err(DmError::BadEnvelope("a sealed message has no text".into()))?;
                    }
                    Some(sealed) => {
                        crate::text::client_msg_id_of(&client_msg_id)?;
                        let bounds = dm::envelope::Bounds {
                            max_chars: max,
                            max_devices: config.max_devices_per_player as usize,
                            max_bytes: config.max_sealed_bytes as usize,
                        };
                        dm::envelope::check(sealed, bounds).map_err(DmError::from)?;
                    }
                }
                self.known_player(&to).await?;
                DmCmd::Send { conn, id, from: me, to, text, sealed, client_msg_id }
            }
            DmRequest::PublishKey { key } => {
                let bytes = capital_e2e::dm::unb64u(&key).map_err(|_| DmError::BadKey)?;
                capital_e2e::check_public(&bytes).map_err(|_| DmError::BadKey)?;
                let max = self.state.config().max_devices_per_player as usize;
                DmCmd::PublishKey { conn, id, player: me.id, key, max }
            }
            DmRequest::KeysOf { player } => {
                self.known_player(&player).await?;
                DmCmd::KeysOf { conn, id, player }
            }
            DmRequest::History { with, before, after, limit } => {
                return self.dm_history(&me.id, with, before, after, limit).await;
            }
            DmRequest::Stored { with, seq } => return self.dm_stored(&me.id, with, seq).await,
            DmRequest::Read { with, seq } => DmCmd::Read { conn, id, reader: me.id, with, seq },
            DmRequest::Conversations => DmCmd::Conversations { conn, id, player: me.id },
            DmRequest::Block { player, on } => {
                self.known_player(&player).await?;
                DmCmd::Block { conn, id, blocker: me.id, blocked: player, on }
            }
        };
        self.state.dm().request(cmd)?;
        Ok(None)
    }

    /// Fails with `no_such_player` unless `id` is a player.
    async fn known_player(&self, id: &str) -> Result<(), SessionError> {
        let who = id.to_owned();
        match self.state.env().read(move |store| store.player(&who)).await? {
            Some(_) => Ok(()),
            None => Err(SessionError::NoSuchPlayer(id.to_owned())),
        }
    }

    /// The row of one of `me`'s messages, as stored.
    async fn dm_stored(&self, me: &str, with: String, seq: u64) -> Reply {
        let (a, b) = conversation(me, &with);
        let found = self
            .state
            .env()
            .read(move |store| store.dms_after(&a, &b, seq.saturating_sub(1), 1))
            .await?
            .into_iter()
            .find(|d| d.seq == seq);
        let Some(d) = found else {
            return Err(DmError::NoSuchMessage.into());
        };
        let recipient = d.recipient().to_owned();
        let row = StoredDm {
            a: d.a,
            b: d.b,
            seq: d.seq,
            sender: d.sender,
            recipient,
            text: d.text,
            sealed: d.sealed,
            client_msg_id: d.client_msg_id,
            ts_ms: d.ts_ms,
            delivered_ms: d.delivered_ms,
            read_ms: d.read_ms,
        };
        Ok(Some(ServerMsg::DmRow { row }))
    }

    /// A page of `me`'s conversation with `with`: at most `limit` messages, and at most a
    /// reply's bytes of them ([`dm::pages`]).
    async fn dm_history(
        &self,
        me: &str,
        with: String,
        before: Option<u64>,
        after: Option<u64>,
        limit: usize,
    ) -> Reply {
        let (a, b) = conversation(me, &with);
        let start = match after {
            Some(after) => Start::After(after),
            None => Start::Before(before),
        };
        let budget = self.state.config().dm_reply_bytes();
        let (messages, more) = self
            .state
            .env()
            .read(move |store| dm::pages::history(store, (&a, &b), start, limit, budget))
            .await?;
        Ok(Some(ServerMsg::DmPage { with, messages, more }))
    }
}
