//! The pledge letter read back from its bytes: a well-formed Word package on A4 that carries
//! every element domain.md §5 lists, in order, with every text escaped.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use hearth_core::Lang;
use hearth_core::i18n::text;
use hearth_office::pledge_letter::{
    CashLine, ItemLine, Letter, LetterHousehold, LetterOrganization, LetterTotals, ServiceLine,
    docx,
};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

const PARTS: [&str; 9] = [
    "[Content_Types].xml",
    "_rels/.rels",
    "docProps/app.xml",
    "docProps/core.xml",
    "word/_rels/document.xml.rels",
    "word/document.xml",
    "word/fontTable.xml",
    "word/footer1.xml",
    "word/styles.xml",
];

const UNDERTAKINGS: [&str; 7] = [
    "letter.undertaking_1",
    "letter.undertaking_2",
    "letter.undertaking_3",
    "letter.undertaking_4",
    "letter.undertaking_5",
    "letter.undertaking_6",
    "letter.undertaking_7",
];

fn household(village: &str, head: &str, needs: &str) -> LetterHousehold {
    LetterHousehold {
        town: "示例镇".into(),
        village: village.into(),
        head: head.into(),
        category: "低保户".into(),
        needs: needs.into(),
    }
}

/// The organization's copy of a synthetic letter: household heads masked.
fn letter() -> Letter {
    Letter {
        campaign: "2025年暖冬行动（演示）".into(),
        year: "2025".into(),
        number: "2025-NDXD-P0007".into(),
        copy: "组织留存联".into(),
        organization: LetterOrganization {
            name: "肥西县示例志愿服务协会（示例）".into(),
            uscc: "51340123MJA00000X1".into(),
            kind: "社会团体".into(),
            responsible_person: "王示例".into(),
            contact: "李联络 13800000000".into(),
            address: "示例镇示例路 1 号".into(),
        },
        households: vec![
            household("东风村", "张*", "冬衣两套、取暖器一台"),
            household("西山社区", "李*", "每月探访"),
        ],
        cash: vec![CashLine {
            need: "N-0001".into(),
            amount: "130500.50".into(),
            capitals: "壹拾叁万零伍佰元伍角".into(),
        }],
        items: vec![ItemLine {
            need: "N-0002".into(),
            name: "取暖器".into(),
            spec: "2000W / 台".into(),
            quantity: "2".into(),
            unit_price: "199.00".into(),
            value: "398.00".into(),
        }],
        services: vec![ServiceLine {
            need: "N-0003".into(),
            service: "探访陪伴".into(),
            schedule: "2025-12-01 至 2026-02-28，每 1 月 1 次，共 3 次".into(),
        }],
        totals: LetterTotals {
            cash: "130500.50".into(),
            cash_capitals: "壹拾叁万零伍佰元伍角".into(),
            items: "398.00".into(),
            items_capitals: "叁佰玖拾捌元整".into(),
            total: "130898.50".into(),
            total_capitals: "壹拾叁万零捌佰玖拾捌元伍角".into(),
        },
        mode: "一对多".into(),
        delivery: "上门送达".into(),
        deadline: "2026年2月16日".into(),
        witness_town: "示例镇人民政府".into(),
        witness_village: "东风村民委员会".into(),
    }
}

/// Every part of the package by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("an entry");
        let mut xml = String::new();
        file.read_to_string(&mut xml).expect("UTF-8 text");
        let name = file.name().expect("a UTF-8 name").into_owned();
        parts.insert(name, xml);
    }
    parts
}

fn check_attributes(part: &str, start: &BytesStart) {
    for attribute in start.attributes() {
        let attribute = attribute.unwrap_or_else(|e| panic!("{part}: {e}"));
        attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .unwrap_or_else(|e| panic!("{part}: {e}"));
    }
}

