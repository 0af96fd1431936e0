//! The public page (公示) with no sign-in, and the promise behind it: over the demo's data, no
//! public page shows any household's name (whole or masked), ID number or any six digits of
//! one, phone or address, in either language. The names come from the database and the numbers
//! from the county's logged reveal, so the check covers every beneficiary there is. Also: the
//! English pages carry no Chinese left over from the templates.

use crate::support::{Client, TestApp};
use axum::http::StatusCode;
use hearth_core::household::mask::mask_name;
use hearth_store::testing::{TestDb, each_backend};
use serde_json::{Value, json};

/// What must never appear on a public page.
#[derive(Default)]
struct Secrets {
    names: Vec<String>,
    id_numbers: Vec<String>,
    phones: Vec<String>,
    addresses: Vec<String>,
}

async fn secrets(t: &TestApp, db: &TestDb) -> Secrets {
    let mut out = Secrets::default();
    let mut tx = db.store.read().await.expect("a transaction");
    let households = hearth_store::households::all(&mut tx, true)
        .await
        .expect("households");
    for h in &households {
        out.names.push(h.head_name.clone());
        for m in hearth_store::households::members(&mut tx, h.id)
            .await
            .expect("members")
        {
            out.names.push(m.name);
        }
    }
    drop(tx);
    let county = t.sign_in("county").await;
    for h in &households {
        let reply = t
            .json(
                "POST",
                &format!("/api/v1/households/{}/reveal", h.id),
                &county,
                json!({"reason": "公示页隐私检查（测试）"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let revealed = reply.json();
        out.phones
            .push(revealed["phone"].as_str().unwrap_or("").to_owned());
        out.addresses
            .push(revealed["address"].as_str().unwrap_or("").to_owned());
        for m in revealed["members"].as_array().expect("members") {
            out.id_numbers
                .push(m["id_number"].as_str().unwrap_or("").to_owned());
        }
    }
    assert!(out.id_numbers.len() > 100 && out.names.len() > out.id_numbers.len());
    out
}

/// Every way `html` could give a beneficiary away, as messages; empty when none.
fn leaks(html: &str, s: &Secrets) -> Vec<String> {
    let mut found = Vec::new();
    for name in &s.names {
        let masked = mask_name(name);
        if name.chars().count() >= 2 && html.contains(name.as_str()) {
            found.push(format!("name {name}"));
        }
        if html.contains(&masked) {
            found.push(format!("masked name {masked}"));
        }
    }
    for id in &s.id_numbers {
        let chars: Vec<char> = id.chars().collect();
        for window in chars.windows(6) {
            let fragment: String = window.iter().collect();
            if html.contains(&fragment) {
                found.push(format!("ID fragment {fragment} of {id}"));
            }
        }
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        if html.contains(&format!("*{tail}")) {
            found.push(format!("masked ID ending {tail}"));
        }
    }
    for phone in s.phones.iter().filter(|p| !p.is_empty()) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let masked = format!("{}****{}", &digits[..3], &digits[digits.len() - 4..]);
        if html.contains(phone.as_str()) || html.contains(&digits) || html.contains(&masked) {
            found.push(format!("phone {phone}"));
        }
    }
    for address in s.addresses.iter().filter(|a| !a.is_empty()) {
        if html.contains(address.as_str()) {
            found.push(format!("address {address}"));
        }
    }
    found
}

/// The page without the ledger's digest, a published hash whose hex digits may by chance
/// run six long.
fn without_digest(html: &str, digest: &str) -> String {
    html.replace(digest, "")
}

#[tokio::test]
async fn the_public_pages_show_the_campaign_and_no_beneficiary() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let visitor = Client::default();
        let page = t.get("/public", &visitor).await;
        assert_eq!(page.status, StatusCode::OK, "no sign-in needed");
        let html = page.text();
        assert!(
            html.contains("暖冬行动") && html.contains("13.18"),
            "the demo's cash raised"
        );
        assert!(html.contains("上派镇"), "per-town figures");
        assert!(html.contains("action=\"/verify\""), "the verification box");

        let county = t.sign_in("county").await;
        let books: Value = t
            .get("/api/v1/campaigns/NDXD-DEMO/reconciliation", &county)
            .await
            .json();
        let digest = books["head_digest"].as_str().expect("a head").to_owned();
        assert!(
            html.contains(&digest),
            "the ledger head digest, as the books show it"
        );
        let donations = t
            .get("/api/v1/donations?page_size=100", &county)
            .await
            .json();
        let items = donations["items"].as_array().expect("donations").clone();
        assert!(!items.is_empty());
        // An organization is named only when every one of its gifts may carry its name.
        let mut consent: std::collections::BTreeMap<String, (String, bool)> = Default::default();
        for d in items.iter().filter(|d| d["organization_id"].is_string()) {
            let org = d["organization_id"].as_str().expect("an id").to_owned();
            let name = d["donor_name"].as_str().expect("a name").to_owned();
            let public = d["public_name"] == json!(true);
            consent.entry(org).or_insert((name, true)).1 &= public;
        }
        assert!(
            consent.values().any(|(_, named)| *named),
            "some agreed to be named"
        );
        for (name, named) in consent.values() {
            let listed = html.contains(&format!("<th scope=\"row\">{name}</th>"));
            assert_eq!(listed, *named, "{name} listed only with consent");
        }

        let secrets = secrets(&t, db).await;
        let mut pages = vec![
            "/public".to_owned(),
            "/public?lang=en".to_owned(),
            "/verify".to_owned(),
        ];
        for d in &items {
            let code = d["verification_code"].as_str().expect("a code");
            pages.push(format!("/verify/{code}"));
            pages.push(format!("/verify/{code}?lang=en"));
        }
        for path in &pages {
            let reply = t.get(path, &visitor).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            let shown = without_digest(&reply.text(), &digest);
            let found = leaks(&shown, &secrets);
            assert!(found.is_empty(), "{path} gives away {found:?}");
        }
        let planted = format!("<p>{}</p>", secrets.id_numbers[0]);
        assert!(
            !leaks(&planted, &secrets).is_empty(),
            "the check itself finds a leak"
        );
    })
    .await;
}

