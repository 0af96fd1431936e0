//! The signature image (签名图片) and photos (发放照片) of a handover, a cash aid paper or a
//! pledge's delivery, on that paper's page: the images themselves (served by
//! `/attachments/{id}` with `nosniff` and as a download, so an `<img>` shows them and a
//! browser never renders them as a page), and one upload form per kind. The upload form is `multipart/form-data` and carries its CSRF
//! token and purpose in the action URL. Who may see or attach is decided in `hearth-app`
//! (`handover_files`); the panel only leaves out what the use cases would refuse.

use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::pages::attachments::{store_upload, upload_action};
use crate::pages::{FormErrors, Frame, Section, local_time, query_string, render, with_query};
use crate::tr::Tr;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_app::AppError;
use hearth_app::attachments::{Owner, Purpose};
use hearth_core::permission::Permission;

/// One stored image.
pub(crate) struct Image {
    pub href: String,
    pub filename: String,
    pub kind: &'static str,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// One upload form: its purpose's label and action, and why the last upload was refused.
pub(crate) struct UploadForm {
    pub purpose: &'static str,
    pub label: &'static str,
    pub action: String,
    pub error: String,
}

/// What `stock_files.html` shows.
pub(crate) struct FilesPanel {
    pub can_see: bool,
    pub images: Vec<Image>,
    pub forms: Vec<UploadForm>,
}

const PURPOSES: [(Purpose, &str); 2] = [
    (Purpose::Signature, "money_form.signature_image"),
    (Purpose::HandoverPhoto, "money_form.photo"),
];

/// The panel of `owner`, whose page is `path`; `refused` is a refused upload's purpose and
/// reasons, shown beside that form's file input.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    owner: Owner,
    path: &str,
    refused: Option<(Purpose, FormErrors)>,
) -> Result<FilesPanel, PageError> {
    let caller = &signed.caller;
    let images = if caller.can(Permission::RevealHouseholdDetails) {
        match state.app.attachments(caller, owner).await {
            Ok(list) => Some(list),
            Err(AppError::Forbidden) => None,
            Err(e) => return Err(PageError::new(e, t)),
        }
    } else {
        None
    };
    let attaching = match owner {
        Owner::Delivery(_) => Permission::RecordDeliveries,
        _ => Permission::ManageStock,
    };
    let forms = if caller.can(attaching) {
        PURPOSES
            .iter()
            .map(|(purpose, label)| UploadForm {
                purpose: purpose.as_str(),
                label: t.t(label),
                action: with_query(
                    &upload_action(signed, &format!("{path}/files")),
                    &query_string(&[("purpose", purpose.as_str().to_owned())]),
                ),
                error: match &refused {
                    Some((p, errors)) if p == purpose => errors.all().join("；"),
                    _ => String::new(),
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(FilesPanel {
        can_see: images.is_some(),
        images: images
            .unwrap_or_default()
            .iter()
            .map(|a| Image {
                href: format!("/attachments/{}", a.id),
                filename: a.filename.clone(),
                kind: if a.purpose == Purpose::Signature.as_str() {
                    t.t("money_form.signature_image")
                } else {
                    t.t("money_form.photo")
                },
                uploaded_by: a.uploaded_by.clone(),
                uploaded_at: local_time(t, a.uploaded_at),
            })
            .collect(),
        forms,
    })
}

/// `POST {path}/files?purpose=…&_csrf=…` (multipart) for the paper `owner` whose page is
/// `path`: stored, back to the page with a notice; refused, `show` answers with the page again
/// and the reason beside that form's file input.
pub(crate) async fn upload<F, Fut>(
    (state, signed, t): (&AppState, &Signed, Tr),
    (owner, path): (Owner, &str),
    raw: Option<&str>,
    multipart: Result<Multipart, MultipartRejection>,
    show: F,
) -> Result<Response, PageError>
where
    F: FnOnce(Option<(Purpose, FormErrors)>) -> Fut,
    Fut: Future<Output = Result<Response, PageError>>,
{
    let asked = super::value(&super::pairs(raw), "purpose").to_owned();
    let purpose = Purpose::of_handover(&asked).map_err(|e| PageError::new(AppError::from(e), t))?;
    match store_upload(state, signed, t, owner, purpose, multipart).await? {
        Ok(()) => Ok(Redirect::to(&format!("{path}?notice=uploaded#files")).into_response()),
        Err(errors) => show(Some((purpose, errors))).await,
    }
}

/// The page of one handover, cash aid paper or delivery: what it says, then its images.
#[derive(askama::Template)]
#[template(path = "stock_paper.html")]
struct PaperPage {
    t: Tr,
    frame: Frame,
    heading: String,
    notice: Option<&'static str>,
    /// Label and value, in the paper's order.
    facts: Vec<(String, String)>,
    files: FilesPanel,
    back_href: String,
}

/// What a paper's page says, as its module reads it.
pub(crate) struct Paper {
    pub owner: Owner,
    /// The page's address; uploads post to `{path}/files`.
    pub path: String,
    pub section: Section,
    /// The page it is reached from (the list, the letter): address and name.
    pub back: (String, String),
    pub number: String,
    pub heading: String,
    /// Locale key of each label and its value, in the paper's order.
    pub facts: Vec<(&'static str, String)>,
}

/// The paper's page with its images; `refused` is a refused upload (422, the reason beside
/// that form's file input).
pub(crate) async fn show(
    (state, signed, t): (&AppState, &Signed, Tr),
    paper: Paper,
    notice: Option<&'static str>,
    refused: Option<(Purpose, FormErrors)>,
) -> Result<Response, PageError> {
    let status = match refused {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let files = panel(state, signed, t, paper.owner, &paper.path, refused).await?;
    let (back_href, back_label) = paper.back;
    let page = PaperPage {
        frame: Frame::new(signed, t, paper.section, &paper.path, paper.number)
            .with_crumb(back_href.clone(), back_label),
        heading: paper.heading,
        notice,
        facts: paper
            .facts
            .into_iter()
            .map(|(k, v)| (t.t(k).to_owned(), v))
            .collect(),
        files,
        back_href,
        t,
    };
    Ok(render(status, &page, t))
}

/// The notice a paper's page opens with: just recorded, or an image just stored.
pub(crate) fn notice(raw: Option<&str>) -> Option<&'static str> {
    let q = super::pairs(raw);
    match super::value(&q, "notice") {
        "recorded" => Some("money_form.notice_recorded"),
        "uploaded" => Some("att_page.notice_uploaded"),
        _ => None,
    }
}
