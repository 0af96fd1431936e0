//! The county administrator keeps the organization registry: add, edit, deactivate, history,
//! and every refusal names what is wrong.

use crate::common::{SANHE, SHANGPAI, arg, caller, create, demo, fresh_uscc, input, listed};
use hearth_app::AppError;
use hearth_app::organizations::Filter;
use hearth_core::organization::{OrgInput, OrgStatus};
use hearth_core::uscc::complete_uscc;
use hearth_store::testing::{TestDb, each_backend};
use std::collections::BTreeMap;

#[tokio::test]
async fn a_new_organization_is_stored_with_its_history() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let (org, warnings) = app
            .create_organization(
                &county,
                &input(
                    " 肥西县暖冬行动志愿服务队 ",
                    &fresh_uscc(1),
                    &[SHANGPAI, "340123101"],
                ),
            )
            .await
            .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(org.profile.name, "肥西县暖冬行动志愿服务队", "trimmed");
        assert_eq!(org.status, OrgStatus::Active);
        assert_eq!(org.version, 1);
        let areas: Vec<&str> = org
            .profile
            .service_areas
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(areas, [SHANGPAI, SANHE], "a 9-digit code is padded");
        assert_eq!(app.organization(&county, org.id).await.unwrap(), org);

        let history = app.organization_history(&county, org.id).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].action, "organization_created");
        assert_eq!(history[0].actor_name, "county");
        assert!(
            history[0].detail.contains("肥西县暖冬行动志愿服务队"),
            "{}",
            history[0].detail
        );
    })
    .await;
}

#[tokio::test]
async fn a_code_whose_17th_character_is_off_is_accepted_with_a_warning() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        // The 18th character is right for the first 17; the 17th fails its own check.
        let code = "0123456789X"
            .chars()
            .find_map(|c| {
                complete_uscc(&format!("51340123MK000777{c}")).filter(|u| !u.warnings().is_empty())
            })
            .unwrap();
        let (org, warnings) = app
            .create_organization(&county, &input("早期赋码的社会团体", &code, &[]))
            .await
            .unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            (warnings[0].field.as_str(), warnings[0].code),
            ("uscc", "uscc.org_check")
        );
        assert_eq!(
            warnings[0]
                .args
                .iter()
                .find(|(k, _)| *k == "found")
                .map(|(_, v)| v.as_str()),
            Some(&code.as_str()[16..17])
        );
        assert_eq!(
            app.organization(&county, org.id)
                .await
                .unwrap()
                .profile
                .uscc,
            code
        );
    })
    .await;
}

#[tokio::test]
async fn a_duplicate_credit_code_names_the_organization_that_has_it() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let first = create(&app, &county, "肥西县第一家", 1, &[]).await;
        let before = listed(&app, &county, Filter::default())
            .await
            .unwrap()
            .len();

        let err = app
            .create_organization(&county, &input("肥西县第二家", &first.profile.uscc, &[]))
            .await
            .unwrap_err();
        let AppError::Conflict(conflict) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (conflict.field(), conflict.code()),
            ("uscc", "org.duplicate_uscc")
        );
        assert_eq!(arg(&conflict, "name"), Some("肥西县第一家"));
        assert_eq!(
            listed(&app, &county, Filter::default())
                .await
                .unwrap()
                .len(),
            before,
            "nothing stored"
        );

        // Editing another organization onto the same code is refused the same way.
        let second = create(&app, &county, "肥西县第二家", 2, &[]).await;
        let mut edit = OrgInput::from(&second.profile);
        edit.uscc = first.profile.uscc.as_str().to_lowercase();
        let err = app
            .update_organization(&county, second.id, second.version, &edit)
            .await
            .unwrap_err();
        let AppError::Conflict(conflict) = err else {
            panic!("{err:?}")
        };
        assert_eq!(arg(&conflict, "name"), Some("肥西县第一家"));
        // Saving an organization with its own code is no clash.
        let mut rename = OrgInput::from(&second.profile);
        rename.name = "肥西县第二家（更名）".into();
        app.update_organization(&county, second.id, second.version, &rename)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_edit_from_a_stale_version_is_a_conflict_and_changes_nothing() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let org = create(&app, &county, "肥西县并发编辑测试会", 1, &[SHANGPAI]).await;
        let mut first = OrgInput::from(&org.profile);
        first.contact_person = "第一位编辑".into();
        let (saved, _) = app
            .update_organization(&county, org.id, org.version, &first)
            .await
            .unwrap();
        assert_eq!(saved.version, org.version + 1);

        let mut second = OrgInput::from(&org.profile);
        second.contact_person = "第二位编辑".into();
        let err = app
            .update_organization(&county, org.id, org.version, &second)
            .await
            .unwrap_err();
        let AppError::Conflict(conflict) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (conflict.field(), conflict.code()),
            ("version", "org.stale_edit")
        );
        let stored = app.organization(&county, org.id).await.unwrap();
        assert_eq!(
            (stored.profile.contact_person.as_str(), stored.version),
            ("第一位编辑", saved.version)
        );

        // The history records the one change that was made, field by field.
        let history = app.organization_history(&county, org.id).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["organization_created", "organization_updated"]);
        let detail: serde_json::Value = serde_json::from_str(&history[1].detail).unwrap();
        let changed = detail["changed"].as_object().unwrap();
        assert_eq!(changed.keys().collect::<Vec<_>>(), ["contact_person"]);
        assert_eq!(
            changed["contact_person"],
            serde_json::json!(["王丽华", "第一位编辑"])
        );
    })
    .await;
}

