//! Follow-up visits (回访): signing a pledge schedules its service visits as tasks, recording
//! every visit of an all-service pledge fulfils it, the to-do counts and scope per role,
//! cancelled pledges drop off the to-do list, refusals name the field, and a raised need waits
//! for the town's review — on both databases.

use crate::common::{SANHE, audit_log, caller, close_demo_campaign, demo};
use crate::households::{SANHE_VILLAGE, officer, refusals};
use crate::needs::{household, open_need, quilts, second_org, unpledged_org};
use chrono::{Days, NaiveDate};
use hearth_app::pledges::{PledgeDraft, PledgeView};
use hearth_app::visits::{TaskQuery, VisitTaskView};
use hearth_app::{App, AppError, Caller};
use hearth_core::need::{NeedInput, NeedStatus};
use hearth_core::pledge::{LineInput, PledgeInput, PledgeStatus};
use hearth_core::visit::{NewNeedInput, TaskState, VisitInput};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

fn today() -> NaiveDate {
    hearth_app::today()
}

/// A service need for household `hh`: a visit, `times` times.
fn visits_needed(hh: Uuid, times: &str) -> NeedInput {
    NeedInput {
        household: hh.to_string(),
        campaign: hearth_app::demo::DEMO_CAMPAIGN.into(),
        kind: "service".into(),
        service: "visit".into(),
        quantity: times.into(),
        note: "独居老人，需要定期探望（测试）".into(),
        ..NeedInput::default()
    }
}

/// A need for household `n`, opened by the demo village and town, claimed by `org`.
async fn claimed(app: &App, org: &Caller, n: u32, input: impl Fn(Uuid) -> NeedInput) -> Uuid {
    let (village, town) = (caller(app, "village").await, caller(app, "town").await);
    let hh = household(app, &village, &town, n).await;
    let need = open_need(app, &village, &town, &input(hh)).await;
    app.claim_need(org, need.id).await.expect("claim");
    need.id
}

fn letter(needs: &[Uuid], mode: &str, extra: Vec<LineInput>) -> PledgeDraft {
    PledgeDraft {
        needs: needs.iter().map(Uuid::to_string).collect(),
        pledge: PledgeInput {
            campaign: hearth_app::demo::DEMO_CAMPAIGN.into(),
            mode: mode.into(),
            delivery: "上门送达".into(),
            lines: extra,
            deadline: (today() + Days::new(100)).to_string(),
            witness_town: "上派镇".into(),
            witness_village: "示例村".into(),
            ..PledgeInput::default()
        },
    }
}

async fn signed(app: &App, org: &Caller, draft: &PledgeDraft) -> PledgeView {
    let p = app
        .draft_pledge(org, draft)
        .await
        .unwrap_or_else(|e| panic!("draft: {e:?}"));
    app.sign_pledge(org, p.id)
        .await
        .unwrap_or_else(|e| panic!("sign: {e:?}"))
}

async fn tasks(app: &App, who: &Caller, query: TaskQuery, on: NaiveDate) -> Vec<VisitTaskView> {
    let (list, total) = app
        .visit_tasks_on(who, &query, PageRequest::new(None, Some(100)), on)
        .await
        .unwrap_or_else(|e| panic!("tasks of {}: {e:?}", who.user.username));
    assert_eq!(total, list.len() as i64, "the total matches the rows");
    list
}

fn of_pledge(pledge: Uuid) -> TaskQuery {
    TaskQuery {
        pledge: Some(pledge.to_string()),
        ..TaskQuery::default()
    }
}

fn form(visited_on: NaiveDate) -> VisitInput {
    VisitInput {
        visited_on: visited_on.to_string(),
        method: "上门".into(),
        visitor: "王丽华".into(),
        received: "是".into(),
        suitable: "是".into(),
        satisfaction: "满意".into(),
        new_needs: String::new(),
        note: "老人精神很好（测试）".into(),
        need: NewNeedInput::default(),
    }
}

