//! What each scenario step does on the wire, and how its expectations are judged.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::jsonrpc::{self, RpcError};
use crate::negotiate::{
    is_known_handshake_version, HANDSHAKE_ERA_VERSIONS, LATEST_HANDSHAKE_VERSION,
};
use crate::report::{CallResult, Failure, FailureCode, ServerInfo, StepReport, ToolInfo};
use crate::scenario::{CallToolStep, HandshakeStep, Limits, ListToolsStep};
use crate::session::Session;
use crate::transport::StepLog;

/// Most tools kept from a listing (across pages).
const MAX_TOOLS: usize = 10_000;
/// Longest result text kept in a report.
const MAX_RESULT_TEXT: usize = 4096;

/// What earlier steps learnt that later steps and the report need.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    pub(crate) protocol_version: Option<String>,
    pub(crate) server: Option<ServerInfo>,
}

/// Everything a step may touch.
pub(crate) struct StepContext<'a> {
    pub(crate) session: &'a mut Session,
    pub(crate) learnt: &'a mut Learnt,
    pub(crate) log: &'a mut StepLog,
    pub(crate) report: &'a mut StepReport,
    pub(crate) limits: Limits,
    pub(crate) requested_version: Option<&'a str>,
}

/// `initialize`, version check, `notifications/initialized`, expectations.
pub(crate) async fn handshake(cx: StepContext<'_>, step: &HandshakeStep) -> Result<(), Failure> {
    let requested = cx.requested_version.unwrap_or(LATEST_HANDSHAKE_VERSION);
    let params = json!({
        "protocolVersion": requested,
        "capabilities": {},
        "clientInfo": {"name": "mcp-probe", "version": env!("CARGO_PKG_VERSION")},
    });
    let init = cx.session.initialize(params, cx.log).await?;
    let result = match init.outcome {
        Ok(result) => result,
        Err(e) => return Err(initialize_error(e, requested)),
    };
    let Value::Object(result) = result else {
        return Err(malformed(
            "initialize: the result is not an object",
            "missing_field",
        ));
    };
    let Some(version) = result.get("protocolVersion").and_then(Value::as_str) else {
        return Err(malformed(
            "initialize: the result has no protocolVersion",
            "missing_field",
        )
        .with("field", "protocolVersion"));
    };
    let version = jsonrpc::truncate(version, 40);
    let accepted: Vec<String> = match &step.expect.protocol_versions {
        Some(v) => v.clone(),
        None => HANDSHAKE_ERA_VERSIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    if !accepted.contains(&version) {
        let why = if is_known_handshake_version(&version) {
            "which this scenario does not accept"
        } else {
            "which this probe does not speak"
        };
        return Err(Failure::new(
            FailureCode::ProtocolVersion,
            format!(
                "initialize: asked for {requested}, the server answered {version}, {why} (accepted: {})",
                accepted.join(", ")
            ),
        )
        .with("requested", requested)
        .with("negotiated", version)
        .with("accepted", accepted));
    }
    let server = server_info(&result, cx.log);
    cx.learnt.protocol_version = Some(version.clone());
    cx.learnt.server = Some(server.clone());
    cx.session.initialized(&version, cx.log).await?;
    if let Some(expected) = &step.expect.server_name {
        if &server.name != expected {
            return Err(expectation(
                "serverName",
                format!(
                    "serverInfo.name is {:?}, expected {expected:?}",
                    server.name
                ),
                json!(expected),
                json!(server.name),
            ));
        }
    }
    Ok(())
}

fn initialize_error(e: RpcError, requested: &str) -> Failure {
    let supported = e
        .data
        .as_ref()
        .and_then(|d| d.get("supported"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(20)
                .filter_map(Value::as_str)
                .map(|s| jsonrpc::truncate(s, 40))
                .collect::<Vec<_>>()
        });
    if let (-32602, Some(supported)) = (e.code, supported) {
        return Failure::new(
            FailureCode::ProtocolVersion,
            format!(
                "initialize: the server does not support {requested}; it supports {}",
                if supported.is_empty() {
                    "nothing it names".into()
                } else {
                    supported.join(", ")
                }
            ),
        )
        .with("requested", requested)
        .with("supported", supported)
        .with("jsonrpcError", e.to_value());
    }
    rpc_failure("initialize", e)
}

fn server_info(result: &Map<String, Value>, log: &mut StepLog) -> ServerInfo {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| jsonrpc::truncate(s, 200));
    let info = result.get("serverInfo");
    if !info.is_some_and(Value::is_object) {
        log.warn(
            "missing_server_info",
            "initialize: the result has no serverInfo object",
        );
    }
    let mut capabilities: Vec<String> = match result.get("capabilities") {
        Some(Value::Object(c)) => c
            .keys()
            .take(50)
            .map(|k| jsonrpc::truncate(k, 60))
            .collect(),
        _ => {
            log.warn(
                "missing_capabilities",
                "initialize: the result has no capabilities object",
            );
            Vec::new()
        }
    };
    capabilities.sort();
    ServerInfo {
        name: text(info.and_then(|i| i.get("name"))).unwrap_or_default(),
        version: text(info.and_then(|i| i.get("version"))).unwrap_or_default(),
        title: text(info.and_then(|i| i.get("title"))),
        capabilities,
    }
}

