//! The household scope matrix: every role × every household use case × a household in its own
//! area and one in another, with what the role sees masked.
//!
//! Area A is the demo village officer's village in 上派镇 (the demo town officer's town); area B
//! is an example village of 三河镇, with a second town officer and a second village officer
//! added for it. Each cell gets fresh households in the state its action needs, so every
//! outcome is checked on its own, and afterwards the stored state shows that a refused action
//! changed nothing.

use crate::common::{SANHE, SHANGPAI_VILLAGE, caller, demo};
use crate::households::{SANHE_VILLAGE, complete, known, list, officer, register};
use hearth_app::households::{HouseholdQuery, HouseholdView};
use hearth_app::{App, AppError, Caller};
use hearth_core::campaign::{CampaignAction, CampaignInput};
use hearth_core::household::HouseholdInput;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Done (for the list: the household is in it).
    Ok,
    Forbidden,
    /// Not found (for the list: the household is not in it).
    Hidden,
    /// Registration refused because the village is outside the caller's area.
    Outside,
}
use Outcome::{Forbidden, Hidden, Ok, Outside};

const ACTIONS: [&str; 12] = [
    "list", "get", "register", "update", "submit", "withdraw", "approve", "return", "reveal",
    "history", "score", "form",
];

/// How names appear to the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    Full,
    Masked,
}

struct World {
    app: App,
    county: Caller,
    /// 上派镇's officer and its village A's officer (the demo accounts).
    town_a: Caller,
    village_a: Caller,
    /// 三河镇's officer and its village B's officer (added).
    town_b: Caller,
    village_b: Caller,
    next: std::cell::Cell<u32>,
}

impl World {
    async fn new(db: &TestDb) -> World {
        let app = demo(db).await;
        World {
            county: caller(&app, "county").await,
            town_a: caller(&app, "town").await,
            village_a: caller(&app, "village").await,
            town_b: officer(&app, "sanhe.town", "town_officer", SANHE).await,
            village_b: officer(&app, "sanhe.village", "village_officer", SANHE_VILLAGE).await,
            app,
            next: std::cell::Cell::new(0),
        }
    }

    fn input(&self, village: &str) -> HouseholdInput {
        let n = self.next.get();
        self.next.set(n + 1);
        complete(village, n)
    }

    /// The maker and checker of households in `village`.
    fn officers(&self, village: &str) -> (&Caller, &Caller) {
        if village == SHANGPAI_VILLAGE {
            (&self.village_a, &self.town_a)
        } else {
            (&self.village_b, &self.town_b)
        }
    }
}

/// Households of one cell, each in the state its action starts from.
struct Cell {
    village: &'static str,
    /// Draft: opened as a form, then edited.
    draft_edit: Uuid,
    /// Draft, to submit.
    draft_submit: Uuid,
    /// Submitted: to withdraw, to approve, to return.
    submitted_withdraw: Uuid,
    submitted_approve: Uuid,
    submitted_return: Uuid,
    /// Approved: to find, read, reveal, read the history and the score of.
    approved: Uuid,
}

async fn cell(w: &World, village: &'static str) -> Cell {
    let (maker, checker) = w.officers(village);
    let draft = async || register(&w.app, maker, &w.input(village)).await.id;
    let submitted = async || {
        let id = register(&w.app, maker, &w.input(village)).await.id;
        w.app.submit_household(maker, id).await.expect("submit");
        id
    };
    let approved = submitted().await;
    w.app
        .approve_household(checker, approved)
        .await
        .expect("approve");
    Cell {
        village,
        draft_edit: draft().await,
        draft_submit: draft().await,
        submitted_withdraw: submitted().await,
        submitted_approve: submitted().await,
        submitted_return: submitted().await,
        approved,
    }
}

fn outcome<T: std::fmt::Debug>(result: &Result<T, AppError>) -> Outcome {
    match result {
        Result::Ok(_) => Ok,
        Err(AppError::Forbidden) => Forbidden,
        Err(AppError::NotFound) => Hidden,
        Err(AppError::Invalid(e))
            if e.len() == 1 && e[0].code() == "household.village_outside_scope" =>
        {
            Outside
        }
        Err(other) => panic!("unexpected refusal: {other:?}"),
    }
}

