//! Encryption at rest for free-text health fields (notes, condition names, allergy reactions,
//! conversation state...).
//!
//! Each value is sealed with AES-256-GCM under the current data key, with a fresh random 96-bit nonce
//! and the field's name as associated data (a ciphertext moved to another column does not open).
//! The stored form names the key it was sealed with, so keys can rotate: new data uses the current
//! key, older data still opens with a retired key until it is re-sealed.
//!
//! Stored form: `enc1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::settings::{Settings, SettingsError};

const PREFIX: &str = "enc1";

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("a sealed value was sealed with key {0}, which this server does not have (set MEDNANNY__SECURITY__RETIRED_DATA_KEYS)")]
    UnknownKey(String),
    #[error("a sealed value could not be opened: wrong key or tampered data")]
    Tampered,
    #[error("a stored value is not in the sealed format")]
    Malformed,
}

/// The data keys this server holds: one current key and any retired ones.
#[derive(Clone)]
pub struct Keyring {
    current_id: String,
    keys: HashMap<String, Aes256Gcm>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current_id", &self.current_id)
            .finish_non_exhaustive()
    }
}

/// The id of a key: the first 8 hex digits of its SHA-256, so the key itself never appears.
fn key_id(key: &[u8]) -> String {
    hex::encode(&Sha256::digest(key)[..4])
}

fn decode_key(name: &str, text: &str) -> Result<[u8; 32], SettingsError> {
    let bytes = BASE64.decode(text.trim()).map_err(|_| SettingsError {
        key: name.into(),
        problem: "is not valid base64".into(),
    })?;
    bytes.try_into().map_err(|_| SettingsError {
        key: name.into(),
        problem: "must decode to exactly 32 bytes (AES-256)".into(),
    })
}

impl Keyring {
    /// A keyring whose current key is `current`, also able to open data sealed with `retired` keys.
    pub fn new(current: [u8; 32], retired: &[[u8; 32]]) -> Self {
        let mut keys = HashMap::new();
        for key in retired {
            keys.insert(key_id(key), Aes256Gcm::new(key.into()));
        }
        let current_id = key_id(&current);
        keys.insert(current_id.clone(), Aes256Gcm::new((&current).into()));
        Self { current_id, keys }
    }

    /// A keyring with a fresh random key (tests, benchmarks).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self::new(key, &[])
    }

    /// The keyring the settings call for: the environment's key, or in development/test a key kept in
    /// a local file (created with mode 0600 when missing). Production without a key never gets here:
    /// settings validation refuses it.
    pub fn from_settings(settings: &Settings) -> Result<Self, SettingsError> {
        let mut retired = Vec::new();
        if let Some(list) = &settings.security.retired_data_keys {
            for part in list.expose().split(',').filter(|p| !p.trim().is_empty()) {
                retired.push(decode_key("security.retired_data_keys", part)?);
            }
        }
        if let Some(key) = &settings.security.data_key {
            return Ok(Self::new(
                decode_key("security.data_key", key.expose())?,
                &retired,
            ));
        }
        let Some(path) = settings.dev_key_file() else {
            return Err(SettingsError {
                key: "security.data_key".into(),
                problem: "is not set and no development key file is configured".into(),
            });
        };
        let key = load_or_create_key_file(&path)?;
        Ok(Self::new(key, &retired))
    }

    pub fn current_key_id(&self) -> &str {
        &self.current_id
    }

    /// Whether this keyring holds the key with id `key_id` (current or retired).
    pub fn has_key(&self, key_id: &str) -> bool {
        self.keys.contains_key(key_id)
    }

    /// The ids of the retired keys, sorted.
    pub fn retired_key_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .keys
            .keys()
            .map(String::as_str)
            .filter(|id| *id != self.current_id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Seals `plaintext` for the column `field` (e.g. `care_notes.body`).
    pub fn seal(&self, field: &str, plaintext: &str) -> String {
        // The current key is always in `keys` (see `new`).
        self.seal_with(&self.current_id, field, plaintext)
            .unwrap_or_default()
    }

    /// Seals with the key `key_id` (current or retired), `None` when this keyring does not hold
    /// it. Only the data key check seals with a retired key (see `data_keys`).
    pub fn seal_with(&self, key_id: &str, field: &str, plaintext: &str) -> Option<String> {
        let cipher = self.keys.get(key_id)?;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail for inputs under 64 GiB.
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut blob = Vec::with_capacity(12 + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Some(format!("{PREFIX}:{key_id}:{}", BASE64.encode(blob)))
    }

    pub fn seal_opt(&self, field: &str, plaintext: Option<&str>) -> Option<String> {
        plaintext.map(|text| self.seal(field, text))
    }

    /// Opens a value sealed for `field`.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(PREFIX), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Malformed);
        };
        let cipher = self
            .keys
            .get(id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_string()))?;
        let blob = BASE64.decode(body).map_err(|_| CryptoError::Malformed)?;
        if blob.len() < 12 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let plain = cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Tampered)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Tampered)
    }

    pub fn open_opt(
        &self,
        field: &str,
        sealed: Option<&str>,
    ) -> Result<Option<String>, CryptoError> {
        sealed.map(|value| self.open(field, value)).transpose()
    }
}

fn load_or_create_key_file(path: &Path) -> Result<[u8; 32], SettingsError> {
    let problem = |what: String| SettingsError {
        key: "security.dev_key_file".into(),
        problem: what,
    };
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| problem(format!("cannot read {}: {e}", path.display())))?;
        return decode_key("security.dev_key_file", &text);
    }
    // Its folder is usually the database's too (data/): owner-only when made here.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::owner_only::create_dir_all(parent)
            .map_err(|e| problem(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| problem(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(BASE64.encode(key).as_bytes())
        .map_err(|e| problem(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let keys = Keyring::generate();
        let sealed = keys.seal("care_notes.body", "Emma had a rash on her arm");
        assert!(sealed.starts_with("enc1:"));
        assert!(!sealed.contains("rash"));
        assert_eq!(
            keys.open("care_notes.body", &sealed).expect("opens"),
            "Emma had a rash on her arm"
        );
        // A fresh nonce each time: the same text never seals to the same value.
        assert_ne!(
            sealed,
            keys.seal("care_notes.body", "Emma had a rash on her arm")
        );
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = Keyring::generate().seal("f", "secret");
        let other = Keyring::generate();
        assert!(matches!(
            other.open("f", &sealed),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn same_key_id_but_tampered_or_other_field_fails() {
        let keys = Keyring::generate();
        let sealed = keys.seal("conditions.name", "asthma");
        assert!(matches!(
            keys.open("allergies.reaction", &sealed),
            Err(CryptoError::Tampered)
        ));
        let mut bytes = sealed.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        assert!(keys.open("conditions.name", &tampered).is_err());
        assert!(matches!(
            keys.open("conditions.name", "plain text"),
            Err(CryptoError::Malformed)
        ));
    }

    #[test]
    fn rotation_opens_old_data_and_seals_new_with_the_current_key() {
        let old = [7u8; 32];
        let new = [9u8; 32];
        let before = Keyring::new(old, &[]).seal("f", "old note");
        let rotated = Keyring::new(new, &[old]);
        assert_eq!(
            rotated.open("f", &before).expect("retired key opens"),
            "old note"
        );
        assert!(rotated.seal("f", "x").contains(rotated.current_key_id()));
        assert_ne!(
            rotated.current_key_id(),
            Keyring::new(old, &[]).current_key_id()
        );
    }

    #[test]
    fn dev_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys/dev.key");
        let first = load_or_create_key_file(&path).expect("created");
        let second = load_or_create_key_file(&path).expect("reused");
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
