//! Identity resolution: blocking, scoring, clustering.

use hearth_core::id_number::id_check_char;
use hearth_engine::identity::{
    self, Config, HashedKeys, IdAgreement, NameAgreement, Pass, Record, Records, StoredKeys,
    fold_key, plain_keys,
};
use proptest::prelude::*;

/// A valid ID number for a Feixi resident born on `birth` (`yyyymmdd`) with sequence `seq`.
fn id(birth: &str, seq: u32) -> String {
    let first17 = format!("340123{birth}{seq:03}");
    let check = id_check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

fn with_digit(id: &str, at: usize, digit: char) -> String {
    id.chars()
        .enumerate()
        .map(|(k, c)| if k == at { digit } else { c })
        .collect()
}

#[derive(Clone, Debug)]
struct Row {
    name: String,
    id_number: String,
    phone: String,
    birth_date: String,
    village: String,
    address: String,
}

fn row(name: &str, id_number: &str, phone: &str, birth: &str, village: &str, address: &str) -> Row {
    Row {
        name: name.into(),
        id_number: id_number.into(),
        phone: phone.into(),
        birth_date: birth.into(),
        village: village.into(),
        address: address.into(),
    }
}

fn records(rows: &[Row]) -> Records {
    let mut records = Records::new();
    for r in rows {
        records.push(&Record {
            name: &r.name,
            id_number: &r.id_number,
            phone: &r.phone,
            birth_date: &r.birth_date,
            village: &r.village,
            address: &r.address,
            members: &[],
        });
    }
    records
}

fn clusters(rows: &[Row]) -> Vec<Vec<u32>> {
    identity::resolve(&records(rows), &plain_keys(), &Config::default()).clusters
}

fn zhang_wei() -> Row {
    row(
        "张伟",
        &id("19580312", 231),
        "13855100001",
        "1958-03-12",
        "三岗村",
        "上派镇三岗村王郢组12号",
    )
}

#[test]
fn a_mistyped_digit_and_a_homophone_still_meet() {
    let original = zhang_wei();
    let mut copy = original.clone();
    copy.id_number = with_digit(&original.id_number, 9, '9');
    copy.name = "章伟".into();
    copy.phone = String::new();
    copy.address = "三岗王郢12号".into();
    let unrelated = row("李华", &id("19700101", 112), "", "", "三岗村", "");
    assert_eq!(
        clusters(&[original.clone(), unrelated, copy.clone()]),
        vec![vec![0, 2]]
    );

    let ev = identity::explain(&records(&[original, copy]), 0, 1, &Default::default());
    assert_eq!(ev.id_number, IdAgreement::Typo);
    assert_eq!(ev.name, NameAgreement::SameSound);
}

#[test]
fn swapped_digits_variant_characters_and_a_first_generation_number_meet() {
    let original = zhang_wei();
    let mut swapped = original.clone();
    let digits: Vec<char> = original.id_number.chars().collect();
    swapped.id_number = digits[..14]
        .iter()
        .chain([&digits[15], &digits[14]])
        .chain(&digits[16..])
        .collect();
    swapped.name = "張偉".into();
    let mut old = original.clone();
    old.id_number = format!("{}{}", &original.id_number[..6], &original.id_number[8..17]);
    old.birth_date = "1958年3月12日".into();
    assert_eq!(clusters(&[original, swapped, old]), vec![vec![0, 1, 2]]);
}

#[test]
fn a_mistyped_first_generation_number_is_not_taken_for_another_person() {
    // A 15-digit number has no check character, so its lifted form "satisfies" the check even
    // with a typo in it; only its 17 digits may be compared.
    let original = zhang_wei();
    let first_generation = format!("{}{}", &original.id_number[..6], &original.id_number[8..17]);
    let mut copy = original.clone();
    copy.id_number = with_digit(&first_generation, 12, '0');
    copy.birth_date = String::new();
    let resolution = identity::resolve(
        &records(&[original.clone(), copy.clone()]),
        &plain_keys(),
        &Config::default(),
    );
    assert_eq!(resolution.clusters, vec![vec![0, 1]]);
    let ev = identity::explain(&records(&[original, copy]), 0, 1, &Default::default());
    assert_eq!(ev.id_number, IdAgreement::TypoUnchecked);
}

#[test]
fn a_copy_without_id_number_is_found_by_name_village_and_birth() {
    let original = zhang_wei();
    let mut copy = original.clone();
    copy.id_number = String::new();
    copy.village = "三岗".into();
    copy.phone = "+86 138 5510 0001".into();
    assert_eq!(clusters(&[original, copy]), vec![vec![0, 1]]);
}

#[test]
fn namesakes_are_not_merged() {
    let here = zhang_wei();
    // Same common name, another village, another person.
    let there = row(
        "张伟",
        &id("19610704", 455),
        "13955100002",
        "1961-07-04",
        "柳湾村",
        "柳湾村东头组3号",
    );
    // Same name and village, a different valid ID: two people.
    let neighbour = row(
        "张伟",
        &id("19900220", 871),
        "",
        "1990-02-20",
        "三岗村",
        "三岗村王郢组15号",
    );
    // Same name and village, no ID, another birth date.
    let unknown = row("张伟", "", "", "1975-10-01", "三岗村", "");
    assert!(clusters(&[here, there, neighbour, unknown]).is_empty());
}

#[test]
fn one_ambiguous_record_does_not_chain_two_people() {
    // Two brothers with valid IDs; a copy without ID looks like both (same name, village,
    // address, phone). At most one of them may take it.
    let older = row(
        "王明",
        &id("19600101", 131),
        "13855100003",
        "",
        "三岗村",
        "三岗村王郢组8号",
    );
    let younger = row(
        "王明",
        &id("19650505", 171),
        "13855100003",
        "",
        "三岗村",
        "三岗村王郢组8号",
    );
    let copy = row("王明", "", "13855100003", "", "三岗村", "王郢组8号");
    let found = clusters(&[older, younger, copy]);
    assert!(
        found.iter().all(|c| !(c.contains(&0) && c.contains(&1))),
        "{found:?}"
    );
}

#[test]
fn a_phone_written_on_many_forms_is_weak_and_its_block_is_skipped() {
    let office = "055168100000";
    let mut rows: Vec<Row> = (0..80)
        .map(|k| {
            let birth = format!("19{:02}0{}1{}", 30 + k % 60, 1 + k % 9, k % 10);
            row(
                &format!("村民{k}"),
                &id(&birth, k),
                office,
                "",
                "三岗村",
                "",
            )
        })
        .collect();
    let twin = rows[5].clone();
    let mut typo = twin.clone();
    typo.id_number = with_digit(
        &twin.id_number,
        16,
        if twin.id_number.as_bytes()[16] == b'1' {
            '2'
        } else {
            '1'
        },
    );
    rows.push(typo);
    let resolution = identity::resolve(&records(&rows), &plain_keys(), &Config::default());
    assert_eq!(resolution.clusters, vec![vec![5, 80]]);
    assert!(resolution.blocking.skipped_blocks >= 1);
}

/// A stand-in for the registry's HMAC blind index: a keyed hash the engine cannot invert.
fn keyed(pass: Pass, material: &str) -> u64 {
    fold_key(&format!("secret-key|{}|{material}", pass.kind()))
}

#[test]
fn opaque_and_stored_keys_give_the_same_clusters_as_plain_ones() {
    let original = zhang_wei();
    let mut typo = original.clone();
    typo.id_number = with_digit(&original.id_number, 3, '7');
    let mut sound = original.clone();
    sound.name = "张玮".into();
    sound.id_number = String::new();
    let rows = vec![
        original,
        row("李华", &id("19700101", 112), "", "", "", ""),
        typo,
        sound,
    ];
    let plain = clusters(&rows);
    assert_eq!(plain, vec![vec![0, 2, 3]]);

    let recs = records(&rows);
    let hashed = identity::resolve(&recs, &HashedKeys(keyed), &Config::default());
    assert_eq!(hashed.clusters, plain);

    // Keys computed one record at a time (as when a household is written) and read back.
    let mut stored = StoredKeys::default();
    for (i, r) in rows.iter().enumerate() {
        let record = Record {
            name: &r.name,
            id_number: &r.id_number,
            phone: &r.phone,
            birth_date: &r.birth_date,
            village: &r.village,
            address: &r.address,
            members: &[],
        };
        for (pass, material) in identity::key_materials(&record) {
            stored
                .by_pass
                .entry(pass)
                .or_default()
                .push((keyed(pass, &material), i as u32));
        }
    }
    assert_eq!(
        identity::resolve(&recs, &stored, &Config::default()).clusters,
        plain
    );
}

#[test]
fn shared_members_count_as_evidence() {
    let mut a = zhang_wei();
    a.id_number = String::new();
    a.birth_date = String::new();
    let mut b = a.clone();
    b.phone = String::new();
    b.address = String::new();
    let without = records(&[a.clone(), b.clone()]);
    assert!(
        identity::resolve(&without, &plain_keys(), &Config::default())
            .clusters
            .is_empty()
    );

    let child = id("20100808", 222);
    let members = [child.as_str()];
    let mut with = Records::new();
    for r in [&a, &b] {
        with.push(&Record {
            name: &r.name,
            village: &r.village,
            members: &members,
            ..Record::default()
        });
    }
    assert_eq!(
        identity::resolve(&with, &plain_keys(), &Config::default()).clusters,
        vec![vec![0, 1]]
    );
}

fn person() -> impl Strategy<Value = Row> {
    let surname = prop::sample::select(vec!["王", "李", "张", "刘", "陈"]);
    let given = prop::sample::select(vec!["伟", "芳", "秀英", "敏", "强", "军"]);
    let village = prop::sample::select(vec!["三岗村", "柳湾村", "石塘村", "新集村"]);
    (
        surname,
        given,
        village,
        1930u32..2010,
        1u32..13,
        1u32..29,
        0u32..1000,
    )
        .prop_map(|(s, g, v, y, m, d, seq)| {
            let birth = format!("{y}{m:02}{d:02}");
            row(
                &format!("{s}{g}"),
                &id(&birth, seq),
                "",
                &format!("{y}-{m:02}-{d:02}"),
                v,
                "",
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_single_digit_typo_is_found(p in person(), at in 0usize..18, digit in 0u32..10) {
        let original = p.id_number.as_bytes()[at];
        let replacement = char::from_digit(digit, 10).unwrap_or('0');
        prop_assume!(replacement as u8 != original);
        let mut copy = p.clone();
        copy.id_number = with_digit(&p.id_number, at, replacement);
        copy.birth_date = String::new();
        prop_assert_eq!(clusters(&[p, copy]), vec![vec![0, 1]]);
    }

    #[test]
    fn people_with_different_valid_ids_are_never_merged(a in person(), b in person()) {
        prop_assume!(a.id_number != b.id_number);
        prop_assert!(clusters(&[a, b]).is_empty());
    }

    #[test]
    fn the_order_of_records_does_not_change_the_households(
        people in prop::collection::vec(person(), 2..12),
        copies in prop::collection::vec((0usize..12, 0usize..17), 0..8),
        seed in any::<u64>(),
    ) {
        let mut rows = people.clone();
        for (who, at) in copies {
            let mut c = people[who % people.len()].clone();
            let d = if c.id_number.as_bytes()[at] == b'5' { '6' } else { '5' };
            c.id_number = with_digit(&c.id_number, at, d);
            rows.push(c);
        }
        let forward = as_sets(&clusters(&rows), |i| i);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut state = seed;
        for k in (1..order.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(k, (state >> 33) as usize % (k + 1));
        }
        let shuffled: Vec<Row> = order.iter().map(|&k| rows[k].clone()).collect();
        let back = as_sets(&clusters(&shuffled), |i| order[i]);
        prop_assert_eq!(&forward, &back);
        prop_assert_eq!(clusters(&rows), clusters(&rows));
    }
}

fn as_sets(clusters: &[Vec<u32>], original: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let mut sets: Vec<Vec<usize>> = clusters
        .iter()
        .map(|c| {
            let mut s: Vec<usize> = c.iter().map(|&i| original(i as usize)).collect();
            s.sort_unstable();
            s
        })
        .collect();
    sets.sort();
    sets
}
