//! Demo pledges (演示承诺书) and what follows them, so the pledge list, the letter, the
//! deliveries, the visits and the to-do lists have something to show: the three demo
//! organizations with accounts (`org`, `org2`, `org3`) turn needs they claimed into letters in
//! every status — 草稿, 已签署, 履行中 (one of two lines delivered), 已履行 (items and cash
//! delivered, the service visits made), 已逾期 (drafted six days ago with yesterday as its
//! deadline, its visit overdue) and 已取消 (with a reason) — with deliveries, some to a proxy
//! (代领), and visits, one of which raises a new need for the town's review. `org` is left with
//! a letter to sign, a claimed need in no letter and an overdue visit, so its to-do list shows
//! work; `org2` signed a letter handed over through 上派镇 (集中发放) to a household of the demo
//! village, so the `town` and `village` accounts see one waiting. Open needs in 上派镇 stay on
//! the claim sheet for whoever tries claiming there.
//!
//! Everything goes through the use cases, as people would do it; what happened days ago goes
//! through their `_on` variants. Deliveries and visits are dated today, the day the letters are
//! signed (neither may lie before the signature).

use super::DEMO_CAMPAIGN;
use crate::households::HouseholdQuery;
use crate::needs::{ClaimRow, SheetQuery};
use crate::pledges::{PledgeDraft, PledgeLineView, PledgeView};
use crate::{App, Caller, Result};
use chrono::{Days, NaiveDate};
use hearth_core::delivery::DeliveryInput;
use hearth_core::need::{NeedKind, NeedStatus};
use hearth_core::pledge::{LineInput, PledgeInput, PledgeLine};
use hearth_core::visit::{NewNeedInput, VisitInput};
use hearth_store::organizations::PageRequest;
use hearth_store::users;
use std::collections::HashSet;
use uuid::Uuid;

/// The demo town, whose open needs are left to claim.
const DEMO_TOWN: &str = "340123100000";
/// The demo village officer's village, in the demo town.
const DEMO_VILLAGE: &str = "340123100001";

/// Who acts in the demo's pledges.
pub(super) struct Cast {
    pub county: Caller,
    pub town: Caller,
    pub org: Caller,
    pub org2: Caller,
    pub org3: Caller,
}

impl Cast {
    /// The demo accounts by name, if all of them exist.
    pub(super) async fn load(app: &App) -> Result<Option<Cast>> {
        let everyone = {
            let mut tx = app.store().read().await?;
            users::list(&mut tx).await?
        };
        let by_name = |name: &str| {
            everyone
                .iter()
                .find(|u| u.username.as_str() == name)
                .cloned()
                .map(Caller::new)
        };
        Ok(
            match (
                by_name("county"),
                by_name("town"),
                by_name("org"),
                by_name("org2"),
                by_name("org3"),
            ) {
                (Some(county), Some(town), Some(org), Some(org2), Some(org3)) => Some(Cast {
                    county,
                    town,
                    org,
                    org2,
                    org3,
                }),
                _ => None,
            },
        )
    }
}

/// A letter for the claimed `needs` and `extra` lines, witnessed by the first need's town and
/// village.
fn letter(needs: &[&ClaimRow], extra: Vec<LineInput>, deadline: NaiveDate) -> PledgeDraft {
    let first = needs.first();
    PledgeDraft {
        needs: needs.iter().map(|n| n.id.to_string()).collect(),
        pledge: PledgeInput {
            campaign: DEMO_CAMPAIGN.to_owned(),
            mode: if needs.len() > 1 {
                "one_to_many"
            } else {
                "one_to_one"
            }
            .to_owned(),
            lines: extra,
            deadline: deadline.to_string(),
            witness_town: first.map(|n| n.town_name.clone()).unwrap_or_default(),
            witness_village: first.map(|n| n.village_name.clone()).unwrap_or_default(),
            ..PledgeInput::default()
        },
    }
}

fn cash_line(yuan: &str) -> LineInput {
    LineInput {
        kind: "cash".to_owned(),
        cash: yuan.to_owned(),
        ..LineInput::default()
    }
}

