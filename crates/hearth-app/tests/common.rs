//! The demo application and signed-in callers.

use hearth_app::demo::{DEMO_PASSWORD, DemoSummary};
use hearth_app::organizations::{Filter, Page};
use hearth_app::{App, AppError, Caller, Policy};
use hearth_core::organization::{OrgInput, Organization};
use hearth_core::uscc::{Uscc, complete_uscc};
use hearth_store::audit::{self, AuditEvent};
use hearth_store::keys::{Key, KeyRing};
use hearth_store::testing::TestDb;

pub const COUNTY: &str = "340123000000";
/// 上派镇, the demo town officer's town.
pub const SHANGPAI: &str = "340123100000";
/// 上派镇's first example village, the demo village officer's.
pub const SHANGPAI_VILLAGE: &str = "340123100001";
/// 上派镇's other example village.
pub const SHANGPAI_OTHER_VILLAGE: &str = "340123100200";
/// 三河镇, another town.
pub const SANHE: &str = "340123101000";

/// The fixed key ring of the tests (never a real key).
pub fn test_keys() -> KeyRing {
    KeyRing {
        keys: vec![Key {
            id: "test".into(),
            bytes: [7; 32],
        }],
    }
}

/// The demo data set under the default policy, with the test keys.
pub async fn demo(db: &TestDb) -> App {
    demo_with_summary(db).await.0
}

/// The demo data set and what seeding it reported.
pub async fn demo_with_summary(db: &TestDb) -> (App, DemoSummary) {
    let app = App::new(db.store.clone(), Policy::default()).with_keys(test_keys());
    let summary = app.seed_demo().await.expect("seed the demo");
    (app, summary)
}

/// Signs the demo user in and resolves the session, as the web layer does.
pub async fn caller(app: &App, username: &str) -> Caller {
    let signed = app
        .sign_in(username, DEMO_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{username} cannot sign in: {e}"));
    app.session(&signed.token).await.unwrap().0
}

/// A credit code no demo organization uses; `n` keeps them apart.
pub fn fresh_uscc(n: u32) -> Uscc {
    "0123456789X"
        .chars()
        .find_map(|c| {
            let code = complete_uscc(&format!("52340123MK{n:06}{c}"))?;
            code.warnings().is_empty().then_some(code)
        })
        .unwrap()
}

/// A complete, valid form for a new organization.
pub fn input(name: &str, uscc: &Uscc, serves: &[&str]) -> OrgInput {
    OrgInput {
        name: name.to_owned(),
        uscc: uscc.as_str().to_owned(),
        kind: "social_service".to_owned(),
        service_fields: vec!["elderly".to_owned(), "poverty".to_owned()],
        service_areas: serves.iter().map(|s| s.to_string()).collect(),
        responsible_person: "陈晓东".to_owned(),
        contact_person: "王丽华".to_owned(),
        contact_phone: "0551-68123456".to_owned(),
        address: "肥西县上派镇示例路8号".to_owned(),
        rating: "4A".to_owned(),
        note: String::new(),
    }
}

pub async fn create(
    app: &App,
    county: &Caller,
    name: &str,
    n: u32,
    serves: &[&str],
) -> Organization {
    app.create_organization(county, &input(name, &fresh_uscc(n), serves))
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"))
        .0
}

/// Every organization the caller's list shows.
pub async fn listed(
    app: &App,
    caller: &Caller,
    filter: Filter,
) -> Result<Vec<Organization>, AppError> {
    let (orgs, total) = app
        .organizations(caller, filter, Page::new(Some(1), Some(100)))
        .await?;
    assert_eq!(total, orgs.len() as i64, "the total matches the rows");
    Ok(orgs)
}

/// The whole audit log, oldest first.
pub async fn audit_log(db: &TestDb) -> Vec<AuditEvent> {
    let mut tx = db.store.read().await.unwrap();
    let (mut events, _) = audit::recent(&mut tx, 100_000, 0).await.unwrap();
    events.reverse();
    events
}

pub fn arg<'a>(invalid: &'a hearth_core::Invalid, name: &str) -> Option<&'a str> {
    invalid
        .0
        .args
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
}

/// Closes the demo's launched campaign, so organizations take part in none (their starting
/// point before the bureau enrols them anywhere).
pub async fn close_demo_campaign(app: &App) {
    let county = caller(app, "county").await;
    let (campaign, _) = app
        .campaign(&county, hearth_app::demo::DEMO_CAMPAIGN)
        .await
        .expect("the demo campaign");
    app.advance_campaign(
        &county,
        campaign.id,
        hearth_core::campaign::CampaignAction::Close,
    )
    .await
    .expect("close it");
}

/// Every text `view` would show, one per line, for a privacy check to search. Record ids,
/// times and numbers (amounts, counts) are left out: random ids and the fractions of seconds
/// contain any four given digits often enough to fail a search for a phone's last four.
pub fn shown_texts(view: &impl serde::Serialize) -> String {
    fn walk(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::String(s)
                if uuid::Uuid::parse_str(s).is_err()
                    && chrono::DateTime::parse_from_rfc3339(s).is_err() =>
            {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(fields) => fields.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(
        &serde_json::to_value(view).expect("a view serialises"),
        &mut out,
    );
    out
}
