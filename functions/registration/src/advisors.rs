//! Advisors, their portfolio, and the admin views of load and waiting seekers.

use api::auth::Caller;
use api::http::{encode_list_cursor, json_response, parse_body, query_param, ListBody, Page};
use api::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::{Email, Modality, PersonName, Region, REGIONS};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use std::collections::HashMap;
use store::audit::AuditRecord;
use store::keys;
use store::{to_item, AdvisorRecord, IdentityRecord, Index, Keyed, SeekerRecord, TransactOutcome, Tx};

use crate::app::App;
use crate::views;
use store::tx::put;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateAdvisorBody {
    sub: String,
    first_name: String,
    last_name: String,
    email: String,
    region: String,
    modality: Modality,
    #[serde(default)]
    capacity: Option<u32>,
    #[serde(default)]
    agency_address: Option<String>,
    /// The work phone (French, normalised to E.164).
    #[serde(default)]
    phone: Option<String>,
}

/// `POST /advisors` (admins).
pub(crate) async fn create(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let body: CreateAdvisorBody = parse_body(request)?;
    let sub = body.sub.trim();
    if sub.is_empty() || sub.len() > 128 || sub.chars().any(char::is_control) {
        return Err(ApiError::unprocessable("invalid_sub", "sub must be 1 to 128 characters"));
    }
    let first_name = PersonName::parse("firstName", &body.first_name)?;
    let last_name = PersonName::parse("lastName", &body.last_name)?;
    let email = Email::parse(&body.email)?;
    let region = Region::parse(&body.region)?;
    let capacity = body.capacity.unwrap_or_else(|| body.modality.default_capacity());
    // The modality's size is a ceiling (PRODUCT.md: 250 web, 150 guided, 70 reinforced).
    let ceiling = body.modality.max_capacity();
    if capacity == 0 || capacity > ceiling {
        return Err(ApiError::unprocessable(
            "invalid_capacity",
            format!("capacity must be 1 to {ceiling} for a {} advisor", body.modality.as_str()),
        ));
    }
    let agency_address =
        body.agency_address.as_deref().map(|a| domain::free_text("agencyAddress", a, 300)).transpose()?;
    let phone = body.phone.as_deref().map(domain::french_phone).transpose()?;
    let advisor_id = ulid::Ulid::new().to_string();
    let advisor = AdvisorRecord {
        advisor_id: advisor_id.clone(),
        sub: sub.to_owned(),
        first_name: first_name.as_str().to_owned(),
        last_name: last_name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        region: region.as_str().to_owned(),
        modality: body.modality,
        capacity,
        portfolio_count: 0,
        created_at: now,
        agency_address,
        phone: phone.map(|p| p.as_str().to_owned()),
    };
    let identity = IdentityRecord::advisor(sub, &advisor_id, now);
    let mut tx = Tx::new();
    let identity_claim = tx.push(put(to_item(&identity)?, Some("attribute_not_exists(pk)")));
    tx.push(put(advisor.to_item()?, Some("attribute_not_exists(pk)")));
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            // New places in the region: the longest waiting seekers it serves take them.
            let placed = crate::waiting::drain(app, &advisor.region, now).await;
            let advisor = match placed {
                0 => advisor,
                _ => app.store.advisor(&advisor.advisor_id).await?.unwrap_or(advisor),
            };
            Ok(json_response(StatusCode::CREATED, &views::advisor(&advisor)))
        }
        outcome if outcome.failed(identity_claim) => {
            Err(ApiError::conflict("identity_taken", "this sub already belongs to a seeker or an advisor"))
        }
        _ => Err(ApiError::Unavailable("advisor creation conflicted; retry".into())),
    }
}

/// `GET /advisors/me/portfolio`: most overdue first, with what the advisor acts on next to
/// each seeker: messages unread on the advisor's side and the open in-person request.
pub(crate) async fn portfolio(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let (seekers, next_cursor) = app
        .store
        .query(Index::Gsi1, keys::portfolio_gsi1pk(&advisor.advisor_id))
        .page_of::<SeekerRecord>(&page)
        .await?;
    // One batch read of the page's conversation summaries, one query of the advisor's open
    // requests (at most one per seeker, so bounded by the portfolio): side by side.
    let summary_keys: Vec<(String, String)> =
        seekers.iter().map(|s| (keys::conversation_pk(&s.seeker_id), keys::SUMMARY_SK.to_owned())).collect();
    let open_requests = app.store.query(Index::Gsi1, keys::in_person_open_gsi1pk(&advisor.advisor_id));
    let (summaries, open_requests) =
        tokio::try_join!(app.store.get_many::<UnreadOnSummary>(&summary_keys), open_requests.all_of::<OpenRequest>(),)?;
    let unread: HashMap<&str, u32> = summaries
        .iter()
        .filter(|s| s.expires_at.is_none_or(|at| at > now.timestamp()))
        .map(|s| (s.seeker_id.as_str(), s.unread_advisor))
        .collect();
    // Oldest first (the index's order): the request waiting longest is the one shown.
    let mut requests: HashMap<&str, &OpenRequest> = HashMap::new();
    for r in &open_requests {
        requests.entry(r.seeker_id.as_str()).or_insert(r);
    }
    let rows = seekers
        .iter()
        .map(|seeker| {
            let id = seeker.seeker_id.as_str();
            views::portfolio_row(
                seeker,
                now,
                unread.get(id).copied().unwrap_or(0),
                requests.get(id).map(|r| views::OpenRequestRef { request_id: &r.request_id, created_at: r.created_at }),
            )
        })
        .collect();
    Ok(json_response(StatusCode::OK, &ListBody { items: rows, next_cursor }))
}

