//! Where each signed-in account of a network is filed on this device: its refresh token in a
//! keychain item of its own, and a (non-secret) index of the accounts with what the user named
//! them, in the settings store.
//!
//! One keychain item per account: `refresh-token:<rpId>@<network>#<externalUserId>`. Before
//! several accounts, a network had one item, `refresh-token:<rpId>@<network>`; a session found
//! there is restored and moved to its account's item (see [`Filing::move_to`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use ibex::{Address, Secret, SecretStore, StoreError};
use serde::{Deserialize, Serialize};

use crate::account::{Persistence, SignerKind};
use crate::secrets::{SecretItem, SecretStores};
use crate::store::KvStore;
use crate::sync::{lock, read, write};

/// One account as the index keeps it (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Filed {
    /// IBEx's `externalUserId` (or the primary Safe when IBEx names none).
    pub id: String,
    pub signer: SignerKind,
    /// The name the user gave the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Safe the user picked for operations (`None`: the primary one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<Address>,
    /// Names the user gave Safes, by lower-case address (IBEx has no field for it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub safe_names: BTreeMap<String, String>,
    /// The highest `saltNonce` this device provisioned, per chain id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub salts: BTreeMap<u64, u64>,
    /// The account's primary Safe, so that the account can be named while it is not signed
    /// in (a session refused at start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<Address>,
    /// This device's passkey key for the account, as its ceremonies told (public keys only:
    /// which Safe owner is this device).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_keys: Vec<crate::owners::DeviceKey>,
}

impl Filed {
    pub fn new(id: String, signer: SignerKind) -> Self {
        Self {
            id,
            signer,
            name: None,
            safe: None,
            safe_names: BTreeMap::new(),
            salts: BTreeMap::new(),
            primary: None,
            device_keys: Vec::new(),
        }
    }

    /// How the switcher names the account: the user's name, else its primary Safe shortened,
    /// else the start of its id (filed before its Safe was known).
    pub fn label(&self) -> String {
        label(self.name.as_deref(), self.primary, &self.id)
    }
}

/// The user's name for account `id`, else its primary Safe shortened (`0x1234…cdef`), else
/// the start of its id.
pub(crate) fn label(name: Option<&str>, primary: Option<Address>, id: &str) -> String {
    if let Some(name) = name {
        return name.to_owned();
    }
    match primary {
        Some(safe) => {
            let text = safe.to_checksum();
            format!("{}…{}", &text[..6], &text[text.len() - 4..])
        }
        None => id.chars().take(8).collect(),
    }
}

/// Every account of one network, in the order they were added, and the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub accounts: Vec<Filed>,
}

/// The index of one network, read and written as one step.
pub(crate) struct Registry {
    store: Arc<dyn KvStore>,
    key: String,
    guard: Mutex<()>,
}

impl Registry {
    /// `network`: the network's identity (a tenant's base URL, or the embedded sandbox's name).
    pub fn new(store: Arc<dyn KvStore>, rp_id: &str, network: &str) -> Self {
        Self {
            store,
            key: format!("accounts|{rp_id}@{network}"),
            guard: Mutex::new(()),
        }
    }

    pub fn load(&self) -> Index {
        self.store
            .get(&self.key)
            .and_then(|v| match serde_json::from_value(v) {
                Ok(index) => Some(index),
                Err(e) => {
                    tracing::warn!(error = %e, "account index unreadable; starting empty");
                    None
                }
            })
            .unwrap_or_default()
    }

    /// Changes the index; returns what `change` returned.
    pub fn edit<T>(&self, change: impl FnOnce(&mut Index) -> T) -> T {
        let _g = lock(&self.guard);
        let mut index = self.load();
        let out = change(&mut index);
        let value = serde_json::to_value(&index).unwrap_or_default();
        if let Err(e) = self.store.set(&self.key, value) {
            tracing::warn!(error = %e, "account index not saved");
        }
        out
    }

    /// Files `id` (keeping what the index knew of it) with its primary Safe; makes it current
    /// when `current` (a sign-in: a restore leaves the user's current account where it is, so
    /// a start-up killed part-way moves nothing).
    pub fn add(
        &self,
        id: &str,
        signer: SignerKind,
        primary: Option<Address>,
        current: bool,
    ) -> Filed {
        self.edit(|index| {
            if current {
                index.current = Some(id.to_owned());
            }
            let at = match index.accounts.iter().position(|a| a.id == id) {
                Some(at) => at,
                None => {
                    index.accounts.push(Filed::new(id.to_owned(), signer));
                    index.accounts.len() - 1
                }
            };
            let filed = &mut index.accounts[at];
            filed.signer = signer;
            filed.primary = primary.or(filed.primary);
            filed.clone()
        })
    }

    pub fn remove(&self, id: &str) {
        self.edit(|index| {
            index.accounts.retain(|a| a.id != id);
            if index.current.as_deref() == Some(id) {
                index.current = index.accounts.first().map(|a| a.id.clone());
            }
        });
    }
}

