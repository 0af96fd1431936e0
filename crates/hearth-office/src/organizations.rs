//! The organization list as an .xlsx file (导出).

use crate::{OfficeError, sheet::Sheet};
use chrono::{DateTime, Utc};
use hearth_core::Lang;
use hearth_core::i18n::{render, text};
use hearth_core::organization::Organization;
use hearth_store::areas::Area;

const COLUMNS: [(&str, f64); 11] = [
    ("org.name", 32.0),
    ("org.uscc", 22.0),
    ("org.kind_label", 14.0),
    ("org.service_fields", 18.0),
    ("org.service_areas", 28.0),
    ("org.responsible_person", 12.0),
    ("org.contact_person", 12.0),
    ("org.contact_phone", 16.0),
    ("org.address", 30.0),
    ("org.rating", 8.0),
    ("org.status_label", 8.0),
];

fn area_names(org: &Organization, areas: &[Area]) -> String {
    org.profile
        .service_areas
        .iter()
        .map(|code| {
            areas
                .iter()
                .find(|a| &a.code == code)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| code.as_str().to_owned())
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The rows the caller was allowed to list, with dictionary values in the reader's language.
pub fn export(
    lang: Lang,
    orgs: &[Organization],
    areas: &[Area],
    exported_by: &str,
    at: DateTime<Utc>,
) -> Result<Vec<u8>, OfficeError> {
    let mut sheet = Sheet::new(lang, text(lang, "org.export_title"), &COLUMNS)?;
    for org in orgs {
        let p = &org.profile;
        let fields: Vec<&str> = p
            .service_fields
            .iter()
            .map(|f| text(lang, f.label_key()))
            .collect();
        sheet.row(&[
            p.name.clone(),
            p.uscc.as_str().to_owned(),
            text(lang, p.kind.label_key()).to_owned(),
            fields.join("、"),
            area_names(org, areas),
            p.responsible_person.clone(),
            p.contact_person.clone(),
            p.contact_phone.clone(),
            p.address.clone(),
            p.rating.clone().unwrap_or_default(),
            text(lang, org.status.label_key()).to_owned(),
        ])?;
    }
    let local = at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let args = [
        ("user", exported_by.to_owned()),
        ("at", local),
        ("count", orgs.len().to_string()),
    ];
    sheet.footer(&render(lang, "export.footer", &args))?;
    sheet.save()
}
