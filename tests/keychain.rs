//! The real keychain. On Linux, the Secret Service: run by `scripts/test.sh` under
//! `dbus-run-session` with an unlocked gnome-keyring (`--ignored`), and once more with no session
//! bus at all (no Secret Service to reach). On macOS (Keychain) and Windows (Credential Manager)
//! the round trip runs with every `cargo test`, as CI does there.

use kling_core::secrets::{KeyScope, KeyVault, KeyringStore, SecretStore};

fn store() -> KeyringStore {
    // A service name of its own, so the test never touches a real user's key.
    KeyringStore::new("app.klingdesk.desktop.test", &format!("key-{}", std::process::id()))
}

#[test]
#[cfg_attr(
    target_os = "linux",
    ignore = "needs a session bus with an unlocked gnome-keyring: run by scripts/test.sh"
)]
fn a_key_survives_a_restart_in_the_keychain_and_is_gone_after_removal() {
    let vault = KeyVault::new(Box::new(store()));
    assert!(!vault.status().set);
    vault.save("sk-keychain-round-trip-4321", KeyScope::Keychain).unwrap();

    // A new vault is what the next start of the app sees.
    let after_restart = KeyVault::new(Box::new(store()));
    assert_eq!(after_restart.key().as_deref(), Some("sk-keychain-round-trip-4321"));
    let status = after_restart.status();
    assert_eq!(
        (status.set, status.last4.as_deref(), status.storage),
        (true, Some("4321"), Some(KeyScope::Keychain))
    );

    after_restart.clear().unwrap();
    assert_eq!(store().get().unwrap(), None);
    assert!(!KeyVault::new(Box::new(store())).status().set);
}

#[test]
#[ignore = "needs no session bus at all (Linux only, the Secret Service): run by scripts/test.sh"]
fn without_a_keychain_the_user_is_told_and_can_keep_the_key_for_this_run() {
    let vault = KeyVault::new(Box::new(store()));
    let problem = vault
        .status()
        .keychain_problem
        .expect("the missing keychain is reported");
    assert_eq!(problem.kind, "keychain_unavailable");
    let refused = vault.save("sk-no-keychain-1111", KeyScope::Keychain).unwrap_err();
    assert_eq!(refused.problem().kind, "keychain_unavailable");
    vault.save("sk-no-keychain-1111", KeyScope::Session).unwrap();
    assert_eq!(vault.key().as_deref(), Some("sk-no-keychain-1111"));
    assert!(
        !KeyVault::new(Box::new(store())).status().set,
        "nothing was kept beyond this run"
    );
}
