//! Deliveries (发放/送达) of a pledge's cash and item lines to a household, as the distribution
//! roster (发放签收表, domain.md §5) records them: the day, who received it (the head of the
//! household or a proxy, 代领, with the relationship), the handler (经办人), the name of whoever
//! signed, and how much of the line was handed over.
//!
//! A line may be delivered in several parts until the pledged quantity or amount is reached and
//! never beyond it; the delivery that reaches it completes the line. Service lines are done by
//! visits, not deliveries. The signature is the typed name of the one who signed; a scan of the
//! signed roster or a signature image can be attached later.
//!
//! Everything here is pure. The application adds who may record, which household, the pledge's
//! status and signing date, and the delivered totals read inside the write transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::household::{keep, optional_text, past_date, text};
use crate::normalize::clean_code;
use crate::pledge::PledgeLine;
use crate::pledge::input::{MAX_LINE_YUAN, MAX_QUANTITY};
use crate::{Fen, Invalid};

/// Longest name of a person (recipient, proxy, handler, signer).
const MAX_NAME: usize = 40;
/// Longest note.
const MAX_NOTE: usize = 500;

dictionary!(
    /// Who received: the head of the household (户主本人) or a proxy (代领).
    RecipientKind, "recipient", "delivery.recipient" {
        Head => "head",
        Proxy => "proxy",
    }
);

dictionary!(
    /// How a proxy is related to the household.
    ProxyRelationship, "proxy_relationship", "delivery.relationship" {
        Spouse => "spouse",
        Child => "child",
        Parent => "parent",
        Sibling => "sibling",
        Relative => "relative",
        VillageCadre => "village_cadre",
        Other => "other",
    }
);

/// The delivery form as typed in a browser or sent over the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliveryInput {
    pub delivered_on: String,
    /// `head` or `proxy` (户主本人, 代领); blank is the head.
    pub recipient: String,
    /// For a proxy: the name and the relationship (配偶, 子女 …).
    pub proxy_name: String,
    pub proxy_relationship: String,
    /// 经办人: who handed it over.
    pub handler: String,
    /// The name of the one who signed the roster, as written there.
    pub signed_name: String,
    /// For item lines: the units handed over.
    pub quantity: String,
    /// For cash lines: yuan, as typed.
    pub cash: String,
    pub note: String,
}

/// A proxy who received for the household (代领).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proxy {
    pub name: String,
    pub relationship: ProxyRelationship,
}

/// What was handed over in one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Handed {
    Items { quantity: u32 },
    Cash { amount: Fen },
}

/// A valid delivery, from [`DeliveryInput::parse`]; not yet checked against its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryProfile {
    pub delivered_on: NaiveDate,
    /// `None` when the head of the household received it.
    pub proxy: Option<Proxy>,
    pub handler: String,
    pub signed_name: String,
    pub handed: Handed,
    pub note: String,
}

fn blank(value: &str) -> bool {
    clean_code(value).is_empty()
}

fn quantity(raw: &str) -> Result<u32, Invalid> {
    match clean_code(raw).parse::<u32>() {
        Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(n),
        _ => Err(Invalid::new("quantity", "delivery.quantity")
            .arg("value", raw.trim())
            .arg("max", MAX_QUANTITY)),
    }
}

fn cash(raw: &str) -> Result<Fen, Invalid> {
    let amount = Fen::parse_yuan(raw, "cash")?;
    if amount <= Fen::ZERO {
        return Err(Invalid::new("cash", "delivery.cash_zero"));
    }
    if amount > Fen::from_yuan(MAX_LINE_YUAN) {
        return Err(Invalid::new("cash", "pledge.amount_too_large")
            .arg("value", raw.trim())
            .arg("max", MAX_LINE_YUAN));
    }
    Ok(amount)
}

