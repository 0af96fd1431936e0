//! Scanned consent forms through the real router, on SQLite and PostgreSQL: multipart upload
//! over the API and from the household page (CSRF token in the action URL), refusals by
//! content and size naming the field `file`, downloads that never render in the browser, scope
//! and roles, the audit trail, and the body limit that grows for the upload routes only.

use crate::support::{Client, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_store::testing::each_backend;
use serde_json::{Value, json};

const VILLAGE: &str = "340123100001";
const MIB: usize = 1024 * 1024;
const BOUNDARY: &str = "----HearthTestBoundary7MA4YWxkTrZu0gW";

/// A 1×1 PNG.
pub(crate) fn png() -> Vec<u8> {
    vec![
        0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 10, b'I', b'D', b'A',
        b'T', 0x78, 0x9c, 0x63, 0x60, 0, 0, 0, 2, 0, 1, 0xe5, 0x27, 0xde, 0xfc, 0, 0, 0, 0, b'I',
        b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ]
}

/// A PDF of about 1.5 MiB with every byte value in it.
pub(crate) fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend((0u8..=255).cycle().take(3 * MIB / 2));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

pub(crate) const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>fetch('/api/v1/households')</script></body></html>";

/// A `multipart/form-data` body with one file part named `file`.
pub(crate) fn multipart(filename: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart body as the client: API callers send the CSRF header; `csrf_in_query`
/// puts the token in the URL instead, as the page's form does.
pub(crate) async fn post_file(
    t: &TestApp,
    uri: &str,
    client: &Client,
    csrf_in_header: bool,
    body: Vec<u8>,
) -> Reply {
    let mut builder = Request::builder().method("POST").uri(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(cookie) = &client.cookie {
        builder = builder.header(
            header::COOKIE,
            format!("{}={cookie}", hearth_web::SESSION_COOKIE),
        );
    }
    if let Some(token) = &client.bearer {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if csrf_in_header && let Some(csrf) = &client.csrf {
        builder = builder.header(hearth_web::CSRF_HEADER, csrf);
    }
    t.send(builder.body(Body::from(body)).expect("request"))
        .await
}

async fn upload(t: &TestApp, client: &Client, household: &str, name: &str, bytes: &[u8]) -> Reply {
    post_file(
        t,
        &format!("/api/v1/households/{household}/consent-scans"),
        client,
        true,
        multipart(name, "application/octet-stream", bytes),
    )
    .await
}

fn page_upload_uri(household: &str, csrf: &str) -> String {
    format!(
        "/households/{household}/scans?{}",
        serde_urlencoded::to_string([("_csrf", csrf)]).unwrap_or_default()
    )
}

fn household_body(seq: u32) -> Value {
    let first17 = format!("34012119750307{seq:03}");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    json!({
        "members": [{"name": "吴德明", "id_number": format!("{first17}{check}"), "relation": ""}],
        "address": "示例社区西组3号",
        "village": VILLAGE,
        "phone": "",
        "categories": [{"category": "dibao", "source": "民政系统", "verified_by": "王某某",
                        "verified_on": "2024-03-01", "valid_until": ""}],
        "main_category": "dibao",
        "causes": ["illness"],
        "consent": {"version": "2024版", "signed_on": "2024-11-02",
                    "scopes": ["share_with_organizations"], "signer": "吴德明"},
        "note": "",
    })
}

/// A draft household of the demo village, registered by its officer; its id.
async fn household(t: &TestApp, village: &Client, seq: u32) -> String {
    let reply = t
        .json("POST", "/api/v1/households", village, household_body(seq))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().unwrap_or("").to_owned()
}

pub(crate) fn first_error(reply: &Reply) -> (String, String) {
    let e = &reply.json()["error"];
    (
        e["field"].as_str().unwrap_or("").to_owned(),
        e["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn png_and_pdf_uploads_come_back_byte_for_byte_and_never_as_html() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = household(&t, &village, 1).await;

        for (name, bytes, mime, stored_name) in [
            ("同意书 第1页.png", png(), "image/png", "同意书 第1页.png"),
            ("scan.PDF", pdf(), "application/pdf", "scan.PDF"),
            ("no-extension", pdf(), "application/pdf", "no-extension.pdf"),
        ] {
            let reply = upload(&t, &village, &id, name, &bytes).await;
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{name}: {}",
                reply.text()
            );
            let saved = reply.json();
            assert_eq!(saved["content_type"], mime);
            assert_eq!(saved["filename"], stored_name);
            assert_eq!(saved["size_bytes"], bytes.len());
            assert_eq!(saved["owner_id"], id.as_str());
            assert_eq!(saved["purpose"], "consent_scan");

            let url = saved["download_url"].as_str().unwrap_or("").to_owned();
            let got = t.get(&url, &village).await;
            assert_eq!(got.status, StatusCode::OK, "{name}");
            assert!(got.body == bytes, "{name}: the bytes differ");
            let h = |k: header::HeaderName| {
                got.headers
                    .get(k)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            assert_eq!(h(header::CONTENT_TYPE), mime);
            assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            assert_eq!(h(header::CACHE_CONTROL), "no-store");
            let disposition = h(header::CONTENT_DISPOSITION);
            assert!(disposition.starts_with("attachment; "), "{disposition}");
            assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
            if name.starts_with("同意书") {
                assert!(
                    disposition.ends_with(
                        "filename*=UTF-8''%E5%90%8C%E6%84%8F%E4%B9%A6%20%E7%AC%AC1%E9%A1%B5.png"
                    ),
                    "{disposition}"
                );
            }
            // The page route hands out the same file the same way.
            let page = t.get(&url.replace("/api/v1", ""), &village).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body == bytes);
            assert!(
                page.headers[header::CONTENT_DISPOSITION]
                    .to_str()
                    .is_ok_and(|d| d.starts_with("attachment; "))
            );
        }
        let listed = t
            .get(&format!("/api/v1/households/{id}/consent-scans"), &village)
            .await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.json().as_array().map(Vec::len), Some(3));
    })
    .await;
}

#[tokio::test]
async fn html_renamed_pdf_and_oversized_files_are_refused_naming_the_field() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = household(&t, &village, 1).await;

        let html = upload(&t, &village, &id, "同意书.pdf", HTML).await;
        assert_eq!(
            html.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            html.text()
        );
        assert_eq!(
            first_error(&html),
            ("file".to_owned(), "attachment.type".to_owned())
        );
        let error = &html.json()["error"];
        assert!(
            error["message_zh"]
                .as_str()
                .is_some_and(|m| m.contains("PDF"))
        );
        assert!(
            error["message_en"]
                .as_str()
                .is_some_and(|m| m.contains("PDF"))
        );

        let mut over = b"%PDF-1.7\n".to_vec();
        over.resize(5 * MIB + 1, b'0');
        let big = upload(&t, &village, &id, "big.pdf", &over).await;
        assert_eq!(
            big.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            big.text()
        );
        assert_eq!(
            first_error(&big),
            ("file".to_owned(), "attachment.too_large".to_owned())
        );
        let message = big.json()["error"]["message_en"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(message.contains("5 MiB"), "{message}");
        // Far past the limit: refused the same way, not read to the end.
        over.resize(9 * MIB, b'0');
        let huge = upload(&t, &village, &id, "huge.pdf", &over).await;
        assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&huge).1, "attachment.too_large");

        // Not multipart, or no file in it.
        let json = t
            .json(
                "POST",
                &format!("/api/v1/households/{id}/consent-scans"),
                &village,
                json!({"file": "x"}),
            )
            .await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(first_error(&json).0, "file");
        let blank = post_file(
            &t,
            &format!("/api/v1/households/{id}/consent-scans"),
            &village,
            true,
            multipart("", "application/octet-stream", b""),
        )
        .await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            first_error(&blank),
            ("file".to_owned(), "attachment.missing".to_owned())
        );

        let listed = t
            .get(&format!("/api/v1/households/{id}/consent-scans"), &village)
            .await;
        assert_eq!(listed.json(), json!([]), "nothing refused was stored");
    })
    .await;
}