/// Everything a view must never show: full ID numbers and the full phone of any household the
/// test registered, in any role.
fn assert_no_numbers(w: &World, view: &HouseholdView, context: &str) {
    let json = serde_json::to_string(view).unwrap();
    for n in 0..w.next.get() {
        let k = known(n);
        for secret in [&k.head_id, &k.child_id, &k.phone, &k.certificate] {
            assert!(!json.contains(secret.as_str()), "{context}: {json}");
        }
    }
}

fn assert_names(view: &HouseholdView, names: Names, context: &str) {
    match names {
        Names::Full => {
            assert!(view.head_name.starts_with("柏青山"), "{context}: {view:?}");
            assert!(view.members.iter().all(|m| !m.name.ends_with('*')));
        }
        Names::Masked => {
            assert_eq!(view.head_name, "柏*", "{context}");
            assert!(
                view.members
                    .iter()
                    .all(|m| m.name.chars().count() == 2 && m.name.ends_with('*')),
                "{context}: {view:?}"
            );
            assert!(
                !view.address.contains("三组"),
                "{context}: the address, masked"
            );
            let json = serde_json::to_string(view).unwrap();
            assert!(
                !json.contains("青山") && !json.contains("小禾"),
                "{context}: {json}"
            );
        }
    }
}

/// Runs every action of one cell as `who` and compares with `expected` (in [`ACTIONS`] order);
/// then checks through the county that refused actions changed nothing.
async fn check(
    w: &World,
    who: &Caller,
    village: &'static str,
    expected: [Outcome; 12],
    names: Names,
) {
    let c = cell(w, village).await;
    let app = &w.app;
    let role = format!("{} ({})", who.user.username, who.user.role.as_str());
    let place = if c.village == SHANGPAI_VILLAGE {
        "A"
    } else {
        "B"
    };
    let mut got = Vec::new();

    let listed = list(app, who, HouseholdQuery::default()).await;
    got.push(match &listed {
        Result::Ok(views) => {
            for view in views {
                assert_no_numbers(w, view, &format!("{role} list"));
                if view.head_name.starts_with('柏') {
                    assert_names(view, names, &format!("{role} list"));
                }
            }
            if views.iter().any(|v| v.id == c.approved) {
                Ok
            } else {
                Hidden
            }
        }
        Err(_) => outcome(&listed),
    });
    let get = app.household(who, c.approved).await;
    if let Result::Ok(view) = &get {
        assert_no_numbers(w, view, &format!("{role} get"));
        assert_names(view, names, &format!("{role} get"));
        assert_eq!(view.members.len(), 2);
    }
    got.push(outcome(&get));
    got.push(outcome(
        &app.register_household(who, &w.input(village)).await,
    ));
    let form = app.household_form(who, c.draft_edit).await;
    let version = 1;
    let mut edit = w.input(village);
    if let Result::Ok((input, v)) = &form {
        assert_eq!(*v, version);
        assert_eq!(
            input.members[0].id_number.len(),
            18,
            "the form holds the full number"
        );
        edit = input.clone();
    }
    edit.note = format!("{role} 修改");
    got.push(outcome(
        &app.update_household(who, c.draft_edit, version, &edit)
            .await,
    ));
    got.push(outcome(&app.submit_household(who, c.draft_submit).await));
    got.push(outcome(
        &app.withdraw_household(who, c.submitted_withdraw).await,
    ));
    got.push(outcome(
        &app.approve_household(who, c.submitted_approve).await,
    ));
    got.push(outcome(
        &app.return_household(who, c.submitted_return, "材料不全，请补充")
            .await,
    ));
    got.push(outcome(
        &app.reveal_household(who, c.approved, "核实家庭成员信息")
            .await,
    ));
    got.push(outcome(&app.household_history(who, c.approved).await));
    got.push(outcome(&app.household_score(who, c.approved).await));
    got.push(outcome(&form));

    let mismatches: Vec<String> = ACTIONS
        .iter()
        .zip(expected.iter().zip(&got))
        .filter(|(_, (e, g))| e != g)
        .map(|(a, (e, g))| format!("{a}: expected {e:?}, got {g:?}"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{role} on a household in area {place}:\n  {}",
        mismatches.join("\n  ")
    );

    // What the county sees now: each household moved only if its action was allowed.
    let status = async |id| app.household(&w.county, id).await.unwrap();
    let allowed = |action: &str| expected[ACTIONS.iter().position(|a| *a == action).unwrap()] == Ok;
    let edited = status(c.draft_edit).await;
    assert_eq!(
        edited.version,
        if allowed("update") { 2 } else { 1 },
        "{role} update"
    );
    let pick =
        |action: &str, yes: &'static str, no: &'static str| if allowed(action) { yes } else { no };
    for (id, action, yes, no) in [
        (c.draft_submit, "submit", "submitted", "draft"),
        (c.submitted_withdraw, "withdraw", "draft", "submitted"),
        (c.submitted_approve, "approve", "approved", "submitted"),
        (c.submitted_return, "return", "returned", "submitted"),
    ] {
        assert_eq!(
            status(id).await.status,
            pick(action, yes, no),
            "{role} {action} in {place}"
        );
    }
    let reveals = app
        .household_history(&w.county, c.approved)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "household_revealed")
        .count();
    assert_eq!(
        reveals,
        usize::from(allowed("reveal")),
        "{role} reveal is logged once or not at all"
    );
}

