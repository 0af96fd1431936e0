//! The big screen (/dashboard/screen) is shown on the symposium's 1920×1080 display: everything
//! fits on it without scrolling, in either direction.

use crate::support;
use serde_json::Value;

const SCREEN: (u32, u32) = (1920, 1080);

#[tokio::test]
async fn the_big_screen_fits_1920_by_1080_without_scrolling() {
    let Some(b) = support::start("screen").await else {
        return;
    };
    b.sign_in("county").await;
    b.client
        .set_window_size(SCREEN.0, SCREEN.1)
        .await
        .expect("resize");
    // The window's size includes whatever the browser draws around the page; grow it until the
    // page itself (the viewport) is exactly 1920×1080.
    let inner = |v: Value| {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
    };
    let size: Vec<u64> = inner(
        b.client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .expect("the viewport"),
    )
    .unwrap_or_default();
    let (w, h) = (size[0] as u32, size[1] as u32);
    b.client
        .set_window_size(2 * SCREEN.0 - w, 2 * SCREEN.1 - h)
        .await
        .expect("resize");
    b.open("/dashboard/screen").await;
    let measured = b
        .client
        .execute(
            "return [window.innerWidth, window.innerHeight, \
             document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
            vec![],
        )
        .await
        .expect("measured");
    let m: Vec<u64> = inner(measured).unwrap_or_default();
    b.shot_sized("big-screen-1920x1080", (2 * SCREEN.0 - w, 2 * SCREEN.1 - h))
        .await;
    assert_eq!((m[0], m[1]), (1920, 1080), "the viewport is the big screen");
    assert!(
        m[3] <= 1080,
        "the big screen is {} px tall, taller than 1080",
        m[3]
    );
    assert!(
        m[2] <= 1920,
        "the big screen is {} px wide, wider than 1920",
        m[2]
    );
    b.close().await;
}