#[tokio::test]
async fn the_larger_body_limit_is_for_the_upload_routes_only() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = household(&t, &village, 1).await;
        // 4.5 MiB: over the router's 2 MiB, under the upload limit.
        let mut file = b"%PDF-1.7\n".to_vec();
        file.resize(9 * MIB / 2, b'1');
        let stored = upload(&t, &village, &id, "big-but-fine.pdf", &file).await;
        assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());

        // The same size anywhere else is still refused by the 2 MiB limit.
        let mut body = household_body(2);
        body["note"] = json!("x".repeat(3 * MIB));
        let elsewhere = t.json("POST", "/api/v1/households", &village, body).await;
        assert_eq!(elsewhere.status, StatusCode::PAYLOAD_TOO_LARGE);
    })
    .await;
}

#[tokio::test]
async fn auditors_organizations_and_other_villages_get_no_scan() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let id = household(&t, &village, 1).await;
        let saved = upload(&t, &village, &id, "s.png", &png()).await;
        assert_eq!(saved.status, StatusCode::CREATED);
        let file = saved.json()["id"].as_str().unwrap_or("").to_owned();
        let download = format!("/api/v1/attachments/{file}");
        let list = format!("/api/v1/households/{id}/consent-scans");

        // The town reviews it and may see the scan.
        assert_eq!(t.get(&download, &town).await.status, StatusCode::OK);

        for name in ["auditor", "org"] {
            let who = t.sign_in(name).await;
            assert_eq!(
                t.get(&download, &who).await.status,
                StatusCode::FORBIDDEN,
                "{name}"
            );
            assert_eq!(
                t.get(&list, &who).await.status,
                StatusCode::FORBIDDEN,
                "{name}"
            );
            let page = t.get(&format!("/attachments/{file}"), &who).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{name}");
            assert!(page.body != png());
            let tried = upload(&t, &who, &id, "x.png", &png()).await;
            assert_eq!(tried.status, StatusCode::FORBIDDEN, "{name}");
        }

        // 上派镇's other example village: its officer does not learn the scan exists.
        let neighbour = t.sign_in("cun100200").await;
        for reply in [
            t.get(&download, &neighbour).await,
            t.get(&list, &neighbour).await,
            t.get(&format!("/attachments/{file}"), &neighbour).await,
            upload(&t, &neighbour, &id, "x.png", &png()).await,
        ] {
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
        }
        assert_eq!(
            t.get("/api/v1/attachments/not-an-id", &village)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&download, &Client::default()).await.status,
            StatusCode::UNAUTHORIZED
        );
    })
    .await;
}

