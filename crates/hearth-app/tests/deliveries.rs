//! Deliveries (发放签收) of pledge lines: a full delivery fulfils the pledge and its needs,
//! partial deliveries add up and never pass the pledge, refusals name the field, who may record
//! and who sees what, and two deliveries of one line at the same moment, on both databases.

use crate::common::{SANHE, arg, audit_log, caller, demo};
use crate::households::{known, officer, refusals};
use crate::needs::{household, open_need, quilts, second_org};
use chrono::NaiveDate;
use hearth_app::deliveries::{DeliveryQuery, DeliveryRecorded};
use hearth_app::pledges::{PledgeDraft, PledgeView};
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::delivery::{DeliveryInput, Handed, RecipientKind};
use hearth_core::need::{NeedInput, NeedStatus};
use hearth_core::pledge::{LineInput, PledgeInput, PledgeStatus};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

fn today() -> NaiveDate {
    hearth_app::today()
}

fn cash_line(yuan: &str) -> LineInput {
    LineInput {
        kind: "cash".into(),
        cash: yuan.into(),
        ..LineInput::default()
    }
}

/// A letter for these claimed needs and extra lines, due in a month.
fn letter(needs: &[Uuid], mode: &str, delivery: &str, extra: Vec<LineInput>) -> PledgeDraft {
    PledgeDraft {
        needs: needs.iter().map(Uuid::to_string).collect(),
        pledge: PledgeInput {
            campaign: hearth_app::demo::DEMO_CAMPAIGN.into(),
            mode: mode.into(),
            delivery: delivery.into(),
            deadline: (today() + chrono::Days::new(30)).to_string(),
            witness_town: "上派镇".into(),
            witness_village: "示例村".into(),
            lines: extra,
            ..PledgeInput::default()
        },
    }
}

/// An open need of a new household `n`, claimed by `org`.
async fn claimed(app: &App, org: &Caller, n: u32, input: impl Fn(Uuid) -> NeedInput) -> Uuid {
    let (village, town) = (caller(app, "village").await, caller(app, "town").await);
    let hh = household(app, &village, &town, n).await;
    let need = open_need(app, &village, &town, &input(hh)).await;
    app.claim_need(org, need.id).await.expect("claim");
    need.id
}

async fn drafted(app: &App, org: &Caller, letter: &PledgeDraft) -> PledgeView {
    app.draft_pledge_on(org, letter, today())
        .await
        .unwrap_or_else(|e| panic!("draft: {e:?}"))
}

async fn signed(app: &App, org: &Caller, letter: &PledgeDraft) -> PledgeView {
    let p = drafted(app, org, letter).await;
    app.sign_pledge(org, p.id).await.expect("sign")
}

/// The head of the household signs for `quantity` units or `cash` yuan today.
fn handed(quantity: &str, cash: &str) -> DeliveryInput {
    DeliveryInput {
        delivered_on: today().to_string(),
        handler: "李经办（测试）".into(),
        signed_name: "户主签名（测试）".into(),
        quantity: quantity.into(),
        cash: cash.into(),
        ..DeliveryInput::default()
    }
}

async fn deliver(
    app: &App,
    who: &Caller,
    line: Uuid,
    input: &DeliveryInput,
) -> Result<DeliveryRecorded, AppError> {
    app.record_delivery(who, line, None, input).await
}

async fn need_status(app: &App, id: Uuid) -> NeedStatus {
    let town = caller(app, "town").await;
    app.need(&town, id).await.expect("the need").status
}

