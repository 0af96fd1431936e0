//! Stock at the county warehouse and the town stations on both databases: waybills from
//! dispatch to receipt with a shortfall, handovers to households that meet a need or deliver a
//! pledge line, the distribution roster, adjustments and counts under maker-checker, who may do
//! what where, and 32 handovers at once from a station holding 20.

use crate::common::{COUNTY, SANHE, SHANGPAI, arg, audit_log, caller, demo};
use crate::households::{officer, refusals};
use crate::needs::{household, open_need, quilts};
use hearth_app::distributions::{DistributionQuery, RosterQuery, RosterUse};
use hearth_app::pledges::PledgeDraft;
use hearth_app::stock::StockQuery;
use hearth_app::stock::adjustments::PaperQuery;
use hearth_app::users::Operator;
use hearth_app::waybills::WaybillQuery;
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::delivery::DeliveryInput;
use hearth_core::donation::{DonationInput, GiftLineInput};
use hearth_core::ledger::{AdjustmentCause, WaybillStatus};
use hearth_core::need::NeedStatus;
use hearth_core::pledge::{PledgeInput, PledgeStatus};
use hearth_core::stock::{
    AdjustmentInput, CountInput, DistributionInput, LineInput, ReceiptInput, ReceivedInput,
    ReviewStatus, WaybillInput,
};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

const CAMPAIGN: &str = hearth_app::demo::DEMO_CAMPAIGN;

fn today() -> chrono::NaiveDate {
    hearth_app::today()
}

/// `quantity` quilts at 150 yuan each, received into the recorder's own station.
async fn received(app: &App, who: &Caller, quantity: u32) {
    let gift = DonationInput {
        campaign: CAMPAIGN.into(),
        kind: "in_kind".into(),
        donor_kind: "organization".into(),
        donor_name: "肥西示例商贸有限公司（测试）".into(),
        received_on: today().to_string(),
        lines: vec![GiftLineInput {
            item: "quilt".into(),
            quantity: quantity.to_string(),
            unit_value: "150".into(),
            condition: "new".into(),
        }],
        ..DonationInput::default()
    };
    app.record_donation(who, &gift)
        .await
        .unwrap_or_else(|e| panic!("receive {quantity} quilts: {e:?}"));
}

/// Units and value of quilts at a station, as its stock page shows them.
async fn quilts_at(app: &App, who: &Caller, station: &str) -> (i64, Fen) {
    let query = StockQuery {
        campaign: Some(CAMPAIGN.into()),
        station: Some(station.into()),
        item: Some("quilt".into()),
    };
    let lines = app.stock(who, &query).await.expect("the stock page");
    lines
        .iter()
        .map(|l| (l.quantity, l.value))
        .fold((0, Fen::ZERO), |(q, v), (lq, lv)| (q + lq, v + lv))
}

fn line(item: &str, quantity: &str) -> LineInput {
    LineInput {
        item: item.into(),
        quantity: quantity.into(),
    }
}

fn waybill(to: &str, quantity: &str) -> WaybillInput {
    WaybillInput {
        campaign: CAMPAIGN.into(),
        from: COUNTY.into(),
        to: to.into(),
        dispatched_on: today().to_string(),
        note: "第一批棉被（测试）".into(),
        lines: vec![line("quilt", quantity), line("", "")],
    }
}

fn counted(received: &str, cause: &str, note: &str) -> ReceiptInput {
    ReceiptInput {
        received_on: today().to_string(),
        note: String::new(),
        lines: vec![ReceivedInput {
            item: "quilt".into(),
            received: received.into(),
            cause: cause.into(),
            note: note.into(),
        }],
    }
}

/// The head of the household signs for `quantity` quilts today.
fn handover(household: Uuid, quantity: &str) -> DistributionInput {
    DistributionInput {
        campaign: CAMPAIGN.into(),
        household: household.to_string(),
        lines: vec![line("quilt", quantity)],
        handover: DeliveryInput {
            delivered_on: today().to_string(),
            handler: "李经办（测试）".into(),
            signed_name: "户主签名（测试）".into(),
            ..DeliveryInput::default()
        },
        ..DistributionInput::default()
    }
}

