//! Ledger rows: appended records read back exactly, in order, with the query columns copied
//! out of them; the head moves with them; the database refuses to change or remove a row.

use chrono::NaiveDate;
use hearth_core::campaign::{CampaignProfile, CampaignStatus};
use hearth_core::ledger::{
    EntryDraft, Header, Journal, Location, MovementDraft, MovementKind, Record,
};
use hearth_core::{AreaCode, Fen};
use hearth_store::campaigns::{self, Campaign};
use hearth_store::ledger;
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

async fn campaign(db: &TestDb) -> Uuid {
    let now = hearth_store::now();
    let day = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    let campaign = Campaign {
        id: Uuid::now_v7(),
        profile: CampaignProfile {
            code: "2024-NDXD-S".into(),
            name: "2024年暖冬行动（存储测试）".into(),
            year: 2024,
            starts_on: day,
            ends_on: NaiveDate::from_ymd_opt(2025, 2, 28).unwrap(),
            focus_fields: Vec::new(),
            target_households: 10,
            target_cash: Fen::from_yuan(10_000),
            target_items: 50,
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

/// A receipt of 8 quilts at 三河镇's station and the entry booking its value.
fn receipt(campaign: Uuid) -> Vec<(Record, String)> {
    let header = Header {
        source: Some(Uuid::from_u128(42)),
        summary: "棉被入库".into(),
        ..Header::new(NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(), campaign)
    };
    let station = Location::site(AreaCode::parse("340123101").unwrap()).unwrap();
    let movement = MovementDraft::inbound(
        header.clone(),
        MovementKind::Receipt,
        station,
        "quilt",
        8,
        Fen::new(2_400),
    );
    let mut journal = Journal::new();
    let (movement, m) = journal.move_stock(movement).unwrap();
    let (entry, e) = journal
        .post(EntryDraft::donation_in_kind(header, Fen::new(2_400)))
        .unwrap();
    vec![(Record::Movement(movement), m), (Record::Entry(entry), e)]
}

#[tokio::test]
async fn records_read_back_in_order_and_rows_never_change() {
    each_backend(async |db| {
        let records = receipt(campaign(db).await);
        let mut tx = db.store.write().await.unwrap();
        assert_eq!(ledger::lock_head(&mut tx).await.unwrap().seq, 0);
        ledger::append(&mut tx, &records).await.unwrap();
        let head = hearth_core::ledger::Head {
            seq: 2,
            digest: records[1].1.clone(),
        };
        ledger::set_head(&mut tx, &head).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        assert_eq!(ledger::head(&mut tx).await.unwrap(), head);
        assert_eq!(
            ledger::records_between(&mut tx, 0, 2).await.unwrap(),
            records
        );
        assert_eq!(
            ledger::records_between(&mut tx, 1, 2).await.unwrap(),
            records[1..]
        );
        drop(tx);
        let columns = db
            .texts(
                "SELECT record_type || ' ' || kind || ' ' || booked_on || ' ' || \
                 COALESCE(to_location, '-') || ' ' || CAST(amount_fen AS TEXT) \
                 FROM ledger_record ORDER BY seq",
            )
            .await
            .unwrap();
        assert_eq!(
            columns,
            [
                "movement receipt 2024-12-20 site:340123101000 2400",
                "entry donation_in_kind 2024-12-20 - 2400"
            ]
        );

        for sql in [
            "UPDATE ledger_record SET amount_fen = 1 WHERE seq = 1",
            "DELETE FROM ledger_record WHERE seq = 2",
        ] {
            let refused = db.execute(sql).await.expect_err(sql).to_string();
            assert!(refused.contains("append-only"), "{sql}: {refused}");
        }
        assert_eq!(
            db.texts("SELECT body FROM ledger_record")
                .await
                .unwrap()
                .len(),
            2
        );
    })
    .await;
}
