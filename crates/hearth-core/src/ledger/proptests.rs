//! Random campaigns: donations, purchases, cash aid, transfers with partial receipt,
//! distributions, returns, counts, reallocations and reversals in any order, each transaction
//! all-or-nothing as the store runs it. After every step the books must still add up.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::{AreaCode, Fen, Invalid};

const SITES: [&str; 3] = ["340123", "340123101", "340123102"];
const ITEMS: [&str; 2] = ["quilt", "rice"];
const HOUSEHOLD_TOWNS: [&str; 3] = ["340123101", "340123101", "340123102"];
const CAMPAIGNS: [u128; 2] = [1, 2];

fn site(i: usize) -> Location {
    Location::site(AreaCode::parse(SITES[i % SITES.len()]).unwrap()).unwrap()
}

fn household(i: usize) -> (Uuid, AreaCode) {
    let i = i % HOUSEHOLD_TOWNS.len();
    (
        Uuid::from_u128(100 + i as u128),
        AreaCode::parse(HOUSEHOLD_TOWNS[i]).unwrap(),
    )
}

/// Mostly campaign funds, sometimes designated to a town or a household.
fn designation(i: usize) -> Designation {
    match i % 5 {
        3 => Designation::Town(AreaCode::parse("340123101").unwrap()),
        4 => Designation::Household(household(0).0),
        _ => Designation::Campaign,
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
}

fn header(campaign: Uuid, designation: usize) -> Header {
    Header {
        designation: self::designation(designation),
        ..Header::new(day(), campaign)
    }
}

fn for_household(campaign: Uuid, designation: usize, which: usize) -> Header {
    let (id, town) = household(which);
    Header {
        household: Some(id),
        town: Some(town),
        ..header(campaign, designation)
    }
}

fn at_site(campaign: Uuid, designation: usize, site: usize) -> Header {
    Header {
        town: self::site(site).town().cloned(),
        ..header(campaign, designation)
    }
}

#[derive(Debug, Clone)]
enum Action {
    DonateCash {
        designation: usize,
        amount: i64,
    },
    DonateGoods {
        site: usize,
        item: usize,
        quantity: i64,
        value: i64,
        designation: usize,
    },
    Purchase {
        site: usize,
        item: usize,
        quantity: i64,
        unit: i64,
        designation: usize,
    },
    CashAid {
        household: usize,
        amount: i64,
        designation: usize,
    },
    Dispatch {
        from: usize,
        to: usize,
        item: usize,
        quantity: i64,
    },
    Receive {
        waybill: usize,
        per_mille: i64,
    },
    Distribute {
        site: usize,
        item: usize,
        quantity: i64,
        household: usize,
        designation: usize,
    },
    /// Part of an earlier distribution comes back.
    Return {
        distribution: usize,
        per_mille: i64,
    },
    Count {
        site: usize,
        item: usize,
        counted: i64,
    },
    Reallocate {
        from: usize,
        to: usize,
        amount: i64,
    },
    Reverse {
        transaction: usize,
    },
    ReverseTwice {
        transaction: usize,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let n = || 0usize..30;
    let (amount, quantity, per_mille) = (|| 1i64..=500_000, || 1i64..=20, || 0i64..=1_000);
    let donate_cash = (n(), amount()).prop_map(|(designation, amount)| Action::DonateCash {
        designation,
        amount,
    });
    let donate_goods = (n(), n(), quantity(), 0i64..=60_000, n()).prop_map(
        |(site, item, quantity, value, designation)| Action::DonateGoods {
            site,
            item,
            quantity,
            value,
            designation,
        },
    );
    let purchase = (n(), n(), quantity(), 1i64..=20_000, n()).prop_map(
        |(site, item, quantity, unit, designation)| Action::Purchase {
            site,
            item,
            quantity,
            unit,
            designation,
        },
    );
    let cash_aid =
        (n(), amount(), n()).prop_map(|(household, amount, designation)| Action::CashAid {
            household,
            amount,
            designation,
        });
    let dispatch =
        (n(), n(), n(), quantity()).prop_map(|(from, to, item, quantity)| Action::Dispatch {
            from,
            to,
            item,
            quantity,
        });
    let receive =
        (n(), per_mille()).prop_map(|(waybill, per_mille)| Action::Receive { waybill, per_mille });
    let distribute = (n(), n(), 1i64..=5, n(), n()).prop_map(
        |(site, item, quantity, household, designation)| Action::Distribute {
            site,
            item,
            quantity,
            household,
            designation,
        },
    );
    let give_back = (n(), per_mille()).prop_map(|(distribution, per_mille)| Action::Return {
        distribution,
        per_mille,
    });
    let count = (n(), n(), 0i64..=30).prop_map(|(site, item, counted)| Action::Count {
        site,
        item,
        counted,
    });
    let reallocate =
        (n(), n(), amount()).prop_map(|(from, to, amount)| Action::Reallocate { from, to, amount });
    let reverse = (0usize..100).prop_map(|transaction| Action::Reverse { transaction });
    let reverse_twice = (0usize..100).prop_map(|transaction| Action::ReverseTwice { transaction });
    prop_oneof![
        3 => donate_cash,
        3 => donate_goods,
        2 => purchase,
        2 => cash_aid,
        3 => dispatch,
        3 => receive,
        3 => distribute,
        1 => give_back,
        1 => count,
        1 => reallocate,
        2 => reverse,
        1 => reverse_twice,
    ]
}

fn steps() -> impl Strategy<Value = Vec<(usize, Action)>> {
    proptest::collection::vec((0usize..CAMPAIGNS.len(), action()), 1..80)
}

/// One transaction's writes; a refused write must leave the journal as it was.
struct Tx<'a> {
    journal: &'a mut Journal,
    written: Vec<(Record, String)>,
}

impl Tx<'_> {
    fn post(&mut self, draft: EntryDraft) -> Result<(), Invalid> {
        let before = self.journal.clone();
        let result = self.journal.post(draft);
        if result.is_err() {
            assert_eq!(*self.journal, before, "a refused entry changed the journal");
        }
        let (entry, digest) = result?;
        self.written.push((Record::Entry(entry), digest));
        Ok(())
    }

    fn move_stock(&mut self, draft: MovementDraft) -> Result<(), Invalid> {
        let before = self.journal.clone();
        let result = self.journal.move_stock(draft);
        if result.is_err() {
            assert_eq!(
                *self.journal, before,
                "a refused movement changed the journal"
            );
        }
        let (movement, digest) = result?;
        self.written.push((Record::Movement(movement), digest));
        Ok(())
    }

    /// The movements of one transaction and the entry booking their value.
    fn book(&mut self, header: Header, movements: Vec<MovementDraft>) -> Result<(), Invalid> {
        let entry = EntryDraft::booking(header, &movements)?;
        for movement in movements {
            self.move_stock(movement)?;
        }
        entry.map_or(Ok(()), |entry| self.post(entry))
    }

    fn reverse(&mut self, records: &[Record]) -> Result<(), Invalid> {
        for record in records.iter().rev() {
            match record {
                Record::Entry(entry) => self.post(EntryDraft::reversal_of(entry, day(), "冲销"))?,
                Record::Movement(movement) => {
                    self.move_stock(MovementDraft::reversal_of(movement, day(), "冲销"))?
                }
            }
        }
        Ok(())
    }
}

