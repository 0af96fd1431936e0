//! The to-do list (待办) counts what the list behind each line shows: a village's deliveries to
//! confirm are the signed letters to its households not yet fully delivered, an organization's
//! pledges due soon are its signed letters whose deadline is within a week with lines still open.

use crate::common::{SHANGPAI_VILLAGE, caller, demo};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_app::needs::SheetQuery;
use hearth_app::pledges::PledgeDraft;
use hearth_app::todo::{Todo, TodoKind};
use hearth_app::{App, Caller, today};
use hearth_core::pledge::{PledgeInput, PledgeStatus, awaits_delivery};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};

fn count(todo: &[Todo], kind: TodoKind) -> i64 {
    todo.iter().find(|t| t.kind == kind).map_or(0, |t| t.count)
}

/// The pledges the village's list shows under "not yet fully delivered".
async fn to_deliver_in_list(app: &App, village: &Caller) -> i64 {
    let pledges = app.pledges(village).await.expect("pledges");
    pledges.iter().filter(|p| awaits_delivery(p.status)).count() as i64
}

#[tokio::test]
async fn a_village_confirms_the_deliveries_pledged_to_its_households() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let org = caller(&app, "org").await;
        let waiting = |todo: Vec<Todo>| count(&todo, TodoKind::DeliveriesToConfirm);
        let before = waiting(app.todo(&village, today()).await.unwrap());
        assert_eq!(before, to_deliver_in_list(&app, &village).await);
        assert!(
            before > 0,
            "the demo village has a letter handed over through the town"
        );

        let in_village = SheetQuery {
            town: Some(SHANGPAI_VILLAGE.to_owned()),
            ..SheetQuery::default()
        };
        let sheet = app
            .claim_sheet(&org, &in_village, PageRequest::all())
            .await
            .expect("sheet");
        let need = sheet.rows.first().expect("an open need in the village").id;
        app.claim_need(&org, need).await.expect("claim");
        let letter = PledgeDraft {
            needs: vec![need.to_string()],
            pledge: PledgeInput {
                campaign: DEMO_CAMPAIGN.to_owned(),
                mode: "one_to_one".to_owned(),
                deadline: (today() + chrono::Days::new(20)).to_string(),
                witness_town: "上派镇".to_owned(),
                witness_village: "示例村".to_owned(),
                ..PledgeInput::default()
            },
        };
        let drafted = app.draft_pledge(&org, &letter).await.expect("draft");
        assert_eq!(
            waiting(app.todo(&village, today()).await.unwrap()),
            before,
            "a draft promises nothing yet"
        );
        app.sign_pledge(&org, drafted.id).await.expect("sign");
        assert_eq!(
            waiting(app.todo(&village, today()).await.unwrap()),
            before + 1
        );
        assert_eq!(before + 1, to_deliver_in_list(&app, &village).await);

        app.cancel_pledge(&org, drafted.id, "受助户已搬离（测试）")
            .await
            .expect("cancel");
        assert_eq!(waiting(app.todo(&village, today()).await.unwrap()), before);

        for other in ["town", "org", "county"] {
            let who = caller(&app, other).await;
            assert_eq!(
                waiting(app.todo(&who, today()).await.unwrap()),
                0,
                "{other} hands over or oversees, it does not confirm"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_organization_sees_its_pledges_due_within_a_week() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let pledges = app.pledges(&org).await.expect("pledges");
        let open = pledges
            .iter()
            .find(|p| matches!(p.status, PledgeStatus::Signed | PledgeStatus::InProgress))
            .expect("the demo organization has a signed letter");
        let deadline = open.deadline;

        let week_before = deadline - chrono::Days::new(7);
        let listed = app.pledges_on(&org, week_before).await.unwrap();
        let due: Vec<_> = listed.iter().filter(|p| p.due_soon).collect();
        assert!(due.iter().any(|p| p.id == open.id), "due within a week");
        let todo = app.todo(&org, week_before).await.unwrap();
        assert_eq!(count(&todo, TodoKind::PledgesDueSoon), due.len() as i64);

        let eight_days_before = deadline - chrono::Days::new(8);
        let listed = app.pledges_on(&org, eight_days_before).await.unwrap();
        assert!(!listed.iter().any(|p| p.id == open.id && p.due_soon));

        let day_after = deadline + chrono::Days::new(1);
        let listed = app.pledges_on(&org, day_after).await.unwrap();
        let late = listed.iter().find(|p| p.id == open.id).unwrap();
        assert!(
            late.overdue && !late.due_soon,
            "past the deadline it is overdue"
        );

        let village = caller(&app, "village").await;
        let todo = app.todo(&village, week_before).await.unwrap();
        assert_eq!(
            count(&todo, TodoKind::PledgesDueSoon),
            0,
            "only the organization delivers"
        );
    })
    .await;
}
