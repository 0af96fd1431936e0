//! Needs and the claim sheet: recording, review with maker-checker, scope, masking, consent and
//! enrolment, and claiming — including two organizations claiming the same need at the same
//! moment, many times over, on both databases.

use crate::common::{
    SANHE, SHANGPAI_OTHER_VILLAGE, SHANGPAI_VILLAGE, audit_log, caller, close_demo_campaign,
    create, demo, shown_texts,
};
use crate::households::{SANHE_VILLAGE, approved, complete, known, officer, refusals, register};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_app::needs::{NeedQuery, NeedView, SheetQuery};
use hearth_app::users::{NewUser, Operator};
use hearth_app::{App, AppError, Caller};
use hearth_core::campaign::CampaignAction;
use hearth_core::need::{NeedInput, NeedStatus};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

pub(crate) fn quilts(household: Uuid, quantity: &str) -> NeedInput {
    NeedInput {
        household: household.to_string(),
        campaign: DEMO_CAMPAIGN.into(),
        kind: "item".into(),
        item: "quilt".into(),
        quantity: quantity.into(),
        urgency: "critical".into(),
        note: "老人怕冷（测试）".into(),
        ..NeedInput::default()
    }
}

/// An approved household `n` in the demo village (consenting to share), recorded by `village`
/// and approved by `town`.
pub(crate) async fn household(app: &App, village: &Caller, town: &Caller, n: u32) -> Uuid {
    approved(app, village, town, &complete(SHANGPAI_VILLAGE, n))
        .await
        .id
}

/// A need recorded by `village` and approved by `town`: on the claim sheet.
pub(crate) async fn open_need(
    app: &App,
    village: &Caller,
    town: &Caller,
    input: &NeedInput,
) -> NeedView {
    let recorded = app
        .record_need(village, input)
        .await
        .unwrap_or_else(|e| panic!("record: {e}"));
    app.approve_need(town, recorded.id)
        .await
        .unwrap_or_else(|e| panic!("approve: {e}"))
}

async fn sheet_ids(app: &App, org: &Caller, mine: bool) -> Vec<Uuid> {
    let query = SheetQuery {
        mine,
        ..SheetQuery::default()
    };
    app.claim_sheet(org, &query, PageRequest::all())
        .await
        .expect("the claim sheet")
        .rows
        .iter()
        .map(|r| r.id)
        .collect()
}

/// A member of another demo organization that serves the whole county, signed in.
pub(crate) async fn second_org(app: &App, county: &Caller, first: &Caller) -> Caller {
    let (orgs, _) = app
        .organizations(county, Default::default(), PageRequest::all())
        .await
        .expect("orgs");
    let other = orgs
        .iter()
        .find(|o| {
            Some(o.id) != first.user.organization_id
                && o.profile
                    .service_areas
                    .iter()
                    .any(|a| a.as_str() == "340123000000")
        })
        .expect("a second county-wide organization");
    member_of(app, other.id, "org_second").await
}

/// A member of a county-wide organization the demo gave no pledges, so what a test pledges is
/// all its record and its visit list show.
pub(crate) async fn unpledged_org(app: &App, county: &Caller) -> Caller {
    let pledged: Vec<Uuid> = app
        .pledges(county)
        .await
        .expect("pledges")
        .iter()
        .map(|p| p.organization_id)
        .collect();
    let (orgs, _) = app
        .organizations(county, Default::default(), PageRequest::all())
        .await
        .expect("orgs");
    let quiet = orgs
        .iter()
        .find(|o| {
            !pledged.contains(&o.id)
                && o.profile
                    .service_areas
                    .iter()
                    .any(|a| a.as_str() == "340123000000")
        })
        .expect("a county-wide organization without demo pledges");
    member_of(app, quiet.id, "org_unpledged").await
}

