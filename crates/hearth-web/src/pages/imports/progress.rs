//! How far a running import is, for the progress bar: the upload form carries a token, the
//! import reports rows done under it, and `GET /imports/progress/{token}` answers the page's
//! script with `{"done", "total", "finished"}`. Kept in memory: an import runs within its
//! request, on this server, and its progress is of no use once it ends.

use crate::auth::Signed;
use axum::Json;
use axum::extract::Path;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Tokens older than this are dropped (an import abandoned half way).
const KEPT_FOR: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    pub finished: bool,
}

struct Entry {
    user: Uuid,
    progress: Progress,
    at: Instant,
}

static RUNNING: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(Default::default);

fn with_table<T>(f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
    let mut table = RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut table)
}

/// A fresh token for an upload form.
pub fn token() -> String {
    Uuid::now_v7().simple().to_string()
}

/// Notes the rows done of the import under `token`, started by `user`.
pub fn report(token: &str, user: Uuid, progress: Progress) {
    if token.is_empty() || token.len() > 64 {
        return;
    }
    with_table(|table| {
        table.retain(|_, e| e.at.elapsed() < KEPT_FOR);
        table.insert(
            token.to_owned(),
            Entry {
                user,
                progress,
                at: Instant::now(),
            },
        );
    });
}

/// `GET /imports/progress/{token}`: the caller's own import only; nothing yet reads as 0 of 0.
pub async fn poll(signed: Signed, Path(token): Path<String>) -> Json<Progress> {
    let user = signed.caller.user.id;
    let found = with_table(|table| {
        table
            .get(&token)
            .filter(|e| e.user == user)
            .map(|e| e.progress)
    });
    Json(found.unwrap_or(Progress {
        done: 0,
        total: 0,
        finished: false,
    }))
}
