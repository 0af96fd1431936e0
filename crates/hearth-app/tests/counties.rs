//! Many counties in one deployment: the demo's Feixi (county A) shares the database with two
//! invented counties, B under the same city (合肥市) and C under another city. Each county runs
//! its own campaign with its own gifts and households. A county sees nothing of another; the city
//! sees its two counties' totals and drills down county → town → village; the province sees all
//! three. The added divisions, people and gifts are synthetic (虚构), marked so in their names.

use crate::common::{
    COUNTY, SHANGPAI_VILLAGE, arg, caller, create, demo, fresh_uscc, input, listed,
};
use crate::households::{approved, complete, date, id_number, list, officer, register};
use crate::needs::{open_need, quilts};
use hearth_app::dashboard::Dashboard;
use hearth_app::dashboard::figures::Kpis;
use hearth_app::donations::DonationQuery;
use hearth_app::households::HouseholdQuery;
use hearth_app::identity::Decision;
use hearth_app::organizations::Filter;
use hearth_app::stock::StockQuery;
use hearth_app::waybills::WaybillQuery;
use hearth_app::{App, AppError, Caller};
use hearth_core::Fen;
use hearth_core::area::AreaLevel;
use hearth_core::campaign::{CampaignAction, CampaignInput};
use hearth_core::donation::DonationInput;
use hearth_core::donation::GiftLineInput;
use hearth_core::household::HouseholdInput;
use hearth_core::organization::OrgStatus;
use hearth_core::stock::{LineInput, ReceiptInput, ReceivedInput, WaybillInput};
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

/// An officer `world` added, signed in again (the password [`officer`] gives).
async fn again(app: &App, username: &str) -> Caller {
    let signed = app
        .sign_in(username, "Warm-Winter-2024")
        .await
        .unwrap_or_else(|e| panic!("{username} signs in: {e}"));
    app.session(&signed.token).await.expect("session").0
}

/// The ids of the organizations the caller's registry lists.
async fn org_ids(w: &World, who: &Caller) -> Vec<Uuid> {
    listed(&w.app, who, Filter::default())
        .await
        .unwrap_or_else(|e| panic!("{} lists organizations: {e}", who.user.username))
        .iter()
        .map(|o| o.id)
        .collect()
}

fn invalid_code<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    match result {
        Err(AppError::Invalid(errors)) => errors[0].code().to_owned(),
        Err(AppError::Conflict(error)) => error.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_county_registry_holds_only_its_own_organizations() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let (a, b) = (&w.county_a, &w.county_b);
        let feixi = org_ids(&w, a).await;
        assert!(!feixi.is_empty(), "the demo's organizations are Feixi's");
        let org_b = create(&w.app, b, "示例乙县助老协会（虚构）", 901, &[TOWN_B]).await;

        assert!(!org_ids(&w, a).await.contains(&org_b.id));
        let asked_for_b = Filter {
            area: Some(TOWN_B.parse().unwrap()),
            ..Filter::default()
        };
        assert!(listed(&w.app, a, asked_for_b).await.unwrap().is_empty());
        assert_eq!(
            org_ids(&w, b).await,
            [org_b.id],
            "B sees its own, none of Feixi's"
        );
        let town_b = again(&w.app, "town.b").await;
        assert_eq!(org_ids(&w, &town_b).await, [org_b.id]);
        assert!(org_ids(&w, &w.county_c).await.is_empty());

        // Reading, editing, deactivating and the history of B's organization: not found to A.
        assert!(matches!(
            w.app.organization(a, org_b.id).await,
            Err(AppError::NotFound)
        ));
        let edit = input("改名（虚构）", &org_b.profile.uscc, &[COUNTY]);
        let edited = w.app.update_organization(a, org_b.id, 1, &edit).await;
        assert!(matches!(edited, Err(AppError::NotFound)), "{edited:?}");
        let stopped = w
            .app
            .set_organization_status(a, org_b.id, OrgStatus::Inactive, "跨县停用（测试）")
            .await;
        assert!(matches!(stopped, Err(AppError::NotFound)), "{stopped:?}");
        let history = w.app.organization_history(a, org_b.id).await;
        assert!(matches!(history, Err(AppError::NotFound)));
        assert_eq!(
            w.app.organization(b, org_b.id).await.unwrap().profile.name,
            "示例乙县助老协会（虚构）",
            "nothing of B's changed"
        );

        // A registers nothing that serves B, and B's credit code does not show B's name.
        let serving_b = input("示例跨县服务社（虚构）", &fresh_uscc(902), &[TOWN_B]);
        let refused = w.app.create_organization(a, &serving_b).await;
        assert_eq!(invalid_code(refused), "org.area_outside_county");
        let copy = input("示例重复登记（虚构）", &org_b.profile.uscc, &[COUNTY]);
        let duplicate = w.app.create_organization(a, &copy).await;
        match &duplicate {
            Err(AppError::Conflict(e)) => {
                assert_eq!(e.code(), "org.duplicate_uscc_elsewhere");
                assert!(arg(e, "name").is_none(), "B's organization is not named");
            }
            other => panic!("{other:?}"),
        }

        // The city reads both of its counties' organizations, the province all; neither edits.
        let city = org_ids(&w, &w.city).await;
        assert!(city.contains(&org_b.id) && feixi.iter().all(|id| city.contains(id)));
        assert_eq!(org_ids(&w, &w.province).await.len(), city.len());
        assert!(w.app.organization(&w.city, org_b.id).await.is_ok());
        let by_city = w.app.create_organization(&w.city, &copy).await;
        assert!(matches!(by_city, Err(AppError::Forbidden)), "{by_city:?}");

        // An organization member keeps seeing its own organization.
        let member = caller(&w.app, "org").await;
        let own = member
            .user
            .organization_id
            .expect("the demo member's organization");
        assert_eq!(org_ids(&w, &member).await, [own]);
    })
    .await;
}

