//! Attachments (附件): scanned documents kept with the record they belong to — the signed
//! consent form of a household (知情同意书扫描件), photos of an organization's activity (活动照片,
//! JPEG or PNG only), the signed and stamped pledge letter (签署件).
//!
//! The file is checked before anything is stored: PDF, JPEG or PNG only, judged by its first
//! bytes (never by its name or the type the browser claims), and at most [`MAX_BYTES`]. It is
//! kept inside the database, so a backup carries it, and sealed like every other personal field
//! (a signed form shows names, signatures and often ID numbers), bound to the attachment and its
//! owner so it cannot be moved to another record. Who may attach and who may read follows from
//! the owner: for a household, whoever may edit it (in scope, at any status, since consent is
//! signed on paper and often scanned later) uploads, and whoever may show its details in full
//! downloads. For a pledge, its organization's members and the town and village officers whose
//! area it touches (the witnesses) upload once it is signed and not cancelled, and whoever may
//! read the pledge downloads. Every upload and every download is written to the audit log
//! against the owner, so the household's history shows them.
//!
//! Linking: an attachment names its owner (`owner_type` + `owner_id`) and its `purpose`; the
//! household's consent scans are its attachments with purpose `consent_scan`, newest first.
//! The household record itself is not rewritten when a scan arrives (so uploading after
//! approval changes neither its status nor its version), and the consent form's free-text
//! `scan_attachment` stays what it was: where the paper original is filed.

use crate::{App, AppError, Caller, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use hearth_core::Invalid;
use hearth_core::permission::Permission;
use hearth_store::attachments::{self, AttachmentRow};
use hearth_store::audit::{self, NewEvent};
use hearth_store::crypto::{FieldCipher, Slot};
use hearth_store::{StoreError, Tx, users};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use uuid::Uuid;

/// The largest file accepted: 5 MiB.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// [`MAX_BYTES`] as people read it.
pub const MAX_TEXT: &str = "5 MiB";
/// The field a refused file is reported under, in forms and in the API.
pub const FIELD: &str = "file";

const TABLE: &str = "attachment";
/// Longest stored file name, in characters (the extension is kept when a name is cut).
const MAX_NAME: usize = 100;

/// The record an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Household(Uuid),
    /// An organization's logged activity (its photos).
    Activity(Uuid),
    /// A pairing pledge (its signed letter).
    Pledge(Uuid),
    /// A station's handover to a household (its signature image and photo).
    Distribution(Uuid),
    /// Cash aid handed to a household (its signature image and photo).
    CashAid(Uuid),
    /// A pledge line's delivery to a household (its signature image and photo).
    Delivery(Uuid),
}

