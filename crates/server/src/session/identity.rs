//! Who a connection speaks for: `hello` (guest, or resume with a token), `login`, `register`
//! and `logout`. Every change is durable before it is answered.

use capital_protocol::{PROTOCOL_VERSION, RoomRef, ServerMsg};
use capital_store::{StoreError, TokenRecord, Write};

use super::router::IdentityRequest;
use super::{Reply, Session, SessionError};
use crate::accounts::{self, Turned};
use crate::dm::DmCmd;
use crate::limits::ip_key;
use crate::players::{self, Player};

impl Session {
    pub(super) async fn identity(&mut self, request: IdentityRequest) -> Reply {
        match request {
            IdentityRequest::Hello { name, token } => self.hello(name, token).await,
            IdentityRequest::Login { username, password } => self.login(username, password).await,
            IdentityRequest::Register { username, password } => {
                self.register(username, password).await
            }
            IdentityRequest::Logout => self.logout().await,
        }
    }

    async fn hello(&mut self, name: Option<String>, token: Option<String>) -> Reply {
        // A returning player may leave the name empty: it stays as it was.
        let name = name
            .filter(|n| token.is_none() || !n.trim().is_empty())
            .map(|n| crate::text::name(&n).map(|n| self.state.word_filter().mask(&n)))
            .transpose()?;
        let now = self.state.env().clock.now_ms();
        match token {
            Some(token) => {
                let hash = players::hash_token(&token);
                let found =
                    self.state.env().read(move |store| store.player_by_token(&hash)).await?;
                let Some((mut record, stored)) = found else {
                    return Err(SessionError::BadToken);
                };
                if !players::same_hash(&stored.hash, &hash) {
                    return Err(SessionError::BadToken);
                }
                if stored.expires_ms.is_some_and(|t| t <= now) {
                    // Tidying only: the token is refused either way.
                    drop(self.state.env().store.commit(Write::RevokeToken(hash).into()));
                    return Err(SessionError::TokenExpired);
                }
                let mut writes = capital_store::WriteBatch::new();
                if let Some(name) = name.filter(|n| *n != record.name) {
                    writes.push(Write::RenamePlayer { id: record.id.clone(), name: name.clone() });
                    record.name = name;
                }
                writes.push(Write::SeenPlayer { id: record.id.clone(), seen_ms: now });
                self.state.env().store.commit(writes).await?;
                self.enter(Player { id: record.id, name: record.name }, token, hash).await
            }
            None => {
                let name = name.ok_or(SessionError::NoName)?;
                let ip = ip_key(self.peer.ip());
                self.state
                    .new_guests()
                    .hit(&ip, std::time::Instant::now())
                    .map_err(SessionError::TooManyGuests)?;
                let (record, token) = players::new_player(name, now);
                let hash = players::hash_token(&token);
                let stored = TokenRecord {
                    hash,
                    player_id: record.id.clone(),
                    created_ms: now,
                    expires_ms: None,
                };
                self.state
                    .env()
                    .store
                    .commit(Write::CreatePlayer(record.clone(), stored).into())
                    .await?;
                self.enter_new(Player { id: record.id, name: record.name }, token, hash)
            }
        }
    }

    /// Identifies the connection as `player` and answers `welcome`.
    async fn enter(&mut self, player: Player, token: String, hash: [u8; 32]) -> Reply {
        let player_id = player.id.clone();
        let (rooms, account, admin) = self
            .state
            .env()
            .read(move |store| {
                let account = store.account_of(&player_id)?;
                // Admin status belongs to an account: a guest is never one.
                let admin = account.is_some() && store.is_admin(&player_id)?;
                Ok((store.rooms_of_player(&player_id)?, account, admin))
            })
            .await?;
        self.welcome(player, token, hash, rooms, account, admin)
    }

    /// A guest created just now: no rooms, no account, nothing to read (a class saying hello
    /// at once would otherwise make as many reads, each on a blocking thread).
    fn enter_new(&mut self, player: Player, token: String, hash: [u8; 32]) -> Reply {
        self.welcome(player, token, hash, Vec::new(), None, false)
    }

    fn welcome(
        &mut self,
        player: Player,
        token: String,
        hash: [u8; 32],
        rooms: Vec<capital_store::RoomRecord>,
        account: Option<capital_store::AccountRecord>,
        admin: bool,
    ) -> Reply {
        tracing::Span::current().record("player", player.id.as_str());
        let reply = ServerMsg::Welcome {
            player_id: player.id.clone(),
            name: player.name.clone(),
            token,
            protocol: PROTOCOL_VERSION,
            rooms: rooms.into_iter().map(|r| RoomRef { code: r.code, game: r.game }).collect(),
            grace_seconds: self.state.config().grace_seconds,
            username: account.map(|a| a.username),
            admin,
        };
        // Stored direct messages follow the welcome (the hub sends them in order).
        self.state
            .dm()
            .request(DmCmd::Online { player: player.clone(), conn: self.conn.clone() })?;
        // Only now that nothing can fail: an older connection of this player is replaced.
        self.state.online().attach(&player.id, self.conn.clone());
        if let Some(cluster) = self.state.cluster().cloned() {
            let id = player.id.clone();
            tokio::spawn(async move { cluster.connected(&id).await });
        }
        self.player = Some(player);
        self.token_hash = Some(hash);
        self.admin = admin;
        // The hub pushes after this reply is written: the session writes its own replies
        // before it drains the outbox again.
        Ok(Some(reply))
    }

