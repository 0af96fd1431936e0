//! Many counties in one deployment: the demo's Feixi (county A) shares the database with two
//! invented counties, B under the same city (合肥市) and C under another city. Each county runs
//! its own campaign with its own gifts and households. A county sees nothing of another; the city
//! sees its two counties' totals and drills down county → town → village; the province sees all
//! three. The added divisions, people and gifts are synthetic (虚构), marked so in their names.

use crate::common::{COUNTY, caller, demo};
use crate::households::{approved, complete, list, officer};
use hearth_app::dashboard::Dashboard;
use hearth_app::dashboard::figures::Kpis;
use hearth_app::donations::DonationQuery;
use hearth_app::households::HouseholdQuery;
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::area::AreaLevel;
use hearth_core::campaign::{CampaignAction, CampaignInput};
use hearth_core::donation::DonationInput;
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

const CITY: &str = "340100000000";
const PROVINCE: &str = "340000000000";
const COUNTY_B: &str = "340199000000";
const TOWN_B: &str = "340199100000";
const VILLAGE_B: &str = "340199100001";
const CITY_C: &str = "341200000000";
const COUNTY_C: &str = "341299000000";

/// Synthetic divisions (示例, 虚构): county B under 合肥市, county C under an invented city.
const MORE_DIVISIONS: &str = "code,name,level,parent,note,example
340199000000,示例乙县（虚构）,county,340100000000,synthetic test county,1
340199100000,示例乙镇（虚构）,town,340199000000,synthetic test town,1
340199100001,示例乙村（虚构）,village,340199100000,synthetic test village,1
341200000000,示例丙市（虚构）,city,340000000000,synthetic test city,1
341299000000,示例丙县（虚构）,county,341200000000,synthetic test county,1
341299100000,示例丙镇（虚构）,town,341299000000,synthetic test town,1
341299100001,示例丙村（虚构）,village,341299100000,synthetic test village,1
";

struct World {
    app: App,
    county_a: Caller,
    county_b: Caller,
    county_c: Caller,
    city: Caller,
    province: Caller,
    /// County B's household, gift and campaign code.
    household_b: Uuid,
    donation_b: Uuid,
    /// Feixi's dashboard counters before the other counties were added.
    feixi_alone: Kpis,
}

fn winter(code: &str) -> CampaignInput {
    CampaignInput {
        code: code.into(),
        name: format!("{code} 暖冬行动（虚构）"),
        year: "2024".into(),
        starts_on: "2024-11-01".into(),
        ends_on: "2025-03-31".into(),
        focus_fields: vec!["elderly".into()],
        target_households: "100".into(),
        target_cash: "50000".into(),
        target_items: "10".into(),
        arrangements: String::new(),
    }
}

fn cash(campaign: &str, yuan: &str) -> DonationInput {
    DonationInput {
        campaign: campaign.into(),
        kind: "cash".into(),
        donor_kind: "person".into(),
        donor_name: "李乐善（虚构）".into(),
        amount: yuan.into(),
        channel: "bank_transfer".into(),
        received_on: hearth_app::today().to_string(),
        designation: "campaign".into(),
        ..DonationInput::default()
    }
}

/// A county's bureau launches its own campaign and receives one cash gift in it.
async fn campaign_with_gift(app: &App, county: &Caller, code: &str, yuan: &str) -> Uuid {
    let campaign = app
        .create_campaign(county, &winter(code))
        .await
        .unwrap_or_else(|e| panic!("create {code}: {e}"));
    app.advance_campaign(county, campaign.id, CampaignAction::Launch)
        .await
        .expect("launch");
    app.record_donation(county, &cash(code, yuan))
        .await
        .unwrap_or_else(|e| panic!("gift to {code}: {e}"))
        .id
}

async fn world(db: &TestDb) -> World {
    let app = demo(db).await;
    app.seed_demo_money().await.expect("the demo's gifts");
    let county_a = caller(&app, "county").await;
    let feixi_alone = app
        .dashboard(&county_a, None, None, hearth_app::today())
        .await
        .expect("Feixi's dashboard")
        .kpis;
    let sysadmin = caller(&app, "sysadmin").await;
    let loaded = app
        .import_divisions(&sysadmin, MORE_DIVISIONS)
        .await
        .expect("load the synthetic counties");
    assert_eq!(loaded, 7);
    let county_b = officer(&app, "county.b", "county_admin", COUNTY_B).await;
    let county_c = officer(&app, "county.c", "county_admin", COUNTY_C).await;
    let town_b = officer(&app, "town.b", "town_officer", TOWN_B).await;
    let village_b = officer(&app, "village.b", "village_officer", VILLAGE_B).await;
    let household_b = approved(&app, &village_b, &town_b, &complete(VILLAGE_B, 901))
        .await
        .id;
    let donation_b = campaign_with_gift(&app, &county_b, "NDXD-B", "1,000").await;
    campaign_with_gift(&app, &county_c, "NDXD-C", "500").await;
    World {
        county_a,
        feixi_alone,
        city: officer(&app, "city", "city_admin", CITY).await,
        province: officer(&app, "province", "province_admin", PROVINCE).await,
        county_b,
        county_c,
        household_b,
        donation_b,
        app,
    }
}