impl Owner {
    /// The owner's record type, as stored and as the audit log names it.
    pub fn kind(self) -> &'static str {
        match self {
            Owner::Household(_) => "household",
            Owner::Activity(_) => "activity",
            Owner::Pledge(_) => "pledge",
            Owner::Distribution(_) => "distribution",
            Owner::CashAid(_) => "cash_aid",
            Owner::Delivery(_) => "delivery",
        }
    }

    pub fn id(self) -> Uuid {
        match self {
            Owner::Household(id)
            | Owner::Activity(id)
            | Owner::Pledge(id)
            | Owner::Distribution(id)
            | Owner::CashAid(id)
            | Owner::Delivery(id) => id,
        }
    }

    fn from_stored(kind: &str, id: Uuid) -> Result<Owner> {
        match kind {
            "household" => Ok(Owner::Household(id)),
            "activity" => Ok(Owner::Activity(id)),
            "pledge" => Ok(Owner::Pledge(id)),
            "distribution" => Ok(Owner::Distribution(id)),
            "cash_aid" => Ok(Owner::CashAid(id)),
            "delivery" => Ok(Owner::Delivery(id)),
            other => Err(corrupt(format!("attachment.owner_type `{other}`"))),
        }
    }

    /// Refuses unless the caller may attach files to this record.
    async fn may_attach(self, tx: &mut Tx, caller: &Caller) -> Result<()> {
        match self {
            Owner::Household(id) => {
                caller.require(Permission::RegisterHouseholds)?;
                crate::households::visible(tx, caller, id).await?;
            }
            Owner::Activity(id) => crate::cultivation::check_activity(tx, caller, id, true).await?,
            Owner::Pledge(id) => {
                caller.require(Permission::FileSignedLetters)?;
                let pledge = crate::pledges::visible(tx, caller, id).await?;
                if pledge.row.signed_at.is_none() || pledge.row.cancelled_at.is_some() {
                    return Err(Invalid::new("status", "pledge_scan.unsigned").into());
                }
            }
            Owner::Distribution(_) | Owner::CashAid(_) | Owner::Delivery(_) => {
                crate::handover_files::check(tx, caller, self, true).await?
            }
        }
        Ok(())
    }

    /// Refuses unless the caller may list and download this record's files.
    async fn may_read(self, tx: &mut Tx, caller: &Caller) -> Result<()> {
        match self {
            Owner::Household(id) => {
                caller.require(Permission::RevealHouseholdDetails)?;
                crate::households::visible(tx, caller, id).await?;
            }
            Owner::Activity(id) => {
                crate::cultivation::check_activity(tx, caller, id, false).await?
            }
            Owner::Pledge(id) => {
                crate::pledges::visible(tx, caller, id).await?;
            }
            Owner::Distribution(_) | Owner::CashAid(_) | Owner::Delivery(_) => {
                crate::handover_files::check(tx, caller, self, false).await?
            }
        }
        Ok(())
    }
}

/// Which document an attachment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// 知情同意书扫描件: the household's signed consent form.
    ConsentScan,
    /// 活动照片: a photo of an organization's activity.
    ActivityPhoto,
    /// 签署件: the scan of a pledge letter as signed and stamped on paper.
    SignedLetter,
    /// 签名图片: the recipient's signature on a handover, cash aid or delivery, as an image.
    Signature,
    /// 发放照片: a photo taken at a handover, cash aid or delivery.
    HandoverPhoto,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::ConsentScan => "consent_scan",
            Purpose::ActivityPhoto => "activity_photo",
            Purpose::SignedLetter => "signed_letter",
            Purpose::Signature => "signature",
            Purpose::HandoverPhoto => "handover_photo",
        }
    }

    /// The image of a handover, cash aid or delivery named by `raw` (`signature` or
    /// `handover_photo`); anything else is refused on the field `purpose`.
    pub fn of_handover(raw: &str) -> Result<Purpose, Invalid> {
        match raw.trim() {
            "signature" => Ok(Purpose::Signature),
            "handover_photo" => Ok(Purpose::HandoverPhoto),
            other => Err(Invalid::new("purpose", "dict.unknown").arg("value", other)),
        }
    }

    /// Whether a record of this kind carries documents of this purpose.
    fn fits(self, owner: Owner) -> bool {
        matches!(
            (self, owner),
            (Purpose::ConsentScan, Owner::Household(_))
                | (Purpose::ActivityPhoto, Owner::Activity(_))
                | (Purpose::SignedLetter, Owner::Pledge(_))
                | (
                    Purpose::Signature | Purpose::HandoverPhoto,
                    Owner::Distribution(_) | Owner::CashAid(_) | Owner::Delivery(_)
                )
        )
    }

    /// Refuses a file type this document may not be: photos are images, not PDFs.
    fn accepts(self, kind: FileType) -> Result<(), Invalid> {
        match (self, kind) {
            (Purpose::ActivityPhoto, FileType::Pdf) => {
                Err(Invalid::new(FIELD, "cultivation.photo_type"))
            }
            (Purpose::Signature | Purpose::HandoverPhoto, FileType::Pdf) => {
                Err(Invalid::new(FIELD, "handover_file.image_only"))
            }
            _ => Ok(()),
        }
    }
}

/// The file types accepted, known by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    /// What the file's first bytes say it is, if it is one of the accepted types.
    pub fn sniff(bytes: &[u8]) -> Option<FileType> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    /// The extensions a name of this type may end with; the first is the one added.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Png => &["png"],
        }
    }
}