#[tokio::test]
async fn a_campaign_enrols_only_its_own_county_organizations() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let b = &w.county_b;
        let org_b = create(&w.app, b, "示例乙县慈善会（虚构）", 903, &[TOWN_B]).await;
        let (campaign_b, _) = w.app.campaign(b, "NDXD-B").await.unwrap();
        let (demo, _) = w
            .app
            .campaign(&w.county_a, hearth_app::demo::DEMO_CAMPAIGN)
            .await
            .unwrap();
        let member = caller(&w.app, "org").await;
        let feixi_org = member
            .user
            .organization_id
            .expect("the demo member's organization");

        let took_feixi = w
            .app
            .enrol_organizations(b, campaign_b.id, &[feixi_org], 1)
            .await;
        assert_eq!(invalid_code(took_feixi), "user.organization_unknown");
        let took_b = w
            .app
            .enrol_organizations(&w.county_a, demo.id, &[org_b.id], 2)
            .await;
        assert_eq!(invalid_code(took_b), "user.organization_unknown");
        let applied = w.app.apply_to_campaign(&member, campaign_b.id).await;
        assert!(matches!(applied, Err(AppError::NotFound)), "{applied:?}");
        let rejected = w
            .app
            .decide_application(&w.county_a, campaign_b.id, org_b.id, false, 1)
            .await;
        assert!(matches!(rejected, Err(AppError::NotFound)), "{rejected:?}");

        let enrolled = w
            .app
            .enrol_organizations(b, campaign_b.id, &[org_b.id], 1)
            .await
            .expect("B enrols its own organization");
        assert_eq!(
            enrolled
                .iter()
                .map(|e| e.organization_id)
                .collect::<Vec<_>>(),
            [org_b.id]
        );
    })
    .await;
}

#[tokio::test]
async fn an_organization_member_sees_only_its_own_county_campaigns() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let member = caller(&w.app, "org").await;
        assert_eq!(
            campaign_codes(&w, &member).await,
            [hearth_app::demo::DEMO_CAMPAIGN],
            "a Feixi organization's member lists Feixi's campaign, not B's or C's"
        );
        let other = w.app.campaign(&member, "NDXD-B").await;
        assert!(matches!(other, Err(AppError::NotFound)), "{other:?}");
        assert_eq!(
            campaign_codes(&w, &w.county_b).await,
            ["NDXD-B"],
            "and county B's officers still see their own"
        );
    })
    .await;
}

/// Household `n` of county B with a head born on `day` June 1941 and no second member: two of
/// them one day apart are the same family registered twice.
fn twin_in_b(n: u32, day: u32) -> HouseholdInput {
    let mut input = complete(VILLAGE_B, n);
    input.members.truncate(1);
    input.members[0].id_number = id_number(date(1941, 6, day), 951);
    input.members[0].disability_certificate = format!("{}21", input.members[0].id_number);
    input.consent.guardian.clear();
    input
}

