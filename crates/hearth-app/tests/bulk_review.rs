//! 批量提交 and 批量审核通过: a village submits many drafts at once and the town approves many at
//! once, each household under the same rules as one at a time, a refused one holding back none
//! of the others and named with its reason.

use crate::common::{SANHE, SHANGPAI, SHANGPAI_VILLAGE, caller, demo};
use crate::households::{SANHE_VILLAGE, complete, officer, register};
use hearth_app::households::bulk::{BulkAction, BulkReport, MAX_IDS};
use hearth_app::{App, AppError, Caller};
use hearth_core::household::ConsentInput;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

/// Registers complete households `numbers` in `village` as `who`.
async fn drafts(app: &App, who: &Caller, village: &str, numbers: &[u32]) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for n in numbers {
        ids.push(register(app, who, &complete(village, *n)).await.id);
    }
    ids
}

/// The refused households with the (field, code) of each reason, or the error's kind.
fn refused(report: &BulkReport) -> Vec<(Uuid, Vec<(String, String)>)> {
    report
        .refused
        .iter()
        .map(|r| {
            let reasons = match &r.error {
                AppError::Invalid(list) => list
                    .iter()
                    .map(|e| (e.field().to_owned(), e.code().to_owned()))
                    .collect(),
                other => vec![(String::new(), format!("{other:?}"))],
            };
            (r.id, reasons)
        })
        .collect()
}

fn reasons(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

async fn status(app: &App, who: &Caller, id: Uuid) -> String {
    app.household(who, id).await.expect("the household").status
}

/// How many times the history records `action` for the household.
async fn recorded(app: &App, who: &Caller, id: Uuid, action: &str) -> usize {
    let history = app.household_history(who, id).await.expect("history");
    history.iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn a_village_submits_its_drafts_at_once_and_an_incomplete_one_is_named_with_its_reason() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let complete_ids = drafts(&app, &village, SHANGPAI_VILLAGE, &[41, 42, 43]).await;
        let mut bare = complete(SHANGPAI_VILLAGE, 44);
        bare.categories.clear();
        bare.main_category.clear();
        bare.consent = ConsentInput::default();
        let incomplete = register(&app, &village, &bare).await.id;
        let mut ids = complete_ids.clone();
        ids.insert(1, incomplete);

        let report = app
            .review_households(&village, &ids, BulkAction::Submit)
            .await
            .expect("the bulk submit runs");

        assert_eq!(
            report.done, complete_ids,
            "the others went through, in order"
        );
        assert_eq!(
            refused(&report),
            [(
                incomplete,
                reasons(&[
                    ("consent", "household.consent_missing"),
                    ("categories", "household.categories_missing"),
                ])
            )]
        );
        for id in &complete_ids {
            assert_eq!(status(&app, &village, *id).await, "submitted");
            assert_eq!(
                recorded(&app, &village, *id, "household_submit").await,
                1,
                "one audit event per household, as a single submit writes"
            );
        }
        assert_eq!(status(&app, &village, incomplete).await, "draft");
        assert_eq!(
            recorded(&app, &village, incomplete, "household_submit").await,
            0
        );

        // Submitting again is refused for each: they are no longer drafts.
        let again = app
            .review_households(&village, &complete_ids, BulkAction::Submit)
            .await
            .expect("runs");
        assert!(again.done.is_empty());
        assert_eq!(
            refused(&again),
            complete_ids
                .iter()
                .map(|id| (*id, reasons(&[("status", "household.cannot_submit")])))
                .collect::<Vec<_>>()
        );
    })
    .await;
}

#[tokio::test]
async fn the_town_approves_at_once_but_never_outside_its_town_nor_what_it_entered() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let sanhe_village = officer(&app, "sanhe.v", "village_officer", SANHE_VILLAGE).await;

        let ours = drafts(&app, &village, SHANGPAI_VILLAGE, &[51, 52, 53]).await;
        let elsewhere = drafts(&app, &sanhe_village, SANHE_VILLAGE, &[54]).await[0];
        let own = drafts(&app, &town, SHANGPAI_VILLAGE, &[55]).await[0];
        for (who, ids) in [
            (&village, ours.clone()),
            (&sanhe_village, vec![elsewhere]),
            (&town, vec![own]),
        ] {
            let sent = app
                .review_households(who, &ids, BulkAction::Submit)
                .await
                .expect("submit");
            assert_eq!(sent.done, ids);
        }

        let mut ids = ours.clone();
        ids.extend([elsewhere, own]);
        let report = app
            .review_households(&town, &ids, BulkAction::Approve)
            .await
            .expect("the bulk approval runs");

        assert_eq!(report.done, ours);
        assert_eq!(
            refused(&report),
            [
                (elsewhere, reasons(&[("", "NotFound")])),
                (own, reasons(&[("reviewer", "household.maker_checker")])),
            ],
            "outside the town it is not even seen; its own entry needs another reviewer"
        );
        for id in &ours {
            assert_eq!(status(&app, &town, *id).await, "approved");
            assert_eq!(recorded(&app, &town, *id, "household_approve").await, 1);
        }
        let sanhe_town = officer(&app, "sanhe.t", "town_officer", SANHE).await;
        assert_eq!(status(&app, &sanhe_town, elsewhere).await, "submitted");
        assert_eq!(status(&app, &town, own).await, "submitted");

        // A colleague of the same town approves what the first officer entered.
        let colleague = officer(&app, "shangpai.d", "town_officer", SHANGPAI).await;
        let report = app
            .review_households(&colleague, &[own, own], BulkAction::Approve)
            .await
            .expect("runs");
        assert_eq!(report.done, [own], "an id given twice is approved once");
        assert!(report.refused.is_empty());
        assert_eq!(recorded(&app, &town, own, "household_approve").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_batch_is_refused_as_a_whole_without_the_permission_or_the_right_size() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let ids = drafts(&app, &village, SHANGPAI_VILLAGE, &[61]).await;
        app.review_households(&village, &ids, BulkAction::Submit)
            .await
            .expect("submit");

        assert!(matches!(
            app.review_households(&village, &ids, BulkAction::Approve)
                .await,
            Err(AppError::Forbidden)
        ));
        assert_eq!(status(&app, &town, ids[0]).await, "submitted");

        let field_and_code = |result: Result<BulkReport, AppError>| match result {
            Err(AppError::Invalid(list)) => list
                .iter()
                .map(|e| (e.field().to_owned(), e.code().to_owned()))
                .collect::<Vec<_>>(),
            other => panic!("expected a refusal naming ids, got {other:?}"),
        };
        assert_eq!(
            field_and_code(app.review_households(&town, &[], BulkAction::Approve).await),
            reasons(&[("ids", "household.bulk_empty")])
        );
        let too_many: Vec<Uuid> = (0..=MAX_IDS).map(|_| Uuid::now_v7()).collect();
        assert_eq!(
            field_and_code(
                app.review_households(&town, &too_many, BulkAction::Approve)
                    .await
            ),
            reasons(&[("ids", "household.bulk_too_many")])
        );
        assert_eq!(
            status(&app, &town, ids[0]).await,
            "submitted",
            "nothing was approved"
        );
    })
    .await;
}