/// A file as it arrived: the name the sender gave and its bytes.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Checks an upload: not empty, not over [`MAX_BYTES`], and a PDF, JPEG or PNG by content.
/// Every refusal names the field `file`.
pub fn check(bytes: &[u8]) -> Result<FileType, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::new(FIELD, "attachment.empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Invalid::new(FIELD, "attachment.too_large").arg("max", MAX_TEXT));
    }
    FileType::sniff(bytes).ok_or_else(|| Invalid::new(FIELD, "attachment.type"))
}

/// Characters that hide or reorder what a name shows (bidirectional overrides, zero-width).
fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name safe to store and to offer back: the last path part only, without control,
/// deceptive or reserved characters, at most 100 characters, ending in the extension of the
/// detected type (added when the name lacks it).
pub fn sanitize_filename(raw: &str, kind: FileType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_deceptive(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' | ';' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let collapsed = cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>();
    let name = collapsed.join(" ");
    let name = name.trim_end_matches(['.', ' ']).trim_start();
    let lower = name.to_lowercase();
    let has_ext = kind
        .extensions()
        .iter()
        .any(|ext| lower.ends_with(&format!(".{ext}")));
    let (stem, ext) = match (has_ext, name.rsplit_once('.')) {
        (true, Some((stem, ext))) => (stem.to_owned(), ext.to_owned()),
        _ => (name.to_owned(), kind.extensions()[0].to_owned()),
    };
    let stem = stem.trim_matches(|c: char| c == '.' || c == ' ');
    let stem = if stem.is_empty() { "scan" } else { stem };
    let room = MAX_NAME.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ext}", stem.trim_end())
}

