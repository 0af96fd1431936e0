//! Cultivating organizations (培育), on both databases: the record per campaign after drafting,
//! signing, fulfilling, lapsing and cancelling pledges in the demo campaign; grades only the
//! county records, the one in force and the registry following it; activities an organization
//! logs for itself only, never in the future, with photos that are images.

use crate::common::{SANHE, audit_log, caller, demo};
use crate::households::{officer, refusals};
use crate::needs::{household, open_need, quilts, second_org, unpledged_org};
use chrono::{Days, NaiveDate};
use hearth_app::attachments::{Owner, Purpose, Upload};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_app::pledges::{PledgeDraft, PledgeView};
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::campaign::CampaignInput;
use hearth_core::cultivation::{ActivityInput, Grade, PledgeTally, RatingInput};
use hearth_core::pledge::{LineInput, PledgeInput};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

fn today() -> NaiveDate {
    hearth_app::today()
}

fn deadline() -> NaiveDate {
    today() + Days::new(30)
}

/// A letter for the needs (their households), or for `households` with one cash line.
fn letter(needs: &[Uuid], households: &[Uuid], cash: &str) -> PledgeDraft {
    PledgeDraft {
        needs: needs.iter().map(Uuid::to_string).collect(),
        pledge: PledgeInput {
            campaign: DEMO_CAMPAIGN.into(),
            mode: "一对多".into(),
            households: households.iter().map(Uuid::to_string).collect(),
            lines: vec![LineInput {
                kind: "cash".into(),
                cash: cash.into(),
                ..LineInput::default()
            }],
            deadline: deadline().to_string(),
            witness_town: "上派镇".into(),
            witness_village: "示例村".into(),
            ..PledgeInput::default()
        },
    }
}

/// A need of household `n` (one quilt, worth 150 yuan), claimed by `org`; (need, household).
async fn claimed(app: &App, org: &Caller, n: u32) -> (Uuid, Uuid) {
    let (village, town) = (caller(app, "village").await, caller(app, "town").await);
    let hh = household(app, &village, &town, n).await;
    let need = open_need(app, &village, &town, &quilts(hh, "1")).await;
    app.claim_need(org, need.id).await.expect("claim");
    (need.id, hh)
}

async fn drafted(app: &App, org: &Caller, d: &PledgeDraft) -> PledgeView {
    app.draft_pledge_on(org, d, today())
        .await
        .unwrap_or_else(|e| panic!("draft: {e:?}"))
}

async fn signed(app: &App, org: &Caller, d: &PledgeDraft) -> PledgeView {
    let p = drafted(app, org, d).await;
    app.sign_pledge(org, p.id).await.expect("sign")
}

async fn demo_row(
    app: &App,
    who: &Caller,
    org: Uuid,
    day: NaiveDate,
) -> hearth_app::cultivation::CampaignRecord {
    app.organization_record(who, org, day)
        .await
        .expect("the record")
        .campaigns
        .into_iter()
        .find(|c| c.code == DEMO_CAMPAIGN)
        .expect("the demo campaign row")
}

async fn lines_done(db: &TestDb, pledge: &PledgeView) {
    let mut tx = db.store.write().await.unwrap();
    for line in &pledge.lines {
        hearth_store::pledges::mark_line_done(&mut tx, line.id, hearth_store::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_record_counts_signed_pledges_by_how_they_stand() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        // An organization without demo pledges: its record shows this test's letters alone.
        let org = unpledged_org(&app, &county).await;
        let id = org.user.organization_id.expect("a member");

        let start = demo_row(&app, &org, id, today()).await;
        assert!(start.enrolled, "the demo enrols every organization");
        assert_eq!(start.pledges, PledgeTally::default());
        assert_eq!(start.households_served, 0);

        let (need1, hh1) = claimed(&app, &org, 1).await;
        let (need2, _) = claimed(&app, &org, 2).await;
        let (need3, _) = claimed(&app, &org, 3).await;
        let kept = signed(&app, &org, &letter(&[need1], &[], "500")).await;
        let dropped = signed(&app, &org, &letter(&[need2], &[], "200")).await;
        app.cancel_pledge(&org, dropped.id, "改由他人帮扶（测试）")
            .await
            .expect("cancel");
        drafted(&app, &org, &letter(&[need3], &[], "300")).await;
        let row = demo_row(&app, &org, id, today()).await;
        assert_eq!(
            row.pledges,
            PledgeTally {
                made: 2,
                in_progress: 1,
                cancelled: 1,
                ..PledgeTally::default()
            },
            "the draft is not a pledge made"
        );
        assert_eq!(
            row.households_served, 1,
            "cancelled and drafts serve no one"
        );
        assert_eq!(
            (row.cash, row.items),
            (Fen::from_yuan(500), Fen::from_yuan(150))
        );

        lines_done(db, &kept).await;
        let open = signed(&app, &org, &letter(&[], &[hh1], "100")).await;
        let late = deadline() + Days::new(1);
        let row = demo_row(&app, &county, id, late).await;
        assert_eq!(
            row.pledges,
            PledgeTally {
                made: 3,
                kept: 1,
                lapsed: 1,
                cancelled: 1,
                ..PledgeTally::default()
            },
            "after the deadline: {} fulfilled, {} lapsed",
            kept.number,
            open.number
        );
        assert_eq!(row.households_served, 1, "the same household counts once");
        assert_eq!(row.cash, Fen::from_yuan(600));

        let record = app.organization_record(&county, id, late).await.unwrap();
        assert_eq!(record.totals.pledges, row.pledges);
        assert_eq!(record.totals.households_served, 1);
        assert_eq!(record.totals.visits, 0);
        assert!(!record.service_fields.is_empty(), "fields from the profile");
        assert!(!record.service_areas.is_empty(), "areas from the profile");

        // Organizations see only their own record; administrators no case data.
        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            app.organization_record(&other, id, today()).await,
            Err(AppError::NotFound)
        ));
        let sysadmin = caller(&app, "sysadmin").await;
        assert!(matches!(
            app.organization_record(&sysadmin, id, today()).await,
            Err(AppError::Forbidden)
        ));
        let auditor = caller(&app, "auditor").await;
        assert_eq!(
            demo_row(&app, &auditor, id, late).await.pledges,
            row.pledges
        );
    })
    .await;
}

