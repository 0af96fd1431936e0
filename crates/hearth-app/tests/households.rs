//! The household registry as a village and a town use it: registration, refusals with their
//! field and reason, duplicates, the review workflow with maker-checker, stale edits.
//!
//! The people are synthetic: ID numbers of county 340123 built with the check character, with
//! sequence numbers from 600 up so they never meet the demo's (which stay below 600).

use crate::common::{SANHE, SHANGPAI, SHANGPAI_OTHER_VILLAGE, SHANGPAI_VILLAGE, arg, caller, demo};
use chrono::{Datelike, Days, NaiveDate};
use hearth_app::households::{HouseholdQuery, HouseholdView};
use hearth_app::users::{NewUser, Operator};
use hearth_app::{App, AppError, Caller};
use hearth_core::household::{CategoryTagInput, ConsentInput, HouseholdInput, MemberInput};
use hearth_core::id_number::id_check_char;
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};

/// An example village of 三河镇 (another town than the demo town officer's).
pub const SANHE_VILLAGE: &str = "340123101001";

pub fn today() -> NaiveDate {
    hearth_app::today()
}

/// A valid ID number of county 340123 for someone born on `born`; odd `seq` = male.
pub fn id_number(born: NaiveDate, seq: u32) -> String {
    let first17 = format!("340123{}{:03}", born.format("%Y%m%d"), seq % 1000);
    let check = id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// The head of [`complete`]: born 1941-06-15, so 80 or more whenever the tests run.
pub const HEAD_BORN: (i32, u32, u32) = (1941, 6, 15);

/// What [`complete`] puts into household `n`, to look for it later.
pub struct Known {
    pub head_name: String,
    pub head_id: String,
    pub child_id: String,
    pub phone: String,
    pub certificate: String,
    pub health_note: String,
}

pub fn known(n: u32) -> Known {
    let (y, m, d) = HEAD_BORN;
    let head_id = id_number(date(y, m, d), 601 + 2 * n);
    Known {
        head_name: format!("柏青山{}", hanzi_number(n)),
        child_id: id_number(date(today().year() - 8, 3, 9), 600 + 2 * n),
        phone: format!("1380000{:04}", 6000 + n),
        certificate: format!("{head_id}21"),
        health_note: format!("强直性脊柱炎晚期，夜间需人照护（测试{n}）"),
        head_id,
    }
}

/// `n` in Chinese numerals, to keep names distinct without putting digits into them (the
/// privacy tests look for digits).
fn hanzi_number(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    n.to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

fn tag(category: &str) -> CategoryTagInput {
    CategoryTagInput {
        category: category.into(),
        source: "民政系统".into(),
        verified_by: "村干部（测试）".into(),
        verified_on: (today() - Days::new(10)).to_string(),
        valid_until: (today() + Days::new(365)).to_string(),
    }
}

/// A complete household `n` in `village`, ready to submit: an 80+ head with a severe hearing
/// disability (certificate, grade 1) and a health note, and a granddaughter under 14 (so the
/// consent names a guardian); 低保, 残疾人 and 高龄 tags; consent to share with organizations.
pub fn complete(village: &str, n: u32) -> HouseholdInput {
    let k = known(n);
    HouseholdInput {
        members: vec![
            MemberInput {
                name: k.head_name.clone(),
                id_number: k.head_id.clone(),
                relation: String::new(),
                disability_certificate: k.certificate.clone(),
                health_note: k.health_note.clone(),
                ..MemberInput::default()
            },
            MemberInput {
                name: "柏小禾".into(),
                id_number: k.child_id.clone(),
                relation: "grandchild".into(),
                ..MemberInput::default()
            },
        ],
        address: "示例村三组十二号（测试）".into(),
        village: village.into(),
        phone: k.phone.clone(),
        categories: vec![tag("dibao"), tag("disabled"), tag("elderly_advanced")],
        main_category: "dibao".into(),
        causes: vec!["illness".into()],
        consent: ConsentInput {
            version: "2024-1".into(),
            signed_on: (today() - Days::new(5)).to_string(),
            scopes: vec!["share_with_organizations".into(), "follow_up_visits".into()],
            signer: k.head_name.clone(),
            guardian: k.head_name.clone(),
            ..ConsentInput::default()
        },
        note: String::new(),
    }
}

/// Adds an officer with a strong password and signs them in.
pub async fn officer(app: &App, username: &str, role: &str, area: &str) -> Caller {
    let password = "Warm-Winter-2024";
    app.add_user(
        Operator::Console,
        &NewUser {
            username: username.into(),
            display_name: format!("{username}（测试）"),
            role: role.into(),
            area_code: area.into(),
            organization: String::new(),
            password: password.into(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("add {username}: {e}"));
    let signed = app.sign_in(username, password).await.expect("sign in");
    app.session(&signed.token).await.expect("session").0
}

pub async fn register(app: &App, who: &Caller, input: &HouseholdInput) -> HouseholdView {
    app.register_household(who, input)
        .await
        .unwrap_or_else(|e| panic!("{} registers: {e}", who.user.username))
}

/// Registered by `maker`, submitted, and approved by `checker`.
pub async fn approved(
    app: &App,
    maker: &Caller,
    checker: &Caller,
    input: &HouseholdInput,
) -> HouseholdView {
    let id = register(app, maker, input).await.id;
    app.submit_household(maker, id).await.expect("submit");
    app.approve_household(checker, id).await.expect("approve")
}

/// Every household the caller's list shows for `query`.
pub async fn list(
    app: &App,
    who: &Caller,
    query: HouseholdQuery,
) -> Result<Vec<HouseholdView>, AppError> {
    let (views, total) = app.households(who, &query, PageRequest::all()).await?;
    assert_eq!(total, views.len() as i64, "the total matches the rows");
    Ok(views)
}

/// The (field, code) pairs of an `Invalid` refusal; panics on anything else.
pub fn refusals<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<(String, String)> {
    match result {
        Err(AppError::Invalid(errors)) => errors
            .iter()
            .map(|e| (e.field().to_owned(), e.code().to_owned()))
            .collect(),
        other => panic!("expected a refusal naming fields, got {other:?}"),
    }
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[tokio::test]
async fn a_village_registers_a_draft_with_what_the_id_numbers_say() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let k = known(1);
        let view = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1)).await;

        assert_eq!(view.status, "draft");
        assert_eq!(view.version, 1);
        assert_eq!(view.village_code, SHANGPAI_VILLAGE);
        assert_eq!(view.town_name, "上派镇");
        assert!(view.village_name.contains("示例"), "{}", view.village_name);
        assert!(view.entered_by_caller);
        // The village officer sees the name in full, numbers masked.
        assert_eq!(view.head_name, k.head_name);
        assert_eq!(view.head_id, format!("340123********{}", &k.head_id[14..]));
        assert_eq!(view.phone, format!("*******{}", &k.phone[7..]));
        assert_eq!(view.member_count, 2);
        assert_eq!(view.main_category, "dibao");
        assert_eq!(view.categories, ["dibao", "disabled", "elderly_advanced"]);
        assert!(view.shares_with_orgs);

        // Sex and birth year come from the ID numbers, not from anything typed.
        let members: Vec<_> = view
            .members
            .iter()
            .map(|m| (m.relation.as_str(), m.sex.as_str(), m.birth_year))
            .collect();
        assert_eq!(
            members,
            [
                ("head", "male", 1941),
                ("grandchild", "female", i64::from(today().year() - 8))
            ]
        );
        assert_eq!(
            view.members[1].id_number,
            format!("**************{}", &k.child_id[14..])
        );

        // 低保 25 + 残疾人 10 + severe 10 + 高龄 15 + one member 80+ 5 + one child 3 + health 5.
        assert_eq!(view.score, 73);
        let lines = app.household_score(&village, view.id).await.unwrap();
        let points: Vec<u32> = lines.iter().map(|l| l.points).collect();
        assert_eq!(points, [25, 10, 10, 15, 5, 3, 5]);
        assert_eq!(points.iter().sum::<u32>(), 73);
        assert!(lines[0].text_zh.contains("低保"), "{}", lines[0].text_zh);
        assert!(lines[2].text_zh.contains("重度") || lines[2].text_en.contains("evere"));
        for line in &lines {
            assert!(!line.text_zh.is_empty() && !line.text_zh.starts_with("score."));
            assert!(!line.text_en.is_empty() && !line.text_en.starts_with("score."));
        }

        // The page reads back what was stored, and the history says who created it.
        let again = app.household(&village, view.id).await.unwrap();
        assert_eq!(
            (again.score, again.member_count, again.head_name.as_str()),
            (73, 2, k.head_name.as_str())
        );
        let history = app.household_history(&village, view.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "household_created");
        assert_eq!(history[0].actor_name, "village");
        assert!(
            !history[0].detail.contains(&k.head_id) && !history[0].detail.contains(&k.phone),
            "the history names fields, never their values: {}",
            history[0].detail
        );

        // A first-generation 15-digit number is upgraded, not refused.
        let mut old = complete(SHANGPAI_VILLAGE, 2);
        old.members.truncate(1);
        old.members[0].id_number = "110105491231002".into();
        old.members[0].disability_certificate.clear();
        old.categories = vec![tag("elderly_alone")];
        old.main_category.clear();
        old.consent.guardian.clear();
        let view = register(&app, &village, &old).await;
        assert_eq!(view.head_id, "110105********002X");
        assert_eq!(
            (view.members[0].sex.as_str(), view.members[0].birth_year),
            ("female", 1949)
        );
        let (form, _) = app.household_form(&village, view.id).await.unwrap();
        assert_eq!(form.members[0].id_number, "11010519491231002X");
    })
    .await;
}

