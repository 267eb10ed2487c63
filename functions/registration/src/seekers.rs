//! Seekers' own routes and the advisor's view of one seeker.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::sms::FrenchMobile;
use domain::time::{from_key, to_key};
use domain::{preferred_channels, Channel, Email, Level, PersonName, Phone, Region};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::email_params::{self, WelcomeSeeker};
use store::journal::{ActorRole, JournalEvent, JournalRecord};
use store::keys;
use store::outbox::OutboxRecord;
use store::{s, AdvisorRecord, IdentityRecord, SeekerRecord};

use crate::app::App;
use crate::assignment::{assign, new_seeker_email, portfolio_keys, waiting_keys, Placement, Queue};
use crate::views;
use store::tx::put;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegisterBody {
    first_name: String,
    last_name: String,
    /// Optional: the address is the identity's verified one; given, it must be that one.
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    region: String,
    preferred_channels: Vec<Channel>,
    consent: bool,
    /// SMS reminders and notices on `phone`, which must then be a French mobile.
    #[serde(default)]
    sms_opt_in: bool,
}

/// `POST /seekers`: registers the caller and places them atomically.
pub(crate) async fn register(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    if !caller.is_seeker() {
        return Err(ApiError::forbidden("advisors and admins cannot register as job seekers"));
    }
    let body: RegisterBody = parse_body(request)?;
    let first_name = PersonName::parse("firstName", &body.first_name)?;
    let last_name = PersonName::parse("lastName", &body.last_name)?;
    let email = verified_email(caller, body.email.as_deref())?;
    let phone = body.phone.as_deref().map(Phone::parse).transpose()?;
    let sms_opt_in = body.sms_opt_in;
    check_sms_opt_in(sms_opt_in, phone.as_ref())?;
    let region = Region::parse(&body.region)?;
    let channels = preferred_channels(&body.preferred_channels)?;
    if !body.consent {
        return Err(ApiError::unprocessable(
            "consent_required",
            "consent must be true: the follow-up cannot start without it",
        ));
    }
    let already = || ApiError::conflict("already_registered", "this identity is already registered");
    // A cheap early answer; the identity item's condition below is what guarantees it.
    if app.store.identity(&caller.sub).await?.is_some() {
        return Err(already());
    }
    // Read after the identity: an erasure deletes the identity and writes this marker in one
    // transaction, so an identity found absent means its marker is visible here.
    if let Some(erasure) = app.store.get::<ErasureMarker>(&keys::erasure_pk(&caller.sub), keys::ERASURE_SK).await? {
        let after = from_key(&erasure.reregister_after).unwrap_or(now);
        if after > now {
            return Err(ApiError::TooManyRequests {
                code: "reregistered_too_soon",
                message: "this identity erased its data less than a day ago; register again later".into(),
                retry_after_seconds: u64::try_from((after - now).num_seconds().max(1)).unwrap_or(1),
            });
        }
    }

    let level = Level::Guided;
    let seeker_id = ulid::Ulid::new().to_string();
    let next_due = app.config.cadence.next_contact_due(level, None, now);
    let identity = IdentityRecord::seeker(&caller.sub, &seeker_id, now);
    let seeker_for = |advisor: Option<&AdvisorRecord>| {
        let ((gsi1pk, gsi1sk), waiting) = match advisor {
            Some(a) => (portfolio_keys(&a.advisor_id, next_due, &seeker_id), None),
            None => {
                let [national, regional] = waiting_keys(region.as_str(), level, now, &seeker_id);
                (national, Some(regional))
            }
        };
        let (gsi2pk, gsi2sk) = waiting.unzip();
        SeekerRecord {
            pk: keys::seeker_pk(&seeker_id),
            sk: keys::PROFILE.into(),
            gsi1pk: Some(gsi1pk),
            gsi1sk: Some(gsi1sk),
            gsi2pk,
            gsi2sk,
            seeker_id: seeker_id.clone(),
            first_name: Some(first_name.as_str().to_owned()),
            last_name: Some(last_name.as_str().to_owned()),
            email: Some(email.as_str().to_owned()),
            phone: phone.as_ref().map(|p| p.as_str().to_owned()),
            region: region.as_str().to_owned(),
            level,
            preferred_channels: channels.clone(),
            advisor_id: advisor.map(|a| a.advisor_id.clone()),
            registered_at: now,
            last_contact_at: None,
            next_contact_due: next_due,
            erased: false,
            retain_until: Some(store::profile_retained_until(now)),
            sms_opt_in,
            sms_operator_opted_out: false,
            sub: Some(caller.sub.clone()),
        }
    };

    let placement = assign(
        &app.store,
        region.as_str(),
        level,
        None,
        Queue::Behind,
        |advisor, tx| {
            let seeker = seeker_for(advisor);
            let identity_claim = tx.push(put(store::to_item(&identity)?, Some("attribute_not_exists(pk)")));
            tx.push(put(store::to_item(&seeker)?, Some("attribute_not_exists(pk)")));
            tx.push(put(store::retention_marker(&seeker_id, store::profile_retained_until(now)), None));
            let registered = JournalEvent::Registered {
                level,
                region: region.as_str().to_owned(),
                advisor_id: advisor.map(|a| a.advisor_id.clone()),
            };
            let registered = JournalRecord::new(
                &seeker_id,
                registered,
                now,
                ActorRole::Seeker,
                Some(&seeker_id),
                app.config.retention_days,
            );
            tx.push(put(registered.to_item()?, None));
            let welcome = WelcomeSeeker {
                first_name: first_name.as_str().to_owned(),
                level_label: level.label_fr(),
                assigned: advisor.is_some(),
                advisor_name: advisor.map(AdvisorRecord::display_name),
                app_url: app.config.app_base_url.clone(),
            };
            let welcome =
                OutboxRecord::new(email_params::Email::WelcomeSeeker(welcome), email.as_str(), Some(&seeker_id), now);
            tx.push(put(welcome.to_item()?, None));
            if let Some(a) = advisor {
                tx.push(put(new_seeker_email(app, a, &seeker, level, now)?.to_item()?, None));
            }
            Ok(identity_claim)
        },
        already,
    )
    .await?;
    let advisor = match placement {
        Placement::Assigned(a) => Some(*a),
        Placement::Waiting => None,
    };
    tracing::info!(assigned = advisor.is_some(), "seeker registered");
    if advisor.is_none() {
        // Waiting behind others while a place is free (it freed a moment ago and its drain has
        // not reached it yet): whoever drains first places the longest waiting, maybe this one.
        crate::waiting::drain(app, region.as_str(), now).await;
        if let Some(placed) = app.store.seeker(&seeker_id).await?.filter(|s| s.advisor_id.is_some()) {
            let advisor = advisor_of(app, &placed).await?;
            return Ok(json_response(StatusCode::CREATED, &views::seeker(&placed, advisor.as_ref(), now)));
        }
    }
    let seeker = seeker_for(advisor.as_ref());
    Ok(json_response(StatusCode::CREATED, &views::seeker(&seeker, advisor.as_ref(), now)))
}

