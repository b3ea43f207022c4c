//! Saving the API key: checked with the provider first (no credits spent), then kept in the
//! keychain or, when the user chose so because the keychain is unavailable, for this run only.

use super::Engine;
use crate::error::{Error, Result};
use crate::problem::Kind;
use crate::secrets::{KeyScope, KeyStatus};

impl Engine {
    pub async fn save_key(&self, key: &str, scope: KeyScope) -> Result<KeyStatus> {
        let key = pasted_key(key)?;
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
        // Videos that waited for a working key are asked about at once, not at their next turn.
        self.wake_trackers();
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

/// What the user pasted, as a key: surrounding whitespace and a copied `Bearer ` prefix are
/// dropped silently; a control character, a space inside or a non-ASCII letter means a bad paste,
/// refused before anything is sent (it would otherwise look like being offline).
fn pasted_key(pasted: &str) -> Result<&str> {
    let start = pasted.trim_start();
    let key = match start.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => &start[7..],
        _ => start,
    }
    .trim();
    if key.is_empty() {
        return Err(Error::invalid(Kind::KeyEmpty, "key"));
    }
    if key
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || !c.is_ascii())
    {
        return Err(Error::invalid(Kind::KeyMalformed, "key"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_key_loses_its_wrapping_and_a_bad_paste_is_refused() {
        assert_eq!(pasted_key("  sk-abc123\n").unwrap(), "sk-abc123");
        assert_eq!(pasted_key("Bearer sk-abc123").unwrap(), "sk-abc123");
        assert_eq!(pasted_key("bearer   sk-abc123 ").unwrap(), "sk-abc123");
        for bad in ["sk-abc\u{7}123", "sk-abc 123", "sk-äbc123", "sk-abc\u{200b}123"] {
            assert_eq!(
                pasted_key(bad).unwrap_err().problem().kind,
                Kind::KeyMalformed,
                "{bad:?}"
            );
        }
        assert_eq!(pasted_key("Bearer ").unwrap_err().problem().kind, Kind::KeyEmpty);
    }
}
