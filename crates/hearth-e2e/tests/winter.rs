//! One whole winter in the browser, each role at its own pages: a village officer registers a
//! household with consent and two needs → the town approves both → an organization claims them
//! and signs a pledge → the county records a donation and a purchase and sends quilts to the
//! town, which receives them → the organization's delivery is signed for, the town hands a quilt
//! over from its station → the organization records the follow-up visit → the dashboard and the
//! public page count the household. Screenshots of every step go to `target/e2e/winter/`.

use crate::support::{self, Browser};

const TOWN: &str = "340123100000";
const COUNTY_WAREHOUSE: &str = "340123000000";
const HEAD: &str = "胡冬生";

fn today() -> String {
    hearth_app::today().to_string()
}

/// A valid ID number of the county no demo household uses (born 1936-12-31, sequence 991).
fn id_number() -> String {
    let first17 = "34012319361231991";
    let check = hearth_core::id_number::id_check_char(first17).expect("17 digits");
    format!("{first17}{check}")
}

/// The figure under a dashboard or public counter.
fn counter(html: &str, label: &str) -> i64 {
    let at = html
        .find(&format!("<span class=\"dash-kpi-label\">{label}</span>"))
        .unwrap_or_else(|| panic!("no counter {label}"));
    let rest = &html[at..];
    let start = rest.find("dash-kpi-value\">").expect("a value") + 16;
    let end = start + rest[start..].find('<').expect("closed");
    rest[start..end].parse().expect("a whole number")
}