#[tokio::test]
async fn signing_schedules_the_visits_and_making_them_all_fulfils_the_pledge() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        // An organization without demo pledges: its to-do counts are this letter's alone.
        let org = unpledged_org(&app, &caller(&app, "county").await).await;
        let logged_before = audit_log(db).await.len();
        let need = claimed(&app, &org, 1, |hh| visits_needed(hh, "3")).await;
        let draft = app
            .draft_pledge(&org, &letter(&[need], "一对一", Vec::new()))
            .await
            .expect("draft");
        assert!(
            tasks(&app, &org, of_pledge(draft.id), today())
                .await
                .is_empty(),
            "a draft schedules nothing"
        );
        app.sign_pledge(&org, draft.id).await.expect("sign");

        // Once a month from today (the service starts when the letter is drafted), three times.
        let list = tasks(&app, &org, of_pledge(draft.id), today()).await;
        let due: Vec<NaiveDate> = list.iter().map(|t| t.due_on).collect();
        let month = |n: u32| today().checked_add_months(chrono::Months::new(n)).unwrap();
        assert_eq!(due, [today(), month(1), month(2)]);
        assert!(list.iter().all(|t| t.state == TaskState::Due && t.of == 3));
        assert_eq!(
            list.iter().map(|t| t.position).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(
            list[0].head_name.ends_with('*'),
            "masked for the organization"
        );
        assert_eq!(list[0].pledge_number, draft.number);
        assert_eq!(app.visit_todo(&org, today()).await.unwrap(), (1, 0));
        assert_eq!(
            app.visit_todo(&org, month(1) + Days::new(1)).await.unwrap(),
            (0, 2),
            "two visits past their day, the third a month off"
        );

        // Each visit does its task; the line is done with the last one, and so is the pledge.
        let first = app
            .record_visit(&org, list[0].id, &form(today()))
            .await
            .expect("the first visit");
        assert_eq!(first.task.state, TaskState::Done);
        assert!(!first.line_done);
        assert_eq!(first.pledge_status, PledgeStatus::Signed);
        assert!(matches!(
            app.record_visit(&org, list[0].id, &form(today())).await,
            Err(AppError::Conflict(e)) if e.code() == "visit.already_done"
        ));
        app.record_visit(&org, list[1].id, &form(today()))
            .await
            .expect("the second visit, made early");
        let last = app
            .record_visit(&org, list[2].id, &form(today()))
            .await
            .expect("the last visit");
        assert!(last.line_done);
        assert_eq!(last.pledge_status, PledgeStatus::Fulfilled);
        let pledge = app.pledge(&org, draft.id).await.unwrap();
        assert_eq!(
            (pledge.status, pledge.lines_done),
            (PledgeStatus::Fulfilled, 1)
        );

        // The need the service answered is delivered and followed up (已回访).
        let town = caller(&app, "town").await;
        let seen = app.need(&town, need).await.unwrap();
        assert_eq!(seen.status, NeedStatus::Fulfilled);
        assert!(seen.visited);

        let visits = app.visits_for_pledge(&town, draft.id).await.unwrap();
        assert_eq!(visits.len(), 3);
        assert!(
            !visits[0].head_name.ends_with('*'),
            "the town sees the name"
        );
        assert!(visits.iter().all(|v| v.received && v.visitor == "王丽华"));
        assert_eq!(app.visit_todo(&org, today()).await.unwrap(), (0, 0));

        let actions: Vec<String> = audit_log(db)
            .await
            .into_iter()
            .skip(logged_before)
            .map(|e| e.action)
            .filter(|a| a.starts_with("visit") || a == "need_fulfilled")
            .collect();
        assert_eq!(
            actions,
            [
                "visit_tasks_scheduled",
                "visit_recorded",
                "visit_recorded",
                "need_fulfilled",
                "visit_recorded"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn each_household_gets_its_visits_each_role_sees_its_scope_and_cancelling_closes_them() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town, village, org) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let one = claimed(&app, &org, 1, |hh| visits_needed(hh, "1")).await;
        let two = claimed(&app, &org, 2, |hh| visits_needed(hh, "1")).await;
        // Beside each household's own visit, a repair visit to both, fortnightly, twice.
        let repairs = LineInput {
            kind: "service".into(),
            service: "维修".into(),
            starts_on: (today() + Days::new(3)).to_string(),
            ends_on: (today() + Days::new(60)).to_string(),
            every: "2".into(),
            every_unit: "week".into(),
            visits: "2".into(),
            ..LineInput::default()
        };
        let p = signed(&app, &org, &letter(&[one, two], "一对多", vec![repairs])).await;
        let list = tasks(&app, &org, of_pledge(p.id), today()).await;
        assert_eq!(list.len(), 1 + 1 + 2 * 2);
        let repair_days: Vec<NaiveDate> = list
            .iter()
            .filter(|t| t.line_id == p.lines[2].id)
            .map(|t| t.due_on)
            .collect();
        assert_eq!(
            repair_days,
            [
                today() + Days::new(3),
                today() + Days::new(3),
                today() + Days::new(17),
                today() + Days::new(17)
            ]
        );

        for who in [&county, &town, &village] {
            let seen = tasks(&app, who, of_pledge(p.id), today()).await;
            assert_eq!(seen.len(), 6, "{}", who.user.username);
            assert!(!seen[0].head_name.ends_with('*'), "officers see the name");
        }
        let sanhe = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        assert!(
            tasks(&app, &sanhe, of_pledge(p.id), today())
                .await
                .is_empty()
        );
        let other = second_org(&app, &county, &org).await;
        assert!(
            tasks(&app, &other, of_pledge(p.id), today())
                .await
                .is_empty()
        );
        assert!(matches!(
            app.visits_for_pledge(&other, p.id).await,
            Err(AppError::NotFound)
        ));

        let within = |days: u32| TaskQuery {
            state: Some("due".into()),
            within_days: Some(days),
            ..TaskQuery::default()
        };
        assert_eq!(tasks(&app, &town, within(7), today()).await.len(), 4);
        let later = today() + Days::new(20);
        let overdue = TaskQuery {
            state: Some("逾期".into()),
            ..TaskQuery::default()
        };
        assert_eq!(tasks(&app, &town, overdue.clone(), later).await.len(), 6);
        assert_eq!(app.visit_todo(&town, later).await.unwrap(), (0, 6));

        // Cancelled: nothing is deleted, but nothing is due any more.
        app.cancel_pledge(&org, p.id, "家庭已搬离（测试）")
            .await
            .expect("cancel");
        assert_eq!(app.visit_todo(&town, later).await.unwrap(), (0, 0));
        assert!(tasks(&app, &town, overdue, later).await.is_empty());
        let closed = tasks(&app, &org, of_pledge(p.id), later).await;
        assert_eq!(closed.len(), 6);
        assert!(closed.iter().all(|t| t.state == TaskState::Cancelled));
        assert_eq!(
            refusals(app.record_visit(&org, closed[0].id, &form(today())).await),
            [("status".to_owned(), "pledge.cannot_progress".to_owned())]
        );
        let bad_state = TaskQuery {
            state: Some("soon".into()),
            ..TaskQuery::default()
        };
        assert_eq!(
            refusals(
                app.visit_tasks(&org, &bad_state, PageRequest::new(None, None))
                    .await
            ),
            [("state".to_owned(), "dict.unknown".to_owned())]
        );
    })
    .await;
}