fn first(errors: Vec<Invalid>) -> Invalid {
    errors
        .into_iter()
        .next()
        .unwrap_or_else(|| Invalid::new("test", "field.required"))
}

#[derive(Default)]
struct Sim {
    journal: Journal,
    stored: Vec<(Record, String)>,
    transactions: Vec<Vec<Record>>,
    waybills: Vec<(Uuid, Waybill)>,
    distributions: Vec<MovementDraft>,
}

impl Sim {
    /// Runs a transaction: all of its records are written or none.
    fn transact(&mut self, build: impl FnOnce(&mut Tx) -> Result<(), Invalid>) -> bool {
        let snapshot = self.journal.clone();
        let mut tx = Tx {
            journal: &mut self.journal,
            written: Vec::new(),
        };
        if build(&mut tx).is_err() {
            self.journal = snapshot;
            return false;
        }
        let written = tx.written;
        if !written.is_empty() {
            self.transactions
                .push(written.iter().map(|(r, _)| r.clone()).collect());
        }
        self.stored.extend(written);
        true
    }

    fn run(&mut self, campaign: Uuid, action: Action) {
        match action {
            Action::DonateCash {
                designation,
                amount,
            } => {
                let draft =
                    EntryDraft::donation_cash(header(campaign, designation), Fen::new(amount));
                self.transact(|tx| tx.post(draft));
            }
            Action::DonateGoods {
                site,
                item,
                quantity,
                value,
                designation,
            } => {
                let header = at_site(campaign, designation, site);
                let kind = MovementKind::Receipt;
                let receipt = MovementDraft::inbound(
                    header.clone(),
                    kind,
                    self::site(site),
                    ITEMS[item % 2],
                    quantity,
                    Fen::new(value),
                );
                self.transact(|tx| tx.book(header, vec![receipt]));
            }
            Action::Purchase {
                site,
                item,
                quantity,
                unit,
                designation,
            } => {
                let header = at_site(campaign, designation, site);
                let value = Fen::new(quantity * unit);
                let bought = MovementDraft::inbound(
                    header.clone(),
                    MovementKind::Purchase,
                    self::site(site),
                    ITEMS[item % 2],
                    quantity,
                    value,
                );
                self.transact(|tx| tx.book(header, vec![bought]));
            }
            Action::CashAid {
                household,
                amount,
                designation,
            } => {
                let draft = EntryDraft::cash_aid(
                    for_household(campaign, designation, household),
                    Fen::new(amount),
                );
                self.transact(|tx| tx.post(draft));
            }
            Action::Dispatch {
                from,
                to,
                item,
                quantity,
            } => self.dispatch(campaign, (from, to), item, quantity),
            Action::Receive { waybill, per_mille } => self.receive(waybill, per_mille),
            Action::Distribute {
                site,
                item,
                quantity,
                household,
                designation,
            } => {
                let header = for_household(campaign, designation, household);
                let mut handed = None;
                let done = self.transact(|tx| {
                    let stock = tx.journal.stock(campaign);
                    let movement = stock.distribution(
                        header.clone(),
                        self::site(site),
                        ITEMS[item % 2],
                        quantity,
                    )?;
                    handed = Some(movement.clone());
                    tx.book(header, vec![movement])
                });
                if done {
                    self.distributions.extend(handed);
                }
            }
            Action::Return {
                distribution,
                per_mille,
            } => self.give_back(distribution, per_mille),
            Action::Count {
                site,
                item,
                counted,
            } => self.count(campaign, site, item, counted),
            Action::Reallocate { from, to, amount } => {
                let consent = DonorConsent {
                    who: "捐赠人".into(),
                    on: day(),
                    how: "书面同意".into(),
                };
                let Ok(reallocation) = Reallocation::new(
                    designation(from),
                    designation(to),
                    Fen::new(amount),
                    consent,
                    day(),
                ) else {
                    return;
                };
                let [out, into] = reallocation.entries(&Header::new(day(), campaign));
                self.transact(|tx| tx.post(out).and_then(|_| tx.post(into)));
            }
            Action::Reverse { transaction } => {
                self.reverse(transaction);
            }
            Action::ReverseTwice { transaction } => self.reverse_twice(transaction),
        }
    }