fn rating(grade: &str, rated_on: &str) -> RatingInput {
    RatingInput {
        grade: grade.into(),
        rated_on: rated_on.into(),
        note: "年度评估（测试）".into(),
        ..RatingInput::default()
    }
}

#[tokio::test]
async fn only_the_county_grades_and_the_latest_valid_grade_is_in_force() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "org").await,
        );
        let id = org.user.organization_id.expect("a member");
        for who in [&town, &org, &caller(&app, "auditor").await] {
            assert!(
                matches!(
                    app.rate_organization(who, id, &rating("5A", "2024-01-10"))
                        .await,
                    Err(AppError::Forbidden)
                ),
                "{}",
                who.user.username
            );
        }

        let day = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
        let entered = app.organization(&county, id).await.unwrap().profile.rating;
        let old = app
            .rate_organization_on(&county, id, &rating("3A级", "2018-06-01"), day)
            .await
            .expect("an old grade");
        assert_eq!(old.valid_until.to_string(), "2023-05-31");
        assert!(!old.in_force, "expired");
        assert_eq!(
            app.organization(&county, id).await.unwrap().profile.rating,
            entered,
            "an expired grade leaves the registry's rating as entered"
        );
        let new = app
            .rate_organization_on(&county, id, &rating("4a", "2022年1月10日"), day)
            .await
            .expect("the current grade");
        assert_eq!((new.grade, new.in_force), (Grade::A4, true));
        assert_eq!(new.rated_by, "肥西县民政局（演示）");

        let seen = app.ratings_on(&org, id, day).await.expect("its own grades");
        assert_eq!(seen.current.as_ref().map(|r| r.id), Some(new.id));
        assert_eq!(
            seen.history.iter().map(|r| r.id).collect::<Vec<_>>(),
            [new.id, old.id],
            "the latest decision first"
        );
        assert_eq!(
            app.organization(&org, id)
                .await
                .unwrap()
                .profile
                .rating
                .as_deref(),
            Some("4A"),
            "the registry follows the grade in force"
        );
        let later = app.ratings_on(&county, id, NaiveDate::from_ymd_opt(2027, 1, 10).unwrap());
        assert!(
            later.await.unwrap().current.is_none(),
            "five years on, none"
        );

        assert_eq!(
            refusals(
                app.rate_organization_on(&county, id, &rating("6A", "2024-12-21"), day)
                    .await
            ),
            [
                ("grade".to_owned(), "dict.unknown".to_owned()),
                ("rated_on".to_owned(), "household.date_in_future".to_owned()),
            ]
        );
        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            app.ratings(&other, id).await,
            Err(AppError::NotFound)
        ));
        let rated: Vec<_> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.action == "organization_rated" && e.record_id == id.to_string())
            .collect();
        assert_eq!(rated.len(), 2);
        assert!(rated[1].detail.contains("\"4A\""), "{}", rated[1].detail);
    })
    .await;
}

fn activity(held_on: NaiveDate, campaign: &str) -> ActivityInput {
    ActivityInput {
        held_on: held_on.to_string(),
        place: "上派镇示例村村委会".into(),
        participants: "30".into(),
        title: "冬日送温暖".into(),
        summary: "为12户老人送去棉被并检查取暖器（测试）".into(),
        campaign: campaign.into(),
    }
}

