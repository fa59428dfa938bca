//! The refresh token against the real OS keychain. `./dev test` runs the Rust tests inside a
//! private D-Bus session with an unlocked GNOME keyring (scripts/with-keyring.sh) and sets
//! IBEX_EXPECT_KEYCHAIN=1, so this is the real Secret Service, not a mock.

use ibex::{Secret, SecretStore};
use ibex_wallet_core::secrets::SecretItem;
use ibex_wallet_lib::keychain::Keychain;

#[test]
fn refresh_token_round_trips_through_the_os_keychain() {
    let expected = std::env::var_os("IBEX_EXPECT_KEYCHAIN").is_some();
    if let Err(reason) = Keychain::probe() {
        assert!(!expected, "a keychain was expected here: {reason}");
        // Without one, the probe explains why (the app then keeps the session in memory).
        assert!(reason.contains("keychain"), "{reason}");
        return;
    }
    let rp = format!("test-{}.localhost", std::process::id());
    let k = Keychain::for_network(SecretItem::RefreshToken, "http://127.0.0.1:1", &rp).unwrap();
    k.clear().unwrap();
    assert!(k.load().unwrap().is_none());

    k.save(&Secret::new("first-refresh-token")).unwrap();
    assert_eq!(k.load().unwrap().unwrap().expose(), "first-refresh-token");
    // A rotation overwrites: the consumed token is gone.
    k.save(&Secret::new("second-refresh-token")).unwrap();
    assert_eq!(k.load().unwrap().unwrap().expose(), "second-refresh-token");

    // Another tenant's item is separate.
    let other = Keychain::for_network(
        SecretItem::RefreshToken,
        "http://127.0.0.1:1",
        "other.localhost",
    )
    .unwrap();
    assert_ne!(
        other.load().unwrap().map(|s| s.expose().to_owned()),
        Some("second-refresh-token".to_owned())
    );

    // The network's other items (API key, PIN account) are separate items too.
    let key = Keychain::for_network(SecretItem::ApiKey, "http://127.0.0.1:1", &rp).unwrap();
    key.save(&Secret::new("tenant-key")).unwrap();
    assert_eq!(k.load().unwrap().unwrap().expose(), "second-refresh-token");
    key.clear().unwrap();

    // Compare-and-delete: a refused token does not delete a fresher one.
    assert!(!k.clear_if(&Secret::new("first-refresh-token")).unwrap());
    assert!(k.load().unwrap().is_some());
    assert!(k.clear_if(&Secret::new("second-refresh-token")).unwrap());
    assert!(k.load().unwrap().is_none());
    k.clear().unwrap();
}
