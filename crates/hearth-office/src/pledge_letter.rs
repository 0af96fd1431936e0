//! The pairing pledge letter (结对帮扶承诺书, domain.md §5) as a Word file the organization
//! prints, signs and stamps, with one copy for the town. The caller resolves every value —
//! names, labels, amounts in figures and capitals, the household head masked on the
//! organization's copy — so this module only lays the letter out, in the reader's language.

use hearth_core::Lang;
use hearth_core::i18n::{render, text};

use crate::OfficeError;
use crate::docx::{Align, Cell, Document, Paragraph, Run, Style, Table};

/// The undertakings every letter carries, in order.
pub const UNDERTAKINGS: [&str; 7] = [
    "letter.undertaking_1",
    "letter.undertaking_2",
    "letter.undertaking_3",
    "letter.undertaking_4",
    "letter.undertaking_5",
    "letter.undertaking_6",
    "letter.undertaking_7",
];

/// One pledge letter, every value already resolved and masked for the copy's reader.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    /// The campaign's name, e.g. `2025年暖冬行动`.
    pub campaign: String,
    /// The campaign's year, e.g. `2025`.
    pub year: String,
    /// 承诺书编号.
    pub number: String,
    /// Which copy this is: `组织留存联`, `乡镇留存联`.
    pub copy: String,
    pub organization: LetterOrganization,
    pub households: Vec<LetterHousehold>,
    pub cash: Vec<CashLine>,
    pub items: Vec<ItemLine>,
    pub services: Vec<ServiceLine>,
    pub totals: LetterTotals,
    /// 一对一 or 一对多.
    pub mode: String,
    /// 上门送达 or 集中发放.
    pub delivery: String,
    /// The date everything is delivered by, as the letter prints it: `2026年2月16日`.
    pub deadline: String,
    /// The town (乡镇/街道) witnessing the letter.
    pub witness_town: String,
    /// The village (村/社区) witnessing the letter.
    pub witness_village: String,
}

/// The pledging organization as registered.
#[derive(Debug, Clone, Default)]
pub struct LetterOrganization {
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub responsible_person: String,
    /// Contact person and phone.
    pub contact: String,
    pub address: String,
}

/// A household the letter helps.
#[derive(Debug, Clone, Default)]
pub struct LetterHousehold {
    pub town: String,
    pub village: String,
    /// 户主: masked (`张*`) on the organization's copy.
    pub head: String,
    pub category: String,
    /// The household's needs this letter answers, in a few words.
    pub needs: String,
}

/// Cash, in yuan figures and in Chinese capitals.
#[derive(Debug, Clone, Default)]
pub struct CashLine {
    /// The need number the line answers, or empty.
    pub need: String,
    pub amount: String,
    pub capitals: String,
}

/// Items at their catalogue value.
#[derive(Debug, Clone, Default)]
pub struct ItemLine {
    pub need: String,
    pub name: String,
    /// Specification and unit, e.g. `2000W / 台`.
    pub spec: String,
    pub quantity: String,
    pub unit_price: String,
    pub value: String,
}

/// A service and when it is given, e.g. `2025-12-01 至 2026-02-28，每 2 周 1 次，共 6 次`.
#[derive(Debug, Clone, Default)]
pub struct ServiceLine {
    pub need: String,
    pub service: String,
    pub schedule: String,
}

/// What the letter is worth, in yuan figures and Chinese capitals.
#[derive(Debug, Clone, Default)]
pub struct LetterTotals {
    pub cash: String,
    pub cash_capitals: String,
    pub items: String,
    pub items_capitals: String,
    pub total: String,
    pub total_capitals: String,
}

/// The letter as a .docx file.
pub fn docx(letter: &Letter, lang: Lang) -> Result<Vec<u8>, OfficeError> {
    let title = render(
        lang,
        "letter.file_title",
        &[("number", letter.number.clone())],
    );
    let mut doc = Document::new(title);
    heading(&mut doc, letter, lang);
    organization(&mut doc, &letter.organization, lang);
    households(&mut doc, &letter.households, lang);
    pledged(&mut doc, letter, lang);
    mode_and_deadline(&mut doc, letter, lang);
    undertakings(&mut doc, letter, lang);
    signatures(&mut doc, letter, lang);
    doc.finish()
}

