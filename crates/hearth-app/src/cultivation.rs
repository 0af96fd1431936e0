//! Cultivating organizations (培育): each organization's record across campaigns — pledges made,
//! kept, lapsed, cancelled and in progress, households served, value pledged, follow-up visits
//! and the activities it logged — so the bureau sees whom to support and develop; the
//! evaluation grades the bureau records (社会组织评估等级); and the activities themselves.
//!
//! Who may do what: whoever may read an organization reads its record, activities and grades
//! (an organization only its own). A member logs activities for its own organization, the
//! county for any. Only the county records grades ([`Permission::RateOrganizations`]); the
//! registry's rating column follows the current grade, the latest one still valid (and keeps
//! what was entered in the registry while no recorded grade is in force). Pledge
//! statuses are derived on the day asked, never stored. Every addition is audited against the
//! organization, so its change history shows it.

use crate::needs::find_campaign;
use crate::organizations::visible;
use crate::{App, AppError, Caller, Result, today};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use hearth_core::campaign::{CampaignStatus, EnrolmentStatus};
use hearth_core::cultivation::{ActivityInput, Grade, PledgeTally, RatingInput};
use hearth_core::organization::{Organization, ServiceField};
use hearth_core::permission::Permission;
use hearth_core::{Fen, Invalid};
use hearth_store::audit::{self, NewEvent};
use hearth_store::campaigns::{self, Campaign};
use hearth_store::cultivation::{self as store, ActivityRow, RatingRow};
use hearth_store::pledges::{self, Pledge, PledgeFilter};
use hearth_store::{Tx, organizations, users, visits};
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One evaluation as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    pub id: Uuid,
    pub grade: Grade,
    pub rated_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub note: String,
    /// Valid on the day asked.
    pub in_force: bool,
    /// Display name of whoever recorded it.
    pub rated_by: String,
    pub created_at: DateTime<Utc>,
}

/// The organization's grades: the one in force and every evaluation, the latest first.
#[derive(Debug, Clone, Serialize)]
pub struct Ratings {
    pub current: Option<RatingView>,
    pub history: Vec<RatingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub campaign_code: String,
    pub campaign_name: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub participants: u32,
    pub title: String,
    pub summary: String,
    /// Display name of whoever logged it.
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

/// The organization in one campaign.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignRecord {
    pub campaign_id: Uuid,
    pub code: String,
    pub name: String,
    pub year: i32,
    pub status: CampaignStatus,
    /// Enrolled (已报名) in the campaign.
    pub enrolled: bool,
    pub pledges: PledgeTally,
    /// Distinct households named in signed pledges that were not cancelled.
    pub households_served: usize,
    /// Cash and item value of those pledges.
    pub cash: Fen,
    pub items: Fen,
    pub activities: usize,
}

/// All campaigns together. Households count once however many campaigns served them;
/// activities include those linked to no campaign.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordTotals {
    pub pledges: PledgeTally,
    pub households_served: usize,
    pub cash: Fen,
    pub items: Fen,
    pub activities: usize,
    /// Follow-up visits (回访) the organization recorded.
    pub visits: i64,
}

/// 培育档案: what the bureau weighs when it decides whom to support and develop.
#[derive(Debug, Clone, Serialize)]
pub struct OrganizationRecord {
    pub organization_id: Uuid,
    pub name: String,
    pub service_fields: Vec<ServiceField>,
    pub service_areas: Vec<AreaCode>,
    pub current_rating: Option<RatingView>,
    /// Campaigns it is enrolled in or acted in, the latest first.
    pub campaigns: Vec<CampaignRecord>,
    pub totals: RecordTotals,
}

