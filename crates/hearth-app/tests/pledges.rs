//! Pairing pledges (结对帮扶承诺书): drafting from claimed needs, refusals naming the field,
//! signing, cancelling with a reason, scope per role and the overdue flag after the deadline, on
//! both databases.

use crate::common::{SANHE, audit_log, caller, demo};
use crate::households::{officer, refusals};
use crate::needs::{household, open_need, quilts, second_org};
use chrono::NaiveDate;
use hearth_app::pledges::{PledgeDraft, PledgeView};
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::need::NeedInput;
use hearth_core::pledge::{LineInput, PledgeInput, PledgeMode, PledgeStatus};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

/// The first day of the demo campaign, which runs this winter (from a week ago, five months).
fn start() -> NaiveDate {
    hearth_app::today() - chrono::Days::new(7)
}

/// The day that falls in the demo campaign where `m-d` falls in the 2024 action (which began
/// on 24 January): `day(2, 1)` is the campaign's ninth day.
fn day(m: u32, d: u32) -> NaiveDate {
    let began = NaiveDate::from_ymd_opt(2024, 1, 24).unwrap();
    start() + (NaiveDate::from_ymd_opt(2024, m, d).unwrap() - began)
}

fn deadline() -> String {
    day(3, 15).to_string()
}

fn draft(needs: &[Uuid], mode: &str) -> PledgeDraft {
    PledgeDraft {
        needs: needs.iter().map(Uuid::to_string).collect(),
        pledge: PledgeInput {
            campaign: hearth_app::demo::DEMO_CAMPAIGN.into(),
            mode: mode.into(),
            delivery: "上门送达".into(),
            deadline: deadline(),
            witness_town: "上派镇".into(),
            witness_village: "示例村".into(),
            ..PledgeInput::default()
        },
    }
}

/// An open need for household `n`, claimed by `org`.
async fn claimed(app: &App, org: &Caller, n: u32, input: impl Fn(Uuid) -> NeedInput) -> Uuid {
    let (village, town) = (caller(app, "village").await, caller(app, "town").await);
    let hh = household(app, &village, &town, n).await;
    let need = open_need(app, &village, &town, &input(hh)).await;
    app.claim_need(org, need.id).await.expect("claim");
    need.id
}

async fn drafted(app: &App, org: &Caller, d: &PledgeDraft) -> PledgeView {
    app.draft_pledge_on(org, d, day(2, 1))
        .await
        .unwrap_or_else(|e| panic!("draft: {e:?}"))
}