/// How long after an erasure the same identity may register again: a loop of registrations
/// and erasures would otherwise make the service write to its address without limit.
pub(crate) const REREGISTRATION_DELAY_HOURS: i64 = 24;

/// The identity's last erasure (`ERASED#<digest of sub>` / `ERASURE`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErasureMarker {
    pub reregister_after: String,
}

/// The erasure marker written in the erasure's last transaction; expires (TTL) when it no
/// longer bounds anything.
pub(crate) fn erasure_marker(sub: &str, now: DateTime<Utc>) -> store::Item {
    let after = now + chrono::Duration::hours(REREGISTRATION_DELAY_HOURS);
    [
        ("pk", s(keys::erasure_pk(sub))),
        ("sk", s(keys::ERASURE_SK)),
        ("erasedAt", s(to_key(now))),
        ("reregisterAfter", s(to_key(after))),
        ("expiresAt", AttributeValue::N(after.timestamp().to_string())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The address the service may write to for this caller: the identity's verified email (the
/// token's `email` with `email_verified`), never one the body names. A body `email` is
/// accepted only when it is that same address (the page shows it read-only).
fn verified_email(caller: &Caller, given: Option<&str>) -> Result<Email, ApiError> {
    let not_verified = || {
        ApiError::unprocessable(
            "email_not_verified",
            "the email must be your account's verified address; confirm it with the sign-in service first",
        )
    };
    let verified = Email::parse(caller.verified_email.as_deref().ok_or_else(not_verified)?)?;
    match given.map(Email::parse).transpose()? {
        Some(given) if given != verified => Err(not_verified()),
        _ => Ok(verified),
    }
}

/// `GET /seekers/me`.
pub(crate) async fn me(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let advisor = advisor_of(app, &seeker).await?;
    Ok(json_response(StatusCode::OK, &views::seeker(&seeker, advisor.as_ref(), now)))
}

pub(crate) async fn advisor_of(app: &App, seeker: &SeekerRecord) -> Result<Option<AdvisorRecord>, ApiError> {
    match &seeker.advisor_id {
        Some(id) => app.store.advisor(id).await.map_err(ApiError::from),
        None => Ok(None),
    }
}

/// SMS go only to a French mobile: an opt-in without one is refused (422), nothing stored.
fn check_sms_opt_in(opt_in: bool, phone: Option<&Phone>) -> Result<(), ApiError> {
    if !opt_in {
        return Ok(());
    }
    let phone = phone.ok_or_else(|| {
        ApiError::unprocessable("phone_required", "SMS need a mobile phone number: give phone with smsOptIn")
    })?;
    FrenchMobile::from_phone(phone.clone())?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateMeBody {
    /// Absent: unchanged; `null`: removed; a string: replaced.
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
    #[serde(default)]
    preferred_channels: Option<Vec<Channel>>,
    /// Rectification (GDPR art. 16): validated as at registration.
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    /// SMS reminders and notices; `true` needs a French mobile `phone` (given or stored).
    #[serde(default)]
    sms_opt_in: Option<bool>,
}

/// Tells a field given as `null` (`Some(None)`) from an absent one (`None`, by `default`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// `PATCH /seekers/me`: `phone`, `preferredChannels`, `firstName`, `lastName`; the email
/// only through the token: a verified `email` claim that differs from the stored address
/// replaces it (the identity provider verified the new one), never a body field.
pub(crate) async fn update_me(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let body: UpdateMeBody = parse_body(request)?;
    let first_name = body.first_name.as_deref().map(|n| PersonName::parse("firstName", n)).transpose()?;
    let last_name = body.last_name.as_deref().map(|n| PersonName::parse("lastName", n)).transpose()?;
    let claimed_email = caller.verified_email.as_deref().map(Email::parse).transpose()?;
    let phone = match &body.phone {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => Some(Some(Phone::parse(raw)?)),
    };
    let channels = body.preferred_channels.as_deref().map(preferred_channels).transpose()?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let new_email = claimed_email.filter(|e| seeker.email.as_deref() != Some(e.as_str()));
    let fields_given = body.phone.is_some()
        || body.preferred_channels.is_some()
        || first_name.is_some()
        || last_name.is_some()
        || body.sms_opt_in.is_some();
    if !fields_given && new_email.is_none() {
        return Err(ApiError::bad_request(
            "nothing_to_update",
            "give phone, preferredChannels, firstName, lastName and/or smsOptIn",
        ));
    }
    // The opt-in after this change: removing the phone withdraws it; the number it applies to
    // must be a French mobile.
    let stored_phone = seeker.phone.as_deref().map(Phone::parse).transpose()?;
    let phone_after = match &phone {
        Some(new) => new.clone(),
        None => stored_phone,
    };
    let opt_in_after = match (body.sms_opt_in, &phone) {
        (Some(wanted), _) => wanted,
        (None, Some(None)) => false,
        (None, _) => seeker.sms_opt_in,
    };
    check_sms_opt_in(opt_in_after, phone_after.as_ref())?;

    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut values = vec![(":false", AttributeValue::Bool(false))];
    // The check above read the stored phone and opt-in: the write holds only if they are unchanged.
    let mut condition = String::from("attribute_exists(pk) AND erased = :false");
    match &seeker.phone {
        Some(stored) => {
            condition.push_str(" AND phone = :storedPhone");
            values.push((":storedPhone", s(stored)));
        }
        None => condition.push_str(" AND attribute_not_exists(phone)"),
    }
    if seeker.sms_opt_in {
        condition.push_str(" AND smsOptIn = :true");
        values.push((":true", AttributeValue::Bool(true)));
    } else {
        condition.push_str(" AND (attribute_not_exists(smsOptIn) OR smsOptIn = :false)");
    }
    if opt_in_after != seeker.sms_opt_in || phone.is_some() || body.sms_opt_in == Some(true) {
        sets.push("smsOptIn = :optIn");
        values.push((":optIn", AttributeValue::Bool(opt_in_after)));
        // A new number, or the opt-in given again: SNS's opt-out list is checked anew at the next SMS.
        sets.push("smsOperatorOptedOut = :false");
    }
    match phone {
        Some(Some(p)) => {
            sets.push("phone = :phone");
            values.push((":phone", s(p.as_str())));
        }
        Some(None) => removes.push("phone"),
        None => {}
    }
    if let Some(name) = &first_name {
        sets.push("firstName = :firstName");
        values.push((":firstName", s(name.as_str())));
    }
    if let Some(name) = &last_name {
        sets.push("lastName = :lastName");
        values.push((":lastName", s(name.as_str())));
    }
    if let Some(email) = &new_email {
        sets.push("email = :email");
        values.push((":email", s(email.as_str())));
    }
    if let Some(channels) = &channels {
        sets.push("preferredChannels = :channels");
        values.push((":channels", AttributeValue::L(channels.iter().map(|c| s(c.as_str())).collect())));
    }
    let mut expression = String::new();
    if !sets.is_empty() {
        expression.push_str("SET ");
        expression.push_str(&sets.join(", "));
    }
    if !removes.is_empty() {
        expression.push_str(" REMOVE ");
        expression.push_str(&removes.join(", "));
    }
    let updated = app
        .store
        .update(&seeker.pk, &seeker.sk, |u| {
            let u = u.condition_expression(condition).update_expression(expression);
            values.into_iter().fold(u, |u, (name, value)| u.expression_attribute_values(name, value))
        })
        .await?;
    if updated.is_none() {
        return match app.store.seeker(&seeker.seeker_id).await? {
            Some(current) if !current.erased => {
                Err(ApiError::conflict("concurrent_update", "your profile changed meanwhile; reload and retry"))
            }
            _ => {
                Err(ApiError::NotFound { code: "not_registered", message: "register first with POST /seekers".into() })
            }
        };
    }
    me(app, caller, now).await
}

/// `GET /seekers/{seekerId}`: that seeker's advisor or an admin.
pub(crate) async fn get(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let read = api::access::Access::Read(api::access::Resource::Profile);
    let (seeker, advisor) = api::access::seeker_for_advisor_or_admin(&app.store, caller, &seeker_id, read).await?;
    let advisor = match advisor {
        Some(a) => Some(a),
        None => advisor_of(app, &seeker).await?,
    };
    Ok(json_response(StatusCode::OK, &views::seeker(&seeker, advisor.as_ref(), now)))
}
