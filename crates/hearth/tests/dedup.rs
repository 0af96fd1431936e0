//! `hearth dedup` over the registry, run as an operator would: the typo pair is printed and
//! queued for review; an unknown campaign and a missing `--as` are explained.

use super::{demo_console, hearth, text};
use hearth_core::household::{CategoryTagInput, ConsentInput, HouseholdInput, MemberInput};
use hearth_store::testing::each_backend;

/// A valid ID number of county 340122 (never used by the demo) for someone born `birth`.
fn id_number(birth: &str) -> String {
    let first17 = format!("340122{birth}733");
    let check = hearth_core::id_number::id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn household(id: &str) -> HouseholdInput {
    HouseholdInput {
        members: vec![MemberInput {
            name: "孙有田".into(),
            id_number: id.into(),
            ..MemberInput::default()
        }],
        address: "示例社区北组8号（测试）".into(),
        village: "340123100001".into(),
        phone: "13955508888".into(),
        categories: vec![CategoryTagInput {
            category: "dibao".into(),
            source: "民政系统".into(),
            verified_by: "王某某".into(),
            verified_on: "2024-03-01".into(),
            valid_until: String::new(),
        }],
        main_category: "dibao".into(),
        consent: ConsentInput {
            version: "2024版".into(),
            signed_on: "2024-11-02".into(),
            signer: "孙有田".into(),
            ..ConsentInput::default()
        },
        ..HouseholdInput::default()
    }
}

#[tokio::test]
async fn dedup_over_the_registry_prints_and_queues_the_typo_pair() {
    each_backend(async |db| {
        let (dir, key, app, _) = demo_console(db).await;
        let signed = app
            .sign_in("village", hearth_app::demo::DEMO_PASSWORD)
            .await
            .expect("sign in");
        let village = app.session(&signed.token).await.expect("session").0;
        let mut ids = Vec::new();
        for birth in ["19460309", "19460308"] {
            let view = app
                .register_household(&village, &household(&id_number(birth)))
                .await
                .unwrap_or_else(|e| panic!("register: {e}"));
            ids.push(view.id.to_string());
        }

        let missing_as = hearth(db, &key, &["dedup"], None);
        assert!(!missing_as.status.success());
        assert!(text(&missing_as).contains("--as"), "{}", text(&missing_as));
        let unknown = hearth(
            db,
            &key,
            &["dedup", "--campaign", "NOPE", "--as", "county"],
            None,
        );
        assert!(!unknown.status.success());
        assert!(text(&unknown).contains("NOPE"), "{}", text(&unknown));

        let run = hearth(db, &key, &["dedup", "--as", "county", "--json"], None);
        assert!(run.status.success(), "{}", text(&run));
        let summary: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
        assert!(summary["new_pairs"].as_u64().unwrap_or(0) >= 1, "{summary}");
        let together = summary["clusters"].as_array().is_some_and(|clusters| {
            clusters.iter().any(|c| {
                let text = c.to_string();
                ids.iter().all(|id| text.contains(id.as_str()))
            })
        });
        assert!(
            together,
            "the two registrations form one cluster: {summary}"
        );
        let name = "孙有田".as_bytes();
        assert!(
            !run.stdout.windows(name.len()).any(|w| w == name),
            "names are masked"
        );

        let again = hearth(
            db,
            &key,
            &["dedup", "--campaign", "NDXD-DEMO", "--as", "county"],
            None,
        );
        assert!(again.status.success(), "{}", text(&again));
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