#[tokio::test]
async fn invalid_input_is_refused_with_one_error_per_bad_field() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let before = listed(&app, &county, Filter::default())
            .await
            .unwrap()
            .len();
        let mut bad = input("", &fresh_uscc(1), &["12345"]);
        bad.uscc = "51340123MJ0001000Z".into();
        bad.kind = "secret_society".into();
        bad.service_fields = vec!["elderly".into(), "astrology".into()];
        bad.responsible_person = "   ".into();
        bad.contact_phone = "12345".into();
        bad.rating = "6A".into();
        bad.note = "ok".into();
        let err = app.create_organization(&county, &bad).await.unwrap_err();
        let AppError::Invalid(errors) = err else {
            panic!("{err:?}")
        };
        let mut by_field: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &errors {
            *by_field.entry(e.field()).or_default() += 1;
        }
        let expected: BTreeMap<&str, usize> = [
            "name",
            "uscc",
            "kind",
            "service_fields",
            "service_areas",
            "responsible_person",
            "contact_phone",
            "rating",
        ]
        .into_iter()
        .map(|f| (f, 1))
        .collect();
        assert_eq!(by_field, expected, "{errors:?}");
        assert_eq!(
            listed(&app, &county, Filter::default())
                .await
                .unwrap()
                .len(),
            before,
            "nothing stored"
        );

        // A well-formed code of an area the county does not have.
        let err = app
            .create_organization(
                &county,
                &input("区划不存在", &fresh_uscc(2), &["340123999000"]),
            )
            .await
            .unwrap_err();
        let AppError::Invalid(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            ("service_areas", "org.area_unknown")
        );

        // The same checks apply to an edit, which then changes nothing.
        let org = create(&app, &county, "肥西县校验测试会", 3, &[]).await;
        let mut edit = OrgInput::from(&org.profile);
        edit.name = String::new();
        edit.contact_phone = "abc".into();
        let err = app
            .update_organization(&county, org.id, org.version, &edit)
            .await
            .unwrap_err();
        let AppError::Invalid(errors) = err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields.len(), 2, "{fields:?}");
        assert!(
            fields.contains(&"name") && fields.contains(&"contact_phone"),
            "{fields:?}"
        );
        assert_eq!(app.organization(&county, org.id).await.unwrap(), org);
    })
    .await;
}

#[tokio::test]
async fn deactivation_needs_a_reason_and_is_in_the_history() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let org = create(&app, &county, "肥西县停用测试会", 1, &[SHANGPAI]).await;

        let err = app
            .set_organization_status(&county, org.id, OrgStatus::Inactive, "  ")
            .await
            .unwrap_err();
        let AppError::Invalid(errors) = err else {
            panic!("{err:?}")
        };
        assert_eq!(
            (errors[0].field(), errors[0].code()),
            ("reason", "org.reason_required")
        );
        assert_eq!(
            app.organization(&county, org.id).await.unwrap().status,
            OrgStatus::Active
        );

        let off = app
            .set_organization_status(&county, org.id, OrgStatus::Inactive, " 年检不合格 ")
            .await
            .unwrap();
        assert_eq!(
            (off.status, off.version),
            (OrgStatus::Inactive, org.version + 1)
        );
        let inactive = Filter {
            status: Some(OrgStatus::Inactive),
            ..Filter::default()
        };
        let names: Vec<String> = listed(&app, &county, inactive)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.profile.name)
            .collect();
        assert_eq!(names, ["肥西县停用测试会"]);

        let on = app
            .set_organization_status(&county, org.id, OrgStatus::Active, "")
            .await
            .unwrap();
        assert_eq!(
            (on.status, on.version),
            (OrgStatus::Active, org.version + 2)
        );

        let history = app.organization_history(&county, org.id).await.unwrap();
        let steps: Vec<(&str, &str)> = history
            .iter()
            .map(|e| (e.action.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("organization_created", ""),
                ("organization_deactivated", "年检不合格"),
                ("organization_activated", ""),
            ]
        );
        assert!(
            history[1].detail.contains("inactive"),
            "{}",
            history[1].detail
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_people_adding_the_same_code_at_once_store_it_once() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let county = caller(&app, "county").await;
        let code = fresh_uscc(42);
        let tries: Vec<_> = (0..4)
            .map(|i| {
                let (app, county, code) = (app.clone(), county.clone(), code.clone());
                tokio::spawn(async move {
                    app.create_organization(&county, &input(&format!("同时录入{i}"), &code, &[]))
                        .await
                })
            })
            .collect();
        let mut stored = 0;
        for attempt in tries {
            match attempt.await.unwrap() {
                Ok(_) => stored += 1,
                Err(AppError::Conflict(c)) => assert_eq!(c.code(), "org.duplicate_uscc"),
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(stored, 1);
        let same = Filter {
            uscc: Some(code.as_str().into()),
            ..Filter::default()
        };
        assert_eq!(listed(&app, &county, same).await.unwrap().len(), 1);
        assert_eq!(
            app.verify_audit_log(hearth_app::users::Operator::Console)
                .await
                .unwrap()
                .first_broken,
            None
        );
    })
    .await;
}
