//! Campaigns, enrolment in batches, and what enrolment lets an organization see.

use crate::common::{SHANGPAI_VILLAGE, caller, demo};
use hearth_app::AppError;
use hearth_app::households::HouseholdQuery;
use hearth_app::organizations::Page;
use hearth_core::campaign::{CampaignAction, CampaignInput, CampaignStatus, EnrolmentStatus};
use hearth_core::household::HouseholdInput;
use hearth_core::household::category::CategoryTagInput;
use hearth_core::household::consent::ConsentInput;
use hearth_core::household::member::MemberInput;
use hearth_core::id_number::id_check_char;
use hearth_store::testing::each_backend;

fn winter(code: &str) -> CampaignInput {
    CampaignInput {
        code: code.into(),
        name: "2024年暖冬行动（测试）".into(),
        year: "2024".into(),
        starts_on: "2024-01-24".into(),
        ends_on: "2024-03-31".into(),
        focus_fields: vec!["elderly".into(), "poverty".into()],
        target_households: "780".into(),
        target_cash: "130000".into(),
        target_items: "390".into(),
        arrangements: String::new(),
    }
}

fn id_number(seq: u32) -> String {
    let first17 = format!("34012319450101{seq:03}");
    format!("{first17}{}", id_check_char(&first17).expect("digits"))
}

/// A complete household of one elderly member who consented to sharing with organizations.
fn consenting_household(seq: u32) -> HouseholdInput {
    HouseholdInput {
        members: vec![MemberInput {
            name: "测试老人".into(),
            id_number: id_number(seq),
            relation: "head".into(),
            ..MemberInput::default()
        }],
        address: "上派镇示例村1组".into(),
        village: SHANGPAI_VILLAGE.into(),
        phone: String::new(),
        categories: vec![CategoryTagInput {
            category: "elderly_alone".into(),
            source: "村委会核实".into(),
            verified_by: "村干部（测试）".into(),
            verified_on: "2024-01-02".into(),
            valid_until: String::new(),
        }],
        main_category: String::new(),
        causes: Vec::new(),
        consent: ConsentInput {
            version: "2024-1".into(),
            signed_on: "2024-01-03".into(),
            scopes: vec!["share_with_organizations".into()],
            signer: "测试老人".into(),
            ..ConsentInput::default()
        },
        note: String::new(),
    }
}

#[tokio::test]
async fn a_campaign_moves_forward_only_and_only_the_county_runs_it() {
    each_backend(async |db| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let town = caller(&app, "town").await;
        assert!(matches!(app.create_campaign(&town, &winter("T-1")).await, Err(AppError::Forbidden)));
        let campaign = app.create_campaign(&county, &winter("t-1")).await.expect("create");
        assert_eq!((campaign.status, campaign.profile.code.as_str()), (CampaignStatus::Planned, "T-1"));
        let again = app.create_campaign(&county, &winter("T-1")).await;
        assert!(matches!(again, Err(AppError::Conflict(ref e)) if e.code() == "campaign.duplicate_code"), "{again:?}");
        let skipped = app.advance_campaign(&county, campaign.id, CampaignAction::Close).await;
        assert!(matches!(skipped, Err(AppError::Invalid(ref e)) if e[0].code() == "campaign.illegal_step"), "{skipped:?}");
        for (action, status) in [(CampaignAction::Launch, CampaignStatus::Launched), (CampaignAction::Close, CampaignStatus::Closed), (CampaignAction::Disclose, CampaignStatus::Disclosed)] {
            assert_eq!(app.advance_campaign(&county, campaign.id, action).await.expect("step").status, status);
        }
        let history = hearth_store::audit::for_record(&mut db.store.read().await.expect("tx"), "campaign", &campaign.id.to_string()).await.expect("history");
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["campaign_created", "campaign_launch", "campaign_close", "campaign_disclose"]);
        let (found, _) = app.campaign(&town, "t-1").await.expect("by code");
        assert_eq!(found.id, campaign.id);
    })
    .await;
}

