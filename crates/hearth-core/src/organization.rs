//! A social organization (社会组织) as the registry keeps it, and the rules for a valid one.

use crate::{Invalid, Notice, area::AreaCode, uscc::Uscc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

dictionary!(
    /// The legal form, as registered (社会团体/社会服务机构/基金会 …).
    OrgKind, "kind", "org.kind" {
        SocialGroup => "social_group",
        SocialService => "social_service",
        Foundation => "foundation",
        VolunteerTeam => "volunteer_team",
        Enterprise => "enterprise",
        Other => "other",
    }
);

dictionary!(
    /// The fields an organization serves (养老/济困/儿童 …), matched against campaign focus fields.
    ServiceField, "service_fields", "org.field" {
        Elderly => "elderly",
        Poverty => "poverty",
        Children => "children",
        Disability => "disability",
        Medical => "medical",
        Education => "education",
        Disaster => "disaster",
        Community => "community",
    }
);

dictionary!(
    OrgStatus, "status", "org.status" {
        Active => "active",
        Inactive => "inactive",
    }
);

/// An organization in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    #[serde(flatten)]
    pub profile: OrgProfile,
    pub status: OrgStatus,
    /// Optimistic concurrency: an edit names the version it started from.
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What a user enters about an organization; valid by construction once parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgProfile {
    pub name: String,
    pub uscc: Uscc,
    pub kind: OrgKind,
    pub service_fields: Vec<ServiceField>,
    /// Towns (or the county) the organization serves.
    pub service_areas: Vec<AreaCode>,
    pub responsible_person: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub address: String,
    /// Rating by the civil-affairs evaluation (5A … 1A), if any.
    pub rating: Option<String>,
    pub note: String,
}

/// The raw form, as typed in a browser, sent over the API or read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub service_fields: Vec<String>,
    pub service_areas: Vec<String>,
    pub responsible_person: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub address: String,
    pub rating: String,
    pub note: String,
}

const RATINGS: [&str; 5] = ["5A", "4A", "3A", "2A", "1A"];

fn required(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::new(field, "field.required"));
    }
    optional(field, value, max)
}

fn optional(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    let len = value.chars().count();
    if len > max {
        return Err(Invalid::new(field, "field.too_long")
            .arg("max", max)
            .arg("len", len));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(Invalid::new(field, "field.control_chars"));
    }
    Ok(value.to_owned())
}

impl OrgInput {
    /// Checks every field and returns all refusals, so a form can show each next to its field,
    /// or the profile with the warnings the user should see (a failing 17th character).
    pub fn parse(&self) -> Result<(OrgProfile, Vec<Notice>), Vec<Invalid>> {
        let mut errors = Vec::new();
        let mut take = |result: Result<String, Invalid>| result.map_err(|e| errors.push(e)).ok();
        let name = take(required("name", &self.name, 100));
        let responsible_person = take(required("responsible_person", &self.responsible_person, 50));
        let contact_person = take(optional("contact_person", &self.contact_person, 50));
        let address = take(optional("address", &self.address, 200));
        let note = take(optional("note", &self.note, 1000));
        let contact_phone = take(self.phone());
        let uscc = Uscc::parse(&self.uscc).map_err(|e| errors.push(e)).ok();
        let kind = self.kind().map_err(|e| errors.push(e)).ok();
        let service_fields = self.fields().map_err(|e| errors.push(e)).ok();
        let service_areas = self.areas().map_err(|e| errors.push(e)).ok();
        let rating = self.rating().map_err(|e| errors.push(e)).ok().flatten();
        match (
            name,
            uscc,
            kind,
            service_fields,
            service_areas,
            responsible_person,
            contact_person,
        ) {
            (
                Some(name),
                Some(uscc),
                Some(kind),
                Some(service_fields),
                Some(service_areas),
                Some(responsible_person),
                Some(contact_person),
            ) if errors.is_empty() => {
                let warnings = uscc.warnings();
                let profile = OrgProfile {
                    name,
                    uscc,
                    kind,
                    service_fields,
                    service_areas,
                    responsible_person,
                    contact_person,
                    contact_phone: contact_phone.unwrap_or_default(),
                    address: address.unwrap_or_default(),
                    rating,
                    note: note.unwrap_or_default(),
                };
                Ok((profile, warnings))
            }
            _ => Err(errors),
        }
    }

    fn kind(&self) -> Result<OrgKind, Invalid> {
        if self.kind.trim().is_empty() {
            return Err(Invalid::new("kind", "field.required"));
        }
        OrgKind::parse(&self.kind)
    }

    fn phone(&self) -> Result<String, Invalid> {
        if self.contact_phone.trim().is_empty() {
            return Ok(String::new());
        }
        crate::phone::Phone::parse(&self.contact_phone)
            .map(|phone| phone.as_str().to_owned())
            .map_err(|e| {
                Invalid(Notice {
                    field: "contact_phone".into(),
                    ..e.0
                })
            })
    }

    fn fields(&self) -> Result<Vec<ServiceField>, Invalid> {
        let mut out = Vec::new();
        for raw in split_list(&self.service_fields) {
            let field = ServiceField::parse(&raw)?;
            if !out.contains(&field) {
                out.push(field);
            }
        }
        Ok(out)
    }

    fn areas(&self) -> Result<Vec<AreaCode>, Invalid> {
        let mut out = Vec::new();
        for raw in split_list(&self.service_areas) {
            let code = AreaCode::parse(&raw).map_err(|e| {
                Invalid(Notice {
                    field: "service_areas".into(),
                    ..e.0
                })
            })?;
            if !out.contains(&code) {
                out.push(code);
            }
        }
        Ok(out)
    }

    fn rating(&self) -> Result<Option<String>, Invalid> {
        let rating = self.rating.trim().to_ascii_uppercase();
        if rating.is_empty() {
            return Ok(None);
        }
        RATINGS
            .iter()
            .find(|r| **r == rating)
            .map(|r| Some((*r).to_owned()))
            .ok_or_else(|| Invalid::new("rating", "org.rating_unknown").arg("value", &self.rating))
    }
}

/// Lists arrive as form arrays, API arrays, or one cell joined by 、，, ; — accept them all.
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(['、', '，', ',', ';', '；', '|']))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

impl From<&OrgProfile> for OrgInput {
    fn from(p: &OrgProfile) -> Self {
        OrgInput {
            name: p.name.clone(),
            uscc: p.uscc.as_str().to_owned(),
            kind: p.kind.as_str().to_owned(),
            service_fields: p
                .service_fields
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            service_areas: p
                .service_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            responsible_person: p.responsible_person.clone(),
            contact_person: p.contact_person.clone(),
            contact_phone: p.contact_phone.clone(),
            address: p.address.clone(),
            rating: p.rating.clone().unwrap_or_default(),
            note: p.note.clone(),
        }
    }
}