async fn member_of(app: &App, org: Uuid, username: &str) -> Caller {
    let password = "Warm-Winter-2024";
    app.add_user(
        Operator::Console,
        &NewUser {
            username: username.into(),
            display_name: format!("{username}（测试）"),
            role: "org_member".into(),
            area_code: String::new(),
            organization: org.to_string(),
            password: password.into(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("add {username}: {e}"));
    let signed = app.sign_in(username, password).await.expect("sign in");
    app.session(&signed.token).await.expect("session").0
}

fn conflict_code<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    match result {
        Err(AppError::Conflict(e)) => e.code().to_owned(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_need_goes_from_the_village_through_the_town_to_an_organization() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let hh = household(&app, &village, &town, 1).await;

        let recorded = app.record_need(&village, &quilts(hh, "2")).await.expect("record");
        assert_eq!(recorded.status, NeedStatus::Submitted);
        assert!(recorded.number.starts_with("NDXD-DEMO-"), "{}", recorded.number);
        assert_eq!((recorded.item_name.as_str(), recorded.item_unit.as_str(), recorded.quantity), ("棉被", "床", 2));
        assert_eq!(recorded.reference_value, hearth_core::Fen::from_yuan(300), "2 × the demo reference value");
        assert_eq!(recorded.head_name, known(1).head_name, "the village sees the name in full");
        assert!(!sheet_ids(&app, &org, false).await.contains(&recorded.id), "not on the sheet before review");

        // Only reviewers review, and never their own entry.
        assert!(matches!(app.approve_need(&village, recorded.id).await, Err(AppError::Forbidden)));
        assert!(matches!(app.claim_need(&org, recorded.id).await, Err(AppError::Invalid(ref e)) if e[0].code() == "need.not_open"));
        let by_town = app.record_need(&town, &NeedInput { item: "rice".into(), ..quilts(hh, "1") }).await.expect("the town records too");
        assert_eq!(refusals(app.approve_need(&town, by_town.id).await), [("reviewer".to_owned(), "need.maker_checker".to_owned())]);
        app.approve_need(&county, by_town.id).await.expect("another officer approves");

        // Returned with a reason, fixed and sent again by the village.
        assert_eq!(refusals(app.return_need(&town, recorded.id, "  ").await), [("reason".to_owned(), "need.reason_required".to_owned())]);
        let returned = app.return_need(&town, recorded.id, "数量请核实（测试）").await.expect("return");
        assert_eq!((returned.status, returned.return_reason.as_str()), (NeedStatus::Returned, "数量请核实（测试）"));
        assert_eq!(conflict_code(app.resubmit_need(&village, recorded.id, returned.version - 1, &quilts(hh, "1")).await), "need.stale_edit");
        let again = app.resubmit_need(&village, recorded.id, returned.version, &quilts(hh, "1")).await.expect("resubmit");
        assert_eq!((again.status, again.quantity, again.return_reason.as_str()), (NeedStatus::Submitted, 1, ""));
        let open = app.approve_need(&town, recorded.id).await.expect("approve");
        assert_eq!(open.status, NeedStatus::Open);

        // The organization claims it; it leaves the open sheet for its own list.
        assert!(sheet_ids(&app, &org, false).await.contains(&open.id));
        let claimed = app.claim_need(&org, open.id).await.expect("claim");
        assert_eq!(claimed.status, NeedStatus::Claimed);
        assert!(claimed.claimed_by_us);
        assert_eq!(conflict_code(app.claim_need(&org, open.id).await), "need.already_yours");
        assert!(!sheet_ids(&app, &org, false).await.contains(&open.id));
        assert!(sheet_ids(&app, &org, true).await.contains(&open.id));
        let seen = app.need(&town, open.id).await.expect("the town follows it");
        assert_eq!(seen.status, NeedStatus::Claimed);
        assert_eq!(seen.claimed_by, org.user.organization_id);
        assert!(!seen.claimed_by_name.is_empty() && !seen.contact.is_empty(), "the town sees who claimed it and how to reach them");
        assert!(matches!(app.cancel_need(&town, open.id, "不再需要").await, Err(AppError::Invalid(ref e)) if e[0].code() == "need.cancel_claimed"));

        // Released by the organization, claimed again, released by the county with a reason.
        app.release_claim(&org, open.id, "").await.expect("release");
        assert_eq!(app.need(&town, open.id).await.expect("need").status, NeedStatus::Open);
        app.claim_need(&org, open.id).await.expect("claim again");
        assert_eq!(refusals(app.release_claim(&county, open.id, "").await), [("reason".to_owned(), "need.reason_required".to_owned())]);
        assert!(matches!(app.release_claim(&town, open.id, "x").await, Err(AppError::Forbidden)));
        app.release_claim(&county, open.id, "组织联系不上，重新开放（测试）").await.expect("county releases");
        let cancelled = app.cancel_need(&village, open.id, "家庭已自行解决（测试）").await.expect("cancel");
        assert_eq!(cancelled.status, NeedStatus::Cancelled);
        assert!(matches!(app.claim_need(&org, open.id).await, Err(AppError::NotFound) | Err(AppError::Invalid(_))));

        let actions: Vec<String> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.record_type == "need" && e.record_id == open.id.to_string())
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["need_recorded", "need_returned", "need_resubmitted", "need_approved", "need_claimed", "need_released", "need_claimed", "need_released", "need_cancelled"]
        );
    })
    .await;
}