    fn dispatch(&mut self, campaign: Uuid, (from, to): (usize, usize), item: usize, quantity: i64) {
        let id = Uuid::from_u128(1_000 + self.waybills.len() as u128);
        let line = WaybillLine {
            item: ITEMS[item % 2].into(),
            quantity,
        };
        let Ok(waybill) = Waybill::new(id, site(from), site(to), vec![line]) else {
            return;
        };
        let header = Header {
            source: Some(id),
            ..Header::new(day(), campaign)
        };
        let dispatched = self.transact(|tx| {
            let movements = waybill
                .dispatch(tx.journal.stock(campaign), &header)
                .map_err(first)?;
            tx.book(header, movements)
        });
        if dispatched {
            self.waybills.push((campaign, waybill));
        }
    }

    fn receive(&mut self, which: usize, per_mille: i64) {
        if self.waybills.is_empty() {
            return;
        }
        let index = which % self.waybills.len();
        let (campaign, waybill) = self.waybills[index].clone();
        let line = &waybill.lines[0];
        let received = line.quantity * per_mille / 1_000;
        let shortfall = (received < line.quantity).then(|| Shortfall {
            cause: AdjustmentCause::Damage,
            note: "途中受潮".into(),
        });
        let counted = ReceivedLine {
            item: line.item.clone(),
            received,
            shortfall,
        };
        let header = Header {
            source: Some(waybill.id),
            ..Header::new(day(), campaign)
        };
        let done = self.transact(|tx| {
            let stock = tx.journal.stock(campaign);
            let movements = waybill
                .receive(stock, &header, &[counted], Uuid::from_u128(600))
                .map_err(first)?;
            tx.book(header, movements)
        });
        if done {
            self.waybills[index].1.status = WaybillStatus::Received;
        }
    }