#[tokio::test]
async fn a_visit_is_refused_out_of_scope_in_the_future_or_before_signing() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, village, org) = (
            caller(&app, "county").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let need = claimed(&app, &org, 1, |hh| visits_needed(hh, "2")).await;
        let p = signed(&app, &org, &letter(&[need], "一对一", Vec::new())).await;
        let list = tasks(&app, &org, of_pledge(p.id), today()).await;

        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            app.record_visit(&other, list[0].id, &form(today())).await,
            Err(AppError::NotFound)
        ));
        let sanhe = officer(&app, "sanhe_village", "village_officer", SANHE_VILLAGE).await;
        assert!(matches!(
            app.record_visit(&sanhe, list[0].id, &form(today())).await,
            Err(AppError::NotFound)
        ));
        for reader in [&county, &caller(&app, "auditor").await] {
            assert!(matches!(
                app.record_visit(reader, list[0].id, &form(today())).await,
                Err(AppError::Forbidden)
            ));
        }
        assert_eq!(
            refusals(
                app.record_visit(&org, list[0].id, &form(today() + Days::new(1)))
                    .await
            ),
            [(
                "visited_on".to_owned(),
                "household.date_in_future".to_owned()
            )]
        );
        assert_eq!(
            refusals(
                app.record_visit(&org, list[0].id, &form(today() - Days::new(1)))
                    .await
            ),
            [("visited_on".to_owned(), "visit.before_signed".to_owned())]
        );
        let blank = VisitInput::default();
        let got = refusals(app.record_visit(&org, list[0].id, &blank).await);
        for field in [
            "visited_on",
            "method",
            "visitor",
            "received",
            "suitable",
            "satisfaction",
        ] {
            assert!(got.iter().any(|(f, _)| f == field), "{field} in {got:?}");
        }
        assert!(
            tasks(&app, &org, of_pledge(p.id), today())
                .await
                .iter()
                .all(|t| t.state == TaskState::Due),
            "a refusal records nothing"
        );

        // The village officer records a visit they made to a household of their village.
        let by_village = app
            .record_visit(&village, list[0].id, &form(today()))
            .await
            .expect("the village records");
        assert!(!by_village.visit.head_name.ends_with('*'));
        assert_eq!(by_village.pledge_status, PledgeStatus::Signed);

        // Far too many visits: signing is refused and nothing is signed.
        let weekly = LineInput {
            kind: "service".into(),
            service: "陪伴".into(),
            starts_on: today().to_string(),
            ends_on: (today() + Days::new(365 * 150)).to_string(),
            every_unit: "week".into(),
            visits: "9999".into(),
            ..LineInput::default()
        };
        let mut many = letter(&[], "一对一", vec![weekly]);
        many.pledge.households = vec![p.households[0].id.to_string()];
        let draft = app.draft_pledge(&org, &many).await.expect("draft");
        assert_eq!(
            refusals(app.sign_pledge(&org, draft.id).await),
            [("lines".to_owned(), "visit.too_many_tasks".to_owned())]
        );
        assert_eq!(
            app.pledge(&org, draft.id).await.unwrap().status,
            PledgeStatus::Draft
        );

        // Once the campaign is closed, a visit still counts but raises no new need.
        close_demo_campaign(&app).await;
        let mut raising = form(today());
        raising.need = NewNeedInput {
            kind: "cash".into(),
            cash: "300".into(),
            ..NewNeedInput::default()
        };
        assert_eq!(
            refusals(app.record_visit(&org, list[1].id, &raising).await),
            [("need".to_owned(), "visit.need_campaign_closed".to_owned())]
        );
        app.record_visit(&org, list[1].id, &form(today()))
            .await
            .expect("the visit itself");
    })
    .await;
}