//                                 list    get     register update  submit  withdraw approve return  reveal  history score   form
const COUNTY: [Outcome; 12] = [
    Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden, Ok, Ok, Ok, Ok, Ok, Forbidden,
];
const OFFICER_OWN: [Outcome; 12] = [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok];
const VILLAGE_OWN: [Outcome; 12] = [Ok, Ok, Ok, Ok, Ok, Ok, Forbidden, Forbidden, Ok, Ok, Ok, Ok];
const OFFICER_OTHER: [Outcome; 12] = [
    Hidden, Hidden, Outside, Hidden, Hidden, Hidden, Hidden, Hidden, Hidden, Hidden, Hidden, Hidden,
];
const VILLAGE_OTHER: [Outcome; 12] = [
    Hidden, Hidden, Outside, Hidden, Hidden, Hidden, Forbidden, Forbidden, Hidden, Hidden, Hidden,
    Hidden,
];
const AUDITOR: [Outcome; 12] = [
    Ok, Ok, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Ok,
    Forbidden, Forbidden,
];
/// An organization member sees no household while its organization takes part in no launched
/// campaign (and never history, details or forms).
const ORG_NOT_ENROLLED: [Outcome; 12] = [
    Hidden, Hidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
    Forbidden, Forbidden, Forbidden,
];
const NO_CASE_DATA: [Outcome; 12] = [Forbidden; 12];

#[tokio::test]
async fn the_county_administrator_reviews_and_reveals_everywhere_but_registers_nothing() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        check(&w, &w.county, SHANGPAI_VILLAGE, COUNTY, Names::Full).await;
        check(&w, &w.county, SANHE_VILLAGE, COUNTY, Names::Full).await;
    })
    .await;
}

#[tokio::test]
async fn a_town_officer_works_in_its_own_town_only() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        check(&w, &w.town_a, SHANGPAI_VILLAGE, OFFICER_OWN, Names::Full).await;
        check(&w, &w.town_a, SANHE_VILLAGE, OFFICER_OTHER, Names::Full).await;
        check(&w, &w.town_b, SANHE_VILLAGE, OFFICER_OWN, Names::Full).await;
        check(&w, &w.town_b, SHANGPAI_VILLAGE, OFFICER_OTHER, Names::Full).await;
    })
    .await;
}

