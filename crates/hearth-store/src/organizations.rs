//! The registry of social organizations.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, Utc};
use hearth_core::area::AreaCode;
use hearth_core::organization::{OrgKind, OrgProfile, OrgStatus, Organization, ServiceField};
use hearth_core::uscc::Uscc;
use sea_query::{Cond, Expr, ExprTrait, Func, LikeExpr, Order, Query, SelectStatement};
use std::collections::HashMap;
use uuid::Uuid;

/// What a list page or an export asks for. Every field narrows; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Part of the name.
    pub name: Option<String>,
    /// Part of the credit code.
    pub uscc: Option<String>,
    pub kind: Option<OrgKind>,
    pub status: Option<OrgStatus>,
    pub field: Option<ServiceField>,
    /// Organizations that serve this area: an area inside it, or one of its ancestors.
    pub area: Option<AreaCode>,
    /// Only these organizations (an organization member's own scope).
    pub only: Option<Vec<Uuid>>,
    /// Organizations registered by a county inside this area, or by the county containing it,
    /// or by none (those belong to the whole deployment): a caller's counties.
    pub reaching: Option<AreaCode>,
}

/// A page of a list: 1-based number, and size from the allowed sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: u64,
    pub size: u64,
}

impl PageRequest {
    pub const SIZES: [u64; 4] = [10, 20, 50, 100];

    /// Out-of-range input falls back to the first page of 10 rather than failing a list.
    pub fn new(number: Option<u64>, size: Option<u64>) -> Self {
        let size = size.filter(|s| Self::SIZES.contains(s)).unwrap_or(10);
        PageRequest {
            number: number.unwrap_or(1).clamp(1, 1_000_000),
            size,
        }
    }

    pub fn offset(&self) -> u64 {
        (self.number - 1) * self.size
    }

