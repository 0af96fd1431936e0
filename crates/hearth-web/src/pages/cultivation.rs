//! The cultivation sections of the organization page (培育): the record per campaign with its
//! totals and the grade in force (培育档案), the activities with their photos and the form to
//! log one (活动记录), and the evaluations with the form the county uses (等级评估).
//!
//! The forms post here; a refused one shows the organization page again (422) with every
//! message beside its field and what was typed kept. The photo form is multipart, so it carries
//! its CSRF token in the action URL (see `auth::csrf`). Who may do what is decided in
//! `hearth-app`; the page only leaves out the forms the use cases would refuse.

use super::organizations::{Opt, StatusForm, show_detail};
use super::{FormErrors, form_errors, local_time, query_string, with_query};
use crate::AppState;
use crate::api::attachments::{UPLOAD_BODY_LIMIT, read_upload};
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::Tr;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use chrono::NaiveDate;
use hearth_app::attachments::{Owner, Purpose};
use hearth_app::cultivation::{ActivityView, CampaignRecord, RatingView};
use hearth_app::{AppError, Caller};
use hearth_core::cultivation::{ActivityInput, Grade, PledgeTally, RatingInput};
use hearth_core::organization::Organization;
use hearth_core::permission::Permission;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations/{id}/activities", post(add_activity))
        .route("/organizations/{id}/ratings", post(add_rating))
        .route(
            "/organizations/{id}/activities/{activity}/photos",
            post(upload_photo).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
}

/// The activity form's inputs; errors for other fields go to the box above it.
const ACTIVITY_FIELDS: [&str; 6] = [
    "held_on",
    "place",
    "participants",
    "title",
    "summary",
    "campaign",
];
const RATING_FIELDS: [&str; 4] = ["grade", "rated_on", "valid_until", "note"];

/// What was posted and refused, to show again on the organization page.
pub(crate) enum Posted {
    Nothing,
    Activity(ActivityInput, FormErrors),
    Rating(RatingInput, FormErrors),
    /// A refused photo: the activity and why.
    Photo(Uuid, String),
}

/// One row of the record table (a campaign, or the totals).
pub(crate) struct RecordRow {
    pub name: String,
    pub href: String,
    pub enrolled: bool,
    pub pledges: PledgeTally,
    pub households: usize,
    pub cash: String,
    pub items: String,
    pub activities: usize,
}

pub(crate) struct PhotoLine {
    pub filename: String,
    pub href: String,
}

pub(crate) struct ActivityLine {
    pub held_on: String,
    pub place: String,
    pub participants: u32,
    pub title: String,
    pub summary: String,
    pub campaign: String,
    pub recorded_by: String,
    pub photos: Vec<PhotoLine>,
    /// The photo form's action, with the CSRF token.
    pub upload_action: String,
    pub photo_error: String,
    /// The file input's id, unique on the page.
    pub input_id: String,
}

pub(crate) struct RatingLine {
    pub grade: &'static str,
    pub rated_on: String,
    pub valid_until: String,
    pub note: String,
    pub in_force: bool,
    pub rated_by: String,
    pub recorded_at: String,
}