/// `tools/list`, following `nextCursor` up to the page cap.
pub(crate) async fn list_tools(cx: StepContext<'_>, step: &ListToolsStep) -> Result<(), Failure> {
    let mut tools: Vec<ToolInfo> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut cursors: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages: u32 = 0;
    loop {
        if pages >= cx.limits.max_pages {
            cx.log.warn(
                "page_cap_reached",
                format!("tools/list: stopped after {pages} pages (maxPages); the listing may be incomplete"),
            );
            break;
        }
        let params = cursor.as_ref().map(|c| json!({ "cursor": c }));
        let outcome = cx.session.request("tools/list", params, cx.log).await?;
        pages += 1;
        let result = outcome.map_err(|e| rpc_failure("tools/list", e))?;
        let Some(list) = result.get("tools").and_then(Value::as_array) else {
            return Err(malformed(
                "tools/list: the result has no `tools` array",
                "missing_field",
            )
            .with("field", "tools")
            .with("page", pages));
        };
        for (i, tool) in list.iter().enumerate() {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                return Err(malformed(
                    &format!("tools/list: tool #{} on page {pages} has no name", i + 1),
                    "missing_field",
                )
                .with("field", "name")
                .with("page", pages));
            };
            if tools.len() >= MAX_TOOLS {
                break;
            }
            let name = jsonrpc::truncate(name, 200);
            if !names.insert(name.clone()) {
                cx.log.warn(
                    "duplicate_tool",
                    format!("tools/list: the tool {name:?} is listed more than once"),
                );
            }
            tools.push(ToolInfo {
                name,
                title: tool
                    .get("title")
                    .and_then(Value::as_str)
                    .map(|s| jsonrpc::truncate(s, 200)),
                description: tool
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|s| jsonrpc::truncate(s, 500)),
            });
        }
        match result.get("nextCursor") {
            None | Some(Value::Null) => break,
            Some(Value::String(next)) => {
                if !cursors.insert(next.clone()) {
                    return Err(malformed(
                        "tools/list: nextCursor repeats an earlier cursor (pagination loop)",
                        "pagination_loop",
                    )
                    .with("page", pages));
                }
                cursor = Some(next.clone());
            }
            Some(other) => {
                return Err(malformed(
                    &format!(
                        "tools/list: nextCursor is a {}, not a string",
                        jsonrpc::kind(other)
                    ),
                    "invalid_field",
                )
                .with("field", "nextCursor"))
            }
        }
    }
    let listed: Vec<String> = tools.iter().map(|t| t.name.clone()).collect();
    cx.report.tools = Some(tools);
    cx.report.pages = Some(pages);
    for wanted in &step.expect.tools_present {
        if !names.contains(wanted) {
            let shown: Vec<&str> = listed.iter().take(20).map(String::as_str).collect();
            return Err(expectation(
                "toolsPresent",
                format!(
                    "tools/list: the tool {wanted:?} is not listed (the server lists {} tool{}{})",
                    listed.len(),
                    if listed.len() == 1 { "" } else { "s" },
                    if shown.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", shown.join(", "))
                    }
                ),
                json!(wanted),
                json!(shown),
            ));
        }
    }
    Ok(())
}

