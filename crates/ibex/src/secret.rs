//! Secrets (tokens) that are zeroized on drop and never printed, and the refresh-token store.

use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A secret string: zeroized when dropped, `<redacted>` in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(Zeroizing::new(s.into()))
    }

    /// The secret text; call only where it leaves for IBEx or the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// Why the store failed, in words fit for a log line (never containing the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Where the refresh token lives between runs (the OS keychain in the app).
///
/// Calls are synchronous because keychain APIs are; the session runs them off the async
/// runtime's worker threads.
pub trait SecretStore: Send + Sync + 'static {
    fn load(&self) -> Result<Option<Secret>, StoreError>;
    /// Must be durable when it returns `Ok`: the previous token is already consumed.
    fn save(&self, refresh_token: &Secret) -> Result<(), StoreError>;
    fn clear(&self) -> Result<(), StoreError>;
    /// Clears the store only while it holds `expected` (true when it did). A session that
    /// ends because its token was refused must not delete the fresh token another instance of
    /// the app rotated in meanwhile. The default reads then deletes; keychains offer no
    /// atomic compare-and-delete, so the window left is the two calls' span, not a session.
    fn clear_if(&self, expected: &Secret) -> Result<bool, StoreError> {
        match self.load()? {
            Some(stored) if stored == *expected => self.clear().map(|()| true),
            _ => Ok(false),
        }
    }
}

/// A store that keeps the token in process memory (tests, and hosts without a keychain).
#[derive(Default)]
pub struct MemoryStore {
    token: Mutex<Option<Secret>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl SecretStore for MemoryStore {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        Ok(self
            .token
            .lock()
            .map_err(|e| StoreError(e.to_string()))?
            .clone())
    }

    fn save(&self, refresh_token: &Secret) -> Result<(), StoreError> {
        *self.token.lock().map_err(|e| StoreError(e.to_string()))? = Some(refresh_token.clone());
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.token.lock().map_err(|e| StoreError(e.to_string()))? = None;
        Ok(())
    }

    fn clear_if(&self, expected: &Secret) -> Result<bool, StoreError> {
        let mut token = self.token.lock().map_err(|e| StoreError(e.to_string()))?;
        let held = token.as_ref() == Some(expected);
        if held {
            *token = None;
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_if_spares_a_token_rotated_by_someone_else() {
        let store = MemoryStore::new();
        store.save(&Secret::new("fresh")).unwrap();
        assert!(!store.clear_if(&Secret::new("refused")).unwrap());
        assert_eq!(store.load().unwrap(), Some(Secret::new("fresh")));
        assert!(store.clear_if(&Secret::new("fresh")).unwrap());
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("eyJ-very-secret");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }
}
