//! `hearth match --campaign`: the proposal, the what-if of a budget and `--apply`, as a county
//! administrator runs them at the console.

use hearth_store::testing::each_backend;

use crate::{demo_console, hearth, text};

#[tokio::test]
async fn the_county_prices_a_budget_and_applies_the_proposal_from_the_console() {
    each_backend(async |db| {
        let (dir, key, _, _) = demo_console(db).await;
        let campaign = hearth_app::demo::DEMO_CAMPAIGN;
        let base = ["match", "--campaign", campaign, "--as", "county"];

        let what_if = hearth(
            db,
            &key,
            &[&base[..], &["--budget", "130000", "--json"]].concat(),
            None,
        );
        assert!(what_if.status.success(), "{}", text(&what_if));
        let plan: serde_json::Value = serde_json::from_slice(&what_if.stdout).expect("JSON");
        assert_eq!(plan["budget"], 13_000_000, "in fen: {plan}");
        assert!(plan["exact"].as_bool().unwrap());
        assert!(plan["spent"].as_i64().unwrap() <= 13_000_000);

        let shown = hearth(db, &key, &[&base[..], &["--json"]].concat(), None);
        assert!(shown.status.success(), "{}", text(&shown));
        let proposal: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
        assert_eq!(proposal["digest"].as_str().map(str::len), Some(64));
        assert!(proposal["households"].is_array());

        let applied = hearth(
            db,
            &key,
            &[&base[..], &["--apply", "--json"]].concat(),
            None,
        );
        if proposal["served_units"] == 0 {
            assert!(!applied.status.success());
            assert!(
                text(&applied).contains("nothing accepted"),
                "{}",
                text(&applied)
            );
        } else {
            assert!(applied.status.success(), "{}", text(&applied));
            let done: serde_json::Value = serde_json::from_slice(&applied.stdout).expect("JSON");
            assert!(done["households"].as_u64().unwrap() > 0, "{done}");
        }
        let town = hearth(
            db,
            &key,
            &["match", "--campaign", campaign, "--as", "town", "--apply"],
            None,
        );
        assert!(!town.status.success());
        assert!(
            text(&town).contains("not a county administrator"),
            "{}",
            text(&town)
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