#[tokio::test]
async fn identity_review_stays_inside_its_county() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let (a, b) = (&w.county_a, &w.county_b);
        let village_b = again(&w.app, "village.b").await;
        let mut twins = Vec::new();
        for day in [15, 16] {
            twins.push(register(&w.app, &village_b, &twin_in_b(950, day)).await.id);
        }

        let run_b = w.app.find_duplicates(b, None).await.expect("B's run");
        assert!(run_b.new_pairs >= 1, "{run_b:?}");
        assert_eq!(run_b.records, 3, "B's three households only");
        let queue_b = w.app.identity_queue(b, None).await.unwrap();
        let pair = queue_b
            .iter()
            .find(|p| twins.contains(&p.first.id) && twins.contains(&p.second.id))
            .expect("B's typo pair is in B's queue")
            .id;
        assert!(
            queue_b
                .iter()
                .all(|p| p.first.village_code.starts_with("340199")
                    && p.second.village_code.starts_with("340199")),
            "none of Feixi's pairs"
        );

        let run_a = w.app.find_duplicates(a, None).await.expect("Feixi's run");
        let b_ids: Vec<Uuid> = twins.iter().copied().chain([w.household_b]).collect();
        assert!(
            run_a
                .clusters
                .iter()
                .flatten()
                .all(|h| !b_ids.contains(&h.id)),
            "Feixi's run shows none of B's households"
        );
        for status in [None, Some("open"), Some("not_same"), Some("merged")] {
            let queue = w.app.identity_queue(a, status).await.unwrap();
            assert!(
                queue
                    .iter()
                    .all(|p| !b_ids.contains(&p.first.id) && !b_ids.contains(&p.second.id)),
                "{status:?}"
            );
        }
        assert!(matches!(
            w.app.identity_pair(a, pair).await,
            Err(AppError::NotFound)
        ));
        let decided = w
            .app
            .decide_pair(a, pair, Decision::NotSame, "跨县（测试）")
            .await;
        assert!(matches!(decided, Err(AppError::NotFound)), "{decided:?}");
        let revealed = w.app.reveal_pair(a, pair, "跨县核对（测试）").await;
        assert!(matches!(revealed, Err(AppError::NotFound)), "{revealed:?}");
        assert_eq!(
            invalid_code(w.app.find_duplicates(a, Some("NDXD-B")).await),
            "identity.campaign_unknown"
        );
        assert_eq!(
            invalid_code(w.app.duplicate_aid_report(a, "NDXD-B").await),
            "identity.campaign_unknown"
        );
        let still = w.app.identity_pair(b, pair).await.expect("B's pair");
        assert_eq!(still.status, "open", "A decided nothing of B's");
    })
    .await;
}

#[tokio::test]
async fn an_incoming_household_is_checked_only_against_its_own_county() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let village_b = again(&w.app, "village.b").await;
        let registered = register(&w.app, &village_b, &twin_in_b(950, 15)).await.id;
        let twin = twin_in_b(950, 16)
            .parse(hearth_app::today())
            .expect("a valid twin");
        let rows = [(2, &twin)];
        let in_b = w.app.check_incoming(&village_b, &rows).await.expect("B");
        assert!(
            in_b.iter().any(|m| m.household_id == registered),
            "B's own officer is told: {in_b:?}"
        );
        let in_a = w.app.check_incoming(&w.county_a, &rows).await.expect("A");
        assert!(
            in_a.iter().all(|m| m.household_id != registered),
            "Feixi learns nothing of B's registry: {in_a:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn matching_uses_only_the_county_own_campaign_and_households() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let (a, b) = (&w.county_a, &w.county_b);
        let village_b = again(&w.app, "village.b").await;
        let town_b = again(&w.app, "town.b").await;
        let mut need = quilts(w.household_b, "2");
        need.campaign = "NDXD-B".into();
        open_need(&w.app, &village_b, &town_b, &need).await;

        let refused = w.app.propose_matching(a, "NDXD-B").await;
        assert_eq!(invalid_code(refused), "stock.campaign_unknown");
        let feixi = w
            .app
            .propose_matching(a, hearth_app::demo::DEMO_CAMPAIGN)
            .await
            .expect("Feixi's proposal");
        assert!(feixi.needs.iter().all(|n| n.household_id != w.household_b));
        let own = w
            .app
            .propose_matching(b, "NDXD-B")
            .await
            .expect("B's proposal");
        assert_eq!(own.needs_considered, 1);
        assert_eq!(own.needs[0].household_id, w.household_b);
        let demo_from_b = w
            .app
            .propose_matching(b, hearth_app::demo::DEMO_CAMPAIGN)
            .await;
        assert_eq!(invalid_code(demo_from_b), "stock.campaign_unknown");
    })
    .await;
}