fn codes(result: Result<impl std::fmt::Debug, AppError>) -> Vec<String> {
    refusals(result).into_iter().map(|(_, code)| code).collect()
}

#[tokio::test]
async fn a_waybill_takes_goods_to_a_town_which_counts_them_in_with_a_shortfall() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (county, town) = (caller(&app, "county").await, caller(&app, "town").await);
        received(&app, &county, 20).await;

        let refused = app.dispatch_waybill(&county, &waybill(SHANGPAI, "21")).await;
        let Err(AppError::Invalid(errors)) = refused else {
            panic!("dispatching more than the warehouse holds: {refused:?}")
        };
        assert_eq!(errors[0].field(), "lines[0].quantity");
        assert_eq!(errors[0].code(), "ledger.stock.insufficient");
        assert_eq!(arg(&errors[0], "available"), Some("20"));

        let sent = app
            .dispatch_waybill(&county, &waybill(SHANGPAI, "12"))
            .await
            .expect("dispatch");
        assert!(sent.number.starts_with("NDXD-DEMO-T"), "{}", sent.number);
        assert_eq!((sent.status, sent.to_name.as_str()), (WaybillStatus::Dispatched, "上派镇"));
        assert_eq!(sent.value, Fen::from_yuan(1_800));
        assert_eq!(quilts_at(&app, &county, COUNTY).await, (8, Fen::from_yuan(1_200)));
        assert_eq!(quilts_at(&app, &county, SHANGPAI).await.0, 0, "on the road");

        let seen = app.waybill(&town, sent.id).await.expect("the town sees it");
        assert!(seen.can_receive);
        // The town's to-do list shows the waybill on its way in, until it is counted in.
        let to_receive = |todo: Vec<hearth_app::todo::Todo>| {
            todo.iter()
                .find(|t| t.kind == hearth_app::todo::TodoKind::WaybillsToReceive)
                .map_or(0, |t| t.count)
        };
        assert_eq!(to_receive(app.todo(&town, today()).await.expect("to-do")), 1);
        let elsewhere = officer(&app, "sanhe_stock", "town_officer", SANHE).await;
        assert_eq!(to_receive(app.todo(&elsewhere, today()).await.expect("to-do")), 0);
        assert!(matches!(
            app.waybill(&elsewhere, sent.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.receive_waybill(&elsewhere, sent.id, &counted("12", "", "")).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(
            refusals(app.receive_waybill(&town, sent.id, &counted("11", "", "")).await),
            [("lines[0].cause".to_owned(), "field.required".to_owned())]
        );

        let got = app
            .receive_waybill(&town, sent.id, &counted("11", "损坏", "一床受潮发霉（测试）"))
            .await
            .expect("receive");
        assert_eq!(got.status, WaybillStatus::Received);
        assert_eq!(to_receive(app.todo(&town, today()).await.expect("to-do")), 0);
        assert_eq!(got.lines[0].received, Some(11));
        assert_eq!(got.lines[0].short, 1);
        assert_eq!(got.lines[0].cause, Some(AdjustmentCause::Damage));
        assert_eq!(quilts_at(&app, &town, SHANGPAI).await, (11, Fen::from_yuan(1_650)));
        assert_eq!(quilts_at(&app, &county, "").await.0, 19, "one written off");
        let again = app.receive_waybill(&town, sent.id, &counted("12", "", "")).await;
        assert!(
            matches!(&again, Err(AppError::Conflict(e)) if e.code() == "ledger.waybill.received_already"),
            "{again:?}"
        );

        let onward = WaybillInput {
            from: SHANGPAI.into(),
            ..waybill(SANHE, "1")
        };
        let onward = app.dispatch_waybill(&town, &onward).await.expect("town to town");
        assert!(matches!(
            app.receive_waybill(&town, onward.id, &counted("1", "", "")).await,
            Err(AppError::Forbidden)
        ));
        app.receive_waybill(&elsewhere, onward.id, &counted("1", "", ""))
            .await
            .expect("the other town counts it in");
        assert_eq!(quilts_at(&app, &elsewhere, SANHE).await.0, 1);
        let (listed, total) = app
            .waybills(&town, &WaybillQuery::default(), PageRequest::all())
            .await
            .unwrap();
        assert_eq!((total, listed[1].id), (2, sent.id));
        let (theirs, _) = app
            .waybills(&elsewhere, &WaybillQuery::default(), PageRequest::all())
            .await
            .unwrap();
        assert_eq!(theirs.len(), 1, "another town sees only the waybill it received");
        assert_eq!(
            codes(app.dispatch_waybill(&town, &waybill(SANHE, "1")).await),
            ["stock.not_your_station"],
            "a town dispatches from its own station only"
        );
        let actions: Vec<String> = audit_log(db).await.into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"waybill_dispatched".to_owned()));
        assert!(actions.contains(&"waybill_received".to_owned()));
        assert!(app.verify_ledger(Operator::Console).await.unwrap().is_sound());
    })
    .await;
}