#[tokio::test]
async fn recording_refuses_what_cannot_be_claimed_naming_the_field() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
        );
        let hh = household(&app, &village, &town, 2).await;
        let draft = register(&app, &village, &complete(SHANGPAI_VILLAGE, 3))
            .await
            .id;
        let sanhe_town = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        let sanhe_village = officer(&app, "sanhe_village", "village_officer", SANHE_VILLAGE).await;
        let elsewhere = approved(
            &app,
            &sanhe_village,
            &sanhe_town,
            &complete(SANHE_VILLAGE, 4),
        )
        .await
        .id;

        let bad = NeedInput {
            household: "x".into(),
            kind: "cash".into(),
            cash: "0".into(),
            ..NeedInput::default()
        };
        assert_eq!(
            refusals(app.record_need(&village, &bad).await),
            [
                ("household", "need.household"),
                ("campaign", "field.required"),
                ("cash", "need.cash_zero")
            ]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
        let one = |r| refusals(r).into_iter().next().expect("a refusal");
        assert_eq!(
            one(app.record_need(&village, &quilts(draft, "1")).await),
            (
                "household".to_owned(),
                "need.household_not_approved".to_owned()
            )
        );
        assert_eq!(
            one(app.record_need(&village, &quilts(elsewhere, "1")).await),
            (
                "household".to_owned(),
                "need.household_outside_scope".to_owned()
            )
        );
        assert_eq!(
            one(app
                .record_need(
                    &village,
                    &NeedInput {
                        item: "tv".into(),
                        ..quilts(hh, "1")
                    }
                )
                .await),
            ("item".to_owned(), "need.item_unknown".to_owned())
        );
        assert_eq!(
            one(app
                .record_need(
                    &village,
                    &NeedInput {
                        campaign: "NOPE".into(),
                        ..quilts(hh, "1")
                    }
                )
                .await),
            ("campaign".to_owned(), "need.campaign_unknown".to_owned())
        );
        assert!(
            matches!(
                app.record_need(&county, &quilts(hh, "1")).await,
                Err(AppError::Forbidden)
            ),
            "the county reviews, villages record"
        );

        let first = app
            .record_need(&village, &quilts(hh, "1"))
            .await
            .expect("record");
        match app.record_need(&village, &quilts(hh, "3")).await {
            Err(AppError::Conflict(e)) => {
                assert_eq!((e.field(), e.code()), ("item", "need.duplicate"));
                assert_eq!(
                    crate::common::arg(&e, "number"),
                    Some(first.number.as_str())
                );
            }
            other => panic!("a second quilt need: {other:?}"),
        }
        app.record_need(
            &village,
            &NeedInput {
                kind: "service".into(),
                item: String::new(),
                quantity: String::new(),
                service: "repair".into(),
                ..quilts(hh, "")
            },
        )
        .await
        .expect("a different need of the same household is fine");

        close_demo_campaign(&app).await;
        assert_eq!(
            one(app
                .record_need(
                    &village,
                    &NeedInput {
                        item: "rice".into(),
                        ..quilts(hh, "1")
                    }
                )
                .await),
            (
                "campaign".to_owned(),
                "need.campaign_not_launched".to_owned()
            )
        );
    })
    .await;
}

