use crate::support::{Client, PASSWORD, TestApp};
use axum::http::{StatusCode, header};
use hearth_store::testing::each_backend;

/// Signs in through the login form as a browser does: the page's CSRF cookie and field.
async fn browser_sign_in(t: &TestApp, username: &str, password: &str) -> crate::support::Reply {
    let page = t.get("/login", &Client::default()).await;
    let csrf_cookie = page
        .cookie("hearth_login_csrf")
        .expect("the login page sets its CSRF cookie");
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("_csrf", csrf_cookie.as_str()),
    ])
    .expect("form");
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("hearth_login_csrf={csrf_cookie}"))
        .body(axum::body::Body::from(body))
        .expect("request");
    t.send(request).await
}

#[tokio::test]
async fn the_login_page_speaks_chinese_and_shows_demo_accounts_in_demo_mode() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let page = t.get("/login", &Client::default()).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("登录"), "Chinese by default");
        assert!(
            html.contains("hearth-demo") && html.contains("sysadmin"),
            "demo sign-ins listed in demo mode"
        );
        let english_browser = axum::http::Request::builder()
            .uri("/login")
            .header("accept-language", "en-US,en;q=0.9")
            .body(axum::body::Body::empty())
            .expect("request");
        assert!(
            t.send(english_browser).await.text().contains("登录"),
            "Chinese first, whatever the browser prefers"
        );
        let english = t.get("/login?lang=en", &Client::default()).await.text();
        assert!(english.contains("Sign in"), "English switch");
        assert!(page.headers.get(header::CONTENT_SECURITY_POLICY).is_some());
    })
    .await;
}

#[tokio::test]
async fn a_browser_signs_in_with_the_form_and_wrong_passwords_are_explained() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let wrong = browser_sign_in(&t, "county", "nope").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("用户名或密码错误"));
        assert!(
            wrong.text().contains("value=\"county\""),
            "the typed user name is kept"
        );
        let right = browser_sign_in(&t, "county", PASSWORD).await;
        assert!(
            right.status.is_redirection(),
            "{} {}",
            right.status,
            right.text()
        );
        let cookie = right
            .cookie(hearth_web::SESSION_COOKIE)
            .expect("session cookie");
        let set_cookie = right
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(
            right.headers.get_all(header::SET_COOKIE).iter().any(|v| {
                let v = v.to_str().unwrap_or("");
                v.starts_with(hearth_web::SESSION_COOKIE)
                    && v.contains("HttpOnly")
                    && v.contains("SameSite=Lax")
            }),
            "{set_cookie}"
        );
        let home = t
            .get(
                "/",
                &Client {
                    cookie: Some(cookie),
                    ..Client::default()
                },
            )
            .await;
        assert_eq!(home.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_organization_list_follows_the_county_habit() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let anonymous = t.get("/organizations", &Client::default()).await;
        assert!(
            anonymous.status.is_redirection(),
            "anonymous visitors are sent to sign in"
        );
        let county = t.sign_in("county").await;
        let page = t.get("/organizations?name=志愿", &county).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("肥西县暖阳志愿服务协会"),
            "search by part of the name"
        );
        assert!(
            !html.contains("肥西县慈善基金会"),
            "non-matching organizations are filtered out"
        );
        assert!(html.contains("上派镇"), "the division tree lists the towns");
        let town = t.sign_in("town").await;
        let town_page = t.get("/organizations", &town).await.text();
        assert!(
            !town_page.contains("/organizations/new"),
            "a town officer gets no 新增 button"
        );
    })
    .await;
}

#[tokio::test]
async fn the_organization_list_exports_to_xlsx() {
    use calamine::{Reader, Xlsx};
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let reply = t
            .get("/organizations/export.xlsx?kind=foundation", &county)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(reply.body.clone())).expect("a real xlsx file");
        let name = book.sheet_names().first().cloned().expect("a sheet");
        let range = book.worksheet_range(&name).expect("read the sheet");
        let cells: Vec<String> = range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(cells.iter().any(|c| c == "肥西县慈善基金会"));
        assert!(cells.iter().any(|c| c == "合肥市暖冬公益基金会"));
        assert!(
            !cells.iter().any(|c| c == "肥西县暖阳志愿服务协会"),
            "the export honours the filter"
        );
        assert!(
            cells.iter().any(|c| c.starts_with("53")),
            "credit codes stay text"
        );
    })
    .await;
}