#[tokio::test]
async fn every_upload_and_download_is_in_the_household_history() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let town = t.sign_in("town").await;
        let id = household(&t, &village, 1).await;
        let saved = upload(&t, &village, &id, "s.png", &png()).await.json();
        let url = saved["download_url"].as_str().unwrap_or("").to_owned();
        assert_eq!(t.get(&url, &town).await.status, StatusCode::OK);
        assert_eq!(t.get(&url, &village).await.status, StatusCode::OK);

        let history = t
            .get(&format!("/api/v1/households/{id}/history"), &village)
            .await
            .json();
        let events: Vec<(String, String)> = history
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|e| {
                e["action"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("attachment_"))
            })
            .map(|e| {
                assert_eq!(e["detail"]["attachment"], saved["id"]);
                (
                    e["action"].as_str().unwrap_or("").to_owned(),
                    e["actor"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("attachment_uploaded", "village"),
            ("attachment_downloaded", "town"),
            ("attachment_downloaded", "village"),
        ]
        .iter()
        .map(|(a, w)| ((*a).to_owned(), (*w).to_owned()))
        .collect();
        assert_eq!(events, expected);
        // The page names the actions in the reader's language.
        let page = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(page.contains("下载附件") && page.contains("上传附件"));
    })
    .await;
}

