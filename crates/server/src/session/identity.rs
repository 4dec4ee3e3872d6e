//! Who a connection speaks for: `hello` (guest, or resume with a token), `login`, `register`
//! and `logout`.

use capital_protocol::{ErrorCode, PROTOCOL_VERSION, RoomRef, ServerMsg};
use capital_store::TokenRecord;

use super::{Session, blocking, internal};
use crate::accounts;
use crate::dm::DmCmd;
use crate::players::{self, HelloError, Player};

type Reply = Result<Option<ServerMsg>, (ErrorCode, String)>;

impl Session {
    pub(super) async fn hello(&mut self, name: Option<String>, token: Option<String>) -> Reply {
        let store = self.state.store().clone();
        // A returning player may leave the name empty: it stays as it was.
        let name = name
            .filter(|n| token.is_none() || !n.trim().is_empty())
            .map(|n| players::validate_name(&n))
            .transpose()
            .map_err(|HelloError(code, message)| (code, message))?;
        match token {
            Some(token) => {
                let hash = players::hash_token(&token);
                let found = blocking(move || store.player_by_token(&hash)).await?;
                let Some((mut record, stored)) = found else {
                    return Err((
                        ErrorCode::BadToken,
                        "unknown token; say hello without one to start afresh".into(),
                    ));
                };
                if !players::same_hash(&stored.hash, &hash) {
                    return Err((ErrorCode::BadToken, "unknown token".into()));
                }
                if stored.expires_ms.is_some_and(|t| t <= crate::now_ms()) {
                    drop(self.state.store().revoke_token(&hash));
                    return Err((
                        ErrorCode::TokenExpired,
                        "your session has expired; log in again".into(),
                    ));
                }
                if let Some(name) = name.filter(|n| *n != record.name) {
                    self.state.store().rename_player(&record.id, &name).await.map_err(internal)?;
                    record.name = name;
                }
                self.enter(Player { id: record.id, name: record.name }, token, hash).await
            }
            None => {
                let Some(name) = name else {
                    return Err((ErrorCode::BadName, "a new player needs a name".into()));
                };
                let now = crate::now_ms();
                let (record, token) = players::new_player(name, now);
                let hash = players::hash_token(&token);
                let stored = TokenRecord {
                    hash,
                    player_id: record.id.clone(),
                    created_ms: now,
                    expires_ms: None,
                };
                store.create_player(&record, &stored).await.map_err(internal)?;
                self.enter(Player { id: record.id, name: record.name }, token, hash).await
            }
        }
    }

    /// Identifies the connection as `player` and answers `welcome`.
    async fn enter(&mut self, player: Player, token: String, hash: [u8; 32]) -> Reply {
        tracing::Span::current().record("player", player.id.as_str());
        let store = self.state.store().clone();
        let player_id = player.id.clone();
        let (rooms, account) = blocking(move || {
            Ok((store.rooms_of_player(&player_id)?, store.account_of(&player_id)?))
        })
        .await?;
        let reply = ServerMsg::Welcome {
            player_id: player.id.clone(),
            name: player.name.clone(),
            token,
            protocol: PROTOCOL_VERSION,
            rooms: rooms.into_iter().map(|r| RoomRef { code: r.code, game: r.game }).collect(),
            grace_seconds: self.state.config().grace_seconds,
            username: account.map(|a| a.username),
        };
        // Stored direct messages follow the welcome (the hub sends them in order).
        self.state
            .dm()
            .request(DmCmd::Online { player: player.clone(), conn: self.conn.clone() })?;
        // Only now that nothing can fail: an older connection of this player is replaced.
        self.state.online().attach(&player.id, self.conn.clone());
        self.player = Some(player);
        self.token_hash = Some(hash);
        // The hub pushes after this reply is written: the session writes its own replies
        // before it drains the outbox again.
        Ok(Some(reply))
    }

    /// A new session token for `player_id`, stored with its expiry.
    async fn new_session_token(
        &self,
        player_id: &str,
    ) -> Result<(String, [u8; 32]), (ErrorCode, String)> {
        let (token, hash) = players::new_token();
        let now = crate::now_ms();
        let expires = now.saturating_add(self.state.config().session_seconds.saturating_mul(1000));
        let record = TokenRecord {
            hash,
            player_id: player_id.to_owned(),
            created_ms: now,
            expires_ms: Some(expires),
        };
        self.state.store().add_token(&record).await.map_err(internal)?;
        Ok((token, hash))
    }