/// `tools/call` and its expectations.
pub(crate) async fn call_tool(cx: StepContext<'_>, step: &CallToolStep) -> Result<(), Failure> {
    cx.report.tool = Some(step.name.clone());
    let params = json!({"name": step.name, "arguments": step.arguments});
    let outcome = cx
        .session
        .request("tools/call", Some(params), cx.log)
        .await?;
    let result = outcome.map_err(|e| rpc_failure("tools/call", e))?;
    let Some(content) = result.get("content").and_then(Value::as_array) else {
        return Err(malformed(
            "tools/call: the result has no `content` array",
            "missing_field",
        )
        .with("field", "content"));
    };
    let is_error = result
        .get("isError")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let texts: Vec<&str> = content
        .iter()
        .filter(|c| c.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    let text = texts.join("\n");
    cx.report.result = Some(CallResult {
        is_error,
        text: jsonrpc::truncate(&text, MAX_RESULT_TEXT),
        content_types: content
            .iter()
            .take(100)
            .map(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .map_or_else(|| "unknown".to_owned(), |t| jsonrpc::truncate(t, 40))
            })
            .collect(),
        structured: result.get("structuredContent").is_some(),
    });
    let name = &step.name;
    if is_error && !step.expect.allow_error {
        return Err(Failure::new(
            FailureCode::ToolError,
            format!(
                "tools/call {name}: the tool reported an error: {}",
                if text.is_empty() {
                    "(no text)".to_owned()
                } else {
                    jsonrpc::truncate(&text, 300)
                }
            ),
        )
        .with("tool", name.as_str())
        .with("text", jsonrpc::truncate(&text, 1000)));
    }
    if let Some(expected) = &step.expect.text_equals {
        if &text != expected {
            return Err(expectation(
                "textEquals",
                format!(
                    "tools/call {name}: the result text is {:?}, expected {:?}",
                    jsonrpc::truncate(&text, 200),
                    jsonrpc::truncate(expected, 200)
                ),
                json!(expected),
                json!(jsonrpc::truncate(&text, 1000)),
            ));
        }
    }
    if let Some(needle) = &step.expect.text_contains {
        if !text.contains(needle.as_str()) {
            return Err(expectation(
                "textContains",
                format!(
                    "tools/call {name}: the result text {:?} does not contain {:?}",
                    jsonrpc::truncate(&text, 200),
                    jsonrpc::truncate(needle, 200)
                ),
                json!(needle),
                json!(jsonrpc::truncate(&text, 1000)),
            ));
        }
    }
    Ok(())
}

fn rpc_failure(what: &str, e: RpcError) -> Failure {
    Failure::new(
        FailureCode::JsonrpcError,
        format!(
            "{what}: the server answered JSON-RPC error {}: {}",
            e.code,
            jsonrpc::truncate(&e.message, 300)
        ),
    )
    .with("jsonrpcError", e.to_value())
}

fn malformed(message: &str, reason: &str) -> Failure {
    Failure::new(FailureCode::Malformed, message).with("reason", reason)
}

fn expectation(which: &str, message: String, expected: Value, actual: Value) -> Failure {
    Failure::new(FailureCode::ExpectationFailed, message)
        .with("expectation", which)
        .with("expected", expected)
        .with("actual", actual)
}
