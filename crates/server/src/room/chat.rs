//! A room's chat: `chat` (said, stored, delivered) and `chat_history` (read from the store
//! once the batch before it is durable). The recent messages are in [`super::recent`].

use capital_protocol::{ChatMessage, ErrorCode, Outgoing, RoomEvent, ServerMsg};
use capital_store::{ChatRecord, Write};
use tungstenite::Utf8Bytes;

use super::RoomError;
use super::actor::{Batch, HistoryRead, Room};
use super::recent::chat_message;
use crate::pipeline::error_frame;
use crate::players::Player;

impl Room {
    /// `chat`: stored, then sent to every member. A retry (the same sender and id, among the
    /// recent messages) is answered as the first time and stored once.
    pub(super) fn say(
        &mut self,
        player: &Player,
        text: String,
        client_msg_id: String,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, RoomError> {
        let i = self.member_index(&player.id).ok_or(RoomError::NoSuchRoom)?;
        crate::text::message(&text, &client_msg_id, self.ctx.settings.max_chat_chars)?;
        if let Some(sent) = self.chat.find_retry(&player.id, &client_msg_id) {
            // A retry: stored (or on its way to the disk, in which case a failure answers this
            // too); answer as the first time.
            return Ok(Some(ServerMsg::ChatSent {
                code: self.code.clone(),
                seq: sent.seq,
                ts: sent.ts,
            }));
        }
        let seq = self.next_seq(false);
        let message = ChatMessage {
            seq,
            ts: self.now_ms(),
            from: player.id.clone(),
            name: self.members[i].name.clone(),
            text,
            client_msg_id,
        };
        batch.write(Write::AppendChat(ChatRecord {
            room_id: self.id,
            seq,
            player_id: message.from.clone(),
            name: message.name.clone(),
            text: message.text.clone(),
            client_msg_id: message.client_msg_id.clone(),
            ts_ms: message.ts,
        }));
        let reply = ServerMsg::ChatSent { code: self.code.clone(), seq, ts: message.ts };
        self.ctx.env.metrics.chat_message();
        self.send_to_all(batch, seq, RoomEvent::Chat { message: message.clone() });
        self.chat.push(message);
        Ok(Some(reply))
    }

    /// Answers `chat_history` requests from the store, off the actor's task.
    pub(super) fn serve_history(&self, reads: Vec<HistoryRead>) {
        for HistoryRead { conn, id, before, limit } in reads {
            let env = self.ctx.env.clone();
            let (room_id, code) = (self.id, self.code.clone());
            self.ctx.env.tracker.spawn(async move {
                let page = env.read(move |store| store.chat_before(room_id, before, limit + 1));
                let frame = match page.await {
                    Ok(mut messages) => {
                        let more = messages.len() > limit;
                        if more {
                            messages.remove(0);
                        }
                        let messages = messages.into_iter().map(chat_message).collect();
                        let reply = ServerMsg::ChatPage { code, messages, more };
                        Utf8Bytes::from(Outgoing::reply(id, reply).to_json())
                    }
                    Err(_) => {
                        env.metrics.error(ErrorCode::Internal);
                        error_frame(id, ErrorCode::Internal, "could not read the chat history")
                    }
                };
                conn.send(frame);
            });
        }
    }
}