#[tokio::test]
async fn an_organization_drafts_from_its_claims_signs_and_cancels_with_a_reason() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "2")).await;

        let mut d = draft(&[need], "一对一");
        d.pledge.lines.push(LineInput {
            kind: "现金".into(),
            cash: "500".into(),
            ..LineInput::default()
        });
        let p = drafted(&app, &org, &d).await;
        assert_eq!(p.status, PledgeStatus::Draft);
        assert_eq!(p.mode, PledgeMode::OneToOne);
        assert_eq!(p.households.len(), 1, "the household of the need");
        assert!(
            p.households[0].head_name.ends_with('*'),
            "masked for the organization: {}",
            p.households[0].head_name
        );
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[0].need_id, Some(need));
        assert!(
            p.lines[0]
                .need_number
                .as_deref()
                .is_some_and(|n| n.starts_with("NDXD-DEMO-"))
        );
        assert_eq!(
            p.totals.items,
            Fen::from_yuan(300),
            "2 quilts at the reference value"
        );
        assert_eq!(p.totals.cash, Fen::from_yuan(500));
        assert_eq!(p.cash_capitals, "伍佰元整");
        assert_eq!(p.total_capitals, "捌佰元整");
        assert!(p.number.starts_with("NDXD-DEMO-P"), "{}", p.number);

        // A need answers one pledge at a time.
        assert_eq!(
            refusals(
                app.draft_pledge_on(&org, &draft(&[need], "一对一"), day(2, 1))
                    .await
            ),
            [("needs".to_owned(), "pledge.need_elsewhere".to_owned())]
        );

        let signed = app.sign_pledge(&org, p.id).await.expect("sign");
        assert!(signed.signed_at.is_some());
        assert_eq!(
            app.pledge_on(&org, p.id, day(2, 2)).await.unwrap().status,
            PledgeStatus::Signed
        );
        assert_eq!(
            refusals(app.sign_pledge(&org, p.id).await),
            [("status".to_owned(), "pledge.cannot_sign".to_owned())]
        );

        assert_eq!(
            refusals(app.cancel_pledge(&org, p.id, "  ").await),
            [("reason".to_owned(), "need.reason_required".to_owned())]
        );
        let cancelled = app
            .cancel_pledge(&org, p.id, "物资已由他人送达（测试）")
            .await
            .expect("cancel");
        assert_eq!(cancelled.status, PledgeStatus::Cancelled);
        assert_eq!(cancelled.cancel_reason, "物资已由他人送达（测试）");
        assert_eq!(
            refusals(app.cancel_pledge(&org, p.id, "再次取消").await),
            [("status".to_owned(), "pledge.cannot_cancel".to_owned())]
        );
        // Once cancelled, the claimed need may go into a new pledge.
        drafted(&app, &org, &draft(&[need], "一对一")).await;

        let actions: Vec<_> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.record_type == "pledge" && e.record_id == p.id.to_string())
            .map(|e| (e.action, e.reason))
            .collect();
        assert_eq!(
            actions,
            [
                ("pledge_drafted".to_owned(), String::new()),
                ("pledge_signed".to_owned(), String::new()),
                (
                    "pledge_cancelled".to_owned(),
                    "物资已由他人送达（测试）".to_owned()
                ),
            ]
        );

        // The county cancels too, with a reason; the town cannot.
        let county = caller(&app, "county").await;
        let town = caller(&app, "town").await;
        let again = app.pledges_on(&org, day(2, 1)).await.unwrap();
        let open = again
            .iter()
            .find(|v| v.status == PledgeStatus::Draft)
            .expect("the new draft");
        assert!(matches!(
            app.cancel_pledge(&town, open.id, "理由").await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(
            refusals(app.cancel_pledge(&county, open.id, "").await),
            [("reason".to_owned(), "need.reason_required".to_owned())]
        );
        app.cancel_pledge(&county, open.id, "重复登记（测试）")
            .await
            .expect("the county cancels");
    })
    .await;
}