#[tokio::test]
async fn invalid_id_numbers_are_refused_naming_the_member_and_the_reason() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let county = caller(&app, "county").await;
        let before = list(&app, &county, HouseholdQuery::default())
            .await
            .unwrap()
            .len();
        let good = known(3).child_id;
        let wrong_check = {
            let last = good.chars().last().unwrap();
            let other = if last == '0' { '1' } else { '0' };
            format!("{}{other}", &good[..17])
        };
        let impossible_date = id_number(date(1990, 1, 1), 603).replace("19900101", "19900230");
        let unborn = id_number(today() + Days::new(400), 605);
        let cases = [
            (wrong_check.as_str(), "id.check"),
            (impossible_date.as_str(), "id.birth_date"),
            (unborn.as_str(), "id.birth_date"),
            ("3.40123199003071E+17", "id.numeric"),
            ("340123199003071234.0", "id.numeric"),
            (&good[..17], "id.length"),
            ("3401232015010100471", "id.length"),
            ("34012319900307123A", "id.char"),
        ];
        for (bad, code) in cases {
            let mut input = complete(SHANGPAI_VILLAGE, 3);
            input.members[1].id_number = bad.to_owned();
            let result = app.register_household(&village, &input).await;
            let errors = match &result {
                Err(AppError::Invalid(errors)) => errors.clone(),
                other => panic!("{bad} should be refused, got {other:?}"),
            };
            let at_member: Vec<_> = errors
                .iter()
                .filter(|e| e.field() == "members[1].id_number")
                .collect();
            assert_eq!(at_member.len(), 1, "{bad}: {errors:?}");
            assert_eq!(at_member[0].code(), code, "{bad}");
            // Every reason has a message in both languages.
            let zh = hearth_core::i18n::text(hearth_core::Lang::ZhCn, at_member[0].code());
            let en = hearth_core::i18n::text(hearth_core::Lang::En, at_member[0].code());
            assert!(
                zh != at_member[0].code() && en != at_member[0].code(),
                "{code}"
            );
        }
        // The wrong check digit says which character was expected.
        let mut input = complete(SHANGPAI_VILLAGE, 3);
        input.members[1].id_number = wrong_check.clone();
        let Err(AppError::Invalid(errors)) = app.register_household(&village, &input).await else {
            panic!("refused");
        };
        assert_eq!(arg(&errors[0], "expected"), good.get(17..));
        assert_eq!(arg(&errors[0], "found"), wrong_check.get(17..));
        // A certificate that is not the member's own ID number is refused too.
        let mut input = complete(SHANGPAI_VILLAGE, 3);
        input.members[0].disability_certificate = format!("{}21", known(4).head_id);
        assert_eq!(
            refusals(app.register_household(&village, &input).await),
            [pair(
                "members[0].disability_certificate",
                "member.certificate_mismatch"
            )]
        );
        // Several problems at once, each at its place.
        let mut input = complete(SHANGPAI_VILLAGE, 3);
        input.members[0].id_number = "3.40123194106E+17".into();
        input.members[1].id_number = wrong_check;
        input.phone = "1380000".into();
        assert_eq!(
            refusals(app.register_household(&village, &input).await),
            [
                pair("members[0].id_number", "id.numeric"),
                pair("members[1].id_number", "id.check"),
                pair("phone", "phone.format"),
            ]
        );
        assert_eq!(
            list(&app, &county, HouseholdQuery::default())
                .await
                .unwrap()
                .len(),
            before,
            "nothing refused was stored"
        );
    })
    .await;
}

