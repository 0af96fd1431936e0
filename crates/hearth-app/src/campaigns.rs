//! Campaigns: the bureau plans and launches them, enrols organizations in numbered batches
//! (第一批 …) or approves their applications; each step is logged.

use crate::areas::CampaignAreas;
use crate::organizations::serves_campaign_area;
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::campaign::{CampaignAction, CampaignInput, CampaignStatus, EnrolmentStatus};
use hearth_core::organization::OrgStatus;
use hearth_core::permission::Permission;
use hearth_store::Tx;
use hearth_store::audit::{self, NewEvent};
use hearth_store::campaigns::{self, Campaign, Enrolment};
use uuid::Uuid;

pub use hearth_store::campaigns::{Campaign as CampaignRecord, Enrolment as EnrolmentRecord};

const RECORD: &str = "campaign";

async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    id: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let actor = caller.actor();
    audit::append(
        tx,
        NewEvent {
            actor: &actor,
            action,
            record_type: RECORD,
            record_id: id.to_string(),
            detail,
            reason: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// The campaign if it is one of the caller's counties', else "not found".
async fn found(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<Campaign> {
    let campaign = campaigns::get(tx, id).await?;
    CampaignAreas::load(tx, caller)
        .await?
        .visible(caller, campaign)
}

impl App {
    pub async fn create_campaign(
        &self,
        caller: &Caller,
        input: &CampaignInput,
    ) -> Result<Campaign> {
        caller.require(Permission::ManageCampaigns)?;
        let profile = input.parse().map_err(AppError::Invalid)?;
        let mut tx = self.store().write().await?;
        if let Some(existing) = campaigns::by_code(&mut tx, &profile.code).await? {
            return Err(AppError::Conflict(
                Invalid::new("code", "campaign.duplicate_code")
                    .arg("code", &profile.code)
                    .arg("name", existing.profile.name),
            ));
        }
        let now = hearth_store::now();
        let campaign = Campaign {
            id: Uuid::now_v7(),
            profile,
            status: CampaignStatus::Planned,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        campaigns::insert(&mut tx, &campaign).await?;
        // The county that creates a campaign runs it; its figures stay with that county.
        if let Some(area) = caller.area_scope()? {
            hearth_store::areas::set_campaign_area(&mut tx, campaign.id, area).await?;
        }
        record(
            &mut tx,
            caller,
            "campaign_created",
            campaign.id,
            serde_json::json!({"code": campaign.profile.code}),
        )
        .await?;
        tx.commit().await?;
        Ok(campaign)
    }

    pub async fn campaigns(&self, caller: &Caller) -> Result<Vec<Campaign>> {
        caller.require(Permission::ReadCampaigns)?;
        let mut tx = self.store().read().await?;
        let areas = CampaignAreas::load(&mut tx, caller).await?;
        let mut all = campaigns::list(&mut tx).await?;
        all.retain(|c| areas.reaches(caller, c.id));
        Ok(all)
    }

    /// A campaign by id or by its code.
    pub async fn campaign(
        &self,
        caller: &Caller,
        id_or_code: &str,
    ) -> Result<(Campaign, Vec<Enrolment>)> {
        caller.require(Permission::ReadCampaigns)?;
        let mut tx = self.store().read().await?;
        let campaign = match Uuid::parse_str(id_or_code) {
            Ok(id) => campaigns::get(&mut tx, id).await?,
            Err(_) => campaigns::by_code(&mut tx, id_or_code).await?,
        };
        let campaign = CampaignAreas::load(&mut tx, caller)
            .await?
            .visible(caller, campaign)?;
        let mut enrolments = campaigns::enrolments(&mut tx, campaign.id).await?;
        if !caller.can(Permission::ManageCampaigns) {
            // Others see who takes part; an organization also sees its own application.
            enrolments.retain(|e| {
                e.status == EnrolmentStatus::Enrolled
                    || Some(e.organization_id) == caller.user.organization_id
            });
        }
        Ok((campaign, enrolments))
    }

    /// 启动, 结束, 公示: one step forward, by the bureau, logged.
    pub async fn advance_campaign(
        &self,
        caller: &Caller,
        id: Uuid,
        action: CampaignAction,
    ) -> Result<Campaign> {
        caller.require(Permission::ManageCampaigns)?;
        let mut tx = self.store().write().await?;
        let current = found(&mut tx, caller, id).await?;
        let status = current.status.next(action)?;
        let updated = Campaign {
            status,
            version: current.version + 1,
            updated_at: hearth_store::now(),
            ..current.clone()
        };
        if !campaigns::update(&mut tx, &updated, current.version).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "org.stale_edit",
            )));
        }
        let detail =
            serde_json::json!({"changed": {"status": [current.status.as_str(), status.as_str()]}});
        record(
            &mut tx,
            caller,
            &format!("campaign_{}", action.as_str()),
            id,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The bureau enrols organizations in batch `batch` (第 n 批); already enrolled ones keep
    /// their first batch. All or none: one inactive or unknown organization refuses the whole call.
    pub async fn enrol_organizations(
        &self,
        caller: &Caller,
        id: Uuid,
        organization_ids: &[Uuid],
        batch: u32,
    ) -> Result<Vec<Enrolment>> {
        caller.require(Permission::ManageCampaigns)?;
        if !(1..=99).contains(&batch) {
            return Err(Invalid::new("batch", "campaign.batch").into());
        }
        let mut tx = self.store().write().await?;
        let campaign = found(&mut tx, caller, id).await?;
        if matches!(
            campaign.status,
            CampaignStatus::Closed | CampaignStatus::Disclosed
        ) {
            return Err(Invalid::new("status", "campaign.not_enrollable").into());
        }
        let now = hearth_store::now();
        let campaign_area = CampaignAreas::load(&mut tx, caller).await?.of(id).cloned();
        for (index, org_id) in organization_ids.iter().enumerate() {
            let unknown = || {
                Invalid::new(
                    format!("organizations[{index}]"),
                    "user.organization_unknown",
                )
                .arg("value", org_id)
            };
            // An organization of another county is as unknown here as one never registered.
            let org = match crate::organizations::visible(&mut tx, caller, *org_id).await {
                Err(AppError::NotFound) => return Err(unknown().into()),
                found => found?,
            };
            if !serves_campaign_area(&mut tx, org.id, campaign_area.as_ref()).await? {
                return Err(unknown().into());
            }
            if org.status != OrgStatus::Active {
                return Err(Invalid::new(
                    format!("organizations[{index}]"),
                    "campaign.org_inactive",
                )
                .arg("name", &org.profile.name)
                .into());
            }
            let existing = campaigns::enrolment(&mut tx, id, *org_id).await?;
            if existing
                .as_ref()
                .is_some_and(|e| e.status == EnrolmentStatus::Enrolled)
            {
                continue;
            }
            let enrolment = Enrolment {
                campaign_id: id,
                organization_id: *org_id,
                batch: Some(batch),
                status: EnrolmentStatus::Enrolled,
                applied_at: existing.and_then(|e| e.applied_at),
                decided_at: Some(now),
                decided_by: Some(caller.user.id),
            };
            campaigns::put_enrolment(&mut tx, &enrolment).await?;
            record(
                &mut tx,
                caller,
                "organization_enrolled",
                id,
                serde_json::json!({"organization": org_id.to_string(), "batch": batch}),
            )
            .await?;
        }
        let all = campaigns::enrolments(&mut tx, id).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// An organization asks to take part; the bureau decides with [`App::decide_application`].
    pub async fn apply_to_campaign(&self, caller: &Caller, id: Uuid) -> Result<Enrolment> {
        caller.require(Permission::ApplyToCampaigns)?;
        let org_id = caller.user.organization_id.ok_or(AppError::Forbidden)?;
        let mut tx = self.store().write().await?;
        let campaign = found(&mut tx, caller, id).await?;
        // A county's campaign takes only that county's organizations; to one of another
        // county the campaign is as unknown as it is to that county's officers.
        let campaign_area = CampaignAreas::load(&mut tx, caller).await?.of(id).cloned();
        if !serves_campaign_area(&mut tx, org_id, campaign_area.as_ref()).await? {
            return Err(AppError::NotFound);
        }
        if matches!(
            campaign.status,
            CampaignStatus::Closed | CampaignStatus::Disclosed
        ) {
            return Err(Invalid::new("status", "campaign.not_enrollable").into());
        }
        if let Some(existing) = campaigns::enrolment(&mut tx, id, org_id).await? {
            return Ok(existing);
        }
        let enrolment = Enrolment {
            campaign_id: id,
            organization_id: org_id,
            batch: None,
            status: EnrolmentStatus::Applied,
            applied_at: Some(hearth_store::now()),
            decided_at: None,
            decided_by: None,
        };
        campaigns::put_enrolment(&mut tx, &enrolment).await?;
        record(
            &mut tx,
            caller,
            "campaign_applied",
            id,
            serde_json::json!({"organization": org_id.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(enrolment)
    }

    /// The bureau approves an application into a batch, or rejects it.
    pub async fn decide_application(
        &self,
        caller: &Caller,
        id: Uuid,
        organization: Uuid,
        approve: bool,
        batch: u32,
    ) -> Result<Enrolment> {
        caller.require(Permission::ManageCampaigns)?;
        if approve {
            self.enrol_organizations(caller, id, &[organization], batch)
                .await?;
            let mut tx = self.store().read().await?;
            return campaigns::enrolment(&mut tx, id, organization)
                .await?
                .ok_or(AppError::NotFound);
        }
        let mut tx = self.store().write().await?;
        found(&mut tx, caller, id).await?;
        let mut enrolment = campaigns::enrolment(&mut tx, id, organization)
            .await?
            .filter(|e| e.status == EnrolmentStatus::Applied)
            .ok_or(AppError::NotFound)?;
        enrolment.status = EnrolmentStatus::Rejected;
        enrolment.decided_at = Some(hearth_store::now());
        enrolment.decided_by = Some(caller.user.id);
        campaigns::put_enrolment(&mut tx, &enrolment).await?;
        record(
            &mut tx,
            caller,
            "campaign_application_rejected",
            id,
            serde_json::json!({"organization": organization.to_string()}),
        )
        .await?;
        tx.commit().await?;
        Ok(enrolment)
    }
}