/// An attachment as callers see it (never its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub owner_type: String,
    pub owner_id: Uuid,
    pub purpose: String,
    /// The sanitised name, ending in the detected type's extension.
    pub filename: String,
    /// Detected from the content: `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the file, to compare with a copy.
    pub sha256: String,
    /// Display name of whoever uploaded it.
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// A file handed out: what it is and its bytes, exactly as uploaded.
#[derive(Debug, Clone)]
pub struct Download {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

fn corrupt(what: String) -> AppError {
    AppError::Store(StoreError::Corrupt(what))
}

/// Associated data of an attachment's sealed values: the attachment and its owner.
fn slot_row(id: Uuid, owner: Owner) -> String {
    format!("{id}:{}:{}", owner.kind(), owner.id())
}

fn seal(
    cipher: &FieldCipher,
    id: Uuid,
    owner: Owner,
    name: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let row = slot_row(id, owner);
    let slot = |field| Slot {
        table: TABLE,
        row: &row,
        field,
    };
    let name = cipher.seal(slot("filename"), name);
    let content = cipher
        .seal(slot("content"), &B64.encode(bytes))
        .into_bytes();
    (name, content)
}

fn open_name(cipher: &FieldCipher, row: &AttachmentRow) -> Result<String> {
    let owner = Owner::from_stored(&row.owner_type, row.owner_id)?;
    let slot_row = slot_row(row.id, owner);
    Ok(cipher.open(
        Slot {
            table: TABLE,
            row: &slot_row,
            field: "filename",
        },
        &row.filename,
    )?)
}

/// The original bytes, checked against the stored SHA-256.
fn open_content(cipher: &FieldCipher, row: &AttachmentRow, sealed: Vec<u8>) -> Result<Vec<u8>> {
    let owner = Owner::from_stored(&row.owner_type, row.owner_id)?;
    let slot_row = slot_row(row.id, owner);
    let sealed =
        String::from_utf8(sealed).map_err(|_| hearth_store::crypto::CryptoError::Format)?;
    let encoded = cipher.open(
        Slot {
            table: TABLE,
            row: &slot_row,
            field: "content",
        },
        &sealed,
    )?;
    let bytes = B64
        .decode(encoded)
        .map_err(|e| corrupt(format!("attachment {}: {e}", row.id)))?;
    if hex::encode(Sha256::digest(&bytes)) != row.sha256 {
        return Err(corrupt(format!(
            "attachment {}: the file no longer matches its SHA-256",
            row.id
        )));
    }
    Ok(bytes)
}

/// What callers see of stored rows: the name opened, the uploader's display name (looked up
/// once each).
async fn info(
    tx: &mut Tx,
    cipher: &FieldCipher,
    rows: &[AttachmentRow],
) -> Result<Vec<AttachmentInfo>> {
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for row in rows {
        if let Entry::Vacant(slot) = names.entry(row.uploaded_by) {
            let user = users::get(tx, row.uploaded_by).await?;
            slot.insert(user.map(|u| u.display_name).unwrap_or_default());
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(AttachmentInfo {
            id: row.id,
            owner_type: row.owner_type.clone(),
            owner_id: row.owner_id,
            purpose: row.purpose.clone(),
            filename: open_name(cipher, row)?,
            content_type: row.content_type.clone(),
            size_bytes: row.size_bytes,
            sha256: row.sha256.clone(),
            uploaded_by: names.get(&row.uploaded_by).cloned().unwrap_or_default(),
            uploaded_at: row.uploaded_at,
        });
    }
    Ok(out)
}

fn event_detail(row: &AttachmentRow) -> serde_json::Value {
    serde_json::json!({
        "attachment": row.id.to_string(),
        "purpose": row.purpose,
        "content_type": row.content_type,
        "size": row.size_bytes,
        "sha256": row.sha256,
    })
}

async fn record(tx: &mut Tx, caller: &Caller, action: &str, row: &AttachmentRow) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: &row.owner_type,
            record_id: row.owner_id.to_string(),
            detail: event_detail(row),
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// Stores a file for `owner` after checking the caller may attach to it and the file is a
    /// PDF, JPEG or PNG of at most 5 MiB; the upload is audited.
    pub async fn attach(
        &self,
        caller: &Caller,
        owner: Owner,
        purpose: Purpose,
        upload: &Upload,
    ) -> Result<AttachmentInfo> {
        if !purpose.fits(owner) {
            return Err(Invalid::new("purpose", "dict.unknown")
                .arg("value", purpose.as_str())
                .into());
        }
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        owner.may_attach(&mut tx, caller).await?;
        let kind = check(&upload.bytes)?;
        purpose.accepts(kind)?;
        let id = Uuid::now_v7();
        let name = sanitize_filename(&upload.filename, kind);
        let (sealed_name, sealed_content) = seal(cipher, id, owner, &name, &upload.bytes);
        let row = AttachmentRow {
            id,
            owner_type: owner.kind().to_owned(),
            owner_id: owner.id(),
            purpose: purpose.as_str().to_owned(),
            filename: sealed_name,
            content_type: kind.mime().to_owned(),
            size_bytes: upload.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&upload.bytes)),
            uploaded_by: caller.user.id,
            uploaded_at: hearth_store::now(),
        };
        attachments::insert(&mut tx, &row, &sealed_content).await?;
        record(&mut tx, caller, "attachment_uploaded", &row).await?;
        let info = info(&mut tx, cipher, std::slice::from_ref(&row))
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(info)
    }

    /// The files of `owner`, newest first, for callers who may download them.
    pub async fn attachments(&self, caller: &Caller, owner: Owner) -> Result<Vec<AttachmentInfo>> {
        let cipher = self.cipher()?;
        let mut tx = self.store().read().await?;
        owner.may_read(&mut tx, caller).await?;
        let rows = attachments::for_owner(&mut tx, owner.kind(), owner.id()).await?;
        info(&mut tx, cipher, &rows).await
    }

    /// One file, exactly as uploaded, for a caller who may read its owner; every download is
    /// written to the audit log in the same transaction. Unknown ids and owners outside the
    /// caller's scope are "not found" alike.
    pub async fn download_attachment(&self, caller: &Caller, id: Uuid) -> Result<Download> {
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let row = attachments::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = Owner::from_stored(&row.owner_type, row.owner_id)?;
        owner.may_read(&mut tx, caller).await?;
        let sealed = attachments::content(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let bytes = open_content(cipher, &row, sealed)?;
        let info = info(&mut tx, cipher, std::slice::from_ref(&row))
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        record(&mut tx, caller, "attachment_downloaded", &row).await?;
        tx.commit().await?;
        Ok(Download { info, bytes })
    }
}