    /// Part of an earlier distribution returned to the station, at the value it left with.
    fn give_back(&mut self, which: usize, per_mille: i64) {
        if self.distributions.is_empty() {
            return;
        }
        let handed = self.distributions[which % self.distributions.len()].clone();
        let quantity = (handed.quantity * per_mille / 1_000).max(1);
        let value = Fen::new(handed.value.fen() * quantity / handed.quantity);
        let Some(site) = handed.from else { return };
        let back = MovementDraft::inbound(
            handed.header.clone(),
            MovementKind::Return,
            site,
            &handed.item,
            quantity,
            value,
        );
        self.transact(|tx| tx.book(handed.header, vec![back]));
    }

    fn count(&mut self, campaign: Uuid, site: usize, item: usize, counted: i64) {
        let adjustment = Adjustment {
            cause: AdjustmentCause::Miscount,
            note: "月末盘点".into(),
            maker: Uuid::from_u128(500),
            checker: Some(Uuid::from_u128(501)),
        };
        let header = at_site(campaign, 0, site);
        self.transact(|tx| {
            let stock = tx.journal.stock(campaign);
            let difference = stock.count(
                header.clone(),
                self::site(site),
                ITEMS[item % 2],
                counted,
                Fen::new(100),
                adjustment,
            )?;
            tx.book(header, difference.into_iter().collect())
        });
    }

    fn reverse(&mut self, which: usize) -> bool {
        if self.transactions.is_empty() {
            return false;
        }
        let records = self.transactions[which % self.transactions.len()].clone();
        self.transact(|tx| tx.reverse(&records))
    }

    /// Reversing a transaction and then that reversal leaves balances and stock as they were.
    fn reverse_twice(&mut self, which: usize) {
        let balances = self.journal.balances().clone();
        let stock: Vec<_> = CAMPAIGNS
            .iter()
            .map(|&c| self.journal.stock(Uuid::from_u128(c)).clone())
            .collect();
        if !self.reverse(which) {
            return;
        }
        let last = self.transactions.len() - 1;
        assert!(
            self.reverse(last),
            "the reversal of a fresh reversal is refused"
        );
        assert_eq!(self.journal.balances(), &balances);
        let after: Vec<_> = CAMPAIGNS
            .iter()
            .map(|&c| self.journal.stock(Uuid::from_u128(c)).clone())
            .collect();
        assert_eq!(after, stock);
    }
}