#[tokio::test]
async fn a_village_officer_works_in_its_own_village_only_and_never_reviews() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        check(&w, &w.village_a, SHANGPAI_VILLAGE, VILLAGE_OWN, Names::Full).await;
        check(&w, &w.village_a, SANHE_VILLAGE, VILLAGE_OTHER, Names::Full).await;
        check(&w, &w.village_b, SANHE_VILLAGE, VILLAGE_OWN, Names::Full).await;
        check(
            &w,
            &w.village_b,
            SHANGPAI_VILLAGE,
            VILLAGE_OTHER,
            Names::Full,
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn a_village_officer_does_not_see_the_next_village_of_its_own_town() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        let town = &w.town_a;
        let next_door = register(
            &w.app,
            town,
            &w.input(crate::common::SHANGPAI_OTHER_VILLAGE),
        )
        .await;
        let seen = list(&w.app, &w.village_a, HouseholdQuery::default())
            .await
            .unwrap();
        assert!(
            seen.iter().all(|v| v.village_code == SHANGPAI_VILLAGE),
            "only its own village"
        );
        assert!(!seen.iter().any(|v| v.id == next_door.id));
        assert!(matches!(
            w.app.household(&w.village_a, next_door.id).await,
            Err(AppError::NotFound)
        ));
        // Asking for the town or the county does not widen the list.
        for area in [crate::common::SHANGPAI, crate::common::COUNTY] {
            let wider = HouseholdQuery {
                area: Some(area.into()),
                ..HouseholdQuery::default()
            };
            let ids: Vec<Uuid> = list(&w.app, &w.village_a, wider)
                .await
                .unwrap()
                .iter()
                .map(|v| v.id)
                .collect();
            assert_eq!(
                ids,
                seen.iter().map(|v| v.id).collect::<Vec<_>>(),
                "asking for {area}"
            );
        }
        // The town sees both of its villages, and only those.
        let town_list = list(&w.app, town, HouseholdQuery::default()).await.unwrap();
        assert!(town_list.iter().any(|v| v.id == next_door.id));
        assert!(
            town_list
                .iter()
                .all(|v| v.village_code.starts_with("340123100"))
        );
        assert!(town_list.iter().any(|v| v.village_code == SHANGPAI_VILLAGE));
    })
    .await;
}

#[tokio::test]
async fn an_auditor_reads_everything_masked_and_changes_nothing() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        let auditor = caller(&w.app, "auditor").await;
        check(&w, &auditor, SHANGPAI_VILLAGE, AUDITOR, Names::Masked).await;
        check(&w, &auditor, SANHE_VILLAGE, AUDITOR, Names::Masked).await;
        // The whole county, the demo households included, masked.
        let all = list(&w.app, &auditor, HouseholdQuery::default())
            .await
            .unwrap();
        assert!(all.len() > 100, "{}", all.len());
        for view in &all {
            assert_eq!(view.head_name.chars().count(), 2, "{view:?}");
            assert!(view.head_name.ends_with('*'));
            assert!(view.head_id.contains("********"), "{view:?}");
            assert!(
                view.phone.is_empty() || view.phone.starts_with("*******"),
                "{view:?}"
            );
            assert_eq!(view.address, view.village_name);
        }
    })
    .await;
}

#[tokio::test]
async fn an_organization_member_sees_nothing_without_a_launched_campaign() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        crate::common::close_demo_campaign(&w.app).await;
        let org = caller(&w.app, "org").await;
        check(&w, &org, SHANGPAI_VILLAGE, ORG_NOT_ENROLLED, Names::Masked).await;
        check(&w, &org, SANHE_VILLAGE, ORG_NOT_ENROLLED, Names::Masked).await;
        let everything = list(&w.app, &org, HouseholdQuery::default()).await.unwrap();
        assert!(
            everything.is_empty(),
            "{} households leaked",
            everything.len()
        );
    })
    .await;
}

fn campaign(code: &str) -> CampaignInput {
    CampaignInput {
        code: code.into(),
        name: "暖冬行动（测试）".into(),
        year: "2024".into(),
        starts_on: "2024-01-24".into(),
        ends_on: "2024-03-31".into(),
        focus_fields: vec!["elderly".into()],
        target_households: "10".into(),
        target_cash: "1000".into(),
        target_items: "10".into(),
        arrangements: String::new(),
    }
}