/// Re-seals every attachment under `new` inside the caller's transaction (key rotation), one
/// file in memory at a time; returns how many.
pub(crate) async fn reseal_all(tx: &mut Tx, old: &FieldCipher, new: &FieldCipher) -> Result<usize> {
    let ids = attachments::all_ids(tx).await?;
    for id in &ids {
        let row = attachments::get(tx, *id).await?.ok_or(AppError::NotFound)?;
        let owner = Owner::from_stored(&row.owner_type, row.owner_id)?;
        let sealed = attachments::content(tx, *id)
            .await?
            .ok_or(AppError::NotFound)?;
        let name = open_name(old, &row)?;
        let bytes = open_content(old, &row, sealed)?;
        let (sealed_name, sealed_content) = seal(new, row.id, owner, &name, &bytes);
        attachments::reseal(tx, row.id, &sealed_name, &sealed_content).await?;
    }
    Ok(ids.len())
}

/// Removes the files of a record whose retention ended (purge), inside the caller's transaction.
pub(crate) async fn forget(tx: &mut Tx, owner: Owner) -> Result<u64> {
    Ok(attachments::delete_for_owner(tx, owner.kind(), owner.id()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_known_by_their_first_bytes_only() {
        assert_eq!(check(b"%PDF-1.7\n..."), Ok(FileType::Pdf));
        assert_eq!(
            check(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(FileType::Jpeg)
        );
        assert_eq!(check(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(FileType::Png));
        for refused in [
            &b"<!DOCTYPE html><html><script>alert(1)</script>"[..],
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            b" %PDF-1.7",
            b"GIF89a",
            b"PK\x03\x04",
            b"\x89PNG\r\n",
        ] {
            let e = check(refused).unwrap_err();
            assert_eq!((e.field(), e.code()), (FIELD, "attachment.type"));
        }
        assert_eq!(check(b"").unwrap_err().code(), "attachment.empty");
    }

    #[test]
    fn the_limit_is_five_mebibytes_exactly() {
        let mut at_limit = b"%PDF-".to_vec();
        at_limit.resize(MAX_BYTES, b' ');
        assert_eq!(check(&at_limit), Ok(FileType::Pdf));
        at_limit.push(b' ');
        let e = check(&at_limit).unwrap_err();
        assert_eq!((e.field(), e.code()), (FIELD, "attachment.too_large"));
    }

    #[test]
    fn names_are_cleaned_and_end_in_the_detected_type() {
        use FileType::*;
        assert_eq!(
            sanitize_filename("同意书 柏青山.pdf", Pdf),
            "同意书 柏青山.pdf"
        );
        assert_eq!(
            sanitize_filename("C:\\scans\\IMG_0001.JPG", Jpeg),
            "IMG_0001.JPG"
        );
        assert_eq!(sanitize_filename("../../etc/passwd", Png), "passwd.png");
        assert_eq!(sanitize_filename("page.html", Pdf), "page.html.pdf");
        assert_eq!(sanitize_filename("a\"b;c\r\nd.png", Png), "a_b_cd.png");
        assert_eq!(
            sanitize_filename("evil\u{202E}fdp.exe", Pdf),
            "evilfdp.exe.pdf"
        );
        assert_eq!(sanitize_filename("", Png), "scan.png");
        assert_eq!(sanitize_filename(" ..pdf ", Pdf), "scan.pdf");
        let long = format!("{}.jpeg", "扫".repeat(300));
        let cut = sanitize_filename(&long, Jpeg);
        assert_eq!(cut.chars().count(), MAX_NAME);
        assert!(cut.ends_with(".jpeg"), "{cut}");
    }
}
