//! The resource, prompt, ping and raw request steps.

use serde_json::{json, Value};

use super::pages::paginate;
use super::surface::Items;
use super::{malformed, record_cache_hints, rpc_failure, StepContext};
use crate::model::{Era, Failure, FailureCode, FailureReason};
use crate::model::{GetPromptStep, ReadResourceStep, RequestStep};

/// `ping`; in the 2026-07-28 era, which has no ping, the step is skipped with a note.
pub(crate) async fn ping(cx: StepContext<'_>) -> Result<(), Failure> {
    if cx.learnt.era == Some(Era::Modern) {
        cx.report.note =
            Some("the 2026-07-28 protocol has no ping; server/discover is its health check".into());
        return Ok(());
    }
    let outcome = cx.session.request("ping", None, cx.log).await?;
    outcome.map_err(|e| rpc_failure("ping", e))?;
    Ok(())
}

/// A paginated listing (`resources/list`, `resources/templates/list`, `prompts/list`) whose
/// pages carry their items in the array `field`; the report counts the items.
pub(crate) async fn list_items(
    mut cx: StepContext<'_>,
    method: &str,
    field: &str,
) -> Result<(), Failure> {
    let mut listed: u64 = 0;
    let mut items = Items::for_field(field);
    let pages = paginate(&mut cx, method, |_, result, page| {
        let Some(list) = result.get(field).and_then(Value::as_array) else {
            return Err(missing(method, field).with("page", page));
        };
        listed += list.len() as u64;
        if let Some(items) = items.as_mut() {
            list.iter().for_each(|item| items.take(item));
        }
        Ok(())
    })
    .await?;
    if let Some(items) = items {
        cx.learnt.surface.set_items(items);
    }
    cx.report.items = Some(listed);
    cx.report.pages = Some(pages);
    Ok(())
}

/// `resources/read` of the step's URI; the report counts the contents.
pub(crate) async fn read_resource(
    mut cx: StepContext<'_>,
    step: &ReadResourceStep,
) -> Result<(), Failure> {
    cx.report.uri = Some(crate::text::truncate(&step.uri, 500));
    let params = json!({"uri": step.uri});
    let result = answered(&mut cx, "resources/read", params).await?;
    cx.report.items = Some(array_len(&result, "resources/read", "contents")?);
    Ok(())
}

/// `prompts/get` with the step's arguments; the report counts the messages.
pub(crate) async fn get_prompt(
    mut cx: StepContext<'_>,
    step: &GetPromptStep,
) -> Result<(), Failure> {
    cx.report.prompt = Some(crate::text::truncate(&step.name, 200));
    let params = json!({"name": step.name, "arguments": step.arguments});
    let result = answered(&mut cx, "prompts/get", params).await?;
    cx.report.items = Some(array_len(&result, "prompts/get", "messages")?);
    Ok(())
}

/// Any request; the report keeps its result (bounded).
pub(crate) async fn request(cx: StepContext<'_>, step: &RequestStep) -> Result<(), Failure> {
    let method = step.method.as_str();
    let outcome = cx
        .session
        .request(method, step.params.clone(), cx.log)
        .await?;
    let result = outcome.map_err(|e| rpc_failure(method, e))?;
    record_cache_hints(cx.report, &result);
    cx.report.response = Some(match crate::text::bounded_value(&result) {
        Value::Object(map) => map,
        other => [("value".to_owned(), other)].into_iter().collect(),
    });
    Ok(())
}

/// Sends `method` and returns its result; a 2026-07-28 `input_required` answer is a failure
/// (these steps have no `inputResponses`).
async fn answered(cx: &mut StepContext<'_>, method: &str, params: Value) -> Result<Value, Failure> {
    let outcome = cx.session.request(method, Some(params), cx.log).await?;
    let result = outcome.map_err(|e| rpc_failure(method, e))?;
    if result.get("resultType").and_then(Value::as_str) == Some("input_required") {
        let asked = result.get("inputRequests").cloned().unwrap_or(Value::Null);
        return Err(Failure::new(
            FailureCode::InputRequired,
            format!("{method}: the server needs input before it can answer"),
        )
        .with("inputRequests", crate::text::bounded_value(&asked)));
    }
    Ok(result)
}

/// The length of the result's array `field`; `malformed` when there is none.
fn array_len(result: &Value, method: &str, field: &str) -> Result<u64, Failure> {
    match result.get(field).and_then(Value::as_array) {
        Some(items) => Ok(items.len() as u64),
        None => Err(missing(method, field)),
    }
}

fn missing(method: &str, field: &str) -> Failure {
    malformed(
        &format!("{method}: the result has no `{field}` array"),
        FailureReason::MissingField,
    )
    .with("field", field)
}