fn heading(doc: &mut Document, letter: &Letter, lang: Lang) {
    let number = render(lang, "letter.number", &[("number", letter.number.clone())]);
    doc.paragraph(
        Paragraph::new(Style::Small)
            .align(Align::Right)
            .run(Run::new(format!("{number}　　")))
            .run(Run::bold(&letter.copy)),
    );
    let title = render(lang, "letter.title", &[("year", letter.year.clone())]);
    doc.paragraph(Paragraph::text(Style::Title, title));
    let campaign = render(
        lang,
        "letter.campaign",
        &[("campaign", letter.campaign.clone())],
    );
    doc.paragraph(Paragraph::text(Style::Subtitle, campaign));
}

fn section(doc: &mut Document, lang: Lang, key: &str) {
    doc.paragraph(Paragraph::text(Style::Heading, text(lang, key)));
}

fn label(lang: Lang, key: &str) -> Cell {
    Cell::label(text(lang, key))
}

fn organization(doc: &mut Document, org: &LetterOrganization, lang: Lang) {
    section(doc, lang, "letter.section_organization");
    let table = Table::new(&[2, 3, 2, 3])
        .row(vec![
            label(lang, "letter.org_name"),
            Cell::text(&org.name).span(3),
        ])
        .row(vec![
            label(lang, "letter.org_uscc"),
            Cell::text(&org.uscc),
            label(lang, "letter.org_kind"),
            Cell::text(&org.kind),
        ])
        .row(vec![
            label(lang, "letter.org_responsible"),
            Cell::text(&org.responsible_person),
            label(lang, "letter.org_contact"),
            Cell::text(&org.contact),
        ])
        .row(vec![
            label(lang, "letter.org_address"),
            Cell::text(&org.address).span(3),
        ]);
    doc.table(&table);
}

fn households(doc: &mut Document, households: &[LetterHousehold], lang: Lang) {
    section(doc, lang, "letter.section_households");
    let header = [
        "letter.col_index",
        "letter.col_town",
        "letter.col_village",
        "letter.col_head",
        "letter.col_category",
        "letter.col_needs",
    ];
    let mut table = Table::new(&[2, 4, 4, 3, 4, 7]).header(header.map(|k| label(lang, k)).into());
    for (i, h) in households.iter().enumerate() {
        table = table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(&h.town),
            Cell::text(&h.village),
            Cell::text(&h.head),
            Cell::text(&h.category),
            Cell::text(&h.needs),
        ]);
    }
    doc.table(&table);
}

/// Cash, items and services, each as its own table when the letter has any, then the totals.
fn pledged(doc: &mut Document, letter: &Letter, lang: Lang) {
    section(doc, lang, "letter.section_pledged");
    if !letter.cash.is_empty() {
        cash(doc, &letter.cash, lang);
    }
    if !letter.items.is_empty() {
        items(doc, &letter.items, lang);
    }
    if !letter.services.is_empty() {
        services(doc, &letter.services, lang);
    }
    totals(doc, &letter.totals, lang);
}

fn subsection(doc: &mut Document, lang: Lang, key: &str) {
    doc.paragraph(
        Paragraph::new(Style::Body)
            .run(Run::bold(text(lang, key)))
            .first_line_indent(),
    );
}

fn cash(doc: &mut Document, lines: &[CashLine], lang: Lang) {
    subsection(doc, lang, "letter.cash");
    let header = [
        "letter.col_index",
        "letter.col_need",
        "letter.col_amount",
        "letter.col_capitals",
    ];
    let mut table = Table::new(&[2, 5, 5, 12]).header(header.map(|k| label(lang, k)).into());
    for (i, line) in lines.iter().enumerate() {
        table = table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(&line.need),
            Cell::text(&line.amount),
            Cell::text(&line.capitals),
        ]);
    }
    doc.table(&table);
}

fn items(doc: &mut Document, lines: &[ItemLine], lang: Lang) {
    subsection(doc, lang, "letter.items");
    let header = [
        "letter.col_index",
        "letter.col_need",
        "letter.col_item",
        "letter.col_spec",
        "letter.col_quantity",
        "letter.col_unit_price",
        "letter.col_value",
    ];
    let mut table =
        Table::new(&[2, 4, 5, 4, 2, 3, 4]).header(header.map(|k| label(lang, k)).into());
    for (i, line) in lines.iter().enumerate() {
        table = table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(&line.need),
            Cell::text(&line.name),
            Cell::text(&line.spec),
            Cell::text(&line.quantity),
            Cell::text(&line.unit_price),
            Cell::text(&line.value),
        ]);
    }
    doc.table(&table);
}

