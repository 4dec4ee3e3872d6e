//! The teacher's console on the session's side: only a connection whose player's account is an
//! admin's may ask. The overview gathers every room's summary; room actions and room
//! announcements go to the room, which stores them with their audit entry; an announcement to
//! everyone is sent once its audit entry is stored.

use capital_protocol::{AdminAction, AuditEntry, Outgoing, RequestId, ScriptInfo, ServerMsg};
use capital_store::{AuditRecord, Write};
use tungstenite::Utf8Bytes;

use super::router::AdminRequest;
use super::{Reply, Session, SessionError};
use crate::config::limits::{MAX_ANNOUNCEMENT, OVERVIEW_ROOMS};
use crate::env::Switches;
use crate::room::{Request, RoomError, RoomRequest};

impl Session {
    /// A request of the teacher's console.
    pub(super) async fn console(&mut self, id: RequestId, request: AdminRequest) -> Reply {
        let player = self.me()?;
        if !self.admin {
            return Err(SessionError::NotAdmin);
        }
        match request {
            AdminRequest::Overview => self.overview().await,
            AdminRequest::NewLesson => {
                let audit = self.audit(super::lesson::NEW_LESSON, "server", String::new());
                self.state.env().store.commit(Write::AppendAudit(audit).into()).await?;
                Ok(Some(ServerMsg::Ok))
            }
            AdminRequest::Server(switches) => {
                // Stored with their audit entries first; only then do they hold.
                let mut batch = capital_store::WriteBatch::new();
                for (key, on) in &switches {
                    batch.push(Write::SetFlag { key: (*key).to_owned(), on: *on });
                    let action = match (*key, *on) {
                        (Switches::CHAT_OFF, true) => "chat_off",
                        (Switches::CHAT_OFF, false) => "chat_on",
                        (_, true) => "pause_joins",
                        (_, false) => "resume_joins",
                    };
                    batch.push(Write::AppendAudit(self.audit(action, "server", String::new())));
                }
                self.state.env().store.commit(batch).await?;
                for (key, on) in switches {
                    self.state.env().switches.set(key, on);
                }
                Ok(Some(ServerMsg::Ok))
            }
            AdminRequest::Scripts => Ok(Some(self.scripts())),
            AdminRequest::Script { kind, on } => {
                let shelf = self.state.shelf();
                if !shelf.knows(&kind) {
                    return Err(crate::scripts::NoSuchScript(kind).into());
                }
                // Stored with its audit entry first; only then is the game off (or on).
                let mut batch = capital_store::WriteBatch::new();
                let key = format!("{}{kind}", crate::scripts::OFF_FLAG);
                batch.push(Write::SetFlag { key, on: !on });
                let action = if on { "script_on" } else { "script_off" };
                batch.push(Write::AppendAudit(self.audit(action, "server", kind.clone())));
                self.state.env().store.commit(batch).await?;
                shelf.switch(&kind, on)?;
                Ok(Some(ServerMsg::Ok))
            }
            AdminRequest::Upload { file, source } => {
                // On disk first, then its audit entry; without the entry, the file goes again.
                let dir = self.state.config().data.join("games");
                let (name, text) = (file.clone(), source);
                let write = move || crate::scripts::upload::write(&dir, &name, &text);
                let path = tokio::task::spawn_blocking(write).await.map_err(|e| {
                    tracing::error!(error = %e, "the upload task failed");
                    SessionError::Internal
                })??;
                let audit = self.audit("script_upload", "server", file);
                if let Err(e) =
                    self.state.env().store.commit(Write::AppendAudit(audit).into()).await
                {
                    let _ = std::fs::remove_file(&path);
                    return Err(e.into());
                }
                self.state.shelf().look_now();
                Ok(Some(ServerMsg::Ok))
            }
            AdminRequest::Audit { limit } => {
                let entries = self.state.env().read(move |store| store.audit(limit)).await?;
                let entries = entries.into_iter().map(entry).collect();
                Ok(Some(ServerMsg::Audit { entries }))
            }
            AdminRequest::Room { code, action } => {
                let room = self.state.rooms().get(&code).ok_or(RoomError::NoSuchRoom)?;
                let detail = match &action {
                    AdminAction::Kick { player, reason } => {
                        format!("{player}: {}", reason.as_deref().unwrap_or(""))
                    }
                    AdminAction::Close { reason } => reason.clone().unwrap_or_default(),
                    AdminAction::Mute { player, .. } => player.clone(),
                    AdminAction::RemoveChat { seq } => format!("message {seq}"),
                    AdminAction::Lock { .. }
                    | AdminAction::EndGame
                    | AdminAction::ChatOff { .. } => String::new(),
                };
                let audit = self.audit(action.name(), &room.code, detail);
                let cmd = RoomRequest::Admin { action, audit };
                room.try_request(Request { conn: self.conn.clone(), id, player, cmd })?;
                Ok(None)
            }
            AdminRequest::Announce { text, code } => {
                let text = crate::text::note(&text, MAX_ANNOUNCEMENT)?;
                if text.is_empty() {
                    return Err(crate::text::TextError::Empty.into());
                }
                match code {
                    Some(code) => {
                        let room = self.state.rooms().get(&code).ok_or(RoomError::NoSuchRoom)?;
                        let audit = self.audit("announce", &room.code, text.clone());
                        let cmd = RoomRequest::Announce { text, audit };
                        room.try_request(Request { conn: self.conn.clone(), id, player, cmd })?;
                        Ok(None)
                    }
                    None => {
                        // Stored first: an announcement nobody can account for is never sent.
                        let audit = self.audit("announce", "server", text.clone());
                        self.state.env().store.commit(Write::AppendAudit(audit).into()).await?;
                        let msg = ServerMsg::Announcement { text, code: None };
                        let frame = Utf8Bytes::from(Outgoing::push(msg).to_json());
                        self.state.online().send_to_all(&frame);
                        Ok(Some(ServerMsg::Ok))
                    }
                }
            }
        }
    }

