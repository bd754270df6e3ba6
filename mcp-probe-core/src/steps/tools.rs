//! The tool steps: `tools/list` (following pagination) and `tools/call` (with the
//! 2026-07-28 `input_required` round trips).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use serde_json::{json, Map, Value};

use super::expect::{Gathered, ToolNames};
use super::pages::paginate;
use super::schema::{check_output, InputSchemas};
use super::{malformed, rpc_failure, StepContext};
use crate::model::{
    CallResult, Failure, FailureCode, FailureReason, StepReport, SurfaceTool, ToolInfo, WarningCode,
};
use crate::model::{CallToolStep, ListToolsStep};

/// Most tools kept in a report from a listing (across pages); expectations see them all.
const MAX_TOOLS: usize = 10_000;
/// Most tool names remembered (by hash) to spot duplicates.
const MAX_NAMES_TRACKED: usize = 1_000_000;
/// Longest result text kept in a report.
const MAX_RESULT_TEXT: usize = 4096;
/// Most `input_required` round trips of one call.
const MAX_INPUT_ROUNDS: usize = 3;

/// `tools/list`, following `nextCursor` up to the page cap.
///
/// Memory stays bounded whatever the server lists: the report keeps the first
/// [`MAX_TOOLS`] tools, while expectations are judged against every name listed (the
/// cursors are checked by [`paginate`]).
pub(crate) async fn list_tools(
    mut cx: StepContext<'_>,
    step: &ListToolsStep,
) -> Result<(), Failure> {
    let mut listing = Listing::new(step);
    let pages = paginate(&mut cx, "tools/list", |cx, result, page| {
        listing.gathered.take(result);
        listing.take_page(cx, result, page)
    })
    .await?;
    listing.finish(cx, step, pages)
}

/// What a listing has gathered so far, across pages.
struct Listing<'s> {
    /// The tools kept for the report (at most [`MAX_TOOLS`]).
    tools: Vec<ToolInfo>,
    /// Their full definitions, for the server's surface.
    definitions: Vec<SurfaceTool>,
    seen: NameSet,
    /// The names the step expects, and whether each was listed.
    wanted: ToolNames<'s>,
    /// The tools' input schemas, checked.
    schemas: InputSchemas,
    /// The listing for the step's JSON expectations.
    gathered: Gathered,
    /// How many tools were listed, kept or not.
    listed: u64,
    hasher: RandomState,
}

impl<'s> Listing<'s> {
    fn new(step: &'s ListToolsStep) -> Self {
        Listing {
            tools: Vec::new(),
            definitions: Vec::new(),
            seen: NameSet::default(),
            wanted: ToolNames::new(&step.expect),
            schemas: InputSchemas::default(),
            gathered: Gathered::new("tools", &step.expect),
            listed: 0,
            hasher: RandomState::new(),
        }
    }

    /// Takes in the tools of page number `page`.
    fn take_page(
        &mut self,
        cx: &mut StepContext<'_>,
        result: &Value,
        page: u32,
    ) -> Result<(), Failure> {
        let Some(list) = result.get("tools").and_then(Value::as_array) else {
            return Err(malformed(
                "tools/list: the result has no `tools` array",
                FailureReason::MissingField,
            )
            .with("field", "tools")
            .with("page", page));
        };
        for (i, tool) in list.iter().enumerate() {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                return Err(malformed(
                    &format!("tools/list: tool #{} on page {page} has no name", i + 1),
                    FailureReason::MissingField,
                )
                .with("field", "name")
                .with("page", page));
            };
            self.take_tool(cx, tool, name);
        }
        Ok(())
    }

    /// Counts, checks for a duplicate and (below [`MAX_TOOLS`]) keeps one listed tool.
    fn take_tool(&mut self, cx: &mut StepContext<'_>, tool: &Value, name: &str) {
        self.listed += 1;
        self.wanted.take(name);
        if self.seen.insert(&self.hasher, name) == Some(false) {
            cx.log.warn(
                WarningCode::DuplicateTool,
                format!(
                    "tools/list: the tool {:?} is listed more than once",
                    crate::text::truncate(name, 200)
                ),
            );
        }
        if self.tools.len() >= MAX_TOOLS {
            return;
        }
        self.definitions.push(cx.learnt.surface.tool(tool, name));
        self.schemas.check(name, tool);
        if let Some(schema) = tool.get("outputSchema") {
            cx.learnt
                .output_schemas
                .insert(name.to_owned(), schema.clone());
        }
        let name = crate::text::truncate(name, 200);
        let headers = mirrored_headers(tool);
        if !headers.is_empty() {
            cx.learnt.tool_headers.insert(name.clone(), headers);
        }
        self.tools.push(ToolInfo {
            name,
            title: tool
                .get("title")
                .and_then(Value::as_str)
                .map(|s| crate::text::truncate(s, 200)),
            description: tool
                .get("description")
                .and_then(Value::as_str)
                .map(|s| crate::text::truncate(s, 500)),
        });
    }

    /// Reports the listing and judges the step's expectations.
    fn finish(self, cx: StepContext<'_>, step: &ListToolsStep, pages: u32) -> Result<(), Failure> {
        let Listing {
            tools,
            definitions,
            wanted,
            schemas,
            gathered,
            listed,
            ..
        } = self;
        cx.learnt.surface.set_tools(definitions);
        if listed > tools.len() as u64 {
            cx.log.warn(
                WarningCode::ToolsTruncated,
                format!(
                    "tools/list: the server lists {listed} tools; the report keeps the first {}",
                    tools.len()
                ),
            );
        }
        let shown: Vec<String> = tools.iter().take(20).map(|t| t.name.clone()).collect();
        cx.report.tools = Some(tools);
        cx.report.pages = Some(pages);
        wanted.judge(listed, &shown)?;
        schemas.finish(cx.log, cx.strict_schemas)?;
        super::expect::judge("tools/list", &step.expect, None, gathered.result().as_ref())
    }
}

