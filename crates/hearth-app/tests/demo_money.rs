//! The demo's money and materials, at the Feixi case's scale, on SQLite and PostgreSQL: over
//! 130,000 yuan from the 21 organizations, 390+ donated items worth about 90,000 yuan, goods
//! at the 上派镇 station after a waybill and handovers, and a ledger that verifies.

use crate::common::{caller, demo_with_summary};
use hearth_app::donations::DonationQuery;
use hearth_app::stock::StockQuery;
use hearth_app::users::Operator;
use hearth_core::Fen;
use hearth_core::donation::DonationKind;
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};

#[tokio::test]
async fn the_demo_books_the_seed_s_money_and_materials_and_the_ledger_verifies() {
    each_backend(async |db: &TestDb| {
        let (app, summary) = demo_with_summary(db).await;
        assert_eq!(summary.organizations, 21);
        let count = app.seed_demo_money().await.expect("seed the money");
        let county = caller(&app, "county").await;
        let page = app
            .donations(&county, &DonationQuery::default(), PageRequest::all())
            .await
            .expect("donations");
        assert_eq!(page.total as usize, count);
        let cash: Fen = page
            .rows
            .iter()
            .filter(|d| d.kind == DonationKind::Cash)
            .map(|d| d.amount)
            .sum();
        assert!(cash >= Fen::from_yuan(130_000), "over 130,000 yuan: {cash}");
        let items: i64 = page
            .rows
            .iter()
            .flat_map(|d| d.lines.iter().map(|l| i64::from(l.quantity)))
            .sum();
        let value: Fen = page
            .rows
            .iter()
            .flat_map(|d| d.lines.iter().map(|l| l.value))
            .sum();
        assert!(items >= 390, "390+ items: {items}");
        assert!(
            value >= Fen::from_yuan(85_000) && value <= Fen::from_yuan(95_000),
            "about 90,000 yuan of goods: {value}"
        );
        let town = StockQuery {
            station: Some("340123100000".into()),
            ..StockQuery::default()
        };
        let at_town = app.stock(&county, &town).await.expect("stock");
        assert!(
            at_town.iter().any(|l| l.quantity > 0),
            "the waybill brought goods to 上派镇"
        );
        let report = app.verify_ledger(Operator::Console).await.expect("verify");
        assert!(report.is_sound(), "{report:?}");
        assert!(report.records > 30);
    })
    .await;
}
