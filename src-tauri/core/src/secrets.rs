//! The CometAPI key: kept in the operating system's keychain, or for this run only in memory when
//! the keychain is missing or locked. It is never written to a file, a log or an error message;
//! the UI only ever learns whether a key is set and its last four characters.

use std::sync::Mutex;

use crate::problem::{Kind, Problem};
use serde::Serialize;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretError {
    /// No Secret Service, a locked keyring, or the platform store refused us.
    #[error("the keychain is not available: {0}")]
    Unavailable(String),
}

impl SecretError {
    pub fn problem(&self) -> Problem {
        match self {
            SecretError::Unavailable(detail) => {
                Problem::new(Kind::KeychainUnavailable).param("detail", detail.as_str())
            }
        }
    }
}

/// Where a secret can be kept. Core is written against this; tests use `MemoryStore`.
pub trait SecretStore: Send + Sync {
    fn get(&self) -> Result<Option<String>, SecretError>;
    fn set(&self, secret: &str) -> Result<(), SecretError>;
    fn delete(&self) -> Result<(), SecretError>;
}

/// The platform keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
pub struct KeyringStore {
    service: String,
    user: String,
}

impl KeyringStore {
    pub fn new(service: &str, user: &str) -> Self {
        KeyringStore {
            service: service.to_owned(),
            user: user.to_owned(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &self.user).map_err(unavailable)
    }
}

fn unavailable(e: keyring::Error) -> SecretError {
    // keyring's texts describe the store, never the secret, so they are safe to show under Details.
    SecretError::Unavailable(e.to_string())
}

impl SecretStore for KeyringStore {
    fn get(&self) -> Result<Option<String>, SecretError> {
        match self.entry()?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, secret: &str) -> Result<(), SecretError> {
        self.entry()?.set_password(secret).map_err(unavailable)
    }

    fn delete(&self) -> Result<(), SecretError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

#[derive(Default)]
pub struct MemoryStore(Mutex<Option<String>>);

impl SecretStore for MemoryStore {
    fn get(&self) -> Result<Option<String>, SecretError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }

    fn set(&self, secret: &str) -> Result<(), SecretError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(secret.to_owned());
        Ok(())
    }

    fn delete(&self) -> Result<(), SecretError> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    Keychain,
    /// In memory for this run only: the offer made when the keychain cannot be used.
    Session,
}

/// What the UI may know about the key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyStatus {
    pub set: bool,
    pub last4: Option<String>,
    pub storage: Option<KeyScope>,
    /// `Some(false)` when the key was saved but could not be checked (no connection).
    pub verified: Option<bool>,
    /// Why the keychain could not be read, when it could not.
    pub keychain_problem: Option<Problem>,
}

/// The key as the app uses it: the session key first, then the keychain, read once and cached so
/// polling does not ask the keychain on every request.
pub struct KeyVault {
    keychain: Box<dyn SecretStore>,
    session: MemoryStore,
    cached: Mutex<Option<(String, KeyScope)>>,
    loaded: Mutex<Option<Result<(), SecretError>>>,
}

impl KeyVault {
    pub fn new(keychain: Box<dyn SecretStore>) -> Self {
        KeyVault {
            keychain,
            session: MemoryStore::default(),
            cached: Mutex::new(None),
            loaded: Mutex::new(None),
        }
    }

    fn load(&self) -> Result<(), SecretError> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(result) = loaded.as_ref() {
            return result.clone();
        }
        let result = self.keychain.get().map(|secret| {
            if let Some(secret) = secret {
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((secret, KeyScope::Keychain));
            }
        });
        *loaded = Some(result.clone());
        result
    }

    pub fn key(&self) -> Option<String> {
        let _ = self.load();
        if let Ok(Some(session)) = self.session.get() {
            return Some(session);
        }
        self.cached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(k, _)| k.clone())
    }

    pub fn save(&self, key: &str, scope: KeyScope) -> Result<(), SecretError> {
        match scope {
            KeyScope::Keychain => {
                self.keychain.set(key)?;
                self.session.delete()?;
            }
            KeyScope::Session => self.session.set(key)?,
        }
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((key.to_owned(), scope));
        *self.loaded.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ok(()));
        Ok(())
    }

    pub fn clear(&self) -> Result<(), SecretError> {
        self.session.delete()?;
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.keychain.delete()
    }

    pub fn status(&self) -> KeyStatus {
        let problem = self.load().err().map(|e| e.problem());
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match cached {
            Some((key, scope)) => KeyStatus {
                set: true,
                last4: Some(last4(&key)),
                storage: Some(scope),
                verified: None,
                keychain_problem: problem,
            },
            None => KeyStatus {
                set: false,
                last4: None,
                storage: None,
                verified: None,
                keychain_problem: problem,
            },
        }
    }
}

/// A random token for the path of a local URL (media server, callback receiver): 192 bits, hex.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn last4(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct LockedKeychain;
    impl SecretStore for LockedKeychain {
        fn get(&self) -> Result<Option<String>, SecretError> {
            Err(SecretError::Unavailable("locked".into()))
        }
        fn set(&self, _: &str) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("locked".into()))
        }
        fn delete(&self) -> Result<(), SecretError> {
            Err(SecretError::Unavailable("locked".into()))
        }
    }

    #[test]
    fn the_ui_learns_only_the_last_four_characters() {
        let vault = KeyVault::new(Box::new(MemoryStore::default()));
        vault.save("sk-secret-abcd", KeyScope::Keychain).unwrap();
        let status = serde_json::to_string(&vault.status()).unwrap();
        assert!(status.contains("\"abcd\""));
        assert!(!status.contains("secret"));
    }

    #[test]
    fn a_locked_keychain_offers_a_key_for_this_run_only() {
        let vault = KeyVault::new(Box::new(LockedKeychain));
        assert_eq!(
            vault.save("sk-1234", KeyScope::Keychain).unwrap_err().problem().kind,
            "keychain_unavailable"
        );
        assert_eq!(vault.status().keychain_problem.unwrap().kind, "keychain_unavailable");
        vault.save("sk-1234", KeyScope::Session).unwrap();
        assert_eq!(vault.key().as_deref(), Some("sk-1234"));
        assert_eq!(vault.status().storage, Some(KeyScope::Session));
    }
}
