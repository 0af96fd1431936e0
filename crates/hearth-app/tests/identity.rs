//! Identity resolution on the registry: a household registered twice with a mistyped ID number
//! is proposed for review; "not the same" is remembered; a merge takes two reviewers and can be
//! undone; the duplicate-aid report finds a family aided twice and a household nobody reached;
//! village officers see none of it. The people are synthetic (ID numbers of county 340123
//! built with their check character, sequence numbers from 700 up).

use crate::common::{COUNTY, SHANGPAI_VILLAGE, audit_log, caller, demo, demo_with_summary};
use crate::households::{approved, complete, date, id_number, officer, register};
use hearth_app::demo::DEMO_CAMPAIGN;
use hearth_app::identity::{Decision, PairView};
use hearth_app::{App, AppError, Caller};
use hearth_core::household::HouseholdInput;
use hearth_core::need::NeedInput;
use hearth_store::identity::{self as store, PairRow};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

/// Household `n` as [`complete`] makes it, with its own head ID (born `day` June 1941) and
/// the granddaughter left out (her ID may be registered once only).
fn household(n: u32, day: u32) -> HouseholdInput {
    let mut input = complete(SHANGPAI_VILLAGE, n);
    input.members.truncate(1);
    input.members[0].id_number = id_number(date(1941, 6, day), 701 + 2 * n);
    input.members[0].disability_certificate = format!("{}21", input.members[0].id_number);
    input.consent.guardian.clear();
    input
}

/// The same family registered a second time: one digit of the birth date mistyped (the check
/// character recomputed, as a form that computes it would), same name, phone and address.
fn typo_twin(n: u32) -> HouseholdInput {
    household(n, 16)
}

fn pair_of(pairs: &[PairView], a: Uuid, b: Uuid) -> Option<PairView> {
    pairs
        .iter()
        .find(|p| (p.first.id == a && p.second.id == b) || (p.first.id == b && p.second.id == a))
        .cloned()
}

async fn registered_twice(app: &App, n: u32) -> (Uuid, Uuid) {
    let village = caller(app, "village").await;
    let a = register(app, &village, &household(n, 15)).await.id;
    let b = register(app, &village, &typo_twin(n)).await.id;
    (a, b)
}

fn conflict_code<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    match result {
        Err(AppError::Conflict(e)) => e.code().to_owned(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_one_digit_id_typo_is_proposed_and_not_the_same_is_remembered() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let (a, b) = registered_twice(&app, 1).await;

        let run = app.find_duplicates(&county, None).await.expect("run");
        assert!(run.new_pairs >= 1, "{run:?}");
        assert!(
            run.clusters
                .iter()
                .any(|c| c.iter().any(|h| h.id == a) && c.iter().any(|h| h.id == b)),
            "the two registrations form one cluster"
        );
        let queue = app.identity_queue(&county, None).await.expect("queue");
        let pair = pair_of(&queue, a, b).expect("the typo pair is proposed");
        assert_eq!(pair.status, "open");
        assert_eq!(pair.evidence["id_number"], "two_edits_valid");
        assert_eq!(pair.evidence["phone"], "same");
        // Masked on the queue: surname and stars, the ID's middle hidden.
        assert!(
            pair.first.head_name.ends_with('*'),
            "{}",
            pair.first.head_name
        );
        assert!(
            pair.first.head_id.contains("********"),
            "{}",
            pair.first.head_id
        );

        app.decide_pair(&county, pair.id, Decision::NotSame, "两位老人同名（测试）")
            .await
            .expect("not the same");
        let again = app.find_duplicates(&county, None).await.expect("run again");
        assert_eq!(again.new_pairs, 0, "nothing new: the pair is remembered");
        let queue = app.identity_queue(&county, None).await.expect("queue");
        assert!(pair_of(&queue, a, b).is_none(), "never proposed again");
        let decided = app.identity_queue(&county, Some("not_same")).await.unwrap();
        assert!(pair_of(&decided, a, b).is_some());
    })
    .await;
}