/// The organization, if the caller may log activities for it: a member for its own, the
/// county for any. Outside the caller's sight it is "not found".
async fn loggable(tx: &mut Tx, caller: &Caller, org: Uuid) -> Result<Organization> {
    let organization = visible(tx, caller, org).await?;
    let own =
        caller.can(Permission::EditOwnOrganization) && caller.user.organization_id == Some(org);
    if own || caller.can(Permission::ManageOrganizations) {
        Ok(organization)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Refuses unless the caller may add photos to (`write`) or see the photos of this activity.
pub(crate) async fn check_activity(
    tx: &mut Tx,
    caller: &Caller,
    activity: Uuid,
    write: bool,
) -> Result<()> {
    let row = store::activity(tx, activity)
        .await?
        .ok_or(AppError::NotFound)?;
    if write {
        loggable(tx, caller, row.organization_id).await?;
    } else {
        visible(tx, caller, row.organization_id).await?;
    }
    Ok(())
}

/// Display names of the given users, looked up once each.
async fn names(tx: &mut Tx, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>> {
    let mut out = HashMap::new();
    for id in ids {
        if let Entry::Vacant(slot) = out.entry(id) {
            let name = users::get(tx, id).await?.map(|u| u.display_name);
            slot.insert(name.unwrap_or_default());
        }
    }
    Ok(out)
}

async fn rating_views(tx: &mut Tx, rows: &[RatingRow], today: NaiveDate) -> Result<Ratings> {
    let who = names(tx, rows.iter().map(|r| r.rated_by).collect()).await?;
    let history: Vec<RatingView> = rows
        .iter()
        .map(|r| RatingView {
            id: r.id,
            grade: r.rating.grade,
            rated_on: r.rating.rated_on,
            valid_until: r.rating.valid_until,
            note: r.rating.note.clone(),
            in_force: r.rating.in_force(today),
            rated_by: who.get(&r.rated_by).cloned().unwrap_or_default(),
            created_at: r.created_at,
        })
        .collect();
    // The rows come latest decision first, so the first one in force is the current grade.
    let current = history.iter().find(|r| r.in_force).cloned();
    Ok(Ratings { current, history })
}

async fn activity_views(tx: &mut Tx, rows: &[ActivityRow]) -> Result<Vec<ActivityView>> {
    let who = names(tx, rows.iter().map(|a| a.created_by).collect()).await?;
    let campaigns: HashMap<Uuid, Campaign> = campaigns::list(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(rows
        .iter()
        .map(|a| {
            let campaign = a.campaign_id.and_then(|id| campaigns.get(&id));
            ActivityView {
                id: a.id,
                organization_id: a.organization_id,
                campaign_id: a.campaign_id,
                campaign_code: campaign.map(|c| c.profile.code.clone()).unwrap_or_default(),
                campaign_name: campaign.map(|c| c.profile.name.clone()).unwrap_or_default(),
                held_on: a.held_on,
                place: a.place.clone(),
                participants: a.participants,
                title: a.title.clone(),
                summary: a.summary.clone(),
                recorded_by: who.get(&a.created_by).cloned().unwrap_or_default(),
                created_at: a.created_at,
            }
        })
        .collect())
}

/// The campaign an activity names, which the organization must be enrolled in.
async fn activity_campaign(tx: &mut Tx, org: Uuid, raw: Option<&str>) -> Result<Option<Uuid>> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let campaign = find_campaign(tx, raw).await?.ok_or_else(|| {
        AppError::from(Invalid::new("campaign", "need.campaign_unknown").arg("value", raw))
    })?;
    let enrolled = campaigns::enrolment(tx, campaign.id, org)
        .await?
        .is_some_and(|e| e.status == EnrolmentStatus::Enrolled);
    if !enrolled {
        return Err(Invalid::new("campaign", "cultivation.not_enrolled")
            .arg("name", &campaign.profile.name)
            .into());
    }
    Ok(Some(campaign.id))
}

async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    org: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: "organization",
            record_id: org.to_string(),
            detail,
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// Puts the grade in force into the registry's rating column, so lists and exports show it.
/// With no grade in force the column keeps what the registry says. Returns the change for the
/// audit log, if there was one.
async fn follow_current_grade(
    tx: &mut Tx,
    org: Organization,
    current: Option<Grade>,
) -> Result<Option<serde_json::Value>> {
    let Some(new) = current.map(|g| g.as_str().to_owned()) else {
        return Ok(None);
    };
    if org.profile.rating.as_deref() == Some(new.as_str()) {
        return Ok(None);
    }
    let change = serde_json::json!([org.profile.rating, new]);
    let version = org.version;
    let mut updated = org;
    updated.profile.rating = Some(new);
    updated.version = version + 1;
    updated.updated_at = hearth_store::now();
    if !organizations::update(tx, &updated, version).await? {
        return Err(AppError::Conflict(Invalid::new(
            "version",
            "org.stale_edit",
        )));
    }
    Ok(Some(change))
}

/// Tallies one campaign's pledges: statuses as on `today`, households and value of the signed
/// ones not cancelled.
fn tally(list: &[&Pledge], today: NaiveDate) -> (PledgeTally, HashSet<Uuid>, Fen, Fen) {
    let mut counts = PledgeTally::default();
    let mut households = HashSet::new();
    let (mut cash, mut items) = (Fen::ZERO, Fen::ZERO);
    for p in list {
        let signed = p.row.signed_at.is_some();
        counts.count(signed, p.status(today));
        if signed && p.row.cancelled_at.is_none() {
            households.extend(p.households.iter().map(|h| h.household_id));
            let totals = p.totals();
            cash += totals.cash;
            items += totals.items;
        }
    }
    (counts, households, cash, items)
}

impl App {
    /// 登记活动: an activity the organization held, logged after the fact.
    pub async fn record_activity(
        &self,
        caller: &Caller,
        org: Uuid,
        input: &ActivityInput,
    ) -> Result<ActivityView> {
        self.record_activity_on(caller, org, input, today()).await
    }

    /// [`App::record_activity`] as on `today` (the activity cannot lie after it).
    pub async fn record_activity_on(
        &self,
        caller: &Caller,
        org: Uuid,
        input: &ActivityInput,
        today: NaiveDate,
    ) -> Result<ActivityView> {
        let mut tx = self.store().write().await?;
        let organization = loggable(&mut tx, caller, org).await?;
        let activity = input.parse(today).map_err(AppError::Invalid)?;
        let campaign_id =
            activity_campaign(&mut tx, organization.id, activity.campaign.as_deref()).await?;
        let now = hearth_store::now();
        let row = ActivityRow {
            id: Uuid::now_v7(),
            organization_id: organization.id,
            campaign_id,
            held_on: activity.held_on,
            place: activity.place,
            participants: activity.participants,
            title: activity.title,
            summary: activity.summary,
            created_by: caller.user.id,
            created_at: now,
            updated_at: now,
        };
        store::insert_activity(&mut tx, &row).await?;
        let detail = serde_json::json!({
            "activity": row.id.to_string(),
            "title": row.title,
            "held_on": row.held_on.to_string(),
            "place": row.place,
            "participants": row.participants,
            "campaign": row.campaign_id.map(|c| c.to_string()),
        });
        record(
            &mut tx,
            caller,
            "organization_activity_recorded",
            org,
            detail,
        )
        .await?;
        let view = activity_views(&mut tx, std::slice::from_ref(&row)).await?;
        tx.commit().await?;
        view.into_iter().next().ok_or(AppError::NotFound)
    }

    /// The organization's activities, the most recent first.
    pub async fn activities(&self, caller: &Caller, org: Uuid) -> Result<Vec<ActivityView>> {
        let mut tx = self.store().read().await?;
        visible(&mut tx, caller, org).await?;
        let rows = store::activities(&mut tx, org).await?;
        activity_views(&mut tx, &rows).await
    }

    /// 登记评估等级: the county records an evaluation; the registry's rating follows the grade
    /// in force.
    pub async fn rate_organization(
        &self,
        caller: &Caller,
        org: Uuid,
        input: &RatingInput,
    ) -> Result<RatingView> {
        self.rate_organization_on(caller, org, input, today()).await
    }

    /// [`App::rate_organization`] as on `today` (the decision cannot lie after it).
    pub async fn rate_organization_on(
        &self,
        caller: &Caller,
        org: Uuid,
        input: &RatingInput,
        today: NaiveDate,
    ) -> Result<RatingView> {
        caller.require(Permission::RateOrganizations)?;
        let mut tx = self.store().write().await?;
        let organization = visible(&mut tx, caller, org).await?;
        let rating = input.parse(today).map_err(AppError::Invalid)?;
        let row = RatingRow {
            id: Uuid::now_v7(),
            organization_id: org,
            rating,
            rated_by: caller.user.id,
            created_at: hearth_store::now(),
        };
        store::insert_rating(&mut tx, &row).await?;
        let all = store::ratings(&mut tx, org).await?;
        let ratings = rating_views(&mut tx, &all, today).await?;
        let current = ratings.current.as_ref().map(|r| r.grade);
        let mut detail = serde_json::json!({
            "rating": row.id.to_string(),
            "grade": row.rating.grade.as_str(),
            "rated_on": row.rating.rated_on.to_string(),
            "valid_until": row.rating.valid_until.to_string(),
        });
        if let Some(change) = follow_current_grade(&mut tx, organization, current).await? {
            detail["changed"] = serde_json::json!({ "rating": change });
        }
        record(&mut tx, caller, "organization_rated", org, detail).await?;
        tx.commit().await?;
        let view = ratings.history.into_iter().find(|r| r.id == row.id);
        view.ok_or(AppError::NotFound)
    }

    /// The organization's grades as on today.
    pub async fn ratings(&self, caller: &Caller, org: Uuid) -> Result<Ratings> {
        self.ratings_on(caller, org, today()).await
    }

    /// [`App::ratings`] as on `today` (which grade is in force).
    pub async fn ratings_on(
        &self,
        caller: &Caller,
        org: Uuid,
        today: NaiveDate,
    ) -> Result<Ratings> {
        let mut tx = self.store().read().await?;
        visible(&mut tx, caller, org).await?;
        let rows = store::ratings(&mut tx, org).await?;
        rating_views(&mut tx, &rows, today).await
    }

    /// 培育档案: the organization's record per campaign and in all, with pledge statuses as on
    /// `today`.
    pub async fn organization_record(
        &self,
        caller: &Caller,
        org: Uuid,
        today: NaiveDate,
    ) -> Result<OrganizationRecord> {
        let mut tx = self.store().read().await?;
        let organization = visible(&mut tx, caller, org).await?;
        let filter = PledgeFilter {
            organization: Some(org),
            ..PledgeFilter::default()
        };
        let all_pledges = pledges::search(&mut tx, &filter).await?;
        let activities = store::activities(&mut tx, org).await?;
        let rows = store::ratings(&mut tx, org).await?;
        let current_rating = rating_views(&mut tx, &rows, today).await?.current;
        let mut campaigns = Vec::new();
        let mut served = HashSet::new();
        let mut totals = RecordTotals {
            activities: activities.len(),
            visits: visits::count_by_organization(&mut tx, org).await?,
            ..RecordTotals::default()
        };
        for campaign in campaigns::list(&mut tx).await? {
            let enrolled = campaigns::enrolment(&mut tx, campaign.id, org)
                .await?
                .is_some_and(|e| e.status == EnrolmentStatus::Enrolled);
            let its: Vec<&Pledge> = all_pledges
                .iter()
                .filter(|p| p.row.campaign_id == campaign.id)
                .collect();
            let held = activities
                .iter()
                .filter(|a| a.campaign_id == Some(campaign.id))
                .count();
            if !enrolled && its.is_empty() && held == 0 {
                continue;
            }
            let (counts, households, cash, items) = tally(&its, today);
            totals.pledges.add(&counts);
            totals.cash += cash;
            totals.items += items;
            campaigns.push(CampaignRecord {
                campaign_id: campaign.id,
                code: campaign.profile.code,
                name: campaign.profile.name,
                year: campaign.profile.year,
                status: campaign.status,
                enrolled,
                pledges: counts,
                households_served: households.len(),
                cash,
                items,
                activities: held,
            });
            served.extend(households);
        }
        totals.households_served = served.len();
        campaigns.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| b.code.cmp(&a.code)));
        Ok(OrganizationRecord {
            organization_id: org,
            name: organization.profile.name,
            service_fields: organization.profile.service_fields,
            service_areas: organization.profile.service_areas,
            current_rating,
            campaigns,
            totals,
        })
    }
}