#[tokio::test]
async fn an_organization_logs_its_own_activities_and_never_ahead_of_time() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, org) = (caller(&app, "county").await, caller(&app, "org").await);
        let id = org.user.organization_id.expect("a member");

        let logged = app
            .record_activity(&org, id, &activity(today(), DEMO_CAMPAIGN))
            .await
            .expect("its own activity");
        assert_eq!(logged.campaign_code, DEMO_CAMPAIGN);
        assert_eq!(logged.participants, 30);
        app.record_activity(&county, id, &activity(today() - Days::new(3), ""))
            .await
            .expect("the county logs for it");
        let listed = app.activities(&org, id).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].id, logged.id, "the most recent first");

        assert_eq!(
            refusals(
                app.record_activity(&org, id, &activity(today() + Days::new(1), ""))
                    .await
            ),
            [("held_on".to_owned(), "household.date_in_future".to_owned())]
        );
        assert_eq!(
            refusals(
                app.record_activity(&org, id, &activity(today(), "NO-SUCH"))
                    .await
            ),
            [("campaign".to_owned(), "need.campaign_unknown".to_owned())]
        );
        let planned = CampaignInput {
            code: "T-PLAN".into(),
            name: "明年暖冬行动（测试）".into(),
            year: "2025".into(),
            starts_on: "2025-11-01".into(),
            ends_on: "2026-02-28".into(),
            ..CampaignInput::default()
        };
        app.create_campaign(&county, &planned).await.expect("plan");
        assert_eq!(
            refusals(
                app.record_activity(&org, id, &activity(today(), "T-PLAN"))
                    .await
            ),
            [("campaign".to_owned(), "cultivation.not_enrolled".to_owned())]
        );

        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            app.record_activity(&other, id, &activity(today(), ""))
                .await,
            Err(AppError::NotFound)
        ));
        let own = other.user.organization_id.expect("a member");
        let town = caller(&app, "town").await;
        assert!(matches!(
            app.record_activity(&town, own, &activity(today(), ""))
                .await,
            Err(AppError::Forbidden)
        ));
        let sanhe = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        assert!(
            app.activities(&sanhe, own).await.is_ok(),
            "a county-wide organization"
        );

        let row = demo_row(&app, &org, id, today()).await;
        assert_eq!(row.activities, 1);
        let record = app.organization_record(&org, id, today()).await.unwrap();
        assert_eq!(record.totals.activities, 2, "with the one in no campaign");
        let recorded = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.action == "organization_activity_recorded")
            .filter(|e| e.record_id == id.to_string())
            .count();
        assert_eq!(recorded, 2);
    })
    .await;
}

/// A 1×1 PNG.
fn png() -> Vec<u8> {
    vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, b'I', b'D', b'A',
        b'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0xe5, 0x27, 0xde, 0xfc, 0, 0, 0, 0, b'I',
        b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ]
}

#[tokio::test]
async fn activity_photos_are_images_added_by_the_organization() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, org) = (caller(&app, "county").await, caller(&app, "org").await);
        let id = org.user.organization_id.expect("a member");
        let logged = app
            .record_activity(&org, id, &activity(today(), ""))
            .await
            .expect("log");
        let owner = Owner::Activity(logged.id);
        let photo = |name: &str, bytes: Vec<u8>| Upload {
            filename: name.into(),
            bytes,
        };
        let stored = app
            .attach(
                &org,
                owner,
                Purpose::ActivityPhoto,
                &photo("合影.png", png()),
            )
            .await
            .expect("a photo");
        assert_eq!(
            (stored.owner_type.as_str(), stored.content_type.as_str()),
            ("activity", "image/png")
        );
        assert_eq!(
            refusals(
                app.attach(
                    &org,
                    owner,
                    Purpose::ActivityPhoto,
                    &photo("签到表.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())
                )
                .await
            ),
            [("file".to_owned(), "cultivation.photo_type".to_owned())]
        );
        assert!(
            app.attach(&org, owner, Purpose::ConsentScan, &photo("a.png", png()))
                .await
                .is_err(),
            "an activity carries no consent scans"
        );
        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            app.attach(
                &other,
                owner,
                Purpose::ActivityPhoto,
                &photo("x.png", png())
            )
            .await,
            Err(AppError::NotFound)
        ));
        let listed = app
            .attachments(&county, owner)
            .await
            .expect("the county sees");
        assert_eq!(listed.len(), 1);
        let got = app
            .download_attachment(&county, stored.id)
            .await
            .expect("download");
        assert_eq!(got.bytes, png());
        assert!(matches!(
            app.attachments(&other, owner).await,
            Err(AppError::NotFound)
        ));
    })
    .await;
}