#[tokio::test]
async fn a_town_hands_quilts_to_a_household_meeting_its_need_and_the_roster_lists_it() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (village, town) = (caller(&app, "village").await, caller(&app, "town").await);
        received(&app, &town, 5).await;
        let hh = household(&app, &village, &town, 31).await;
        let need = open_need(&app, &village, &town, &quilts(hh, "2")).await;

        let mut too_many = handover(hh, "6");
        too_many.need = need.id.to_string();
        let refused = refusals(app.record_distribution(&town, &too_many).await);
        assert_eq!(
            refused,
            [(
                "lines[0].quantity".to_owned(),
                "ledger.stock.insufficient".to_owned()
            )]
        );
        let mut short = handover(hh, "1");
        short.need = need.id.to_string();
        assert_eq!(
            codes(app.record_distribution(&town, &short).await),
            ["stock.need_not_met"]
        );

        let mut meets = handover(hh, "2");
        meets.need = need.id.to_string();
        meets.handover.recipient = "代领".into();
        meets.handover.proxy_name = "柏小山（测试）".into();
        meets.handover.proxy_relationship = "子女".into();
        let done = app
            .record_distribution(&town, &meets)
            .await
            .expect("hand over");
        assert!(done.number.starts_with("NDXD-DEMO-F"), "{}", done.number);
        assert_eq!(done.value, Fen::from_yuan(300));
        assert_eq!(done.lines[0].quantity, 2);
        assert_eq!(
            quilts_at(&app, &town, SHANGPAI).await,
            (3, Fen::from_yuan(450))
        );
        let fulfilled = app.need(&town, need.id).await.expect("the need");
        assert_eq!(
            fulfilled.status,
            NeedStatus::Fulfilled,
            "off the claim sheet"
        );
        assert_eq!(
            codes(app.record_distribution(&town, &meets).await),
            ["need.cannot_fulfil"],
            "a need is met once"
        );

        let elsewhere = officer(&app, "sanhe_hand", "town_officer", SANHE).await;
        assert_eq!(
            codes(
                app.record_distribution(&elsewhere, &handover(hh, "1"))
                    .await
            ),
            ["need.household_outside_scope"]
        );
        let auditor = caller(&app, "auditor").await;
        let (listed, _) = app
            .distributions(&auditor, &DistributionQuery::default(), PageRequest::all())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(
            listed[0].head_name.ends_with('*'),
            "{}",
            listed[0].head_name
        );

        let query = RosterQuery {
            campaign: CAMPAIGN.into(),
            ..RosterQuery::default()
        };
        let roster = app
            .roster(&town, &query, RosterUse::Print)
            .await
            .expect("roster");
        assert_eq!(
            (roster.town_name.as_str(), roster.households),
            ("上派镇", 1)
        );
        let row = &roster.rows[0];
        assert_eq!(row.head_name, crate::households::known(31).head_name);
        assert!(
            row.id_number.starts_with("340123********"),
            "{}",
            row.id_number
        );
        assert!(row.phone.starts_with("*******"), "{}", row.phone);
        assert_eq!(row.proxy_name, "柏小山（测试）");
        assert_eq!(
            (roster.totals[0].quantity, roster.value),
            (2, Fen::from_yuan(300))
        );
        let county = caller(&app, "county").await;
        assert_eq!(
            refusals(app.roster(&county, &query, RosterUse::Export).await),
            [("town".to_owned(), "field.required".to_owned())]
        );
        let other_town = RosterQuery {
            town: SANHE.into(),
            ..query.clone()
        };
        assert!(matches!(
            app.roster(&town, &other_town, RosterUse::Print).await,
            Err(AppError::NotFound)
        ));
        let actions: Vec<String> = audit_log(db).await.into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"distribution_recorded".to_owned()));
        assert!(actions.contains(&"roster_printed".to_owned()));
        assert!(
            app.verify_ledger(Operator::Console)
                .await
                .unwrap()
                .is_sound()
        );
    })
    .await;
}

