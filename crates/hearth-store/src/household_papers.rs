//! What the papers handed to households share in storage — handovers ([`crate::stock`]), cash
//! aid ([`crate::cash_aid`]) and returns ([`crate::returns`]): the list filter by the
//! households' area, campaign and household; paging newest day first with the count; one
//! paper by id; and who received (the head, or a proxy with the relationship).

use crate::db::Rows;
use crate::organizations::PageRequest;
use crate::{Result, Tx, parsed};
use hearth_core::area::AreaCode;
use hearth_core::delivery::{Proxy, ProxyRelationship, RecipientKind};
use sea_query::{Cond, Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use uuid::Uuid;

/// What every list of household papers may be narrowed by.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Narrowing<'a> {
    /// Households in this area (the county, a town, a village).
    pub within: Option<&'a AreaCode>,
    pub campaign: Option<Uuid>,
    pub household: Option<Uuid>,
    /// Nothing at all (a scope that sees nothing).
    pub nothing: bool,
}

impl Narrowing<'_> {
    /// The condition on a table with `village_code`, `campaign_id` and `household_id`.
    pub fn condition(&self) -> Cond {
        let mut all = Cond::all();
        if self.nothing {
            all = all.add(Expr::val(1).eq(0));
        }
        if let Some(area) = self.within {
            all = all.add(Expr::col("village_code").like(format!("{}%", area.prefix())));
        }
        if let Some(campaign) = self.campaign {
            all = all.add(Expr::col("campaign_id").eq(campaign));
        }
        if let Some(household) = self.household {
            all = all.add(Expr::col("household_id").eq(household));
        }
        all
    }

    /// `table`'s rows under the condition.
    pub fn select(&self, table: &'static str) -> SelectStatement {
        let mut query = Query::select();
        query.from(table).cond_where(self.condition());
        query
    }
}

/// One page of `query`'s rows, ordered by `day` then number (newest first unless `oldest_first`),
/// and how many match in all.
pub(crate) async fn page<R: Rows>(
    tx: &mut Tx,
    query: SelectStatement,
    (columns, day): (&[&'static str], &'static str),
    page: PageRequest,
    oldest_first: bool,
) -> Result<(Vec<R>, i64)> {
    let total = tx
        .count(query.clone().expr(Expr::col("id").count()))
        .await?;
    let order = if oldest_first {
        Order::Asc
    } else {
        Order::Desc
    };
    let rows = tx
        .fetch_all(
            query
                .clone()
                .columns(columns.iter().copied())
                .order_by(day, order.clone())
                .order_by("number", order)
                .limit(page.size)
                .offset(page.offset()),
        )
        .await?;
    Ok((rows, total))
}

/// The rows of `table` with this id (none or one).
pub(crate) async fn by_id<R: Rows>(
    tx: &mut Tx,
    table: &'static str,
    columns: &[&'static str],
    id: Uuid,
) -> Result<Vec<R>> {
    tx.fetch_all(
        Query::select()
            .columns(columns.iter().copied())
            .from(table)
            .and_where(Expr::col("id").eq(id)),
    )
    .await
}

/// The `recipient`, `proxy_name` and `proxy_relationship` columns' values.
pub(crate) fn proxy_values(proxy: Option<&Proxy>) -> [SimpleExpr; 3] {
    let recipient = match proxy {
        Some(_) => RecipientKind::Proxy,
        None => RecipientKind::Head,
    };
    [
        recipient.as_str().into(),
        proxy.map(|p| p.name.clone()).unwrap_or_default().into(),
        proxy.map(|p| p.relationship.as_str()).into(),
    ]
}

/// The proxy as stored: `recipient` names who received; a proxy keeps name and relationship.
pub(crate) fn stored_proxy(
    table: &str,
    recipient: &str,
    name: String,
    relationship: Option<&str>,
) -> Result<Option<Proxy>> {
    let kind = parsed(
        &format!("{table}.recipient"),
        RecipientKind::parse(recipient),
    )?;
    Ok(match kind {
        RecipientKind::Head => None,
        RecipientKind::Proxy => Some(Proxy {
            name,
            relationship: parsed(
                &format!("{table}.proxy_relationship"),
                ProxyRelationship::parse(relationship.unwrap_or("")),
            )?,
        }),
    })
}
