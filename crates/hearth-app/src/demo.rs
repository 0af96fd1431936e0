//! The demo: Feixi's real divisions, invented villages and organizations (all marked 示例),
//! one account per role, and synthetic households in every example village. Nothing here
//! describes real people: names come from a short invented list, ID numbers are built from the
//! county code, a made-up birth date and a running sequence, phones are `1380000xxxx`.

use crate::users::NewUser;
use crate::{App, Caller, Result, areas::parse_divisions};
use chrono::{Datelike, NaiveDate};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::campaign::CampaignInput;
use hearth_core::household::{CategoryTagInput, ConsentInput, HouseholdInput, MemberInput};
use hearth_core::organization::{OrgKind, OrgProfile, OrgStatus, Organization, ServiceField};
use hearth_core::role::Role;
use hearth_core::uscc::Uscc;
use hearth_core::user::{User, UserStatus, Username};
use hearth_store::areas::Area;
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::{organizations, users};
use uuid::Uuid;

mod cultivation;
mod money;
mod needs;
mod pledges;
mod twins;

/// Feixi County's township-level divisions (shared/data/feixi-divisions.csv).
pub const FEIXI_DIVISIONS: &str = include_str!("../../../data/feixi-divisions.csv");

/// The password of every demo account, shown on the login page in demo mode only.
pub const DEMO_PASSWORD: &str = "hearth-demo";

/// The demo accounts: user name, role, and where they act.
pub const DEMO_USERS: [(&str, &str, &str); 6] = [
    ("county", "county_admin", "肥西县民政局（演示）"),
    ("town", "town_officer", "上派镇（演示）"),
    ("village", "village_officer", "上派镇示例村（演示）"),
    ("org", "org_member", "示例社会组织（演示）"),
    ("auditor", "auditor", "县纪检审计（演示）"),
    ("sysadmin", "system_admin", "系统管理员（演示）"),
];

const VILLAGE_NAMES: [&str; 28] = [
    "新丰", "长岗", "桃园", "金桥", "南岗", "柏林", "王井", "丰收", "梅冲", "花园", "双河", "光明",
    "团结", "青龙", "白龙", "永安", "大郢", "小庙", "新华", "聚星", "竹园", "同心", "山湾", "祥和",
    "建设", "春光", "平安", "仁和",
];

const ORGS: [(&str, OrgKind, &[ServiceField]); 21] = [
    (
        "肥西县暖阳志愿服务协会",
        OrgKind::SocialGroup,
        &[ServiceField::Elderly, ServiceField::Poverty],
    ),
    (
        "肥西县夕阳红养老服务中心",
        OrgKind::SocialService,
        &[ServiceField::Elderly],
    ),
    (
        "肥西县春苗儿童关爱中心",
        OrgKind::SocialService,
        &[ServiceField::Children, ServiceField::Education],
    ),
    (
        "肥西县慈善助学促进会",
        OrgKind::SocialGroup,
        &[ServiceField::Education, ServiceField::Children],
    ),
    (
        "肥西县同心助残服务社",
        OrgKind::SocialService,
        &[ServiceField::Disability],
    ),
    (
        "肥西县邻里互助协会",
        OrgKind::SocialGroup,
        &[ServiceField::Community, ServiceField::Poverty],
    ),
    (
        "肥西县红十字志愿服务队",
        OrgKind::VolunteerTeam,
        &[ServiceField::Medical, ServiceField::Disaster],
    ),
    (
        "肥西县乡贤公益促进会",
        OrgKind::SocialGroup,
        &[ServiceField::Poverty],
    ),
    (
        "肥西县爱心妈妈服务中心",
        OrgKind::SocialService,
        &[ServiceField::Children],
    ),
    (
        "肥西县健康守护志愿队",
        OrgKind::VolunteerTeam,
        &[ServiceField::Medical, ServiceField::Elderly],
    ),
    (
        "肥西县社会工作服务中心",
        OrgKind::SocialService,
        &[ServiceField::Community, ServiceField::Elderly],
    ),
    (
        "肥西县青年志愿者协会",
        OrgKind::SocialGroup,
        &[ServiceField::Community, ServiceField::Children],
    ),
    (
        "肥西县慈善基金会",
        OrgKind::Foundation,
        &[ServiceField::Poverty, ServiceField::Disaster],
    ),
    (
        "肥西县家政服务行业协会",
        OrgKind::SocialGroup,
        &[ServiceField::Elderly],
    ),
    (
        "肥西县书香助学服务社",
        OrgKind::SocialService,
        &[ServiceField::Education],
    ),
    (
        "肥西县巾帼志愿服务队",
        OrgKind::VolunteerTeam,
        &[ServiceField::Children, ServiceField::Community],
    ),
    (
        "肥西县老年人协会",
        OrgKind::SocialGroup,
        &[ServiceField::Elderly],
    ),
    (
        "肥西县应急救援志愿队",
        OrgKind::VolunteerTeam,
        &[ServiceField::Disaster],
    ),
    (
        "肥西县康复助残协会",
        OrgKind::SocialGroup,
        &[ServiceField::Disability, ServiceField::Medical],
    ),
    (
        "合肥市暖冬公益基金会",
        OrgKind::Foundation,
        &[ServiceField::Poverty, ServiceField::Elderly],
    ),
    (
        "肥西县归国留学人员联谊会",
        OrgKind::SocialGroup,
        &[ServiceField::Education, ServiceField::Poverty],
    ),
];

