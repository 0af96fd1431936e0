//! The demo shows the pledge workflow from end to end, on SQLite and PostgreSQL: letters in
//! every status, deliveries (some to a proxy), visits (one raising a need that waits for
//! review), activities and grades, and work waiting on the demo organization's to-do list.

use crate::common::{caller, demo_with_summary};
use hearth_app::deliveries::DeliveryQuery;
use hearth_app::needs::NeedQuery;
use hearth_app::today;
use hearth_app::todo::TodoKind;
use hearth_core::delivery::RecipientKind;
use hearth_core::need::NeedStatus;
use hearth_core::pledge::PledgeStatus;
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};

#[tokio::test]
async fn the_demo_has_pledges_in_every_status_and_what_follows_them() {
    each_backend(async |db: &TestDb| {
        let (app, summary) = demo_with_summary(db).await;
        let county = caller(&app, "county").await;
        let pledges = app.pledges(&county).await.expect("pledges");
        assert_eq!(summary.pledges, pledges.len());
        let statuses: Vec<PledgeStatus> = pledges.iter().map(|p| p.status).collect();
        for status in [
            PledgeStatus::Draft,
            PledgeStatus::Signed,
            PledgeStatus::InProgress,
            PledgeStatus::Fulfilled,
            PledgeStatus::Lapsed,
            PledgeStatus::Cancelled,
        ] {
            assert!(statuses.contains(&status), "no {status:?} pledge");
        }
        let cancelled = pledges.iter().find(|p| p.status == PledgeStatus::Cancelled);
        assert!(cancelled.is_some_and(|p| !p.cancel_reason.is_empty()));
        assert!(
            pledges.iter().any(|p| p.overdue),
            "a lapsed letter is overdue"
        );

        let (deliveries, _) = app
            .deliveries(&county, &DeliveryQuery::default(), PageRequest::all())
            .await
            .expect("deliveries");
        assert!(deliveries.len() >= 3, "{}", deliveries.len());
        assert!(
            deliveries
                .iter()
                .any(|d| d.recipient == RecipientKind::Proxy)
        );
        assert!(
            deliveries
                .iter()
                .any(|d| d.recipient == RecipientKind::Head)
        );

        let mut visits = Vec::new();
        for p in &pledges {
            visits.extend(app.visits_for_pledge(&county, p.id).await.expect("visits"));
        }
        assert!(visits.len() >= 2, "{}", visits.len());
        let raised = visits
            .iter()
            .find_map(|v| v.raised_need_id)
            .expect("a visit raised a need");
        let submitted = NeedQuery {
            status: Some(NeedStatus::Submitted.as_str().to_owned()),
            ..NeedQuery::default()
        };
        let (waiting, _) = app
            .needs(&county, &submitted, PageRequest::all())
            .await
            .expect("needs");
        assert!(
            waiting.iter().any(|n| n.id == raised),
            "the raised need waits for review"
        );

        let (orgs, _) = app
            .organizations(&county, Default::default(), PageRequest::all())
            .await
            .expect("organizations");
        let (mut rated, mut logged) = (0, 0);
        for org in &orgs {
            rated += app
                .ratings(&county, org.id)
                .await
                .expect("ratings")
                .history
                .len();
            logged += app
                .activities(&county, org.id)
                .await
                .expect("activities")
                .len();
        }
        assert!(
            rated > 0 && logged > 0,
            "grades {rated}, activities {logged}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_demo_organization_finds_work_on_its_to_do_list() {
    each_backend(async |db: &TestDb| {
        let (app, _) = demo_with_summary(db).await;
        let org = caller(&app, "org").await;
        let todo = app.todo(&org, today()).await.expect("to-do");
        let waiting: Vec<TodoKind> = todo.iter().map(|t| t.kind).collect();
        for kind in [
            TodoKind::PledgesToSign,
            TodoKind::ClaimsWithoutLetter,
            TodoKind::PledgesOverdue,
            TodoKind::VisitsOverdue,
            TodoKind::NeedsToClaim,
        ] {
            assert!(waiting.contains(&kind), "{kind:?} missing from {todo:?}");
        }
    })
    .await;
}