/// `visits` monthly visits of `service` from `starts_on` until `ends_on`.
fn service(service: &str, starts_on: NaiveDate, ends_on: NaiveDate, visits: u32) -> LineInput {
    LineInput {
        kind: "service".to_owned(),
        service: service.to_owned(),
        starts_on: starts_on.to_string(),
        ends_on: ends_on.to_string(),
        every: "1".to_owned(),
        every_unit: "month".to_owned(),
        visits: visits.to_string(),
        ..LineInput::default()
    }
}

/// A visit made today, by `visitor`, that found the household content.
fn visit_form(today: NaiveDate, visitor: &str, new_needs: &str) -> VisitInput {
    VisitInput {
        visited_on: today.to_string(),
        method: "home".to_owned(),
        visitor: visitor.to_owned(),
        received: "yes".to_owned(),
        suitable: "yes".to_owned(),
        satisfaction: "satisfied".to_owned(),
        new_needs: new_needs.to_owned(),
        note: "演示数据".to_owned(),
        need: NewNeedInput::default(),
    }
}

/// Who received a delivery: the head, or a proxy (代领) by name and relationship.
#[derive(Clone, Copy)]
enum Receiver {
    Head,
    Proxy(&'static str, &'static str),
}

impl App {
    /// The needs `who` claimed and put in no letter yet, in number order.
    async fn unlettered(&self, who: &Caller) -> Result<Vec<ClaimRow>> {
        let mine = SheetQuery {
            mine: true,
            ..SheetQuery::default()
        };
        let in_letters: HashSet<Uuid> = self
            .pledges(who)
            .await?
            .iter()
            .flat_map(|p| p.lines.iter().filter_map(|l| l.need_id))
            .collect();
        let mut rows: Vec<ClaimRow> = self
            .claim_sheet(who, &mine, PageRequest::all())
            .await?
            .rows
            .into_iter()
            .filter(|r| r.status == NeedStatus::Claimed && !in_letters.contains(&r.id))
            .collect();
        rows.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(rows)
    }

    /// `who` claims the first `n` open item needs outside the demo town, in number order.
    async fn claim_items(&self, who: &Caller, n: usize) -> Result<()> {
        let items = |town: Option<&str>| SheetQuery {
            kind: Some("item".to_owned()),
            town: town.map(str::to_owned),
            ..SheetQuery::default()
        };
        let sheet = |q| async move { self.claim_sheet(who, &q, PageRequest::all()).await };
        let kept: HashSet<Uuid> = sheet(items(Some(DEMO_TOWN)))
            .await?
            .rows
            .iter()
            .map(|r| r.id)
            .collect();
        let mut open = sheet(items(None)).await?.rows;
        open.retain(|r| !kept.contains(&r.id));
        open.sort_by(|a, b| a.number.cmp(&b.number));
        for row in open.iter().take(n) {
            self.claim_need(who, row.id).await?;
        }
        Ok(())
    }

    /// Hands over the whole of the letter's first cash and item lines today, one per receiver.
    async fn deliver(
        &self,
        cast: &Cast,
        who: &Caller,
        pledge: &PledgeView,
        receivers: &[Receiver],
    ) -> Result<()> {
        let handed = pledge
            .lines
            .iter()
            .filter(|l| !matches!(l.line, PledgeLine::Service { .. }));
        for (line, receiver) in handed.zip(receivers) {
            self.deliver_line(cast, who, pledge.id, line, *receiver)
                .await?;
        }
        Ok(())
    }

    /// Hands over the whole of a cash or item line today; the roster is signed by the head
    /// (named as the county sees them) or by the proxy.
    async fn deliver_line(
        &self,
        cast: &Cast,
        who: &Caller,
        pledge: Uuid,
        line: &PledgeLineView,
        receiver: Receiver,
    ) -> Result<()> {
        let (quantity, amount) = match &line.line {
            PledgeLine::Item { quantity, .. } => (quantity.to_string(), String::new()),
            PledgeLine::Cash { amount } => (String::new(), amount.yuan_string()),
            PledgeLine::Service { .. } => return Ok(()),
        };
        let head = self
            .pledge(&cast.county, pledge)
            .await?
            .households
            .into_iter()
            .find(|h| Some(h.id) == line.household_id)
            .map(|h| h.head_name)
            .unwrap_or_default();
        let (recipient, proxy_name, relationship, signed_name) = match receiver {
            Receiver::Head => ("head", "", "", head.as_str()),
            Receiver::Proxy(name, relationship) => ("proxy", name, relationship, name),
        };
        let input = DeliveryInput {
            delivered_on: crate::today().to_string(),
            recipient: recipient.to_owned(),
            proxy_name: proxy_name.to_owned(),
            proxy_relationship: relationship.to_owned(),
            handler: "刘建国".to_owned(),
            signed_name: signed_name.to_owned(),
            quantity,
            cash: amount,
            note: "演示数据".to_owned(),
        };
        self.record_delivery(who, line.id, None, &input).await?;
        Ok(())
    }

