//! The ledger in the database, on both engines: posting, refusals, tampering, concurrency.

use super::*;
use chrono::NaiveDate;
use hearth_core::campaign::{CampaignProfile, CampaignStatus};
use hearth_core::ledger::{Header, Location, MovementKind};
use hearth_core::{AreaCode, Fen};
use hearth_store::campaigns::{self, Campaign};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

use crate::Policy;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
}

async fn campaign(db: &TestDb) -> Uuid {
    let now = hearth_store::now();
    let campaign = Campaign {
        id: Uuid::now_v7(),
        profile: CampaignProfile {
            code: "2024-NDXD-T".into(),
            name: "2024年暖冬行动（测试）".into(),
            year: 2024,
            starts_on: day(),
            ends_on: NaiveDate::from_ymd_opt(2025, 2, 28).unwrap(),
            focus_fields: Vec::new(),
            target_households: 100,
            target_cash: Fen::from_yuan(100_000),
            target_items: 500,
            arrangements: String::new(),
        },
        status: CampaignStatus::Launched,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut tx = db.store.write().await.unwrap();
    campaigns::insert(&mut tx, &campaign).await.unwrap();
    tx.commit().await.unwrap();
    campaign.id
}

fn app(db: &TestDb) -> App {
    App::new(db.store.clone(), Policy::default())
}

fn header(campaign: Uuid, summary: &str) -> Header {
    Header {
        summary: summary.into(),
        ..Header::new(day(), campaign)
    }
}

/// 三河镇's station.
fn station() -> Location {
    Location::site(AreaCode::parse("340123101").unwrap()).unwrap()
}

fn gift(campaign: Uuid, fen: i64) -> Vec<Draft> {
    let entry = EntryDraft::donation_cash(header(campaign, "爱心企业捐款"), Fen::new(fen));
    vec![Draft::Entry(entry)]
}

/// Goods arriving at the station and the entry booking their value.
fn arrival(campaign: Uuid, kind: MovementKind, quantity: i64, fen: i64) -> Vec<Draft> {
    let header = header(campaign, "棉被入库");
    let movement = MovementDraft::inbound(
        header.clone(),
        kind,
        station(),
        "quilt",
        quantity,
        Fen::new(fen),
    );
    let entry = EntryDraft::booking(header, std::slice::from_ref(&movement)).unwrap();
    [Draft::Movement(movement)]
        .into_iter()
        .chain(entry.map(Draft::Entry))
        .collect()
}

/// Quilts handed from the station to a household, valued by the stock book at the locked head.
fn handing(campaign: Uuid, quantity: i64) -> impl FnOnce(&Journal) -> Result<Vec<Draft>> {
    move |journal| {
        let header = Header {
            household: Some(Uuid::now_v7()),
            ..header(campaign, "发放棉被")
        };
        let book = journal.stock(campaign);
        let movement = book.distribution(header.clone(), station(), "quilt", quantity)?;
        let entry = EntryDraft::booking(header, std::slice::from_ref(&movement))?;
        Ok([Draft::Movement(movement)]
            .into_iter()
            .chain(entry.map(Draft::Entry))
            .collect())
    }
}

async fn post(app: &App, drafts: Vec<Draft>) -> Result<Vec<Record>> {
    let mut tx = app.store().write().await?;
    let records = app.post_to_ledger(&mut tx, drafts).await?;
    tx.commit().await?;
    Ok(records)
}

async fn hand_out(app: &App, campaign: Uuid, quantity: i64) -> Result<Vec<Record>> {
    let mut tx = app.store().write().await?;
    let records = app
        .post_to_ledger_with(&mut tx, handing(campaign, quantity))
        .await?;
    tx.commit().await?;
    Ok(records)
}

async fn quilts_on_hand(app: &App, campaign: Uuid) -> i64 {
    let mut tx = app.store().read().await.unwrap();
    let journal = app.journal(&mut tx).await.unwrap();
    journal.stock(campaign).on_hand(&station(), "quilt")
}

async fn verify(app: &App) -> LedgerVerification {
    app.verify_ledger(Operator::Console).await.unwrap()
}

fn refusal(result: Result<Vec<Record>>) -> Invalid {
    match result {
        Err(AppError::Invalid(mut errors)) if errors.len() == 1 => errors.remove(0),
        other => panic!("expected one refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn posting_in_order_moves_the_head_and_the_chain_replays() {
    each_backend(async |db| {
        let (app, campaign) = (app(db), campaign(db).await);
        assert_eq!(app.ledger_head().await.unwrap(), Head::default());
        let empty = verify(&app).await;
        assert!(empty.is_sound() && empty.records == 0, "{empty:?}");

        let mut seqs = Vec::new();
        for drafts in [
            gift(campaign, 100_000),
            arrival(campaign, MovementKind::Purchase, 10, 30_000),
            arrival(campaign, MovementKind::Receipt, 20, 2_000),
        ] {
            let records = post(&app, drafts).await.unwrap();
            seqs.extend(records.iter().map(Record::seq));
            let head = app.ledger_head().await.unwrap();
            assert_eq!(
                head.seq,
                *seqs.last().unwrap(),
                "the head follows each post"
            );
        }
        seqs.extend(
            hand_out(&app, campaign, 1)
                .await
                .unwrap()
                .iter()
                .map(Record::seq),
        );
        assert_eq!(seqs, (1..=7).collect::<Vec<i64>>());

        let report = verify(&app).await;
        assert!(report.is_sound(), "{report:?}");
        assert_eq!(report.records, 7);
        assert_eq!(report.head, app.ledger_head().await.unwrap());
        assert_eq!(quilts_on_hand(&app, campaign).await, 29);
        let kinds = db
            .texts("SELECT kind FROM ledger_record ORDER BY seq")
            .await
            .unwrap();
        assert_eq!(
            kinds,
            [
                "donation_cash",
                "purchase",
                "purchase",
                "receipt",
                "donation_in_kind",
                "distribution",
                "distribution"
            ]
        );

        // Another server, starting with nothing in memory, reads the same journal.
        let (mut a, mut b) = (
            db.store.read().await.unwrap(),
            db.store.read().await.unwrap(),
        );
        let other = App::new(db.store.clone(), Policy::default());
        assert_eq!(
            app.journal(&mut a).await.unwrap(),
            other.journal(&mut b).await.unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn a_shortfall_is_refused_naming_what_is_available_and_nothing_is_appended() {
    each_backend(async |db| {
        let (app, campaign) = (app(db), campaign(db).await);
        post(&app, arrival(campaign, MovementKind::Receipt, 2, 600))
            .await
            .unwrap();
        let head = app.ledger_head().await.unwrap();

        let too_many = MovementDraft {
            kind: MovementKind::Distribution,
            from: Some(station()),
            to: None,
            header: Header {
                household: Some(Uuid::now_v7()),
                ..header(campaign, "发放棉被")
            },
            ..MovementDraft::inbound(
                header(campaign, ""),
                MovementKind::Receipt,
                station(),
                "quilt",
                3,
                Fen::new(600),
            )
        };
        let refused = refusal(post(&app, vec![Draft::Movement(too_many.clone())]).await);
        assert_eq!(
            (refused.field(), refused.code()),
            ("quantity", "ledger.stock.insufficient")
        );
        assert!(refused.0.args.contains(&("available", "2".to_owned())));

        // A batch whose second record is refused appends nothing, even if the caller commits.
        let mut tx = app.store().write().await.unwrap();
        let one = handing(campaign, 1)(&app.journal(&mut tx).await.unwrap()).unwrap();
        let batch = one.into_iter().chain([Draft::Movement(too_many)]).collect();
        assert!(app.post_to_ledger(&mut tx, batch).await.is_err());
        tx.commit().await.unwrap();
        assert_eq!(app.ledger_head().await.unwrap(), head);
        assert_eq!(
            db.texts("SELECT digest FROM ledger_record")
                .await
                .unwrap()
                .len(),
            2
        );

        hand_out(&app, campaign, 2).await.unwrap();
        assert_eq!(quilts_on_hand(&app, campaign).await, 0);
        let report = verify(&app).await;
        assert!(report.is_sound(), "{report:?}");
        assert_eq!(report.records, 4);
    })
    .await;
}

fn drop_trigger(db: &TestDb, name: &str) -> String {
    match db.backend {
        hearth_store::Backend::Sqlite => format!("DROP TRIGGER {name}"),
        hearth_store::Backend::Postgres => format!("DROP TRIGGER {name} ON ledger_record"),
    }
}

#[tokio::test]
async fn a_record_altered_in_the_database_fails_verification_at_its_seq() {
    each_backend(async |db| {
        let (app, campaign) = (app(db), campaign(db).await);
        post(&app, gift(campaign, 50_000)).await.unwrap();
        post(&app, arrival(campaign, MovementKind::Receipt, 20, 2_000))
            .await
            .unwrap();
        post(&app, gift(campaign, 13_000_050)).await.unwrap();
        post(&app, gift(campaign, 70_000)).await.unwrap();
        let digests = db
            .texts("SELECT digest FROM ledger_record ORDER BY seq")
            .await
            .unwrap();

        let edit =
            "UPDATE ledger_record SET body = REPLACE(body, '13000050', '13000051') WHERE seq = 4";
        assert!(db.execute(edit).await.is_err(), "the trigger refuses");
        assert!(verify(&app).await.is_sound());
        db.execute(&drop_trigger(db, "ledger_record_no_update"))
            .await
            .unwrap();
        assert_eq!(db.execute(edit).await.unwrap(), 1);

        let report = verify(&app).await;
        let broken = report.broken.clone().expect("the edit is found");
        assert_eq!(broken.seq, 4);
        let Problem::Chain { found, .. } = broken.problem else {
            panic!("a chain mismatch: {report:?}")
        };
        assert_eq!(found, digests[3]);
        assert_eq!(report.records, 3);
        assert_eq!(report.head.digest, digests[2]);

        let restarted = App::new(db.store.clone(), Policy::default());
        let refused = post(&restarted, gift(campaign, 100)).await;
        assert!(
            matches!(refused, Err(AppError::Store(StoreError::Corrupt(_)))),
            "a server that replays the altered ledger posts nothing onto it: {refused:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_record_cut_off_the_end_or_unreadable_is_found() {
    each_backend(async |db| {
        let (app, campaign) = (app(db), campaign(db).await);
        for fen in [100, 200, 300] {
            post(&app, gift(campaign, fen)).await.unwrap();
        }
        assert!(
            db.execute("DELETE FROM ledger_record WHERE seq = 3")
                .await
                .is_err()
        );
        let name = match db.backend {
            hearth_store::Backend::Sqlite => "ledger_record_no_delete",
            hearth_store::Backend::Postgres => "ledger_record_no_update",
        };
        db.execute(&drop_trigger(db, name)).await.unwrap();
        db.execute("DELETE FROM ledger_record WHERE seq = 3")
            .await
            .unwrap();

        let report = verify(&app).await;
        let broken = report.broken.expect("the missing record is found");
        assert_eq!((broken.seq, report.records), (3, 2));
        assert!(matches!(broken.problem, Problem::Head { stored, reached: 2 } if stored.seq == 3));

        if db.backend == hearth_store::Backend::Sqlite {
            let update = drop_trigger(db, "ledger_record_no_update");
            db.execute(&update).await.unwrap();
        }
        db.execute("UPDATE ledger_record SET body = '{\"record\":\"entry\"}' WHERE seq = 2")
            .await
            .unwrap();
        let report = verify(&app).await;
        let broken = report.broken.expect("the unreadable record is found");
        assert_eq!((broken.seq, report.records), (2, 1));
        assert!(matches!(broken.problem, Problem::Unreadable { .. }));
    })
    .await;
}

#[tokio::test]
async fn concurrent_distributions_never_take_more_than_is_on_hand() {
    each_backend(async |db| {
        let campaign = campaign(db).await;
        // Two servers on one database, each with its own journal in memory.
        let servers = [app(db), app(db)];
        post(
            &servers[0],
            arrival(campaign, MovementKind::Receipt, 20, 2_000),
        )
        .await
        .unwrap();
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let app = servers[i % 2].clone();
                tokio::spawn(async move { hand_out(&app, campaign, 1).await })
            })
            .collect();
        let mut handed = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => handed += 1,
                Err(AppError::Invalid(errors)) => {
                    assert_eq!(errors[0].code(), "ledger.stock.insufficient");
                    assert!(errors[0].0.args.contains(&("available", "0".to_owned())));
                }
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(handed, 20);
        for server in &servers {
            assert_eq!(quilts_on_hand(server, campaign).await, 0);
        }
        let report = verify(&servers[1]).await;
        assert!(report.is_sound(), "{report:?}");
        assert_eq!(report.records, 2 + 2 * 20);
    })
    .await;
}