#[tokio::test]
async fn officers_see_needs_in_their_own_area_only() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org, auditor) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
            caller(&app, "auditor").await,
        );
        let sanhe_town = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        let sanhe_village = officer(&app, "sanhe_village", "village_officer", SANHE_VILLAGE).await;
        let other_village = officer(
            &app,
            "other_village",
            "village_officer",
            SHANGPAI_OTHER_VILLAGE,
        )
        .await;
        let ours = app
            .record_need(
                &village,
                &quilts(household(&app, &village, &town, 5).await, "1"),
            )
            .await
            .expect("record");
        let theirs_hh = approved(
            &app,
            &sanhe_village,
            &sanhe_town,
            &complete(SANHE_VILLAGE, 6),
        )
        .await
        .id;
        let theirs = app
            .record_need(&sanhe_village, &quilts(theirs_hh, "1"))
            .await
            .expect("record");

        let listed = async |who: &Caller| -> Vec<Uuid> {
            app.needs(who, &NeedQuery::default(), PageRequest::all())
                .await
                .expect("list")
                .0
                .iter()
                .map(|n| n.id)
                .collect()
        };
        for (who, sees_ours, sees_theirs) in [
            (&county, true, true),
            (&auditor, true, true),
            (&town, true, false),
            (&village, true, false),
            (&other_village, false, false),
            (&sanhe_town, false, true),
            (&sanhe_village, false, true),
        ] {
            let ids = listed(who).await;
            assert_eq!(
                ids.contains(&ours.id),
                sees_ours,
                "{} and ours",
                who.user.username
            );
            assert_eq!(
                ids.contains(&theirs.id),
                sees_theirs,
                "{} and theirs",
                who.user.username
            );
        }
        assert!(
            matches!(
                app.needs(&org, &NeedQuery::default(), PageRequest::all())
                    .await,
                Err(AppError::Forbidden)
            ),
            "organizations use the claim sheet"
        );
        assert!(matches!(
            app.approve_need(&sanhe_town, ours.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.need(&other_village, ours.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.approve_need(&auditor, ours.id).await,
            Err(AppError::Forbidden)
        ));
        let audited = app
            .need(&auditor, ours.id)
            .await
            .expect("the auditor reads");
        assert_eq!(
            audited.head_name.chars().count(),
            2,
            "masked for the auditor: {}",
            audited.head_name
        );
        assert!(audited.head_name.ends_with('*'));
        // A filter never widens the scope.
        let (wider, _) = app
            .needs(
                &village,
                &NeedQuery {
                    area: Some(SANHE.into()),
                    ..NeedQuery::default()
                },
                PageRequest::all(),
            )
            .await
            .expect("list");
        assert!(wider.iter().all(|n| n.village_code == SHANGPAI_VILLAGE));
        let (submitted, _) = app
            .needs(
                &town,
                &NeedQuery {
                    status: Some("待审核".into()),
                    ..NeedQuery::default()
                },
                PageRequest::all(),
            )
            .await
            .expect("list");
        assert!(
            submitted.iter().any(|n| n.id == ours.id)
                && submitted.iter().all(|n| n.status == NeedStatus::Submitted)
        );
    })
    .await;
}