#[tokio::test]
async fn a_merge_needs_a_second_reviewer_and_can_be_undone() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let checker = officer(&app, "county2", "county_admin", COUNTY).await;
        let (a, b) = registered_twice(&app, 2).await;
        app.find_duplicates(&county, None).await.expect("run");
        let queue = app.identity_queue(&county, None).await.unwrap();
        let pair = pair_of(&queue, a, b).expect("proposed");

        let proposed = app
            .decide_pair(&county, pair.id, Decision::ProposeMerge, "")
            .await
            .expect("propose");
        assert_eq!(proposed.status, "merge_proposed");
        assert_eq!(
            conflict_code(
                app.decide_pair(&county, pair.id, Decision::ApproveMerge, "")
                    .await
            ),
            "identity.same_reviewer"
        );
        let merged = app
            .decide_pair(
                &checker,
                pair.id,
                Decision::ApproveMerge,
                "核实为同一户（测试）",
            )
            .await
            .expect("another reviewer approves");
        assert_eq!(merged.status, "merged");
        assert_eq!(merged.approved_by, Some(checker.user.id));
        // Both records and their history stay.
        let village = caller(&app, "village").await;
        app.household(&village, a).await.expect("first record kept");
        app.household(&village, b)
            .await
            .expect("second record kept");

        match app
            .decide_pair(&county, pair.id, Decision::Unmerge, "")
            .await
        {
            Err(AppError::Invalid(e)) => assert_eq!(e[0].code(), "identity.unmerge_reason"),
            other => panic!("an unmerge needs a reason, got {other:?}"),
        }
        let undone = app
            .decide_pair(
                &county,
                pair.id,
                Decision::Unmerge,
                "误合并，身份证号核对不一致（测试）",
            )
            .await
            .expect("undo");
        assert_eq!(undone.status, "open");
        assert_eq!(undone.approved_by, None);

        let actions: Vec<String> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.record_type == "identity_pair")
            .map(|e| e.action)
            .collect();
        for action in [
            "identity_run",
            "identity_propose_merge",
            "identity_approve_merge",
            "identity_unmerge",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn village_officers_and_organizations_see_no_queue() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        for name in ["village", "town", "org", "auditor"] {
            let who: Caller = caller(&app, name).await;
            assert!(
                matches!(
                    app.identity_queue(&who, None).await,
                    Err(AppError::Forbidden)
                ),
                "{name}"
            );
            assert!(
                matches!(
                    app.find_duplicates(&who, None).await,
                    Err(AppError::Forbidden)
                ),
                "{name}"
            );
            assert!(
                matches!(
                    app.duplicate_aid_report(&who, DEMO_CAMPAIGN).await,
                    Err(AppError::Forbidden)
                ),
                "{name}"
            );
        }
    })
    .await;
}

/// Two households that received the same category of aid from different sources in the demo
/// campaign: `(first, second, category)`.
async fn aided_by_two_sources(db: &TestDb, campaign: Uuid) -> (Uuid, Uuid, String) {
    let mut tx = db.store.read().await.unwrap();
    let rows = store::aid_rows(&mut tx, campaign).await.unwrap();
    for x in rows.iter().filter(|r| r.paper != "pledge") {
        if let Some(y) = rows.iter().find(|y| {
            y.paper != "pledge"
                && y.category == x.category
                && y.source != x.source
                && y.household_id != x.household_id
        }) {
            return (x.household_id, y.household_id, x.category.clone());
        }
    }
    panic!("the demo hands one category out through two sources");
}

