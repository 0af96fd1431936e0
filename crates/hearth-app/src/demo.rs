//! The demo: Feixi's real divisions, invented villages and organizations (all marked 示例),
//! and one account per role. Nothing here describes real people.

use crate::users::NewUser;
use crate::{App, Result, areas::parse_divisions};
use hearth_core::area::{AreaCode, AreaLevel};
use hearth_core::organization::{OrgKind, OrgProfile, OrgStatus, Organization, ServiceField};
use hearth_core::uscc::Uscc;
use hearth_store::areas::Area;
use hearth_store::audit::{self, Actor, NewEvent};
use hearth_store::organizations;
use uuid::Uuid;

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

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub areas: usize,
    pub organizations: usize,
    pub users: usize,
}

impl App {
    /// Fills an empty database with the demo data set.
    pub async fn seed_demo(&self) -> Result<DemoSummary> {
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
        let mut tx = self.store().write().await?;
        for org in &orgs {
            organizations::insert(&mut tx, org).await?;
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
            self.insert_user(&actor, &new, true).await?;
        }
        Ok(DemoSummary {
            areas,
            organizations: orgs.len(),
            users: DEMO_USERS.len(),
        })
    }
}