    /// Makes every open visit of `pledge` today; the first may raise `need`.
    async fn visit_all(&self, who: &Caller, pledge: Uuid, need: NewNeedInput) -> Result<()> {
        let query = crate::visits::TaskQuery {
            pledge: Some(pledge.to_string()),
            state: Some("due".to_owned()),
            ..crate::visits::TaskQuery::default()
        };
        let (tasks, _) = self.visit_tasks(who, &query, PageRequest::all()).await?;
        let today = crate::today();
        let mut need = Some(need);
        for task in tasks.iter().filter(|t| t.due_on <= today) {
            let mut form = visit_form(today, "王丽华", "");
            if let Some(raised) = need.take().filter(|n| !n.kind.is_empty()) {
                form.new_needs = "屋里取暖靠一只旧炭盆，想要一台取暖器（演示）".to_owned();
                form.need = raised;
            }
            self.record_visit(who, task.id, &form).await?;
        }
        Ok(())
    }

    /// Drafts and signs a letter as `who`.
    async fn signed_letter(&self, who: &Caller, draft: &PledgeDraft) -> Result<PledgeView> {
        let drafted = self.draft_pledge(who, draft).await?;
        self.sign_pledge(who, drafted.id).await
    }
}

impl App {
    /// Seeds the demo pledges with their deliveries and visits; returns how many letters.
    pub(super) async fn seed_pledges(&self, cast: &Cast) -> Result<usize> {
        // `org` holds two item and two cash needs from the demo's claims; three more items
        // make room for its letters and leave one claim in no letter.
        self.claim_items(&cast.org, 3).await?;
        let claims = self.unlettered(&cast.org).await?;
        let of = |kind| claims.iter().filter(move |r: &&ClaimRow| r.kind == kind);
        let items: Vec<&ClaimRow> = of(NeedKind::Item).collect();
        let cash: Vec<&ClaimRow> = of(NeedKind::Cash).collect();
        let made = self.seed_org_kept(cast, &items, &cash).await?
            + self.seed_org_open(cast, &items).await?
            + self.seed_org2_pledges(cast).await?
            + self.seed_org3_pledges(cast).await?;
        Ok(made)
    }

    /// `org`, from its first two item and cash needs: a letter fulfilled (items and cash
    /// handed over, the visit made) and one in progress (the items handed to a proxy).
    async fn seed_org_kept(
        &self,
        cast: &Cast,
        items: &[&ClaimRow],
        cash: &[&ClaimRow],
    ) -> Result<usize> {
        let (org, today) = (&cast.org, crate::today());
        let (Some(item), Some(money)) = (items.first(), cash.first()) else {
            return Ok(0);
        };
        let visit = service("visit", today, today + Days::new(60), 1);
        let draft = letter(&[item, money], vec![visit], today + Days::new(30));
        let kept = self.signed_letter(org, &draft).await?;
        let proxy = Receiver::Proxy("赵文静", "village_cadre");
        self.deliver(cast, org, &kept, &[Receiver::Head, proxy])
            .await?;
        self.visit_all(org, kept.id, NewNeedInput::default())
            .await?;

        let (Some(item), Some(money)) = (items.get(1), cash.get(1)) else {
            return Ok(1);
        };
        let draft = letter(&[item, money], Vec::new(), today + Days::new(45));
        let going = self.signed_letter(org, &draft).await?;
        let proxy = Receiver::Proxy("孙海波", "child");
        self.deliver(cast, org, &going, &[proxy]).await?;
        Ok(2)
    }