#[tokio::test]
async fn the_duplicate_aid_report_finds_a_family_aided_twice_and_a_household_nobody_reached() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        app.seed_demo_money()
            .await
            .expect("the demo's cash aid and handovers");
        let county = caller(&app, "county").await;
        let checker = officer(&app, "county2", "county_admin", COUNTY).await;
        let (campaign, _) = app.campaign(&county, DEMO_CAMPAIGN).await.unwrap();

        // A household approved, in need, and given nothing.
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let lonely = approved(&app, &village, &town, &household(3, 15)).await.id;
        app.record_need(
            &village,
            &NeedInput {
                household: lonely.to_string(),
                campaign: DEMO_CAMPAIGN.into(),
                kind: "item".into(),
                item: "quilt".into(),
                quantity: "1".into(),
                urgency: "critical".into(),
                note: "独居老人（测试）".into(),
                ..NeedInput::default()
            },
        )
        .await
        .expect("need");

        // Two registrations of one family, each aided once with the same category by a
        // different source; a reviewer merges them.
        let (x, y, category) = aided_by_two_sources(db, campaign.id).await;
        let before = app
            .duplicate_aid_report(&county, DEMO_CAMPAIGN)
            .await
            .unwrap();
        assert!(
            !before.doubled.iter().any(|d| d.category == category
                && d.households.iter().any(|h| h.id == x)
                && d.households.iter().any(|h| h.id == y)),
            "two families until merged"
        );
        let pair = queue_pair(db, x, y).await;
        app.decide_pair(&county, pair, Decision::ProposeMerge, "")
            .await
            .unwrap();
        app.decide_pair(&checker, pair, Decision::ApproveMerge, "")
            .await
            .unwrap();

        let report = app
            .duplicate_aid_report(&county, DEMO_CAMPAIGN)
            .await
            .unwrap();
        let doubled = report
            .doubled
            .iter()
            .find(|d| {
                d.category == category
                    && d.households.iter().any(|h| h.id == x)
                    && d.households.iter().any(|h| h.id == y)
            })
            .expect("the merged family is aided twice");
        assert!(doubled.sources.len() >= 2);
        assert!(
            report.unreached.iter().any(|h| h.id == lonely),
            "nobody reached it"
        );
        assert!(
            !report.unreached.iter().any(|h| h.id == x || h.id == y),
            "aided households are reached"
        );
    })
    .await;
}

/// Puts a pair into the queue as a run would (the two demo households are not alike, so no
/// run proposes them: this stands for a pair a reviewer found).
async fn queue_pair(db: &TestDb, a: Uuid, b: Uuid) -> Uuid {
    let mut tx = db.store.write().await.unwrap();
    let (first_id, second_id) = if a.to_string() < b.to_string() {
        (a, b)
    } else {
        (b, a)
    };
    let row = PairRow {
        id: Uuid::now_v7(),
        first_id,
        second_id,
        score_milli: 9000,
        evidence: "{}".into(),
        status: "open".into(),
        note: String::new(),
        proposed_by: None,
        proposed_at: None,
        approved_by: None,
        decided_by: None,
        decided_at: None,
        version: 0,
        created_at: hearth_store::now(),
    };
    store::insert_pair(&mut tx, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

#[tokio::test]
async fn an_imported_row_matching_a_registered_household_is_reported_before_anything_is_created() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let registered = register(&app, &village, &household(4, 15)).await.id;
        let twin = typo_twin(4)
            .parse(hearth_app::today())
            .expect("a valid household");
        let other = household(5, 15).parse(hearth_app::today()).unwrap();
        let found = app
            .check_incoming(&village, &[(2, &other), (3, &twin)])
            .await
            .expect("check");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].row, 3);
        assert_eq!(found[0].household_id, registered);
        assert!(found[0].head_id.contains("********"));
    })
    .await;
}

#[tokio::test]
async fn the_demo_puts_its_synthetic_second_registrations_in_the_review_queue() {
    each_backend(async |db: &TestDb| {
        let (app, summary) = demo_with_summary(db).await;
        assert!(summary.identity_pairs >= 3, "{summary:?}");
        let county = caller(&app, "county").await;
        let queue = app.identity_queue(&county, None).await.expect("queue");
        assert!(queue.len() >= 3, "{queue:?}");
        let evidence = |field: &str, value: &str| queue.iter().any(|p| p.evidence[field] == value);
        assert!(evidence("name", "same_sound"), "a homophone pair");
        assert!(evidence("name", "same"), "a pair spelled alike");
        assert!(evidence("id_number", "two_edits_valid"), "a mistyped ID");
        for pair in &queue {
            assert_eq!(pair.first.village_code, pair.second.village_code);
            assert!(
                !pair.first.village_code.starts_with("340123100"),
                "the demo town's lists stay as they were: {pair:?}"
            );
        }
    })
    .await;
}

