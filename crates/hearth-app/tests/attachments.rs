//! Attachments: the scanned signed consent form of a household, on both databases. Files are
//! checked by content and size, stored sealed in the database, read only by those who may show
//! the household in full, and every upload and download is on the audit log.

use crate::common::{SHANGPAI_OTHER_VILLAGE, SHANGPAI_VILLAGE, audit_log, caller, demo, test_keys};
use crate::households::{approved, complete, officer, register};
use hearth_app::attachments::{MAX_BYTES, Owner, Purpose, Upload};
use hearth_app::{App, AppError, Policy};
use hearth_store::attachments as stored;
use hearth_store::crypto::FieldCipher;
use hearth_store::keys::{Key, KeyRing};
use hearth_store::testing::{TestDb, each_backend};
use uuid::Uuid;

/// A small but real PNG (1×1, grey), with a marker after the image end that must never be
/// found in the database in plain form.
fn png() -> Vec<u8> {
    let mut bytes = vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, b'I', b'D', b'A',
        b'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0xe5, 0x27, 0xde, 0xfc, 0, 0, 0, 0, b'I',
        b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ];
    bytes.extend_from_slice(b"PLAIN-MARKER-PNG-0001");
    bytes
}

/// A minimal PDF whose text carries an ID number, as a scanned form's OCR layer would.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend_from_slice("(签字人 柏青山 340123194106156013 PLAIN-MARKER-PDF)\n".as_bytes());
    bytes.extend((0u8..=255).cycle().take(70_000));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn upload(name: &str, bytes: Vec<u8>) -> Upload {
    Upload {
        filename: name.to_owned(),
        bytes,
    }
}

fn scan(id: Uuid) -> Owner {
    Owner::Household(id)
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> (String, String) {
    match result {
        Err(AppError::Invalid(errors)) if errors.len() == 1 => {
            (errors[0].field().to_owned(), errors[0].code().to_owned())
        }
        other => panic!("expected one refusal naming a field, got {other:?}"),
    }
}

async fn stored_count(db: &TestDb, household: Uuid) -> usize {
    let mut tx = db.store.read().await.unwrap();
    stored::for_owner(&mut tx, "household", household)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn png_and_pdf_scans_round_trip_byte_for_byte() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let household = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1)).await;
        let owner = scan(household.id);

        let png_info = app
            .attach(
                &village,
                owner,
                Purpose::ConsentScan,
                &upload("C:\\扫描\\同意书 第1页.png", png()),
            )
            .await
            .expect("a PNG is accepted");
        assert_eq!(png_info.filename, "同意书 第1页.png");
        assert_eq!(png_info.content_type, "image/png");
        assert_eq!(png_info.size_bytes, png().len() as i64);
        assert_eq!(png_info.purpose, "consent_scan");
        assert_eq!(png_info.owner_type, "household");
        assert_eq!(png_info.owner_id, household.id);
        assert_eq!(png_info.uploaded_by, village.user.display_name);
        assert_eq!(png_info.sha256.len(), 64);

        // Named as anything, typed by content: this PDF arrives as `.bin`.
        let pdf_info = app
            .attach(
                &village,
                owner,
                Purpose::ConsentScan,
                &upload("form.bin", pdf()),
            )
            .await
            .expect("a PDF is accepted");
        assert_eq!(pdf_info.content_type, "application/pdf");
        assert_eq!(pdf_info.filename, "form.bin.pdf");

        for (info, original) in [(&png_info, png()), (&pdf_info, pdf())] {
            let got = app.download_attachment(&village, info.id).await.unwrap();
            assert!(got.bytes == original, "{} differs", info.filename);
            assert_eq!(&got.info, info);
        }
        let listed = app.attachments(&village, owner).await.unwrap();
        assert_eq!(
            listed.iter().map(|a| a.id).collect::<Vec<_>>(),
            [pdf_info.id, png_info.id],
            "newest first"
        );
    })
    .await;
}