#[tokio::test]
async fn drafting_refuses_needs_not_claimed_and_names_the_field() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        // Open but not claimed.
        let hh = household(&app, &village, &town, 1).await;
        let open = open_need(&app, &village, &town, &quilts(hh, "1")).await;
        assert_eq!(
            refusals(
                app.draft_pledge_on(&org, &draft(&[open.id], "一对一"), day(2, 1))
                    .await
            ),
            [("needs".to_owned(), "pledge.need_not_claimed".to_owned())]
        );
        // Claimed by another organization.
        let other = second_org(&app, &county, &org).await;
        app.claim_need(&other, open.id)
            .await
            .expect("the other claims");
        assert_eq!(
            refusals(
                app.draft_pledge_on(&org, &draft(&[open.id], "一对一"), day(2, 1))
                    .await
            ),
            [("needs".to_owned(), "pledge.need_not_claimed".to_owned())]
        );

        // One to one with two households: refused naming the households.
        let first = claimed(&app, &org, 2, |hh| quilts(hh, "1")).await;
        let second = claimed(&app, &org, 3, |hh| quilts(hh, "1")).await;
        assert_eq!(
            refusals(
                app.draft_pledge_on(&org, &draft(&[first, second], "一对一"), day(2, 1))
                    .await
            ),
            [("households".to_owned(), "pledge.one_to_one".to_owned())]
        );
        let many = drafted(&app, &org, &draft(&[first, second], "一对多")).await;
        assert_eq!(many.households.len(), 2);

        // The deadline is after today and within the campaign; lines and households are needed.
        let mut late = draft(&[], "一对多");
        late.pledge.deadline = (start() + chrono::Days::new(200)).to_string();
        let got = refusals(app.draft_pledge_on(&org, &late, day(2, 1)).await);
        for field in ["households", "lines", "deadline"] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }

        // Officers do not pledge.
        assert!(matches!(
            app.draft_pledge_on(&town, &draft(&[first], "一对一"), day(2, 1))
                .await,
            Err(AppError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn each_role_sees_the_pledges_in_its_scope_and_overdue_shows_after_the_deadline() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        let p = drafted(&app, &org, &draft(&[need], "一对一")).await;
        app.sign_pledge(&org, p.id).await.expect("sign");

        let ids = |list: Vec<PledgeView>| list.iter().map(|v| v.id).collect::<Vec<_>>();
        for who in [&county, &town, &village, &org] {
            assert!(
                ids(app.pledges(who).await.unwrap()).contains(&p.id),
                "{}",
                who.user.username
            );
            app.pledge(who, p.id).await.expect("in scope");
        }
        assert!(
            !app.pledge(&town, p.id).await.unwrap().households[0]
                .head_name
                .ends_with('*'),
            "officers see the name"
        );
        let sanhe = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        assert!(
            !ids(app.pledges(&sanhe).await.unwrap()).contains(&p.id),
            "another town"
        );
        assert!(matches!(
            app.pledge(&sanhe, p.id).await,
            Err(AppError::NotFound)
        ));
        let other = second_org(&app, &county, &org).await;
        assert!(
            !ids(app.pledges(&other).await.unwrap()).contains(&p.id),
            "another organization"
        );
        assert!(matches!(
            app.pledge(&other, p.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.sign_pledge(&other, p.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.cancel_pledge(&other, p.id, "理由").await,
            Err(AppError::NotFound)
        ));

        let before = app.pledge_on(&org, p.id, day(3, 15)).await.unwrap();
        assert_eq!(
            (before.status, before.overdue),
            (PledgeStatus::Signed, false),
            "the deadline day is in time"
        );
        let after = app.pledge_on(&county, p.id, day(3, 16)).await.unwrap();
        assert_eq!((after.status, after.overdue), (PledgeStatus::Lapsed, true));
        let listed = app.pledges_on(&town, day(3, 20)).await.unwrap();
        assert!(listed.iter().any(|v| v.id == p.id && v.overdue));

        // Progress comes from the lines (deliveries and visits), never from a flag set by hand.
        let mut extra = draft(&[], "一对一");
        extra.pledge.households = vec![p.households[0].id.to_string()];
        extra.pledge.lines = ["100", "200"]
            .into_iter()
            .map(|cash| LineInput {
                kind: "cash".into(),
                cash: cash.into(),
                ..LineInput::default()
            })
            .collect();
        let two = drafted(&app, &org, &extra).await;
        app.sign_pledge(&org, two.id).await.expect("sign");
        let done = |line: Uuid| {
            let store = db.store.clone();
            async move {
                let mut tx = store.write().await.unwrap();
                assert!(
                    hearth_store::pledges::mark_line_done(&mut tx, line, hearth_store::now())
                        .await
                        .unwrap()
                );
                tx.commit().await.unwrap();
            }
        };
        done(two.lines[0].id).await;
        let half = app.pledge_on(&org, two.id, day(3, 1)).await.unwrap();
        assert_eq!(
            (half.status, half.lines_done),
            (PledgeStatus::InProgress, 1)
        );
        assert_eq!(
            app.pledge_on(&org, two.id, day(3, 16))
                .await
                .unwrap()
                .status,
            PledgeStatus::Lapsed
        );
        done(two.lines[1].id).await;
        let full = app.pledge_on(&org, two.id, day(3, 20)).await.unwrap();
        assert_eq!(
            (full.status, full.overdue),
            (PledgeStatus::Fulfilled, false),
            "all lines done, even late"
        );
        assert_eq!(
            refusals(app.cancel_pledge(&org, two.id, "理由").await),
            [("status".to_owned(), "pledge.cannot_cancel".to_owned())]
        );
    })
    .await;
}

#[tokio::test]
async fn two_drafts_of_the_same_need_at_the_same_moment_get_one_pledge() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        const ROUNDS: usize = 10;
        for round in 0..ROUNDS {
            let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
            let tasks: Vec<_> = (0..2)
                .map(|_| {
                    let (app, barrier, org) = (app.clone(), barrier.clone(), org.clone());
                    tokio::spawn(async move {
                        barrier.wait().await;
                        app.draft_pledge_on(&org, &draft(&[need], "一对一"), day(2, 1))
                            .await
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.expect("the task ran"));
            }
            let won: Vec<Uuid> = outcomes
                .iter()
                .filter_map(|o| o.as_ref().ok())
                .map(|p| p.id)
                .collect();
            assert_eq!(
                won.len(),
                1,
                "round {round}: exactly one draft: {outcomes:?}"
            );
            let lost = outcomes.into_iter().find(Result::is_err).unwrap();
            assert_eq!(
                refusals(lost),
                [("needs".to_owned(), "pledge.need_elsewhere".to_owned())],
                "round {round}"
            );
            app.cancel_pledge(&org, won[0], "下一轮（测试）")
                .await
                .expect("cancel for the next round");
        }
    })
    .await;
}
