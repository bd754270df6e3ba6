//! The resource, prompt, ping and raw request steps against the fixture: each passes on a
//! healthy server in both eras; an unknown resource is a JSON-RPC error; a result without
//! its required field is malformed; scenario documents with these steps parse and validate.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{
    check, Era, FailureCode, FailureReason, Report, Scenario, Step, StepReport, StepStatus,
};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::json;

fn every_step(url: String) -> Scenario {
    Scenario::for_url(url)
        .ping()
        .id("alive")
        .list_resources()
        .list_resource_templates()
        .list_prompts()
        .read_resource("fixture://readme")
        .get_prompt("greet", json!({"who": "Ada"}))
        .id("greeting")
        .request("resources/read", Some(json!({"uri": "fixture://notes/7"})))
        .timeout(Duration::from_secs(10))
}

fn step<'a>(report: &'a Report, name: &str) -> &'a StepReport {
    report
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name}: {}", report.to_json_pretty()))
}

fn names(report: &Report) -> Vec<&str> {
    report.steps.iter().map(|s| s.name.as_str()).collect()
}

#[tokio::test]
async fn every_new_step_passes_on_a_healthy_server() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&every_step(server.url(Mode::Json))).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(
        names(&report),
        [
            "handshake",
            "alive",
            "resources/list",
            "resources/templates/list",
            "prompts/list",
            "resources/read",
            "greeting",
            "resources/read"
        ]
    );
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));
    assert_eq!(step(&report, "resources/list").items, Some(2));
    assert_eq!(step(&report, "resources/templates/list").items, Some(1));
    assert_eq!(step(&report, "prompts/list").items, Some(1));
    let read = &report.steps[5];
    assert_eq!(read.uri.as_deref(), Some("fixture://readme"));
    assert_eq!(read.items, Some(1));
    let greeting = step(&report, "greeting");
    assert_eq!(greeting.prompt.as_deref(), Some("greet"));
    assert_eq!(greeting.items, Some(1));
    let raw = report.steps[7].response.as_ref().unwrap();
    assert_eq!(raw["contents"][0]["text"], "Note 7");
    let methods: Vec<String> = server
        .log()
        .iter()
        .filter_map(|r| r.rpc_method.clone())
        .collect();
    assert!(methods.contains(&"ping".to_owned()), "{methods:?}");
}

#[tokio::test]
async fn listings_follow_cursors_up_to_the_page_cap() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Paginated);
    let report = check(&Scenario::for_url(url.clone()).list_resources())
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps[1].pages, Some(2));
    assert_eq!(report.steps[1].items, Some(2));
    let capped = check(&Scenario::for_url(url).list_resources().max_pages(1))
        .await
        .unwrap();
    assert_eq!(capped.steps[1].status, StepStatus::Warn);
    assert_eq!(capped.steps[1].items, Some(1));
    assert_eq!(capped.warnings[0].code.as_str(), "page_cap_reached");
}

#[tokio::test]
async fn the_modern_era_sends_its_headers_and_skips_ping() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&every_step(server.url(Mode::Modern))).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.era, Some(Era::Modern));
    let ping = step(&report, "alive");
    assert_eq!(ping.status, StepStatus::Skip);
    assert_eq!(ping.requests, 0);
    assert!(ping.note.as_deref().unwrap().contains("no ping"));
    assert!(report.steps[2..]
        .iter()
        .all(|s| s.status == StepStatus::Pass));
    let log = server.log();
    let read = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("resources/read"))
        .unwrap();
    assert_eq!(read.header("mcp-method"), Some("resources/read"));
    assert_eq!(read.header("mcp-name"), Some("fixture://readme"));
    let get = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("prompts/get"))
        .unwrap();
    assert_eq!(get.header("mcp-name"), Some("greet"));
}

#[tokio::test]
async fn an_unknown_resource_is_a_jsonrpc_error() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Json)).read_resource("fixture://nope"))
        .await
        .unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(
        f.code,
        FailureCode::JsonrpcError,
        "{}",
        report.to_json_pretty()
    );
    assert_eq!(f.step.as_deref(), Some("resources/read"));
    assert_eq!(f.rpc_error().unwrap().code, -32002);
    let custom = check(&Scenario::for_url(server.url(Mode::Json)).request("custom/thing", None))
        .await
        .unwrap();
    let f = custom.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::JsonrpcError);
    assert_eq!(f.step.as_deref(), Some("custom/thing"));
}

#[tokio::test]
async fn a_result_without_its_field_is_malformed() {
    let server = FixtureServer::start().await.unwrap();
    for (scenario, field) in [
        (
            Scenario::for_url(server.url(Mode::Json)).read_resource("fixture://broken"),
            "contents",
        ),
        (
            Scenario::for_url(server.url(Mode::Json)).get_prompt("broken", json!({})),
            "messages",
        ),
    ] {
        let report = check(&scenario).await.unwrap();
        let f = report.failure.as_ref().unwrap();
        assert_eq!(
            f.code,
            FailureCode::Malformed,
            "{}",
            report.to_json_pretty()
        );
        assert_eq!(f.reason(), Some(FailureReason::MissingField));
        assert_eq!(f.details.get("field"), Some(&json!(field)));
    }
}

const YAML: &str = r#"
target: {url: "http://127.0.0.1:1/mcp"}
steps:
  - step: ping
    id: alive
  - step: listResources
  - step: listResourceTemplates
  - step: listPrompts
  - step: readResource
    uri: "fixture://readme"
  - step: getPrompt
    id: greeting
    name: greet
    arguments: {who: Ada}
  - step: request
    method: resources/read
    params: {uri: "fixture://notes/7"}
"#;

#[test]
fn documents_with_the_new_steps_parse_and_validate() {
    let yaml = Scenario::from_yaml(YAML).unwrap();
    yaml.validate().unwrap();
    let json = Scenario::from_json(&serde_json::to_string(&yaml.to_value()).unwrap()).unwrap();
    assert_eq!(json, yaml);
    let built = every_step("http://127.0.0.1:1/mcp".into());
    assert_eq!(built.effective_steps(), yaml.effective_steps());
    assert_eq!(
        yaml.effective_steps()
            .iter()
            .map(Step::name)
            .collect::<Vec<_>>(),
        [
            "handshake",
            "alive",
            "resources/list",
            "resources/templates/list",
            "prompts/list",
            "resources/read",
            "greeting",
            "resources/read"
        ]
    );
}

#[test]
fn a_read_without_uri_is_an_invalid_scenario() {
    let e = Scenario::from_yaml("steps: [{step: readResource}]\n").unwrap_err();
    assert!(e.is_invalid_scenario(), "{e}");
    assert!(e.to_string().contains("uri"), "{e}");
    let e = Scenario::from_json(r#"{"steps": [{"step": "readResource", "id": "x"}]}"#).unwrap_err();
    assert!(e.to_string().contains("uri"), "{e}");
    let built = Scenario::for_url("http://x/mcp").read_resource(" ");
    let e = built.validate().unwrap_err();
    assert!(
        e.is_invalid_scenario() && e.to_string().contains("uri"),
        "{e}"
    );
    for bad in [
        Scenario::for_url("http://x/mcp").get_prompt("", json!({})),
        Scenario::for_url("http://x/mcp").request("", None),
        Scenario::for_url("http://x/mcp").ping().id(""),
    ] {
        assert!(bad.validate().unwrap_err().is_invalid_scenario());
    }
}
