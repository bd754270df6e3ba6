//! The resource, prompt, ping and raw request steps against real servers: the TypeScript
//! reference server (`@modelcontextprotocol/server-everything`) and the Python SDK server
//! (`interop/python/server.py`), which both have resources, resource templates and prompts.
//! Needs `interop/setup.sh` to have run.

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::Duration;

use mcp_probe_core::{
    check, ElicitationAction, ElicitationAnswer, Era, FailureCode, ProtocolChoice, Scenario,
    StepStatus,
};
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

/// `trigger-elicitation-request` exists only for clients that declare the `elicitation`
/// capability and asks, during the call, for a form whose fields partly have defaults: the
/// probe answers with the defaults and the step's content, or declines.
#[tokio::test]
async fn typescript_reference_server_gets_elicitation_answers() {
    let peer = peers::start_everything("streamableHttp");
    let mut accept = ElicitationAnswer::new(ElicitationAction::Accept);
    accept.content.insert("name".into(), json!("mcp-probe"));
    let scenario = Scenario::for_url(peer.url.clone())
        .call_tool("trigger-elicitation-request", json!({}))
        .answer_elicitation(accept)
        .call_tool("trigger-elicitation-request", json!({}))
        .answer_elicitation(ElicitationAnswer::new(ElicitationAction::Decline))
        .timeout(Duration::from_secs(15));
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}\n{}", report.to_json_pretty(), peer.stderr());
    let calls: Vec<_> = report
        .steps
        .iter()
        .filter(|s| s.name == "tools/call")
        .collect();
    assert_eq!(calls.len(), 2);
    let text = |i: usize| calls[i].result.as_ref().unwrap().text.clone();
    let accepted = text(0);
    for line in [
        "- Name: mcp-probe",
        "- Favorite Integer: 42",
        "- Favorite Number: 3.14",
    ] {
        assert!(accepted.contains(line), "{line:?} missing from {accepted}");
    }
    assert!(text(1).contains("declined"), "{}", text(1));
    for (call, answer) in calls.iter().zip(["accept", "decline"]) {
        let asked: Vec<_> = call
            .server_messages
            .iter()
            .filter(|m| m.method == "elicitation/create")
            .collect();
        assert_eq!(asked.len(), 1, "{call:?}");
        assert_eq!(asked[0].answer.as_deref(), Some(answer));
    }
}

/// The Python SDK server (`interop/python/server.py`: a resource, a template and a prompt) in
/// both eras: in 2026-07-28 `ping` is skipped with a note, in the handshake era it is sent.
#[tokio::test]
async fn python_sdk_server_runs_every_feature_step_in_both_eras() {
    let peer = peers::start_python(peers::PyAnswers::Sse);
    for protocol in [ProtocolChoice::Modern, ProtocolChoice::Handshake] {
        let scenario = Scenario::for_url(peer.url.clone())
            .protocol(protocol)
            .ping()
            .list_resources()
            .list_resource_templates()
            .list_prompts()
            .read_resource("probe://status")
            .read_resource("probe://greeting/probe")
            .id("greeting")
            .get_prompt("review", json!({"code": "x = 1"}))
            .request(
                "resources/read",
                Some(json!({"uri": "probe://greeting/raw"})),
            )
            .id("raw read")
            .timeout(Duration::from_secs(15));
        let report = check(&scenario).await.unwrap();
        assert!(report.ok, "{}\n{}", report.to_json_pretty(), peer.stderr());
        let statuses: Vec<(&str, StepStatus)> = report
            .steps
            .iter()
            .map(|s| (s.name.as_str(), s.status))
            .collect();
        let ping = if protocol == ProtocolChoice::Modern {
            StepStatus::Skip
        } else {
            StepStatus::Pass
        };
        assert_eq!(
            statuses,
            [
                ("handshake", StepStatus::Pass),
                ("ping", ping),
                ("resources/list", StepStatus::Pass),
                ("resources/templates/list", StepStatus::Pass),
                ("prompts/list", StepStatus::Pass),
                ("resources/read", StepStatus::Pass),
                ("greeting", StepStatus::Pass),
                ("prompts/get", StepStatus::Pass),
                ("raw read", StepStatus::Pass),
            ],
            "{protocol:?}"
        );
        if protocol == ProtocolChoice::Modern {
            assert!(report.steps[1].note.as_deref().unwrap().contains("no ping"));
        }
        let items: Vec<Option<u64>> = report.steps[2..8].iter().map(|s| s.items).collect();
        assert_eq!(items, [Some(1); 6], "{protocol:?}");
        let raw = report.steps[8].response.as_ref().unwrap();
        assert_eq!(raw["contents"][0]["text"], "Hello, raw!", "{raw:?}");
    }
}

/// `interop/scenarios/everything.yaml`: every step kind but `checkAuth` and every expectation
/// kind against the reference server, passing; with one JSON value changed, failing with the
/// pointer, the expected and the actual value.
#[tokio::test]
async fn typescript_reference_server_meets_every_kind_of_expectation() {
    let peer = peers::start_everything("streamableHttp");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../interop/scenarios/everything.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let run = |text: &str| {
        let scenario = Scenario::from_yaml(text)
            .unwrap()
            .url(peer.url.clone())
            .timeout(Duration::from_secs(15));
        async move { check(&scenario).await.unwrap() }
    };
    let report = run(&text).await;
    assert!(report.ok, "{}\n{}", report.to_json_pretty(), peer.stderr());
    assert_eq!(report.steps.len(), 14);
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));

    let changed = text.replace(
        "\"/structuredContent/temperature\": 36",
        "\"/structuredContent/temperature\": 35",
    );
    assert_ne!(changed, text);
    let report = run(&changed).await;
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::ExpectationFailed);
    assert_eq!(f.step.as_deref(), Some("weather"));
    assert_eq!(
        f.message,
        "tools/call get-structured-content: /structuredContent/temperature is 36, expected 35"
    );
    assert_eq!(f.details["pointer"], "/structuredContent/temperature");
    assert_eq!(f.details["expected"], 35);
    assert_eq!(f.details["actual"], 36);
}