impl DeliveryInput {
    /// Checks every field, returning all refusals at once, each naming its field. Exactly one
    /// of `quantity` and `cash` is filled; the day is not after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<DeliveryProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let delivered_on = keep(
            &mut errors,
            past_date("delivered_on", &self.delivered_on, today),
        );
        let proxy = self.proxy(&mut errors);
        let handler = keep(&mut errors, text("handler", &self.handler, MAX_NAME, true));
        let signed_name = keep(
            &mut errors,
            text("signed_name", &self.signed_name, MAX_NAME, true),
        );
        let handed = match (blank(&self.quantity), blank(&self.cash)) {
            (true, true) => {
                errors.push(Invalid::new("quantity", "delivery.what_required"));
                None
            }
            (false, false) => {
                errors.push(Invalid::new("cash", "delivery.quantity_and_cash"));
                None
            }
            (false, true) => keep(&mut errors, quantity(&self.quantity))
                .map(|quantity| Handed::Items { quantity }),
            (true, false) => {
                keep(&mut errors, cash(&self.cash)).map(|amount| Handed::Cash { amount })
            }
        };
        let note = keep(&mut errors, optional_text("note", &self.note, MAX_NOTE));
        match (delivered_on, proxy, handler, signed_name, handed, note) {
            (
                Some(delivered_on),
                Some(proxy),
                Some(handler),
                Some(signed_name),
                Some(handed),
                Some(note),
            ) if errors.is_empty() => Ok(DeliveryProfile {
                delivered_on,
                proxy,
                handler,
                signed_name,
                handed,
                note: note.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }

    /// The proxy, `Some(None)` for the head, or `None` after adding the refusals.
    fn proxy(&self, errors: &mut Vec<Invalid>) -> Option<Option<Proxy>> {
        let kind = if blank(&self.recipient) {
            RecipientKind::Head
        } else {
            keep(errors, RecipientKind::parse(&self.recipient))?
        };
        match kind {
            RecipientKind::Head => {
                let before = errors.len();
                for (field, value) in [
                    ("proxy_name", &self.proxy_name),
                    ("proxy_relationship", &self.proxy_relationship),
                ] {
                    if !blank(value) {
                        errors.push(Invalid::new(field, "delivery.not_a_proxy"));
                    }
                }
                (errors.len() == before).then_some(None)
            }
            RecipientKind::Proxy => {
                let name = keep(errors, text("proxy_name", &self.proxy_name, MAX_NAME, true));
                let relationship = if blank(&self.proxy_relationship) {
                    errors.push(Invalid::new("proxy_relationship", "field.required"));
                    None
                } else {
                    keep(errors, ProxyRelationship::parse(&self.proxy_relationship))
                };
                Some(Some(Proxy {
                    name: name?,
                    relationship: relationship?,
                }))
            }
        }
    }
}

/// What a line has received so far: units for an item line, fen for a cash line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub quantity: u32,
    pub cash: Fen,
}

impl Delivered {
    /// The sum of these deliveries.
    pub fn of<'a>(handed: impl IntoIterator<Item = &'a Handed>) -> Delivered {
        handed
            .into_iter()
            .fold(Delivered::default(), |d, h| d.plus(*h))
    }

    /// This total and one more delivery.
    pub fn plus(self, handed: Handed) -> Delivered {
        match handed {
            Handed::Items { quantity } => Delivered {
                quantity: self.quantity.saturating_add(quantity),
                ..self
            },
            Handed::Cash { amount } => Delivered {
                cash: Fen::new(self.cash.fen().saturating_add(amount.fen())),
                ..self
            },
        }
    }
}

/// What is still to deliver on a line, or `None` for a service line (done by visits).
pub fn remaining(line: &PledgeLine, so_far: Delivered) -> Option<Handed> {
    match line {
        PledgeLine::Item { quantity, .. } => Some(Handed::Items {
            quantity: quantity.saturating_sub(so_far.quantity),
        }),
        PledgeLine::Cash { amount } => Some(Handed::Cash {
            amount: Fen::new((amount.fen() - so_far.cash.fen()).max(0)),
        }),
        PledgeLine::Service { .. } => None,
    }
}

/// Whether `handed` may be delivered on `line` after `so_far`: the right kind, and no more than
/// remains. `Ok(true)` when this delivery completes the line. The refusal of too much names
/// what remains (units, or yuan with two decimals).
pub fn check(line: &PledgeLine, so_far: Delivered, handed: Handed) -> Result<bool, Invalid> {
    let left =
        remaining(line, so_far).ok_or_else(|| Invalid::new("line", "delivery.service_line"))?;
    match (left, handed) {
        (Handed::Items { quantity: left }, Handed::Items { quantity }) => {
            if left == 0 {
                Err(Invalid::new("quantity", "delivery.line_complete"))
            } else if quantity > left {
                Err(Invalid::new("quantity", "delivery.too_many").arg("remaining", left))
            } else {
                Ok(quantity == left)
            }
        }
        (Handed::Cash { amount: left }, Handed::Cash { amount }) => {
            if left == Fen::ZERO {
                Err(Invalid::new("cash", "delivery.line_complete"))
            } else if amount > left {
                Err(Invalid::new("cash", "delivery.too_much").arg("remaining", left.yuan_string()))
            } else {
                Ok(amount == left)
            }
        }
        (Handed::Items { .. }, Handed::Cash { .. }) => {
            Err(Invalid::new("cash", "delivery.item_line"))
        }
        (Handed::Cash { .. }, Handed::Items { .. }) => {
            Err(Invalid::new("quantity", "delivery.cash_line"))
        }
    }
}