    /// Every row, for exports.
    pub fn all() -> Self {
        PageRequest {
            number: 1,
            size: u64::MAX / 4,
        }
    }
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    name: String,
    uscc: String,
    kind: String,
    service_fields: String,
    responsible_person: String,
    contact_person: String,
    contact_phone: String,
    address: String,
    rating: Option<String>,
    note: String,
    status: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: [&str; 15] = [
    "id",
    "name",
    "uscc",
    "kind",
    "service_fields",
    "responsible_person",
    "contact_person",
    "contact_phone",
    "address",
    "rating",
    "note",
    "status",
    "version",
    "created_at",
    "updated_at",
];

impl OrgRow {
    fn into_org(self, service_areas: Vec<AreaCode>) -> Result<Organization> {
        let fields: Vec<String> = parsed(
            "organization.service_fields",
            serde_json::from_str(&self.service_fields),
        )?;
        let service_fields = fields
            .iter()
            .map(|f| parsed("organization.service_fields", ServiceField::parse(f)))
            .collect::<Result<_>>()?;
        Ok(Organization {
            id: self.id,
            profile: OrgProfile {
                name: self.name,
                uscc: parsed("organization.uscc", Uscc::parse(&self.uscc))?,
                kind: parsed("organization.kind", OrgKind::parse(&self.kind))?,
                service_fields,
                service_areas,
                responsible_person: self.responsible_person,
                contact_person: self.contact_person,
                contact_phone: self.contact_phone,
                address: self.address,
                rating: self.rating,
                note: self.note,
            },
            status: parsed("organization.status", OrgStatus::parse(&self.status))?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn fields_json(profile: &OrgProfile) -> String {
    serde_json::Value::from(
        profile
            .service_fields
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// The significant prefix of an area code: all of its area is codes starting with it.
fn prefix(code: &AreaCode) -> String {
    let digits = match code.level() {
        hearth_core::area::AreaLevel::Province => 2,
        hearth_core::area::AreaLevel::City => 4,
        hearth_core::area::AreaLevel::County => 6,
        hearth_core::area::AreaLevel::Town => 9,
        hearth_core::area::AreaLevel::Village => 12,
    };
    code.as_str()[..digits].to_owned()
}

fn filtered(filter: &OrgFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("organization");
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // SQLite's LIKE ignores the case of ASCII letters and PostgreSQL's does not: compare
        // lower-cased on both so the engines agree.
        query
            .and_where(Func::lower(Expr::col("name")).like(containing(&name.to_ascii_lowercase())));
    }
    if let Some(uscc) = filter
        .uscc
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        query.and_where(Expr::col("uscc").like(containing(&uscc.to_ascii_uppercase())));
    }
    if let Some(kind) = filter.kind {
        query.and_where(Expr::col("kind").eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query.and_where(Expr::col("status").eq(status.as_str()));
    }
    if let Some(field) = filter.field {
        query.and_where(Expr::col("service_fields").like(format!("%\"{}\"%", field.as_str())));
    }
    if let Some(area) = &filter.area {
        let mut serves = Cond::any().add(Expr::col("area_code").like(format!("{}%", prefix(area))));
        let mut parent = area.parent();
        while let Some(code) = parent {
            serves = serves.add(Expr::col("area_code").eq(code.as_str()));
            parent = code.parent();
        }
        query.and_where(
            Expr::col("id").in_subquery(
                Query::select()
                    .column("organization_id")
                    .from("organization_area")
                    .cond_where(serves)
                    .to_owned(),
            ),
        );
    }
    if let Some(only) = &filter.only {
        query.and_where(Expr::col("id").is_in(only.iter().copied()));
    }
    if let Some(area) = &filter.reaching {
        query.cond_where(reaches(area));
    }
    query
}

/// The condition "the organization's county is inside `area` or contains it, or it has none".
fn reaches(area: &AreaCode) -> Cond {
    let ancestors: Vec<String> = std::iter::successors(Some(area.clone()), AreaCode::parent)
        .map(|a| a.as_str().to_owned())
        .collect();
    let reached = Query::select()
        .column("organization_id")
        .from("organization_county")
        .cond_where(
            Cond::any()
                .add(Expr::col("area_code").like(format!("{}%", prefix(area))))
                .add(Expr::col("area_code").is_in(ancestors)),
        )
        .to_owned();
    let placed = Query::select()
        .column("organization_id")
        .from("organization_county")
        .to_owned();
    Cond::any()
        .add(Expr::col("id").in_subquery(reached))
        .add(Expr::col("id").not_in_subquery(placed))
}

/// Records the county that registered the organization, once, when it is created.
pub async fn set_county(tx: &mut Tx, organization: Uuid, county: &AreaCode) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("organization_county")
            .columns(["organization_id", "area_code"])
            .values_panic([organization.into(), county.as_str().into()]),
    )
    .await?;
    Ok(())
}

/// The county that registered the organization; `None` for one of the whole deployment.
pub async fn county(tx: &mut Tx, organization: Uuid) -> Result<Option<AreaCode>> {
    let code: Option<(String,)> = tx
        .fetch_optional(
            Query::select()
                .column("area_code")
                .from("organization_county")
                .and_where(Expr::col("organization_id").eq(organization)),
        )
        .await?;
    code.map(|(c,)| parsed("organization_county.area_code", AreaCode::parse(&c)))
        .transpose()
}

/// A LIKE pattern for `text` anywhere; `%` and `_` typed by a user are searched for literally.
fn containing(text: &str) -> LikeExpr {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// One page of organizations matching the filter, by name, and the total count.
pub async fn search(
    tx: &mut Tx,
    filter: &OrgFilter,
    page: PageRequest,
) -> Result<(Vec<Organization>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<OrgRow> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("name", Order::Asc)
                .order_by("id", Order::Asc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((with_areas(tx, rows).await?, total))
}

async fn with_areas(tx: &mut Tx, rows: Vec<OrgRow>) -> Result<Vec<Organization>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let links: Vec<(Uuid, String)> = tx
        .fetch_all(
            Query::select()
                .columns(["organization_id", "area_code"])
                .from("organization_area")
                .and_where(Expr::col("organization_id").is_in(rows.iter().map(|r| r.id)))
                .order_by("area_code", Order::Asc),
        )
        .await?;
    let mut areas: HashMap<Uuid, Vec<AreaCode>> = HashMap::new();
    for (id, code) in links {
        areas.entry(id).or_default().push(parsed(
            "organization_area.area_code",
            AreaCode::parse(&code),
        )?);
    }
    rows.into_iter()
        .map(|row| {
            let own = areas.remove(&row.id).unwrap_or_default();
            row.into_org(own)
        })
        .collect()
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Organization>> {
    let rows: Vec<OrgRow> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("organization")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    Ok(with_areas(tx, rows).await?.pop())
}

pub async fn find_by_uscc(tx: &mut Tx, uscc: &Uscc) -> Result<Option<Organization>> {
    let rows: Vec<OrgRow> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS)
                .from("organization")
                .and_where(Expr::col("uscc").eq(uscc.as_str())),
        )
        .await?;
    Ok(with_areas(tx, rows).await?.pop())
}

pub async fn count(tx: &mut Tx, status: Option<OrgStatus>) -> Result<i64> {
    let filter = OrgFilter {
        status,
        ..OrgFilter::default()
    };
    tx.count(filtered(&filter).expr(Expr::col("id").count()))
        .await
}

pub async fn insert(tx: &mut Tx, org: &Organization) -> Result<()> {
    let p = &org.profile;
    tx.execute(
        Query::insert()
            .into_table("organization")
            .columns(COLUMNS)
            .values_panic([
                org.id.into(),
                p.name.clone().into(),
                p.uscc.as_str().into(),
                p.kind.as_str().into(),
                fields_json(p).into(),
                p.responsible_person.clone().into(),
                p.contact_person.clone().into(),
                p.contact_phone.clone().into(),
                p.address.clone().into(),
                p.rating.clone().into(),
                p.note.clone().into(),
                org.status.as_str().into(),
                org.version.into(),
                org.created_at.into(),
                org.updated_at.into(),
            ]),
    )
    .await?;
    replace_areas(tx, org).await
}

/// Writes the organization if it is still at `expected_version`; false if someone else
/// changed it first.
pub async fn update(tx: &mut Tx, org: &Organization, expected_version: i64) -> Result<bool> {
    let p = &org.profile;
    let touched = tx
        .execute(
            Query::update()
                .table("organization")
                .value("name", p.name.clone())
                .value("uscc", p.uscc.as_str())
                .value("kind", p.kind.as_str())
                .value("service_fields", fields_json(p))
                .value("responsible_person", p.responsible_person.clone())
                .value("contact_person", p.contact_person.clone())
                .value("contact_phone", p.contact_phone.clone())
                .value("address", p.address.clone())
                .value("rating", p.rating.clone())
                .value("note", p.note.clone())
                .value("status", org.status.as_str())
                .value("version", org.version)
                .value("updated_at", org.updated_at)
                .and_where(Expr::col("id").eq(org.id))
                .and_where(Expr::col("version").eq(expected_version)),
        )
        .await?;
    if touched == 1 {
        replace_areas(tx, org).await?;
    }
    Ok(touched == 1)
}

async fn replace_areas(tx: &mut Tx, org: &Organization) -> Result<()> {
    tx.execute(
        Query::delete()
            .from_table("organization_area")
            .and_where(Expr::col("organization_id").eq(org.id)),
    )
    .await?;
    if org.profile.service_areas.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table("organization_area")
        .columns(["organization_id", "area_code"]);
    for code in &org.profile.service_areas {
        insert.values_panic([org.id.into(), code.as_str().into()]);
    }
    tx.execute(&insert).await?;
    Ok(())
}