fn services(doc: &mut Document, lines: &[ServiceLine], lang: Lang) {
    subsection(doc, lang, "letter.services");
    let header = [
        "letter.col_index",
        "letter.col_need",
        "letter.col_service",
        "letter.col_schedule",
    ];
    let mut table = Table::new(&[2, 5, 5, 12]).header(header.map(|k| label(lang, k)).into());
    for (i, line) in lines.iter().enumerate() {
        table = table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(&line.need),
            Cell::text(&line.service),
            Cell::text(&line.schedule),
        ]);
    }
    doc.table(&table);
}

fn totals(doc: &mut Document, totals: &LetterTotals, lang: Lang) {
    subsection(doc, lang, "letter.totals");
    let header = [
        "letter.col_total",
        "letter.col_amount",
        "letter.col_capitals",
    ];
    let rows = [
        ("letter.total_cash", &totals.cash, &totals.cash_capitals),
        ("letter.total_items", &totals.items, &totals.items_capitals),
        ("letter.total_all", &totals.total, &totals.total_capitals),
    ];
    let mut table = Table::new(&[7, 5, 12]).header(header.map(|k| label(lang, k)).into());
    for (key, figures, capitals) in rows {
        table = table.row(vec![
            label(lang, key),
            Cell::text(figures),
            Cell::text(capitals),
        ]);
    }
    doc.table(&table);
}

fn mode_and_deadline(doc: &mut Document, letter: &Letter, lang: Lang) {
    section(doc, lang, "letter.section_mode");
    let deadline = render(
        lang,
        "letter.deadline_value",
        &[("deadline", letter.deadline.clone())],
    );
    let table = Table::new(&[2, 3, 2, 3])
        .row(vec![
            label(lang, "letter.mode"),
            Cell::text(&letter.mode),
            label(lang, "letter.delivery"),
            Cell::text(&letter.delivery),
        ])
        .row(vec![
            label(lang, "letter.deadline"),
            Cell::text(deadline).span(3),
        ]);
    doc.table(&table);
}

fn undertakings(doc: &mut Document, letter: &Letter, lang: Lang) {
    section(doc, lang, "letter.section_undertakings");
    let intro = render(
        lang,
        "letter.undertakings_intro",
        &[("campaign", letter.campaign.clone())],
    );
    doc.paragraph(Paragraph::text(Style::Body, intro).first_line_indent());
    for (i, key) in UNDERTAKINGS.iter().enumerate() {
        let numbered = render(
            lang,
            "letter.undertaking_numbered",
            &[
                ("n", (i + 1).to_string()),
                ("text", text(lang, key).to_owned()),
            ],
        );
        doc.paragraph(Paragraph::text(Style::Body, numbered).first_line_indent());
    }
    doc.paragraph(Paragraph::text(Style::Body, text(lang, "letter.effective")).first_line_indent());
}

/// The organization signs and stamps; the town and the village witness, each with its seal.
fn signatures(doc: &mut Document, letter: &Letter, lang: Lang) {
    doc.paragraph(Paragraph::new(Style::Body));
    let block = |heading: &str, name: &str, signer: &str| {
        Cell::new(vec![
            Paragraph::new(Style::Small).run(Run::bold(text(lang, heading))),
            Paragraph::text(Style::Small, name),
            Paragraph::new(Style::Small),
            Paragraph::new(Style::Small),
            Paragraph::text(Style::Small, text(lang, signer)),
            Paragraph::new(Style::Small),
            Paragraph::text(Style::Small, text(lang, "letter.sign_date")),
        ])
    };
    let table = Table::new(&[1, 1, 1]).borderless().row(vec![
        block(
            "letter.sign_org",
            &letter.organization.name,
            "letter.sign_responsible",
        ),
        block(
            "letter.witness_town",
            &letter.witness_town,
            "letter.sign_handler",
        ),
        block(
            "letter.witness_village",
            &letter.witness_village,
            "letter.sign_handler",
        ),
    ]);
    doc.table(&table);
}