/// Everything `org_cultivation.html` shows.
pub(crate) struct Panel {
    pub rows: Vec<RecordRow>,
    pub totals: RecordRow,
    pub visits: i64,
    /// The grade in force (`4A级`) and until when, if any.
    pub current: Option<(&'static str, String)>,
    pub activities: Vec<ActivityLine>,
    pub can_log: bool,
    pub activity: ActivityInput,
    pub activity_errors: FormErrors,
    pub activity_others: Vec<String>,
    pub campaigns: Vec<Opt>,
    pub ratings: Vec<RatingLine>,
    pub can_rate: bool,
    pub rating: RatingInput,
    pub rating_errors: FormErrors,
    pub rating_others: Vec<String>,
    pub grades: Vec<Opt>,
}

fn day(t: Tr, date: NaiveDate) -> String {
    date.format(t.t("fmt.date")).to_string()
}

fn record_row(c: &CampaignRecord) -> RecordRow {
    RecordRow {
        name: c.name.clone(),
        href: format!("/campaigns/{}", c.campaign_id),
        enrolled: c.enrolled,
        pledges: c.pledges,
        households: c.households_served,
        cash: c.cash.yuan_string(),
        items: c.items.yuan_string(),
        activities: c.activities,
    }
}

fn rating_line(t: Tr, r: &RatingView) -> RatingLine {
    RatingLine {
        grade: t.t(r.grade.label_key()),
        rated_on: day(t, r.rated_on),
        valid_until: day(t, r.valid_until),
        note: r.note.clone(),
        in_force: r.in_force,
        rated_by: r.rated_by.clone(),
        recorded_at: local_time(t, r.created_at),
    }
}

async fn activity_line(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    a: &ActivityView,
    photo_error: String,
) -> Result<ActivityLine, PageError> {
    let photos = state
        .app
        .attachments(&signed.caller, Owner::Activity(a.id))
        .await
        .map_err(|e| PageError::new(e, t))?
        .iter()
        .filter(|p| p.purpose == Purpose::ActivityPhoto.as_str())
        .map(|p| PhotoLine {
            filename: p.filename.clone(),
            href: format!("/attachments/{}", p.id),
        })
        .collect();
    let csrf = query_string(&[("_csrf", signed.csrf().to_owned())]);
    let action = format!(
        "/organizations/{}/activities/{}/photos",
        a.organization_id, a.id
    );
    Ok(ActivityLine {
        held_on: day(t, a.held_on),
        place: a.place.clone(),
        participants: a.participants,
        title: a.title.clone(),
        summary: a.summary.clone(),
        campaign: a.campaign_name.clone(),
        recorded_by: a.recorded_by.clone(),
        photos,
        upload_action: with_query(&action, &csrf),
        photo_error,
        input_id: format!("f-photo-{}", a.id),
    })
}

fn grade_options(t: Tr, typed: &str) -> Vec<Opt> {
    Grade::ALL
        .iter()
        .rev()
        .map(|g| Opt {
            value: g.as_str().to_owned(),
            label: t.t(g.label_key()).to_owned(),
            selected: typed.trim().eq_ignore_ascii_case(g.as_str()),
        })
        .collect()
}

fn campaign_options(record: &[CampaignRecord], typed: &str) -> Vec<Opt> {
    record
        .iter()
        .filter(|c| c.enrolled)
        .map(|c| Opt {
            value: c.code.clone(),
            label: c.name.clone(),
            selected: typed.trim() == c.code || typed.trim() == c.campaign_id.to_string(),
        })
        .collect()
}

/// The grade in force and until when; with none on record, the registry's entry marked as such.
fn current_grade(
    t: Tr,
    org: &Organization,
    current: Option<&RatingView>,
) -> Option<(&'static str, String)> {
    match current {
        Some(r) => {
            let until = t.f(
                "cultivation.valid_until_short",
                &[("date", day(t, r.valid_until))],
            );
            Some((t.t(r.grade.label_key()), until))
        }
        None => {
            let entered = Grade::parse(org.profile.rating.as_deref()?).ok()?;
            Some((
                t.t(entered.label_key()),
                t.t("cultivation.registry_only").to_owned(),
            ))
        }
    }
}

/// The sections for `org` as `signed` may use them, with a refused form shown again.
pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    t: Tr,
    org: &Organization,
    posted: Posted,
) -> Result<Panel, PageError> {
    let caller = &signed.caller;
    let fail = |e| PageError::new(e, t);
    let today = hearth_app::today();
    let record = state
        .app
        .organization_record(caller, org.id, today)
        .await
        .map_err(fail)?;
    let ratings = state.app.ratings(caller, org.id).await.map_err(fail)?;
    let listed = state.app.activities(caller, org.id).await.map_err(fail)?;
    let (activity, activity_errors, rating, rating_errors, photo) = match posted {
        Posted::Nothing => Default::default(),
        Posted::Activity(input, errors) => {
            (input, errors, Default::default(), Default::default(), None)
        }
        Posted::Rating(input, errors) => {
            (Default::default(), Default::default(), input, errors, None)
        }
        Posted::Photo(id, message) => (
            Default::default(),
            Default::default(),
            Default::default(),
            Default::default(),
            Some((id, message)),
        ),
    };
    let mut activities = Vec::with_capacity(listed.len());
    for a in &listed {
        let error = match &photo {
            Some((id, message)) if *id == a.id => message.clone(),
            _ => String::new(),
        };
        activities.push(activity_line(state, signed, t, a, error).await?);
    }
    let totals = &record.totals;
    Ok(Panel {
        rows: record.campaigns.iter().map(record_row).collect(),
        totals: RecordRow {
            name: t.t("cultivation.total").to_owned(),
            href: String::new(),
            enrolled: false,
            pledges: totals.pledges,
            households: totals.households_served,
            cash: totals.cash.yuan_string(),
            items: totals.items.yuan_string(),
            activities: totals.activities,
        },
        visits: totals.visits,
        current: current_grade(t, org, ratings.current.as_ref()),
        activities,
        can_log: may_log(caller, org.id),
        activity_others: activity_errors.others(&ACTIVITY_FIELDS),
        campaigns: campaign_options(&record.campaigns, &activity.campaign),
        activity,
        activity_errors,
        ratings: ratings.history.iter().map(|r| rating_line(t, r)).collect(),
        can_rate: caller.can(Permission::RateOrganizations),
        rating_others: rating_errors.others(&RATING_FIELDS),
        grades: grade_options(t, &rating.grade),
        rating,
        rating_errors,
    })
}