const PEOPLE: [&str; 7] = [
    "陈晓东",
    "王丽华",
    "刘建国",
    "张秀英",
    "李志强",
    "赵文静",
    "孙海波",
];

/// A synthetic credit code for the n-th demo organization whose two check characters hold.
pub fn demo_uscc(n: usize, kind: OrgKind, area: &str) -> Option<Uscc> {
    let kind_digit = match kind {
        OrgKind::SocialGroup => '1',
        OrgKind::SocialService => '2',
        OrgKind::Foundation => '3',
        _ => '9',
    };
    let body = format!("5{kind_digit}{area}MJ{:06}", 100 + n);
    "0123456789X".chars().find_map(|c| {
        let code = hearth_core::uscc::complete_uscc(&format!("{body}{c}"))?;
        code.warnings().is_empty().then_some(code)
    })
}

fn example_villages(towns: &[Area]) -> Vec<Area> {
    let mut names = VILLAGE_NAMES.iter().cycle();
    let mut villages = Vec::new();
    for town in towns {
        for (suffix, kind) in [("001", "社区"), ("200", "村")] {
            let code = format!("{}{suffix}", &town.code.as_str()[..9]);
            let Ok(code) = AreaCode::parse(&code) else {
                continue;
            };
            villages.push(Area {
                code,
                name: format!("{}{kind}（示例）", names.next().unwrap_or(&"示例")),
                level: AreaLevel::Village,
                parent: Some(town.code.clone()),
                short_name: String::new(),
                is_example: true,
                note: "演示用虚构村（社区），非真实名录".to_owned(),
            });
        }
    }
    villages
}

