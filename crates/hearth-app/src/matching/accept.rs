//! Accepting a reviewed proposal, in one transaction: every kept line that an organization
//! gives becomes that organization's claim on the need and ties its free pledge line to the
//! need (splitting the line when it offers more); every line a station gives becomes a transfer
//! plan from the station to the household's town station. The proposal is recomputed inside
//! the transaction and its digest compared with the one the reviewer saw, so a proposal made
//! before the needs, pledges or stock changed is refused rather than applied.

use std::collections::{BTreeMap, HashSet};

use hearth_core::Invalid;
use hearth_core::area::AreaCode;
use hearth_core::pledge::PledgeLine;
use hearth_engine::flow::model::{self, Assignment, LineError};
use hearth_store::matching::{self as store, Acceptance, TransferPlan};
use hearth_store::needs::{self, Claim, NeedFilter, NeedRow};
use hearth_store::pledges::{self, PledgeFilter, PledgeLineRow};
use hearth_store::{Tx, ledger};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::instance::{free_line, is_open};
use super::view::{Category, Names, Supplier};
use super::{Solved, county_only, names};
use crate::stock::audited;
use crate::{App, AppError, Caller, Result, today};

/// What the reviewer accepts: the digest of the proposal they reviewed and the lines they kept
/// (as proposed, with another quantity or supplier, fewer, or more: a need split across
/// suppliers, an unmet need given by hand); no lines accepts the proposal as it stands.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AcceptInput {
    pub digest: String,
    pub lines: Option<Vec<AcceptLine>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptLine {
    pub need_id: Uuid,
    /// `org:<id>` or `station:<area code>`, as the proposal names suppliers.
    pub supplier: String,
    pub quantity: u32,
}

/// A need now claimed by an organization under its pledge.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimMade {
    pub need_id: Uuid,
    pub number: String,
    pub organization: Supplier,
    pub pledge_number: String,
    pub quantity: u32,
}

/// Goods a station sends to (or, in its own town, hands out at) the household's town station.
#[derive(Debug, Clone, Serialize)]
pub struct TransferMade {
    pub need_id: Uuid,
    pub number: String,
    pub from: String,
    pub from_name: String,
    pub to: String,
    pub to_name: String,
    pub item: Category,
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AcceptedView {
    pub acceptance_id: Uuid,
    pub campaign_code: String,
    pub claims: Vec<ClaimMade>,
    pub transfers: Vec<TransferMade>,
    pub households: usize,
}

/// A refused line, named as the form and the API name it (`lines[i]`), its message naming
/// the need by number and the supplier by name.
fn line_refused(names: &Names, lines: &[model::Line], error: LineError) -> AppError {
    let (line, code) = match &error {
        LineError::UnknownNeed { line, .. } => (*line, "matching.line_unknown_need"),
        LineError::ZeroQuantity { line } => (*line, "matching.line_zero"),
        LineError::NotSupplied { line, .. } if lines[*line].supplier.is_empty() => {
            (*line, "matching.line_no_supplier")
        }
        LineError::NotSupplied { line, .. } => (*line, "matching.line_not_supplied"),
        LineError::OverSupply { line, .. } => (*line, "matching.line_over_supply"),
        LineError::OverNeed { line, .. } => (*line, "matching.line_over_need"),
    };
    let refused = &lines[line];
    let need = names
        .loaded
        .needs
        .get(&refused.need)
        .map_or_else(|| refused.need.clone(), |n| n.number.clone());
    let supplier = names.supplier(&refused.supplier, names.kind_of(&refused.supplier));
    let mut invalid = Invalid::new(format!("lines[{line}]"), code)
        .arg("need", need)
        .arg("supplier", supplier.name);
    match error {
        LineError::OverSupply {
            available, asked, ..
        } => invalid = invalid.arg("available", available).arg("asked", asked),
        LineError::OverNeed { cap, asked, .. } => {
            invalid = invalid.arg("cap", cap).arg("asked", asked);
        }
        _ => {}
    }
    invalid.into()
}

fn stale() -> AppError {
    AppError::Conflict(Invalid::new("digest", "matching.stale"))
}

impl App {
    /// 采纳方案: applies the reviewed lines of the current proposal, or refuses if the
    /// proposal changed since the reviewer saw it (`digest`).
    pub async fn accept_matching(
        &self,
        caller: &Caller,
        campaign: &str,
        input: &AcceptInput,
    ) -> Result<AcceptedView> {
        self.accept_reviewed(caller, campaign, input, None).await
    }

