//! Demo needs (演示需求) in the launched demo campaign, so the need list, the review buttons and
//! the claim sheet have something to show: every approved demo household gets one or two needs
//! of mixed kinds and urgencies, recorded by its village's officer and reviewed by its town (or
//! the county); most are approved onto the sheet, a few wait for review or were returned, and
//! some are claimed by three county-wide organizations. Everything goes through the use cases.

use super::{DEMO_CAMPAIGN, DEMO_PASSWORD};
use crate::households::HouseholdQuery;
use crate::{App, Caller, Result};
use hearth_core::household::HouseholdStatus;
use hearth_core::need::NeedInput;
use hearth_core::organization::Organization;
use hearth_core::role::Role;
use hearth_core::user::{User, UserStatus, Username};
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::organizations::PageRequest;
use hearth_store::users;
use uuid::Uuid;

/// What a demo need asks for: kind, item or service, quantity, cash, urgency, note.
type Plan = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const PLANS: [&[Plan]; 6] = [
    &[(
        "item",
        "quilt",
        "2",
        "",
        "critical",
        "老人独居，被褥单薄（演示）",
    )],
    &[
        ("item", "rice", "2", "", "urgent", ""),
        ("item", "cooking_oil", "1", "", "normal", ""),
    ],
    &[("cash", "", "", "500", "normal", "冬季取暖电费（演示）")],
    &[(
        "item",
        "heater",
        "1",
        "",
        "urgent",
        "房屋朝北，冬季室温低（演示）",
    )],
    &[(
        "service",
        "repair",
        "1",
        "",
        "normal",
        "屋顶漏雨，需修补（演示）",
    )],
    &[
        (
            "item",
            "cotton_coat",
            "2",
            "",
            "critical",
            "儿童尺码（演示）",
        ),
        ("item", "electric_blanket", "1", "", "normal", ""),
    ],
];

impl App {
    /// Seeds the demo needs; returns how many needs and how many organization accounts it added.
    pub(super) async fn seed_needs(
        &self,
        actor: &Actor,
        orgs: &[Organization],
    ) -> Result<(usize, usize)> {
        let everyone = {
            let mut tx = self.store().read().await?;
            users::list(&mut tx).await?
        };
        let by_name = |name: &str| {
            everyone
                .iter()
                .find(|u| u.username.as_str() == name)
                .cloned()
                .map(Caller::new)
        };
        let (Some(county), Some(town), Some(org)) =
            (by_name("county"), by_name("town"), by_name("org"))
        else {
            return Ok((0, 0));
        };
        let villages: Vec<Caller> = everyone
            .iter()
            .filter(|u| u.role == Role::VillageOfficer)
            .cloned()
            .map(Caller::new)
            .collect();
        let others = self.org_accounts(actor, &org, orgs).await?;
        let mut claimers = vec![org];
        claimers.extend(others.iter().cloned());

        let approved = HouseholdQuery {
            status: Some(HouseholdStatus::Approved.as_str().to_owned()),
            ..HouseholdQuery::default()
        };
        let (households, _) = self
            .households(&county, &approved, PageRequest::all())
            .await?;
        let mut needs = 0;
        let mut opened = 0usize;
        for (i, household) in households.iter().enumerate() {
            let Some(maker) = villages.iter().find(|v| {
                v.user.area_code.as_ref().map(|a| a.as_str()) == Some(&household.village_code)
            }) else {
                continue;
            };
            let reviewer = match &town.user.area_code {
                Some(own) if household.village_code.starts_with(own.prefix()) => &town,
                _ => &county,
            };
            for (kind, what, quantity, cash, urgency, note) in PLANS[i % PLANS.len()].iter() {
                let (item, service) = if *kind == "service" {
                    ("", *what)
                } else {
                    (*what, "")
                };
                let input = NeedInput {
                    household: household.id.to_string(),
                    campaign: DEMO_CAMPAIGN.to_owned(),
                    kind: (*kind).to_owned(),
                    item: item.to_owned(),
                    quantity: quantity.to_string(),
                    cash: cash.to_string(),
                    service: service.to_owned(),
                    urgency: (*urgency).to_owned(),
                    note: note.to_string(),
                };
                let id = self.record_need(maker, &input).await?.id;
                needs += 1;
                match i % 9 {
                    // Waiting for the town's review.
                    4 => continue,
                    7 => {
                        self.return_need(
                            reviewer,
                            id,
                            "数量与入户核实情况不符，请核实后重新提交（演示）",
                        )
                        .await?;
                        continue;
                    }
                    _ => {
                        self.approve_need(reviewer, id).await?;
                    }
                }
                opened += 1;
                // About a third of what organizations may see is claimed, by turns.
                if household.shares_with_orgs && opened.is_multiple_of(3) {
                    let who = &claimers[(opened / 3) % claimers.len()];
                    self.claim_need(who, id).await?;
                }
            }
        }
        Ok((needs, others.len()))
    }

    /// A member account for two more county-wide demo organizations (`org2`, `org3`, demo
    /// password), so claims on the demo sheet come from more than one organization.
    async fn org_accounts(
        &self,
        actor: &Actor,
        first: &Caller,
        orgs: &[Organization],
    ) -> Result<Vec<Caller>> {
        let county_wide: Vec<&Organization> = orgs
            .iter()
            .filter(|o| Some(o.id) != first.user.organization_id)
            .filter(|o| {
                o.profile
                    .service_areas
                    .iter()
                    .any(|a| a.as_str() == "340123000000")
            })
            .take(2)
            .collect();
        if county_wide.is_empty() {
            return Ok(Vec::new());
        }
        let hash = crate::password::hash(DEMO_PASSWORD);
        let mut tx = self.store().write().await?;
        let mut callers = Vec::new();
        for (n, org) in county_wide.iter().enumerate() {
            let now = hearth_store::now();
            let user = User {
                id: Uuid::now_v7(),
                username: Username::parse(&format!("org{}", n + 2))?,
                display_name: format!("{}（演示）", org.profile.name),
                role: Role::OrgMember,
                area_code: None,
                organization_id: Some(org.id),
                status: UserStatus::Active,
                failed_logins: 0,
                locked_until: None,
                must_change_password: false,
                last_login_at: None,
                created_at: now,
                updated_at: now,
            };
            users::insert(&mut tx, &user, &hash).await?;
            audit::append(
                &mut tx,
                NewEvent {
                    actor,
                    action: "user_created",
                    record_type: "user",
                    record_id: user.id.to_string(),
                    detail: serde_json::json!({"role": user.role.as_str(), "demo": true}),
                    reason: String::new(),
                },
            )
            .await?;
            callers.push(Caller::new(user));
        }
        tx.commit().await?;
        Ok(callers)
    }
}
