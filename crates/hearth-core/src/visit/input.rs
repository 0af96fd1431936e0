//! The follow-up record (回访记录) as typed in a browser or sent over the API, and the valid
//! record it parses into. The household and campaign of a need the visit raises come from the
//! visit task, and today's date from the caller, so parsing stays pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Answer, Satisfaction, VisitMethod};
use crate::Invalid;
use crate::household::{at, keep, past_date, text};
use crate::need::{NeedInput, NeedProfile};
use crate::normalize::clean_code;

/// Most characters of the visitor's name.
pub const MAX_VISITOR: usize = 40;
/// Most characters of the new needs noted in words, and of the note.
pub const MAX_TEXT: usize = 500;

/// A need the visit found, raised for the town's review. Same fields as a need form without
/// household and campaign (those of the visit); all blank means no need is raised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewNeedInput {
    /// `item`, `cash` or `service` (物资, 现金, 服务).
    pub kind: String,
    pub item: String,
    pub quantity: String,
    pub cash: String,
    pub service: String,
    pub urgency: String,
    pub note: String,
}

impl NewNeedInput {
    fn is_blank(&self) -> bool {
        [
            &self.kind,
            &self.item,
            &self.quantity,
            &self.cash,
            &self.service,
            &self.urgency,
            &self.note,
        ]
        .iter()
        .all(|v| clean_code(v).is_empty())
    }

    /// The need form for `household` in `campaign`, checked as any need is.
    fn parse(&self, household: Uuid, campaign: &str) -> Result<NeedProfile, Vec<Invalid>> {
        NeedInput {
            household: household.to_string(),
            campaign: campaign.to_owned(),
            kind: self.kind.clone(),
            item: self.item.clone(),
            quantity: self.quantity.clone(),
            cash: self.cash.clone(),
            service: self.service.clone(),
            urgency: self.urgency.clone(),
            note: self.note.clone(),
        }
        .parse()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    /// The day of the visit, not after today.
    pub visited_on: String,
    /// `home`, `phone` or `video` (上门, 电话, 视频).
    pub method: String,
    /// Who visited (a name).
    pub visitor: String,
    /// Did the household receive what was pledged? `yes` or `no` (是, 否).
    pub received: String,
    /// Does it suit the household? `yes` or `no`.
    pub suitable: String,
    /// `satisfied`, `fair` or `unsatisfied` (满意, 基本满意, 不满意).
    pub satisfaction: String,
    /// New needs in the household's words.
    pub new_needs: String,
    pub note: String,
    /// A need to raise for the town's review; all blank for none.
    pub need: NewNeedInput,
}

/// A valid follow-up record, from [`VisitInput::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitProfile {
    pub visited_on: NaiveDate,
    pub method: VisitMethod,
    pub visitor: String,
    pub received: bool,
    pub suitable: bool,
    pub satisfaction: Satisfaction,
    pub new_needs: String,
    pub note: String,
    /// The need raised for `household` in `campaign`, if the form carries one.
    pub need: Option<NeedProfile>,
}

