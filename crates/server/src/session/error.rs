//! [`SessionError`]: why the session layer refused a request, with the code clients get. The
//! layers below have their own enums, carried through as they are.

use std::time::Duration;

use capital_protocol::ErrorCode;
use capital_store::StoreError;

use super::router::Refusal;
use crate::accounts::{AccountError, Turned};
use crate::dm::DmError;
use crate::lobby::LobbyError;
use crate::room::RoomError;
use crate::text::TextError;

fn secs(wait: &Duration) -> u64 {
    wait.as_secs().max(1)
}

/// A refused request, as the session answers it.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The first request must identify.
    #[error("the first request must be hello or login")]
    HelloFirst,
    /// Already identified.
    #[error("already identified on this connection (logout first)")]
    AlreadyIdentified,
    /// An unknown token.
    #[error("unknown token; say hello without one to start afresh")]
    BadToken,
    /// An expired session token.
    #[error("your session has expired; log in again")]
    TokenExpired,
    /// A new guest without a name.
    #[error("a new player needs a name")]
    NoName,
    /// A name or text refused.
    #[error(transparent)]
    Text(#[from] TextError),
    /// A username or password refused.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Wrong username or password (which, is not said).
    #[error("wrong username or password")]
    LoginFailed,
    /// Too many login or register attempts.
    #[error("too many attempts; try again in {} seconds", secs(.0))]
    TooManyAttempts(Duration),
    /// Every password-hashing slot is busy.
    #[error("the server is busy checking passwords; try again")]
    HashingBusy,
    /// Too many new guests from one address.
    #[error("too many new players from your address; try again in {} seconds", secs(.0))]
    TooManyGuests(Duration),
    /// Too many requests for rooms that do not exist (or that the asker is not in).
    #[error("too many requests for unknown rooms; try again in {} seconds", secs(.0))]
    TooManyLookups(Duration),
    /// `register` twice.
    #[error("you already have an account")]
    AlreadyRegistered,
    /// The username is taken.
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    /// `logout` as a guest.
    #[error("a guest cannot log out (the token is the only way back): register first")]
    NotRegistered,
    /// No such player.
    #[error("no player has the id {0:?}")]
    NoSuchPlayer(String),
    /// An admin request from someone who is not one.
    #[error("only an admin may do that (see `capital admin grant`)")]
    NotAdmin,
    /// An uploaded script was refused, or could not be written.
    #[error(transparent)]
    Upload(#[from] crate::scripts::upload::UploadError),
    /// No game script offers that kind (`admin_script`).
    #[error(transparent)]
    NoSuchScript(#[from] crate::scripts::NoSuchScript),
    /// A room refused.
    #[error(transparent)]
    Room(#[from] RoomError),
    /// The lobby refused.
    #[error(transparent)]
    Lobby(#[from] LobbyError),
    /// The hub refused.
    #[error(transparent)]
    Dm(#[from] DmError),
    /// The room's node (in a cluster) refused the request.
    #[error("{message}")]
    Remote {
        /// The code it gave.
        code: ErrorCode,
        /// Why.
        message: String,
    },
    /// The room's node (in a cluster) could not be reached in time.
    #[error("the room's server is out of reach (or did not answer in time); try again")]
    Unavailable,
    /// Something failed inside (logged where it happened); nothing changed.
    #[error("something failed inside the server; nothing changed")]
    Internal,
}

impl SessionError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        use SessionError as E;
        match self {
            E::HelloFirst => ErrorCode::HelloFirst,
            E::AlreadyIdentified => ErrorCode::AlreadyHello,
            E::BadToken => ErrorCode::BadToken,
            E::TokenExpired => ErrorCode::TokenExpired,
            E::NoName => ErrorCode::BadName,
            E::Text(e) => e.code(),
            E::Account(e) => e.code(),
            E::LoginFailed => ErrorCode::LoginFailed,
            E::TooManyAttempts(_) | E::TooManyGuests(_) | E::TooManyLookups(_) => {
                ErrorCode::RateLimited
            }
            E::HashingBusy => ErrorCode::Busy,
            E::AlreadyRegistered => ErrorCode::AlreadyRegistered,
            E::UsernameTaken(_) => ErrorCode::UsernameTaken,
            E::NotRegistered => ErrorCode::NotRegistered,
            E::NoSuchPlayer(_) => ErrorCode::NoSuchPlayer,
            E::NotAdmin => ErrorCode::NotAdmin,
            E::NoSuchScript(_) => ErrorCode::UnknownGame,
            E::Upload(crate::scripts::upload::UploadError::Write(..)) => ErrorCode::Internal,
            E::Upload(_) => ErrorCode::BadRequest,
            E::Room(e) => e.code(),
            E::Lobby(e) => e.code(),
            E::Dm(e) => e.code(),
            E::Remote { code, .. } => *code,
            E::Unavailable => ErrorCode::Busy,
            E::Internal => ErrorCode::Internal,
        }
    }
}

impl From<Refusal> for SessionError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::HelloFirst => SessionError::HelloFirst,
            Refusal::AlreadyIdentified => SessionError::AlreadyIdentified,
        }
    }
}

impl From<Turned> for SessionError {
    fn from(turned: Turned) -> Self {
        match turned {
            Turned::TooMany(wait) => SessionError::TooManyAttempts(wait),
            Turned::Busy => SessionError::HashingBusy,
        }
    }
}

impl From<crate::cluster::ForwardError> for SessionError {
    fn from(e: crate::cluster::ForwardError) -> Self {
        use crate::cluster::ForwardError as F;
        match e {
            F::NoSuchRoom => SessionError::Room(RoomError::NoSuchRoom),
            F::Refused { code, message } => SessionError::Remote { code, message },
            F::Unavailable => SessionError::Unavailable,
            F::Store(e) => e.into(),
            F::BadAnswer => {
                tracing::error!("a node's answer to a forwarded request could not be read");
                SessionError::Internal
            }
        }
    }
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "a store operation failed");
        SessionError::Internal
    }
}