fn quilts_given(campaign: &str, quantity: &str) -> DonationInput {
    DonationInput {
        campaign: campaign.into(),
        kind: "in_kind".into(),
        donor_kind: "organization".into(),
        donor_name: "示例乙县商贸公司（虚构）".into(),
        received_on: hearth_app::today().to_string(),
        lines: vec![GiftLineInput {
            item: "quilt".into(),
            quantity: quantity.into(),
            unit_value: "150".into(),
            condition: "new".into(),
        }],
        ..DonationInput::default()
    }
}

fn waybill(campaign: &str, from: &str, to: &str) -> WaybillInput {
    WaybillInput {
        campaign: campaign.into(),
        from: from.into(),
        to: to.into(),
        dispatched_on: hearth_app::today().to_string(),
        note: "棉被调拨（测试）".into(),
        lines: vec![LineInput {
            item: "quilt".into(),
            quantity: "3".into(),
        }],
    }
}

#[tokio::test]
async fn stations_stock_and_waybills_stay_inside_their_county() {
    each_backend(async |db: &TestDb| {
        let w = world(db).await;
        let (a, b) = (&w.county_a, &w.county_b);
        w.app
            .record_donation(b, &quilts_given("NDXD-B", "10"))
            .await
            .expect("B receives quilts");
        let sent = w
            .app
            .dispatch_waybill(b, &waybill("NDXD-B", COUNTY_B, TOWN_B))
            .await
            .expect("B sends quilts to its town");

        let stations = w.app.stations(a).await.unwrap();
        assert!(
            stations
                .iter()
                .all(|s| s.code.as_str().starts_with("340123"))
        );
        let b_stations: Vec<String> = w
            .app
            .stations(b)
            .await
            .unwrap()
            .iter()
            .map(|s| s.code.to_string())
            .collect();
        assert_eq!(b_stations, [COUNTY_B, TOWN_B]);

        for query in [
            StockQuery::default(),
            StockQuery {
                station: Some(COUNTY_B.into()),
                ..StockQuery::default()
            },
            StockQuery {
                campaign: Some("NDXD-B".into()),
                ..StockQuery::default()
            },
        ] {
            let stock = w.app.stock(a, &query).await.unwrap();
            assert!(
                stock.iter().all(|l| l.campaign_code != "NDXD-B"),
                "{query:?}"
            );
            let moving = w.app.in_transit(a, &query).await.unwrap();
            assert!(moving.iter().all(|l| l.waybill_id != sent.id), "{query:?}");
        }
        let (waybills, _) = w
            .app
            .waybills(a, &WaybillQuery::default(), PageRequest::all())
            .await
            .unwrap();
        assert!(waybills.iter().all(|x| x.id != sent.id));
        assert!(matches!(
            w.app.waybill(a, sent.id).await,
            Err(AppError::NotFound)
        ));
        let receipt = ReceiptInput {
            received_on: hearth_app::today().to_string(),
            note: String::new(),
            lines: vec![ReceivedInput {
                item: "quilt".into(),
                received: "3".into(),
                cause: String::new(),
                note: String::new(),
            }],
        };
        let received = w.app.receive_waybill(a, sent.id, &receipt).await;
        assert!(matches!(received, Err(AppError::NotFound)), "{received:?}");

        // Nothing leaves Feixi for B's stations, and B's campaign takes no paper from Feixi.
        w.app
            .record_donation(a, &quilts_given(hearth_app::demo::DEMO_CAMPAIGN, "5"))
            .await
            .expect("Feixi receives quilts");
        let across = waybill(hearth_app::demo::DEMO_CAMPAIGN, COUNTY, COUNTY_B);
        let across = w.app.dispatch_waybill(a, &across).await;
        assert_eq!(invalid_code(across), "stock.no_station");
        let in_b = waybill("NDXD-B", COUNTY, "340123100000");
        assert_eq!(
            invalid_code(w.app.dispatch_waybill(a, &in_b).await),
            "stock.campaign_unknown"
        );
        let b_stock = w
            .app
            .stock(
                b,
                &StockQuery {
                    campaign: Some("NDXD-B".into()),
                    ..StockQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(b_stock.iter().map(|l| l.quantity).sum::<i64>(), 7);
    })
    .await;
}

/// The dashboard keeps the database's counts only while nothing changes: two views in a row
/// agree, and a household approved in between shows on the next view.
#[tokio::test]
async fn the_dashboard_counts_again_after_a_change() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let view = async || {
            app.dashboard(&county, None, None, hearth_app::today())
                .await
                .expect("the county's dashboard")
        };
        let before = view().await;
        assert_eq!(view().await.kpis, before.kpis, "nothing changed");
        approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 951)).await;
        let after = view().await;
        assert_eq!(
            after.kpis.households_registered,
            before.kpis.households_registered + 1,
            "the household approved counts at once"
        );
    })
    .await;
}