fn entries(journal: &Journal) -> impl Iterator<Item = &EntryDraft> {
    journal.records().iter().filter_map(|r| match r {
        Record::Entry(e) => Some(&e.draft),
        Record::Movement(_) => None,
    })
}

fn movements(journal: &Journal) -> impl Iterator<Item = &MovementDraft> {
    journal.records().iter().filter_map(|r| match r {
        Record::Movement(m) => Some(&m.draft),
        Record::Entry(_) => None,
    })
}

/// Every balance is the sum of its postings, and no asset is negative.
fn check_balances(journal: &Journal) {
    let mut sums: BTreeMap<(Uuid, Designation, Account), Fen> = BTreeMap::new();
    for entry in entries(journal) {
        for posting in &entry.postings {
            let key = (
                entry.header.campaign,
                entry.header.designation.clone(),
                posting.account,
            );
            *sums.entry(key).or_default() += posting.amount;
        }
    }
    sums.retain(|_, balance| *balance != Fen::ZERO);
    let balances: BTreeMap<_, _> = journal
        .balances()
        .iter()
        .map(|(c, d, a, f)| ((c, d.clone(), a), f))
        .collect();
    assert_eq!(balances, sums);
    for ((_, _, account), balance) in &sums {
        assert!(
            !account.is_asset() || *balance > Fen::ZERO,
            "{account} at {balance}"
        );
    }
}

/// Every holding is the sum of its movements, none negative, none valued without goods, and
/// each place's flows add up to it.
fn check_stock(journal: &Journal, campaign: Uuid) {
    let moved: Vec<_> = movements(journal)
        .filter(|m| m.header.campaign == campaign)
        .collect();
    let mut held: BTreeMap<(Location, String), Holding> = BTreeMap::new();
    for movement in &moved {
        let key = |place: &Location| (place.clone(), movement.item.clone());
        if let Some(to) = &movement.to {
            let holding = held.entry(key(to)).or_default();
            holding.quantity += movement.quantity;
            holding.value += movement.value;
        }
        if let Some(from) = &movement.from {
            let holding = held.entry(key(from)).or_default();
            holding.quantity -= movement.quantity;
            holding.value -= movement.value;
        }
    }
    held.retain(|_, holding| *holding != Holding::default());
    let book = journal.stock(campaign);
    let booked: BTreeMap<_, _> = book
        .holdings()
        .map(|(l, i, h)| ((l.clone(), i.to_owned()), h))
        .collect();
    assert_eq!(booked, held);
    for ((place, item), holding) in &held {
        assert!(
            holding.quantity > 0 && holding.value >= Fen::ZERO,
            "{place} {item} {holding:?}"
        );
        let flows = Flows::at(place, Some(item), moved.iter().copied());
        assert_eq!(
            flows.on_hand(),
            Flow {
                quantity: holding.quantity,
                value: holding.value
            }
        );
    }
}

/// raised = spent + on hand for cash, and goods in = goods out + on hand, for the campaign and
/// for each designation; the ledger's stock value is the stock book's.
fn check_reconciliation(journal: &Journal, campaign: Uuid) {
    let of_campaign: Vec<_> = entries(journal)
        .filter(|e| e.header.campaign == campaign)
        .collect();
    let moved: Vec<_> = movements(journal)
        .filter(|m| m.header.campaign == campaign)
        .collect();
    let totals = Reconciliation::of(of_campaign.iter().copied(), moved.iter().copied());
    assert!(totals.cash_balances(), "{totals:?}");
    assert!(totals.materials_balance(), "{totals:?}");
    assert_eq!(totals.stock_on_hand, journal.stock(campaign).total_value());
    for which in 0..3 {
        let designated = of_campaign
            .iter()
            .copied()
            .filter(|e| e.header.designation == designation(which));
        let totals = Reconciliation::of(designated, []);
        assert!(
            totals.cash_balances() && totals.materials_balance(),
            "{totals:?}"
        );
        assert!(totals.cash_on_hand >= Fen::ZERO && totals.stock_on_hand >= Fen::ZERO);
    }
    assert_eq!(journal.value_gaps(), []);
}