#[tokio::test]
async fn files_are_judged_by_content_and_size_and_refusals_name_the_field() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let before = audit_log(db).await.len();
        let html =
            b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";
        let mut too_big = b"%PDF-1.7\n".to_vec();
        too_big.resize(MAX_BYTES + 1, b'0');
        let mut at_limit = too_big.clone();
        at_limit.truncate(MAX_BYTES);

        for (name, bytes, code) in [
            ("同意书.pdf", html.to_vec(), "attachment.type"),
            (
                "scan.png",
                b"GIF89a\x01\x00\x01\x00".to_vec(),
                "attachment.type",
            ),
            ("big.pdf", too_big, "attachment.too_large"),
            ("empty.pdf", Vec::new(), "attachment.empty"),
        ] {
            let refused = app
                .attach(
                    &village,
                    scan(id),
                    Purpose::ConsentScan,
                    &upload(name, bytes),
                )
                .await;
            assert_eq!(
                refusal(refused),
                ("file".to_owned(), code.to_owned()),
                "{name}"
            );
        }
        assert_eq!(stored_count(db, id).await, 0, "nothing refused is stored");
        assert_eq!(audit_log(db).await.len(), before, "nor logged");

        let accepted = app
            .attach(
                &village,
                scan(id),
                Purpose::ConsentScan,
                &upload("a.pdf", at_limit),
            )
            .await
            .expect("exactly 5 MiB is accepted");
        assert_eq!(accepted.size_bytes, MAX_BYTES as i64);
    })
    .await;
}

#[tokio::test]
async fn only_those_who_may_show_details_download_and_only_in_their_scope() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let county = caller(&app, "county").await;
        let auditor = caller(&app, "auditor").await;
        let org = caller(&app, "org").await;
        let neighbour = officer(
            &app,
            "cun_neighbour",
            "village_officer",
            SHANGPAI_OTHER_VILLAGE,
        )
        .await;
        // Approved and consenting, so the organization can see the household itself.
        let id = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let file = app
            .attach(
                &village,
                scan(id),
                Purpose::ConsentScan,
                &upload("s.png", png()),
            )
            .await
            .expect("the village uploads after approval");

        // Whoever may show the household in full downloads: its village, its town, the county.
        for who in [&village, &town, &county] {
            let got = app.download_attachment(who, file.id).await;
            assert!(got.is_ok_and(|d| d.bytes == png()), "{}", who.user.username);
            assert_eq!(app.attachments(who, scan(id)).await.unwrap().len(), 1);
        }
        // The auditor and organizations read masked data only: never a scan.
        for who in [&auditor, &org] {
            let name = who.user.username.to_string();
            assert!(
                matches!(
                    app.download_attachment(who, file.id).await,
                    Err(AppError::Forbidden)
                ),
                "{name}"
            );
            assert!(
                matches!(
                    app.attachments(who, scan(id)).await,
                    Err(AppError::Forbidden)
                ),
                "{name}"
            );
            let upload = app
                .attach(who, scan(id), Purpose::ConsentScan, &upload("x.png", png()))
                .await;
            assert!(
                matches!(upload, Err(AppError::Forbidden)),
                "{name}: {upload:?}"
            );
        }
        // The county may look but does not register households.
        assert!(matches!(
            app.attach(
                &county,
                scan(id),
                Purpose::ConsentScan,
                &upload("x.png", png())
            )
            .await,
            Err(AppError::Forbidden)
        ));
        // Another village's officer: as if neither household nor file existed.
        assert!(matches!(
            app.download_attachment(&neighbour, file.id).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.attachments(&neighbour, scan(id)).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.attach(
                &neighbour,
                scan(id),
                Purpose::ConsentScan,
                &upload("x.png", png())
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            app.download_attachment(&village, Uuid::now_v7()).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(stored_count(db, id).await, 1);
    })
    .await;
}

#[tokio::test]
async fn uploads_and_downloads_are_audited_and_leave_the_household_as_it_was() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let town = caller(&app, "town").await;
        let before = approved(&app, &village, &town, &complete(SHANGPAI_VILLAGE, 1)).await;
        let file = app
            .attach(
                &village,
                scan(before.id),
                Purpose::ConsentScan,
                &upload("s.pdf", pdf()),
            )
            .await
            .unwrap();
        app.download_attachment(&town, file.id).await.unwrap();

        let after = app.household(&village, before.id).await.unwrap();
        assert_eq!(
            (after.status.as_str(), after.version),
            ("approved", before.version)
        );

        let events: Vec<_> = audit_log(db)
            .await
            .into_iter()
            .filter(|e| e.action.starts_with("attachment_"))
            .collect();
        let seen: Vec<(&str, &str, &str)> = events
            .iter()
            .map(|e| {
                (
                    e.action.as_str(),
                    e.actor_name.as_str(),
                    e.record_type.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("attachment_uploaded", "village", "household"),
                ("attachment_downloaded", "town", "household"),
            ]
        );
        for e in &events {
            assert_eq!(e.record_id, before.id.to_string());
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            assert_eq!(detail["attachment"], file.id.to_string());
            assert_eq!(detail["sha256"], file.sha256);
            assert_eq!(detail["content_type"], "application/pdf");
            assert!(!e.detail.contains("s.pdf"), "no file name in the log");
        }
        // The household's history shows both.
        let history = app.household_history(&village, before.id).await.unwrap();
        assert!(history.iter().any(|e| e.action == "attachment_downloaded"));
        let mut tx = db.store.read().await.unwrap();
        let chain = hearth_store::audit::verify(&mut tx).await.unwrap();
        assert_eq!(chain.first_broken, None);
    })
    .await;
}

