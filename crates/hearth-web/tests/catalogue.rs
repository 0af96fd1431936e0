//! The item catalogue page: the bureau adds and changes items; others may not.

use crate::support::TestApp;
use axum::http::StatusCode;
use hearth_store::testing::each_backend;

#[tokio::test]
async fn the_bureau_keeps_the_catalogue_and_inactive_items_cannot_be_chosen() {
    each_backend(async |db| {
        let t = TestApp::demo(db).await;
        let county = t.sign_in("county").await;
        let csrf = county.csrf.clone().expect("csrf");
        let page = t.get("/items", &county).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text().contains("棉被"),
            "the seeded catalogue is listed"
        );

        let bad = t
            .form(
                "/items",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("code", "暖水袋"),
                    ("name", "暖水袋"),
                    ("unit", ""),
                    ("reference_value", "0"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text();
        assert!(
            html.contains("物资编码“暖水袋”无效")
                && html.contains("参考单价须大于 0")
                && html.contains("请填写此项"),
            "{html}"
        );
        assert!(html.contains("value=\"暖水袋\""), "typed values kept");

        let added = t
            .form(
                "/items",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("code", "hot_water_bottle"),
                    ("name", "暖水袋"),
                    ("name_en", "Hot-water bottle"),
                    ("unit", "条"),
                    ("spec", "双人"),
                    ("reference_value", "89.5"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
        let village = t.sign_in("village").await;
        let needs_form = t.get("/api/v1/items", &village).await;
        assert!(
            needs_form.text().contains("hot_water_bottle"),
            "villages can ask for the new item: {}",
            needs_form.text()
        );

        let twice = t
            .form(
                "/items",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("code", "hot_water_bottle"),
                    ("name", "暖水袋"),
                    ("unit", "条"),
                    ("reference_value", "90"),
                ],
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(twice.text().contains("已存在"));

        let retired = t
            .form(
                "/items/hot_water_bottle",
                &county,
                &[
                    ("_csrf", &csrf),
                    ("name", "暖水袋"),
                    ("unit", "条"),
                    ("reference_value", "89.50"),
                    ("active", "no"),
                ],
            )
            .await;
        assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.text());
        let offered = t.get("/api/v1/items", &village).await.text();
        assert!(
            !offered.contains("hot_water_bottle"),
            "inactive items are not offered: {offered}"
        );
        assert!(t.get("/items", &county).await.text().contains("停用"));

        assert_eq!(
            t.get("/items", &village).await.status,
            StatusCode::FORBIDDEN
        );
        let town = t.sign_in("town").await;
        let town_csrf = town.csrf.clone().expect("csrf");
        assert_eq!(
            t.form(
                "/items",
                &town,
                &[
                    ("_csrf", &town_csrf),
                    ("code", "x"),
                    ("name", "x"),
                    ("unit", "个"),
                    ("reference_value", "1")
                ]
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