#[tokio::test]
async fn the_same_person_cannot_be_registered_twice() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let first = register(&app, &village, &complete(SHANGPAI_VILLAGE, 5)).await;

        // The town registers a household in the other village whose second member is the first
        // household's head, typed with spaces and a full-width digit.
        let mut second = complete(SHANGPAI_OTHER_VILLAGE, 6);
        let typed = known(5).head_id;
        second.members[1].id_number = format!(
            "{} {} {}",
            &typed[..6],
            &typed[6..14],
            typed[14..].replacen('1', "１", 1)
        );
        let result = app.register_household(&town, &second).await;
        let Err(AppError::Conflict(e)) = &result else {
            panic!("expected a conflict, got {result:?}");
        };
        assert_eq!(e.field(), "members[1].id_number");
        assert_eq!(e.code(), "household.already_registered");
        assert!(
            arg(e, "village").is_some_and(|v| v.contains("示例")),
            "names the village: {e:?}"
        );
        assert_eq!(arg(e, "head"), Some("柏*"), "the head, masked");
        assert!(
            !format!("{e:?}").contains("青山"),
            "the given name does not leak: {e:?}"
        );

        // Editing a household so that it holds an ID another household has is refused too,
        // while keeping one's own numbers is fine.
        let other = register(&app, &town, &complete(SHANGPAI_OTHER_VILLAGE, 7)).await;
        let (mut form, version) = app.household_form(&town, other.id).await.unwrap();
        form.members[1].id_number = known(5).child_id;
        let result = app.update_household(&town, other.id, version, &form).await;
        assert!(
            matches!(&result, Err(AppError::Conflict(e)) if e.field() == "members[1].id_number"),
            "{result:?}"
        );
        let (form, version) = app.household_form(&town, other.id).await.unwrap();
        app.update_household(&town, other.id, version, &form)
            .await
            .expect("saving a household unchanged is not a duplicate of itself");

        // The same person twice in one household is a mistake in the form.
        let mut twice = complete(SHANGPAI_VILLAGE, 8);
        twice.members[1].id_number = twice.members[0].id_number.clone();
        assert_eq!(
            refusals(app.register_household(&village, &twice).await),
            [pair("members[1].id_number", "household.duplicate_member")]
        );
        assert!(app.household(&village, first.id).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn two_officers_registering_the_same_person_at_once_store_it_once() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let county = caller(&app, "county").await;
        let a = complete(SHANGPAI_VILLAGE, 9);
        let mut b = complete(SHANGPAI_OTHER_VILLAGE, 10);
        b.members[0] = a.members[0].clone();
        let (ra, rb) = tokio::join!(
            app.register_household(&village, &a),
            app.register_household(&town, &b)
        );
        let outcomes = [ra.is_ok(), rb.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "exactly one wins: {ra:?} {rb:?}"
        );
        for result in [&ra, &rb] {
            if let Err(e) = result {
                assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
            }
        }
        let found = list(
            &app,
            &county,
            HouseholdQuery {
                number: Some(known(9).head_id),
                ..HouseholdQuery::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_officer_who_entered_a_record_cannot_approve_it() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let colleague = officer(&app, "shangpai.b", "town_officer", SHANGPAI).await;

        // A village officer may not review at all.
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 11))
            .await
            .id;
        app.submit_household(&village, id).await.unwrap();
        assert!(matches!(
            app.approve_household(&village, id).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.return_household(&village, id, "自己退回自己").await,
            Err(AppError::Forbidden)
        ));

        // A town officer who entered the record may not approve or return it; a colleague may.
        let id = register(&app, &town, &complete(SHANGPAI_OTHER_VILLAGE, 12))
            .await
            .id;
        let submitted = app.submit_household(&town, id).await.unwrap();
        assert_eq!(submitted.status, "submitted");
        assert!(submitted.entered_by_caller, "the page can hide the button");
        for result in [
            app.approve_household(&town, id).await,
            app.return_household(&town, id, "自己退回自己").await,
        ] {
            assert_eq!(
                refusals(result),
                [pair("reviewer", "household.maker_checker")]
            );
        }
        assert_eq!(
            app.household(&town, id).await.unwrap().status,
            "submitted",
            "the refused review changed nothing"
        );
        let view = app.approve_household(&colleague, id).await.unwrap();
        assert_eq!(view.status, "approved");
        assert!(!view.entered_by_caller);
        let history = app.household_history(&town, id).await.unwrap();
        let steps: Vec<(&str, &str)> = history
            .iter()
            .map(|e| (e.action.as_str(), e.actor_name.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("household_created", "town"),
                ("household_submit", "town"),
                ("household_approve", "shangpai.b"),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn whoever_last_edited_a_record_cannot_approve_it_either() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        // The village enters it; the town returns it, then edits it itself and resubmits.
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 13))
            .await
            .id;
        app.submit_household(&village, id).await.unwrap();
        app.return_household(&town, id, "请补充低保证明")
            .await
            .unwrap();
        let (mut form, version) = app.household_form(&town, id).await.unwrap();
        form.categories.truncate(1);
        form.main_category = "dibao".into();
        app.update_household(&town, id, version, &form)
            .await
            .unwrap();
        app.submit_household(&town, id).await.unwrap();
        // The content is now the town officer's: approving it would be checking oneself.
        assert_eq!(
            refusals(app.approve_household(&town, id).await),
            [pair("reviewer", "household.maker_checker")]
        );
        let colleague = officer(&app, "shangpai.c", "town_officer", SHANGPAI).await;
        assert_eq!(
            app.approve_household(&colleague, id).await.unwrap().status,
            "approved"
        );
    })
    .await;
}

