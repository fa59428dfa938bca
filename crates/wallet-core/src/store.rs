//! Small persistent key/value storage for non-secret state (settings, caches).
//!
//! The app uses tauri-plugin-store; the web host and tests use [`JsonFileStore`] or
//! [`MemoryStore`]. Secrets never go here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

use crate::sync::lock;

pub trait KvStore: Send + Sync {
    fn get(&self, key: &str) -> Option<Value>;
    fn set(&self, key: &str, value: Value) -> Result<(), String>;
}

/// Keeps everything in memory; for tests and throwaway sessions.
#[derive(Default)]
pub struct MemoryStore(Mutex<BTreeMap<String, Value>>);

impl KvStore for MemoryStore {
    fn get(&self, key: &str) -> Option<Value> {
        lock(&self.0).get(key).cloned()
    }

    fn set(&self, key: &str, value: Value) -> Result<(), String> {
        lock(&self.0).insert(key.to_owned(), value);
        Ok(())
    }
}

/// One JSON object in one file, rewritten atomically (write to a temp file, then rename).
pub struct JsonFileStore {
    path: PathBuf,
    data: Mutex<BTreeMap<String, Value>>,
}

impl JsonFileStore {
    /// Opens `path`; a missing file is empty, a corrupt one is discarded with a warning.
    pub fn open(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let data = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "discarding unreadable store");
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        Self {
            path,
            data: Mutex::new(data),
        }
    }
}

impl KvStore for JsonFileStore {
    fn get(&self, key: &str) -> Option<Value> {
        lock(&self.data).get(key).cloned()
    }

    fn set(&self, key: &str, value: Value) -> Result<(), String> {
        let mut data = lock(&self.data);
        data.insert(key.to_owned(), value);
        let bytes = serde_json::to_vec_pretty(&*data).map_err(|e| e.to_string())?;
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_survives_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let s = JsonFileStore::open(&path);
        s.set("a", serde_json::json!({"x": 1})).unwrap();
        assert_eq!(
            JsonFileStore::open(&path).get("a"),
            Some(serde_json::json!({"x": 1}))
        );
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(JsonFileStore::open(&path).get("a"), None);
    }
}
