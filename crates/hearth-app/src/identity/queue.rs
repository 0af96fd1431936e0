//! The review queue: runs that propose candidate pairs, and what reviewers decide about them.
//!
//! A pair is proposed once; whatever is decided stays (a "not the same" pair is never proposed
//! again, because a later run finds the pair already known). A merge takes two people: one
//! proposes it, a different one approves it. Merging deletes nothing — both households, their
//! needs, pledges and deliveries stay as they were; the merged pair is what says they are one
//! family (the duplicate-aid report counts them together) — so unmerging is just reopening the
//! pair. Every decision is written to the audit log with its note.

use super::registry::{Registry, sync_keys};
use crate::{App, AppError, Caller, Result};
use hearth_core::Invalid;
use hearth_core::household::mask;
use hearth_core::permission::Permission;
use hearth_engine::identity::{self, Config};
use hearth_store::Tx;
use hearth_store::audit::{self, NewEvent};
use hearth_store::households::{self, HouseholdRow};
use hearth_store::identity::{self as store, PairRow};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

const RECORD: &str = "identity_pair";

/// What a run found.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Households compared.
    pub records: usize,
    pub candidate_pairs: usize,
    /// Households whose blind keys were computed (again) before the run.
    pub keys_refreshed: usize,
    /// Clusters of two or more households (pairs scoring above the threshold, joined).
    pub clusters: Vec<Vec<HouseholdRef>>,
    /// Pairs put in the queue by this run (pairs already known are left as decided).
    pub new_pairs: usize,
    /// Pairs in the queue waiting for a decision after the run.
    pub open_pairs: usize,
    pub seconds: f64,
}

/// A household as the queue names it: masked reference, never a full ID.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HouseholdRef {
    pub id: Uuid,
    /// Surname and `*`: enough to tell households apart on a list.
    pub head_name: String,
    /// `340123********1234`.
    pub head_id: String,
    pub village_code: String,
}

impl HouseholdRef {
    pub(crate) fn of(row: &HouseholdRow) -> HouseholdRef {
        HouseholdRef {
            id: row.id,
            head_name: mask::mask_name(&row.head_name),
            head_id: row.head_id_masked.clone(),
            village_code: row.village.as_str().to_owned(),
        }
    }
}

/// One side of a pair, masked (the reviewer reveals with a reason to see more).
#[derive(Debug, Clone, Serialize)]
pub struct PairSide {
    pub id: Uuid,
    pub head_name: String,
    pub head_id: String,
    pub phone: String,
    pub village_code: String,
    pub town_code: String,
    pub address: String,
    pub status: String,
    pub main_category: String,
    pub member_count: i64,
    /// `name (birth year)` of each member, the head first.
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairView {
    pub id: Uuid,
    pub status: String,
    pub score: f64,
    /// Field → agreement level (`same`, `different`, `two_edits_valid` …).
    pub evidence: serde_json::Value,
    pub note: String,
    pub proposed_by: Option<Uuid>,
    pub approved_by: Option<Uuid>,
    pub version: i64,
    pub first: PairSide,
    pub second: PairSide,
    /// The caller proposed the merge, so may not approve it.
    pub proposed_by_caller: bool,
}

/// A reviewer's decision on a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not the same household: remembered, never proposed again.
    NotSame,
    /// Decide later: off the top of the queue, still open.
    Later,
    /// Propose merging (the maker); a different reviewer approves.
    ProposeMerge,
    /// Approve a proposed merge (the checker).
    ApproveMerge,
    /// Refuse a proposed merge: the pair goes back to the queue.
    RejectMerge,
    /// Undo a merge: the pair goes back to the queue.
    Unmerge,
}

impl Decision {
    pub fn parse(code: &str) -> Option<Decision> {
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }

    fn code(self) -> &'static str {
        match self {
            Decision::NotSame => "not_same",
            Decision::Later => "later",
            Decision::ProposeMerge => "propose_merge",
            Decision::ApproveMerge => "approve_merge",
            Decision::RejectMerge => "reject_merge",
            Decision::Unmerge => "unmerge",
        }
    }

    /// The statuses it applies to, and the status it leads to.
    fn transition(self) -> (&'static [&'static str], &'static str) {
        match self {
            Decision::NotSame => (&["open", "later", "merge_proposed"], "not_same"),
            Decision::Later => (&["open"], "later"),
            Decision::ProposeMerge => (&["open", "later"], "merge_proposed"),
            Decision::ApproveMerge => (&["merge_proposed"], "merged"),
            Decision::RejectMerge => (&["merge_proposed"], "open"),
            Decision::Unmerge => (&["merged"], "open"),
        }
    }
}