#[tokio::test]
async fn the_claim_sheet_is_masked_and_filterable() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (town, village, org) = (
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let hh = household(&app, &village, &town, 7).await;
        let need = open_need(&app, &village, &town, &quilts(hh, "2")).await;
        let cash = open_need(
            &app,
            &village,
            &town,
            &NeedInput {
                kind: "cash".into(),
                item: String::new(),
                quantity: String::new(),
                cash: "800".into(),
                urgency: "normal".into(),
                ..quilts(hh, "")
            },
        )
        .await;

        let sheet = app
            .claim_sheet(&org, &SheetQuery::default(), PageRequest::all())
            .await
            .expect("sheet");
        assert!(sheet.participating);
        let row = sheet
            .rows
            .iter()
            .find(|r| r.id == need.id)
            .expect("on the sheet");
        assert_eq!(row.head, "柏*", "surname and a star");
        assert_eq!(
            (
                row.item_name.as_str(),
                row.quantity,
                row.main_category.as_str()
            ),
            ("棉被", 2, "dibao")
        );
        assert!(row.village_name.contains("示例") && row.town_name == "上派镇");
        let k = known(7);
        let shown = shown_texts(&sheet);
        for secret in [
            k.head_name.as_str(),
            k.head_id.as_str(),
            &k.head_id[14..],
            k.phone.as_str(),
            &k.phone[7..],
            "示例村三组十二号",
            "老人怕冷",
        ] {
            assert!(!shown.contains(secret), "the claim sheet shows {secret}");
        }
        let critical_first = sheet.rows.iter().position(|r| r.id == need.id)
            < sheet.rows.iter().position(|r| r.id == cash.id);
        assert!(critical_first, "紧急 before 一般");

        let filtered = async |q: SheetQuery| -> Vec<Uuid> {
            app.claim_sheet(&org, &q, PageRequest::all())
                .await
                .expect("sheet")
                .rows
                .iter()
                .map(|r| r.id)
                .collect()
        };
        let by_item = filtered(SheetQuery {
            item: Some("quilt".into()),
            ..SheetQuery::default()
        })
        .await;
        assert!(by_item.contains(&need.id) && !by_item.contains(&cash.id));
        let by_urgency = filtered(SheetQuery {
            urgency: Some("一般".into()),
            ..SheetQuery::default()
        })
        .await;
        assert!(by_urgency.contains(&cash.id) && !by_urgency.contains(&need.id));
        assert!(
            filtered(SheetQuery {
                town: Some("340123100000".into()),
                category: Some("dibao".into()),
                ..SheetQuery::default()
            })
            .await
            .contains(&need.id)
        );
        assert!(
            !filtered(SheetQuery {
                town: Some(SANHE.into()),
                ..SheetQuery::default()
            })
            .await
            .contains(&need.id)
        );
        assert!(
            !filtered(SheetQuery {
                category: Some("orphan".into()),
                ..SheetQuery::default()
            })
            .await
            .contains(&need.id)
        );
        assert!(matches!(
            app.claim_sheet(
                &org,
                &SheetQuery {
                    urgency: Some("very".into()),
                    ..SheetQuery::default()
                },
                PageRequest::all()
            )
            .await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            app.claim_sheet(&town, &SheetQuery::default(), PageRequest::all())
                .await,
            Err(AppError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn not_enrolled_or_not_launched_means_an_empty_sheet() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let need = open_need(
            &app,
            &village,
            &town,
            &quilts(household(&app, &village, &town, 8).await, "1"),
        )
        .await;
        let newcomer = create(
            &app,
            &county,
            "肥西县新成立志愿服务队（测试）",
            1,
            &["340123000000"],
        )
        .await;
        let newcomer = member_of(&app, newcomer.id, "newcomer").await;
        let sheet = app
            .claim_sheet(&newcomer, &SheetQuery::default(), PageRequest::all())
            .await
            .expect("sheet");
        assert!(
            sheet.rows.is_empty() && !sheet.participating,
            "not enrolled: nothing"
        );
        assert!(matches!(
            app.claim_need(&newcomer, need.id).await,
            Err(AppError::NotFound)
        ));

        assert!(sheet_ids(&app, &org, false).await.contains(&need.id));
        close_demo_campaign(&app).await;
        let sheet = app
            .claim_sheet(&org, &SheetQuery::default(), PageRequest::all())
            .await
            .expect("sheet");
        assert!(
            sheet.rows.is_empty() && !sheet.participating,
            "the campaign is closed: nothing"
        );
        assert!(matches!(
            app.claim_need(&org, need.id).await,
            Err(AppError::NotFound)
        ));

        // Enrolled in a campaign that is only planned: still nothing of the closed one.
        let planned = app
            .create_campaign(
                &county,
                &hearth_core::campaign::CampaignInput {
                    code: "T-NEEDS".into(),
                    name: "测试活动".into(),
                    year: "2024".into(),
                    starts_on: "2024-01-01".into(),
                    ends_on: "2024-03-31".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("create");
        app.enrol_organizations(
            &county,
            planned.id,
            &[org.user.organization_id.expect("org")],
            1,
        )
        .await
        .expect("enrol");
        assert!(sheet_ids(&app, &org, false).await.is_empty());
        app.advance_campaign(&county, planned.id, CampaignAction::Launch)
            .await
            .expect("launch");
        assert!(
            !sheet_ids(&app, &org, false).await.contains(&need.id),
            "a need of another campaign stays hidden"
        );
    })
    .await;
}

#[tokio::test]
async fn a_household_that_withdraws_consent_leaves_the_sheet() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (town, village, org) = (
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let hh = household(&app, &village, &town, 9).await;
        let open = open_need(&app, &village, &town, &quilts(hh, "1")).await;
        let claimed = open_need(
            &app,
            &village,
            &town,
            &NeedInput {
                item: "rice".into(),
                ..quilts(hh, "1")
            },
        )
        .await;
        app.claim_need(&org, claimed.id).await.expect("claim");
        assert!(sheet_ids(&app, &org, false).await.contains(&open.id));
        assert!(sheet_ids(&app, &org, true).await.contains(&claimed.id));

        app.withdraw_household_consent(&village, hh, hearth_app::today())
            .await
            .expect("withdraw");
        assert!(
            !sheet_ids(&app, &org, false).await.contains(&open.id),
            "gone from the open sheet"
        );
        assert!(
            !sheet_ids(&app, &org, true).await.contains(&claimed.id),
            "and from the organization's own list"
        );
        assert!(matches!(
            app.claim_need(&org, open.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.release_claim(&org, claimed.id, "").await,
            Err(AppError::NotFound)
        ));
        assert_eq!(
            app.need(&town, claimed.id)
                .await
                .expect("the town still sees it")
                .status,
            NeedStatus::Claimed,
            "the town sorts it out"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_organizations_claiming_at_the_same_moment_get_one_success_and_one_refusal() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, first) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let second = second_org(&app, &county, &first).await;
        let need = open_need(
            &app,
            &village,
            &town,
            &quilts(household(&app, &village, &town, 10).await, "1"),
        )
        .await;
        const ROUNDS: usize = 25;
        let mut wins = [0usize; 2];
        for round in 0..ROUNDS {
            let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
            let tasks: Vec<_> = [first.clone(), second.clone()]
                .into_iter()
                .map(|who| {
                    let (app, barrier) = (app.clone(), barrier.clone());
                    tokio::spawn(async move {
                        barrier.wait().await;
                        app.claim_need(&who, need.id).await
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.expect("the task ran"));
            }
            let winners: Vec<usize> = (0..2).filter(|i| outcomes[*i].is_ok()).collect();
            assert_eq!(
                winners.len(),
                1,
                "round {round}: exactly one wins: {outcomes:?}"
            );
            let winner = winners[0];
            wins[winner] += 1;
            match &outcomes[1 - winner] {
                Err(AppError::Conflict(e)) => {
                    assert_eq!(e.code(), "need.already_claimed", "round {round}");
                    let message = e.message(hearth_core::Lang::ZhCn);
                    assert!(
                        !message.contains("肥西县"),
                        "the refusal names no organization: {message}"
                    );
                }
                other => panic!("round {round}: the loser gets a clear refusal, not {other:?}"),
            }
            let holder = [&first, &second][winner];
            let stored = app.need(&town, need.id).await.expect("need");
            assert_eq!(
                (stored.status, stored.claimed_by),
                (NeedStatus::Claimed, holder.user.organization_id),
                "round {round}"
            );
            app.release_claim(holder, need.id, "")
                .await
                .expect("release for the next round");
        }
        let claims = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.action == "need_claimed" && e.record_id == need.id.to_string())
            .count();
        assert_eq!(claims, ROUNDS, "one claim logged per round ({wins:?})");
    })
    .await;
}