    /// Every game script and how it stands, for the console.
    fn scripts(&self) -> ServerMsg {
        let shelf = self.state.shelf();
        let scripts = shelf
            .list()
            .into_iter()
            .map(|s| {
                let off = s.kind.as_deref().is_some_and(|k| shelf.is_off(k));
                ScriptInfo {
                    on: s.kind.is_some() && !off,
                    off,
                    file: s.file,
                    kind: s.kind,
                    author: s.author,
                    shipped: s.shipped,
                    error: s.error,
                    board: s.board,
                }
            })
            .collect();
        ServerMsg::ScriptGames { scripts }
    }

    /// Every open room's summary (up to a bound), who is online, chat so far.
    async fn overview(&self) -> Reply {
        let rooms_total = self.state.rooms().len();
        let mut rooms = Vec::new();
        for handle in self.state.rooms().list(OVERVIEW_ROOMS) {
            if let Some(summary) = handle.summary().await {
                rooms.push(summary);
            }
        }
        let env = self.state.env();
        Ok(Some(ServerMsg::Overview {
            rooms,
            rooms_total,
            players_online: self.state.online().count(),
            chat_total: env.metrics.chat_total(),
            server_ms: env.clock.now_ms(),
            chat_off: env.switches.chat_off(),
            joins_paused: env.switches.joins_paused(),
        }))
    }

    /// The audit entry of an action of this connection's admin.
    pub(super) fn audit(&self, action: &str, target: &str, detail: String) -> AuditRecord {
        let admin = self.player.as_ref().expect("an admin has identified");
        AuditRecord {
            ts_ms: self.state.env().clock.now_ms(),
            admin_id: admin.id.clone(),
            admin: admin.name.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail,
        }
    }
}

fn entry(record: AuditRecord) -> AuditEntry {
    AuditEntry {
        ts: record.ts_ms,
        admin: record.admin,
        action: record.action,
        target: record.target,
        detail: record.detail,
    }
}
