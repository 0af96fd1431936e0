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
        let mut keys = Vec::new();
        for (index, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let malformed = || KeyError::Malformed {
                path: path.to_owned(),
                line: index + 1,
            };
            let mut parts = line.trim().splitn(3, ':');
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
            return Err(KeyError::Empty(path.to_owned()));
        }
        Ok(KeyRing { keys })
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
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let id = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
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
