//! Small persistent key/value storage for non-secret state (settings, caches).
//!
//! The app uses tauri-plugin-store; the web host and tests use [`JsonFileStore`] or
//! [`MemoryStore`]. Secrets never go here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

use crate::messages::Msg;
use crate::sync::lock;

pub trait KvStore: Send + Sync {
    fn get(&self, key: &str) -> Option<Value>;
    fn set(&self, key: &str, value: Value) -> Result<(), String>;
    /// What went wrong reading the store at start, for the user (a restored copy, a file set
    /// aside), or `None` when it opened cleanly.
    fn notice(&self) -> Option<Msg> {
        None
    }
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

/// One JSON object in one file that a crash or a full disk cannot lose:
/// - a write goes to `<file>.tmp`, is fsynced, and replaces the file by `rename` (atomic), with
///   the directory fsynced after; the file before that write is kept as `<file>.bak`;
/// - at open, an unreadable file (half-written by another tool, damaged) is set aside as
///   `<file>.corrupt` — never overwritten — and the `.bak` copy is used, with a notice.
pub struct JsonFileStore {
    path: PathBuf,
    data: Mutex<BTreeMap<String, Value>>,
    notice: Option<Msg>,
}

type Map = BTreeMap<String, Value>;

impl JsonFileStore {
    /// Opens `path`: the file, else its previous copy, else empty (see the type's rules).
    pub fn open(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let backup = sibling(&path, "bak");
        let (data, notice) = match read_map(&path) {
            Ok(Some(map)) => (map, None),
            Ok(None) => match read_map(&backup) {
                // Only a crash between the two renames of a write leaves the copy alone.
                Ok(Some(map)) => (map, Some(Msg::StoreRestored { name })),
                _ => (Map::new(), None),
            },
            Err(why) => {
                let aside = sibling(&path, "corrupt");
                // Where the unreadable file went: its new path, or why it stayed.
                let kept = std::fs::rename(&path, &aside)
                    .map(|()| aside.display().to_string())
                    .map_err(|e| e.to_string());
                tracing::warn!(path = %path.display(), %why, "unreadable store; trying its copy");
                match read_map(&backup) {
                    Ok(Some(map)) => (
                        map,
                        Some(match kept {
                            Ok(path) => Msg::StoreRestoredKept { name, why, path },
                            Err(error) => Msg::StoreRestoredNotSetAside { name, why, error },
                        }),
                    ),
                    _ => (
                        Map::new(),
                        Some(match kept {
                            Ok(path) => Msg::StoreDefaultsKept { name, why, path },
                            Err(error) => Msg::StoreDefaultsNotSetAside { name, why, error },
                        }),
                    ),
                }
            }
        };
        Self {
            path,
            data: Mutex::new(data),
            notice,
        }
    }

    fn write(&self, data: &Map) -> std::io::Result<()> {
        use std::io::Write;
        let bytes = serde_json::to_vec_pretty(data)?;
        let tmp = sibling(&self.path, "tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        drop(file);
        if self.path.exists() {
            // The copy is a second name for the current file (no bytes copied); where hard
            // links are not supported, a real copy.
            let backup = sibling(&self.path, "bak");
            let _ = std::fs::remove_file(&backup);
            if std::fs::hard_link(&self.path, &backup).is_err() {
                std::fs::copy(&self.path, &backup)?;
            }
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            // The rename is durable only once the directory entry is.
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// `s.json` → `s.json.<ext>` (beside it, same file system, so `rename` is atomic).
fn sibling(path: &std::path::Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// `Ok(None)`: no file. `Err`: a file that is not one JSON object, in words.
fn read_map(path: &std::path::Path) -> Result<Option<Map>, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

impl KvStore for JsonFileStore {
    fn get(&self, key: &str) -> Option<Value> {
        lock(&self.data).get(key).cloned()
    }

    fn set(&self, key: &str, value: Value) -> Result<(), String> {
        let mut data = lock(&self.data);
        let previous = data.insert(key.to_owned(), value);
        self.write(&data).map_err(|e| {
            // Memory and disk stay the same: the caller hears the write failed.
            match previous {
                Some(v) => data.insert(key.to_owned(), v),
                None => data.remove(key),
            };
            format!("cannot write {}: {e}", self.path.display())
        })
    }

    fn notice(&self) -> Option<Msg> {
        self.notice.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_are_atomic_and_keep_the_previous_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let s = JsonFileStore::open(&path);
        assert_eq!(s.notice(), None);
        s.set("a", json!({"x": 1})).unwrap();
        s.set("a", json!({"x": 2})).unwrap();
        let reopened = JsonFileStore::open(&path);
        assert_eq!(reopened.get("a"), Some(json!({"x": 2})));
        assert_eq!(reopened.notice(), None);
        let copy: Map =
            serde_json::from_slice(&std::fs::read(sibling(&path, "bak")).unwrap()).unwrap();
        assert_eq!(
            copy["a"],
            json!({"x": 1}),
            "the copy is the file before the last write"
        );
        assert!(!sibling(&path, "tmp").exists());
    }

    #[test]
    fn a_half_written_file_is_recovered_from_its_copy_with_a_notice_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let s = JsonFileStore::open(&path);
        s.set("pin-account", json!("user-1")).unwrap();
        s.set("theme", json!("dark")).unwrap();
        // Another writer (or a crash in a tool that writes in place) left half a file.
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..full.len() / 2]).unwrap();

        let recovered = JsonFileStore::open(&path);
        assert_eq!(recovered.get("pin-account"), Some(json!("user-1")));
        let notice = recovered.notice().unwrap().render(crate::i18n::Locale::En);
        assert!(notice.contains("previous copy was restored"), "{notice}");
        assert_eq!(
            std::fs::read(sibling(&path, "corrupt")).unwrap(),
            full[..full.len() / 2],
            "the damaged file is set aside, not overwritten"
        );
        // The next write makes the file whole again.
        recovered.set("theme", json!("light")).unwrap();
        assert_eq!(JsonFileStore::open(&path).notice(), None);
    }

    #[test]
    fn an_unreadable_file_without_a_copy_starts_empty_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, b"{not json").unwrap();
        let s = JsonFileStore::open(&path);
        assert_eq!(s.get("a"), None);
        assert!(s
            .notice()
            .unwrap()
            .render(crate::i18n::Locale::En)
            .contains("no readable copy"));
        assert!(sibling(&path, "corrupt").exists());
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone").join("s.json");
        let s = JsonFileStore::open(&path);
        assert!(s.set("a", json!(1)).is_err());
        assert_eq!(s.get("a"), None);
    }
}
