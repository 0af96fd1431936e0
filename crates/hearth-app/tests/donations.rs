//! Donations and purchases on both databases: a cash gift books one balanced entry and is
//! verifiable by its code without any household data; goods raise the receiving station's
//! stock; a purchase needs the designation's cash and a town's money buys only for that town;
//! who may record and read what.

use crate::common::{SANHE, SHANGPAI, audit_log, caller, demo};
use crate::households::{known, refusals};
use crate::needs::household;
use hearth_app::AppError;
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_app::donations::{DonationQuery, PublicDonor};
use hearth_app::stock::StockQuery;
use hearth_app::users::Operator;
use hearth_core::Fen;
use hearth_core::donation::{DesignationKind, DonationInput, GiftLineInput};
use hearth_core::ledger::{Account, EntryKind, Record};
use hearth_core::purchase::{PurchaseInput, PurchaseLineInput};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};

fn today() -> chrono::NaiveDate {
    hearth_app::today()
}

fn cash(yuan: &str, designation: &str, to: &str) -> DonationInput {
    DonationInput {
        campaign: DEMO_CAMPAIGN.into(),
        kind: "cash".into(),
        donor_kind: "person".into(),
        donor_name: "张明远（测试）".into(),
        amount: yuan.into(),
        channel: "bank_transfer".into(),
        received_on: today().to_string(),
        designation: designation.into(),
        designated_to: to.into(),
        ..DonationInput::default()
    }
}

fn quilts(quantity: &str, unit_value: &str) -> DonationInput {
    DonationInput {
        campaign: DEMO_CAMPAIGN.into(),
        kind: "in_kind".into(),
        donor_kind: "organization".into(),
        donor_name: "肥西示例商贸有限公司（测试）".into(),
        public_name: "yes".into(),
        received_on: today().to_string(),
        lines: vec![GiftLineInput {
            item: "quilt".into(),
            quantity: quantity.into(),
            unit_value: unit_value.into(),
            condition: "new".into(),
        }],
        ..DonationInput::default()
    }
}

fn purchase(invoice: &str, station: &str, designation: &str, to: &str) -> PurchaseInput {
    PurchaseInput {
        campaign: DEMO_CAMPAIGN.into(),
        supplier: "肥西示例百货有限公司（测试）".into(),
        invoice_number: invoice.into(),
        purchased_on: today().to_string(),
        station: station.into(),
        designation: designation.into(),
        designated_to: to.into(),
        lines: vec![PurchaseLineInput {
            item: "quilt".into(),
            quantity: "10".into(),
            unit_price: "50".into(),
        }],
        ..PurchaseInput::default()
    }
}

async fn ledger(db: &TestDb) -> Vec<Record> {
    let mut tx = db.store.read().await.unwrap();
    hearth_store::ledger::all_rows(&mut tx)
        .await
        .unwrap()
        .iter()
        .map(|row| row.record().unwrap())
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[tokio::test]
async fn a_cash_gift_books_one_balanced_entry_and_is_verifiable_without_signing_in() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let mut input = cash("5,000", "town", "上派镇");
        input.receipt_number = "3400 0012 3456".into();
        let d = app.record_donation(&county, &input).await.expect("record");
        assert_eq!(d.number, format!("JZ-{DEMO_CAMPAIGN}-0001"));
        assert_eq!(d.amount, Fen::from_yuan(5_000));
        assert_eq!(d.amount_capitals, "伍仟元整");
        assert_eq!(d.designation.kind, DesignationKind::Town);
        assert_eq!(d.designation.target, "上派镇");
        assert_eq!(d.receipt_number.as_deref(), Some("340000123456"));

        let records = ledger(db).await;
        let Some(Record::Entry(entry)) = records.last() else {
            panic!("an entry")
        };
        assert_eq!(entry.seq, 1);
        assert_eq!(entry.draft.kind, EntryKind::DonationCash);
        assert_eq!(entry.draft.header.source, Some(d.id));
        let sum: Fen = entry.draft.postings.iter().map(|p| p.amount).sum();
        assert_eq!(sum, Fen::ZERO, "debits equal credits");
        assert!(
            entry
                .draft
                .postings
                .iter()
                .any(|p| p.account == Account::CashAtBank && p.amount == Fen::from_yuan(5_000))
        );
        let verified = app.verify_ledger(Operator::Console).await.unwrap();
        assert!(verified.is_sound(), "{verified:?}");

        let code = d.verification_code.as_str().to_lowercase();
        let public = app.verify_donation(&code).await.expect("public page");
        assert_eq!(public.number, d.number);
        assert_eq!(public.amount, Fen::from_yuan(5_000));
        assert_eq!(public.donor, PublicDonor::Unnamed, "not agreed to be named");
        assert_eq!(public.designation, DesignationKind::Town);
        assert_eq!(public.designated_to, "上派镇");
        assert_eq!(public.reached, Fen::ZERO);

        let twice = app.record_donation(&county, &input).await;
        assert_eq!(
            refusals(twice),
            vec![pair("receipt_number", "donation.receipt_taken")]
        );
        let events = audit_log(db).await;
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "donation_recorded")
                .count(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_and_malformed_codes_are_not_found() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        for code in ["ABCD-EFGH-JKLM", "0000", "", "'; DROP TABLE donation; --"] {
            assert!(
                matches!(app.verify_donation(code).await, Err(AppError::NotFound)),
                "{code}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn goods_received_into_the_county_warehouse_raise_its_stock() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let d = app
            .record_donation(&county, &quilts("20", "150"))
            .await
            .expect("record goods");
        assert_eq!(d.station_name, "肥西县");
        assert_eq!(d.amount, Fen::from_yuan(3_000));
        assert_eq!(d.lines[0].quantity, 20);
        let at_catalogue = app
            .record_donation(&county, &quilts("2", ""))
            .await
            .expect("valued from the catalogue");
        assert!(at_catalogue.amount > Fen::ZERO);
        assert_eq!(at_catalogue.lines[0].value, at_catalogue.amount);

        let stock = app
            .stock(
                &county,
                &StockQuery {
                    station: Some("340123".into()),
                    item: Some("quilt".into()),
                    ..StockQuery::default()
                },
            )
            .await
            .expect("stock");
        assert_eq!(stock.len(), 1);
        assert_eq!(stock[0].quantity, 22);
        assert_eq!(stock[0].value, d.amount + at_catalogue.amount);
        assert!(
            app.verify_ledger(Operator::Console)
                .await
                .unwrap()
                .is_sound()
        );

        let public = app
            .verify_donation(d.verification_code.as_str())
            .await
            .unwrap();
        assert_eq!(
            public.donor,
            PublicDonor::Named("肥西示例商贸有限公司（测试）".into())
        );
        assert_eq!(public.lines[0].quantity, 20);
        assert_eq!(public.lines[0].reached, 0);
    })
    .await;
}