#[tokio::test]
async fn a_need_raised_on_a_visit_waits_for_the_towns_review() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (town, org) = (caller(&app, "town").await, caller(&app, "org").await);
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        let service = LineInput {
            kind: "service".into(),
            service: "探访".into(),
            starts_on: today().to_string(),
            ends_on: (today() + Days::new(30)).to_string(),
            visits: "1".into(),
            ..LineInput::default()
        };
        let p = signed(&app, &org, &letter(&[need], "一对一", vec![service])).await;
        let task = tasks(&app, &org, of_pledge(p.id), today()).await[0].clone();

        let mut with_need = form(today());
        with_need.new_needs = "冬天屋里冷，想要一台取暖器".into();
        with_need.need = NewNeedInput {
            kind: "物资".into(),
            item: "heater".into(),
            quantity: "1".into(),
            urgency: "较急".into(),
            ..NewNeedInput::default()
        };
        let mut duplicate = with_need.clone();
        duplicate.need.item = "quilt".into();
        assert!(matches!(
            app.record_visit(&org, task.id, &duplicate).await,
            Err(AppError::Conflict(e)) if e.field() == "need.item" && e.code() == "need.duplicate"
        ));
        let mut unknown = with_need.clone();
        unknown.need.item = "piano".into();
        assert_eq!(
            refusals(app.record_visit(&org, task.id, &unknown).await),
            [("need.item".to_owned(), "need.item_unknown".to_owned())]
        );

        let recorded = app
            .record_visit(&org, task.id, &with_need)
            .await
            .expect("a visit raising a need");
        let raised = recorded.visit.raised_need_id.expect("a need raised");
        assert!(recorded.visit.raised_need_number.is_some());
        assert_eq!(
            recorded.pledge_status,
            PledgeStatus::InProgress,
            "the service line is done, the quilts are not yet delivered"
        );
        let waiting = app.need(&town, raised).await.expect("the town sees it");
        assert_eq!(waiting.status, NeedStatus::Submitted);
        assert!(!waiting.entered_by_caller, "the organization raised it");
        assert_eq!(
            app.approve_need(&town, raised).await.unwrap().status,
            NeedStatus::Open,
            "the town reviews what the organization raised"
        );
        let visits = app.visits_for_pledge(&org, p.id).await.unwrap();
        assert_eq!(visits[0].new_needs, "冬天屋里冷，想要一台取暖器");
        assert_eq!(visits[0].raised_need_id, Some(raised));
        let recorded_events: Vec<_> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.record_id == raised.to_string())
            .map(|e| e.action)
            .collect();
        assert_eq!(recorded_events, ["need_recorded", "need_approved"]);
    })
    .await;
}