#[tokio::test]
async fn a_pledge_line_handed_over_at_the_station_counts_for_the_pledge() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (village, town) = (caller(&app, "village").await, caller(&app, "town").await);
        let org = caller(&app, "org").await;
        received(&app, &town, 4).await;
        let hh = household(&app, &village, &town, 32).await;
        let need = open_need(&app, &village, &town, &quilts(hh, "2")).await;
        app.claim_need(&org, need.id).await.expect("claim");

        let mut claimed = handover(hh, "2");
        claimed.need = need.id.to_string();
        assert_eq!(
            codes(app.record_distribution(&town, &claimed).await),
            ["stock.need_claimed"],
            "a claimed need is the organization's"
        );

        let letter = PledgeDraft {
            needs: vec![need.id.to_string()],
            pledge: PledgeInput {
                campaign: CAMPAIGN.into(),
                mode: "一对一".into(),
                delivery: "集中发放".into(),
                deadline: (today() + chrono::Days::new(30)).to_string(),
                witness_town: "上派镇".into(),
                witness_village: "示例村".into(),
                ..PledgeInput::default()
            },
        };
        let drafted = app
            .draft_pledge_on(&org, &letter, today())
            .await
            .expect("draft");
        let pledge = app.sign_pledge(&org, drafted.id).await.expect("sign");
        let mut through_town = handover(hh, "2");
        through_town.pledge_line = pledge.lines[0].id.to_string();
        let done = app
            .record_distribution(&town, &through_town)
            .await
            .expect("hand over the pledged quilts");
        assert!(done.delivery_id.is_some());
        let progress = app.deliveries_for_pledge(&town, pledge.id).await.unwrap();
        assert!(progress.lines[0].done);
        assert_eq!(progress.deliveries.len(), 1);
        let after = app.pledge(&org, pledge.id).await.expect("the pledge");
        assert_eq!(after.status, PledgeStatus::Fulfilled);
        assert_eq!(
            app.need(&town, need.id).await.unwrap().status,
            NeedStatus::Fulfilled
        );
        assert_eq!(quilts_at(&app, &town, SHANGPAI).await.0, 2);
        assert_eq!(
            codes(app.record_distribution(&town, &through_town).await),
            ["pledge.cannot_progress"],
            "the pledge is fulfilled"
        );
        assert!(
            app.verify_ledger(Operator::Console)
                .await
                .unwrap()
                .is_sound()
        );
    })
    .await;
}

fn loss(quantity: &str) -> AdjustmentInput {
    AdjustmentInput {
        campaign: CAMPAIGN.into(),
        station: SHANGPAI.into(),
        item: "quilt".into(),
        direction: "报损".into(),
        quantity: quantity.into(),
        cause: "损坏".into(),
        note: "仓库漏雨，棉被受潮（测试）".into(),
        made_on: today().to_string(),
    }
}

