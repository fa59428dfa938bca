//! Where refresh tokens are kept: the OS keychain in the app, memory elsewhere. Never a file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ibex::{MemoryStore, SecretStore};

/// Opens the refresh-token store of one network (rpId + the network's identity: a tenant's base
/// URL, or the embedded sandbox's fixed name).
pub trait SecretStores: Send + Sync {
    /// The store, or why none is available here (the session then lives in memory only).
    fn open(&self, base_url: &str, rp_id: &str) -> Result<Arc<dyn SecretStore>, String>;
}

/// Process-memory stores, one per network: the web test host, and tests. Nothing survives
/// the process, which is the point.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, Arc<MemoryStore>>>);

impl SecretStores for MemorySecrets {
    fn open(&self, base_url: &str, rp_id: &str) -> Result<Arc<dyn SecretStore>, String> {
        let mut map = crate::sync::lock(&self.0);
        let store = map
            .entry(format!("{rp_id}@{base_url}"))
            .or_insert_with(|| Arc::new(MemoryStore::new()))
            .clone();
        Ok(store)
    }
}