#[tokio::test]
async fn partial_deliveries_add_up_and_the_full_delivery_fulfils_pledge_and_need() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        // The demo's own deliveries are logged before this test's.
        let logged_before = audit_log(db).await.len();
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "2")).await;
        let p = signed(
            &app,
            &org,
            &letter(&[need], "一对一", "上门送达", vec![cash_line("500")]),
        )
        .await;
        let (quilt_line, cash) = (p.lines[0].id, p.lines[1].id);

        let mut by_proxy = handed("", "500");
        by_proxy.recipient = "代领".into();
        by_proxy.proxy_name = "王小明（测试）".into();
        by_proxy.proxy_relationship = "子女".into();
        let got = deliver(&app, &org, cash, &by_proxy).await.expect("cash");
        assert!(got.line.done);
        assert_eq!(
            got.pledge_status,
            PledgeStatus::InProgress,
            "one line of two done"
        );
        assert_eq!(got.delivery.recipient, RecipientKind::Proxy);
        assert_eq!(got.delivery.cash, Fen::from_yuan(500));
        assert!(
            got.delivery.number.starts_with("NDXD-DEMO-D"),
            "{}",
            got.delivery.number
        );

        let got = deliver(&app, &org, quilt_line, &handed("1", ""))
            .await
            .expect("one quilt");
        assert!(!got.line.done);
        assert_eq!(got.line.remaining, Some(Handed::Items { quantity: 1 }));
        assert_eq!(
            got.pledge_status,
            PledgeStatus::InProgress,
            "a part leaves it in progress"
        );
        assert_eq!(
            got.delivery.value,
            Fen::from_yuan(150),
            "at the pledged unit value"
        );
        assert_eq!(need_status(&app, need).await, NeedStatus::Claimed);

        let got = deliver(&app, &org, quilt_line, &handed("1", ""))
            .await
            .expect("the rest");
        assert!(got.line.done);
        assert_eq!(got.line.delivered.quantity, 2);
        assert_eq!(got.pledge_status, PledgeStatus::Fulfilled);
        assert_eq!(
            app.pledge(&org, p.id).await.unwrap().status,
            PledgeStatus::Fulfilled
        );
        assert_eq!(
            need_status(&app, need).await,
            NeedStatus::Fulfilled,
            "已发放"
        );

        assert_eq!(
            refusals(deliver(&app, &org, quilt_line, &handed("1", "")).await),
            [("status".to_owned(), "pledge.cannot_progress".to_owned())],
            "a fulfilled pledge takes no more"
        );
        let actions: Vec<String> = audit_log(db)
            .await
            .into_iter()
            .skip(logged_before)
            .filter(|e| e.action == "delivery_recorded" || e.action == "need_fulfilled")
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "delivery_recorded",
                "delivery_recorded",
                "delivery_recorded",
                "need_fulfilled"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn more_than_pledged_is_refused_naming_what_remains() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "3")).await;
        let p = signed(
            &app,
            &org,
            &letter(&[need], "一对一", "", vec![cash_line("300.50")]),
        )
        .await;
        let (quilt_line, cash) = (p.lines[0].id, p.lines[1].id);

        let refused = deliver(&app, &org, quilt_line, &handed("4", "")).await;
        let Err(AppError::Invalid(errors)) = &refused else {
            panic!("expected a refusal, got {refused:?}");
        };
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            ("quantity", "delivery.too_many")
        );
        assert_eq!(arg(&errors[0], "remaining"), Some("3"));
        deliver(&app, &org, quilt_line, &handed("2", ""))
            .await
            .expect("two of three");
        let refused = deliver(&app, &org, quilt_line, &handed("2", "")).await;
        let Err(AppError::Invalid(errors)) = &refused else {
            panic!("expected a refusal, got {refused:?}");
        };
        assert_eq!(arg(&errors[0], "remaining"), Some("1"));

        deliver(&app, &org, cash, &handed("", "200"))
            .await
            .expect("part of the cash");
        let refused = deliver(&app, &org, cash, &handed("", "100.60")).await;
        let Err(AppError::Invalid(errors)) = &refused else {
            panic!("expected a refusal, got {refused:?}");
        };
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            ("cash", "delivery.too_much")
        );
        assert_eq!(arg(&errors[0], "remaining"), Some("100.50"));

        // The wrong kind, a day in the future and a half-filled proxy are named too.
        assert_eq!(
            refusals(deliver(&app, &org, cash, &handed("1", "")).await),
            [("quantity".to_owned(), "delivery.cash_line".to_owned())]
        );
        let mut wrong = handed("1", "");
        wrong.delivered_on = (today() + chrono::Days::new(1)).to_string();
        wrong.recipient = "proxy".into();
        assert_eq!(
            refusals(deliver(&app, &org, quilt_line, &wrong).await),
            [
                (
                    "delivered_on".to_owned(),
                    "household.date_in_future".to_owned()
                ),
                ("proxy_name".to_owned(), "field.required".to_owned()),
                ("proxy_relationship".to_owned(), "field.required".to_owned()),
            ]
        );
        let listed = app.deliveries_for_pledge(&org, p.id).await.expect("listed");
        assert_eq!(listed.deliveries.len(), 2, "refusals store nothing");
        assert_eq!(
            listed.lines[0].remaining,
            Some(Handed::Items { quantity: 1 })
        );
        assert_eq!(
            listed.lines[1].remaining,
            Some(Handed::Cash {
                amount: Fen::new(10_050)
            })
        );
    })
    .await;
}

