//! The resource, prompt, ping and raw request steps against the TypeScript reference server
//! (`@modelcontextprotocol/server-everything`), which has resources, resource templates and
//! prompts. Needs `interop/setup.sh` to have run.

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::Duration;

use mcp_probe_core::{check, Era, FailureCode, Scenario, StepStatus};
use serde_json::json;

#[tokio::test]
async fn typescript_reference_server_runs_every_feature_step() {
    let peer = peers::start_everything("streamableHttp");
    let scenario = Scenario::for_url(peer.url.clone())
        .ping()
        .list_resources()
        .list_resource_templates()
        .list_prompts()
        .read_resource("demo://resource/dynamic/text/1")
        .get_prompt("simple-prompt", json!({}))
        .id("simple")
        .request("resources/templates/list", None)
        .id("raw templates")
        .timeout(Duration::from_secs(15));
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}\n{}", report.to_json_pretty(), peer.stderr());
    assert_eq!(report.era, Some(Era::Handshake));
    let names: Vec<&str> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "handshake",
            "ping",
            "resources/list",
            "resources/templates/list",
            "prompts/list",
            "resources/read",
            "simple",
            "raw templates"
        ]
    );
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));
    for listing in &report.steps[2..5] {
        assert!(listing.items.unwrap() >= 1, "{listing:?}");
        assert!(listing.pages.unwrap() >= 1);
    }
    assert_eq!(report.steps[5].items, Some(1));
    assert!(report.steps[6].items.unwrap() >= 1);
    let raw = report.steps[7].response.as_ref().unwrap();
    assert!(raw["resourceTemplates"].is_array(), "{raw:?}");
}

#[tokio::test]
async fn typescript_reference_server_refuses_an_unknown_prompt() {
    let peer = peers::start_everything("streamableHttp");
    let scenario = Scenario::for_url(peer.url.clone())
        .get_prompt("no-such-prompt", json!({}))
        .timeout(Duration::from_secs(15));
    let report = check(&scenario).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(
        f.code,
        FailureCode::JsonrpcError,
        "{}",
        report.to_json_pretty()
    );
    assert_eq!(f.step.as_deref(), Some("prompts/get"));
}
