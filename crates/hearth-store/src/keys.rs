//! The key file: the secrets that protect stored personal data (used by field encryption and
//! blind indexes). Created once by `hearth init`; losing it makes protected fields unreadable,
//! so it is never overwritten.

use rand::RngCore;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the key file {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the key file {path} is damaged at line {line}: expected `hearth-key-v1:<id>:<64 hex digits>`"
    )]
    Malformed { path: PathBuf, line: usize },
    #[error("the key file {0} holds no key")]
    Empty(PathBuf),
    #[error("key `{0}` cannot be retired: it is the current key or not in the file")]
    NotRetirable(String),
}

/// A new random key whose id (the time, and a counter if needed) is unique in the ring.
fn fresh_key(ring: &KeyRing) -> Key {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let id = (0..)
        .map(|n| {
            if n == 0 {
                format!("k{stamp}")
            } else {
                format!("k{stamp}-{n}")
            }
        })
        .find(|id| !ring.keys.iter().any(|k| &k.id == id))
        .unwrap_or_default();
    Key { id, bytes }
}

/// One 256-bit key and its id; the last key in the file is the current one.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub bytes: [u8; 32],
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.id)
    }
}

#[derive(Debug, Clone)]
pub struct KeyRing {
    pub keys: Vec<Key>,
}

impl KeyRing {
    pub fn current(&self) -> &Key {
        // `load` refuses an empty file, so there is always a last key.
        &self.keys[self.keys.len() - 1]
    }

    pub fn load(path: &Path) -> Result<KeyRing, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        KeyRing::parse(&text, path)
    }

    /// Reads keys in the key-file format from text (the file, or the `HEARTH_KEYS` variable);
    /// `source` names where they came from in messages.
    pub fn parse(text: &str, source: &Path) -> Result<KeyRing, KeyError> {
        let mut keys = Vec::new();
        // One key per line in the file; the environment variable may separate them by spaces.
        let entries = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim_start().starts_with('#'))
            .flat_map(|(index, line)| line.split_whitespace().map(move |entry| (index, entry)));
        for (index, line) in entries {
            let malformed = || KeyError::Malformed {
                path: source.to_owned(),
                line: index + 1,
            };
            let mut parts = line.splitn(3, ':');
            let (Some("hearth-key-v1"), Some(id), Some(hex_key)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(malformed());
            };
            let bytes: [u8; 32] = hex::decode(hex_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(malformed)?;
            keys.push(Key {
                id: id.to_owned(),
                bytes,
            });
        }
        if keys.is_empty() {
            return Err(KeyError::Empty(source.to_owned()));
        }
        Ok(KeyRing { keys })
    }

    /// Appends a fresh key to the file; it becomes the current key. Older keys stay so values
    /// sealed under them still open until they are re-encrypted and the key is retired.
    pub fn add_key(path: &Path) -> Result<KeyRing, KeyError> {
        let mut ring = KeyRing::load(path)?;
        let key = fresh_key(&ring);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| KeyError::Create {
                path: path.to_owned(),
                source,
            })?;
        writeln!(file, "hearth-key-v1:{}:{}", key.id, hex::encode(key.bytes)).map_err(
            |source| KeyError::Create {
                path: path.to_owned(),
                source,
            },
        )?;
        ring.keys.push(key);
        Ok(ring)
    }

    /// Removes a key that no stored value uses any more; the current key cannot be retired.
    pub fn retire(path: &Path, id: &str) -> Result<KeyRing, KeyError> {
        let ring = KeyRing::load(path)?;
        if ring.current().id == id || !ring.keys.iter().any(|k| k.id == id) {
            return Err(KeyError::NotRetirable(id.to_owned()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let prefix = format!("hearth-key-v1:{id}:");
        let kept: String = text
            .lines()
            .filter(|l| !l.trim().starts_with(&prefix))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(path, kept).map_err(|source| KeyError::Create {
            path: path.to_owned(),
            source,
        })?;
        KeyRing::load(path)
    }

    /// Loads the key file, creating it (owner-only) with a fresh key if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<(KeyRing, bool), KeyError> {
        if path.exists() {
            return Ok((KeyRing::load(path)?, false));
        }
        let create = |source| KeyError::Create {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(create)?;
        }
        let Key { id, bytes } = fresh_key(&KeyRing { keys: Vec::new() });
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(create)?;
        writeln!(file, "# Hearth key file. Keep it secret and backed up; without it protected data cannot be read.").map_err(create)?;
        writeln!(file, "hearth-key-v1:{id}:{}", hex::encode(bytes)).map_err(create)?;
        Ok((
            KeyRing {
                keys: vec![Key { id, bytes }],
            },
            true,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_file_reads_back_and_is_private() {
        let dir =
            std::env::temp_dir().join(format!("hearth-keys-{}", uuid::Uuid::now_v7().simple()));
        let path = dir.join("hearth.key");
        let (ring, created) = KeyRing::load_or_create(&path).expect("create");
        assert!(created);
        let (again, created_again) = KeyRing::load_or_create(&path).expect("load");
        assert!(!created_again, "an existing key file is never replaced");
        assert_eq!(again.current().bytes, ring.current().bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only");
        }
        let rotated = KeyRing::add_key(&path).expect("rotate");
        assert_eq!(rotated.keys.len(), 2);
        assert!(
            KeyRing::retire(&path, &rotated.current().id.clone()).is_err(),
            "the current key stays"
        );
        let retired = KeyRing::retire(&path, &ring.current().id).expect("retire the old key");
        assert_eq!(retired.keys.len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn damaged_key_text_names_the_line() {
        let err = KeyRing::parse("# comment\nhearth-key-v1:k1:abcd\n", Path::new("x")).unwrap_err();
        assert!(matches!(err, KeyError::Malformed { line: 2, .. }), "{err}");
        let two = format!(
            "hearth-key-v1:a:{} hearth-key-v1:b:{}",
            "11".repeat(32),
            "22".repeat(32)
        );
        assert_eq!(
            KeyRing::parse(&two, Path::new("env"))
                .expect("two keys")
                .current()
                .id,
            "b"
        );
    }
}