#[tokio::test]
async fn organizations_enrol_in_batches_or_apply() {
    each_backend(async |db| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let org = caller(&app, "org").await;
        let campaign = app
            .create_campaign(&county, &winter("T-2"))
            .await
            .expect("create");
        let (orgs, _) = app
            .organizations(&county, Default::default(), Page::new(None, Some(50)))
            .await
            .expect("orgs");
        let first_batch: Vec<_> = orgs.iter().take(3).map(|o| o.id).collect();
        let enrolled = app
            .enrol_organizations(&county, campaign.id, &first_batch, 1)
            .await
            .expect("batch 1");
        assert_eq!(enrolled.len(), 3);
        assert!(
            enrolled
                .iter()
                .all(|e| e.batch == Some(1) && e.status == EnrolmentStatus::Enrolled)
        );
        let again = app
            .enrol_organizations(&county, campaign.id, &first_batch[..1], 2)
            .await
            .expect("repeat");
        assert_eq!(
            again
                .iter()
                .find(|e| e.organization_id == first_batch[0])
                .and_then(|e| e.batch),
            Some(1),
            "keeps its first batch"
        );
        assert!(matches!(
            app.enrol_organizations(&county, campaign.id, &first_batch, 0)
                .await,
            Err(AppError::Invalid(_))
        ));

        let other = app
            .create_campaign(&county, &winter("T-3"))
            .await
            .expect("create");
        let applied = app.apply_to_campaign(&org, other.id).await.expect("apply");
        assert_eq!(applied.status, EnrolmentStatus::Applied);
        assert!(matches!(
            app.apply_to_campaign(&county, other.id).await,
            Err(AppError::Forbidden)
        ));
        let decided = app
            .decide_application(&county, other.id, applied.organization_id, true, 2)
            .await
            .expect("approve");
        assert_eq!(
            (decided.status, decided.batch),
            (EnrolmentStatus::Enrolled, Some(2))
        );
    })
    .await;
}

#[tokio::test]
async fn an_organization_sees_consented_households_only_while_enrolled_in_a_launched_campaign() {
    each_backend(async |db| {
        let app = demo(db).await;
        crate::common::close_demo_campaign(&app).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let household = app
            .register_household(&village, &consenting_household(901))
            .await
            .expect("register");
        app.submit_household(&village, household.id)
            .await
            .expect("submit");
        app.approve_household(&town, household.id)
            .await
            .expect("approve");
        let query = HouseholdQuery::default();
        let sees = async |app: &hearth_app::App| {
            app.households(&org, &query, Page::new(None, Some(100)))
                .await
                .expect("list")
                .0
        };
        assert!(sees(&app).await.is_empty(), "not enrolled: nothing");

        let campaign = app
            .create_campaign(&county, &winter("T-4"))
            .await
            .expect("create");
        let own = org.user.organization_id.expect("an organization member");
        app.enrol_organizations(&county, campaign.id, &[own], 1)
            .await
            .expect("enrol");
        assert!(
            sees(&app).await.is_empty(),
            "enrolled in a planned campaign: still nothing"
        );
        app.advance_campaign(&county, campaign.id, CampaignAction::Launch)
            .await
            .expect("launch");
        let visible = sees(&app).await;
        let seen = visible
            .iter()
            .find(|h| h.id == household.id)
            .expect("the consented, approved household is shared");
        assert_eq!(seen.head_name, "测*", "masked to the surname");
        assert!(
            seen.head_id.is_empty() && seen.phone.is_empty(),
            "no ID number or phone for organizations"
        );
        assert!(
            visible
                .iter()
                .all(|h| h.status == "approved" && h.shares_with_orgs)
        );
        assert!(matches!(
            app.reveal_household(&org, household.id, "想看看详情").await,
            Err(AppError::Forbidden)
        ));

        app.advance_campaign(&county, campaign.id, CampaignAction::Close)
            .await
            .expect("close");
        assert!(
            sees(&app).await.is_empty(),
            "after the campaign closes: nothing"
        );
    })
    .await;
}