#[tokio::test]
async fn drafts_cancelled_pledges_services_and_other_organizations_are_refused() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        let draft = drafted(&app, &org, &letter(&[need], "一对一", "", vec![])).await;
        let line = draft.lines[0].id;
        assert_eq!(
            refusals(deliver(&app, &org, line, &handed("1", "")).await),
            [("status".to_owned(), "pledge.not_signed".to_owned())]
        );
        app.sign_pledge(&org, draft.id).await.expect("sign");

        let county = caller(&app, "county").await;
        let other = second_org(&app, &county, &org).await;
        assert!(matches!(
            deliver(&app, &other, line, &handed("1", "")).await,
            Err(AppError::NotFound)
        ));
        let town = caller(&app, "town").await;
        assert_eq!(
            refusals(deliver(&app, &town, line, &handed("1", "")).await),
            [(
                "delivery".to_owned(),
                "delivery.through_town_only".to_owned()
            )],
            "a door-to-door pledge is the organization's to deliver"
        );
        let village = caller(&app, "village").await;
        assert!(matches!(
            deliver(&app, &village, line, &handed("1", "")).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            deliver(&app, &org, Uuid::now_v7(), &handed("1", "")).await,
            Err(AppError::NotFound)
        ));

        app.cancel_pledge(&org, draft.id, "改由他人帮扶（测试）")
            .await
            .expect("cancel");
        assert_eq!(
            refusals(deliver(&app, &org, line, &handed("1", "")).await),
            [("status".to_owned(), "pledge.cannot_progress".to_owned())]
        );

        let mut visits = letter(&[], "一对一", "", vec![]);
        visits.pledge.households = vec![draft.households[0].id.to_string()];
        visits.pledge.lines = vec![LineInput {
            kind: "service".into(),
            service: "visit".into(),
            starts_on: today().to_string(),
            ends_on: (today() + chrono::Days::new(20)).to_string(),
            ..LineInput::default()
        }];
        let service = signed(&app, &org, &visits).await;
        assert_eq!(
            refusals(deliver(&app, &org, service.lines[0].id, &handed("1", "")).await),
            [("line".to_owned(), "delivery.service_line".to_owned())]
        );
        for refused in [&draft, &service] {
            let of_letter = DeliveryQuery {
                pledge: Some(refused.id.to_string()),
                ..DeliveryQuery::default()
            };
            let (stored, _) = app
                .deliveries(&county, &of_letter, PageRequest::all())
                .await
                .unwrap();
            assert!(stored.is_empty(), "nothing was stored");
        }
    })
    .await;
}

#[tokio::test]
async fn one_to_many_lines_name_their_household_and_the_town_hands_over() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let first = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        let second = claimed(&app, &org, 2, |hh| quilts(hh, "1")).await;
        let p = signed(
            &app,
            &org,
            &letter(
                &[first, second],
                "一对多",
                "集中发放",
                vec![cash_line("600")],
            ),
        )
        .await;
        let (h1, h2) = (p.households[0].id, p.households[1].id);
        let cash = p.lines[2].id;

        assert_eq!(
            refusals(deliver(&app, &org, cash, &handed("", "300")).await),
            [(
                "household".to_owned(),
                "delivery.household_required".to_owned()
            )]
        );
        assert_eq!(
            refusals(
                app.record_delivery(&org, cash, Some(Uuid::now_v7()), &handed("", "300"))
                    .await
            ),
            [(
                "household".to_owned(),
                "delivery.wrong_household".to_owned()
            )]
        );
        assert_eq!(
            refusals(
                app.record_delivery(&org, p.lines[0].id, Some(h2), &handed("1", ""))
                    .await
            ),
            [(
                "household".to_owned(),
                "delivery.wrong_household".to_owned()
            )],
            "a need's line goes to the need's household"
        );
        let town = caller(&app, "town").await;
        let got = app
            .record_delivery(&town, cash, Some(h1), &handed("", "300"))
            .await
            .expect("the town hands over (集中发放)");
        assert_eq!(got.delivery.household_id, h1);
        assert_eq!(got.delivery.town_name, "上派镇");
        let got = app
            .record_delivery(&org, cash, Some(h2), &handed("", "300"))
            .await
            .expect("the other household");
        assert!(got.line.done);
        assert_eq!(got.pledge_status, PledgeStatus::InProgress);

        let sanhe = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        assert!(matches!(
            app.record_delivery(&sanhe, p.lines[0].id, None, &handed("1", ""))
                .await,
            Err(AppError::NotFound)
        ));
        deliver(&app, &town, p.lines[0].id, &handed("1", ""))
            .await
            .expect("first quilt");
        let last = deliver(&app, &org, p.lines[1].id, &handed("1", ""))
            .await
            .expect("second");
        assert_eq!(last.pledge_status, PledgeStatus::Fulfilled);
        for need in [first, second] {
            assert_eq!(need_status(&app, need).await, NeedStatus::Fulfilled);
        }
    })
    .await;
}