/// The names listed so far, by hash, to spot duplicates; bounded ([`MAX_NAMES_TRACKED`]).
#[derive(Default)]
struct NameSet(HashSet<u64>);

impl NameSet {
    /// Remembers `name`: `Some(true)` if new, `Some(false)` if listed before, `None` once the
    /// set is full (duplicates are no longer looked for).
    fn insert(&mut self, hasher: &RandomState, name: &str) -> Option<bool> {
        let hash = hasher.hash_one(name);
        if self.0.contains(&hash) {
            return Some(false);
        }
        if self.0.len() >= MAX_NAMES_TRACKED {
            return None;
        }
        self.0.insert(hash);
        Some(true)
    }
}

/// `tools/call` and its expectations.
pub(crate) async fn call_tool(mut cx: StepContext<'_>, step: &CallToolStep) -> Result<(), Failure> {
    cx.report.tool = Some(step.name.clone());
    cx.log.elicitation.clone_from(&step.elicitation);
    let result = call_until_answered(&mut cx, step).await?;
    let (text, is_error) = record_result(cx.report, &result)?;
    judge_call(step, &text, is_error)?;
    let label = format!("tools/call {}", crate::text::truncate(&step.name, 200));
    if let (false, Some(schema)) = (is_error, cx.learnt.output_schemas.get(&step.name)) {
        check_output(&label, schema, &result)?;
    }
    super::expect::judge(&label, &step.expect, Some(&text), Some(&result))
}

/// Calls the tool, answering `input_required` with the step's `inputResponses` (at most
/// [`MAX_INPUT_ROUNDS`] times), and returns the final result.
async fn call_until_answered(
    cx: &mut StepContext<'_>,
    step: &CallToolStep,
) -> Result<Value, Failure> {
    let name = &step.name;
    let mut params = json!({"name": name, "arguments": step.arguments});
    let mut rounds = 0;
    loop {
        if let Some(mirrored) = cx.learnt.tool_headers.get(name) {
            cx.session
                .set_param_headers(param_headers(mirrored, &step.arguments));
        }
        let outcome = cx
            .session
            .request("tools/call", Some(params.clone()), cx.log)
            .await?;
        let result = outcome.map_err(|e| rpc_failure("tools/call", e))?;
        if result.get("resultType").and_then(Value::as_str) != Some("input_required") {
            return Ok(result);
        }
        // 2026-07-28: the server needs answers first; send the scenario's, if it has them.
        match &step.input_responses {
            Some(responses) if rounds < MAX_INPUT_ROUNDS => {
                rounds += 1;
                params =
                    json!({"name": name, "arguments": step.arguments, "inputResponses": responses});
                if let Some(state) = result.get("requestState") {
                    params["requestState"] = state.clone();
                }
            }
            _ => return Err(input_required(step, &result, rounds)),
        }
    }
}

