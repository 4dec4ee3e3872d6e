//! End-to-end encryption for direct messages (issue 14), the part with no I/O: a device's key
//! pair, and sealing a message to another device's public key so that only that device can open
//! it and it knows which device sent it.
//!
//! The construction is HPKE (RFC 9180) in its authenticated mode (`mode_auth`), with
//! DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM: every piece of it is in WebCrypto, so
//! a browser can do the same, and the RFC's test vectors (`tests/vectors/`) check every
//! implementation against the same bytes. Each message is sealed on its own (HPKE's single-shot
//! API): a fresh ephemeral key per message, no state between messages. What this does not give:
//! forward secrecy against the theft of a device's long-term key, and hiding who writes to whom
//! and when (the server needs that to deliver).

pub mod dm;

use hpke::aead::AesGcm128;
use hpke::kdf::HkdfSha256;
use hpke::kem::DhP256HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use rand_core::TryRngCore;

type Kem = DhP256HkdfSha256;
type PrivateKey = <Kem as hpke::Kem>::PrivateKey;
type PublicKey = <Kem as hpke::Kem>::PublicKey;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

/// What can go wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum E2eError {
    /// Bytes that are not a key of this suite.
    #[error("not a P-256 {0} key")]
    BadKey(&'static str),
    /// The message did not open: not for this device, not from that sender, or changed.
    #[error("the message does not open with this device's key (not for it, or altered)")]
    DoesNotOpen,
    /// Text that is not base64url without padding.
    #[error("not base64url (RFC 4648 section 5, without padding)")]
    NotBase64,
    /// Sealing failed (it does not, with valid keys).
    #[error("the message could not be sealed")]
    Seal,
}

/// A device's key pair.
pub struct DeviceKey {
    private: PrivateKey,
    public: PublicKey,
}

impl DeviceKey {
    /// A new key pair from the operating system's random numbers.
    pub fn generate() -> Self {
        let (private, public) = Kem::gen_keypair(&mut rand_core::OsRng.unwrap_err());
        DeviceKey { private, public }
    }

    /// The key pair of a private key's bytes (32, big-endian).
    pub fn from_private(bytes: &[u8]) -> Result<Self, E2eError> {
        let private = PrivateKey::from_bytes(bytes).map_err(|_| E2eError::BadKey("private"))?;
        let public = Kem::sk_to_pk(&private);
        Ok(DeviceKey { private, public })
    }

    /// The private key's bytes (32, big-endian): for a client that keeps its key in a file.
    pub fn private_bytes(&self) -> Vec<u8> {
        self.private.to_bytes().to_vec()
    }

    /// The public key, uncompressed (65 bytes, as WebCrypto exports it raw).
    pub fn public(&self) -> Vec<u8> {
        self.public.to_bytes().to_vec()
    }
}

/// A sealed message: the ephemeral key (`enc`, 65 bytes) and the ciphertext (the plaintext's
/// length plus a 16-byte tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// HPKE's encapsulated key.
    pub enc: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
}

/// Whether `bytes` are a P-256 public key (65 bytes, uncompressed, a point on the curve).
pub fn check_public(bytes: &[u8]) -> Result<(), E2eError> {
    public_key(bytes).map(|_| ())
}

fn public_key(bytes: &[u8]) -> Result<PublicKey, E2eError> {
    PublicKey::from_bytes(bytes).map_err(|_| E2eError::BadKey("public"))
}

/// Seals `plaintext` from `sender` to the device whose public key is `recipient`; `info` binds
/// it to its use and `aad` to what travels beside it in the clear (both must be the same to
/// open it).
pub fn seal(
    sender: &DeviceKey,
    recipient: &[u8],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, E2eError> {
    let recipient = public_key(recipient)?;
    let mode = OpModeS::Auth((sender.private.clone(), sender.public.clone()));
    let (enc, ciphertext) = hpke::single_shot_seal::<AesGcm128, HkdfSha256, Kem, _>(
        &mode,
        &recipient,
        info,
        plaintext,
        aad,
        &mut rand_core::OsRng.unwrap_err(),
    )
    .map_err(|_| E2eError::Seal)?;
    Ok(Sealed { enc: enc.to_bytes().to_vec(), ciphertext })
}

/// Opens `sealed` with `recipient`'s key, if the device whose public key is `sender` sealed it
/// with the same `info` and `aad`.
pub fn open(
    recipient: &DeviceKey,
    sender: &[u8],
    info: &[u8],
    aad: &[u8],
    sealed: &Sealed,
) -> Result<Vec<u8>, E2eError> {
    let sender = public_key(sender)?;
    let enc = EncappedKey::from_bytes(&sealed.enc).map_err(|_| E2eError::BadKey("ephemeral"))?;
    hpke::single_shot_open::<AesGcm128, HkdfSha256, Kem>(
        &OpModeR::Auth(sender),
        &recipient.private,
        &enc,
        info,
        &sealed.ciphertext,
        aad,
    )
    .map_err(|_| E2eError::DoesNotOpen)
}