/// Chinese characters left in an English page once the data's own names are taken out.
fn chinese_left(html: &str, data_names: &[String]) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let mut names: Vec<&String> = data_names.iter().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    for name in names {
        text = text.replace(name.as_str(), " ");
    }
    // The brand mark and the language switch are Chinese in every language.
    text = text.replace('暖', " ").replace("中文", " ");
    text.split_whitespace()
        .filter(|w| {
            w.chars().any(|c| {
                ('\u{4e00}'..='\u{9fff}').contains(&c)
                    || ('\u{3000}'..='\u{303f}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)
            })
        })
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn english_pages_carry_no_chinese_from_the_templates() {
    each_backend(async |db| {
        let t = TestApp::demo_with_money(db).await;
        let mut tx = db.store.read().await.expect("a transaction");
        let mut names: Vec<String> = hearth_store::areas::all(&mut tx)
            .await
            .expect("areas")
            .into_iter()
            .flat_map(|a| [a.name, a.short_name])
            .filter(|n| !n.is_empty())
            .collect();
        names.extend(
            hearth_store::campaigns::list(&mut tx)
                .await
                .expect("campaigns")
                .into_iter()
                .map(|c| c.profile.name),
        );
        let (orgs, _) = hearth_store::organizations::search(
            &mut tx,
            &hearth_store::organizations::OrgFilter::default(),
            hearth_store::organizations::PageRequest::all(),
        )
        .await
        .expect("organizations");
        names.extend(orgs.into_iter().map(|o| o.profile.name));
        // Charts shorten long labels to seven characters and an ellipsis.
        let shortened: Vec<String> = names
            .iter()
            .filter(|n| n.chars().count() > 8)
            .map(|n| format!("{}…", n.chars().take(7).collect::<String>()))
            .collect();
        names.extend(shortened);
        let users = hearth_store::users::list(&mut tx).await.expect("users");
        names.extend(users.into_iter().map(|u| u.display_name));
        drop(tx);
        let county = t.sign_in("county").await;
        for (path, client) in [
            ("/public?lang=en", Client::default()),
            ("/dashboard?lang=en", county.clone()),
            ("/dashboard?lang=en&area=340123100000", county.clone()),
            ("/dashboard/screen?lang=en", county.clone()),
        ] {
            let reply = t.get(path, &client).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}");
            let left = chinese_left(&reply.text(), &names);
            assert!(left.is_empty(), "{path} still says {left:?}");
        }
    })
    .await;
}