/// Parses `xml` to the end: one root, tags closed in order, attributes and references valid.
fn assert_well_formed(part: &str, xml: &str) {
    let mut reader = Reader::from_str(xml);
    let (mut open, mut roots) = (Vec::new(), 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                check_attributes(part, &e);
                roots += usize::from(open.is_empty());
                open.push(e.name().0.to_owned());
            }
            Ok(Event::Empty(e)) => {
                check_attributes(part, &e);
                roots += usize::from(open.is_empty());
            }
            Ok(Event::End(e)) => assert_eq!(open.pop().as_deref(), Some(e.name().0), "{part}"),
            Ok(Event::GeneralRef(r)) => assert!(
                r.is_char_ref() || resolve_predefined_entity(&r).is_some(),
                "{part}: &{};",
                &*r
            ),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{part} at {}: {e}", reader.error_position()),
        }
    }
    assert!(open.is_empty(), "{part}: unclosed {open:?}");
    assert_eq!(roots, 1, "{part}: one root element");
}

/// The text a reader sees in document.xml, one line per paragraph.
fn visible_text(xml: &str) -> String {
    let mut reader = Reader::from_str(xml);
    let (mut out, mut in_text) = (String::new(), false);
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) if e.name().0 == "w:t" => in_text = true,
            Event::End(e) if e.name().0 == "w:t" => in_text = false,
            Event::End(e) if e.name().0 == "w:p" => out.push('\n'),
            Event::Empty(e) if e.name().0 == "w:br" => out.push('\n'),
            Event::Text(t) if in_text => out.push_str(&t),
            Event::GeneralRef(r) if in_text => match r.resolve_char_ref() {
                Ok(Some(c)) => out.push(c),
                _ => out.push_str(resolve_predefined_entity(&r).unwrap_or_default()),
            },
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn document(letter: &Letter, lang: Lang) -> (String, String) {
    let bytes = docx(letter, lang).expect("the letter is written");
    let xml = unzip(&bytes)
        .remove("word/document.xml")
        .expect("document.xml");
    let text = visible_text(&xml);
    (xml, text)
}

