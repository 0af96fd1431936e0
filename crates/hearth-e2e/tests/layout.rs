//! The pages people open on a phone (375 px, WeChat's browser) scroll only downwards, and the
//! sign-in works with the keyboard alone (the walk signs in that way every time; here the
//! pages of each role are checked at phone width).

use crate::support;

#[tokio::test]
async fn key_pages_fit_a_phone_without_sideways_scrolling() {
    let Some(b) = support::start("layout").await else {
        return;
    };
    let mut wide = Vec::new();
    for path in ["/login", "/public", "/verify"] {
        b.client.delete_all_cookies().await.expect("signed out");
        if !b.fits_phone(path).await {
            wide.push(path.to_owned());
        }
    }
    let pages = [
        (
            "village",
            &["/", "/households", "/households/new", "/needs", "/visits"][..],
        ),
        ("town", &["/", "/needs", "/stock", "/dashboard"][..]),
        ("org", &["/", "/claims", "/pledges", "/visits"][..]),
        ("county", &["/dashboard", "/ledger", "/donations"][..]),
    ];
    for (who, paths) in pages {
        b.sign_in(who).await;
        for path in paths {
            if !b.fits_phone(path).await {
                wide.push(format!("{who} {path}"));
                b.shot(&format!("wide-{who}-{}", path.replace('/', "_")))
                    .await;
            }
        }
    }
    assert!(wide.is_empty(), "sideways scrolling at 375 px on {wide:?}");
    b.close().await;
}
