//! The audit log for auditors and the audit administrator: recent events, and whether the hash
//! chain still verifies.

use super::export::{Column, Format, List, txt, whole};
use super::organizations::role_label;
use super::{Frame, Pager, Section, label_or, local_time, ok, with_query};
use crate::AppState;
use crate::auth::Signed;
use crate::error::PageError;
use crate::tr::{Tr, form_pairs};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use hearth_core::permission::Permission;
use hearth_store::audit::AuditEvent;
use hearth_store::organizations::PageRequest;

struct EventRow {
    seq: i64,
    time: String,
    actor: String,
    role: String,
    action: String,
    record: String,
    record_id: String,
    record_href: Option<String>,
    detail: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    frame: Frame,
    rows: Vec<EventRow>,
    pager: Pager,
    chain_ok: bool,
    chain_summary: String,
}

/// The detail column: the changed field names for edits, otherwise the facts as recorded.
fn detail_text(t: Tr, detail: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    if let Some(changed) = value.get("changed").and_then(|c| c.as_object()) {
        let names: Vec<String> = changed
            .keys()
            .map(|k| match k.as_str() {
                "kind" => label_or(t, "org.kind_label", k),
                "status" => label_or(t, "org.status_label", k),
                other => label_or(t, &format!("org.{other}"), other),
            })
            .collect();
        return names.join("、");
    }
    let Some(map) = value.as_object() else {
        return String::new();
    };
    let text = map
        .iter()
        .map(|(key, value)| {
            let shown = match (key.as_str(), value) {
                ("role", serde_json::Value::String(role)) => role_label(t, role),
                (_, serde_json::Value::String(text)) => text.clone(),
                (_, other) => other.to_string(),
            };
            format!("{key}: {shown}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

/// `GET /audit?page=&size=`
pub async fn page(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let pairs = raw.as_deref().map(form_pairs).unwrap_or_default();
    let number = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
    };
    let request = PageRequest::new(number("page"), number("size"));
    let fail = |e| PageError::new(e, t);
    // Reading the events checks the permission; verification runs only for those allowed.
    let (events, total) = state
        .app
        .audit_events(caller, request.size, request.offset())
        .await
        .map_err(fail)?;
    let verification = state
        .app
        .verify_audit_log(hearth_app::users::Operator::User(caller))
        .await
        .map_err(fail)?;
    let rows = events.iter().map(|e| event_row(t, caller, e)).collect();
    let short_hash: String = verification.head_hash.chars().take(16).collect();
    let (chain_ok, chain_summary) = match &verification.first_broken {
        None => (
            true,
            t.f(
                "audit.chain_ok",
                &[
                    ("events", verification.events.to_string()),
                    ("hash", short_hash),
                ],
            ),
        ),
        Some(broken) => (
            false,
            t.f(
                "audit.chain_broken",
                &[
                    ("seq", broken.seq.to_string()),
                    ("reason", broken.reason.clone()),
                ],
            ),
        ),
    };
    let here = with_query("/audit", raw.as_deref().unwrap_or(""));
    let page = AuditPage {
        t,
        frame: Frame::new(&signed, t, Section::Audit, &here, t.t("audit.title")),
        rows,
        pager: Pager::new(t, "/audit", &[], total, request.number, request.size),
        chain_ok,
        chain_summary,
    };
    Ok(ok(&page, t))
}

fn event_row(t: Tr, caller: &hearth_app::Caller, e: &AuditEvent) -> EventRow {
    EventRow {
        seq: e.seq,
        time: local_time(t, e.at),
        actor: e.actor_name.clone(),
        role: role_label(t, &e.role),
        action: label_or(t, &format!("action.{}", e.action), &e.action),
        record: label_or(
            t,
            &format!("audit.record_{}", e.record_type),
            &e.record_type,
        ),
        record_id: e.record_id.clone(),
        record_href: record_link(caller, &e.record_type, &e.record_id),
        detail: detail_text(t, &e.detail),
        reason: e.reason.clone(),
    }
}

const COLUMNS: [Column<EventRow>; 9] = [
    Column {
        header: "audit.seq",
        cell: |r| whole(r.seq),
    },
    Column {
        header: "audit.time",
        cell: |r| txt(&r.time),
    },
    Column {
        header: "audit.actor",
        cell: |r| txt(&r.actor),
    },
    Column {
        header: "user.role",
        cell: |r| txt(&r.role),
    },
    Column {
        header: "audit.action",
        cell: |r| txt(&r.action),
    },
    Column {
        header: "audit.record",
        cell: |r| txt(&r.record),
    },
    Column {
        header: "list_export.record_id",
        cell: |r| txt(&r.record_id),
    },
    Column {
        header: "audit.detail",
        cell: |r| txt(&r.detail),
    },
    Column {
        header: "audit.reason",
        cell: |r| txt(&r.reason),
    },
];

/// `GET /audit/export.xlsx|csv`: the whole log as the page shows it (newest first).
pub async fn export(
    State(state): State<AppState>,
    signed: Signed,
    t: Tr,
    format: Format,
) -> Result<Response, PageError> {
    let caller = &signed.caller;
    let all = PageRequest::all();
    let (events, _) = state
        .app
        .audit_events(caller, all.size, 0)
        .await
        .map_err(|e| PageError::new(e, t))?;
    let rows: Vec<EventRow> = events.iter().map(|e| event_row(t, caller, e)).collect();
    let list = List {
        name: "audit",
        title: t.t("audit.title"),
        filter: &[],
    };
    list.send(&state, &signed, t, format, &COLUMNS, &rows).await
}

/// Where the record an event names can be opened, if the reader may open it.
fn record_link(caller: &hearth_app::Caller, record_type: &str, id: &str) -> Option<String> {
    let (path, permission) = match record_type {
        "organization" => ("/organizations", Permission::ReadOrganizations),
        "household" => ("/households", Permission::ReadHouseholds),
        "campaign" => ("/campaigns", Permission::ReadCampaigns),
        "pledge" => ("/pledges", Permission::ReadPledges),
        _ => return None,
    };
    (!id.is_empty() && caller.can(permission)).then(|| format!("{path}/{id}"))
}