#[tokio::test]
async fn a_return_needs_a_reason_and_an_approved_record_is_not_edited() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 14))
            .await
            .id;
        app.submit_household(&village, id).await.unwrap();
        for blank in ["", "   ", "\u{3000}"] {
            assert_eq!(
                refusals(app.return_household(&town, id, blank).await),
                [pair("reason", "household.return_reason_required")]
            );
        }
        assert_eq!(app.household(&town, id).await.unwrap().status, "submitted");

        let returned = app
            .return_household(&town, id, " 低保证明已过期，请补充 ")
            .await
            .unwrap();
        assert_eq!(returned.status, "returned");
        // The village sees why, and may edit and resubmit.
        let seen = app.household(&village, id).await.unwrap();
        assert_eq!(seen.return_reason, "低保证明已过期，请补充");
        let history = app.household_history(&village, id).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.reason.as_str()),
            ("household_return", "低保证明已过期，请补充")
        );
        let (mut form, version) = app.household_form(&village, id).await.unwrap();
        form.note = "已补充最新低保证明".into();
        let edited = app
            .update_household(&village, id, version, &form)
            .await
            .unwrap();
        assert_eq!(edited.status, "returned");
        let resubmitted = app.submit_household(&village, id).await.unwrap();
        assert_eq!(
            (
                resubmitted.status.as_str(),
                resubmitted.return_reason.as_str()
            ),
            ("submitted", ""),
            "the old reason goes once it is resubmitted"
        );

        // Submitted: the village must withdraw before editing.
        let (form, version) = (form, resubmitted.version);
        assert_eq!(
            refusals(app.update_household(&village, id, version, &form).await),
            [pair("status", "household.edit_submitted")]
        );
        assert_eq!(
            refusals(app.household_form(&village, id).await),
            [pair("status", "household.edit_submitted")]
        );
        let approved = app.approve_household(&town, id).await.unwrap();
        assert_eq!(approved.status, "approved");
        for who in [&village, &town] {
            assert_eq!(
                refusals(app.update_household(who, id, approved.version, &form).await),
                [pair("status", "household.edit_approved")]
            );
        }
        // Approved is final for the workflow: no second review, no withdrawal, no resubmission.
        assert_eq!(
            refusals(app.approve_household(&town, id).await),
            [pair("status", "household.cannot_review")]
        );
        assert_eq!(
            refusals(app.withdraw_household(&village, id).await),
            [pair("status", "household.cannot_withdraw")]
        );
        assert_eq!(
            refusals(app.submit_household(&village, id).await),
            [pair("status", "household.cannot_submit")]
        );
        let after = app.household(&town, id).await.unwrap();
        assert_eq!(
            (after.status.as_str(), after.version),
            ("approved", approved.version)
        );
    })
    .await;
}

