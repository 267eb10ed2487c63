//! The `links` function (API.md "Email links"): `GET /links/{token}` verifies a
//! signed link and shows, in French, what it will do, with a button; it changes
//! nothing, because mail scanners and previews open links. `POST /links/{token}`
//! does it once: the link's use (`LINK#<tokenId>`, `attribute_not_exists`) is
//! written in the same transaction as the action, which is booking's own
//! operation (`booking::ops`). Altered, expired, used or misdirected links get a
//! clear page and change nothing. Public routes: the signature is the credential.

use api::links::{LinkAction, LinkClaims, LinkError, LinkSigner};
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::interview::{check_acknowledge, check_cancel, Acknowledgement, RefusalKind, MANDATORY_NOT_CANCELLABLE};
use domain::time::{french_date_time, to_key};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::StatusCode;
use lambda_http::{Body, Error, Request, RequestExt, Response};
use minijinja::Environment;
use serde::Serialize;
use store::interview::InterviewRecord;
use store::journal::ActorRole;
use store::keys;
use store::tx::put;
use store::{n, s, Item};

use crate::interviews;
use crate::ops::{self, InPersonRecord, RequestStatus};

/// What the handler needs, built once per cold start: booking's own state (store, policy, signer).
pub struct App {
    pub booking: crate::app::App,
    pages: Environment<'static>,
    csp: String,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        Ok(App::new(crate::app::App::from_env().await?))
    }

    pub fn new(booking: crate::app::App) -> App {
        let mut pages = Environment::new();
        // `.html`: minijinja escapes every value.
        if let Err(e) = pages.add_template("page.html", include_str!("page.html")) {
            unreachable!("the page template parses: {e}");
        }
        App { booking, pages, csp: content_security_policy() }
    }

    fn signer(&self) -> &LinkSigner {
        &self.booking.links
    }
}

/// A page to show: its status, title, paragraphs and, for a confirmation, the button.
struct Page {
    status: StatusCode,
    title: &'static str,
    lines: Vec<String>,
    button: Option<&'static str>,
}

impl Page {
    fn info(status: StatusCode, title: &'static str, lines: Vec<String>) -> Page {
        Page { status, title, lines, button: None }
    }
}

fn refused(error: LinkError) -> Page {
    match error {
        LinkError::Expired => Page::info(
            StatusCode::GONE,
            "Ce lien a expiré",
            vec!["Pour des raisons de sécurité, les liens envoyés par email ne sont valables qu'un temps limité. Rien n'a été modifié.".into(),
                 "Vous pouvez faire la même démarche depuis votre espace.".into()],
        ),
        LinkError::Malformed | LinkError::BadSignature => Page::info(
            StatusCode::BAD_REQUEST,
            "Ce lien n'est pas valide",
            vec!["Le lien est incomplet ou a été modifié. Rien n'a été modifié.".into(),
                 "Copiez le lien en entier depuis l'email, ou faites la démarche depuis votre espace.".into()],
        ),
    }
}

fn used() -> Page {
    Page::info(
        StatusCode::CONFLICT,
        "Ce lien a déjà été utilisé",
        vec![
            "Chaque lien ne sert qu'une fois, et celui-ci a déjà servi. Rien n'a été modifié de nouveau.".into(),
            "Retrouvez l'état à jour dans votre espace.".into(),
        ],
    )
}

fn not_for_you() -> Page {
    Page::info(
        StatusCode::NOT_FOUND,
        "Ce lien ne correspond à rien",
        vec!["Le rendez-vous ou la demande concernés n'existent pas ou ne vous concernent pas. Rien n'a été modifié."
            .into()],
    )
}

/// A link sent for an earlier version of the interview: it was rescheduled since.
fn outdated(interview: &InterviewRecord) -> Page {
    Page::info(
        StatusCode::CONFLICT,
        "Ce lien n'est plus valable",
        vec![
            format!(
                "Le rendez-vous a été déplacé depuis l'envoi de cet email : il a lieu désormais le {}. Rien n'a été modifié.",
                french_date_time(interview.start_at())
            ),
            "Utilisez le lien de l'email le plus récent, ou faites la démarche depuis votre espace.".into(),
        ],
    )
}