#[tokio::test]
async fn the_household_page_uploads_and_links_the_scan() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let csrf = village.csrf.clone().unwrap_or_default();
        let id = household(&t, &village, 1).await;

        let page = t.get(&format!("/households/{id}"), &village).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("enctype=\"multipart/form-data\""),
            "an upload form"
        );
        assert!(
            html.contains(&page_upload_uri(&id, &csrf)),
            "posting with the token"
        );
        assert!(html.contains("尚未上传扫描件"));

        // A forged upload (no token, or a wrong one) is refused before it is read.
        for uri in [
            format!("/households/{id}/scans"),
            page_upload_uri(&id, "not-the-token"),
        ] {
            let forged = post_file(
                &t,
                &uri,
                &village,
                false,
                multipart("s.png", "image/png", &png()),
            )
            .await;
            assert_eq!(forged.status, StatusCode::FORBIDDEN, "{uri}");
        }
        // The token is accepted in the query only for multipart bodies.
        let form = t
            .send(
                Request::builder()
                    .method("POST")
                    .uri(format!("/households/{id}/submit?_csrf={csrf}"))
                    .header(
                        header::COOKIE,
                        format!(
                            "{}={}",
                            hearth_web::SESSION_COOKIE,
                            village.cookie.clone().unwrap_or_default()
                        ),
                    )
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("x=1"))
                    .expect("request"),
            )
            .await;
        assert_eq!(form.status, StatusCode::FORBIDDEN);

        // A refused file: the page again, with the reason beside the input.
        let refused = post_file(
            &t,
            &page_upload_uri(&id, &csrf),
            &village,
            false,
            multipart("同意书.pdf", "application/pdf", HTML),
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
            &page_upload_uri(&id, &csrf),
            &village,
            false,
            multipart("同意书.png", "image/png", &png()),
        )
        .await;
        assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.text());
        let next = stored.headers[header::LOCATION]
            .to_str()
            .unwrap_or("")
            .to_owned();
        assert_eq!(next, format!("/households/{id}/scans?notice=uploaded"));
        let scans = t.get(&next, &village).await;
        assert_eq!(scans.status, StatusCode::OK);
        assert!(scans.text().contains("扫描件已上传"));

        let listed = t
            .get(&format!("/api/v1/households/{id}/consent-scans"), &village)
            .await
            .json();
        let file = listed[0]["id"].as_str().unwrap_or("").to_owned();
        let link = format!("href=\"/attachments/{file}\"");
        let detail = t.get(&format!("/households/{id}"), &village).await.text();
        assert!(detail.contains(&link), "the household page links the scan");
        assert!(detail.contains("同意书.png"));

        // The county sees the link but no upload form; the auditor sees neither.
        let county = t.sign_in("county").await;
        let html = t.get(&format!("/households/{id}"), &county).await.text();
        assert!(html.contains(&link) && !html.contains("multipart/form-data"));
        let auditor = t.sign_in("auditor").await;
        let html = t.get(&format!("/households/{id}"), &auditor).await.text();
        assert!(!html.contains("/attachments/") && !html.contains("multipart/form-data"));
        assert!(!html.contains("同意书.png"));
    })
    .await;
}

#[tokio::test]
async fn scripts_with_a_token_upload_without_csrf() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let village = t.sign_in("village").await;
        let id = household(&t, &village, 1).await;
        let token = t
            .json(
                "POST",
                "/api/v1/tokens",
                &village,
                json!({"name": "scanner", "valid_days": 30}),
            )
            .await;
        assert_eq!(token.status, StatusCode::CREATED, "{}", token.text());
        let script = Client {
            bearer: token.json()["secret"].as_str().map(str::to_owned),
            ..Client::default()
        };
        let reply = post_file(
            &t,
            &format!("/api/v1/households/{id}/consent-scans"),
            &script,
            false,
            multipart("scan.png", "image/png", &png()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    })
    .await;
}
