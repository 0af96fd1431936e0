//! Privacy by design: unmasking needs a reason that is logged with it; search works through
//! blind indexes; nothing personal lies in the database in plain text; expired records are
//! anonymised; a key rotation keeps everything readable and findable.

use crate::common::{
    SANHE, SHANGPAI_OTHER_VILLAGE, SHANGPAI_VILLAGE, audit_log, caller, demo, test_keys,
};
use crate::households::{
    HEAD_BORN, approved, complete, known, list, officer, refusals, register, today,
};
use hearth_app::households::HouseholdQuery;
use hearth_app::users::Operator;
use hearth_app::{App, AppError, Policy};
use hearth_store::crypto::{CryptoError, FieldCipher};
use hearth_store::keys::{Key, KeyRing};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{REQUIRE_POSTGRES_VAR, TestDb, each_backend};
use hearth_store::{Backend, households};
use uuid::Uuid;

fn search(number: &str) -> HouseholdQuery {
    HouseholdQuery {
        number: Some(number.to_owned()),
        ..HouseholdQuery::default()
    }
}

async fn found(app: &App, who: &hearth_app::Caller, query: HouseholdQuery) -> Vec<Uuid> {
    list(app, who, query)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect()
}

#[tokio::test]
async fn revealing_needs_a_reason_and_is_logged_with_it() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let k = known(1);
        let id = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let before = audit_log(db).await.len();
        for reason in ["", "   ", "看看", " 看 看 "] {
            assert_eq!(
                refusals(app.reveal_household(&village, id, reason).await),
                [("reason".to_owned(), "household.reveal_reason".to_owned())],
                "{reason:?}"
            );
        }
        assert_eq!(
            audit_log(db).await.len(),
            before,
            "a refused reveal shows and logs nothing"
        );

        let shown = app
            .reveal_household(&village, id, " 入户核实残疾等级 ")
            .await
            .unwrap();
        assert_eq!(shown.phone, k.phone);
        assert_eq!(shown.members[0].id_number, k.head_id);
        assert_eq!(shown.members[1].id_number, k.child_id);
        assert_eq!(shown.members[0].health_note, k.health_note);
        assert_eq!(
            (
                shown.members[0].disability_kind.as_str(),
                shown.members[0].disability_grade.as_str()
            ),
            ("hearing", "1")
        );
        assert_eq!(shown.consent_guardian, k.head_name);

        let events = audit_log(db).await;
        assert_eq!(events.len(), before + 1, "exactly one entry per view");
        let last = events.last().unwrap();
        assert_eq!(last.action, "household_revealed");
        assert_eq!(last.record_type, "household");
        assert_eq!(last.record_id, id.to_string());
        assert_eq!(last.reason, "入户核实残疾等级");
        assert_eq!(
            (last.actor_name.as_str(), last.role.as_str()),
            ("village", "village_officer")
        );
        assert_eq!(last.actor_id, Some(village.user.id));
        assert!(last.detail.contains("id_number"), "names the fields shown");
        // The log names what was shown, never the values, for any household event.
        for event in &events {
            for secret in [&k.head_id, &k.child_id, &k.phone, &k.health_note] {
                assert!(
                    !event.detail.contains(secret.as_str())
                        && !event.reason.contains(secret.as_str()),
                    "{event:?}"
                );
            }
        }
        // The town's reveal is logged as the town's; the record's history shows both.
        app.reveal_household(&town, id, "复核低保材料")
            .await
            .unwrap();
        let history = app.household_history(&town, id).await.unwrap();
        let reveals: Vec<(&str, &str)> = history
            .iter()
            .filter(|e| e.action == "household_revealed")
            .map(|e| (e.actor_name.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            reveals,
            [("village", "入户核实残疾等级"), ("town", "复核低保材料")]
        );

        let verified = app.verify_audit_log(Operator::Console).await.unwrap();
        assert!(verified.first_broken.is_none(), "{verified:?}");
        assert_eq!(verified.events, audit_log(db).await.len() as i64);
    })
    .await;
}

