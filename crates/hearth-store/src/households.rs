//! Households and their members. Rows arrive already sealed by the application: this module
//! keeps the plain columns lists and searches need, and the sealed profile, nothing more.

use crate::{Result, Tx, parsed};
use chrono::{DateTime, NaiveDate, Utc};
use hearth_core::area::AreaCode;
use sea_query::{Cond, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement, SimpleExpr};
use serde::Serialize;
use std::collections::BTreeSet;
use uuid::Uuid;

use crate::organizations::PageRequest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    pub id: Uuid,
    pub village: AreaCode,
    pub town: AreaCode,
    /// A `HouseholdStatus` code.
    pub status: String,
    pub head_name: String,
    pub head_id_masked: String,
    pub address: String,
    pub phone_index: Option<String>,
    pub phone_last4: Option<String>,
    pub main_category: String,
    /// Category codes of every tag.
    pub categories: Vec<String>,
    pub shares_with_orgs: bool,
    pub member_count: i64,
    pub score: i64,
    #[serde(skip)]
    pub sealed: String,
    pub entered_by: Uuid,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub return_reason: String,
    pub retain_until: NaiveDate,
    pub anonymised_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MemberRow {
    pub id: Uuid,
    pub household_id: Uuid,
    pub position: i64,
    pub name: String,
    pub relation: String,
    #[serde(skip)]
    pub id_index: String,
    pub id_last4: String,
    pub sex: String,
    pub birth_year: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    village_code: String,
    town_code: String,
    status: String,
    head_name: String,
    head_id_masked: String,
    address: String,
    phone_index: Option<String>,
    phone_last4: Option<String>,
    main_category: String,
    categories: String,
    shares_with_orgs: bool,
    member_count: i64,
    score: i64,
    sealed: String,
    entered_by: Uuid,
    reviewed_by: Option<Uuid>,
    reviewed_at: Option<DateTime<Utc>>,
    return_reason: String,
    retain_until: String,
    anonymised_at: Option<DateTime<Utc>>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: [&str; 24] = [
    "id",
    "village_code",
    "town_code",
    "status",
    "head_name",
    "head_id_masked",
    "address",
    "phone_index",
    "phone_last4",
    "main_category",
    "categories",
    "shares_with_orgs",
    "member_count",
    "score",
    "sealed",
    "entered_by",
    "reviewed_by",
    "reviewed_at",
    "return_reason",
    "retain_until",
    "anonymised_at",
    "version",
    "created_at",
    "updated_at",
];

pub(crate) const MEMBER_COLUMNS: [&str; 9] = [
    "id",
    "household_id",
    "position",
    "name",
    "relation",
    "id_index",
    "id_last4",
    "sex",
    "birth_year",
];

/// The table of name suffixes the name search reads (migration 0022).
const SUFFIXES: &str = "member_name_suffix";
/// Suffix rows per insert statement, two parameters each, under both engines' limits.
const SUFFIXES_PER_STATEMENT: usize = 10_000;

impl Row {
    fn into_row(self) -> Result<HouseholdRow> {
        Ok(HouseholdRow {
            id: self.id,
            village: parsed(
                "household.village_code",
                AreaCode::parse(&self.village_code),
            )?,
            town: parsed("household.town_code", AreaCode::parse(&self.town_code))?,
            status: self.status,
            head_name: self.head_name,
            head_id_masked: self.head_id_masked,
            address: self.address,
            phone_index: self.phone_index,
            phone_last4: self.phone_last4,
            main_category: self.main_category,
            categories: parsed(
                "household.categories",
                serde_json::from_str(&self.categories),
            )?,
            shares_with_orgs: self.shares_with_orgs,
            member_count: self.member_count,
            score: self.score,
            sealed: self.sealed,
            entered_by: self.entered_by,
            reviewed_by: self.reviewed_by,
            reviewed_at: self.reviewed_at,
            return_reason: self.return_reason,
            retain_until: parsed(
                "household.retain_until",
                self.retain_until.parse::<NaiveDate>(),
            )?,
            anonymised_at: self.anonymised_at,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// What a household list asks for; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Households in this area (a village, a town, the county).
    pub within: Option<AreaCode>,
    /// Households in any of these areas (an organization's service areas).
    pub within_any: Option<Vec<AreaCode>>,
    pub statuses: Option<Vec<String>>,
    /// Carries this category among its tags.
    pub category: Option<String>,
    /// Consented to sharing with organizations (true) or not (false).
    pub shares_with_orgs: Option<bool>,
    /// Part of a member's name, taken literally (`%` and `_` too), ASCII letters in either case.
    pub name: Option<String>,
    /// Some member has exactly this ID number (its blind index).
    pub member_id_index: Option<String>,
    /// Exactly this phone (its blind index).
    pub phone_index: Option<String>,
    /// Some member's ID, or the phone, ends with these four characters.
    pub last4: Option<String>,
    pub include_anonymised: bool,
    /// Only these households.
    pub ids: Option<Vec<Uuid>>,
    /// No household at all (a scope that sees nothing).
    pub nothing: bool,
}

fn filtered(filter: &HouseholdFilter) -> SelectStatement {
    let mut query = Query::select();
    query.from("household");
    if filter.nothing {
        query.and_where(Expr::val(1).eq(0));
    }
    if let Some(ids) = &filter.ids {
        query.and_where(Expr::col("id").is_in(ids.iter().copied()));
    }
    if let Some(area) = &filter.within {
        query.and_where(Expr::col("village_code").like(format!("{}%", area.prefix())));
    }
    if let Some(areas) = &filter.within_any {
        let any = areas.iter().fold(Cond::any(), |cond, area| {
            cond.add(Expr::col("village_code").like(format!("{}%", area.prefix())))
        });
        query.cond_where(if areas.is_empty() {
            Cond::all().add(Expr::val(1).eq(0))
        } else {
            any
        });
    }
    if let Some(statuses) = &filter.statuses {
        query.and_where(Expr::col("status").is_in(statuses.iter().cloned()));
    }
    if let Some(category) = &filter.category {
        query.and_where(
            Expr::col("categories")
                .like(format!("%\"{}\"%", category.replace(['%', '_', '"'], ""))),
        );
    }
    if let Some(shares) = filter.shares_with_orgs {
        query.and_where(Expr::col("shares_with_orgs").eq(shares));
    }
    let members = |cond: Cond| {
        Expr::col("id").in_subquery(
            Query::select()
                .column("household_id")
                .from("household_member")
                .cond_where(cond)
                .to_owned(),
        )
    };
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        query.and_where(name_contains(name));
    }
    if let Some(index) = &filter.member_id_index {
        query.and_where(members(
            Cond::all().add(Expr::col("id_index").eq(index.as_str())),
        ));
    }
    if let Some(index) = &filter.phone_index {
        query.and_where(Expr::col("phone_index").eq(index.as_str()));
    }
    if let Some(last4) = &filter.last4 {
        query.cond_where(
            Cond::any()
                .add(Expr::col("phone_last4").eq(last4.as_str()))
                .add(members(
                    Cond::all().add(Expr::col("id_last4").eq(last4.as_str())),
                )),
        );
    }
    if !filter.include_anonymised {
        query.and_where(Expr::col("anonymised_at").is_null());
    }
    query
}

/// Households with a member whose name contains `part`: a prefix range over the suffixes of
/// their names (migration 0022), which the index answers instead of a scan of every member.
fn name_contains(part: &str) -> SimpleExpr {
    let from = part.to_ascii_lowercase();
    // Above every character that can follow the prefix, in byte order (UTF-8 and "C").
    let to = format!("{from}{}", char::MAX);
    Expr::col("id").in_subquery(
        Query::select()
            .column("household_id")
            .from(SUFFIXES)
            .and_where(Expr::col("suffix").gte(from))
            .and_where(Expr::col("suffix").lt(to))
            .to_owned(),
    )
}

pub async fn search(
    tx: &mut Tx,
    filter: &HouseholdFilter,
    page: PageRequest,
) -> Result<(Vec<HouseholdRow>, i64)> {
    let total = tx
        .count(filtered(filter).expr(Expr::col("id").count()))
        .await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            filtered(filter)
                .columns(COLUMNS)
                .order_by("score", Order::Desc)
                .order_by("head_name", Order::Asc)
                .order_by("id", Order::Asc)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((
        rows.into_iter().map(Row::into_row).collect::<Result<_>>()?,
        total,
    ))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<HouseholdRow>> {
    let row: Option<Row> = tx
        .fetch_optional(
            Query::select()
                .columns(COLUMNS)
                .from("household")
                .and_where(Expr::col("id").eq(id)),
        )
        .await?;
    row.map(Row::into_row).transpose()
}

pub async fn members(tx: &mut Tx, household: Uuid) -> Result<Vec<MemberRow>> {
    tx.fetch_all(
        Query::select()
            .columns(MEMBER_COLUMNS)
            .from("household_member")
            .and_where(Expr::col("household_id").eq(household))
            .order_by("position", Order::Asc),
    )
    .await
}

/// The households with these ids, in the order of their ids; ids not found are left out.
/// A statement per 30,000 ids, where fetching one by one would cost a round trip each.
pub async fn get_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<HouseholdRow>> {
    let rows: Vec<Row> = tx
        .fetch_in_parts(ids, |part| {
            Query::select()
                .columns(COLUMNS)
                .from("household")
                .and_where(Expr::col("id").is_in(part.iter().copied()))
                .to_owned()
        })
        .await?;
    let mut found = rows
        .into_iter()
        .map(Row::into_row)
        .collect::<Result<Vec<_>>>()?;
    found.sort_by_key(|row| row.id);
    Ok(found)
}

/// The members of these households: by household id, then in each household's order.
pub async fn members_of(tx: &mut Tx, households: &[Uuid]) -> Result<Vec<MemberRow>> {
    let mut found = members_whose(tx, "household_id", households).await?;
    found.sort_by_key(|m| (m.household_id, m.position));
    Ok(found)
}

/// The members whose `column` holds one of `values`, a statement per 30,000 values.
pub(crate) async fn members_whose<V>(
    tx: &mut Tx,
    column: &'static str,
    values: &[V],
) -> Result<Vec<MemberRow>>
where
    V: Clone + Sync + Into<sea_query::Value>,
{
    tx.fetch_in_parts(values, |part| {
        Query::select()
            .columns(MEMBER_COLUMNS)
            .from("household_member")
            .and_where(Expr::col(column).is_in(part.iter().cloned()))
            .to_owned()
    })
    .await
}

/// The member (and so the household) already holding one of these ID numbers, if any.
pub async fn member_with_index(
    tx: &mut Tx,
    indexes: &[String],
    except_household: Option<Uuid>,
) -> Result<Option<MemberRow>> {
    if indexes.is_empty() {
        return Ok(None);
    }
    let mut query = Query::select();
    query
        .columns(MEMBER_COLUMNS)
        .from("household_member")
        .and_where(Expr::col("id_index").is_in(indexes.iter().cloned()))
        .limit(1);
    if let Some(id) = except_household {
        query.and_where(Expr::col("household_id").ne(id));
    }
    tx.fetch_optional(&query).await
}

pub(crate) fn values(row: &HouseholdRow) -> Vec<sea_query::SimpleExpr> {
    vec![
        row.id.into(),
        row.village.as_str().into(),
        row.town.as_str().into(),
        row.status.clone().into(),
        row.head_name.clone().into(),
        row.head_id_masked.clone().into(),
        row.address.clone().into(),
        row.phone_index.clone().into(),
        row.phone_last4.clone().into(),
        row.main_category.clone().into(),
        serde_json::Value::from(row.categories.clone())
            .to_string()
            .into(),
        row.shares_with_orgs.into(),
        row.member_count.into(),
        row.score.into(),
        row.sealed.clone().into(),
        row.entered_by.into(),
        row.reviewed_by.into(),
        row.reviewed_at.into(),
        row.return_reason.clone().into(),
        row.retain_until.to_string().into(),
        row.anonymised_at.into(),
        row.version.into(),
        row.created_at.into(),
        row.updated_at.into(),
    ]
}

pub async fn insert(tx: &mut Tx, row: &HouseholdRow, members: &[MemberRow]) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table("household")
            .columns(COLUMNS)
            .values_panic(values(row)),
    )
    .await?;
    insert_members(tx, members).await
}

pub(crate) async fn insert_members(tx: &mut Tx, members: &[MemberRow]) -> Result<()> {
    if members.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert
        .into_table("household_member")
        .columns(MEMBER_COLUMNS);
    for m in members {
        insert.values_panic([
            m.id.into(),
            m.household_id.into(),
            m.position.into(),
            m.name.clone().into(),
            m.relation.clone().into(),
            m.id_index.clone().into(),
            m.id_last4.clone().into(),
            m.sex.clone().into(),
            m.birth_year.into(),
        ]);
    }
    tx.execute(&insert).await?;
    insert_name_suffixes(tx, members).await
}

/// Every suffix, in characters, of every member's name, with ASCII letters in lower case (the
/// search is as blind to their case as `LIKE` was on SQLite); once per household.
fn name_suffixes(members: &[MemberRow]) -> BTreeSet<(String, Uuid)> {
    members
        .iter()
        .flat_map(|m| {
            let name = m.name.to_ascii_lowercase();
            name.char_indices()
                .map(|(at, _)| (name[at..].to_owned(), m.household_id))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Adds the members' name suffixes; those their households already have stay as they are
/// (an import may write a household's members in two statements).
async fn insert_name_suffixes(tx: &mut Tx, members: &[MemberRow]) -> Result<()> {
    let rows: Vec<_> = name_suffixes(members).into_iter().collect();
    for part in rows.chunks(SUFFIXES_PER_STATEMENT) {
        let mut insert = Query::insert();
        insert
            .into_table(SUFFIXES)
            .columns(["suffix", "household_id"])
            .on_conflict(
                OnConflict::columns(["suffix", "household_id"])
                    .do_nothing()
                    .to_owned(),
            );
        for (suffix, household) in part {
            insert.values_panic([suffix.clone().into(), (*household).into()]);
        }
        tx.execute(&insert).await?;
    }
    Ok(())
}

/// Writes the household if it is still at `expected_version`, replacing its members when given.
/// False if someone else saved first.
pub async fn update(
    tx: &mut Tx,
    row: &HouseholdRow,
    expected_version: i64,
    members: Option<&[MemberRow]>,
) -> Result<bool> {
    let mut update = Query::update();
    update.table("household");
    for (column, value) in COLUMNS.iter().zip(values(row)).skip(1) {
        update.value(*column, value);
    }
    update
        .and_where(Expr::col("id").eq(row.id))
        .and_where(Expr::col("version").eq(expected_version));
    if tx.execute(&update).await? != 1 {
        return Ok(false);
    }
    if let Some(members) = members {
        for table in ["household_member", SUFFIXES] {
            tx.execute(
                Query::delete()
                    .from_table(table)
                    .and_where(Expr::col("household_id").eq(row.id)),
            )
            .await?;
        }
        insert_members(tx, members).await?;
    }
    Ok(true)
}

/// Every household, sealed values included, for key rotation and retention.
pub async fn all(tx: &mut Tx, include_anonymised: bool) -> Result<Vec<HouseholdRow>> {
    let filter = HouseholdFilter {
        include_anonymised,
        ..HouseholdFilter::default()
    };
    Ok(search(tx, &filter, PageRequest::all()).await?.0)
}

/// The households whose identity keys (migration 0015) must be computed again (none stored, stored for an older version
/// or under a key other than `key_id`) and the anonymised ones that still have keys (to drop
/// them), found by the database rather than by reading every household.
pub async fn with_stale_identity_keys(tx: &mut Tx, key_id: &str) -> Result<Vec<HouseholdRow>> {
    let household = |c: &'static str| Expr::col(("household", c));
    let state = |c: &'static str| Expr::col(("identity_key_state", c));
    let live_and_stale = Cond::all().add(household("anonymised_at").is_null()).add(
        Cond::any()
            .add(state("household_id").is_null())
            .add(state("version").ne(household("version")))
            .add(state("key_id").ne(key_id)),
    );
    let gone_with_keys = Cond::all()
        .add(household("anonymised_at").is_not_null())
        .add(state("household_id").is_not_null());
    let rows: Vec<Row> = tx
        .fetch_all(
            Query::select()
                .columns(COLUMNS.iter().map(|c| ("household", *c)))
                .from("household")
                .left_join(
                    "identity_key_state",
                    Expr::col(("identity_key_state", "household_id")).equals(("household", "id")),
                )
                .cond_where(Cond::any().add(live_and_stale).add(gone_with_keys))
                .order_by(("household", "id"), Order::Asc),
        )
        .await?;
    rows.into_iter().map(Row::into_row).collect()
}