#[tokio::test]
async fn a_purchase_needs_the_designation_s_cash_and_reaches_households_first_in_first_out() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let first = app
            .record_donation(&county, &cash("300", "", ""))
            .await
            .unwrap();
        let second = app
            .record_donation(&county, &cash("700", "", ""))
            .await
            .unwrap();
        let mut too_much = purchase("00000001", "", "", "");
        too_much.lines[0].quantity = "30".into();
        let refused = app.record_purchase(&county, &too_much).await;
        let Err(AppError::Invalid(errors)) = &refused else {
            panic!("refused: {refused:?}")
        };
        assert_eq!(errors[0].code(), "ledger.entry.insufficient_cash");
        assert_eq!(crate::common::arg(&errors[0], "available"), Some("1000.00"));
        assert!(
            ledger(db).await.len() == 2,
            "nothing of the refused purchase"
        );

        let p = app
            .record_purchase(&county, &purchase("00000002", "", "", ""))
            .await
            .expect("within the cash");
        assert_eq!(p.number, format!("CG-{DEMO_CAMPAIGN}-0001"));
        assert_eq!(p.amount, Fen::from_yuan(500));
        assert_eq!(p.station_name, "肥西县");
        let reached = |code: String| {
            let app = app.clone();
            async move { app.verify_donation(&code).await.unwrap().reached }
        };
        assert_eq!(
            reached(first.verification_code.to_string()).await,
            Fen::from_yuan(300)
        );
        assert_eq!(
            reached(second.verification_code.to_string()).await,
            Fen::from_yuan(200)
        );
        let again = app
            .record_purchase(&county, &purchase("0000 0002", "", "", ""))
            .await;
        assert_eq!(
            refusals(again),
            vec![pair("invoice_number", "purchase.invoice_taken")]
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

#[tokio::test]
async fn a_town_s_designated_money_buys_only_for_that_town() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        app.record_donation(&county, &cash("2000", "定向乡镇", SHANGPAI))
            .await
            .unwrap();
        let elsewhere = app
            .record_purchase(&county, &purchase("10000001", SANHE, "town", "上派镇"))
            .await;
        assert_eq!(
            refusals(elsewhere),
            vec![pair("designation", "ledger.designation.not_allowed")]
        );
        let undesignated = app
            .record_purchase(&county, &purchase("10000002", SANHE, "", ""))
            .await;
        assert_eq!(
            refusals(undesignated),
            vec![pair("amount", "ledger.entry.insufficient_cash")],
            "the town's money is not the campaign's"
        );
        let p = app
            .record_purchase(&county, &purchase("10000003", SHANGPAI, "town", "上派镇"))
            .await
            .expect("for the town's own station");
        assert_eq!(p.designation.target, "上派镇");
        let town = caller(&app, "town").await;
        let seen = app.purchases(&town, "", PageRequest::new(None, None)).await;
        assert_eq!(seen.expect("town reads").total, 1);
        let unknown = app
            .record_purchase(&county, &purchase("10000004", "", "town", "不存在镇"))
            .await;
        assert_eq!(
            refusals(unknown),
            vec![pair("designated_to", "donation.town_unknown")]
        );
    })
    .await;
}