#[tokio::test]
async fn each_role_sees_the_deliveries_in_its_scope_with_names_masked_for_organizations() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "2")).await;
        let p = signed(&app, &org, &letter(&[need], "一对一", "", vec![])).await;
        let mut input = handed("1", "");
        input.signed_name = known(1).head_name.clone();
        deliver(&app, &org, p.lines[0].id, &input)
            .await
            .expect("deliver");

        let head = known(1).head_name;
        let seen = app.deliveries_for_pledge(&org, p.id).await.expect("own");
        assert_eq!(seen.deliveries.len(), 1);
        assert!(
            seen.deliveries[0].head_name.ends_with('*'),
            "masked for the organization"
        );
        assert!(seen.deliveries[0].signed_name.ends_with('*'));
        assert_eq!(seen.deliveries[0].pledge_number, p.number);
        assert_eq!(seen.deliveries[0].item_name, "棉被");

        let (county, town, village) = (
            caller(&app, "county").await,
            caller(&app, "town").await,
            caller(&app, "village").await,
        );
        // The demo's own deliveries are left out: this letter's only.
        let of_letter = DeliveryQuery {
            pledge: Some(p.id.to_string()),
            ..DeliveryQuery::default()
        };
        for who in [&county, &town, &village] {
            let (list, total) = app
                .deliveries(who, &of_letter, PageRequest::all())
                .await
                .expect("list");
            assert_eq!(total, 1, "{}", who.user.username);
            assert_eq!(list[0].head_name, head, "officers see the name");
            assert_eq!(list[0].signed_name, head);
        }
        let other = second_org(&app, &county, &org).await;
        let sanhe = officer(&app, "sanhe_town", "town_officer", SANHE).await;
        for who in [&other, &sanhe] {
            let (_, total) = app
                .deliveries(who, &of_letter, PageRequest::all())
                .await
                .expect("list");
            assert_eq!(total, 0, "{}", who.user.username);
            assert!(matches!(
                app.deliveries_for_pledge(who, p.id).await,
                Err(AppError::NotFound)
            ));
        }
        let in_sanhe = DeliveryQuery {
            area: Some(SANHE.into()),
            ..of_letter
        };
        let (_, total) = app
            .deliveries(&county, &in_sanhe, PageRequest::all())
            .await
            .unwrap();
        assert_eq!(total, 0, "narrowed to another town");
        let sysadmin = caller(&app, "sysadmin").await;
        assert!(matches!(
            app.deliveries(&sysadmin, &DeliveryQuery::default(), PageRequest::all())
                .await,
            Err(AppError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn two_deliveries_of_a_whole_line_at_the_same_moment_give_one_success() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let town = caller(&app, "town").await;
        for round in 0..5u32 {
            let need = claimed(&app, &org, round + 1, |hh| quilts(hh, "2")).await;
            let p = signed(
                &app,
                &org,
                &letter(&[need], "一对一", "集中发放", vec![cash_line("100")]),
            )
            .await;
            let line = p.lines[0].id;
            let whole = handed("2", "");
            let (a, b) = tokio::join!(
                deliver(&app, &org, line, &whole),
                deliver(&app, &town, line, &whole)
            );
            let won = [&a, &b].iter().filter(|r| r.is_ok()).count();
            assert_eq!(won, 1, "round {round}: exactly one: {a:?} {b:?}");
            let lost = if a.is_err() { a } else { b };
            assert_eq!(
                refusals(lost),
                [("line".to_owned(), "delivery.line_complete".to_owned())],
                "round {round}"
            );
            let listed = app.deliveries_for_pledge(&org, p.id).await.unwrap();
            assert_eq!(listed.deliveries.len(), 1, "round {round}");
            assert_eq!(
                listed.lines[0].delivered.quantity, 2,
                "never more than pledged"
            );
        }
    })
    .await;
}

/// The running part of a delivery number: `NDXD-DEMO-D0007` → 7.
fn running(number: &str) -> u32 {
    let (_, n) = number.rsplit_once("-D").expect("a delivery number");
    n.parse().expect("digits")
}

#[tokio::test]
async fn delivery_numbers_run_on_also_in_a_database_numbered_by_counting() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let org = caller(&app, "org").await;
        let need = claimed(&app, &org, 1, |hh| quilts(hh, "1")).await;
        let p = signed(
            &app,
            &org,
            &letter(&[need], "一对一", "", vec![cash_line("300")]),
        )
        .await;
        let cash = p.lines[1].id;
        let first = deliver(&app, &org, cash, &handed("", "100")).await.unwrap();
        let second = deliver(&app, &org, cash, &handed("", "100")).await.unwrap();
        assert_eq!(
            running(&second.delivery.number),
            running(&first.delivery.number) + 1
        );
        // A database from before the counters: its papers were numbered by counting them.
        db.execute("DELETE FROM paper_counter").await.unwrap();
        let third = deliver(&app, &org, cash, &handed("", "100")).await.unwrap();
        assert_eq!(
            running(&third.delivery.number),
            running(&second.delivery.number) + 1
        );
    })
    .await;
}
