//! A room's requests, each to the part of the room that answers it: the one place that says
//! which [`RoomRequest`] does what, and how its answer goes out (a reply now, after the batch is
//! durable, or a read served then).

use capital_protocol::{LeaveReason, Outgoing, ServerMsg};
use tokio::time::Instant;
use tungstenite::Utf8Bytes;

use super::actor::{Batch, Read, ReadOf, Room};
use super::{Request, RoomError, RoomRequest};
use crate::limits::ip_key;

impl Room {
    pub(super) fn on_request(&mut self, request: Request, batch: &mut Batch) {
        let Request { conn, id, player, cmd } = request;
        if self.closed {
            batch.reply(conn, id, self.error_frame(id, &RoomError::Closed));
            return;
        }
        let joining = matches!(cmd, RoomRequest::Join { .. });
        // An admin's request comes from the console: its asker is checked by the session.
        let admin = matches!(cmd, RoomRequest::Admin { .. } | RoomRequest::Announce { .. });
        if !joining && !admin && self.member_index(&player.id).is_none() {
            // Answered as an unknown code is, and counted as a failed lookup: asking a room one
            // is not in tells nothing about whether it exists.
            let _ = self.ctx.lookups.hit(&ip_key(conn.peer()), std::time::Instant::now());
            batch.reply(conn, id, self.error_frame(id, &RoomError::NoSuchRoom));
            return;
        }
        self.last_activity = Instant::now();
        let result = match cmd {
            RoomRequest::Join { role, since, screen } => {
                self.join(&conn, &player, (role, screen), since, batch)
            }
            RoomRequest::Leave => self.leave(&player.id, LeaveReason::Left, batch).map(ok),
            RoomRequest::Ready(ready) => self.set_ready(&player.id, ready, batch).map(ok),
            RoomRequest::React(emoji) => self.react(&player.id, &emoji, batch).map(ok),
            RoomRequest::Host(action) => self.host_action(&player.id, action, batch).map(ok),
            RoomRequest::Start => self.start(&player.id, batch).map(ok),
            RoomRequest::Move(mv) => match self.play_counted(&player.id, &mv, id, batch) {
                Ok(frame) => {
                    batch.reply(conn, id, frame);
                    return;
                }
                Err(e) => Err(e),
            },
            RoomRequest::MoveTime(ms) => self.move_time(&player.id, ms).map(ok),
            RoomRequest::Stats => Ok(Some(self.stats())),
            RoomRequest::Rematch => self.rematch(&player.id, batch).map(ok),
            RoomRequest::Chat { text, client_msg_id, echo } => {
                self.say(&player, text, client_msg_id, echo, batch)
            }
            RoomRequest::History { before, limit } => {
                batch.after(Read { conn: conn.clone(), id, what: ReadOf::Chat { before, limit } });
                Ok(None)
            }
            RoomRequest::Replay { game_no } => {
                batch.after(Read { conn: conn.clone(), id, what: ReadOf::Replay { game_no } });
                Ok(None)
            }
            RoomRequest::Signal { to, data } => self.signal(&player.id, &to, data, batch),
            RoomRequest::Admin { action, audit } => self.admin_action(action, audit, batch).map(ok),
            RoomRequest::Announce { text, audit } => {
                self.announce(text, audit, batch);
                Ok(Some(ServerMsg::Ok))
            }
        };
        match result {
            Ok(Some(reply)) => {
                let frame = Utf8Bytes::from(Outgoing::reply(id, reply).to_json());
                batch.reply(conn, id, frame);
            }
            Ok(None) => {}
            Err(e) => batch.reply(conn, id, self.error_frame(id, &e)),
        }
    }
}

fn ok(_: ()) -> Option<ServerMsg> {
    Some(ServerMsg::Ok)
}