/// Whether the page offers the activity form: a member for its own organization, the county
/// for any (the use case checks again).
fn may_log(caller: &Caller, org: Uuid) -> bool {
    caller.can(Permission::ManageOrganizations)
        || (caller.can(Permission::EditOwnOrganization) && caller.user.organization_id == Some(org))
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

fn back(id: Uuid, notice: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/organizations/{id}?notice={notice}#{anchor}")).into_response()
}

/// `POST /organizations/{id}/activities`: logged, back to the page; refused, the page again.
pub async fn add_activity(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let fields = super::Fields::parse(&body);
    let input = ActivityInput {
        held_on: fields.get("held_on").into(),
        place: fields.get("place").into(),
        participants: fields.get("participants").into(),
        title: fields.get("title").into(),
        summary: fields.get("summary").into(),
        campaign: fields.get("campaign").into(),
    };
    match state.app.record_activity(&signed.caller, id, &input).await {
        Ok(_) => Ok(back(id, "activity", "activities")),
        Err(e) => {
            let errors = form_errors(t, e)?;
            let posted = Posted::Activity(input, errors);
            show_detail(&state, &signed, t, id, None, StatusForm::default(), posted).await
        }
    }
}

/// `POST /organizations/{id}/ratings`: the county records a grade; refused, the page again.
pub async fn add_rating(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    body: String,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let fields = super::Fields::parse(&body);
    let input = RatingInput {
        grade: fields.get("grade").into(),
        rated_on: fields.get("rated_on").into(),
        valid_until: fields.get("valid_until").into(),
        note: fields.get("note").into(),
    };
    match state
        .app
        .rate_organization(&signed.caller, id, &input)
        .await
    {
        Ok(_) => Ok(back(id, "rating", "ratings")),
        Err(e) => {
            let errors = form_errors(t, e)?;
            let posted = Posted::Rating(input, errors);
            show_detail(&state, &signed, t, id, None, StatusForm::default(), posted).await
        }
    }
}

/// `POST /organizations/{id}/activities/{activity}/photos` (multipart, `?_csrf=`): stored,
/// back to the page; refused, the page again with the reason beside that activity's input.
pub async fn upload_photo(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path((id, activity)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let activity = parse_id(&activity, t)?;
    // The activity must be one of this organization's, so the page returned to is its own.
    let listed = state.app.activities(&signed.caller, id).await;
    if !listed
        .map_err(|e| PageError::new(e, t))?
        .iter()
        .any(|a| a.id == activity)
    {
        return Err(PageError::new(AppError::NotFound, t));
    }
    let outcome = match read_upload(multipart).await {
        Ok(upload) => {
            let owner = Owner::Activity(activity);
            let app = &state.app;
            app.attach(&signed.caller, owner, Purpose::ActivityPhoto, &upload)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(back(id, "photo", "activities")),
        Err(e) => {
            let errors = form_errors(t, e)?;
            let mut message = errors.all().join("；");
            if message.is_empty() {
                message = t.t("error.internal").to_owned();
            }
            let posted = Posted::Photo(activity, message);
            show_detail(&state, &signed, t, id, None, StatusForm::default(), posted).await
        }
    }
}