#[tokio::test]
async fn an_edit_made_from_a_stale_copy_is_a_conflict_and_changes_nothing() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 15))
            .await
            .id;
        // Two people open the form.
        let (mut mine, version) = app.household_form(&village, id).await.unwrap();
        let (mut theirs, same) = app.household_form(&town, id).await.unwrap();
        assert_eq!(version, same);
        mine.address = "示例村三组十四号（改）".into();
        theirs.address = "示例村五组一号（改）".into();
        let saved = app
            .update_household(&village, id, version, &mine)
            .await
            .unwrap();
        assert_eq!(saved.version, version + 1);
        let late = app.update_household(&town, id, same, &theirs).await;
        assert!(
            matches!(&late, Err(AppError::Conflict(e)) if e.code() == "household.stale_edit"),
            "{late:?}"
        );
        let (now, current) = app.household_form(&village, id).await.unwrap();
        assert_eq!(now.address, "示例村三组十四号（改）");
        assert_eq!(current, version + 1);
        let history = app.household_history(&village, id).await.unwrap();
        let updates = history
            .iter()
            .filter(|e| e.action == "household_updated")
            .count();
        assert_eq!(updates, 1);
        assert!(
            history
                .iter()
                .any(|e| e.action == "household_updated" && e.detail.contains("address")),
            "the history names the changed field"
        );
    })
    .await;
}