/// The ids in `action="/prefix/{id}/suffix"` of the forms on the page whose row names `text`.
async fn form_ids_in_rows(b: &Browser, text: &str, suffix: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll('tr')].filter(r => r.textContent.includes({text:?}))
           .flatMap(r => [...r.querySelectorAll('form')].map(f => f.getAttribute('action')))
           .filter(a => a && a.endsWith({suffix:?}));"
    );
    let found = b.client.execute(&script, vec![]).await.expect("run");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .filter_map(|action| action.split('/').nth(2).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn register_household(b: &Browser) -> String {
    b.sign_in("village").await;
    b.shot("01-village-todo").await;
    b.open("/households/new").await;
    let fields = [
        ("address", "示例村东组9号（浏览器测试）"),
        ("phone", "13900009876"),
        ("members[0].name", HEAD),
        ("members[0].relation", "head"),
        ("categories[0].category", "elderly_alone"),
        ("categories[0].source", "村委会核实"),
        ("categories[0].verified_by", "王某某（测试）"),
        ("main_category", "elderly_alone"),
        ("consent.version", "2024版（测试）"),
        ("consent.scopes", "share_with_organizations"),
        ("consent.scopes", "follow_up_visits"),
        ("consent.signer", HEAD),
    ];
    for (name, value) in fields {
        b.fill(name, value).await;
    }
    b.fill("members[0].id_number", &id_number()).await;
    b.fill("categories[0].verified_on", &today()).await;
    b.fill("consent.signed_on", &today()).await;
    b.press("form[action=\"/households\"] button.btn-primary[type=submit]")
        .await;
    let here = b.path().await;
    let id = here
        .trim_start_matches("/households/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    assert!(
        here.contains("notice=created") && id.len() == 36,
        "the household is saved, at {here}"
    );
    b.press(&format!("form[action=\"/households/{id}/submit\"] button"))
        .await;
    b.shot("02-household-submitted").await;
    b.sign_in("town").await;
    b.shot("03-town-todo").await;
    b.open(&format!("/households/{id}")).await;
    b.press(&format!("form[action=\"/households/{id}/approve\"] button"))
        .await;
    b.shot("04-town-approved-household").await;
    id
}

async fn record_needs(b: &Browser, household: &str) -> Vec<String> {
    b.sign_in("village").await;
    for (kind, extra) in [
        ("item", [("item", "quilt"), ("quantity", "2")]),
        (
            "service",
            [("service", "visit"), ("note", "每月探访一次（测试）")],
        ),
    ] {
        b.open("/needs").await;
        b.press("details#record > summary").await;
        let form = "form[action=\"/needs\"][method=\"post\"]";
        b.fill_in(form, "household", household).await;
        b.fill_in(form, "campaign", hearth_app::demo::DEMO_CAMPAIGN)
            .await;
        b.fill_in(form, "kind", kind).await;
        for (name, value) in extra {
            b.fill_in(form, name, value).await;
        }
        b.fill_in(form, "urgency", "urgent").await;
        b.press(&format!("{form} button[type=submit]")).await;
    }
    b.shot("05-village-needs").await;
    b.sign_in("town").await;
    b.open("/needs?status=submitted&size=100").await;
    let needs = form_ids_in_rows(b, HEAD, "/approve").await;
    assert_eq!(needs.len(), 2, "both needs wait for the town");
    for need in &needs {
        b.press(&format!("form[action=\"/needs/{need}/approve\"] button"))
            .await;
    }
    b.shot("06-town-approved-needs").await;
    needs
}

async fn claim_and_pledge(b: &Browser, needs: &[String]) -> String {
    b.sign_in("org").await;
    b.open("/claims?size=100").await;
    b.shot("07-org-claim-sheet").await;
    for need in needs {
        b.open("/claims?size=100").await;
        b.press(&format!("form[action=\"/claims/{need}/claim\"] button"))
            .await;
    }
    b.open("/pledges/new").await;
    for need in needs {
        b.fill("need", need).await;
    }
    let deadline = (hearth_app::today() + chrono::Days::new(20)).to_string();
    for (name, value) in [
        ("mode", "one_to_one"),
        ("delivery", "door_to_door"),
        ("deadline", deadline.as_str()),
        ("witness_town", "上派镇"),
        ("witness_village", "示例村"),
    ] {
        b.fill(name, value).await;
    }
    b.press("form[action=\"/pledges\"] button.btn-primary[type=submit]")
        .await;
    let letter = b.landed("/pledges/", "the draft letter").await;
    let id = letter
        .trim_start_matches("/pledges/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    assert_eq!(id.len(), 36, "a draft letter, at {letter}");
    b.press(&format!("form[action=\"/pledges/{id}/sign\"] button"))
        .await;
    b.shot("08-org-signed-pledge").await;
    id
}

async fn money_and_stock(b: &Browser) {
    b.sign_in("county").await;
    b.open("/donations/new").await;
    for (name, value) in [
        ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
        ("kind", "cash"),
        ("donor_kind", "person"),
        ("donor_name", "浏览器测试爱心人士"),
        ("amount", "1000"),
        ("channel", "wechat"),
        ("receipt_number", "E2E-2024-0001"),
        ("designation", "campaign"),
        ("station", COUNTY_WAREHOUSE),
    ] {
        b.fill(name, value).await;
    }
    b.fill("received_on", &today()).await;
    b.press("form[action=\"/donations\"] button.btn-primary[type=submit]")
        .await;
    b.landed("/donations/", "the donation").await;
    b.shot("09-county-donation").await;
    b.open("/purchases/new").await;
    for (name, value) in [
        ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
        ("supplier", "示例商贸有限公司（测试）"),
        ("invoice_number", "E2E-INV-0001"),
        ("designation", "campaign"),
        ("station", COUNTY_WAREHOUSE),
        ("lines.0.item", "quilt"),
        ("lines.0.quantity", "4"),
        ("lines.0.unit_price", "150"),
    ] {
        b.fill(name, value).await;
    }
    b.fill("purchased_on", &today()).await;
    b.press("form[action=\"/purchases\"] button.btn-primary[type=submit]")
        .await;
    b.landed("/purchases/", "the purchase").await;
    b.shot("10-county-purchase").await;
    b.open("/stock/waybills/new").await;
    for (name, value) in [
        ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
        ("from", COUNTY_WAREHOUSE),
        ("to", TOWN),
        ("item_0", "quilt"),
        ("quantity_0", "4"),
    ] {
        b.fill(name, value).await;
    }
    b.fill("dispatched_on", &today()).await;
    b.press("form[action=\"/stock/waybills\"] button.btn-primary[type=submit]")
        .await;
    let waybill = b.landed("/stock/waybills/", "the waybill").await;
    let waybill = waybill.split('?').next().unwrap_or("").to_owned();
    b.shot("11-county-waybill").await;
    b.sign_in("town").await;
    b.open(&waybill).await;
    b.fill("received_on", &today()).await;
    b.fill("received_0", "4").await;
    b.press(&format!(
        "form[action=\"{waybill}/receipt\"] button[type=submit]"
    ))
    .await;
    b.shot("12-town-received").await;
}

async fn deliver_and_visit(b: &Browser, pledge: &str, household: &str) {
    b.sign_in("org").await;
    b.open(&format!("/pledges/{pledge}")).await;
    for (name, value) in [
        ("quantity", "2"),
        ("recipient", "head"),
        ("signed_name", HEAD),
        ("handler", "志愿者（测试）"),
    ] {
        b.fill(name, value).await;
    }
    b.fill("delivered_on", &today()).await;
    b.press("form[action$=\"/deliveries\"] button[type=submit]")
        .await;
    b.shot("13-org-delivery-signed").await;

    b.sign_in("town").await;
    b.open(&format!("/stock/distributions/new?household={household}"))
        .await;
    for (name, value) in [
        ("campaign", hearth_app::demo::DEMO_CAMPAIGN),
        ("item_0", "quilt"),
        ("quantity_0", "1"),
        ("recipient", "head"),
        ("handler", "李经办（测试）"),
        ("signed_name", HEAD),
    ] {
        b.fill(name, value).await;
    }
    b.fill("delivered_on", &today()).await;
    b.press("form[action=\"/stock/distributions\"] button.btn-primary[type=submit]")
        .await;
    b.shot("14-town-handed-over").await;

    b.sign_in("org").await;
    b.open(&format!("/pledges/{pledge}")).await;
    let task = b
        .find("a[href^=\"/visits/tasks/\"]")
        .await
        .attr("href")
        .await
        .ok()
        .flatten()
        .expect("a visit task");
    b.open(&task).await;
    for (name, value) in [
        ("method", "home"),
        ("visitor", "志愿者（测试）"),
        ("received", "yes"),
        ("suitable", "yes"),
        ("satisfaction", "satisfied"),
    ] {
        b.fill(name, value).await;
    }
    b.fill("visited_on", &today()).await;
    b.press(&format!("form[action=\"{task}\"] button[type=submit]"))
        .await;
    b.shot("15-org-visit").await;
}

#[tokio::test]
async fn one_whole_winter_in_the_browser() {
    let Some(b) = support::start("winter").await else {
        return;
    };
    b.sign_in("county").await;
    b.open("/dashboard").await;
    let before = b.html().await;
    b.sign_out_to_public().await;
    let public_before = counter(&b.html().await, "已发放需求");

    let household = register_household(&b).await;
    let needs = record_needs(&b, &household).await;
    let pledge = claim_and_pledge(&b, &needs).await;
    money_and_stock(&b).await;
    deliver_and_visit(&b, &pledge, &household).await;

    b.sign_in("county").await;
    b.open("/dashboard").await;
    let after = b.html().await;
    b.shot("16-county-dashboard").await;
    assert_eq!(
        counter(&after, "已帮扶户数"),
        counter(&before, "已帮扶户数") + 1,
        "the household counts as reached"
    );
    let stage = |html: &str| {
        let label =
            "<span class=\"dash-stage-label\">已回访</span><span class=\"dash-stage-value\">";
        let at = html.find(label).expect("the 已回访 stage") + label.len();
        html[at..at + html[at..].find('<').expect("closed")]
            .parse::<i64>()
            .expect("a count")
    };
    assert!(
        stage(&after) > stage(&before),
        "the visited need moved to 已回访"
    );
    b.open("/dashboard/screen").await;
    b.shot_sized("17-big-screen-1920", (1920, 1080)).await;
    b.sign_out_to_public().await;
    let public_after = b.html().await;
    b.shot("18-public").await;
    assert_eq!(
        counter(&public_after, "已发放需求"),
        public_before + 2,
        "the public page counts both needs met: the quilt delivered, the visit made"
    );
    assert!(
        !public_after.contains(HEAD),
        "and never names the household"
    );
    b.close().await;
}