    /// A new session token for `player_id`, stored with its expiry.
    async fn new_session_token(&self, player_id: &str) -> Result<(String, [u8; 32]), SessionError> {
        let (token, hash) = players::new_token();
        let now = self.state.env().clock.now_ms();
        let expires = now.saturating_add(self.state.config().session_seconds.saturating_mul(1000));
        let record = TokenRecord {
            hash,
            player_id: player_id.to_owned(),
            created_ms: now,
            expires_ms: Some(expires),
        };
        self.state.env().store.commit(Write::AddToken(record).into()).await?;
        Ok((token, hash))
    }

    /// Logs in. The attempt counts against the address and the username before the password
    /// is checked, and is taken back if it works: so a class logging in together from one
    /// address is not throttled, guessing is, and parallel guesses cannot get past the limit.
    async fn login(&mut self, username: String, password: String) -> Reply {
        let gate = self.state.gate();
        let attempt = gate.attempt(self.peer.ip(), &username)?;
        let found = match accounts::normalize_username(&username) {
            Ok(name) => {
                self.state.env().read(move |store| store.account_by_username(&name)).await?
            }
            Err(_) => None,
        };
        let hash = found.as_ref().map(|a| a.password_hash.clone());
        // Verified even when there is no such account, so both cost the same.
        let ok = gate.verify(password, hash).await?;
        let Some(account) = found.filter(|_| ok) else {
            return Err(SessionError::LoginFailed);
        };
        let id = account.player_id.clone();
        let player = self
            .state
            .env()
            .read(move |store| store.player(&id))
            .await?
            .ok_or(SessionError::LoginFailed)?;
        let (token, hash) = self.new_session_token(&player.id).await?;
        attempt.succeeded();
        tracing::info!(username = %account.username, player = %player.id, peer = %self.peer, "logged in");
        self.enter(Player { id: player.id, name: player.name }, token, hash).await
    }

    /// Turns this guest into an account. Every attempt counts against the limits.
    async fn register(&mut self, username: String, password: String) -> Reply {
        let player = self.me()?;
        let gate = self.state.gate();
        // Counted, never taken back: registering is rare, and probing names is not free.
        let _counted = gate.attempt(self.peer.ip(), &username)?;
        let username = accounts::normalize_username(&username)?;
        accounts::check_password(&password)?;
        let (id, name) = (player.id.clone(), username.clone());
        let (mine, taken) = self
            .state
            .env()
            .read(move |store| Ok((store.account_of(&id)?, store.account_by_username(&name)?)))
            .await?;
        if mine.is_some() {
            return Err(SessionError::AlreadyRegistered);
        }
        if taken.is_some() {
            return Err(SessionError::UsernameTaken(username));
        }
        let password_hash = match gate.hash(password).await {
            Ok(Ok(hash)) => hash,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not hash a password");
                return Err(SessionError::Internal);
            }
            Err(turned @ Turned::Busy) | Err(turned @ Turned::TooMany(_)) => {
                return Err(turned.into());
            }
        };
        let account = capital_store::AccountRecord {
            player_id: player.id.clone(),
            username: username.clone(),
            password_hash,
            created_ms: self.state.env().clock.now_ms(),
        };
        // The guest token was a bearer key that never expires: it is replaced by a session
        // token in the same batch, so the account and its token are stored together or not.
        let (token, hash) = players::new_token();
        let now = account.created_ms;
        let expires = now.saturating_add(self.state.config().session_seconds.saturating_mul(1000));
        let mut writes = capital_store::WriteBatch::new();
        writes.push(Write::CreateAccount(account));
        writes.push(Write::AddToken(TokenRecord {
            hash,
            player_id: player.id.clone(),
            created_ms: now,
            expires_ms: Some(expires),
        }));
        if let Some(old) = self.token_hash {
            writes.push(Write::RevokeToken(old));
        }
        match self.state.env().store.commit(writes).await {
            Ok(()) => {}
            // Lost a race for the name (the only rule left to break).
            Err(StoreError::Conflict(_)) => return Err(SessionError::UsernameTaken(username)),
            Err(e) => return Err(e.into()),
        }
        self.token_hash = Some(hash);
        tracing::info!(%username, player = %player.id, "registered");
        Ok(Some(ServerMsg::Registered { username, token }))
    }

    async fn logout(&mut self) -> Reply {
        let player = self.me()?;
        let id = player.id.clone();
        if self.state.env().read(move |store| store.account_of(&id)).await?.is_none() {
            // A guest's token is their only way back: logging out would lose them for good.
            return Err(SessionError::NotRegistered);
        }
        if let Some(hash) = self.token_hash {
            self.state.env().store.commit(Write::RevokeToken(hash).into()).await?;
            self.token_hash = None;
        }
        self.finish().await;
        tracing::Span::current().record("player", "");
        self.hello_deadline = tokio::time::Instant::now() + self.state.config().hello_deadline();
        Ok(Some(ServerMsg::Ok))
    }
}