    /// `org`, from its third and fourth item needs: a letter past its deadline with its visit
    /// overdue, and a draft to sign.
    async fn seed_org_open(&self, cast: &Cast, items: &[&ClaimRow]) -> Result<usize> {
        let (org, today) = (&cast.org, crate::today());
        let Some(item) = items.get(2) else {
            return Ok(0);
        };
        // Drafted six days ago with yesterday as its deadline: signed, never delivered.
        let drafted_on = today - Days::new(6);
        let visit = service("companionship", drafted_on, drafted_on, 1);
        let draft = letter(&[item], vec![visit], today - Days::new(1));
        let late = self.draft_pledge_on(org, &draft, drafted_on).await?;
        self.sign_pledge(org, late.id).await?;

        let Some(item) = items.get(3) else {
            return Ok(1);
        };
        let draft = letter(&[item], vec![cash_line("200")], today + Days::new(30));
        self.draft_pledge(org, &draft).await?;
        Ok(2)
    }

    /// `org2`: a letter the demo town hands over, one signed and not yet begun, and one it
    /// cancelled with a reason.
    async fn seed_org2_pledges(&self, cast: &Cast) -> Result<usize> {
        let org2 = &cast.org2;
        let today = crate::today();
        let made = self.through_town(org2).await?;
        let claims = self.unlettered(org2).await?;
        let Some(first) = claims.first() else {
            return Ok(made);
        };
        let draft = letter(&[first], vec![cash_line("300")], today + Days::new(40));
        self.signed_letter(org2, &draft).await?;
        let Some(second) = claims.get(1) else {
            return Ok(made + 1);
        };
        let draft = letter(&[second], Vec::new(), today + Days::new(40));
        let dropped = self.signed_letter(org2, &draft).await?;
        let reason = "受助户已由亲属接去县城过冬，经与村委会协商取消（演示）";
        self.cancel_pledge(org2, dropped.id, reason).await?;
        Ok(made + 2)
    }

    /// A signed letter of cash and quilts for the first household `who` may help in the demo
    /// village, handed over by the town (集中发放); returns how many letters (0 or 1).
    async fn through_town(&self, who: &Caller) -> Result<usize> {
        let query = HouseholdQuery {
            area: Some(DEMO_VILLAGE.to_owned()),
            ..HouseholdQuery::default()
        };
        let (households, _) = self.households(who, &query, PageRequest::all()).await?;
        let Some(household) = households.iter().min_by_key(|h| h.id) else {
            return Ok(0);
        };
        let quilts = LineInput {
            kind: "item".to_owned(),
            item: "quilt".to_owned(),
            quantity: "2".to_owned(),
            unit_value: "150".to_owned(),
            ..LineInput::default()
        };
        let draft = PledgeDraft {
            needs: Vec::new(),
            pledge: PledgeInput {
                campaign: DEMO_CAMPAIGN.to_owned(),
                households: vec![household.id.to_string()],
                mode: "one_to_one".to_owned(),
                delivery: "through_town".to_owned(),
                lines: vec![cash_line("400"), quilts],
                deadline: (crate::today() + Days::new(50)).to_string(),
                witness_town: household.town_name.clone(),
                witness_village: household.village_name.clone(),
                ..PledgeInput::default()
            },
        };
        self.signed_letter(who, &draft).await?;
        Ok(1)
    }

    /// `org3`: cash delivered and the first of two monthly visits made, which found a new need
    /// that now waits for the town's review.
    async fn seed_org3_pledges(&self, cast: &Cast) -> Result<usize> {
        let org3 = &cast.org3;
        let today = crate::today();
        let claims = self.unlettered(org3).await?;
        let Some(money) = claims.iter().find(|r| r.kind == NeedKind::Cash) else {
            return Ok(0);
        };
        let visits = service("visit", today, today + Days::new(45), 2);
        let draft = letter(&[money], vec![visits], today + Days::new(60));
        let helping = self.signed_letter(org3, &draft).await?;
        self.deliver(cast, org3, &helping, &[Receiver::Head])
            .await?;
        let heater = NewNeedInput {
            kind: "item".to_owned(),
            item: "heater".to_owned(),
            quantity: "1".to_owned(),
            urgency: "urgent".to_owned(),
            note: "回访时发现，老人房间阴冷（演示）".to_owned(),
            ..NewNeedInput::default()
        };
        self.visit_all(org3, helping.id, heater).await?;
        Ok(1)
    }
}