#[tokio::test]
async fn no_reveal_goes_unlogged_even_when_the_log_cannot_be_written() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2))
            .await
            .id;
        // The audit log refuses every new entry, as a full disk or a broken trigger would.
        match db.backend {
            Backend::Sqlite => {
                db.execute(
                    "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event \
                     BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END",
                )
                .await
                .unwrap();
            }
            Backend::Postgres => {
                db.execute(
                    "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$",
                )
                .await
                .unwrap();
                db.execute(
                    "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event \
                     FOR EACH ROW EXECUTE FUNCTION audit_down()",
                )
                .await
                .unwrap();
            }
        }
        let refused = app.reveal_household(&village, id, "核实身份信息").await;
        assert!(
            matches!(refused, Err(AppError::Store(_))),
            "no unmasked data without its log entry: {refused:?}"
        );
        let edit = app.household_form(&village, id).await;
        assert!(matches!(edit, Err(AppError::Store(_))), "{edit:?}");
        let drop = match db.backend {
            Backend::Sqlite => "DROP TRIGGER audit_down",
            Backend::Postgres => "DROP TRIGGER audit_down ON audit_event",
        };
        db.execute(drop).await.unwrap();
        assert!(
            app.reveal_household(&village, id, "核实身份信息")
                .await
                .is_ok()
        );
        let verified = app.verify_audit_log(Operator::Console).await.unwrap();
        assert!(verified.first_broken.is_none(), "{verified:?}");
    })
    .await;
}

#[tokio::test]
async fn households_are_found_by_full_id_number_phone_or_last_four_within_scope() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let county = caller(&app, "county").await;
        let (one, two) = (known(1), known(2));
        let first = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let second = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2))
            .await
            .id;

        for who in [&village, &county] {
            // Any member's full number, however it was typed.
            assert_eq!(found(&app, who, search(&one.head_id)).await, [first]);
            assert_eq!(found(&app, who, search(&one.child_id)).await, [first]);
            let spaced = format!(
                "'{} {} {}",
                &two.head_id[..6],
                &two.head_id[6..14],
                &two.head_id[14..]
            );
            assert_eq!(found(&app, who, search(&spaced)).await, [second]);
            // The full phone, also with the country code and spaces.
            assert_eq!(found(&app, who, search(&one.phone)).await, [first]);
            let international = format!(
                "+86 {} {} {}",
                &two.phone[..3],
                &two.phone[3..7],
                &two.phone[7..]
            );
            assert_eq!(found(&app, who, search(&international)).await, [second]);
        }
        // The last four characters of the phone or of any member's ID number.
        let by_phone = list(&app, &county, search(&one.phone[7..])).await.unwrap();
        assert!(by_phone.iter().any(|v| v.id == first));
        let by_id = list(&app, &county, search(&one.child_id[14..]))
            .await
            .unwrap();
        assert!(by_id.iter().any(|v| v.id == first));
        // Everything found ends in those four, in the phone or in some member's number.
        for (views, last4) in [(&by_phone, &one.phone[7..]), (&by_id, &one.child_id[14..])] {
            for view in views.iter() {
                let page = app.household(&county, view.id).await.unwrap();
                assert!(
                    page.phone.ends_with(last4)
                        || page.members.iter().any(|m| m.id_number.ends_with(last4)),
                    "{page:?} does not end in {last4}"
                );
            }
        }
        // A name, a number nobody has, and something that is no number at all.
        let by_name = HouseholdQuery {
            name: Some("青山一".into()),
            ..HouseholdQuery::default()
        };
        assert_eq!(found(&app, &county, by_name).await, [first]);
        assert!(
            found(&app, &county, search(&known(77).head_id))
                .await
                .is_empty()
        );
        assert!(found(&app, &county, search("13900009999")).await.is_empty());
        assert_eq!(
            refusals(
                app.households(&county, &search("12345"), PageRequest::new(None, None))
                    .await
            ),
            [("number".to_owned(), "household.search_number".to_owned())]
        );

        // Another town's officer finds nothing, even with the exact number.
        let sanhe = officer(&app, "sanhe.town", "town_officer", SANHE).await;
        for number in [&one.head_id, &one.phone, &one.phone[7..].to_owned()] {
            assert!(
                !found(&app, &sanhe, search(number)).await.contains(&first),
                "{number} leaked across towns"
            );
        }
        let next_village = officer(&app, "v2", "village_officer", SHANGPAI_OTHER_VILLAGE).await;
        assert!(
            found(&app, &next_village, search(&one.head_id))
                .await
                .is_empty()
        );
    })
    .await;
}

/// Bytes that must not appear anywhere in the stored data: each household's full ID numbers,
/// phone, disability certificate, health note, and the head's birth date.
fn secrets(ns: &[u32]) -> Vec<String> {
    let (y, m, d) = HEAD_BORN;
    let mut all = vec![format!("{y}{m:02}{d:02}")];
    for n in ns {
        let k = known(*n);
        all.extend([k.head_id, k.child_id, k.phone, k.certificate, k.health_note]);
    }
    all
}