#[tokio::test]
async fn adjustments_and_counts_are_posted_only_when_a_second_officer_approves() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let town = caller(&app, "town").await;
        let checker = officer(&app, "town_checker", "town_officer", SHANGPAI).await;
        received(&app, &town, 10).await;

        assert_eq!(
            codes(app.record_adjustment(&town, &loss("11")).await),
            ["ledger.stock.insufficient"]
        );
        let pending = app
            .record_adjustment(&town, &loss("2"))
            .await
            .expect("record");
        assert_eq!(pending.status, ReviewStatus::Pending);
        assert!(!pending.can_decide, "the maker does not check");
        assert_eq!(
            quilts_at(&app, &town, SHANGPAI).await.0,
            10,
            "not yet in the books"
        );
        assert_eq!(
            codes(app.decide_adjustment(&town, pending.id, true, "").await),
            ["ledger.movement.checker_is_maker"]
        );
        let approved = app
            .decide_adjustment(&checker, pending.id, true, "")
            .await
            .expect("approve");
        assert_eq!(
            (approved.status, approved.value),
            (ReviewStatus::Approved, Fen::from_yuan(300))
        );
        assert_eq!(
            quilts_at(&app, &town, SHANGPAI).await,
            (8, Fen::from_yuan(1_200))
        );
        assert!(matches!(
            app.decide_adjustment(&checker, pending.id, false, "重复")
                .await,
            Err(AppError::Invalid(_))
        ));
        let refused = app.record_adjustment(&town, &loss("1")).await.unwrap();
        assert_eq!(
            codes(
                app.decide_adjustment(&checker, refused.id, false, " ")
                    .await
            ),
            ["stock.reason_required"]
        );
        let rejected = app
            .decide_adjustment(&checker, refused.id, false, "数量核对有误（测试）")
            .await
            .unwrap();
        assert_eq!(rejected.status, ReviewStatus::Rejected);
        let elsewhere = officer(&app, "sanhe_check", "town_officer", SANHE).await;
        assert!(matches!(
            app.decide_adjustment(&elsewhere, refused.id, true, "")
                .await,
            Err(AppError::NotFound)
        ));
        let listed = app
            .adjustments(&checker, &PaperQuery::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);

        let count = |n: &str| CountInput {
            campaign: CAMPAIGN.into(),
            station: SHANGPAI.into(),
            counted_on: today().to_string(),
            note: "月末盘点（测试）".into(),
            lines: vec![line("quilt", n)],
        };
        let first = app.record_count(&town, &count("7")).await.expect("count");
        assert_eq!(first.lines[0].difference, -1);
        let stale = app.record_count(&town, &count("9")).await.unwrap();
        app.decide_count(&checker, first.id, true, "")
            .await
            .expect("approve the count");
        assert_eq!(
            quilts_at(&app, &town, SHANGPAI).await,
            (7, Fen::from_yuan(1_050))
        );
        assert_eq!(
            codes(app.decide_count(&checker, stale.id, true, "").await),
            ["stock.count_stale"],
            "the book moved since the second count"
        );
        let found = app.record_count(&town, &count("9")).await.unwrap();
        app.decide_count(&checker, found.id, true, "")
            .await
            .expect("goods found");
        let (quantity, value) = quilts_at(&app, &town, SHANGPAI).await;
        assert_eq!(quantity, 9);
        assert!(
            value > Fen::from_yuan(1_050),
            "found at the catalogue value"
        );
        assert!(
            app.verify_ledger(Operator::Console)
                .await
                .unwrap()
                .is_sound()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_handovers_at_once_from_twenty_quilts_leave_none_and_never_fewer() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (village, town) = (caller(&app, "village").await, caller(&app, "town").await);
        received(&app, &town, 20).await;
        let hh = household(&app, &village, &town, 33).await;
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (app, town) = (app.clone(), town.clone());
                tokio::spawn(
                    async move { app.record_distribution(&town, &handover(hh, "1")).await },
                )
            })
            .collect();
        let mut succeeded = 0;
        for task in tasks {
            match task.await.expect("the task ran") {
                Ok(_) => succeeded += 1,
                Err(AppError::Invalid(e)) => {
                    assert_eq!(e[0].code(), "ledger.stock.insufficient");
                    assert_eq!(arg(&e[0], "available"), Some("0"));
                }
                Err(other) => panic!("unexpected refusal: {other:?}"),
            }
        }
        assert_eq!(succeeded, 20);
        assert_eq!(quilts_at(&app, &town, SHANGPAI).await, (0, Fen::ZERO));
        let (handed, total) = app
            .distributions(&town, &DistributionQuery::default(), PageRequest::all())
            .await
            .unwrap();
        assert_eq!((total, handed.len()), (20, 20));
        assert!(
            app.verify_ledger(Operator::Console)
                .await
                .unwrap()
                .is_sound()
        );
    })
    .await;
}