    fn throttle(&self, username: &str, count: bool) -> Result<(), (ErrorCode, String)> {
        let ip = self.peer.ip();
        let result = if count {
            self.state.login_attempt(ip, username)
        } else {
            self.state.may_log_in(ip, username)
        };
        result.map_err(|wait| {
            (
                ErrorCode::RateLimited,
                format!("too many attempts; try again in {} seconds", wait.as_secs().max(1)),
            )
        })
    }

    /// Logs in. Only failures count against the per-minute limits, so a class logging in
    /// together from one address is not throttled; guessing is.
    pub(super) async fn login(&mut self, username: String, password: String) -> Reply {
        self.throttle(&username, false)?;
        let failed = || (ErrorCode::LoginFailed, "wrong username or password".to_owned());
        let store = self.state.store().clone();
        let found = match accounts::normalize_username(&username) {
            Ok(name) => blocking(move || store.account_by_username(&name)).await?,
            Err(_) => None,
        };
        let hash = found.as_ref().map(|a| a.password_hash.clone());
        // Verify even when there is no such account, so both cost the same.
        let ok = tokio::task::spawn_blocking(move || {
            accounts::verify_password(&password, hash.as_deref())
        })
        .await
        .map_err(internal)?;
        let Some(account) = found.filter(|_| ok) else {
            self.throttle(&username, true)?;
            return Err(failed());
        };
        let store = self.state.store().clone();
        let id = account.player_id.clone();
        let player = blocking(move || store.player(&id)).await?.ok_or_else(failed)?;
        let (token, hash) = self.new_session_token(&player.id).await?;
        tracing::info!(username = %account.username, player = %player.id, peer = %self.peer, "logged in");
        self.enter(Player { id: player.id, name: player.name }, token, hash).await
    }

    pub(super) async fn register(
        &mut self,
        player: Player,
        username: String,
        password: String,
    ) -> Reply {
        self.throttle(&username, true)?;
        let username = accounts::normalize_username(&username)?;
        accounts::check_password(&password)?;
        let store = self.state.store().clone();
        let (id, name) = (player.id.clone(), username.clone());
        let (mine, taken) =
            blocking(move || Ok((store.account_of(&id)?, store.account_by_username(&name)?)))
                .await?;
        if mine.is_some() {
            return Err((ErrorCode::AlreadyRegistered, "you already have an account".into()));
        }
        if taken.is_some() {
            return Err((ErrorCode::UsernameTaken, format!("the username {username:?} is taken")));
        }
        let password_hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        let account = capital_store::AccountRecord {
            player_id: player.id.clone(),
            username: username.clone(),
            password_hash,
            created_ms: crate::now_ms(),
        };
        if self.state.store().create_account(&account).await.is_err() {
            // Lost a race for the name (the only constraint left to fail).
            return Err((ErrorCode::UsernameTaken, format!("the username {username:?} is taken")));
        }
        // The guest token was a bearer key that never expires: replace it with a session token.
        let (token, hash) = self.new_session_token(&player.id).await?;
        if let Some(old) = self.token_hash.replace(hash) {
            self.state.store().revoke_token(&old).await.map_err(internal)?;
        }
        tracing::info!(%username, player = %player.id, "registered");
        Ok(Some(ServerMsg::Registered { username, token }))
    }

    pub(super) async fn logout(&mut self) -> Reply {
        let Some(player) = &self.player else { return Ok(None) };
        let store = self.state.store().clone();
        let id = player.id.clone();
        if blocking(move || store.account_of(&id)).await?.is_none() {
            // A guest's token is their only way back: logging out would lose them for good.
            return Err((
                ErrorCode::NotRegistered,
                "a guest cannot log out (the token is the only way back): register first".into(),
            ));
        }
        if let Some(hash) = self.token_hash.take() {
            self.state.store().revoke_token(&hash).await.map_err(internal)?;
        }
        self.finish().await;
        tracing::Span::current().record("player", "");
        self.hello_deadline = tokio::time::Instant::now() + self.state.config().hello_deadline();
        Ok(Some(ServerMsg::Ok))
    }
}