fn demo_org(n: usize, towns: &[Area]) -> Option<Organization> {
    let (name, kind, fields) = ORGS[n];
    let area = if name.starts_with("合肥市") {
        "340100"
    } else {
        "340123"
    };
    let now = hearth_store::now();
    let serves: Vec<AreaCode> = if n.is_multiple_of(4) {
        vec![AreaCode::parse("340123000000").ok()?]
    } else {
        towns
            .iter()
            .skip(n % towns.len().max(1))
            .take(1 + n % 3)
            .map(|t| t.code.clone())
            .collect()
    };
    Some(Organization {
        id: Uuid::now_v7(),
        profile: OrgProfile {
            name: name.to_owned(),
            uscc: demo_uscc(n, kind, area)?,
            kind,
            service_fields: fields.to_vec(),
            service_areas: serves,
            responsible_person: PEOPLE[n % PEOPLE.len()].to_owned(),
            contact_person: PEOPLE[(n + 3) % PEOPLE.len()].to_owned(),
            contact_phone: format!("0551-68{:06}", 100_000 + n * 7919 % 900_000),
            address: format!("肥西县上派镇示例路{}号", 10 + n),
            rating: ["5A", "4A", "3A", ""]
                .get(n % 5)
                .filter(|r| !r.is_empty())
                .map(|r| (*r).to_owned()),
            note: "演示数据，机构名称与信用代码均为虚构".to_owned(),
        },
        status: OrgStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Invented names for the demo households (演示数据): surname + given name, never a real person.
const SURNAMES: [&str; 12] = [
    "陈", "王", "刘", "张", "李", "赵", "孙", "周", "吴", "郑", "何", "杨",
];
const ELDER_NAMES: [&str; 8] = [
    "桂芳", "德明", "秀兰", "长海", "玉珍", "永福", "凤英", "守田",
];
const ADULT_NAMES: [&str; 8] = [
    "建华", "丽萍", "国庆", "春燕", "海军", "晓梅", "志勇", "红霞",
];
const CHILD_NAMES: [&str; 8] = [
    "小雨", "子涵", "欣怡", "浩然", "一诺", "梓轩", "雨桐", "天佑",
];

/// The kinds of demo household, so the list shows the usual mix of the county's cases.
#[derive(Clone, Copy)]
enum DemoKind {
    /// 高龄独居老人: one member aged 80+, a health note.
    ElderAlone,
    /// 低保 family: a parent with a physical disability certificate, a child under 14.
    DibaoWithChild,
    /// 特困 (分散供养) elder with a severe (grade 1) visual disability.
    TekunSevere,
    /// 农村留守儿童 raised by a grandmother.
    LeftBehind,
    /// A family of five with rigid expenses: an 80+ parent, two children.
    LargeFamily,
}

const KINDS: [DemoKind; 5] = [
    DemoKind::ElderAlone,
    DemoKind::DibaoWithChild,
    DemoKind::TekunSevere,
    DemoKind::LeftBehind,
    DemoKind::LargeFamily,
];

/// Where a demo household ends up in the review workflow, by its place in the village.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DemoStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

const STATUSES: [DemoStatus; 5] = [
    DemoStatus::Approved,
    DemoStatus::Submitted,
    DemoStatus::Draft,
    DemoStatus::Returned,
    DemoStatus::Approved,
];

/// Synthetic people: valid ID numbers of county 340123 with a running sequence, so no two are
/// alike.
struct People {
    today: NaiveDate,
    next: u32,
}

impl People {
    fn born(&self, years_ago: i32, n: u32) -> NaiveDate {
        let year = self.today.year() - years_ago;
        NaiveDate::from_ymd_opt(year, 1 + n % 12, 1 + n % 28).unwrap_or(self.today)
    }

    /// A valid 18-character number for someone born on `born`; the 17th digit odd for men.
    fn id(&mut self, born: NaiveDate, male: bool) -> String {
        self.next += 1;
        let seq = (self.next * 2 + u32::from(male)) % 1000;
        let first17 = format!("340123{}{seq:03}", born.format("%Y%m%d"));
        let check = hearth_core::id_number::id_check_char(&first17).unwrap_or('0');
        format!("{first17}{check}")
    }

    fn name(&self, list: &[&str], surname: usize, n: u32) -> String {
        format!(
            "{}{}",
            SURNAMES[surname % SURNAMES.len()],
            list[n as usize % list.len()]
        )
    }

    /// A member; `years_ago` is the age at the latest birthday this year or next.
    fn member(&mut self, name: String, relation: &str, years_ago: i32, male: bool) -> MemberInput {
        let born = self.born(years_ago, self.next);
        MemberInput {
            name,
            id_number: self.id(born, male),
            relation: relation.to_owned(),
            ..MemberInput::default()
        }
    }
}

fn tag(category: &str, source: &str, today: NaiveDate) -> CategoryTagInput {
    CategoryTagInput {
        category: category.to_owned(),
        source: source.to_owned(),
        verified_by: "村委会（演示）".to_owned(),
        verified_on: (today - chrono::Days::new(30)).to_string(),
        valid_until: (today + chrono::Days::new(365)).to_string(),
    }
}

/// The `n`-th demo household (`n` counts across the county) of `kind` in `village`.
fn demo_household(
    people: &mut People,
    village: &Area,
    kind: DemoKind,
    n: u32,
    with_consent: bool,
) -> HouseholdInput {
    let today = people.today;
    let surname = n as usize;
    let mut members = Vec::new();
    let (categories, main, causes): (Vec<CategoryTagInput>, &str, &[&str]) = match kind {
        DemoKind::ElderAlone => {
            let mut head = people.member(
                people.name(&ELDER_NAMES, surname, n),
                "head",
                81 + (n % 9) as i32,
                n.is_multiple_of(2),
            );
            head.health_note = "高血压，需长期服药（演示）".to_owned();
            members.push(head);
            (
                vec![
                    tag("elderly_alone", "村委会核实", today),
                    tag("elderly_advanced", "民政系统", today),
                ],
                "elderly_advanced",
                &["illness"],
            )
        }
        DemoKind::DibaoWithChild => {
            let mut head = people.member(
                people.name(&ADULT_NAMES, surname, n),
                "head",
                38 + (n % 10) as i32,
                true,
            );
            head.disability_certificate = format!("{}43", head.id_number);
            members.push(head);
            members.push(people.member(
                people.name(&ADULT_NAMES, surname + 3, n + 1),
                "spouse",
                36 + (n % 8) as i32,
                false,
            ));
            members.push(people.member(
                people.name(&CHILD_NAMES, surname, n),
                "child",
                4 + (n % 9) as i32,
                n % 2 == 1,
            ));
            (
                vec![
                    tag("dibao", "民政系统", today),
                    tag("disabled", "残联系统", today),
                ],
                "dibao",
                &["disability", "schooling"],
            )
        }
        DemoKind::TekunSevere => {
            let mut head = people.member(
                people.name(&ELDER_NAMES, surname, n + 1),
                "head",
                82 + (n % 7) as i32,
                true,
            );
            head.disability_certificate = format!("{}11", head.id_number);
            head.health_note = "双目失明，行动需人照看（演示）".to_owned();
            members.push(head);
            (
                vec![
                    tag("tekun_dispersed", "民政系统", today),
                    tag("disabled", "残联系统", today),
                    tag("elderly_advanced", "民政系统", today),
                ],
                "tekun_dispersed",
                &["disability", "lack_of_labour"],
            )
        }
        DemoKind::LeftBehind => {
            members.push(people.member(
                people.name(&ELDER_NAMES, surname, n + 2),
                "head",
                66 + (n % 10) as i32,
                false,
            ));
            members.push(people.member(
                people.name(&CHILD_NAMES, surname, n + 1),
                "grandchild",
                6 + (n % 7) as i32,
                true,
            ));
            members.push(people.member(
                people.name(&CHILD_NAMES, surname, n + 2),
                "grandchild",
                3 + (n % 6) as i32,
                false,
            ));
            (
                vec![
                    tag("left_behind_child", "村委会核实", today),
                    tag("dibao_edge", "民政系统", today),
                ],
                "left_behind_child",
                &["lack_of_labour"],
            )
        }
        DemoKind::LargeFamily => {
            members.push(people.member(
                people.name(&ADULT_NAMES, surname, n + 4),
                "head",
                45 + (n % 8) as i32,
                true,
            ));
            members.push(people.member(
                people.name(&ADULT_NAMES, surname + 5, n + 5),
                "spouse",
                43 + (n % 8) as i32,
                false,
            ));
            let mut parent = people.member(
                people.name(&ELDER_NAMES, surname + 7, n + 3),
                "parent",
                81 + (n % 6) as i32,
                false,
            );
            parent.disability_certificate = format!("{}62", parent.id_number);
            parent.health_note = "阿尔茨海默病，需专人照护（演示）".to_owned();
            members.push(parent);
            members.push(people.member(
                people.name(&CHILD_NAMES, surname, n + 3),
                "child",
                15 + (n % 3) as i32,
                true,
            ));
            members.push(people.member(
                people.name(&CHILD_NAMES, surname, n + 4),
                "child",
                5 + (n % 5) as i32,
                false,
            ));
            (
                vec![
                    tag("rigid_expense", "民政系统", today),
                    tag("relapse_monitoring", "乡村振兴系统", today),
                    tag("disabled", "残联系统", today),
                ],
                "rigid_expense",
                &["illness", "schooling"],
            )
        }
    };
    let has_child = members
        .iter()
        .any(|m| matches!(m.relation.as_str(), "child" | "grandchild"));
    let consent = if with_consent {
        let mut scopes = vec!["follow_up_visits".to_owned()];
        if n % 3 != 2 {
            scopes.push("share_with_organizations".to_owned());
        }
        ConsentInput {
            version: "2024版（演示）".to_owned(),
            signed_on: (today - chrono::Days::new(20)).to_string(),
            scopes,
            signer: members[0].name.clone(),
            guardian: if has_child {
                members[0].name.clone()
            } else {
                String::new()
            },
            ..ConsentInput::default()
        }
    } else {
        ConsentInput::default()
    };
    HouseholdInput {
        address: format!(
            "{}第{}村民组{}号（演示地址）",
            village.name,
            1 + n % 6,
            10 + n
        ),
        village: village.code.as_str().to_owned(),
        phone: format!("1380000{:04}", 1000 + n),
        categories,
        main_category: main.to_owned(),
        causes: causes.iter().map(|c| (*c).to_owned()).collect(),
        consent,
        note: "演示数据，人员信息均为虚构".to_owned(),
        members,
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub areas: usize,
    pub organizations: usize,
    pub users: usize,
    pub households: usize,
    pub campaigns: usize,
    pub needs: usize,
    pub pledges: usize,
    /// Candidate pairs the identity pass put in the review queue (the synthetic copies).
    pub identity_pairs: usize,
}

/// The code of the demo campaign.
pub const DEMO_CAMPAIGN: &str = "NDXD-DEMO";

impl App {
    /// Fills an empty database with the demo data set. Needs the keys ([`App::with_keys`]): the
    /// demo households are stored sealed like real ones.
    pub async fn seed_demo(&self) -> Result<DemoSummary> {
        self.cipher()?;
        let actor = Actor::system("demo");
        let mut divisions = parse_divisions(FEIXI_DIVISIONS)?;
        let towns: Vec<Area> = divisions
            .iter()
            .filter(|a| a.level == AreaLevel::Town)
            .cloned()
            .collect();
        for town in divisions.iter_mut().filter(|a| a.level == AreaLevel::Town) {
            if town.name == "安徽肥西经济开发区" {
                town.short_name = "经开区".to_owned();
            }
        }
        divisions.extend(example_villages(&towns));
        let areas = self.load_areas(&actor, &divisions).await?;
        let orgs: Vec<Organization> = (0..ORGS.len())
            .filter_map(|n| demo_org(n, &towns))
            .collect();
        let county = divisions
            .iter()
            .find(|a| a.level == AreaLevel::County)
            .map(|a| a.code.clone());
        let mut tx = self.store().write().await?;
        for org in &orgs {
            organizations::insert(&mut tx, org).await?;
            // Registered by the demo county, as its bureau would have done.
            if let Some(county) = &county {
                organizations::set_county(&mut tx, org.id, county).await?;
            }
            let detail = serde_json::json!({"demo": true});
            audit::append(
                &mut tx,
                NewEvent {
                    actor: &actor,
                    action: "organization_created",
                    record_type: "organization",
                    record_id: org.id.to_string(),
                    detail,
                    reason: String::new(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        let village = divisions.iter().find(|a| {
            a.level == AreaLevel::Village
                && a.parent
                    .as_ref()
                    .is_some_and(|p| p.as_str() == "340123100000")
        });
        let mut accounts: Vec<User> = Vec::new();
        for (username, role, display_name) in DEMO_USERS {
            let new = NewUser {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                role: role.to_owned(),
                area_code: match username {
                    "town" => "340123100000".to_owned(),
                    "village" => village
                        .map(|v| v.code.as_str().to_owned())
                        .unwrap_or_default(),
                    _ => "340123000000".to_owned(),
                },
                organization: orgs.first().map(|o| o.id.to_string()).unwrap_or_default(),
                password: DEMO_PASSWORD.to_owned(),
            };
            accounts.push(self.insert_user(&actor, &new, true).await?);
        }
        let villages: Vec<&Area> = divisions
            .iter()
            .filter(|a| a.level == AreaLevel::Village && a.is_example)
            .collect();
        let (households, village_accounts) =
            self.seed_households(&actor, &accounts, &villages).await?;
        let campaigns = self.seed_campaign(&accounts, &orgs).await?;
        let (needs, org_accounts) = self.seed_needs(&actor, &orgs).await?;
        let mut pledges = 0;
        if let Some(cast) = pledges::Cast::load(self).await? {
            pledges = self.seed_pledges(&cast).await?;
            self.seed_cultivation(&cast, &orgs).await?;
        }
        let identity_pairs = match accounts.iter().find(|u| u.username.as_str() == "county") {
            Some(county) => {
                let county = Caller::new(county.clone());
                self.find_duplicates(&county, None).await?.new_pairs
            }
            None => 0,
        };
        Ok(DemoSummary {
            areas,
            organizations: orgs.len(),
            users: DEMO_USERS.len() + village_accounts + org_accounts,
            households,
            campaigns,
            needs,
            pledges,
            identity_pairs,
        })
    }

    /// A launched 暖冬行动 running this winter (from a week ago, for five months) with all 21
    /// organizations in its first batch (第一批), as in
    /// the news item, so organizations see the consented households they may help.
    async fn seed_campaign(&self, accounts: &[User], orgs: &[Organization]) -> Result<usize> {
        let Some(county) = accounts
            .iter()
            .find(|u| u.username.as_str() == "county")
            .cloned()
            .map(Caller::new)
        else {
            return Ok(0);
        };
        let starts_on = crate::today() - chrono::Days::new(7);
        let input = CampaignInput {
            code: DEMO_CAMPAIGN.to_owned(),
            name: format!("{}年暖冬行动（演示）", starts_on.year()),
            year: starts_on.year().to_string(),
            starts_on: starts_on.to_string(),
            ends_on: (starts_on + chrono::Days::new(150)).to_string(),
            focus_fields: vec!["elderly".to_owned(), "poverty".to_owned(), "children".to_owned()],
            target_households: "780".to_owned(),
            target_cash: "130000".to_owned(),
            target_items: "390".to_owned(),
            arrangements: "迎新春、送温暖、办实事：社会组织与困难群众结对，制定《肥西县社会组织暖冬行动关爱慰问承诺书》，做到对象精准、需求精准、服务精准。（演示数据）".to_owned(),
        };
        let campaign = self.create_campaign(&county, &input).await?;
        let ids: Vec<uuid::Uuid> = orgs.iter().map(|o| o.id).collect();
        self.enrol_organizations(&county, campaign.id, &ids, 1)
            .await?;
        self.advance_campaign(
            &county,
            campaign.id,
            hearth_core::campaign::CampaignAction::Launch,
        )
        .await?;
        Ok(1)
    }

    /// 3–5 synthetic households per example village, entered by that village's officer (see
    /// [`App::village_accounts`]) and reviewed by the `town` account in its town and by `county`
    /// elsewhere (never by their maker), and a few synthetic second registrations outside the
    /// demo town for the identity review ([`twins`]). Everything goes through the use cases, so
    /// the audit log and the encryption are the real ones. Returns the households and the
    /// village accounts added.
    async fn seed_households(
        &self,
        actor: &Actor,
        accounts: &[User],
        villages: &[&Area],
    ) -> Result<(usize, usize)> {
        let by_name = |name: &str| {
            accounts
                .iter()
                .find(|u| u.username.as_str() == name)
                .cloned()
                .map(Caller::new)
        };
        let (Some(town), Some(county), Some(demo_village)) =
            (by_name("town"), by_name("county"), by_name("village"))
        else {
            return Ok((0, 0));
        };
        let mut people = People {
            today: crate::today(),
            next: 0,
        };
        let village_accounts = self
            .village_accounts(actor, &demo_village, villages)
            .await?;
        let mut made = Vec::new();
        let mut n = 0u32;
        for (v, (village, maker)) in villages.iter().zip(&village_accounts).enumerate() {
            let reviewer = match town.user.area_code.as_ref() {
                Some(own) if village.code.is_within(own) => &town,
                _ => &county,
            };
            for (i, status) in STATUSES.iter().take(3 + v % 3).enumerate() {
                let kind = KINDS[(v + i) % KINDS.len()];
                let with_consent = *status != DemoStatus::Draft || v % 2 == 1;
                let input = demo_household(&mut people, village, kind, n, with_consent);
                n += 1;
                let id = self.register_household(maker, &input).await?.id;
                made.push((v, input));
                if *status == DemoStatus::Draft {
                    continue;
                }
                self.submit_household(maker, id).await?;
                match status {
                    DemoStatus::Approved => {
                        self.approve_household(reviewer, id).await?;
                    }
                    DemoStatus::Returned => {
                        self.return_household(
                            reviewer,
                            id,
                            "低保证明已过期，请补充最新的证明复印件后再提交（演示）",
                        )
                        .await?;
                    }
                    DemoStatus::Submitted | DemoStatus::Draft => {}
                }
            }
        }
        let in_demo_town = |v: usize| {
            let own = town.user.area_code.as_ref();
            own.is_some_and(|own| villages[v].code.is_within(own))
        };
        let copies = self
            .seed_near_duplicates(&village_accounts, &made, in_demo_town)
            .await?;
        let households = made.len() + copies;
        let added = village_accounts
            .iter()
            .filter(|c| c.user.id != demo_village.user.id)
            .count();
        Ok((households, added))
    }

    /// The officer of each village: the `village` demo account for its village, and for every
    /// other one a synthetic account `cun` + the village's last six digits with the demo
    /// password. The password is hashed once for all of them (argon2 is slow on purpose, and
    /// every test seeds the demo).
    async fn village_accounts(
        &self,
        actor: &Actor,
        demo_village: &Caller,
        villages: &[&Area],
    ) -> Result<Vec<Caller>> {
        let hash = crate::password::hash(DEMO_PASSWORD);
        let mut tx = self.store().write().await?;
        let mut officers = Vec::with_capacity(villages.len());
        for village in villages {
            if demo_village.user.area_code.as_ref() == Some(&village.code) {
                officers.push(demo_village.clone());
                continue;
            }
            let now = hearth_store::now();
            let user = User {
                id: Uuid::now_v7(),
                username: Username::parse(&format!("cun{}", &village.code.as_str()[6..]))?,
                display_name: format!("{}工作人员（演示）", village.name),
                role: Role::VillageOfficer,
                area_code: Some(village.code.clone()),
                organization_id: None,
                status: UserStatus::Active,
                failed_logins: 0,
                locked_until: None,
                must_change_password: false,
                last_login_at: None,
                created_at: now,
                updated_at: now,
            };
            users::insert(&mut tx, &user, &hash).await?;
            audit::append(
                &mut tx,
                NewEvent {
                    actor,
                    action: "user_created",
                    record_type: "user",
                    record_id: user.id.to_string(),
                    detail: serde_json::json!({"role": user.role.as_str(), "demo": true}),
                    reason: String::new(),
                },
            )
            .await?;
            officers.push(Caller::new(user));
        }
        tx.commit().await?;
        Ok(officers)
    }
}