fn assert_absent(haystack: &[u8], needles: &[String], what: &str) {
    for needle in needles {
        let found = haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes());
        assert!(!found, "{what} holds {needle:?} in plain text");
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn nothing_personal_is_stored_in_plain_text() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        // Registered, edited, approved, revealed, returned: every path that writes.
        let ns = [1, 2, 3];
        let a = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        app.reveal_household(&village, a, "入户核实身份")
            .await
            .unwrap();
        let b = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2))
            .await
            .id;
        let (mut form, version) = app.household_form(&village, b).await.unwrap();
        form.note = "补充说明".into();
        app.update_household(&village, b, version, &form)
            .await
            .unwrap();
        let c = register(&app, &village, &complete(SHANGPAI_VILLAGE, 3))
            .await
            .id;
        app.submit_household(&village, c).await.unwrap();
        app.return_household(&town, c, "请补充残疾人证复印件")
            .await
            .unwrap();
        let needles = secrets(&ns);
        let head = known(1).head_name;

        match db.backend {
            Backend::Sqlite => {
                let path = std::path::PathBuf::from(db.url.trim_start_matches("sqlite://"));
                let read = |suffix: &str| {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    std::fs::read(&p).unwrap_or_default()
                };
                // Before a checkpoint the new pages are in the write-ahead log.
                let mut bytes = read("");
                bytes.extend(read("-wal"));
                assert!(
                    contains(&bytes, &head),
                    "the files hold the households (names are plain by design)"
                );
                assert_absent(&bytes, &needles, "the SQLite file or its WAL");
                // After a checkpoint everything is in the main file.
                db.store.close().await;
                let file = read("");
                assert!(contains(&file, &head), "checkpointed into the main file");
                assert_absent(&file, &needles, "the checkpointed SQLite file");
                assert_absent(&read("-wal"), &needles, "the WAL after the checkpoint");
            }
            Backend::Postgres => {
                let dump = std::process::Command::new("pg_dump")
                    .args(["--no-owner", "--dbname", &db.url])
                    .output();
                let dump = match dump {
                    Ok(out) => {
                        assert!(
                            out.status.success(),
                            "pg_dump failed: {}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        out.stdout
                    }
                    Err(e) => {
                        let required = std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1");
                        assert!(!required, "pg_dump is needed to check the dump: {e}");
                        eprintln!("SKIPPED the PostgreSQL dump check: pg_dump: {e}");
                        return;
                    }
                };
                assert!(contains(&dump, &head), "the dump holds the households");
                assert!(contains(&dump, "household_revealed"), "and the audit log");
                assert_absent(&dump, &needles, "the PostgreSQL dump");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn an_expired_household_is_anonymised_and_its_statistics_kept() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let county = caller(&app, "county").await;
        let k = known(1);
        let old = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1)).await;
        let kept = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2)).await;
        let everyone = list(&app, &county, HouseholdQuery::default())
            .await
            .unwrap()
            .len();

        // Nothing has expired today.
        assert_eq!(app.purge_expired(today()).await.unwrap().anonymised, 0);
        // The first household's retention ended long ago.
        db.execute(&format!(
            "UPDATE household SET retain_until = '2020-01-01' WHERE head_name = '{}'",
            k.head_name
        ))
        .await
        .unwrap();
        assert_eq!(app.purge_expired(today()).await.unwrap().anonymised, 1);

        assert!(matches!(
            app.household(&county, old.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.reveal_household(&county, old.id, "核实已删除记录")
                .await,
            Err(AppError::NotFound)
        ));
        let listed = found(&app, &county, HouseholdQuery::default()).await;
        assert_eq!(listed.len(), everyone - 1);
        assert!(!listed.contains(&old.id) && listed.contains(&kept.id));
        for number in [&k.head_id, &k.child_id, &k.phone] {
            assert!(
                found(&app, &county, search(number)).await.is_empty(),
                "{number}"
            );
        }
        let by_name = HouseholdQuery {
            name: Some(k.head_name.clone()),
            ..HouseholdQuery::default()
        };
        assert!(found(&app, &county, by_name).await.is_empty());

        // What is left: no name, number, phone, address or sealed profile; the statistics.
        let mut tx = db.store.read().await.unwrap();
        let row = households::get(&mut tx, old.id).await.unwrap().unwrap();
        let members = households::members(&mut tx, old.id).await.unwrap();
        let everything = households::all(&mut tx, true).await.unwrap();
        drop(tx);
        assert!(row.anonymised_at.is_some());
        assert!(
            !row.head_name.contains("柏") && !row.head_name.contains("青山"),
            "{}",
            row.head_name
        );
        assert_eq!(
            (
                row.head_id_masked.as_str(),
                row.address.as_str(),
                row.sealed.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(
            (row.phone_index.as_deref(), row.phone_last4.as_deref()),
            (None, None)
        );
        assert_eq!(row.village.as_str(), SHANGPAI_VILLAGE);
        assert_eq!(row.categories, ["dibao", "disabled", "elderly_advanced"]);
        assert_eq!(
            (row.main_category.as_str(), row.member_count, row.score),
            ("dibao", 2, old.score)
        );
        assert_eq!(row.status, "approved");
        assert_eq!(members.len(), 2);
        for m in &members {
            assert!(!m.name.contains("柏") && m.id_last4.is_empty(), "{m:?}");
        }
        let births: Vec<i64> = members.iter().map(|m| m.birth_year).collect();
        assert_eq!(
            births,
            [1941, i64::from(chrono::Datelike::year(&today()) - 8)],
            "ages stay for statistics"
        );
        assert_eq!(
            everything.len(),
            everyone,
            "the anonymised row still counts"
        );
        let row_json =
            serde_json::to_string(&row).unwrap() + &serde_json::to_string(&members).unwrap();
        assert_absent(row_json.as_bytes(), &secrets(&[1]), "the anonymised rows");

        // The purge is in the audit log, the chain holds, and the person may be registered anew.
        let events = audit_log(db).await;
        let purge = events
            .iter()
            .find(|e| e.action == "household_anonymised" && e.record_id == old.id.to_string())
            .expect("logged");
        assert_eq!(purge.role, "system");
        assert!(
            app.verify_audit_log(Operator::Console)
                .await
                .unwrap()
                .first_broken
                .is_none()
        );
        register(&app, &village, &complete(SHANGPAI_VILLAGE, 1)).await;

        // Years ahead, every household has expired: none is left in any list.
        let report = app
            .purge_expired(today() + chrono::Months::new(12 * 10))
            .await
            .unwrap();
        assert_eq!(report.anonymised, everyone);
        assert!(
            found(&app, &county, HouseholdQuery::default())
                .await
                .is_empty()
        );
        assert!(
            found(&app, &village, HouseholdQuery::default())
                .await
                .is_empty()
        );
    })
    .await;
}