/// The stored key state of a household: `(version, key id)`.
async fn key_state(db: &TestDb, household: Uuid) -> Option<(i64, String)> {
    let mut tx = db.store.read().await.unwrap();
    let states = store::key_states(&mut tx).await.unwrap();
    states
        .into_iter()
        .find(|s| s.household_id == household)
        .map(|s| (s.version, s.key_id))
}

#[tokio::test]
async fn a_household_has_its_identity_keys_as_soon_as_it_is_written() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let county = caller(&app, "county").await;
        let id = register(&app, &village, &household(6, 15)).await.id;
        assert_eq!(key_state(db, id).await, Some((1, "test".to_owned())));

        let (mut form, version) = app.household_form(&village, id).await.unwrap();
        form.phone = "13900001234".to_owned();
        app.update_household(&village, id, version, &form)
            .await
            .expect("edit");
        assert_eq!(key_state(db, id).await, Some((2, "test".to_owned())));

        let mut copy = typo_twin(6);
        copy.phone = form.phone.clone();
        let twin = register(&app, &village, &copy).await.id;
        let run = app.find_duplicates(&county, None).await.expect("run");
        assert_eq!(run.keys_refreshed, 0, "every key was fresh already");
        let queue = app.identity_queue(&county, None).await.unwrap();
        let pair = pair_of(&queue, id, twin).expect("the new registration meets its twin");
        assert_eq!(pair.evidence["phone"], "same", "the edited phone was used");
    })
    .await;
}

/// An imported household is checked against the registry's keys before it is written, and has
/// its own keys as it is written, so the next run meets it without computing anything.
#[tokio::test]
async fn an_imported_household_has_its_identity_keys_as_soon_as_it_is_written() {
    use hearth_app::imports::{ImportFile, ImportMode, ImportRequest, Importer};
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let county = caller(&app, "county").await;
        let first = register(&app, &village, &household(8, 15)).await.id;
        let twin = typo_twin(8);
        let village_name = {
            let mut tx = db.store.read().await.unwrap();
            let code = hearth_core::area::AreaCode::parse(SHANGPAI_VILLAGE).unwrap();
            hearth_store::areas::get(&mut tx, &code)
                .await
                .unwrap()
                .unwrap()
                .name
        };
        let head = &twin.members[0];
        let csv = format!(
            "户主姓名,身份证号码,联系电话,村（社区）,详细地址,困难类型\n{},{},{},{},{},低保\n",
            head.name, head.id_number, twin.phone, village_name, twin.address
        );
        let request = ImportRequest {
            file_name: "twin.csv".into(),
            file: ImportFile::Held(csv.into_bytes()),
            mode: ImportMode::ValidRows,
            ..ImportRequest::default()
        };
        let report = app
            .import_households(Importer::Officer(&village), &request, &|_, _| {})
            .await
            .expect("import");
        assert_eq!(report.created, 1, "{:?}", report.problems);
        assert!(
            report
                .likely_matches
                .iter()
                .any(|m| m.household_id == first),
            "the row met the registered household by its keys: {:?}",
            report.likely_matches
        );
        let run = app.find_duplicates(&county, None).await.expect("run");
        assert_eq!(
            run.keys_refreshed, 0,
            "the import wrote the new household's keys"
        );
        let queue = app.identity_queue(&county, None).await.unwrap();
        assert!(
            queue
                .iter()
                .any(|p| (p.first.id == first) != (p.second.id == first)),
            "the imported twin is proposed with the first registration: {queue:?}"
        );
    })
    .await;
}
