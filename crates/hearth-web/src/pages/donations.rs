//! `/donations` and `/purchases`: money and goods coming in and bought (捐赠与采购). Lists with a
//! search form, toolbar and pagination; the add forms with refusals beside their fields; the
//! donation's page with its acknowledgement (捐赠回执) to print. The public verification page is
//! `pages/verify.rs`.

mod form;
mod money;
mod purchases;
mod receipt;

use super::export::{Column, Format, List, txt, yuan};
use super::{Frame, Pager, Section, ok, query_string, with_query};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use hearth_app::AppError;
use hearth_app::donations::{DesignationView, DonationQuery, DonationView};
use hearth_core::donation::{DesignationKind, DonationKind, DonorKind};
use hearth_core::permission::Permission;
use hearth_store::organizations::PageRequest;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/donations", get(list).post(form::create))
        .route("/donations/new", get(form::new_form))
        .route("/donations/export.xlsx", get(export))
        .route("/donations/export.csv", get(export))
        .route("/donations/{id}", get(detail))
        .route("/donations/{id}/receipt", get(receipt::page))
        .route(
            "/donations/{id}/reallocate",
            get(money::reallocation_form).post(money::reallocate),
        )
        .route(
            "/donations/{id}/correct",
            get(money::donation_correction_form).post(money::correct_donation),
        )
        .route(
            "/purchases/{id}/correct",
            get(money::purchase_correction_form).post(money::correct_purchase),
        )
        .route("/purchases", get(purchases::list).post(purchases::create))
        .route("/purchases/new", get(purchases::new_form))
        .route("/purchases/export.xlsx", get(purchases::export))
        .route("/purchases/export.csv", get(purchases::export))
        .route("/purchases/{id}", get(purchases::detail))
}

fn fail(t: Tr) -> impl Fn(AppError) -> PageError {
    move |e| PageError::new(e, t)
}

fn parse_id(id: &str, t: Tr) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| PageError::new(AppError::NotFound, t))
}

/// A designation in words: `定向乡镇：上派镇`, `不定向`.
pub(crate) fn designation_text(t: Tr, d: &DesignationView) -> String {
    let label = t.t(d.kind.label_key());
    match (d.kind, d.target.is_empty()) {
        (DesignationKind::Household, true) => {
            format!("{label}：{}", t.t("donation.designated_household"))
        }
        (_, true) => label.to_owned(),
        (_, false) => format!("{label}：{}", d.target),
    }
}

/// The donor as officers read it: the name, or 匿名.
fn donor_text(t: Tr, d: &DonationView) -> String {
    if d.donor_kind == DonorKind::Anonymous {
        t.t("donation.donor_kind.anonymous").to_owned()
    } else {
        d.donor_name.clone()
    }
}

#[derive(Debug, Default)]
struct Query {
    q: String,
    kind: String,
    page: Option<u64>,
    size: Option<u64>,
}

impl Query {
    fn parse(raw: Option<&str>) -> Query {
        let mut q = Query::default();
        for (key, value) in raw.map(form_pairs).unwrap_or_default() {
            let value = value.trim().to_owned();
            match key.as_str() {
                "q" => q.q = value,
                "kind" => q.kind = value,
                "page" => q.page = value.parse().ok(),
                "size" => q.size = value.parse().ok(),
                _ => {}
            }
        }
        q
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![("q", self.q.clone()), ("kind", self.kind.clone())]
    }

    fn query(&self) -> DonationQuery {
        DonationQuery {
            text: self.q.clone(),
            kind: DonationKind::parse(&self.kind).ok(),
        }
    }
}

struct Row {
    id: String,
    number: String,
    received_on: String,
    donor: String,
    kind: &'static str,
    amount: String,
    designation: String,
    station: String,
    reached: String,
}

fn row(t: Tr, d: &DonationView) -> Row {
    Row {
        id: d.id.to_string(),
        number: d.number.clone(),
        received_on: d.received_on.to_string(),
        donor: donor_text(t, d),
        kind: t.t(d.kind.label_key()),
        amount: d.amount.yuan_string(),
        designation: designation_text(t, &d.designation),
        station: d.station_name.clone(),
        reached: d.reached.yuan_string(),
    }
}