fn unavailable() -> Page {
    Page::info(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible",
        vec!["Rien n'a été modifié. Réessayez dans quelques instants.".into()],
    )
}

/// What `page.html` reads.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageContext<'a> {
    title: &'a str,
    lines: &'a [String],
    button: Option<&'a str>,
    action: &'a str,
    app_url: &'a str,
    style: &'a str,
}

/// The pages' only style sheet, inline in a `<style>` element allowed by its hash: the page
/// loads nothing, runs no script and cannot be framed.
const PAGE_STYLE: &str = "body{font-family:Arial,sans-serif;color:#1e1e1e;max-width:600px;margin:auto;padding:0 12px}\
.brand{border-bottom:3px solid #000091;padding:12px 0;font-weight:bold}h1{font-size:1.4em}\
button{background:#000091;color:#fff;padding:10px 18px;border:0;font-size:1em;cursor:pointer}\
.hint{font-size:0.9em;color:#666}";

/// `Content-Security-Policy` of the pages: nothing but [`PAGE_STYLE`] and posting the form back.
fn content_security_policy() -> String {
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(PAGE_STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

fn render(app: &App, page: Page, action: &str) -> Response<Body> {
    let html = app
        .pages
        .get_template("page.html")
        .and_then(|t| {
            t.render(PageContext {
                title: page.title,
                lines: &page.lines,
                button: page.button,
                action,
                app_url: &app.booking.config.app_base_url,
                style: PAGE_STYLE,
            })
        })
        .unwrap_or_else(|_| "<!DOCTYPE html><p>Erreur</p>".into());
    Response::builder()
        .status(page.status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        // The token is a credential: neither cached nor sent to other sites.
        .header(CACHE_CONTROL, "no-store")
        .header("referrer-policy", "no-referrer")
        .header("x-robots-tag", "noindex")
        .header("content-security-policy", app.csp.as_str())
        .header("x-frame-options", "DENY")
        .header("x-content-type-options", "nosniff")
        .body(Body::Text(html))
        .unwrap_or_else(|_| Response::new(Body::Empty))
}

/// What a link points at, loaded and checked against its recipient.
// One short-lived value per request: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Subject {
    Interview(InterviewRecord),
    Request(InPersonRecord),
}

/// The link's subject, if it is still its recipient's. An advisor's request link is an access
/// to the seeker's request, audited: a read for the page, a change for the button.
async fn subject(app: &App, claims: &LinkClaims, post: bool) -> Result<Option<Subject>, ApiError> {
    Ok(match claims.action {
        LinkAction::AcknowledgeConvocation | LinkAction::CancelInterview => {
            ops::interview(&app.booking, &claims.subject)
                .await?
                .filter(|i| i.seeker_id == claims.recipient)
                .map(Subject::Interview)
        }
        LinkAction::AcceptInPerson | LinkAction::DeclineInPerson => {
            let request = ops::in_person_request(&app.booking, &claims.subject)
                .await?
                .filter(|r| r.advisor_id == claims.recipient);
            match request {
                // Signed for an advisor who no longer follows the seeker (a reassignment): not theirs.
                Some(r)
                    if api::access::follows(&app.booking.store, &claims.recipient, &r.seeker_id, access(post))
                        .await? =>
                {
                    Some(Subject::Request(r))
                }
                _ => None,
            }
        }
    })
}

fn access(post: bool) -> api::access::Access {
    use api::access::{Access, Resource};
    if post {
        Access::Change(Resource::InPersonRequest)
    } else {
        Access::Read(Resource::InPersonRequest)
    }
}

async fn link_used(app: &App, token_id: &str) -> Result<bool, ApiError> {
    let item: Option<serde_json::Value> = app.booking.store.get(&keys::link_pk(token_id), keys::LINK_SK).await?;
    Ok(item.is_some())
}

/// What the link will do, or why it cannot (the state of the subject, read now).
fn preview(claims: &LinkClaims, subject: &Subject, now: DateTime<Utc>) -> Page {
    match (claims.action, subject) {
        (LinkAction::AcknowledgeConvocation, Subject::Interview(i)) => {
            match check_acknowledge(&interviews::state(i), ActorRole::Seeker, now) {
                Ok(Acknowledgement::AlreadyRecorded) => Page::info(StatusCode::OK, "Convocation déjà confirmée", vec![format!(
                    "Vous avez déjà confirmé avoir reçu la convocation à l'entretien du {}.",
                    french_date_time(i.start_at())
                )]),
                Err(refusal) if refusal.kind == RefusalKind::Conflict => Page::info(StatusCode::CONFLICT, "Cette convocation ne peut plus être confirmée", vec![
                    format!("L'entretien du {} a été annulé, ou il est passé. Rien n'a été modifié.", french_date_time(i.start_at())),
                    "Retrouvez l'état à jour de vos rendez-vous dans votre espace.".into(),
                ]),
                Err(_) => not_for_you(),
                Ok(Acknowledgement::Record) => Page {
                    status: StatusCode::OK,
                    title: "Confirmer la réception de votre convocation",
                    lines: vec![
                        format!("Entretien obligatoire du {} ({}).", french_date_time(i.start_at()), i.channel.label_fr()),
                        "En cliquant sur le bouton, vous confirmez avoir reçu cette convocation. La date de confirmation est enregistrée dans votre dossier.".into(),
                    ],
                    button: Some("Je confirme avoir reçu ma convocation"),
                },
            }
        }
        (LinkAction::CancelInterview, Subject::Interview(i)) => {
            match check_cancel(&interviews::state(i), ActorRole::Seeker, now) {
                Err(refusal) if refusal.code == MANDATORY_NOT_CANCELLABLE => Page::info(StatusCode::CONFLICT, "Ce rendez-vous ne peut pas être annulé", vec![
                    "Un entretien obligatoire ne s'annule pas. Si vous ne pouvez pas vous présenter, prévenez votre conseiller depuis votre espace et transmettez un justificatif.".into(),
                ]),
                Err(_) => Page::info(StatusCode::CONFLICT, "Ce rendez-vous n'est plus à venir", vec![format!(
                    "Le rendez-vous du {} est déjà annulé, passé ou en cours. Rien n'a été modifié.",
                    french_date_time(i.start_at())
                )]),
                Ok(()) => Page {
                    status: StatusCode::OK,
                    title: "Annuler votre rendez-vous",
                    lines: vec![
                        format!("Rendez-vous du {} ({}).", french_date_time(i.start_at()), i.channel.label_fr()),
                        "En cliquant sur le bouton, le rendez-vous est annulé, le créneau est libéré et votre conseiller est prévenu par email.".into(),
                    ],
                    button: Some("Annuler ce rendez-vous"),
                },
            }
        }
        (LinkAction::AcceptInPerson | LinkAction::DeclineInPerson, Subject::Request(r)) if r.status != RequestStatus::Open => {
            Page::info(StatusCode::CONFLICT, "Cette demande a déjà reçu une réponse", vec![
                "Rien n'a été modifié. Retrouvez la réponse dans votre espace.".into(),
            ])
        }
        (LinkAction::AcceptInPerson, Subject::Request(_)) => Page {
            status: StatusCode::OK,
            title: "Accepter la demande d'entretien en agence",
            lines: vec![
                "En cliquant sur le bouton, un entretien en agence est réservé au premier créneau libre de votre agenda (jours ouvrés, 9 h-12 h et 14 h-17 h, après le délai de prévenance). Le demandeur d'emploi reçoit une invitation.".into(),
                "Vous pourrez ensuite déplacer le rendez-vous depuis votre espace.".into(),
            ],
            button: Some("Accepter et réserver le premier créneau libre"),
        },
        (LinkAction::DeclineInPerson, Subject::Request(_)) => Page {
            status: StatusCode::OK,
            title: "Décliner la demande d'entretien en agence",
            lines: vec![
                "En cliquant sur le bouton, la demande est close et le demandeur d'emploi reçoit un message l'invitant à échanger avec vous depuis son espace ; il pourra renouveler sa demande.".into(),
                "Pour lui écrire un message personnalisé, répondez plutôt depuis votre espace.".into(),
            ],
            button: Some("Décliner la demande"),
        },
        _ => not_for_you(),
    }
}

const DECLINE_MESSAGE: &str =
    "Votre conseiller ne peut pas donner suite à votre demande d'entretien en agence pour le moment. \
Écrivez-lui depuis votre espace pour en parler ; vous pouvez renouveler votre demande à tout moment.";
const CANCEL_REASON: &str = "Annulé par le demandeur d'emploi depuis le lien de l'email";

/// The link's single-use record, written with the action.
fn use_item(claims: &LinkClaims, now: DateTime<Utc>) -> aws_sdk_dynamodb::types::TransactWriteItem {
    let item: Item = [
        ("pk".to_owned(), s(keys::link_pk(&claims.token_id))),
        ("sk".to_owned(), s(keys::LINK_SK)),
        ("usedAt".to_owned(), s(to_key(now))),
        ("action".to_owned(), s(claims.action.as_str())),
        ("subjectId".to_owned(), s(claims.subject.clone())),
        ("expiresAt".to_owned(), n((claims.expires_at + Duration::days(30)).timestamp())),
    ]
    .into_iter()
    .collect();
    put(item, Some("attribute_not_exists(pk)"))
}

/// Does the action; the page says what happened.
async fn perform(app: &App, claims: &LinkClaims, now: DateTime<Utc>) -> Result<Page, ApiError> {
    let extra = vec![use_item(claims, now)];
    let b = &app.booking;
    Ok(match claims.action {
        LinkAction::AcknowledgeConvocation => {
            let interview =
                ops::acknowledge_convocation(b, &claims.recipient, &claims.subject, claims.version, extra, now).await?;
            Page::info(
                StatusCode::OK,
                "Réception confirmée",
                vec![format!(
                    "Merci. Votre confirmation de réception de la convocation à l'entretien du {} est enregistrée.",
                    french_date_time(interview.start_at())
                )],
            )
        }
        LinkAction::CancelInterview => {
            let interview =
                ops::cancel_as_seeker(b, &claims.recipient, &claims.subject, claims.version, CANCEL_REASON, extra, now)
                    .await?;
            Page::info(
                StatusCode::OK,
                "Rendez-vous annulé",
                vec![
                    format!(
                        "Votre rendez-vous du {} est annulé et votre conseiller est prévenu.",
                        french_date_time(interview.start_at())
                    ),
                    "Vous pouvez prendre un autre rendez-vous depuis votre espace.".into(),
                ],
            )
        }
        LinkAction::AcceptInPerson => {
            let (_, interview) =
                ops::accept_in_person_next_free(b, &claims.recipient, &claims.subject, extra, now).await?;
            Page::info(
                StatusCode::OK,
                "Entretien en agence réservé",
                vec![
                    format!(
                        "L'entretien est réservé le {} ({} minutes) ; le demandeur d'emploi reçoit une invitation.",
                        french_date_time(interview.start_at()),
                        interview.duration_minutes
                    ),
                    "Vous pouvez le déplacer depuis votre espace.".into(),
                ],
            )
        }
        LinkAction::DeclineInPerson => {
            ops::decline_in_person(b, &claims.recipient, &claims.subject, DECLINE_MESSAGE, extra, now).await?;
            Page::info(
                StatusCode::OK,
                "Demande déclinée",
                vec!["Le demandeur d'emploi en est informé par email.".into()],
            )
        }
    })
}

/// A failed action, told plainly.
fn failure(error: &ApiError) -> Page {
    error.log();
    match error {
        ApiError::Unavailable(_) | ApiError::Internal(_) => unavailable(),
        ApiError::NotFound { .. } => not_for_you(),
        _ if error.code() == "agenda_full" => Page::info(StatusCode::CONFLICT, "Aucun créneau libre", vec![
            "Votre agenda n'a pas de créneau libre dans les prochaines semaines. Rien n'a été modifié : répondez depuis votre espace en choisissant la date.".into(),
        ]),
        _ => Page::info(StatusCode::CONFLICT, "Cette action n'est plus possible", vec![
            "La situation a changé depuis l'envoi de l'email. Rien n'a été modifié ; retrouvez l'état à jour dans votre espace.".into(),
        ]),
    }
}

/// Handles `GET` and `POST /links/{token}` (payload 2.0).
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    let now = Utc::now();
    Ok(handle_at(app, &request, now).await)
}

/// The handler at a given instant (tests of expiry).
pub async fn handle_at(app: &App, request: &Request, now: DateTime<Utc>) -> Response<Body> {
    let token = request.path_parameters_ref().and_then(|p| p.first("token")).unwrap_or_default().to_owned();
    let action_url = format!("{}/links/{token}", app.signer().base_url);
    let post = request.method() == http::Method::POST;
    if let Err(error) = app.signer().ensure().await {
        tracing::error!(error = %error, "link secret unavailable");
        return render(app, unavailable(), &action_url);
    }
    let claims = match app.signer().verify(&token, now) {
        Ok(claims) => claims,
        Err(error) => {
            tracing::info!(reason = %error, "link refused");
            return render(app, refused(error), &action_url);
        }
    };
    let span = tracing::info_span!("link", action = claims.action.as_str(), post);
    let _guard = span.enter();
    // The route as API Gateway names it, never the path (it holds the token).
    let route = if post { "POST /links/{token}" } else { "GET /links/{token}" };
    let request_id = api::http::request_id(request);
    let work = api::audit::scoped(route, &request_id, decide(app, &claims, post, now));
    let page = match api::deadline::within(api::deadline::of_request(request), work).await {
        Ok(page) => page,
        Err(error) => failure(&error),
    };
    tracing::info!(status = page.status.as_u16(), "link answered");
    render(app, page, &action_url)
}

async fn decide(app: &App, claims: &LinkClaims, post: bool, now: DateTime<Utc>) -> Result<Page, ApiError> {
    if link_used(app, &claims.token_id).await? {
        return Ok(used());
    }
    let Some(subject) = subject(app, claims, post).await? else {
        return Ok(not_for_you());
    };
    // An interview link works only for the version it was sent for (a link without one: version 1).
    if let Subject::Interview(interview) = &subject {
        if interview.version != claims.version.unwrap_or(1) {
            return Ok(outdated(interview));
        }
    }
    let page = preview(claims, &subject, now);
    if !post || page.button.is_none() {
        // GET never changes anything; a POST on a link whose action is no longer possible neither.
        return Ok(page);
    }
    match perform(app, claims, now).await {
        Ok(done) => Ok(done),
        // Lost a race with another use of the same link: it was used, by the other request.
        Err(_) if link_used(app, &claims.token_id).await.unwrap_or(false) => Ok(used()),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_pages_style_and_nothing_else() {
        use base64::Engine;
        use sha2::Digest;
        let mut pages = Environment::new();
        pages.add_template("page.html", include_str!("page.html")).unwrap();
        let html = pages
            .get_template("page.html")
            .unwrap()
            .render(PageContext {
                title: "T",
                lines: &[],
                button: Some("B"),
                action: "/links/x",
                app_url: "/",
                style: PAGE_STYLE,
            })
            .unwrap();
        let style = html.split("<style>").nth(1).and_then(|rest| rest.split("</style>").next()).unwrap();
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
        let policy = content_security_policy();
        assert!(policy.contains(&format!("style-src 'sha256-{hash}'")), "{policy}");
        assert!(policy.starts_with("default-src 'none';") && policy.contains("frame-ancestors 'none'"));
        // Inline style attributes and scripts would be blocked by the policy: the page has none.
        assert!(!html.contains(" style=") && !html.contains("<script"), "{html}");
    }
}