/// The part of a conversation summary (the chat function's item, `CONV#<seekerId>/SUMMARY`)
/// the portfolio reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnreadOnSummary {
    seeker_id: String,
    #[serde(default)]
    unread_advisor: u32,
    #[serde(default)]
    expires_at: Option<i64>,
}

/// The part of an open in-person request (the booking function's item) the portfolio reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenRequest {
    request_id: String,
    seeker_id: String,
    #[serde(with = "domain::time::stored")]
    created_at: DateTime<Utc>,
}

/// `GET /admin/waiting`: seekers without an advisor, longest waiting first.
pub(crate) async fn waiting(
    app: &App,
    caller: &Caller,
    request: &Request,
    _now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let page = api::http::page(request)?;
    let (seekers, next_cursor) =
        app.store.query(Index::Gsi1, keys::WAITING_GSI1PK).page_of::<SeekerRecord>(&page).await?;
    let rows = seekers.iter().map(views::waiting_row).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items: rows, next_cursor }))
}

/// `GET /admin/advisors[?region=]`: advisors of a region, or of every region (in region code
/// order), with their load.
pub(crate) async fn list(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let page = api::http::page(request)?;
    let regions: Vec<String> = match query_param(request, "region") {
        Some(raw) => vec![Region::parse(&raw)?.as_str().to_owned()],
        None => REGIONS.iter().map(|(code, _)| (*code).to_owned()).collect(),
    };
    // A cursor resumes in the region it was made in; the regions before it are done.
    let resume_in = match &page.start_key {
        Some(key) => {
            let partition = key.get("gsi1pk").and_then(|v| v.as_s().ok()).ok_or(store::StoreError::InvalidCursor)?;
            regions.iter().position(|r| keys::region_gsi1pk(r) == *partition).ok_or(store::StoreError::InvalidCursor)?
        }
        None => 0,
    };
    let mut advisors: Vec<AdvisorRecord> = Vec::new();
    let mut start_key = page.start_key.clone();
    let mut next_cursor = None;
    for (index, region) in regions.iter().enumerate().skip(resume_in) {
        let room = page.limit - advisors.len() as i32;
        let (found, next) = app
            .store
            .query(Index::Gsi1, keys::region_gsi1pk(region))
            .sk_prefix(keys::REGION_ADVISOR_PREFIX)
            .page_of::<AdvisorRecord>(&Page { limit: room, start_key: start_key.take(), list: page.list.clone() })
            .await?;
        advisors.extend(found);
        if next.is_some() {
            next_cursor = next;
            break;
        }
        if index + 1 < regions.len() && advisors.len() as i32 == page.limit {
            // Full at a region's end: resume after its last advisor (the next page starts in a later region).
            next_cursor = advisors.last().map(|a| advisor_cursor(a, page.list.as_deref()));
            break;
        }
    }
    let rows = advisors.iter().map(views::advisor).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items: rows, next_cursor }))
}

/// The cursor that resumes a region's list after `advisor` (its table and GSI1 keys).
fn advisor_cursor(advisor: &AdvisorRecord, list: Option<&str>) -> String {
    let keys = advisor.keys();
    let region = keys.gsi1.map(|index| [("gsi1pk", index.pk), ("gsi1sk", index.sk)]).into_iter().flatten();
    let key = [("pk", keys.pk), ("sk", keys.sk)]
        .into_iter()
        .chain(region)
        .map(|(name, value)| (name.to_owned(), AttributeValue::S(value)))
        .collect();
    encode_list_cursor(&key, list)
}

/// `GET /admin/seekers/{seekerId}/audit`: the audit trail of staff access to one seeker's
/// data, newest first (admins only; an erased seeker's trail stays readable until its TTL).
/// Reading it is itself an access, and recorded.
pub(crate) async fn audit_trail(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    caller.require_admin()?;
    let seeker_id = api::http::path_param(request, "seekerId")?;
    let page = api::http::page(request)?;
    let is_ulid = seeker_id.len() == 26 && seeker_id.bytes().all(|b| b.is_ascii_alphanumeric());
    if !is_ulid || app.store.seeker(&seeker_id).await?.is_none() {
        return Err(ApiError::not_found("no such seeker"));
    }
    let (entries, next_cursor) = app
        .store
        .query(Index::Table, keys::audit_pk(&seeker_id))
        .sk_prefix(keys::AUDIT_PREFIX)
        .newest_first()
        .page_of::<AuditRecord>(&page)
        .await?;
    // After the read, so a page never shows its own reading half written.
    let read = api::access::Access::Read(api::access::Resource::Audit);
    api::access::record_admin_access(&app.store, caller, &seeker_id, read).await;
    let items: Vec<_> = entries.iter().map(AuditRecord::to_api).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}