fn check(sim: &Sim) {
    check_balances(&sim.journal);
    for campaign in CAMPAIGNS.map(Uuid::from_u128) {
        check_stock(&sim.journal, campaign);
        check_reconciliation(&sim.journal, campaign);
    }
    let head = verify(sim.stored.iter().map(|(r, d)| (r, d.as_str())));
    assert_eq!(head.as_ref(), Ok(sim.journal.head()));
}

fn simulate(steps: Vec<(usize, Action)>) -> Sim {
    let mut sim = Sim::default();
    for (campaign, action) in steps {
        sim.run(Uuid::from_u128(CAMPAIGNS[campaign]), action);
        check(&sim);
    }
    sim
}

fn toggle(id: &mut Option<Uuid>) {
    *id = match id {
        Some(_) => None,
        None => Some(Uuid::from_u128(999)),
    };
}

/// Changes one stored field of a record; `which` picks the field.
fn tamper(record: &mut Record, which: usize) {
    let seq = match record {
        Record::Entry(e) => &mut e.seq,
        Record::Movement(m) => &mut m.seq,
    };
    if which % 12 == 11 {
        *seq += 1;
        return;
    }
    let header = match record {
        Record::Entry(e) => &mut e.draft.header,
        Record::Movement(m) => &mut m.draft.header,
    };
    match which % 12 {
        0 => header.date = header.date.succ_opt().unwrap(),
        1 => header.campaign = Uuid::from_u128(998),
        2 => {
            header.designation = if header.designation == Designation::Campaign {
                designation(4)
            } else {
                Designation::Campaign
            }
        }
        3 => {
            header.town = if header.town.is_some() {
                None
            } else {
                AreaCode::parse("340123102").ok()
            }
        }
        4 => toggle(&mut header.organization),
        5 => toggle(&mut header.pledge),
        6 => toggle(&mut header.household),
        7 => toggle(&mut header.source),
        8 => header.summary.push('改'),
        _ => tamper_body(record, which),
    }
}

fn tamper_body(record: &mut Record, which: usize) {
    match (record, which % 2) {
        (Record::Entry(e), 0) => e.draft.postings[0].amount += Fen::new(1),
        (Record::Entry(e), _) => {
            e.draft.reverses = if e.draft.reverses.is_some() {
                None
            } else {
                Some(1)
            };
        }
        (Record::Movement(m), 0) => m.draft.quantity += 1,
        (Record::Movement(m), _) => m.draft.value += Fen::new(1),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_campaigns_always_add_up(steps in steps()) {
        let sim = simulate(steps);
        prop_assert_eq!(Journal::replay(sim.stored.clone()), Ok(sim.journal));
    }

    #[test]
    fn any_changed_field_is_found_where_it_was_changed(
        steps in steps(),
        pick in any::<prop::sample::Index>(),
        which in 0usize..12,
    ) {
        let sim = simulate(steps);
        prop_assume!(!sim.stored.is_empty());
        let at = pick.index(sim.stored.len());
        let mut stored = sim.stored.clone();
        tamper(&mut stored[at].0, which);
        let seq = at as i64 + 1;
        let found = verify(stored.iter().map(|(r, d)| (r, d.as_str())));
        prop_assert_eq!(found.map_err(|m| m.seq), Err(seq));
        let broken_at = match Journal::replay(stored) {
            Err(Broken::Chain(mismatch)) => mismatch.seq,
            Err(Broken::Refused { seq, .. }) => seq,
            Ok(_) => 0,
        };
        prop_assert_eq!(broken_at, seq);
    }
}
