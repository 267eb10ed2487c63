//! The caller's identity, read from the claims that the API Gateway JWT
//! authorizer verified and put in the request context, and nothing else.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use crate::error::ApiError;

pub const ADVISORS_GROUP: &str = "advisors";
pub const ADMINS_GROUP: &str = "admins";

/// Who is calling, as the authorizer established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The identity subject (Cognito `sub`): stable, opaque, not personal data in itself.
    pub sub: String,
    pub groups: Vec<String>,
    /// The identity's email address, only when the identity provider says it is verified
    /// (`email` with `email_verified` true, as Cognito's ID token carries them): the one
    /// address the service may write to on this person's behalf. Unparsed here; the
    /// routes that use it parse it as any address.
    pub verified_email: Option<String>,
}

impl Caller {
    pub fn from_request(request: &Request) -> Result<Caller, ApiError> {
        let claims = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => {
                context.authorizer.as_ref().and_then(|a| a.jwt.as_ref()).map(|jwt| &jwt.claims)
            }
            _ => None,
        };
        let claims = claims.ok_or(ApiError::Unauthorized)?;
        let sub = claims.get("sub").filter(|s| !s.is_empty()).ok_or(ApiError::Unauthorized)?;
        let groups = claims.get("cognito:groups").map(|g| parse_groups(g)).unwrap_or_default();
        let verified = claims.get("email_verified").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let verified_email = claims.get("email").filter(|_| verified).filter(|e| !e.trim().is_empty()).cloned();
        Ok(Caller { sub: sub.clone(), groups, verified_email })
    }

    pub fn is_admin(&self) -> bool {
        self.groups.iter().any(|g| g == ADMINS_GROUP)
    }

    pub fn is_advisor(&self) -> bool {
        self.groups.iter().any(|g| g == ADVISORS_GROUP)
    }

    /// Neither advisor nor admin: a job seeker (API.md).
    pub fn is_seeker(&self) -> bool {
        !self.is_admin() && !self.is_advisor()
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("this route is for admins"))
        }
    }
}

/// API Gateway HTTP APIs flatten array claims to `[a b]`; a JSON array or a
/// comma-separated list are accepted too so the code does not depend on it.
pub fn parse_groups(raw: &str) -> Vec<String> {
    let trimmed = raw.trim();
    if let Ok(list) = serde_json::from_str::<Vec<String>>(trimmed) {
        return list;
    }
    trimmed
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split([' ', ','])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_every_shape_api_gateway_may_send() {
        assert_eq!(parse_groups("[advisors admins]"), vec!["advisors", "admins"]);
        assert_eq!(parse_groups("[\"advisors\"]"), vec!["advisors"]);
        assert_eq!(parse_groups("advisors,admins"), vec!["advisors", "admins"]);
        assert!(parse_groups("[]").is_empty());
    }

    #[test]
    fn claims_come_from_the_jwt_authorizer_context() {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "GET /seekers/me", "rawPath": "/seekers/me", "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "requestContext": {
                "accountId": "123456789012", "apiId": "api", "domainName": "localhost", "domainPrefix": "localhost",
                "http": {"method": "GET", "path": "/seekers/me", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
                "requestId": "r", "routeKey": "GET /seekers/me", "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0,
                "authorizer": {"jwt": {"claims": {"sub": "abc", "cognito:groups": "[advisors]"}, "scopes": null}}
            }
        });
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        let caller = Caller::from_request(&request).unwrap();
        assert_eq!(caller.sub, "abc");
        assert!(caller.is_advisor() && !caller.is_admin() && !caller.is_seeker());
        assert_eq!(caller.verified_email, None, "no email claim");

        let with_email = |email_verified: &str| {
            let mut event = event.clone();
            event["requestContext"]["authorizer"]["jwt"]["claims"]["email"] = "anne@example.fr".into();
            event["requestContext"]["authorizer"]["jwt"]["claims"]["email_verified"] = email_verified.into();
            Caller::from_request(&lambda_http::request::from_str(&event.to_string()).unwrap()).unwrap()
        };
        assert_eq!(with_email("true").verified_email.as_deref(), Some("anne@example.fr"));
        assert_eq!(with_email("false").verified_email, None, "an unverified address is not the identity's");

        let mut anonymous = event.clone();
        anonymous["requestContext"].as_object_mut().unwrap().remove("authorizer");
        let request = lambda_http::request::from_str(&anonymous.to_string()).unwrap();
        assert!(matches!(Caller::from_request(&request), Err(ApiError::Unauthorized)));
    }
}