#[derive(Template)]
#[template(path = "donation_list.html")]
struct ListPage {
    t: Tr,
    frame: Frame,
    can_record: bool,
    can_purchase: bool,
    kinds: Vec<(&'static str, &'static str, bool)>,
    q: Query,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /donations`.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let caller = &signed.caller;
    let page = PageRequest::new(q.page, q.size);
    let found = state
        .app
        .donations(caller, &q.query(), page)
        .await
        .map_err(fail(t))?;
    let params = q.params();
    let here = with_query("/donations", &query_string(&params));
    let kinds = DonationKind::ALL
        .iter()
        .map(|k| (k.as_str(), t.t(k.label_key()), k.as_str() == q.kind))
        .collect();
    let view = ListPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Donations,
            &here,
            t.t("donation_page.title"),
        ),
        can_record: caller.can(Permission::RecordDonations),
        can_purchase: caller.can(Permission::ReadPurchases),
        kinds,
        rows: found.rows.iter().map(|d| row(t, d)).collect(),
        pager: Pager::new(
            t,
            "/donations",
            &params,
            found.total,
            page.number,
            page.size,
        ),
        q,
        t,
    };
    Ok(ok(&view, t))
}

const COLUMNS: [Column<Row>; 8] = [
    Column {
        header: "donation_page.number",
        cell: |r| txt(&r.number),
    },
    Column {
        header: "donation_page.received_on",
        cell: |r| txt(&r.received_on),
    },
    Column {
        header: "donation_page.donor",
        cell: |r| txt(&r.donor),
    },
    Column {
        header: "donation_page.kind",
        cell: |r| txt(r.kind),
    },
    Column {
        header: "donation_page.amount",
        cell: |r| yuan(&r.amount),
    },
    Column {
        header: "donation_page.designation",
        cell: |r| txt(&r.designation),
    },
    Column {
        header: "donation_page.station",
        cell: |r| txt(&r.station),
    },
    Column {
        header: "donation_page.reached",
        cell: |r| yuan(&r.reached),
    },
];

/// `GET /donations/export.xlsx|csv`: the list under the same filters, every page.
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Query::parse(raw.as_deref());
    let found = state
        .app
        .donations(&signed.caller, &q.query(), PageRequest::all())
        .await
        .map_err(fail(t))?;
    let rows: Vec<Row> = found.rows.iter().map(|d| row(t, d)).collect();
    let list = List {
        name: "donations",
        title: t.t("donation_page.title"),
        filter: &q.params(),
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

struct LineRow {
    item: String,
    quantity: String,
    unit_value: String,
    value: String,
    condition: &'static str,
    reached: String,
}

#[derive(Template)]
#[template(path = "donation_detail.html")]
struct DetailPage {
    t: Tr,
    frame: Frame,
    d: DonationView,
    notice: Option<&'static str>,
    kind: &'static str,
    donor: String,
    donor_kind: &'static str,
    public_name: &'static str,
    channel: String,
    designation: String,
    code: String,
    lines: Vec<LineRow>,
    /// Whether the caller may reverse it or move its money (finance officers).
    can_amend: bool,
    /// Whether it is designated cash still standing, so its money may be reallocated.
    may_reallocate: bool,
}

/// `GET /donations/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id, t)?;
    let d = state
        .app
        .donation(&signed.caller, id)
        .await
        .map_err(fail(t))?;
    let notice = raw
        .as_deref()
        .map(form_pairs)
        .unwrap_or_default()
        .iter()
        .find(|(k, _)| k == "notice")
        .and_then(|(_, v)| match v.as_str() {
            "recorded" => Some("donation_page.recorded"),
            "reallocated" => Some("money_form.notice_reallocated"),
            "corrected" => Some("money_form.notice_corrected"),
            _ => None,
        });
    let lines = d
        .lines
        .iter()
        .map(|l| LineRow {
            item: if t.is_en() {
                l.item_name_en.clone()
            } else {
                l.item_name.clone()
            },
            quantity: format!("{}{}", l.quantity, l.unit),
            unit_value: l.unit_value.yuan_string(),
            value: l.value.yuan_string(),
            condition: t.t(l.condition.label_key()),
            reached: format!("{}{}", l.reached, l.unit),
        })
        .collect();
    let page = DetailPage {
        frame: Frame::new(
            &signed,
            t,
            Section::Donations,
            &format!("/donations/{id}"),
            d.number.clone(),
        ),
        notice,
        kind: t.t(d.kind.label_key()),
        donor: donor_text(t, &d),
        donor_kind: t.t(d.donor_kind.label_key()),
        public_name: t.t(if d.public_name {
            "donation_page.public_yes"
        } else {
            "donation_page.public_no"
        }),
        channel: d
            .channel
            .map(|c| t.t(c.label_key()).to_owned())
            .unwrap_or_default(),
        designation: designation_text(t, &d.designation),
        code: d.verification_code.grouped(),
        lines,
        can_amend: signed.caller.can(Permission::RecordPurchases) && d.correction.is_none(),
        may_reallocate: d.kind == DonationKind::Cash
            && d.designation.kind != DesignationKind::Campaign,
        d,
        t,
    };
    Ok(ok(&page, t))
}