/// The keychain item of one account (`account` = `None`: the network's item from before
/// several accounts), or memory when no keychain answers.
pub(crate) fn open(
    secrets: &dyn SecretStores,
    network: &str,
    rp_id: &str,
    account: Option<&str>,
) -> (Arc<dyn SecretStore>, Persistence) {
    let name = match account {
        Some(id) => format!("{network}#{id}"),
        None => network.to_owned(),
    };
    match secrets.open(SecretItem::RefreshToken, &name, rp_id) {
        Ok(store) => (store, Persistence::Keychain),
        Err(reason) => (
            Arc::new(ibex::MemoryStore::new()),
            Persistence::MemoryOnly { reason },
        ),
    }
}

/// A session's store that can move to another item while the session runs: a session
/// restored from the network's old item learns its account only once it is running.
pub(crate) struct Filing {
    /// The item, and the account it is filed under (`None`: the network's old item).
    inner: RwLock<(Arc<dyn SecretStore>, Option<String>)>,
}

impl Filing {
    pub fn new(store: Arc<dyn SecretStore>, account: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            inner: RwLock::new((store, account.map(str::to_owned))),
        })
    }

    /// Whether the token is already in account `id`'s item.
    pub fn files(&self, id: &str) -> bool {
        read(&self.inner).1.as_deref() == Some(id)
    }

    /// Copies the current token to `to` (account `id`'s item), then deletes it from where it
    /// was. A crash between the two leaves the token in both (the next start moves it again),
    /// never in neither; if `to` refuses it, the session stays where it was. Called before
    /// the session refreshes.
    pub fn move_to(&self, to: Arc<dyn SecretStore>, id: &str) -> Result<(), StoreError> {
        if self.files(id) {
            return Ok(());
        }
        let from = read(&self.inner).0.clone();
        if let Some(token) = from.load()? {
            to.save(&token)?;
        }
        *write(&self.inner) = (to, Some(id.to_owned()));
        if let Err(e) = from.clear() {
            tracing::warn!(error = %e.0, "the old keychain item was not deleted");
        }
        Ok(())
    }

    fn store(&self) -> Arc<dyn SecretStore> {
        read(&self.inner).0.clone()
    }
}

impl SecretStore for Filing {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        self.store().load()
    }
    fn save(&self, refresh_token: &Secret) -> Result<(), StoreError> {
        self.store().save(refresh_token)
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.store().clear()
    }
    fn clear_if(&self, expected: &Secret) -> Result<bool, StoreError> {
        self.store().clear_if(expected)
    }
}

/// The account a token belongs to, from the auth response's `subject` or the access token's
/// `sub` claim (read, not verified: it only says where to file the token; IBEx checks it).
pub(crate) fn subject(tokens: &ibex::models::auth::AuthTokens) -> Option<String> {
    if let Some(s) = tokens.subject.as_ref().filter(|s| !s.is_empty()) {
        return Some(s.clone());
    }
    use base64::Engine as _;
    let payload = tokens.access_token.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("sub")
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;

    #[test]
    fn moving_keeps_the_token_and_empties_the_old_item() {
        let secrets = MemorySecrets::default();
        let (old, _) = open(&secrets, "net", "rp", None);
        old.save(&Secret::new("rt-1")).unwrap();
        let filing = Filing::new(old.clone(), None);
        let (new, _) = open(&secrets, "net", "rp", Some("user-1"));
        filing.move_to(new.clone(), "user-1").unwrap();
        // Already there: moving again deletes nothing.
        filing.move_to(new.clone(), "user-1").unwrap();
        assert_eq!(new.load().unwrap(), Some(Secret::new("rt-1")));
        assert_eq!(old.load().unwrap(), None);
        assert_eq!(new.load().unwrap(), Some(Secret::new("rt-1")));
        // Rotations after the move land in the account's item.
        filing.save(&Secret::new("rt-2")).unwrap();
        assert_eq!(new.load().unwrap(), Some(Secret::new("rt-2")));
        assert_eq!(old.load().unwrap(), None);
    }

    #[test]
    fn the_subject_comes_from_the_response_or_the_token() {
        let tokens = |subject: Option<&str>, access: &str| {
            serde_json::from_value::<ibex::models::auth::AuthTokens>(serde_json::json!({
                "access_token": access, "refresh_token": "r", "subject": subject,
            }))
            .unwrap()
        };
        assert_eq!(subject(&tokens(Some("u1"), "x")).as_deref(), Some("u1"));
        // {"sub":"u2"} as a JWT payload.
        let jwt = "e30.eyJzdWIiOiJ1MiJ9.sig";
        assert_eq!(subject(&tokens(None, jwt)).as_deref(), Some("u2"));
        assert_eq!(subject(&tokens(None, "opaque")), None);
    }
}
