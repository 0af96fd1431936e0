//! The signed letter (签署件) through the real router, on SQLite and PostgreSQL: the
//! organization files the scan of its signed pledge over the API and from the letter's page,
//! files are judged by their content, drafts and cancelled letters take none, other
//! organizations do not learn the letter exists, the county downloads it and the audit log
//! shows the download.

use crate::attachments::{HTML, first_error, multipart, pdf, png, post_file};
use crate::support::{Client, Reply, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::json;

/// A draft pledge of `org` for one item need it claims in 上派镇; its id.
async fn draft(t: &TestApp, org: &Client) -> String {
    let sheet = t
        .get(
            "/api/v1/needs/claim-sheet?page_size=100&kind=item&town=340123100000",
            org,
        )
        .await
        .json();
    let need = sheet["items"][0]["id"]
        .as_str()
        .expect("an open item need in 上派镇")
        .to_owned();
    let claimed = t
        .json(
            "POST",
            &format!("/api/v1/needs/{need}/claim"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.text());
    let deadline = (hearth_app::today() + chrono::Days::new(30)).to_string();
    let body = json!({"needs": [need], "campaign": hearth_app::demo::DEMO_CAMPAIGN,
        "mode": "one_to_one", "deadline": deadline,
        "witness_town": "上派镇", "witness_village": "示例村"});
    let created = t.json("POST", "/api/v1/pledges", org, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()["id"].as_str().expect("id").to_owned()
}

async fn sign(t: &TestApp, org: &Client, pledge: &str) {
    let signed = t
        .json(
            "POST",
            &format!("/api/v1/pledges/{pledge}/sign"),
            org,
            json!({}),
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text());
}

async fn upload(t: &TestApp, who: &Client, pledge: &str, name: &str, bytes: &[u8]) -> Reply {
    post_file(
        t,
        &format!("/api/v1/pledges/{pledge}/signed-letters"),
        who,
        true,
        multipart(name, "application/pdf", bytes),
    )
    .await
}

fn page_upload_uri(pledge: &str, csrf: &str) -> String {
    format!(
        "/pledges/{pledge}/scans?{}",
        serde_urlencoded::to_string([("_csrf", csrf)]).unwrap_or_default()
    )
}

#[tokio::test]
async fn the_organization_files_its_signed_letter_and_the_county_downloads_it() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let pledge = draft(&t, &org).await;

        let early = upload(&t, &org, &pledge, "签署件.pdf", &pdf()).await;
        assert_eq!(
            early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            early.text()
        );
        assert_eq!(
            first_error(&early),
            ("status".to_owned(), "pledge_scan.unsigned".to_owned()),
            "a draft takes no signed letter"
        );

        sign(&t, &org, &pledge).await;
        let letter = pdf();
        let stored = upload(&t, &org, &pledge, "承诺书 签署件.pdf", &letter).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
        let saved = stored.json();
        assert_eq!(
            (&saved["owner_type"], &saved["purpose"]),
            (&json!("pledge"), &json!("signed_letter"))
        );
        assert_eq!(saved["content_type"], "application/pdf");
        assert_eq!(saved["size_bytes"], letter.len());

        // A PNG named .pdf is taken as the PNG it is; a web page named .pdf is refused.
        let photo = upload(&t, &org, &pledge, "盖章页.pdf", &png()).await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text());
        assert_eq!(photo.json()["content_type"], "image/png");
        assert_eq!(photo.json()["filename"], "盖章页.pdf.png");
        let page = upload(&t, &org, &pledge, "签署件.pdf", HTML).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&page),
            ("file".to_owned(), "attachment.type".to_owned())
        );
        let reason = page.json()["error"]["message_zh"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(reason.contains("只接受PDF、JPEG或PNG文件"), "{reason}");

        let list = format!("/api/v1/pledges/{pledge}/signed-letters");
        let listed = t.get(&list, &org).await.json();
        assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");

        // Another organization does not learn the letter exists.
        let other = t.sign_in("org2").await;
        let download = format!("/api/v1/attachments/{}", saved["id"].as_str().unwrap_or(""));
        for reply in [
            t.get(&list, &other).await,
            t.get(&download, &other).await,
            upload(&t, &other, &pledge, "x.pdf", &pdf()).await,
        ] {
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
        }

        // The county reads the letter, and downloads it exactly as filed, never to display.
        let county = t.sign_in("county").await;
        let got = t.get(&download, &county).await;
        assert_eq!(got.status, StatusCode::OK);
        assert!(got.body == letter, "the bytes differ");
        assert_eq!(got.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(
            got.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .is_ok_and(|d| d.starts_with("attachment; "))
        );
        let refused = upload(&t, &county, &pledge, "x.pdf", &pdf()).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "the county reads, the signers and witnesses file"
        );

        // The download is on the audit log, against the pledge.
        let auditor = t.sign_in("auditor").await;
        let audit = t.get("/audit?size=10", &auditor).await.text();
        let downloaded = audit
            .split("</tr>")
            .find(|row| row.contains("下载附件"))
            .unwrap_or("")
            .to_owned();
        assert!(
            downloaded.contains("结对帮扶承诺书")
                && downloaded.contains(&format!("/pledges/{pledge}")),
            "{audit}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_letter_page_takes_the_scan_and_shows_a_refusal_beside_the_input() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let csrf = org.csrf.clone().unwrap_or_default();
        let pledge = draft(&t, &org).await;

        let draft_page = t.get(&format!("/pledges/{pledge}"), &org).await.text();
        assert!(draft_page.contains("签署件") && draft_page.contains("承诺书签署后"));
        assert!(
            !draft_page.contains("multipart/form-data"),
            "no upload before signing"
        );

        sign(&t, &org, &pledge).await;
        let signed_page = t.get(&format!("/pledges/{pledge}"), &org).await.text();
        assert!(signed_page.contains("尚未上传签署件"));
        assert!(
            signed_page.contains(&page_upload_uri(&pledge, &csrf)),
            "the form posts with the token in its address"
        );

        let refused = post_file(
            &t,
            &page_upload_uri(&pledge, &csrf),
            &org,
            false,
            multipart("签署件.pdf", "application/pdf", HTML),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text();
        assert!(
            html.contains("field-error") && html.contains("只接受PDF、JPEG或PNG文件"),
            "{html}"
        );

        let stored = post_file(
            &t,
            &page_upload_uri(&pledge, &csrf),
            &org,
            false,
            multipart("签署件.png", "image/png", &png()),
        )
        .await;
        assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.text());
        let next = stored.headers[header::LOCATION]
            .to_str()
            .unwrap_or("")
            .to_owned();
        assert_eq!(next, format!("/pledges/{pledge}/scans?notice=uploaded"));
        assert!(t.get(&next, &org).await.text().contains("签署件已上传"));

        let listed = t
            .get(&format!("/api/v1/pledges/{pledge}/signed-letters"), &org)
            .await
            .json();
        let link = format!(
            "href=\"/attachments/{}\"",
            listed[0]["id"].as_str().unwrap_or("")
        );
        let county = t.sign_in("county").await;
        let seen = t.get(&format!("/pledges/{pledge}"), &county).await.text();
        assert!(seen.contains(&link) && seen.contains("签署件.png"));
        assert!(
            !seen.contains("multipart/form-data"),
            "the county only reads"
        );
        // The witnessing town may file a scan too.
        let town = t.sign_in("town").await;
        let witness = t.get(&format!("/pledges/{pledge}"), &town).await.text();
        assert!(witness.contains(&link) && witness.contains("multipart/form-data"));
        let filed = upload(&t, &town, &pledge, "乡镇联.pdf", &pdf()).await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text());
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_letter_takes_no_scan() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let org = t.sign_in("org").await;
        let pledge = draft(&t, &org).await;
        sign(&t, &org, &pledge).await;
        let cancelled = t
            .json(
                "POST",
                &format!("/api/v1/pledges/{pledge}/cancel"),
                &org,
                json!({"reason": "受助户已搬迁（演示）"}),
            )
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text());
        let late = upload(&t, &org, &pledge, "签署件.pdf", &pdf()).await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&late).1, "pledge_scan.unsigned");
        let page = t.get(&format!("/pledges/{pledge}"), &org).await.text();
        assert!(!page.contains("multipart/form-data"));
    })
    .await;
}
