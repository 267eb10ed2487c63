//! The calls' settings, read from the environment (template parameters).

use api::config::ConfigError;
use chrono::Duration;
use domain::meeting::DEFAULT_OVERRUN_LIMIT_MINUTES;

#[derive(Debug, Clone, PartialEq)]
pub struct CallSettings {
    /// The SIP media application whose handler runs the calls (`SIP_MEDIA_APPLICATION_ID`).
    pub sip_media_application_id: String,
    /// The agency's number (E.164): the caller id both phones see (`AGENCY_PHONE_NUMBER`).
    pub agency_number: String,
    /// The PSTN audio control region when it differs from the function's
    /// (`CHIME_VOICE_REGION`); `None` locally, where the endpoint comes from the environment.
    pub voice_region: Option<String>,
    /// The WebSocket API's management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`,
    /// `WEBSOCKET_MANAGEMENT_URL`), where the call's state is pushed; locally the standard
    /// `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` wins.
    pub websocket_management_url: Option<String>,
    /// An interview's call may start this long before its start (as its meeting opens).
    pub call_early: Duration,
    /// ... and until this long after its scheduled end (the hard end).
    pub overrun_limit: Duration,
    /// Calls an advisor may place in an hour (`CALLS_PER_HOUR`, default 30): each rings two
    /// phones and may send the seeker an SMS, so a loop of calls is refused with 429.
    pub calls_per_hour: u32,
}

impl CallSettings {
    pub fn from_env() -> Result<CallSettings, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<CallSettings, ConfigError> {
        let required = |key: &str| {
            lookup(key).filter(|v| !v.trim().is_empty()).ok_or_else(|| ConfigError::new(format!("{key} is not set")))
        };
        let minutes = |key: &str, default: i64| -> Result<Duration, ConfigError> {
            match lookup(key) {
                None => Ok(Duration::minutes(default)),
                Some(raw) => raw
                    .parse::<i64>()
                    .ok()
                    .filter(|m| (0..=24 * 60).contains(m))
                    .map(Duration::minutes)
                    .ok_or_else(|| ConfigError::new(format!("{key} must be a number of minutes from 0 to 1440"))),
            }
        };
        let agency_number = required("AGENCY_PHONE_NUMBER")?;
        if !domain::french_phone(&agency_number).is_ok_and(|p| p.as_str() == agency_number) {
            return Err(ConfigError::new("AGENCY_PHONE_NUMBER must be a French number in E.164 (+33...)"));
        }
        Ok(CallSettings {
            sip_media_application_id: required("SIP_MEDIA_APPLICATION_ID")?,
            agency_number,
            voice_region: lookup("CHIME_VOICE_REGION").filter(|r| !r.is_empty()),
            websocket_management_url: lookup("WEBSOCKET_MANAGEMENT_URL").filter(|u| !u.is_empty()),
            call_early: minutes("MEETING_JOIN_EARLY_MINUTES", 15)?,
            overrun_limit: minutes("MEETING_OVERRUN_LIMIT_MINUTES", DEFAULT_OVERRUN_LIMIT_MINUTES)?,
            calls_per_hour: match lookup("CALLS_PER_HOUR") {
                None => 30,
                Some(raw) => raw
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| ConfigError::new("CALLS_PER_HOUR must be a number from 1 to 1000"))?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agency_number_must_be_french_e164() {
        let env = |number: &'static str| {
            move |k: &str| match k {
                "AGENCY_PHONE_NUMBER" => Some(number.to_owned()),
                "SIP_MEDIA_APPLICATION_ID" => Some("sma".to_owned()),
                _ => None,
            }
        };
        let settings = CallSettings::from_lookup(env("+33180000000")).unwrap();
        assert_eq!(settings.call_early, Duration::minutes(15));
        assert_eq!(settings.calls_per_hour, 30);
        assert!(CallSettings::from_lookup(env("01 80 00 00 00")).is_err(), "national form");
        assert!(CallSettings::from_lookup(env("+14155550100")).is_err(), "not French");
    }
}