#[tokio::test]
async fn an_enrolled_organization_sees_approved_consenting_households_it_serves_masked() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        let org = caller(&w.app, "org").await;
        let app = &w.app;
        // In each area: approved and consenting; approved without consent; only submitted.
        let mut shared = Vec::new();
        let mut private = Vec::new();
        for village in [SHANGPAI_VILLAGE, SANHE_VILLAGE] {
            let (maker, checker) = w.officers(village);
            let yes = crate::households::approved(app, maker, checker, &w.input(village)).await;
            let mut no_consent = w.input(village);
            no_consent.consent.scopes = vec!["follow_up_visits".into()];
            let no = crate::households::approved(app, maker, checker, &no_consent).await;
            let pending = register(app, maker, &w.input(village)).await;
            app.submit_household(maker, pending.id).await.unwrap();
            shared.push(yes.id);
            private.extend([no.id, pending.id]);
        }
        let county = &w.county;
        let c = app.create_campaign(county, &campaign("S-1")).await.unwrap();
        let own = org.user.organization_id.unwrap();
        app.enrol_organizations(county, c.id, &[own], 1)
            .await
            .unwrap();
        app.advance_campaign(county, c.id, CampaignAction::Launch)
            .await
            .unwrap();

        let seen = list(app, &org, HouseholdQuery::default()).await.unwrap();
        for id in &shared {
            assert!(
                seen.iter().any(|v| v.id == *id),
                "a shared household is on the claim sheet"
            );
        }
        for id in &private {
            assert!(
                !seen.iter().any(|v| v.id == *id),
                "an unshared household leaked"
            );
            assert!(matches!(
                app.household(&org, *id).await,
                Err(AppError::NotFound)
            ));
        }
        for view in &seen {
            assert_eq!(view.status, "approved");
            assert!(view.shares_with_orgs);
            assert_no_numbers(&w, view, "org list");
            assert!(view.head_id.is_empty() && view.phone.is_empty(), "{view:?}");
            assert!(view.head_name.ends_with('*') && view.head_name.chars().count() == 2);
            assert_eq!(view.address, view.village_name);
        }
        let view = app.household(&org, shared[0]).await.unwrap();
        assert_names(&view, Names::Masked, "org get");
        assert!(
            view.members.iter().all(|m| m.id_number.is_empty()),
            "{view:?}"
        );
        for result in [
            app.reveal_household(&org, shared[0], "想了解详情")
                .await
                .map(|_| ()),
            app.household_score(&org, shared[0]).await.map(|_| ()),
            app.household_form(&org, shared[0]).await.map(|_| ()),
            app.household_history(&org, shared[0]).await.map(|_| ()),
        ] {
            assert!(matches!(result, Err(AppError::Forbidden)), "{result:?}");
        }

        // An organization that serves only 三河镇 sees only 三河镇's.
        let sanhe_org = crate::common::create(app, county, "三河镇专属服务队", 41, &[SANHE]).await;
        app.enrol_organizations(county, c.id, &[sanhe_org.id], 1)
            .await
            .unwrap();
        app.add_user(
            hearth_app::users::Operator::Console,
            &hearth_app::users::NewUser {
                username: "sanhe.org".into(),
                display_name: String::new(),
                role: "org_member".into(),
                area_code: String::new(),
                organization: sanhe_org.id.to_string(),
                password: "Warm-Winter-2024".into(),
            },
        )
        .await
        .unwrap();
        let signed = app.sign_in("sanhe.org", "Warm-Winter-2024").await.unwrap();
        let sanhe_member = app.session(&signed.token).await.unwrap().0;
        let theirs = list(app, &sanhe_member, HouseholdQuery::default())
            .await
            .unwrap();
        assert!(theirs.iter().any(|v| v.id == shared[1]));
        assert!(
            theirs
                .iter()
                .all(|v| v.village_code.starts_with("340123101")),
            "only 三河镇"
        );
        assert!(matches!(
            app.household(&sanhe_member, shared[0]).await,
            Err(AppError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_system_administrator_sees_no_household_at_all() {
    each_backend(async |db: &TestDb| {
        let w = World::new(db).await;
        let sysadmin = caller(&w.app, "sysadmin").await;
        check(&w, &sysadmin, SHANGPAI_VILLAGE, NO_CASE_DATA, Names::Masked).await;
        check(&w, &sysadmin, SANHE_VILLAGE, NO_CASE_DATA, Names::Masked).await;
    })
    .await;
}
