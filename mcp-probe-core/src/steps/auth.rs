//! The `auth` step: the authorization check, done without credentials (see [`crate::auth`]).

use super::StepContext;
use crate::auth;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::FindingStatus;
use crate::model::{Failure, WarningCode};

/// Runs the check and puts each finding in the step; the first failing finding fails it.
pub(crate) async fn check_auth(
    cx: StepContext<'_>,
    client: &reqwest::Client,
    metadata: &reqwest::Client,
    guard: AddressPolicy,
    target: &Target,
) -> Result<(), Failure> {
    let deadline = cx.session.request_deadline();
    let outcome = auth::check_auth(client, metadata, guard, target, deadline).await;
    cx.log.requests = cx.log.requests.saturating_add(outcome.http_requests);
    for finding in &outcome.findings {
        if finding.status == FindingStatus::Warn {
            cx.log.warn(
                WarningCode::for_auth_check(finding.check),
                format!("auth: {}", finding.message),
            );
        }
    }
    cx.report.auth_findings = Some(outcome.findings);
    match outcome.failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}
