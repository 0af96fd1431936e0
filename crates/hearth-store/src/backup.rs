//! Backups: one SQLite file holding the whole database, whichever engine it came from.
//!
//! From SQLite the file is an online snapshot (`VACUUM INTO`): one read transaction, so writers
//! carry on and the copy is consistent. From PostgreSQL it is a logical copy of every table
//! taken in one repeatable-read snapshot (see [`crate::copy`]). Either way the file opens with
//! any SQLite tool, carries its migration log, and is restored by [`stage`] plus a copy or a
//! file move. Sealed fields are copied as they are stored: the key file opens them after a
//! restore exactly as before.

use crate::copy::{self, CopyError, CopyReport};
use crate::{Store, StoreError};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("{0} does not exist")]
    Missing(PathBuf),
    #[error("{0} is not a Hearth backup (not a SQLite database file)")]
    NotABackup(PathBuf),
    #[error("{0}: a file name with `?` or `#` cannot be opened as a database; rename it")]
    BadPath(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

/// The URL that opens a SQLite file.
pub fn sqlite_url(path: &Path) -> Result<String> {
    let text = path.to_string_lossy();
    if text.contains(['?', '#']) {
        return Err(BackupError::BadPath(path.to_owned()));
    }
    Ok(format!("sqlite://{text}"))
}

/// Writes a consistent copy of the whole database to `file`, which must not exist yet. On
/// failure nothing is left at `file`.
pub async fn backup(store: &Store, file: &Path) -> Result<Option<CopyReport>> {
    if file.exists() {
        return Err(BackupError::Exists(file.to_owned()));
    }
    let url = sqlite_url(file)?;
    let outcome = match store.sqlite_pool() {
        Some(pool) => {
            let path = file.to_string_lossy().into_owned();
            sqlx::query("VACUUM INTO ?")
                .bind(path)
                .execute(pool)
                .await
                .map(|_| None)
                .map_err(BackupError::from)
        }
        None => copy_into_new_file(store, &url).await.map(Some),
    };
    if outcome.is_err() {
        remove_with_journal(file);
    }
    outcome
}

async fn copy_into_new_file(store: &Store, url: &str) -> Result<CopyReport> {
    let target = Store::connect(url).await?;
    let outcome = async {
        target.migrate().await?;
        Ok(copy::copy_all(store, &target).await?)
    }
    .await;
    target.close().await;
    outcome
}

/// Opens a backup for restoring: a copy of it at `staging` (the backup itself is never
/// changed), migrated to this binary's schema when it was made by an older one.
pub async fn stage(file: &Path, staging: &Path) -> Result<Store> {
    if !file.exists() {
        return Err(BackupError::Missing(file.to_owned()));
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(file).and_then(|mut f| {
        use std::io::Read;
        f.read_exact(&mut header)
    });
    if read.is_err() || &header != b"SQLite format 3\0" {
        return Err(BackupError::NotABackup(file.to_owned()));
    }
    if staging.exists() {
        return Err(BackupError::Exists(staging.to_owned()));
    }
    std::fs::copy(file, staging).map_err(|source| BackupError::Io {
        path: staging.to_owned(),
        source,
    })?;
    let store = Store::connect(&sqlite_url(staging)?).await?;
    if let Err(e) = store.migrate().await {
        store.close().await;
        remove_with_journal(staging);
        return Err(e.into());
    }
    Ok(store)
}

/// Removes a SQLite file and its write-ahead log, best effort (cleaning up after a failure).
pub fn remove_with_journal(file: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Moves a SQLite file and its write-ahead log aside to `<file><suffix>`; returns where the
/// main file went.
pub fn move_aside(file: &Path, suffix: &str) -> Result<PathBuf> {
    let mut moved = None;
    for journal in ["", "-wal", "-shm"] {
        let mut from = file.as_os_str().to_owned();
        from.push(journal);
        let from = PathBuf::from(from);
        if !from.exists() {
            continue;
        }
        let mut to = file.as_os_str().to_owned();
        to.push(suffix);
        to.push(journal);
        let to = PathBuf::from(to);
        std::fs::rename(&from, &to).map_err(|source| BackupError::Io {
            path: from.clone(),
            source,
        })?;
        moved.get_or_insert(to);
    }
    moved.ok_or_else(|| BackupError::Missing(file.to_owned()))
}