fn rotated_ring() -> KeyRing {
    let mut ring = test_keys();
    ring.keys.push(Key {
        id: "second".into(),
        bytes: [9; 32],
    });
    ring
}

#[tokio::test]
async fn after_a_key_rotation_households_still_open_and_are_found() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let k = known(1);
        let id = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1)).await.id;
        let total = {
            let mut tx = db.store.read().await.unwrap();
            households::all(&mut tx, false).await.unwrap().len()
        };

        let report = app
            .reencrypt_all(&FieldCipher::new(rotated_ring()))
            .await
            .unwrap();
        assert_eq!((report.households, report.key_id.as_str()), (total, "second"));
        let mut tx = db.store.read().await.unwrap();
        let rows = households::all(&mut tx, false).await.unwrap();
        drop(tx);
        assert_eq!(rows.len(), total);
        for row in &rows {
            assert_eq!(FieldCipher::key_of(&row.sealed), Some("second"), "{}", row.id);
        }

        // The server restarted with the new key file; the old key retired from it.
        for ring in [
            rotated_ring(),
            KeyRing {
                keys: vec![rotated_ring().keys[1].clone()],
            },
        ] {
            let after = App::new(db.store.clone(), Policy::default()).with_keys(ring);
            let village = caller(&after, "village").await;
            let shown = after
                .reveal_household(&village, id, "换钥后核对")
                .await
                .unwrap();
            assert_eq!(shown.members[0].id_number, k.head_id);
            assert_eq!(shown.phone, k.phone);
            assert_eq!(found(&after, &village, search(&k.head_id)).await, [id]);
            assert_eq!(found(&after, &village, search(&k.child_id)).await, [id]);
            assert_eq!(found(&after, &village, search(&k.phone)).await, [id]);
            let score = after.household_score(&village, id).await.unwrap();
            assert_eq!(score.iter().map(|l| l.points).sum::<u32>(), 73);
            // Uniqueness holds under the new indexes.
            let again = after
                .register_household(&village, &complete(SHANGPAI_VILLAGE, 1))
                .await;
            assert!(
                matches!(&again, Err(AppError::Conflict(e)) if e.code() == "household.already_registered"),
                "{again:?}"
            );
        }
        // A server still holding only the old key cannot open the new values.
        let stale = caller(&app, "village").await;
        let refused = app.reveal_household(&stale, id, "旧密钥读取").await;
        assert!(
            matches!(&refused, Err(AppError::Crypto(CryptoError::UnknownKey(key))) if key == "second"),
            "{refused:?}"
        );
        // And its blind indexes no longer match anything.
        assert!(found(&app, &stale, search(&k.head_id)).await.is_empty());
        let events = audit_log(db).await;
        assert!(events.iter().any(|e| e.action == "keys_rotated" && e.record_id == "second"));
        assert!(app.verify_audit_log(Operator::Console).await.unwrap().first_broken.is_none());
    })
    .await;
}