fn required<T>(
    errors: &mut Vec<Invalid>,
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Option<T> {
    if value.trim().is_empty() {
        errors.push(Invalid::new(field, "field.required"));
        return None;
    }
    keep(errors, parse(value).map_err(|e| at(field, e)))
}

impl VisitInput {
    /// Checks every field, returning all refusals at once, each naming its field (`need.kind`
    /// for a field of the raised need). A visit lies in the past: `visited_on` is not after
    /// `today`. A raised need is for `household` in `campaign` (the visit task's).
    pub fn parse(
        &self,
        today: NaiveDate,
        household: Uuid,
        campaign: &str,
    ) -> Result<VisitProfile, Vec<Invalid>> {
        let mut errors = Vec::new();
        let visited_on = keep(
            &mut errors,
            past_date("visited_on", &self.visited_on, today),
        );
        let method = required(&mut errors, "method", &self.method, VisitMethod::parse);
        let visitor = keep(
            &mut errors,
            text("visitor", &self.visitor, MAX_VISITOR, true),
        );
        let received = required(&mut errors, "received", &self.received, Answer::parse);
        let suitable = required(&mut errors, "suitable", &self.suitable, Answer::parse);
        let satisfaction = required(
            &mut errors,
            "satisfaction",
            &self.satisfaction,
            Satisfaction::parse,
        );
        let new_needs = keep(
            &mut errors,
            text("new_needs", &self.new_needs, MAX_TEXT, false),
        );
        let note = keep(&mut errors, text("note", &self.note, MAX_TEXT, false));
        let need = if self.need.is_blank() {
            None
        } else {
            match self.need.parse(household, campaign) {
                Ok(need) => Some(need),
                Err(es) => {
                    errors.extend(es.into_iter().map(|e| e.within("need")));
                    None
                }
            }
        };
        match (
            visited_on,
            method,
            visitor,
            received,
            suitable,
            satisfaction,
            new_needs,
            note,
        ) {
            (
                Some(visited_on),
                Some(method),
                Some(visitor),
                Some(received),
                Some(suitable),
                Some(satisfaction),
                Some(new_needs),
                Some(note),
            ) if errors.is_empty() => Ok(VisitProfile {
                visited_on,
                method,
                visitor,
                received: received.yes(),
                suitable: suitable.yes(),
                satisfaction,
                new_needs,
                note,
                need,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, text as message};
    use crate::need::NeedLine;

    const HOUSEHOLD: &str = "01930000-0000-7000-8000-000000000001";

    fn household() -> Uuid {
        Uuid::parse_str(HOUSEHOLD).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 20).unwrap()
    }

    fn valid() -> VisitInput {
        VisitInput {
            visited_on: "2024年12月18日".into(),
            method: "上门".into(),
            visitor: " 王丽华 ".into(),
            received: "是".into(),
            suitable: "no".into(),
            satisfaction: "基本满意".into(),
            new_needs: "棉被偏薄，想要一台取暖器".into(),
            note: String::new(),
            need: NewNeedInput::default(),
        }
    }

    fn errors(input: &VisitInput) -> Vec<(String, &'static str)> {
        input
            .parse(today(), household(), "2024-NDXD")
            .unwrap_err()
            .iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    #[test]
    fn a_visit_without_a_new_need() {
        let v = valid().parse(today(), household(), "2024-NDXD").unwrap();
        assert_eq!(v.visited_on, NaiveDate::from_ymd_opt(2024, 12, 18).unwrap());
        assert_eq!(v.method, VisitMethod::Home);
        assert_eq!(v.visitor, "王丽华");
        assert!(v.received && !v.suitable);
        assert_eq!(v.satisfaction, Satisfaction::Fair);
        assert_eq!(v.need, None);
    }

    #[test]
    fn a_visit_raising_a_need_for_its_household() {
        let mut input = valid();
        input.need = NewNeedInput {
            kind: "物资".into(),
            item: "heater".into(),
            quantity: "1".into(),
            urgency: "较急".into(),
            ..NewNeedInput::default()
        };
        let need = input
            .parse(today(), household(), "2024-NDXD")
            .unwrap()
            .need
            .expect("a need");
        assert_eq!(need.household, household());
        assert_eq!(need.campaign, "2024-NDXD");
        assert_eq!(
            need.line,
            NeedLine::Item {
                item: "heater".into(),
                quantity: 1
            }
        );
    }

    #[test]
    fn every_bad_field_is_named_in_both_languages() {
        let empty = VisitInput::default();
        let got = errors(&empty);
        assert_eq!(
            got,
            [
                ("visited_on".to_owned(), "field.required"),
                ("method".to_owned(), "field.required"),
                ("visitor".to_owned(), "field.required"),
                ("received".to_owned(), "field.required"),
                ("suitable".to_owned(), "field.required"),
                ("satisfaction".to_owned(), "field.required"),
            ]
        );
        let bad = VisitInput {
            visited_on: "2024-12-21".into(),
            method: "信件".into(),
            received: "maybe".into(),
            satisfaction: "很好".into(),
            new_needs: "x".repeat(MAX_TEXT + 1),
            need: NewNeedInput {
                kind: "item".into(),
                ..NewNeedInput::default()
            },
            ..valid()
        };
        let got = errors(&bad);
        assert_eq!(
            got,
            [
                ("visited_on".to_owned(), "household.date_in_future"),
                ("method".to_owned(), "dict.unknown"),
                ("received".to_owned(), "dict.unknown"),
                ("satisfaction".to_owned(), "dict.unknown"),
                ("new_needs".to_owned(), "field.too_long"),
                ("need.item".to_owned(), "field.required"),
                ("need.quantity".to_owned(), "field.required"),
            ]
        );
        for (_, code) in got {
            assert_ne!(message(Lang::ZhCn, code), code);
            assert_ne!(message(Lang::En, code), code);
        }
    }

    #[test]
    fn today_is_not_in_the_future() {
        let input = VisitInput {
            visited_on: "2024-12-20".into(),
            ..valid()
        };
        assert!(input.parse(today(), household(), "2024-NDXD").is_ok());
    }
}
