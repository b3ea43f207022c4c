//! Saving the API key: checked with the provider first (no credits spent), then kept in the
//! keychain or, when the user chose so because the keychain is unavailable, for this run only.

use super::Engine;
use crate::error::{Error, Result};
use crate::problem::Kind;
use crate::secrets::{KeyScope, KeyStatus};

impl Engine {
    pub async fn save_key(&self, key: &str, scope: KeyScope) -> Result<KeyStatus> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::invalid(Kind::KeyEmpty, "key"));
        }
        // A key that cannot be checked right now (offline, provider down) is still saved: the user
        // should not be stuck on the welcome screen because of the network.
        let verified = match self.check_key(key).await {
            Ok(()) => true,
            Err(e)
                if matches!(
                    e.kind(),
                    Kind::Network | Kind::Timeout | Kind::ServerError | Kind::RateLimited
                ) =>
            {
                false
            }
            Err(e) => return Err(e.into()),
        };
        self.inner.vault.save(key, scope)?;
        let mut status = self.inner.vault.status();
        status.verified = Some(verified);
        status.keychain_problem = None;
        Ok(status)
    }

    pub fn clear_key(&self) -> Result<KeyStatus> {
        self.inner.vault.clear()?;
        Ok(self.inner.vault.status())
    }

    pub fn key_status(&self) -> KeyStatus {
        self.inner.vault.status()
    }
}