/// Statuses still waiting for someone.
pub const WAITING: [&str; 3] = ["open", "later", "merge_proposed"];

/// Which households a campaign concerns: those with a need, a pledge or aid in it. Another
/// county's campaign is as unknown as one that does not exist.
async fn campaign_households(tx: &mut Tx, caller: &Caller, code: &str) -> Result<HashSet<Uuid>> {
    let campaign = hearth_store::campaigns::by_code(tx, code).await?;
    let campaign = crate::areas::CampaignAreas::load(tx, caller)
        .await?
        .visible(caller, campaign)
        .map_err(|_| Invalid::new("campaign", "identity.campaign_unknown").arg("code", code))?;
    let mut set: HashSet<Uuid> = store::households_in_need(tx, campaign.id)
        .await?
        .into_iter()
        .collect();
    set.extend(
        store::aid_rows(tx, campaign.id)
            .await?
            .into_iter()
            .map(|a| a.household_id),
    );
    Ok(set)
}

/// Which households lie in the caller's county, looked up once each: a county reviews only
/// pairs of its own households (a pair across two counties is in neither county's queue).
struct InScope<'a> {
    caller: &'a Caller,
    seen: HashMap<Uuid, bool>,
}

impl<'a> InScope<'a> {
    fn new(caller: &'a Caller) -> InScope<'a> {
        InScope {
            caller,
            seen: HashMap::new(),
        }
    }

    async fn household(&mut self, tx: &mut Tx, id: Uuid) -> Result<bool> {
        if let Some(&known) = self.seen.get(&id) {
            return Ok(known);
        }
        let inside = match self.caller.area_scope()? {
            None => true,
            Some(area) => households::get(tx, id)
                .await?
                .is_some_and(|row| row.village.is_within(area)),
        };
        self.seen.insert(id, inside);
        Ok(inside)
    }

    async fn pair(&mut self, tx: &mut Tx, first: Uuid, second: Uuid) -> Result<bool> {
        Ok(self.household(tx, first).await? && self.household(tx, second).await?)
    }

    /// The pairs of `rows` the caller may see.
    async fn pairs(&mut self, tx: &mut Tx, rows: Vec<PairRow>) -> Result<Vec<PairRow>> {
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            if self.pair(tx, row.first_id, row.second_id).await? {
                kept.push(row);
            }
        }
        Ok(kept)
    }
}

/// A pair the caller may see, or "not found" (a pair of another county does not leak).
async fn visible_pair(tx: &mut Tx, caller: &Caller, id: Uuid) -> Result<PairRow> {
    let row = store::get_pair(tx, id).await?.ok_or(AppError::NotFound)?;
    if InScope::new(caller)
        .pair(tx, row.first_id, row.second_id)
        .await?
    {
        Ok(row)
    } else {
        Err(AppError::NotFound)
    }
}

