//! The authorization check step, done without credentials, against the auth fixtures.

#![allow(clippy::unwrap_used)]

use mcp_probe_core::{check, FailureCode, FindingStatus, Scenario, StepStatus};
use mcp_probe_testkit::{FixtureServer, Mode};

fn auth_only(url: String) -> Scenario {
    let mut s = Scenario::for_url(url).check_auth();
    s.steps.truncate(1);
    s
}

#[tokio::test]
async fn a_well_configured_server_passes_every_check() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&auth_only(server.url(Mode::AuthOk))).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps.len(), 1);
    let step = &report.steps[0];
    assert_eq!(step.name, "auth");
    let findings = step.auth_findings.as_ref().unwrap();
    let checks: Vec<(&str, FindingStatus)> = findings
        .iter()
        .map(|f| (f.check.as_str(), f.status))
        .collect();
    assert_eq!(
        checks,
        [
            ("challenge_status", FindingStatus::Pass),
            ("bearer_challenge", FindingStatus::Pass),
            ("resource_metadata", FindingStatus::Pass),
            ("authorization_servers", FindingStatus::Pass),
            ("resource_match", FindingStatus::Pass),
            ("as_metadata", FindingStatus::Pass),
            ("issuer_match", FindingStatus::Pass),
            ("pkce_s256", FindingStatus::Pass),
            ("metadata_url_safe", FindingStatus::Pass),
        ]
    );
    assert!(step.requests >= 3);
}

#[tokio::test]
async fn each_broken_set_up_fails_its_check() {
    let server = FixtureServer::start().await.unwrap();
    for (mode, failing) in [
        (Mode::AuthNoChallenge, "bearer_challenge"),
        (Mode::AuthIssuerMismatch, "issuer_match"),
        (Mode::AuthNoS256, "pkce_s256"),
        (Mode::AuthResourceMismatch, "resource_match"),
        (Mode::AuthEmptyServers, "authorization_servers"),
    ] {
        let report = check(&auth_only(server.url(mode))).await.unwrap();
        let f = report.failure.as_ref().unwrap();
        assert_eq!(f.code, FailureCode::AuthCheck, "{mode:?}: {}", f.message);
        assert_eq!(f.details["check"], failing, "{mode:?}");
        assert_eq!(report.steps[0].status, StepStatus::Fail);
    }
}

#[tokio::test]
async fn an_unprotected_server_is_a_warning() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&auth_only(server.url(Mode::AuthNotProtected)))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps[0].status, StepStatus::Warn);
    assert!(report
        .warnings
        .iter()
        .any(|w| w.code == "auth_challenge_status"));
}

#[tokio::test]
async fn a_failing_server_is_an_http_failure_not_an_authorization_one() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::BadGateway);
    let report = check(&auth_only(url.clone())).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::HttpStatus, "{}", f.message);
    assert_eq!(
        f.message,
        "initialize without credentials: HTTP 502 Bad Gateway (text/html)"
    );
    assert_eq!(f.details["check"], "challenge_status");
    let findings = report.steps[0].auth_findings.as_ref().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].status, FindingStatus::Fail);
    assert_eq!(
        findings[0].message,
        format!("{url} failed: initialize without credentials: HTTP 502 Bad Gateway (text/html)")
    );
}