#[tokio::test]
async fn visits_at_the_same_moment_do_each_task_once_and_finish_the_line() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (town, village, org) = (
            caller(&app, "town").await,
            caller(&app, "village").await,
            caller(&app, "org").await,
        );
        let households = [
            household(&app, &village, &town, 1).await,
            household(&app, &village, &town, 2).await,
        ];
        let once = LineInput {
            kind: "service".into(),
            service: "探访".into(),
            starts_on: today().to_string(),
            ends_on: (today() + Days::new(30)).to_string(),
            visits: "1".into(),
            ..LineInput::default()
        };
        for round in 0..5 {
            let mut draft = letter(&[], "一对多", vec![once.clone()]);
            draft.pledge.households = households.iter().map(Uuid::to_string).collect();
            let p = signed(&app, &org, &draft).await;
            let list = tasks(&app, &org, of_pledge(p.id), today()).await;
            let (a, b) = (list[0].id, list[1].id);
            let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(3));
            let runs: Vec<_> = [a, a, b]
                .into_iter()
                .map(|task| {
                    let (app, org, barrier) = (app.clone(), org.clone(), barrier.clone());
                    tokio::spawn(async move {
                        barrier.wait().await;
                        app.record_visit(&org, task, &form(today())).await
                    })
                })
                .collect();
            let mut outcomes = Vec::new();
            for run in runs {
                outcomes.push(run.await.expect("the task ran"));
            }
            let refused: Vec<_> = outcomes.iter().filter(|o| o.is_err()).collect();
            assert!(
                matches!(refused.as_slice(), [Err(AppError::Conflict(e))] if e.code() == "visit.already_done"),
                "round {round}: one record of the same task is refused: {outcomes:?}"
            );
            assert_eq!(
                app.pledge(&org, p.id).await.unwrap().status,
                PledgeStatus::Fulfilled,
                "round {round}: the last visit finished the line"
            );
            assert_eq!(app.visits_for_pledge(&org, p.id).await.unwrap().len(), 2);
        }
    })
    .await;
}
