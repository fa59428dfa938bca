//! The refresh token in the OS keychain: Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows. Never a plain file: where no keychain answers, the app
//! keeps the session in memory only and says so.

use std::sync::{Arc, OnceLock};

use ibex::{Secret, SecretStore, StoreError};
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use keyring::Entry;

/// Service name under which every IBEx Wallet secret is filed.
const SERVICE: &str = "fi.ibex.wallet";

/// One keychain item (a refresh token, an API key, a PIN account) of one IBEx deployment and
/// tenant.
pub struct Keychain {
    entry: Entry,
}

impl Keychain {
    /// The item for `base_url` + `rp_id`, so items of different tenants never mix.
    pub fn for_network(item: SecretItem, base_url: &str, rp_id: &str) -> Result<Self, StoreError> {
        let account = format!("{}:{rp_id}@{base_url}", item.label());
        Entry::new(SERVICE, &account)
            .map(|entry| Self { entry })
            .map_err(describe)
    }

    /// Whether a keychain service answers here; `Err` says why not (e.g. no Secret Service
    /// on this desktop), in words for the UI.
    pub fn probe() -> Result<(), String> {
        let entry = Entry::new(SERVICE, "probe").map_err(|e| describe(e).0)?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e).0),
        }
    }
}

impl SecretStore for Keychain {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        match self.entry.get_password() {
            Ok(token) => Ok(Some(Secret::new(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        }
    }

    fn save(&self, refresh_token: &Secret) -> Result<(), StoreError> {
        self.entry
            .set_password(refresh_token.expose())
            .map_err(describe)
    }

    fn clear(&self) -> Result<(), StoreError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        }
    }
}

/// keyring's errors never contain the secret; keep only their text.
fn describe(e: keyring::Error) -> StoreError {
    let reason = match &e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            format!("the system keychain is not available ({e})")
        }
        _ => format!("keychain error: {e}"),
    };
    StoreError(reason)
}

/// The app's refresh-token stores: one keychain item per network, when a keychain answers.
#[derive(Default)]
pub struct KeychainSecrets {
    /// Probed once: a missing Secret Service does not appear mid-run.
    available: OnceLock<Result<(), String>>,
}

impl SecretStores for KeychainSecrets {
    fn open(
        &self,
        item: SecretItem,
        base_url: &str,
        rp_id: &str,
    ) -> Result<Arc<dyn SecretStore>, String> {
        self.available.get_or_init(Keychain::probe).clone()?;
        let keychain = Keychain::for_network(item, base_url, rp_id).map_err(|e| e.0)?;
        Ok(Arc::new(keychain))
    }
}