#[tokio::test]
async fn submitting_an_incomplete_household_lists_what_is_missing() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let mut bare = complete(SHANGPAI_VILLAGE, 16);
        bare.categories.clear();
        bare.main_category.clear();
        bare.consent = ConsentInput::default();
        let id = register(&app, &village, &bare).await.id;
        assert_eq!(
            refusals(app.submit_household(&village, id).await),
            [
                pair("consent", "household.consent_missing"),
                pair("categories", "household.categories_missing"),
            ]
        );
        assert_eq!(app.household(&village, id).await.unwrap().status, "draft");

        // A category that has expired does not count.
        let mut expired = complete(SHANGPAI_VILLAGE, 17);
        expired.categories = vec![CategoryTagInput {
            verified_on: (today() - Days::new(400)).to_string(),
            valid_until: (today() - Days::new(35)).to_string(),
            ..tag("dibao")
        }];
        let id = register(&app, &village, &expired).await.id;
        assert_eq!(
            refusals(app.submit_household(&village, id).await),
            [pair("categories", "household.categories_expired")]
        );
        // A child without a guardian on the consent is refused at registration already.
        let mut no_guardian = complete(SHANGPAI_VILLAGE, 18);
        no_guardian.consent.guardian.clear();
        assert_eq!(
            refusals(app.register_household(&village, &no_guardian).await),
            [pair("consent.guardian", "consent.guardian_required")]
        );
        // Withdrawn and resubmitted, a complete one goes through.
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 19))
            .await
            .id;
        app.submit_household(&village, id).await.unwrap();
        let back = app.withdraw_household(&village, id).await.unwrap();
        assert_eq!(back.status, "draft");
        assert_eq!(
            app.submit_household(&village, id).await.unwrap().status,
            "submitted"
        );
    })
    .await;
}

#[tokio::test]
async fn a_village_registers_only_in_its_own_village() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        for (who, area) in [
            (&village, SHANGPAI_OTHER_VILLAGE),
            (&village, SANHE_VILLAGE),
            (&town, SANHE_VILLAGE),
        ] {
            assert_eq!(
                refusals(app.register_household(who, &complete(area, 20)).await),
                [pair("village", "household.village_outside_scope")],
                "{} in {area}",
                who.user.username
            );
        }
        // A town (not a village) is not where a household lives.
        assert_eq!(
            refusals(app.register_household(&town, &complete(SANHE, 20)).await),
            [pair("village", "household.village_level")]
        );
    })
    .await;
}