    /// 采纳方案 from one page of a long proposal: `input.lines` are the lines of the needs the
    /// page showed (`shown`) as the reviewer left them, and every other need keeps its proposed
    /// lines — the whole proposal is accepted, with that page's changes.
    pub async fn accept_matching_page(
        &self,
        caller: &Caller,
        campaign: &str,
        input: &AcceptInput,
        shown: &[Uuid],
    ) -> Result<AcceptedView> {
        self.accept_reviewed(caller, campaign, input, Some(shown))
            .await
    }

    async fn accept_reviewed(
        &self,
        caller: &Caller,
        campaign: &str,
        input: &AcceptInput,
        shown: Option<&[Uuid]>,
    ) -> Result<AcceptedView> {
        county_only(caller)?;
        let mut tx = self.store().write().await?;
        ledger::lock_head(&mut tx).await?;
        let solved = self.solve_in(&mut tx, caller, campaign).await?;
        if input.digest.trim() != solved.digest {
            return Err(stale());
        }
        let lines = kept_lines(&solved, input, shown);
        let names = names(&mut tx, &solved.loaded).await?;
        let assignments = model::check_lines(&solved.loaded.instance, &lines)
            .map_err(|e| line_refused(&names, &lines, e))?;
        if assignments.is_empty() {
            return Err(Invalid::new("lines", "matching.nothing_to_accept").into());
        }
        let acceptance = Acceptance {
            id: Uuid::now_v7(),
            campaign_id: solved.campaign_id,
            digest: solved.digest.clone(),
            claims: claimed_needs(&assignments).len() as i64,
            transfers: assignments
                .iter()
                .filter(|a| a.supplier.starts_with("station:"))
                .count() as i64,
            accepted_by: caller.user.id,
            accepted_at: hearth_store::now(),
        };
        store::insert_acceptance(&mut tx, &acceptance).await?;
        let claims = claim_for_organizations(&mut tx, caller, &solved, &assignments).await?;
        let plans = plan_transfers(&mut tx, &solved, &acceptance, &assignments).await?;
        let detail = serde_json::json!({
            "campaign": solved.code, "digest": solved.digest,
            "claims": claims.iter().map(|c| c.number.clone()).collect::<Vec<_>>(),
            "transfers": plans.len(),
        });
        audited(
            &mut tx,
            caller,
            ("matching_accepted", "campaign"),
            solved.campaign_id,
            detail,
            String::new(),
        )
        .await?;
        let view = accepted_view(&names, &solved, acceptance.id, claims, &plans);
        tx.commit().await?;
        Ok(view)
    }
}

/// The lines to apply: as the reviewer sent them, or the whole proposal; when the reviewer saw
/// only some needs (`shown`), the proposed lines of the others first, then those sent (so a
/// line over a supplier's stock is the reviewer's, and named).
fn kept_lines(solved: &Solved, input: &AcceptInput, shown: Option<&[Uuid]>) -> Vec<model::Line> {
    let Some(lines) = &input.lines else {
        return proposed_lines(solved, |_| true);
    };
    let mut out = match shown {
        Some(shown) => {
            let shown: HashSet<String> = shown.iter().map(Uuid::to_string).collect();
            proposed_lines(solved, |need| !shown.contains(need))
        }
        None => Vec::new(),
    };
    out.extend(lines.iter().map(|l| model::Line {
        need: l.need_id.to_string(),
        supplier: l.supplier.trim().to_owned(),
        quantity: l.quantity,
    }));
    out
}

fn proposed_lines(solved: &Solved, keep: impl Fn(&str) -> bool) -> Vec<model::Line> {
    solved
        .proposal
        .assignments
        .iter()
        .filter(|a| keep(&a.need))
        .map(|a| model::Line {
            need: a.need.clone(),
            supplier: a.supplier.clone(),
            quantity: a.quantity,
        })
        .collect()
}

/// Per need given by organizations: the organization giving the most units (it holds the
/// claim), and every organization line.
fn claimed_needs(assignments: &[Assignment]) -> BTreeMap<&str, Vec<&Assignment>> {
    let mut out: BTreeMap<&str, Vec<&Assignment>> = BTreeMap::new();
    for a in assignments
        .iter()
        .filter(|a| a.supplier.starts_with("org:"))
    {
        out.entry(&a.need).or_default().push(a);
    }
    for lines in out.values_mut() {
        lines.sort_by(|a, b| {
            b.quantity
                .cmp(&a.quantity)
                .then(a.supplier.cmp(&b.supplier))
        });
    }
    out
}

fn organization_of(key: &str) -> Option<Uuid> {
    key.strip_prefix("org:")
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// A free pledge line of one organization and category, with the pledge it belongs to.
struct FreeLine {
    pledge: Uuid,
    number: String,
    line: PledgeLineRow,
    units: u32,
}

fn with_units(line: &PledgeLine, units: u32) -> PledgeLine {
    match line {
        PledgeLine::Item {
            item, unit_value, ..
        } => PledgeLine::Item {
            item: item.clone(),
            quantity: units,
            unit_value: *unit_value,
        },
        PledgeLine::Service { service, schedule } => PledgeLine::Service {
            service: *service,
            schedule: hearth_core::pledge::Schedule {
                visits: units,
                ..*schedule
            },
        },
        PledgeLine::Cash { amount } => PledgeLine::Cash { amount: *amount },
    }
}

/// The free pledge lines of the campaign by organization and category, oldest pledge first.
async fn free_lines(
    tx: &mut Tx,
    campaign: Uuid,
) -> Result<BTreeMap<(Uuid, String), Vec<FreeLine>>> {
    let filter = PledgeFilter {
        campaign: Some(campaign),
        ..PledgeFilter::default()
    };
    let mut all = pledges::search(tx, &filter).await?;
    all.reverse();
    let mut out: BTreeMap<(Uuid, String), Vec<FreeLine>> = BTreeMap::new();
    for pledge in all.into_iter().filter(|p| is_open(p, today())) {
        for line in &pledge.lines {
            let Some((category, units)) = free_line(line) else {
                continue;
            };
            out.entry((pledge.row.organization_id, category))
                .or_default()
                .push(FreeLine {
                    pledge: pledge.row.id,
                    number: pledge.row.number.clone(),
                    line: line.clone(),
                    units,
                });
        }
    }
    Ok(out)
}

/// Ties `quantity` units of the pool's free lines to `need`, splitting the last line taken;
/// the pledges used, by number.
async fn tie(
    tx: &mut Tx,
    pool: &mut Vec<FreeLine>,
    need: &NeedRow,
    mut quantity: u32,
) -> Result<Vec<String>> {
    let mut used = Vec::new();
    while quantity > 0 {
        let Some(free) = pool.first_mut() else {
            return Err(stale());
        };
        let take = quantity.min(free.units);
        if !store::tie_line(tx, &free.line, need.id, take).await? {
            return Err(stale());
        }
        store::add_household(
            tx,
            free.pledge,
            need.household_id,
            &need.village,
            &need.town,
        )
        .await?;
        used.push(free.number.clone());
        quantity -= take;
        if take < free.units {
            let rest = PledgeLineRow {
                id: Uuid::now_v7(),
                need_id: None,
                line: with_units(&free.line.line, free.units - take),
                done_at: None,
            };
            store::append_line(tx, free.pledge, &rest).await?;
            free.line = rest;
            free.units -= take;
        } else {
            pool.remove(0);
        }
    }
    Ok(used)
}

async fn claim_for_organizations(
    tx: &mut Tx,
    caller: &Caller,
    solved: &Solved,
    assignments: &[Assignment],
) -> Result<Vec<ClaimMade>> {
    let mut pools = free_lines(tx, solved.campaign_id).await?;
    let mut out = Vec::new();
    for (need_key, lines) in claimed_needs(assignments) {
        let need = &solved.loaded.needs[need_key];
        let holder = organization_of(&lines[0].supplier).ok_or_else(stale)?;
        let visible = NeedFilter {
            shared_with: Some(holder),
            ..NeedFilter::default()
        };
        let claim = Claim {
            organization: holder,
            user: caller.user.id,
            at: hearth_store::now(),
        };
        if !needs::claim(tx, need.id, claim, &visible).await? {
            return Err(Invalid::new("lines", "matching.claim_refused")
                .arg("need", &need.number)
                .into());
        }
        let mut pledge_numbers = Vec::new();
        for line in &lines {
            let org = organization_of(&line.supplier).ok_or_else(stale)?;
            let pool = pools.entry((org, line.category.clone())).or_default();
            pledge_numbers.extend(tie(tx, pool, need, line.quantity).await?);
        }
        pledge_numbers.dedup();
        out.push(ClaimMade {
            need_id: need.id,
            number: need.number.clone(),
            organization: Supplier {
                key: lines[0].supplier.clone(),
                kind: model::SupplierKind::Organization,
                name: String::new(),
            },
            pledge_number: pledge_numbers.join(", "),
            quantity: lines.iter().map(|l| l.quantity).sum(),
        });
    }
    Ok(out)
}

async fn plan_transfers(
    tx: &mut Tx,
    solved: &Solved,
    acceptance: &Acceptance,
    assignments: &[Assignment],
) -> Result<Vec<TransferPlan>> {
    let mut out = Vec::new();
    for a in assignments {
        let Some(code) = a.supplier.strip_prefix("station:") else {
            continue;
        };
        let need = &solved.loaded.needs[&a.need];
        let plan = TransferPlan {
            id: Uuid::now_v7(),
            acceptance_id: acceptance.id,
            campaign_id: solved.campaign_id,
            need_id: need.id,
            household_id: need.household_id,
            from: AreaCode::parse(code).map_err(|_| stale())?,
            to: need.town.clone(),
            item: a.category.clone(),
            quantity: i64::from(a.quantity),
        };
        store::insert_transfer(tx, &plan).await?;
        out.push(plan);
    }
    Ok(out)
}

fn accepted_view(
    names: &Names,
    solved: &Solved,
    acceptance_id: Uuid,
    claims: Vec<ClaimMade>,
    plans: &[TransferPlan],
) -> AcceptedView {
    let number = |id: Uuid| {
        solved
            .loaded
            .needs
            .get(&id.to_string())
            .map(|n| n.number.clone())
            .unwrap_or_default()
    };
    let mut households: Vec<Uuid> = plans.iter().map(|p| p.household_id).collect();
    households.extend(
        claims
            .iter()
            .filter_map(|c| solved.loaded.needs.get(&c.need_id.to_string()))
            .map(|n| n.household_id),
    );
    households.sort();
    households.dedup();
    AcceptedView {
        acceptance_id,
        campaign_code: solved.code.clone(),
        claims: claims
            .into_iter()
            .map(|mut c| {
                c.organization = names.supplier(&c.organization.key, c.organization.kind);
                c
            })
            .collect(),
        transfers: plans
            .iter()
            .map(|p| TransferMade {
                need_id: p.need_id,
                number: number(p.need_id),
                from: p.from.as_str().to_owned(),
                from_name: names.area(p.from.as_str()),
                to: p.to.as_str().to_owned(),
                to_name: names.area(p.to.as_str()),
                item: names.category(&p.item),
                quantity: p.quantity,
            })
            .collect(),
        households: households.len(),
    }
}
