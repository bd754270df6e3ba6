//! What each scenario step does on the wire, and how its expectations are judged.

mod auth;
pub(crate) mod expect;
mod features;
mod handshake;
mod pages;
mod plain_schema;
mod schema;
mod surface;
mod tools;

use crate::http::log::StepLog;
use crate::model::FailureReason;
use crate::model::{Era, ProtocolChoice, Step};
use std::collections::HashMap;

use serde_json::Value;

pub(crate) use auth::check_auth;
pub(crate) use handshake::handshake;
pub(crate) use surface::SurfaceLog;
pub(crate) use tools::{call_tool, list_tools};

use crate::jsonrpc::RpcError;

use crate::model::{Failure, FailureCode, Negotiation, ServerInfo, StepReport};
use crate::model::{Limits, TransportChoice};
use crate::session::Session;

/// What earlier steps learnt that later steps and the report need.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    pub(crate) era: Option<Era>,
    pub(crate) protocol_version: Option<String>,
    pub(crate) server: Option<ServerInfo>,
    pub(crate) negotiation: Option<Negotiation>,
    /// For each listed tool, its arguments mirrored as headers (`x-mcp-header`): argument
    /// name → header name (2026-07-28).
    pub(crate) tool_headers: HashMap<String, Vec<(String, String)>>,
    /// What the completed listings found: the server's surface.
    pub(crate) surface: SurfaceLog,
    /// For each listed tool that declares one, its `outputSchema`: its calls'
    /// `structuredContent` must match it.
    pub(crate) output_schemas: HashMap<String, Value>,
}

/// How the probe is to pick its era, and what it remembers from earlier probes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EraPlan<'a> {
    pub(crate) choice: ProtocolChoice,
    /// The transport asked for (`auto` may fall back to legacy HTTP+SSE).
    pub(crate) transport: TransportChoice,
    /// The handshake-era version to ask for.
    pub(crate) requested_version: Option<&'a str>,
    /// The era an earlier probe of the same URL found (auto only).
    pub(crate) cached: Option<Era>,
    /// A step answers `elicitation/create`: `initialize` declares the capability.
    pub(crate) elicitation: bool,
}

/// Everything a step may touch.
pub(crate) struct StepContext<'a> {
    pub(crate) session: &'a mut Session,
    pub(crate) learnt: &'a mut Learnt,
    pub(crate) log: &'a mut StepLog,
    pub(crate) report: &'a mut StepReport,
    pub(crate) limits: Limits,
    pub(crate) plan: EraPlan<'a>,
    /// Invalid input schemas fail the listing (`strictSchemas`) instead of warning.
    pub(crate) strict_schemas: bool,
}

/// Runs a resource, prompt, ping or raw request step (the others are run by the probe).
pub(crate) async fn feature_step(cx: StepContext<'_>, step: &Step) -> Result<(), Failure> {
    match step {
        Step::Ping(_) => features::ping(cx).await,
        Step::ListResources(s) => {
            features::list_items(cx, &s.expect, "resources/list", "resources").await
        }
        Step::ListResourceTemplates(s) => {
            features::list_items(
                cx,
                &s.expect,
                "resources/templates/list",
                "resourceTemplates",
            )
            .await
        }
        Step::ListPrompts(s) => {
            features::list_items(cx, &s.expect, "prompts/list", "prompts").await
        }
        Step::ReadResource(s) => features::read_resource(cx, s).await,
        Step::GetPrompt(s) => features::get_prompt(cx, s).await,
        Step::Request(s) => features::request(cx, s).await,
        _ => Ok(()),
    }
}

/// A JSON-RPC error answer, classified: 2026-07-28's -32022 is a version problem, its
/// -32020/-32021 say what was wrong with the request.
pub(crate) fn rpc_failure(what: &str, e: RpcError) -> Failure {
    if e.code == -32022 {
        return Failure::new(
            FailureCode::ProtocolVersion,
            format!(
                "{what}: the server does not support the protocol version asked for ({})",
                crate::text::truncate(&e.message, 200)
            ),
        )
        .with_jsonrpc_error(e);
    }
    let mut f = Failure::new(
        FailureCode::JsonrpcError,
        format!(
            "{what}: the server answered JSON-RPC error {}: {}",
            e.code,
            crate::text::truncate(&e.message, 300)
        ),
    );
    match e.code {
        -32020 => f = f.with_reason(FailureReason::HeaderMismatch),
        -32021 => f = f.with_reason(FailureReason::MissingClientCapability),
        _ => {}
    }
    f.with_jsonrpc_error(e)
}

pub(crate) fn malformed(message: &str, reason: FailureReason) -> Failure {
    Failure::new(FailureCode::Malformed, message).with_reason(reason)
}

pub(crate) fn expectation(which: &str, message: String, expected: Value, actual: Value) -> Failure {
    Failure::new(FailureCode::ExpectationFailed, message)
        .with("expectation", which)
        .with("expected", expected)
        .with("actual", actual)
}

/// Records `ttlMs` and `cacheScope` of a 2026-07-28 result on the step.
pub(crate) fn record_cache_hints(report: &mut StepReport, result: &Value) {
    if let Some(ttl) = result.get("ttlMs").and_then(Value::as_u64) {
        report.ttl_ms = Some(ttl);
    }
    if let Some(scope) = result.get("cacheScope").and_then(Value::as_str) {
        report.cache_scope = Some(crate::text::truncate(scope, 40));
    }
}