async fn dashboard(
    w: &World,
    who: &Caller,
    campaign: Option<&str>,
    area: Option<&str>,
) -> Dashboard {
    w.app
        .dashboard(who, campaign, area, hearth_app::today())
        .await
        .unwrap_or_else(|e| panic!("{} dashboard at {area:?}: {e}", who.user.username))
}

fn codes(d: &Dashboard) -> Vec<String> {
    d.areas.iter().map(|a| a.code.to_string()).collect()
}

fn trail(d: &Dashboard) -> Vec<AreaLevel> {
    d.trail.iter().map(|p| p.level).collect()
}

async fn campaign_codes(w: &World, who: &Caller) -> Vec<String> {
    let mut out: Vec<String> = w
        .app
        .campaigns(who)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.profile.code)
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_county_sees_nothing_of_another_county() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let a = &w.county_a;

        assert_eq!(campaign_codes(&w, a).await, ["NDXD-DEMO"]);
        assert!(matches!(
            w.app.campaign(a, "NDXD-B").await,
            Err(AppError::NotFound)
        ));
        let households = list(&w.app, a, HouseholdQuery::default()).await.unwrap();
        assert!(!households.is_empty(), "Feixi's own households are listed");
        assert!(households.iter().all(|h| h.village_code.starts_with("340123")));
        let searched = HouseholdQuery {
            area: Some(COUNTY_B.into()),
            ..HouseholdQuery::default()
        };
        let asked_for_b = list(&w.app, a, searched).await.unwrap();
        assert!(
            asked_for_b.iter().all(|h| h.village_code.starts_with("340123")),
            "asking for county B's code still searches only Feixi"
        );
        assert!(matches!(
            w.app.household(a, w.household_b).await,
            Err(AppError::NotFound)
        ));

        let query = DonationQuery::default();
        let gifts = w.app.donations(a, &query, PageRequest::all()).await.unwrap();
        assert!(!gifts.rows.is_empty(), "Feixi's own gifts are listed");
        assert!(gifts.rows.iter().all(|d| d.campaign_code == "NDXD-DEMO"));
        assert!(matches!(
            w.app.donation(a, w.donation_b).await,
            Err(AppError::NotFound)
        ));
        let into_b = w.app.record_donation(a, &cash("NDXD-B", "10")).await;
        assert!(
            matches!(into_b, Err(AppError::Invalid(ref e)) if e[0].code() == "donation.campaign_unknown"),
            "{into_b:?}"
        );

        for (campaign, area) in [(Some("NDXD-B"), None), (None, Some(COUNTY_B))] {
            let refused = w.app.dashboard(a, campaign, area, hearth_app::today()).await;
            assert!(
                matches!(refused, Err(AppError::NotFound | AppError::Forbidden)),
                "{campaign:?} {area:?}: {refused:?}"
            );
        }
        let filter = Default::default();
        assert!(matches!(
            w.app.reconciliation(a, "NDXD-B", &filter).await,
            Err(AppError::NotFound)
        ));

        let after = dashboard(&w, a, None, None).await;
        assert_eq!(after.kpis, w.feixi_alone, "B's gifts and households change nothing");
        assert_eq!(trail(&after), [AreaLevel::County]);
        assert!(codes(&after).iter().all(|c| c.starts_with("340123")));

        let b = dashboard(&w, &w.county_b, None, None).await;
        assert_eq!(b.kpis.cash_raised, Fen::from_yuan(1_000));
        assert_eq!(b.kpis.households_registered, 1);
        assert_eq!(campaign_codes(&w, &w.county_b).await, ["NDXD-B"]);
        let b_gifts = w
            .app
            .donations(&w.county_b, &query, PageRequest::all())
            .await
            .unwrap();
        assert_eq!(b_gifts.total, 1);
    })
    .await;
}