/// The failure when the server still needs input the scenario cannot give (after `rounds`
/// rounds of `inputResponses`).
fn input_required(step: &CallToolStep, result: &Value, rounds: usize) -> Failure {
    let name = &step.name;
    let asked = result.get("inputRequests").cloned().unwrap_or(Value::Null);
    let asked_keys: Vec<String> = asked
        .as_object()
        .map(|o| {
            o.keys()
                .take(20)
                .map(|k| crate::text::truncate(k, 60))
                .collect()
        })
        .unwrap_or_default();
    let message = if step.input_responses.is_some() {
        format!("tools/call {name}: the server still needs input after {rounds} rounds of inputResponses")
    } else {
        format!(
            "tools/call {name}: the server needs input before it can answer ({}); give it with inputResponses",
            if asked_keys.is_empty() { "nothing named".to_owned() } else { asked_keys.join(", ") }
        )
    };
    Failure::new(FailureCode::InputRequired, message)
        .with("tool", name.as_str())
        .with("inputRequests", crate::text::bounded_value(&asked))
        .with("rounds", rounds)
}

/// Records the call's result in the report; returns its text (the text parts, joined by
/// newlines) and whether it is an error.
fn record_result(report: &mut StepReport, result: &Value) -> Result<(String, bool), Failure> {
    let Some(content) = result.get("content").and_then(Value::as_array) else {
        return Err(malformed(
            "tools/call: the result has no `content` array",
            FailureReason::MissingField,
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
    report.result = Some(CallResult {
        is_error,
        text: crate::text::truncate(&text, MAX_RESULT_TEXT),
        content_types: content
            .iter()
            .take(100)
            .map(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .map_or_else(|| "unknown".to_owned(), |t| crate::text::truncate(t, 40))
            })
            .collect(),
        structured: result.get("structuredContent").is_some(),
    });
    Ok((text, is_error))
}

/// Fails an `isError: true` result unless the step allows it (its other expectations are
/// judged by [`super::expect`]).
fn judge_call(step: &CallToolStep, text: &str, is_error: bool) -> Result<(), Failure> {
    let name = &step.name;
    if is_error && !step.expect.allow_error {
        return Err(Failure::new(
            FailureCode::ToolError,
            format!(
                "tools/call {name}: the tool reported an error: {}",
                if text.is_empty() {
                    "(no text)".to_owned()
                } else {
                    crate::text::truncate(text, 300)
                }
            ),
        )
        .with("tool", name.as_str())
        .with("text", crate::text::truncate(text, 1000)));
    }
    Ok(())
}

/// Arguments a tool's input schema mirrors into headers (`x-mcp-header`, 2026-07-28):
/// (argument name, header name), at most 20.
fn mirrored_headers(tool: &Value) -> Vec<(String, String)> {
    let Some(props) = tool
        .get("inputSchema")
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    props
        .iter()
        .filter_map(|(arg, schema)| {
            let header = schema.get("x-mcp-header")?.as_str()?;
            let valid = !header.is_empty()
                && header.len() <= 64
                && header
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            valid.then(|| (arg.clone(), header.to_owned()))
        })
        .take(20)
        .collect()
}

/// The `Mcp-Param-*` headers for a call: each mirrored argument that is a string, number or
/// boolean, as text.
fn param_headers(
    mirrored: &[(String, String)],
    arguments: &Map<String, Value>,
) -> Vec<(String, String)> {
    mirrored
        .iter()
        .filter_map(|(arg, header)| {
            let value = match arguments.get(arg)? {
                Value::String(s) => s.clone(),
                v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
                _ => return None,
            };
            Some((header.clone(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrored_arguments_become_param_headers() {
        let tool = json!({"name": "q", "inputSchema": {"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "limit": {"type": "integer", "x-mcp-header": "Limit"},
            "bad": {"type": "string", "x-mcp-header": "no spaces allowed"},
            "plain": {"type": "string"}
        }}});
        let mut mirrored = mirrored_headers(&tool);
        mirrored.sort();
        assert_eq!(
            mirrored,
            [
                ("limit".to_owned(), "Limit".to_owned()),
                ("region".to_owned(), "Region".to_owned())
            ]
        );
        let args = json!({"region": "eu-west", "limit": 5, "plain": "x"});
        let mut headers = param_headers(&mirrored, args.as_object().unwrap());
        headers.sort();
        assert_eq!(
            headers,
            [
                ("Limit".to_owned(), "5".to_owned()),
                ("Region".to_owned(), "eu-west".to_owned())
            ]
        );
    }
}
