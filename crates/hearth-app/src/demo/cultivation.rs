//! Demo cultivation records (演示培育档案): activities `org2` and `org3` logged for themselves in
//! the demo campaign and one the county logged for another organization, and the bureau's
//! evaluation grades (社会组织评估等级) for three organizations the registry lists as graded —
//! the same grade, so the registry's rating column stays what it shows — with an earlier,
//! expired grade in the first one's history. The `org` account's organization is left without
//! either, so whoever tries the demo logs its first activity.

use super::DEMO_CAMPAIGN;
use super::pledges::Cast;
use crate::{App, Caller, Result};
use chrono::{Days, Months, NaiveDate};
use hearth_core::cultivation::{ActivityInput, RatingInput};
use hearth_core::organization::Organization;

/// An activity: days ago, place, participants, title, summary.
type Logged = (u64, &'static str, &'static str, &'static str, &'static str);

const ORG2_ACTIVITY: Logged = (
    5,
    "金桥村（示例）党群服务中心",
    "32",
    "助残康复知识讲座",
    "请康复师讲解冬季防跌倒和轮椅保养，为6户残疾人家庭上门调试辅具（演示）",
);
const ORG3_ACTIVITY: Logged = (
    3,
    "桃园社区（示例）活动室",
    "24",
    "留守儿童冬日陪伴",
    "志愿妈妈陪留守儿童写作业、包饺子，为12名孩子送去棉衣（演示）",
);
/// Logged by the county for an organization it saw at work.
const COUNTY_ACTIVITY: Logged = (
    2,
    "上派镇敬老院（示例）",
    "20",
    "敬老院冬至包饺子",
    "志愿者和老人一起包饺子，为行动不便的老人理发、修剪指甲（演示）",
);

fn activity((days_ago, place, participants, title, summary): Logged) -> ActivityInput {
    ActivityInput {
        held_on: (crate::today() - Days::new(days_ago)).to_string(),
        place: place.to_owned(),
        participants: participants.to_owned(),
        title: title.to_owned(),
        summary: summary.to_owned(),
        campaign: DEMO_CAMPAIGN.to_owned(),
    }
}

fn grade(grade: &str, rated_on: NaiveDate, valid_until: Option<NaiveDate>) -> RatingInput {
    RatingInput {
        grade: grade.to_owned(),
        rated_on: rated_on.to_string(),
        valid_until: valid_until.map(|d| d.to_string()).unwrap_or_default(),
        note: "县民政局社会组织评估结果（演示）".to_owned(),
    }
}

impl App {
    /// Seeds the demo activities and grades; `orgs` are the demo organizations in order.
    pub(super) async fn seed_cultivation(&self, cast: &Cast, orgs: &[Organization]) -> Result<()> {
        for (who, logged) in [(&cast.org2, ORG2_ACTIVITY), (&cast.org3, ORG3_ACTIVITY)] {
            if let Some(own) = who.user.organization_id {
                self.record_activity(who, own, &activity(logged)).await?;
            }
        }
        if let Some(trained) = orgs.get(1) {
            let input = activity(COUNTY_ACTIVITY);
            self.record_activity(&cast.county, trained.id, &input)
                .await?;
        }
        self.seed_grades(&cast.county, orgs).await
    }

    /// The registry's grades of the second to fourth graded organizations as evaluations
    /// decided a year and a half ago (valid five years), and before that, for the first of
    /// them, a lower grade that has run out.
    async fn seed_grades(&self, county: &Caller, orgs: &[Organization]) -> Result<()> {
        let today = crate::today();
        let months_ago = |n| today.checked_sub_months(Months::new(n)).unwrap_or(today);
        let graded: Vec<&Organization> = orgs
            .iter()
            .filter(|o| o.profile.rating.is_some())
            .skip(1)
            .take(3)
            .collect();
        if let Some(first) = graded.first() {
            let expired = grade("3A", months_ago(78), Some(months_ago(18)));
            self.rate_organization(county, first.id, &expired).await?;
        }
        for org in graded {
            if let Some(current) = &org.profile.rating {
                let input = grade(current, months_ago(18), None);
                self.rate_organization(county, org.id, &input).await?;
            }
        }
        Ok(())
    }
}
