//! A room's chat: `chat` (said, stored, delivered), `chat_history` (read from the store once
//! the batch before it is durable), and an admin's moderation (chat off, a player muted, a
//! message removed). The recent messages are in [`super::recent`].

use capital_protocol::{ChatMessage, ErrorCode, Outgoing, RequestId, RoomEvent, Seq, ServerMsg};
use capital_store::{ChatRecord, Write};
use tungstenite::Utf8Bytes;

use super::RoomError;
use super::actor::{Batch, Read, ReadOf, Room};
use super::recent::chat_message;
use crate::config::limits::MAX_MUTED;
use crate::conn::ConnHandle;
use crate::pipeline::error_frame;
use crate::players::Player;

impl Room {
    /// `chat`: stored, then sent to every member (but the sender, without `echo`). A retry
    /// (the same sender and id, among the recent messages) is answered as the first time and
    /// stored once. The reply carries the stored text when the word filter changed it.
    pub(super) fn say(
        &mut self,
        player: &Player,
        sent: String,
        client_msg_id: String,
        echo: bool,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, RoomError> {
        let i = self.member_index(&player.id).ok_or(RoomError::NoSuchRoom)?;
        if self.chat_off || self.ctx.env.switches.chat_off() {
            return Err(RoomError::ChatOff);
        }
        if self.muted.contains(&player.id) {
            return Err(RoomError::Muted);
        }
        crate::text::message(&sent, &client_msg_id, self.ctx.settings.max_chat_chars)?;
        let text = self.ctx.settings.word_filter.mask(&sent);
        let changed = |stored: &str| (stored != sent).then(|| stored.to_owned());
        if let Some(first) = self.chat.find_retry(&player.id, &client_msg_id) {
            // A retry: stored (or on its way to the disk, in which case a failure answers this
            // too); answer as the first time.
            return Ok(Some(ServerMsg::ChatSent {
                code: self.code.clone(),
                seq: first.seq,
                ts: first.ts,
                text: changed(&first.text),
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
            removed: false,
        };
        batch.write(Write::AppendChat(ChatRecord {
            room_id: self.id,
            seq,
            player_id: message.from.clone(),
            name: message.name.clone(),
            text: message.text.clone(),
            client_msg_id: message.client_msg_id.clone(),
            ts_ms: message.ts,
            removed: false,
        }));
        let reply = ServerMsg::ChatSent {
            code: self.code.clone(),
            seq,
            ts: message.ts,
            text: changed(&message.text),
        };
        self.ctx.env.metrics.chat_message();
        let event = RoomEvent::Chat { message: message.clone() };
        if echo {
            self.send_to_all(batch, seq, event);
        } else {
            self.send_to_others(batch, &player.id, seq, event);
        }
        self.chat.push(message);
        Ok(Some(reply))
    }

    /// `react`: an emoji to every member, the big screen floats it. Not stored: a reaction
    /// is of the moment. Chat off or a mute stops reactions too.
    pub(super) fn react(
        &mut self,
        player_id: &str,
        emoji: &str,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        let i = self.member_index(player_id).ok_or(RoomError::NoSuchRoom)?;
        if !capital_protocol::client::REACTIONS.contains(&emoji) {
            return Err(RoomError::BadReaction(capital_protocol::client::REACTIONS.join(" ")));
        }
        if self.chat_off || self.ctx.env.switches.chat_off() {
            return Err(RoomError::ChatOff);
        }
        if self.muted.iter().any(|p| p == player_id) {
            return Err(RoomError::Muted);
        }
        if !self.members[i].reactions.take(std::time::Instant::now()) {
            return Err(RoomError::TooManyReactions);
        }
        let msg = ServerMsg::Reaction {
            code: self.code.clone(),
            emoji: emoji.to_owned(),
            name: self.members[i].name.clone(),
        };
        let frame = Utf8Bytes::from(Outgoing::push(msg).to_json());
        for conn in self.members.iter().filter_map(|m| m.conn.as_ref()) {
            batch.event(conn.clone(), frame.clone());
        }
        Ok(())
    }

    /// An admin turns the chat off (or on).
    pub(super) fn chat_off(&mut self, off: bool, batch: &mut Batch) {
        if self.chat_off != off {
            self.chat_off = off;
            self.chat_changed(batch);
        }
    }

    /// An admin mutes a member (or lets them speak again).
    pub(super) fn mute(
        &mut self,
        player: &str,
        muted: bool,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        self.member_index(player).ok_or(RoomError::NoSuchMember("no such member here"))?;
        let was = self.muted.iter().any(|p| p == player);
        if muted && !was {
            if self.muted.len() >= MAX_MUTED {
                return Err(RoomError::ListFull("this room has muted as many players as it keeps"));
            }
            self.muted.push(player.to_owned());
        } else if !muted && was {
            self.muted.retain(|p| p != player);
        } else {
            return Ok(());
        }
        self.chat_changed(batch);
        Ok(())
    }

    fn chat_changed(&mut self, batch: &mut Batch) {
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::ChatChanged { room });
    }

    /// An admin removes message `seq`: marked removed in the store, gone from every phone.
    pub(super) fn remove_chat(&mut self, seq: u64, batch: &mut Batch) -> Result<(), RoomError> {
        if seq == 0 || seq > self.seq {
            return Err(RoomError::NoSuchMember("no chat message has that number"));
        }
        batch.write(Write::RemoveChat { room_id: self.id, seq });
        self.chat.remove(seq);
        let at = self.next_seq(false);
        self.send_to_all(batch, at, RoomEvent::ChatRemoved { removed_seq: seq });
        Ok(())
    }

    /// Answers the reads of a durable batch from the store, off the actor's task.
    pub(super) fn serve_reads(&self, reads: Vec<Read>) {
        for Read { conn, id, what } in reads {
            match what {
                ReadOf::Chat { before, limit } => self.serve_history(conn, id, before, limit),
                ReadOf::Replay { game_no } => self.serve_replay(conn, id, game_no),
            }
        }
    }

    /// Answers a `chat_history` request.
    fn serve_history(&self, conn: ConnHandle, id: RequestId, before: Option<Seq>, limit: usize) {
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

/// Reactions a member may send: two a second, five at once.
pub(super) fn reaction_budget() -> crate::limits::TokenBucket {
    crate::limits::TokenBucket::new(2, 5, std::time::Instant::now())
}