#[tokio::test]
async fn the_demo_has_synthetic_households_in_every_example_village() {
    each_backend(async |db: &TestDb| {
        let (app, summary) = crate::common::demo_with_summary(db).await;
        let county = caller(&app, "county").await;
        let all = list(&app, &county, HouseholdQuery::default()).await.unwrap();
        assert_eq!(all.len(), summary.households);
        let villages = hearth_app::areas::parse_divisions(hearth_app::demo::FEIXI_DIVISIONS)
            .unwrap()
            .iter()
            .filter(|a| a.level == hearth_core::area::AreaLevel::Town)
            .count()
            * 2;
        let mut per_village = std::collections::BTreeMap::<&str, usize>::new();
        for view in &all {
            *per_village.entry(view.village_code.as_str()).or_default() += 1;
            assert!(view.village_name.contains("示例"), "{}", view.village_name);
        }
        assert_eq!(per_village.len(), villages, "every example village has households");
        assert!(per_village.values().all(|n| (3..=5).contains(n)), "{per_village:?}");
        for status in ["draft", "submitted", "approved", "returned"] {
            assert!(all.iter().any(|v| v.status == status), "no {status} household");
        }
        for view in all.iter().filter(|v| v.status == "returned") {
            assert!(!view.return_reason.is_empty(), "a returned household says why");
        }
        let categories: std::collections::BTreeSet<&str> =
            all.iter().map(|v| v.main_category.as_str()).collect();
        assert!(categories.len() >= 4, "{categories:?}");

        // Maker-checker held: whoever approved or returned did not enter the record; 上派镇's
        // households were reviewed by the demo town officer.
        for view in all.iter().filter(|v| matches!(v.status.as_str(), "approved" | "returned")) {
            let history = app.household_history(&county, view.id).await.unwrap();
            let maker = &history[0];
            assert_eq!(maker.action, "household_created");
            assert_eq!(maker.role, "village_officer");
            let review = history
                .iter()
                .find(|e| matches!(e.action.as_str(), "household_approve" | "household_return"))
                .expect("reviewed");
            assert_ne!(review.actor_id, maker.actor_id);
            if view.village_code.starts_with("340123100") {
                assert_eq!(review.actor_name, "town");
            }
        }
        // The people are synthetic but valid: ID numbers of 340123 with check characters,
        // 1380000xxxx phones; elders over 80, children under 14 with a guardian, disabilities.
        let (mut elders, mut children, mut disabled, mut noted) = (0, 0, 0, 0);
        for view in &all {
            let shown = app
                .reveal_household(&county, view.id, "检查演示数据")
                .await
                .unwrap();
            assert!(shown.phone.starts_with("1380000") && shown.phone.len() == 11, "{}", shown.phone);
            let mut has_child = false;
            for m in &shown.members {
                let id = hearth_core::IdNumber::parse(&m.id_number).expect("a valid number");
                assert_eq!(id.region_code(), "340123");
                let age = id.age_on(today());
                elders += usize::from(age >= 80);
                has_child |= age < 14;
                disabled += usize::from(!m.disability_kind.is_empty());
                noted += usize::from(!m.health_note.is_empty());
            }
            if has_child {
                children += 1;
                // Drafts may have no consent yet; a signed one names the guardian.
                if !shown.consent_signer.is_empty() {
                    assert!(!shown.consent_guardian.is_empty(), "{}", view.id);
                }
            }
        }
        assert!(elders >= 20 && children >= 20 && disabled >= 20 && noted >= 20,
            "elders {elders}, households with children {children}, disabled {disabled}, health notes {noted}");
        // Marked as demo data where an officer edits it.
        let town = caller(&app, "town").await;
        let draft = all
            .iter()
            .find(|v| v.status == "draft" && v.village_code.starts_with("340123100"))
            .expect("a draft in 上派镇");
        let (form, _) = app.household_form(&town, draft.id).await.unwrap();
        assert!(form.note.contains("演示数据"), "{}", form.note);
        // The village account sees its own village's demo households.
        let village = caller(&app, "village").await;
        assert_eq!(
            list(&app, &village, HouseholdQuery::default()).await.unwrap().len(),
            per_village[SHANGPAI_VILLAGE]
        );
        let verified = app.verify_audit_log(Operator::Console).await.unwrap();
        assert!(verified.first_broken.is_none(), "{verified:?}");
    })
    .await;
}