#[tokio::test]
async fn a_city_sees_its_counties_together_and_drills_down_to_a_village() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let a = dashboard(&w, &w.county_a, None, None).await;
        let b = dashboard(&w, &w.county_b, None, None).await;
        let city = dashboard(&w, &w.city, None, None).await;

        assert_eq!(campaign_codes(&w, &w.city).await, ["NDXD-B", "NDXD-DEMO"]);
        assert!(city.campaign.is_none(), "both counties' campaigns together");
        assert_eq!(trail(&city), [AreaLevel::City]);
        assert_eq!(codes(&city), [COUNTY, COUNTY_B]);
        assert_eq!(
            city.kpis.cash_raised,
            a.kpis.cash_raised + b.kpis.cash_raised
        );
        assert_eq!(
            city.kpis.households_registered,
            a.kpis.households_registered + b.kpis.households_registered
        );
        assert_eq!(city.areas[0].kpis.cash_raised, a.kpis.cash_raised);
        assert_eq!(city.areas[1].kpis.cash_raised, b.kpis.cash_raised);

        let county = dashboard(&w, &w.city, None, Some(COUNTY_B)).await;
        assert_eq!(trail(&county), [AreaLevel::City, AreaLevel::County]);
        assert_eq!(county.kpis, b.kpis);
        assert_eq!(codes(&county), [TOWN_B]);
        let village = dashboard(&w, &w.city, None, Some(VILLAGE_B)).await;
        assert_eq!(
            trail(&village),
            [
                AreaLevel::City,
                AreaLevel::County,
                AreaLevel::Town,
                AreaLevel::Village
            ]
        );
        assert_eq!(village.kpis.households_registered, 1);

        let one = dashboard(&w, &w.city, Some("NDXD-DEMO"), None).await;
        assert_eq!(one.kpis.cash_raised, a.kpis.cash_raised);
        assert_eq!(one.areas[1].kpis.cash_raised, Fen::ZERO);

        let other_city = w
            .app
            .dashboard(&w.city, None, Some(COUNTY_C), hearth_app::today())
            .await;
        assert!(
            matches!(other_city, Err(AppError::Forbidden)),
            "{other_city:?}"
        );
        let other_campaign = w
            .app
            .dashboard(&w.city, Some("NDXD-C"), None, hearth_app::today())
            .await;
        assert!(matches!(other_campaign, Err(AppError::NotFound)));

        // Read-mostly: the city registers nothing and reads no household.
        let households = list(&w.app, &w.city, HouseholdQuery::default()).await;
        assert!(matches!(households, Err(AppError::Forbidden)));
        let gift = w.app.record_donation(&w.city, &cash("NDXD-B", "10")).await;
        assert!(matches!(gift, Err(AppError::Forbidden)), "{gift:?}");
        let campaign = w.app.create_campaign(&w.city, &winter("NDXD-CITY")).await;
        assert!(matches!(campaign, Err(AppError::Forbidden)));
    })
    .await;
}

#[tokio::test]
async fn a_province_sees_every_city_and_county() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let a = dashboard(&w, &w.county_a, None, None).await;
        let c = dashboard(&w, &w.county_c, None, None).await;
        let city = dashboard(&w, &w.city, None, None).await;
        let province = dashboard(&w, &w.province, None, None).await;

        assert_eq!(
            campaign_codes(&w, &w.province).await,
            ["NDXD-B", "NDXD-C", "NDXD-DEMO"]
        );
        assert_eq!(trail(&province), [AreaLevel::Province]);
        assert_eq!(codes(&province), [CITY, CITY_C]);
        assert_eq!(
            province.kpis.cash_raised,
            city.kpis.cash_raised + c.kpis.cash_raised
        );
        assert_eq!(c.kpis.cash_raised, Fen::from_yuan(500));
        assert_eq!(province.areas[0].kpis, city.kpis);

        let feixi = dashboard(&w, &w.province, None, Some(COUNTY)).await;
        assert_eq!(
            trail(&feixi),
            [AreaLevel::Province, AreaLevel::City, AreaLevel::County]
        );
        assert_eq!(feixi.kpis, a.kpis);

        // The county's own areas page ends at its county; the province sees all three.
        let areas_a = w.app.areas(&w.county_a).await.unwrap();
        assert!(
            areas_a
                .iter()
                .all(|x| !x.code.as_str().starts_with("3401991"))
        );
        let areas_p = w.app.areas(&w.province).await.unwrap();
        assert!(areas_p.iter().any(|x| x.code.as_str() == COUNTY_C));
    })
    .await;
}

#[tokio::test]
async fn a_county_adds_divisions_only_inside_itself() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let refused = app.import_divisions(&county, MORE_DIVISIONS).await;
        match refused {
            Err(AppError::Invalid(errors)) => {
                assert_eq!(errors.len(), 7);
                assert_eq!(errors[0].code(), "area.outside_own");
                assert_eq!(errors[0].0.field, "row 2.code");
            }
            other => panic!("{other:?}"),
        }
        let own = "code,name,level,parent,note,example
340123100901,示例新村（虚构）,village,340123100000,synthetic test village,1
";
        assert_eq!(app.import_divisions(&county, own).await.unwrap(), 1);
    })
    .await;
}