#[test]
fn every_part_is_present_and_well_formed() {
    for lang in [Lang::ZhCn, Lang::En] {
        let parts = unzip(&docx(&letter(), lang).unwrap());
        assert_eq!(parts.keys().map(String::as_str).collect::<Vec<_>>(), PARTS);
        for (name, xml) in &parts {
            assert_well_formed(name, xml);
        }
        let types = &parts["[Content_Types].xml"];
        for part in PARTS
            .iter()
            .filter(|p| !p.ends_with(".rels") && !p.starts_with('['))
        {
            assert!(types.contains(&format!(r#"PartName="/{part}""#)), "{part}");
        }
        for target in ["styles.xml", "fontTable.xml", "footer1.xml"] {
            assert!(
                parts["word/_rels/document.xml.rels"].contains(&format!(r#"Target="{target}""#))
            );
        }
        assert!(parts["docProps/core.xml"].contains("2025-NDXD-P0007"));
    }
}

#[test]
fn a4_with_official_margins_and_chinese_fonts() {
    let parts = unzip(&docx(&letter(), Lang::ZhCn).unwrap());
    let document = &parts["word/document.xml"];
    assert!(document.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
    assert!(document.contains(r#"w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#));
    let styles = &parts["word/styles.xml"];
    assert!(styles.contains(r#"w:eastAsia="宋体""#), "body in 宋体");
    assert!(styles.contains(r#"w:eastAsia="黑体""#), "title in 黑体");
    assert!(styles.contains(r#"<w:sz w:val="44"/>"#), "title 二号");
    assert!(parts["word/fontTable.xml"].contains(r#"<w:altName w:val="SimSun"/>"#));
    assert!(
        parts["word/footer1.xml"].contains(" PAGE "),
        "numbered pages"
    );
}

/// Where `needle` first appears, failing with the text if it does not.
fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} missing from:\n{text}"))
}

#[test]
fn the_letter_carries_every_element_in_order() {
    let (_, text_zh) = document(&letter(), Lang::ZhCn);
    let t = |key| text(Lang::ZhCn, key);
    let in_order = [
        "2025-NDXD-P0007",
        "组织留存联",
        "2025年度结对帮扶承诺书",
        "（2025年暖冬行动（演示））",
        t("letter.section_organization"),
        "肥西县示例志愿服务协会（示例）",
        "51340123MJA00000X1",
        "王示例",
        "李联络 13800000000",
        t("letter.section_households"),
        "张*",
        "西山社区",
        t("letter.section_pledged"),
        "壹拾叁万零伍佰元伍角",
        "2000W / 台",
        "398.00",
        "每 1 月 1 次，共 3 次",
        "壹拾叁万零捌佰玖拾捌元伍角",
        t("letter.section_mode"),
        "一对多",
        "上门送达",
        "2026年2月16日前全部兑现",
        t("letter.section_undertakings"),
        t("letter.undertaking_1"),
        t("letter.undertaking_7"),
        "承诺单位（盖章）",
        "负责人（签字）",
        "示例镇人民政府",
        "东风村民委员会",
    ];
    let positions: Vec<usize> = in_order.iter().map(|n| position(&text_zh, n)).collect();
    assert!(positions.is_sorted(), "out of order: {positions:?}");
    for key in UNDERTAKINGS {
        position(&text_zh, t(key));
    }
    assert_eq!(
        text_zh.matches("（盖章）").count(),
        3,
        "organization, town and village seals"
    );
    assert_eq!(text_zh.matches(t("letter.sign_date")).count(), 3);
}

#[test]
fn the_organizations_copy_shows_only_masked_heads() {
    let (_, masked) = document(&letter(), Lang::ZhCn);
    assert!(masked.contains("张*") && masked.contains("李*"));
    let mut town_copy = letter();
    town_copy.copy = "乡镇留存联".into();
    town_copy.households[0].head = "张示例".into();
    let (_, full) = document(&town_copy, Lang::ZhCn);
    assert!(full.contains("张示例") && full.contains("乡镇留存联"));
    assert!(!masked.contains("张示例"));
}

#[test]
fn every_text_is_escaped() {
    let mut tricky = letter();
    tricky.organization.name = r#"甲<&>乙"社"'会'"#.into();
    tricky.households[0].needs = "</w:t></w:r></w:p>棉被\u{1}".into();
    let (xml, visible) = document(&tricky, Lang::ZhCn);
    assert_well_formed("word/document.xml", &xml);
    assert!(xml.contains("甲&lt;&amp;&gt;乙&quot;社&quot;&apos;会&apos;"));
    assert!(visible.contains(r#"甲<&>乙"社"'会'"#));
    assert!(visible.contains("</w:t></w:r></w:p>棉被\n"));
}

#[test]
fn english_letters_use_english_labels_and_no_key_is_missing() {
    let (_, en) = document(&letter(), Lang::En);
    for needle in [
        "Pairing Pledge 2025",
        "5. Undertakings",
        "Pledging organization (seal)",
    ] {
        position(&en, needle);
    }
    for key in UNDERTAKINGS {
        position(&en, text(Lang::En, key));
    }
    let (_, zh) = document(&letter(), Lang::ZhCn);
    assert!(
        !en.contains("letter.") && !zh.contains("letter."),
        "a key rendered as itself"
    );
}

#[test]
fn kinds_the_letter_does_not_pledge_are_left_out() {
    let mut services_only = letter();
    services_only.cash.clear();
    services_only.items.clear();
    let (_, visible) = document(&services_only, Lang::ZhCn);
    assert!(!visible.contains(text(Lang::ZhCn, "letter.cash")));
    assert!(!visible.contains(text(Lang::ZhCn, "letter.items")));
    position(&visible, text(Lang::ZhCn, "letter.services"));
    position(&visible, text(Lang::ZhCn, "letter.totals"));
}