#[tokio::test]
async fn a_gift_for_a_household_never_shows_it_in_public() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let (village, town) = (caller(&app, "village").await, caller(&app, "town").await);
        let hh = household(&app, &village, &town, 41).await;
        let county = caller(&app, "county").await;
        let d = app
            .record_donation(&county, &cash("800", "household", &hh.to_string()))
            .await
            .expect("record");
        let head = known(41).head_name;
        assert!(
            d.designation.target.ends_with('*'),
            "{}",
            d.designation.target
        );
        assert!(!d.designation.target.contains(&head));

        let public = app
            .verify_donation(d.verification_code.as_str())
            .await
            .unwrap();
        assert_eq!(public.designation, DesignationKind::Household);
        assert_eq!(public.designated_to, "");
        let shown = serde_json::to_string(&public).unwrap();
        for secret in [hh.to_string(), head, known(41).phone, known(41).head_id] {
            assert!(!shown.contains(&secret), "{secret} in {shown}");
        }

        let org = caller(&app, "org").await;
        let mut by_org = cash("10", "household", &hh.to_string());
        by_org.donor_name.clear();
        by_org.donor_kind = "anonymous".into();
        assert!(matches!(
            app.record_donation(&org, &by_org).await,
            Err(AppError::Forbidden)
        ));
    })
    .await;
}

#[tokio::test]
async fn towns_record_goods_at_their_station_and_each_role_reads_its_own() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let town = caller(&app, "town").await;
        let org = caller(&app, "org").await;
        let auditor = caller(&app, "auditor").await;
        let village = caller(&app, "village").await;

        let refused = app.record_donation(&town, &cash("100", "", "")).await;
        assert_eq!(refusals(refused), vec![pair("kind", "donation.town_cash")]);
        let mut at_sanhe = quilts("5", "100");
        at_sanhe.station = SANHE.into();
        assert_eq!(
            refusals(app.record_donation(&town, &at_sanhe).await),
            vec![pair("station", "donation.station_not_yours")]
        );
        let at_own = app
            .record_donation(&town, &quilts("5", "100"))
            .await
            .expect("at the town's own station");
        assert_eq!(at_own.station_name, "上派镇");

        let mut from_org = quilts("3", "100");
        from_org.donor_name.clear();
        from_org.organization = org.user.organization_id.unwrap().to_string();
        let given = app.record_donation(&county, &from_org).await.unwrap();
        assert!(!given.donor_name.is_empty(), "the registry's name");

        let all = PageRequest::new(None, Some(100));
        let listed = |who| {
            let app = app.clone();
            async move {
                app.donations(&who, &DonationQuery::default(), all)
                    .await
                    .map(|page| page.rows.iter().map(|d| d.id).collect::<Vec<_>>())
            }
        };
        assert_eq!(listed(org.clone()).await.unwrap(), vec![given.id]);
        assert_eq!(listed(town.clone()).await.unwrap(), vec![at_own.id]);
        assert_eq!(listed(auditor.clone()).await.unwrap().len(), 2);
        assert!(matches!(
            listed(village.clone()).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.donation(&org, at_own.id).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(app.donation(&town, at_own.id).await.unwrap().id, at_own.id);

        for who in [&org, &auditor, &village] {
            assert!(matches!(
                app.record_donation(who, &quilts("1", "1")).await,
                Err(AppError::Forbidden)
            ));
        }
        for who in [&town, &org, &auditor] {
            assert!(matches!(
                app.record_purchase(who, &purchase("1", "", "", "")).await,
                Err(AppError::Forbidden)
            ));
        }
        assert!(matches!(
            app.purchases(&org, "", all).await,
            Err(AppError::Forbidden)
        ));
        assert!(app.purchases(&auditor, "", all).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_gift_for_a_pledge_is_named_by_the_pledge_s_number() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let pledges = app.pledges(&county).await.expect("the demo's pledges");
        let pledge = pledges
            .iter()
            .find(|p| p.cancelled_at.is_none())
            .expect("a pledge in force");
        let d = app
            .record_donation(&county, &cash("600", "定向承诺书", &pledge.number))
            .await
            .expect("record");
        assert_eq!(d.designation.kind, DesignationKind::Pledge);
        assert_eq!(d.designation.target, pledge.number);
        let public = app
            .verify_donation(d.verification_code.as_str())
            .await
            .unwrap();
        assert_eq!(public.designated_to, pledge.number);
        let unknown = app
            .record_donation(&county, &cash("600", "pledge", "NDXD-DEMO-P9999"))
            .await;
        assert_eq!(
            refusals(unknown),
            vec![pair("designated_to", "donation.pledge_unknown")]
        );
    })
    .await;
}