/// A delivery happens on or after the day the pledge was signed.
pub fn check_date(delivered_on: NaiveDate, signed_on: NaiveDate) -> Result<(), Invalid> {
    if delivered_on < signed_on {
        return Err(
            Invalid::new("delivered_on", "delivery.before_signing").arg("signed", signed_on)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn valid() -> DeliveryInput {
        DeliveryInput {
            delivered_on: "2024年12月18日".into(),
            recipient: "代领".into(),
            proxy_name: " 王小明 ".into(),
            proxy_relationship: "子女".into(),
            handler: "李经办".into(),
            signed_name: "王小明".into(),
            quantity: "2".into(),
            note: "老人住院，由儿子代领（测试）".into(),
            ..DeliveryInput::default()
        }
    }

    fn errors(input: &DeliveryInput) -> Vec<(String, &'static str)> {
        input
            .parse(today())
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    fn quilts(quantity: u32) -> PledgeLine {
        PledgeLine::Item {
            item: "quilt".into(),
            quantity,
            unit_value: Fen::from_yuan(150),
        }
    }

    #[test]
    fn a_proxy_receives_two_quilts() {
        let d = valid().parse(today()).unwrap();
        assert_eq!(
            d.delivered_on,
            NaiveDate::from_ymd_opt(2024, 12, 18).unwrap()
        );
        assert_eq!(
            d.proxy,
            Some(Proxy {
                name: "王小明".into(),
                relationship: ProxyRelationship::Child
            })
        );
        assert_eq!(d.handed, Handed::Items { quantity: 2 });
        assert_eq!(d.signed_name, "王小明");
    }

    #[test]
    fn the_head_receives_cash_and_blank_recipient_means_the_head() {
        let input = DeliveryInput {
            delivered_on: "2024-12-20".into(),
            handler: "李经办".into(),
            signed_name: "张桂英".into(),
            cash: "1,000.50".into(),
            ..DeliveryInput::default()
        };
        let d = input.parse(today()).unwrap();
        assert_eq!(d.proxy, None);
        assert_eq!(
            d.handed,
            Handed::Cash {
                amount: Fen::new(100_050)
            }
        );
        assert_eq!(d.note, "");
    }

    #[test]
    fn every_refusal_names_its_field_in_both_languages() {
        let got = errors(&DeliveryInput::default());
        assert_eq!(
            got,
            vec![
                ("delivered_on".to_owned(), "field.required"),
                ("handler".to_owned(), "field.required"),
                ("signed_name".to_owned(), "field.required"),
                ("quantity".to_owned(), "delivery.what_required"),
            ]
        );
        let mut wrong = valid();
        wrong.delivered_on = "2024-12-21".into();
        wrong.proxy_relationship = "邻居".into();
        wrong.cash = "5".into();
        assert_eq!(
            errors(&wrong),
            vec![
                ("delivered_on".to_owned(), "household.date_in_future"),
                ("proxy_relationship".to_owned(), "dict.unknown"),
                ("cash".to_owned(), "delivery.quantity_and_cash"),
            ]
        );
        let mut head = valid();
        head.recipient = "户主本人".into();
        head.quantity = "0".into();
        assert_eq!(
            errors(&head),
            vec![
                ("proxy_name".to_owned(), "delivery.not_a_proxy"),
                ("proxy_relationship".to_owned(), "delivery.not_a_proxy"),
                ("quantity".to_owned(), "delivery.quantity"),
            ]
        );
        let mut proxy = valid();
        proxy.proxy_name = String::new();
        proxy.proxy_relationship = String::new();
        proxy.quantity = String::new();
        proxy.cash = "0".into();
        assert_eq!(
            errors(&proxy),
            vec![
                ("proxy_name".to_owned(), "field.required"),
                ("proxy_relationship".to_owned(), "field.required"),
                ("cash".to_owned(), "delivery.cash_zero"),
            ]
        );
        let codes = [
            "delivery.what_required",
            "delivery.quantity_and_cash",
            "delivery.not_a_proxy",
            "delivery.quantity",
            "delivery.cash_zero",
            "delivery.service_line",
            "delivery.line_complete",
            "delivery.too_many",
            "delivery.too_much",
            "delivery.item_line",
            "delivery.cash_line",
            "delivery.before_signing",
        ];
        let labels = RecipientKind::ALL
            .iter()
            .map(|r| r.label_key())
            .chain(ProxyRelationship::ALL.iter().map(|r| r.label_key()));
        for key in codes.into_iter().chain(labels) {
            assert_ne!(message(Lang::ZhCn, key), key);
            assert_ne!(message(Lang::En, key), key);
        }
    }

    #[test]
    fn the_relationships_of_the_roster() {
        let labels: Vec<&str> = ProxyRelationship::ALL
            .iter()
            .map(|r| message(Lang::ZhCn, r.label_key()))
            .collect();
        assert_eq!(
            labels,
            ["配偶", "子女", "父母", "兄弟姐妹", "亲属", "村干部", "其他"]
        );
        assert_eq!(RecipientKind::parse("代领"), Ok(RecipientKind::Proxy));
    }

    #[test]
    fn too_much_names_what_remains() {
        let so_far = Delivered::of(&[Handed::Items { quantity: 3 }]);
        let e = check(&quilts(5), so_far, Handed::Items { quantity: 3 }).unwrap_err();
        assert_eq!((e.field(), e.code()), ("quantity", "delivery.too_many"));
        assert_eq!(e.0.args, vec![("remaining", "2".to_owned())]);
        assert_eq!(
            check(&quilts(5), so_far, Handed::Items { quantity: 2 }),
            Ok(true)
        );
        assert_eq!(
            check(&quilts(5), so_far, Handed::Items { quantity: 1 }),
            Ok(false)
        );

        let cash = PledgeLine::Cash {
            amount: Fen::from_yuan(500),
        };
        let so_far = Delivered::of(&[Handed::Cash {
            amount: Fen::new(20_050),
        }]);
        let e = check(
            &cash,
            so_far,
            Handed::Cash {
                amount: Fen::from_yuan(300),
            },
        )
        .unwrap_err();
        assert_eq!((e.field(), e.code()), ("cash", "delivery.too_much"));
        assert_eq!(e.0.args, vec![("remaining", "299.50".to_owned())]);
        let done = Delivered {
            cash: Fen::from_yuan(500),
            ..Delivered::default()
        };
        assert_eq!(
            check(
                &cash,
                done,
                Handed::Cash {
                    amount: Fen::new(1)
                }
            )
            .unwrap_err()
            .code(),
            "delivery.line_complete"
        );
    }

    #[test]
    fn the_kind_must_match_the_line_and_services_are_not_delivered() {
        let cash = PledgeLine::Cash {
            amount: Fen::from_yuan(500),
        };
        let none = Delivered::default();
        assert_eq!(
            check(&cash, none, Handed::Items { quantity: 1 })
                .unwrap_err()
                .field(),
            "quantity"
        );
        assert_eq!(
            check(
                &quilts(1),
                none,
                Handed::Cash {
                    amount: Fen::new(1)
                }
            )
            .unwrap_err()
            .code(),
            "delivery.item_line"
        );
        let service = PledgeLine::Service {
            service: crate::need::ServiceKind::Visit,
            schedule: crate::pledge::Schedule {
                starts_on: today(),
                ends_on: today(),
                every: 1,
                unit: crate::pledge::Every::Month,
                visits: 1,
            },
        };
        assert_eq!(remaining(&service, none), None);
        assert_eq!(
            check(&service, none, Handed::Items { quantity: 1 })
                .unwrap_err()
                .code(),
            "delivery.service_line"
        );
    }

    #[test]
    fn not_before_the_pledge_was_signed() {
        let signed = NaiveDate::from_ymd_opt(2024, 12, 10).unwrap();
        assert_eq!(check_date(signed, signed), Ok(()));
        let e = check_date(signed.pred_opt().unwrap(), signed).unwrap_err();
        assert_eq!(
            (e.field(), e.code()),
            ("delivered_on", "delivery.before_signing")
        );
    }

    proptest! {
        /// Whatever is handed over in whatever parts, the delivered total never passes the
        /// pledge, and the line is complete exactly when the total reaches it.
        #[test]
        fn never_more_than_pledged(pledged in 1u32..50, parts in proptest::collection::vec(1u32..20, 0..30)) {
            let line = quilts(pledged);
            let mut so_far = Delivered::default();
            let mut complete = false;
            for q in parts {
                let handed = Handed::Items { quantity: q };
                match check(&line, so_far, handed) {
                    Ok(done) => {
                        prop_assert!(!complete, "a delivery after completion");
                        so_far = so_far.plus(handed);
                        complete = done;
                    }
                    Err(_) => prop_assert!(complete || so_far.quantity + q > pledged),
                }
                prop_assert!(so_far.quantity <= pledged);
                prop_assert_eq!(complete, so_far.quantity == pledged);
            }
        }
    }
}
