//! The household search by part of a member's name, through the table of name suffixes
//! (migration 0022): what it finds, that it follows members being replaced, and that the
//! migration's backfill writes the same rows as the store does; households and members fetched
//! many at once.

use crate::fixtures::{SHANGPAI, SHANGPAI_VILLAGE, code, insert_user, seed_areas};
use hearth_store::Backend;
use hearth_store::households::{self, HouseholdFilter, HouseholdRow, MemberRow};
use hearth_store::organizations::PageRequest;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

fn household(entered_by: Uuid, head: &str) -> HouseholdRow {
    let now = hearth_store::now();
    HouseholdRow {
        id: Uuid::now_v7(),
        village: code(SHANGPAI_VILLAGE),
        town: code(SHANGPAI),
        status: "approved".to_owned(),
        head_name: head.to_owned(),
        head_id_masked: String::new(),
        address: String::new(),
        phone_index: None,
        phone_last4: None,
        main_category: "low_income".to_owned(),
        categories: vec!["low_income".to_owned()],
        shares_with_orgs: false,
        member_count: 0,
        score: 0,
        sealed: String::new(),
        entered_by,
        reviewed_by: None,
        reviewed_at: None,
        return_reason: String::new(),
        retain_until: "2099-12-31".parse().unwrap(),
        anonymised_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

fn members(household: Uuid, names: &[&str]) -> Vec<MemberRow> {
    names
        .iter()
        .zip(0..)
        .map(|(name, position)| {
            let id = Uuid::now_v7();
            MemberRow {
                id,
                household_id: household,
                position,
                name: (*name).to_owned(),
                relation: "self".to_owned(),
                id_index: id.to_string(),
                id_last4: "0000".to_owned(),
                sex: "m".to_owned(),
                birth_year: 1970,
            }
        })
        .collect()
}

/// Writes one household per list of member names; returns their ids in the same order.
pub async fn registry(db: &TestDb, households: &[&[&str]]) -> Vec<Uuid> {
    seed_areas(&db.store).await;
    let officer = insert_user(&db.store, "officer").await;
    let mut tx = db.store.write().await.unwrap();
    let mut ids = Vec::new();
    for names in households {
        let row = household(officer.id, names[0]);
        households::insert(&mut tx, &row, &members(row.id, names))
            .await
            .unwrap();
        ids.push(row.id);
    }
    tx.commit().await.unwrap();
    ids
}

/// The households a name search finds, sorted; the total must agree with the rows.
async fn found(db: &TestDb, name: &str) -> Vec<Uuid> {
    let filter = HouseholdFilter {
        name: Some(name.to_owned()),
        ..HouseholdFilter::default()
    };
    let mut tx = db.store.read().await.unwrap();
    let (rows, total) = households::search(&mut tx, &filter, PageRequest::all())
        .await
        .unwrap();
    assert_eq!(total, rows.len() as i64, "total for {name:?}");
    let mut ids: Vec<Uuid> = rows.into_iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn sorted(ids: &[Uuid]) -> Vec<Uuid> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_name_search_finds_any_part_of_any_members_name() {
    each_backend(async |db: &TestDb| {
        let ids = registry(db, &[&["张建国", "张小明"], &["李建华"], &["王芳"]]).await;
        let [zhang, li, wang] = [ids[0], ids[1], ids[2]];
        assert_eq!(found(db, "建").await, sorted(&[zhang, li]));
        assert_eq!(found(db, "建国").await, [zhang]);
        assert_eq!(found(db, "张").await, [zhang], "two members, one household");
        assert_eq!(found(db, "芳").await, [wang]);
        assert_eq!(found(db, "小明").await, [zhang], "not only the head");
        assert_eq!(found(db, " 王芳 ").await, [wang], "the query is trimmed");
        assert_eq!(
            found(db, "  ").await.len(),
            3,
            "a blank query does not narrow"
        );
        assert!(found(db, "建军").await.is_empty());
        assert!(found(db, "张建国强").await.is_empty());
        for wildcard in ["%", "_", "张%", "建_"] {
            assert!(
                found(db, wildcard).await.is_empty(),
                "{wildcard:?} is a plain character"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_name_search_follows_the_members_as_they_are_replaced() {
    each_backend(async |db: &TestDb| {
        let ids = registry(db, &[&["张建国", "李秀英"], &["李建华"]]).await;
        let mut tx = db.store.write().await.unwrap();
        let mut row = households::get(&mut tx, ids[0]).await.unwrap().unwrap();
        let version = row.version;
        row.version += 1;
        let renamed = members(row.id, &["张卫东", "李秀英"]);
        assert!(
            households::update(&mut tx, &row, version, Some(&renamed))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(found(db, "建国").await.is_empty());
        assert_eq!(found(db, "卫东").await, [ids[0]]);
        assert_eq!(
            found(db, "秀英").await,
            [ids[0]],
            "a member kept is still found"
        );
        assert_eq!(found(db, "建").await, [ids[1]]);
    })
    .await;
}

#[tokio::test]
async fn latin_letters_are_found_whatever_their_case() {
    each_backend(async |db: &TestDb| {
        let ids = registry(db, &[&["Ayşe Çelik"], &["阿依古丽·AMAN"]]).await;
        assert_eq!(found(db, "ayşe").await, [ids[0]]);
        assert_eq!(found(db, "ÇELIK").await, [ids[0]]);
        assert!(
            found(db, "çelik").await.is_empty(),
            "only ASCII letters fold"
        );
        assert_eq!(found(db, "·aman").await, [ids[1]]);
    })
    .await;
}

#[tokio::test]
async fn households_and_members_are_fetched_many_at_once_in_id_order() {
    each_backend(async |db: &TestDb| {
        let ids = registry(
            db,
            &[
                &["张建国", "张小明", "李秀英"],
                &["李建华"],
                &["王芳", "王强"],
            ],
        )
        .await;
        let unknown = Uuid::now_v7();
        let asked = [ids[2], unknown, ids[0], ids[2]];
        let mut tx = db.store.read().await.unwrap();
        let rows = households::get_many(&mut tx, &asked).await.unwrap();
        let got: Vec<(Uuid, &str)> = rows.iter().map(|r| (r.id, r.head_name.as_str())).collect();
        assert_eq!(
            got,
            [(ids[0], "张建国"), (ids[2], "王芳")],
            "in id order, the unknown id left out, a repeated id once"
        );
        let members = households::members_of(&mut tx, &[ids[2], ids[0], unknown])
            .await
            .unwrap();
        let got: Vec<(Uuid, i64, &str)> = members
            .iter()
            .map(|m| (m.household_id, m.position, m.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (ids[0], 0, "张建国"),
                (ids[0], 1, "张小明"),
                (ids[0], 2, "李秀英"),
                (ids[2], 0, "王芳"),
                (ids[2], 1, "王强"),
            ]
        );
        assert!(households::get_many(&mut tx, &[]).await.unwrap().is_empty());
        assert!(
            households::members_of(&mut tx, &[])
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

async fn suffix_rows(db: &TestDb) -> Vec<String> {
    let household = match db.backend {
        Backend::Sqlite => "hex(household_id)",
        Backend::Postgres => "upper(replace(household_id::text, '-', ''))",
    };
    db.texts(&format!(
        "SELECT suffix || ' ' || {household} FROM member_name_suffix \
         ORDER BY suffix, household_id"
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn the_migration_backfills_the_rows_the_store_writes() {
    each_backend(async |db: &TestDb| {
        registry(
            db,
            &[
                &["张建国", "李建国", "张建国"],
                &["Ali Çelik", "ALI"],
                &["王芳"],
            ],
        )
        .await;
        let written = suffix_rows(db).await;
        assert!(written.len() > 10, "{written:?}");
        let script = match db.backend {
            Backend::Sqlite => include_str!("../migrations/sqlite/0022_member_name_suffix.sql"),
            Backend::Postgres => include_str!("../migrations/postgres/0022_member_name_suffix.sql"),
        };
        let from = script.find("WITH RECURSIVE").unwrap();
        let backfill = &script[from..from + script[from..].find(';').unwrap()];
        db.execute("DELETE FROM member_name_suffix").await.unwrap();
        db.execute(backfill).await.unwrap();
        assert_eq!(suffix_rows(db).await, written);
    })
    .await;
}