impl App {
    /// Finds likely duplicate households in the caller's county (or those touching one of its
    /// campaigns) through blind indexes, and puts the pairs not seen before into the queue.
    pub async fn find_duplicates(
        &self,
        caller: &Caller,
        campaign: Option<&str>,
    ) -> Result<RunSummary> {
        caller.require(Permission::ResolveIdentities)?;
        let start = Instant::now();
        let cipher = self.cipher()?;
        let mut tx = self.store().write().await?;
        let keys_refreshed = sync_keys(&mut tx, cipher).await?;
        let concerned = match campaign {
            Some(code) => Some(campaign_households(&mut tx, caller, code).await?),
            None => None,
        };
        let mut scope = InScope::new(caller);
        let registry = Registry::load(&mut tx).await?;
        let config = Config::default();
        let resolution =
            identity::resolve_sealed(&registry.records, &registry.sealed, &registry.keys, &config);
        let touches = |i: u32| {
            concerned
                .as_ref()
                .is_none_or(|set| set.contains(&registry.ids[i as usize]))
        };
        let mut links: Vec<(u32, u32)> = Vec::new();
        for l in resolution
            .links
            .iter()
            .filter(|l| touches(l.a) || touches(l.b))
        {
            let (a, b) = (registry.ids[l.a as usize], registry.ids[l.b as usize]);
            if scope.pair(&mut tx, a, b).await? {
                links.push((l.a, l.b));
            }
        }
        let evidence =
            identity::explain_sealed(&registry.records, &registry.sealed, &links, &config.weights);
        let mut new_pairs = 0;
        for (&(a, b), ev) in links.iter().zip(&evidence) {
            let row = new_pair(registry.ids[a as usize], registry.ids[b as usize], ev);
            if store::insert_pair(&mut tx, &row).await? {
                new_pairs += 1;
            }
        }
        let mut clusters = Vec::new();
        for cluster in resolution
            .clusters
            .iter()
            .filter(|c| c.iter().any(|&i| touches(i)))
        {
            let mut refs = Vec::new();
            for &i in cluster {
                let id = registry.ids[i as usize];
                if scope.household(&mut tx, id).await?
                    && let Some(row) = households::get(&mut tx, id).await?
                {
                    refs.push(HouseholdRef::of(&row));
                }
            }
            // A household with its likely duplicates all in other counties is no cluster here.
            if refs.len() > 1 {
                clusters.push(refs);
            }
        }
        let waiting = store::pairs(&mut tx, &WAITING).await?;
        let open_pairs = scope.pairs(&mut tx, waiting).await?.len();
        let records = match caller.area_scope()? {
            Some(area) => {
                let filter = hearth_store::households::HouseholdFilter {
                    within: Some(area.clone()),
                    ..Default::default()
                };
                let page = hearth_store::organizations::PageRequest::new(None, None);
                let (_, total) = households::search(&mut tx, &filter, page).await?;
                usize::try_from(total).unwrap_or_default()
            }
            None => registry.ids.len(),
        };
        let actor = caller.actor();
        audit::append(
            &mut tx,
            NewEvent {
                actor: &actor,
                action: "identity_run",
                record_type: RECORD,
                record_id: String::new(),
                detail: serde_json::json!({
                    "campaign": campaign,
                    "records": records,
                    "new_pairs": new_pairs,
                }),
                reason: String::new(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(RunSummary {
            records,
            candidate_pairs: resolution.blocking.candidate_pairs,
            keys_refreshed,
            clusters,
            new_pairs,
            open_pairs,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// The pairs in the queue: waiting ones by default, or those of one status.
    pub async fn identity_queue(
        &self,
        caller: &Caller,
        status: Option<&str>,
    ) -> Result<Vec<PairView>> {
        caller.require(Permission::ResolveIdentities)?;
        let mut tx = self.store().read().await?;
        let statuses: Vec<&str> = match status {
            Some(s) => vec![s],
            None => WAITING.to_vec(),
        };
        let rows = store::pairs(&mut tx, &statuses).await?;
        let rows = InScope::new(caller).pairs(&mut tx, rows).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(view(&mut tx, caller, row).await?);
        }
        Ok(out)
    }

    pub async fn identity_pair(&self, caller: &Caller, id: Uuid) -> Result<PairView> {
        caller.require(Permission::ResolveIdentities)?;
        let mut tx = self.store().read().await?;
        let row = visible_pair(&mut tx, caller, id).await?;
        view(&mut tx, caller, &row).await
    }

    /// Records a decision on a pair; see [`Decision`] and the module notes.
    pub async fn decide_pair(
        &self,
        caller: &Caller,
        id: Uuid,
        decision: Decision,
        note: &str,
    ) -> Result<PairView> {
        caller.require(Permission::ResolveIdentities)?;
        let note = note.trim();
        if decision == Decision::Unmerge && note.chars().count() < 4 {
            return Err(Invalid::new("note", "identity.unmerge_reason").into());
        }
        let mut tx = self.store().write().await?;
        let mut row = visible_pair(&mut tx, caller, id).await?;
        let (from, to) = decision.transition();
        if !from.contains(&row.status.as_str()) {
            return Err(AppError::Conflict(
                Invalid::new("decision", "identity.wrong_status")
                    .arg("status", &row.status)
                    .arg("decision", decision.code()),
            ));
        }
        let me = caller.user.id;
        if decision == Decision::ApproveMerge && row.proposed_by == Some(me) {
            return Err(AppError::Conflict(Invalid::new(
                "decision",
                "identity.same_reviewer",
            )));
        }
        let before = row.status.clone();
        apply(&mut row, decision, to, me, note);
        if !store::update_pair(&mut tx, &row).await? {
            return Err(AppError::Conflict(Invalid::new(
                "version",
                "identity.stale",
            )));
        }
        let actor = caller.actor();
        audit::append(
            &mut tx,
            NewEvent {
                actor: &actor,
                action: &format!("identity_{}", decision.code()),
                record_type: RECORD,
                record_id: row.id.to_string(),
                detail: serde_json::json!({
                    "first": row.first_id,
                    "second": row.second_id,
                    "from": before,
                    "to": to,
                }),
                reason: note.to_owned(),
            },
        )
        .await?;
        row.version += 1;
        let out = view(&mut tx, caller, &row).await?;
        tx.commit().await?;
        Ok(out)
    }
}

fn apply(row: &mut PairRow, decision: Decision, to: &str, me: Uuid, note: &str) {
    let now = hearth_store::now();
    row.status = to.to_owned();
    row.note = note.to_owned();
    match decision {
        Decision::ProposeMerge => {
            row.proposed_by = Some(me);
            row.proposed_at = Some(now);
        }
        Decision::ApproveMerge => {
            row.approved_by = Some(me);
        }
        Decision::RejectMerge | Decision::Unmerge => {
            row.proposed_by = None;
            row.proposed_at = None;
            row.approved_by = None;
        }
        Decision::NotSame | Decision::Later => {}
    }
    row.decided_by = Some(me);
    row.decided_at = Some(now);
}

fn new_pair(a: Uuid, b: Uuid, ev: &identity::Evidence) -> PairRow {
    // One order for a pair, whichever run finds it, so the unique key sees it again.
    let (first_id, second_id) = if a.to_string() < b.to_string() {
        (a, b)
    } else {
        (b, a)
    };
    PairRow {
        id: Uuid::now_v7(),
        first_id,
        second_id,
        score_milli: (f64::from(ev.score) * 1000.0).round() as i64,
        evidence: serde_json::to_string(ev).unwrap_or_default(),
        status: "open".into(),
        note: String::new(),
        proposed_by: None,
        proposed_at: None,
        approved_by: None,
        decided_by: None,
        decided_at: None,
        version: 0,
        created_at: hearth_store::now(),
    }
}

async fn side(tx: &mut Tx, id: Uuid) -> Result<PairSide> {
    let row = households::get(tx, id).await?.ok_or(AppError::NotFound)?;
    let members = households::members(tx, id)
        .await?
        .into_iter()
        .map(|m| format!("{} ({})", mask::mask_name(&m.name), m.birth_year))
        .collect();
    Ok(PairSide {
        id,
        head_name: mask::mask_name(&row.head_name),
        head_id: row.head_id_masked.clone(),
        phone: row
            .phone_last4
            .as_ref()
            .map(|l| format!("*******{l}"))
            .unwrap_or_default(),
        village_code: row.village.as_str().to_owned(),
        town_code: row.town.as_str().to_owned(),
        address: row.address.clone(),
        status: row.status.clone(),
        main_category: row.main_category.clone(),
        member_count: row.member_count,
        members,
    })
}

async fn view(tx: &mut Tx, caller: &Caller, row: &PairRow) -> Result<PairView> {
    Ok(PairView {
        id: row.id,
        status: row.status.clone(),
        score: row.score_milli as f64 / 1000.0,
        evidence: serde_json::from_str(&row.evidence).unwrap_or(serde_json::Value::Null),
        note: row.note.clone(),
        proposed_by: row.proposed_by,
        approved_by: row.approved_by,
        version: row.version,
        first: side(tx, row.first_id).await?,
        second: side(tx, row.second_id).await?,
        proposed_by_caller: row.proposed_by == Some(caller.user.id),
    })
}
