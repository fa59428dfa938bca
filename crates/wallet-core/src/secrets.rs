//! Where secrets and must-not-lose facts are kept: the OS keychain in the app, memory
//! elsewhere. Never a file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ibex::{MemoryStore, SecretStore};

/// One keychain item per network and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretItem {
    /// The session's single-use refresh token.
    RefreshToken,
    /// A tenant's `x-api-key` (Settings only ever shows whether one is saved).
    ApiKey,
    /// The PIN wallet's `externalUserId` on this device. Not secret, but the only way back to
    /// that wallet: kept here as well as in the settings file, so losing that file loses nothing.
    PinAccount,
    /// An e-mail wallet's signer key (per account: its id follows the network's).
    EmailKey,
    /// An imported EOA's private key (per address: it follows the network's).
    EoaKey,
}

impl SecretItem {
    /// The item's name in the keychain (with the network after it).
    pub fn label(self) -> &'static str {
        match self {
            Self::RefreshToken => "refresh-token",
            Self::ApiKey => "api-key",
            Self::PinAccount => "pin-account",
            Self::EmailKey => "email-key",
            Self::EoaKey => "eoa-key",
        }
    }
}

/// Opens one item of one network (rpId + the network's identity: a tenant's base URL, or the
/// embedded sandbox's fixed name).
pub trait SecretStores: Send + Sync {
    /// The store, or why none is available here (the value then lives in memory only).
    fn open(
        &self,
        item: SecretItem,
        base_url: &str,
        rp_id: &str,
    ) -> Result<Arc<dyn SecretStore>, String>;
}

/// Process-memory stores, one per network and item: the web test host, and tests. Nothing
/// survives the process, which is the point.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, Arc<MemoryStore>>>);

impl SecretStores for MemorySecrets {
    fn open(
        &self,
        item: SecretItem,
        base_url: &str,
        rp_id: &str,
    ) -> Result<Arc<dyn SecretStore>, String> {
        let mut map = crate::sync::lock(&self.0);
        let store = map
            .entry(format!("{}:{rp_id}@{base_url}", item.label()))
            .or_insert_with(|| Arc::new(MemoryStore::new()))
            .clone();
        Ok(store)
    }
}

/// Reads one item off the async workers (keychains block). `None` when it is absent or no
/// keychain answers (logged: the caller falls back to what else it has).
pub(crate) async fn load_item(
    secrets: Arc<dyn SecretStores>,
    item: SecretItem,
    base_url: &str,
    rp_id: &str,
) -> Option<ibex::Secret> {
    let (base_url, rp_id) = (base_url.to_owned(), rp_id.to_owned());
    let loaded = tokio::task::spawn_blocking(move || {
        secrets
            .open(item, &base_url, &rp_id)?
            .load()
            .map_err(|e| e.0)
    })
    .await;
    match loaded {
        Ok(Ok(value)) => value,
        Ok(Err(why)) => {
            tracing::warn!(item = item.label(), %why, "keychain item not read");
            None
        }
        Err(e) => {
            tracing::warn!(item = item.label(), error = %e, "keychain read stopped");
            None
        }
    }
}

/// Saves (`Some`) or deletes (`None`) one item off the async workers; `Err` says why not.
pub(crate) async fn store_item(
    secrets: Arc<dyn SecretStores>,
    item: SecretItem,
    base_url: &str,
    rp_id: &str,
    value: Option<ibex::Secret>,
) -> Result<(), String> {
    let (base_url, rp_id) = (base_url.to_owned(), rp_id.to_owned());
    tokio::task::spawn_blocking(move || {
        let store = secrets.open(item, &base_url, &rp_id)?;
        match value {
            Some(v) => store.save(&v),
            None => store.clear(),
        }
        .map_err(|e| e.0)
    })
    .await
    .map_err(|e| e.to_string())?
}