#[tokio::test]
async fn scans_are_sealed_in_the_database_and_move_with_key_rotation() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let id = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let file = app
            .attach(
                &village,
                scan(id),
                Purpose::ConsentScan,
                &upload("柏青山340123194106156013.pdf", pdf()),
            )
            .await
            .unwrap();
        let sealed = |db: &TestDb| {
            let store = db.store.clone();
            async move {
                let mut tx = store.read().await.unwrap();
                let row = stored::get(&mut tx, file.id).await.unwrap().unwrap();
                let content = stored::content(&mut tx, file.id).await.unwrap().unwrap();
                (row, content)
            }
        };
        let (row, content) = sealed(db).await;
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(!contains(&content, b"PLAIN-MARKER-PDF"));
        assert!(!contains(&content, b"340123194106156013"));
        assert!(!row.filename.contains("340123194106156013"));
        assert_eq!(FieldCipher::key_of(&row.filename), Some("test"));

        // A sealed file moved to another household does not open there.
        let other = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2))
            .await
            .id;
        db.execute(&format!(
            "UPDATE attachment SET owner_id = (SELECT id FROM household WHERE head_name = '{}')",
            other_head(2)
        ))
        .await
        .unwrap();
        assert!(app.download_attachment(&village, file.id).await.is_err());
        assert!(app.attachments(&village, scan(other)).await.is_err());
        db.execute(&format!(
            "UPDATE attachment SET owner_id = (SELECT id FROM household WHERE head_name = '{}')",
            other_head(1)
        ))
        .await
        .unwrap();

        let mut ring = test_keys();
        ring.keys.push(Key {
            id: "second".into(),
            bytes: [9; 32],
        });
        app.reencrypt_all(&FieldCipher::new(ring.clone()))
            .await
            .unwrap();
        let (row, _) = sealed(db).await;
        assert_eq!(FieldCipher::key_of(&row.filename), Some("second"));
        let mut tx = db.store.read().await.unwrap();
        assert_eq!(
            stored::count_sealed_under(&mut tx, "test").await.unwrap(),
            0
        );
        drop(tx);
        // Restarted with only the new key: the scan still opens, byte for byte.
        let after = App::new(db.store.clone(), Policy::default()).with_keys(KeyRing {
            keys: vec![ring.keys[1].clone()],
        });
        let village = caller(&after, "village").await;
        let got = after.download_attachment(&village, file.id).await.unwrap();
        assert!(got.bytes == pdf());
        assert_eq!(got.info.filename, "柏青山340123194106156013.pdf");
    })
    .await;
}

fn other_head(n: u32) -> String {
    crate::households::known(n).head_name
}

#[tokio::test]
async fn purging_a_household_removes_its_scans() {
    each_backend(async |db: &TestDb| {
        let app = demo(db).await;
        let village = caller(&app, "village").await;
        let gone = register(&app, &village, &complete(SHANGPAI_VILLAGE, 1))
            .await
            .id;
        let kept = register(&app, &village, &complete(SHANGPAI_VILLAGE, 2))
            .await
            .id;
        for id in [gone, kept] {
            app.attach(
                &village,
                scan(id),
                Purpose::ConsentScan,
                &upload("s.png", png()),
            )
            .await
            .unwrap();
        }
        db.execute(&format!(
            "UPDATE household SET retain_until = '2020-01-01' WHERE head_name = '{}'",
            other_head(1)
        ))
        .await
        .unwrap();
        assert_eq!(
            app.purge_expired(hearth_app::today())
                .await
                .unwrap()
                .anonymised,
            1
        );
        assert_eq!(stored_count(db, gone).await, 0);
        assert_eq!(stored_count(db, kept).await, 1);
    })
    .await;
}
