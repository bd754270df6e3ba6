//! What the listings gather for the server's [`Surface`]: the full definitions of tools,
//! resources, resource templates and prompts, bounded.
//!
//! Bounds: at most [`MAX_ITEMS`] items a section (tools: the listing's own cap); names, URIs
//! and texts cut at [`MAX_NAME_CHARS`] and [`MAX_TEXT_CHARS`] characters; a schema (or
//! annotations object) whose canonical JSON is over [`MAX_SCHEMA_BYTES`] bytes, or that
//! would take the surface's schemas past [`MAX_SURFACE_SCHEMA_BYTES`], is kept as its
//! SHA-256 digest (a change to it is still seen, as breaking, but not compared field by
//! field).

use serde_json::Value;

use crate::model::{
    bounded_schema_counted, PromptArgument, Surface, SurfacePrompt, SurfaceResource,
    SurfaceTemplate, SurfaceTool, MAX_SCHEMA_BYTES,
};

/// Most resources, templates or prompts kept a section.
pub(crate) const MAX_ITEMS: usize = 10_000;
/// Longest name, URI or MIME type kept.
const MAX_NAME_CHARS: usize = 1000;
/// Longest title or description kept.
const MAX_TEXT_CHARS: usize = 4000;
/// Most schema bytes kept whole across the surface (16 MiB).
const MAX_SURFACE_SCHEMA_BYTES: usize = 16 << 20;
/// Most arguments kept a prompt.
const MAX_ARGUMENTS: usize = 100;

/// The surface gathered so far, and the schema bytes it holds.
#[derive(Debug, Default)]
pub(crate) struct SurfaceLog {
    pub(crate) surface: Surface,
    schema_bytes: usize,
}

impl SurfaceLog {
    /// `schema` bounded, counted against the surface's budget.
    fn schema(&mut self, schema: Option<&Value>) -> Option<Value> {
        let schema = schema?;
        let left = MAX_SURFACE_SCHEMA_BYTES.saturating_sub(self.schema_bytes);
        let (kept, kept_bytes) = bounded_schema_counted(schema, MAX_SCHEMA_BYTES.min(left));
        // The digest form is small; count what is kept.
        self.schema_bytes += kept_bytes;
        Some(kept)
    }

    /// The definition of one listed tool (named `name`).
    pub(crate) fn tool(&mut self, tool: &Value, name: &str) -> SurfaceTool {
        SurfaceTool {
            name: crate::text::truncate(name, MAX_NAME_CHARS),
            title: text(tool, "title", MAX_TEXT_CHARS),
            description: text(tool, "description", MAX_TEXT_CHARS),
            input_schema: self.schema(tool.get("inputSchema")),
            output_schema: self.schema(tool.get("outputSchema")),
            annotations: self.schema(tool.get("annotations")),
        }
    }

    /// Records a complete `tools/list`.
    pub(crate) fn set_tools(&mut self, tools: Vec<SurfaceTool>) {
        self.surface.tools = Some(tools);
        self.surface.canonicalize();
    }

    /// Records a complete listing of resources, templates or prompts.
    pub(crate) fn set_items(&mut self, items: Items) {
        match items {
            Items::Resources(r) => self.surface.resources = Some(r),
            Items::Templates(t) => self.surface.resource_templates = Some(t),
            Items::Prompts(p) => self.surface.prompts = Some(p),
        }
        self.surface.canonicalize();
    }
}

/// The items of one listing of resources, templates or prompts.
#[derive(Debug)]
pub(crate) enum Items {
    Resources(Vec<SurfaceResource>),
    Templates(Vec<SurfaceTemplate>),
    Prompts(Vec<SurfacePrompt>),
}

impl Items {
    /// The empty list for a listing whose pages carry their items in `field`.
    pub(crate) fn for_field(field: &str) -> Option<Items> {
        match field {
            "resources" => Some(Items::Resources(Vec::new())),
            "resourceTemplates" => Some(Items::Templates(Vec::new())),
            "prompts" => Some(Items::Prompts(Vec::new())),
            _ => None,
        }
    }

    /// Keeps one listed item (up to [`MAX_ITEMS`]); one without its key (`uri`,
    /// `uriTemplate`, `name`) is left out.
    pub(crate) fn take(&mut self, item: &Value) {
        match self {
            Items::Resources(list) if list.len() < MAX_ITEMS => {
                if let Some(uri) = text(item, "uri", MAX_NAME_CHARS) {
                    list.push(SurfaceResource {
                        uri,
                        name: text(item, "name", MAX_NAME_CHARS),
                        title: text(item, "title", MAX_TEXT_CHARS),
                        description: text(item, "description", MAX_TEXT_CHARS),
                        mime_type: text(item, "mimeType", MAX_NAME_CHARS),
                    });
                }
            }
            Items::Templates(list) if list.len() < MAX_ITEMS => {
                if let Some(uri_template) = text(item, "uriTemplate", MAX_NAME_CHARS) {
                    list.push(SurfaceTemplate {
                        uri_template,
                        name: text(item, "name", MAX_NAME_CHARS),
                        title: text(item, "title", MAX_TEXT_CHARS),
                        description: text(item, "description", MAX_TEXT_CHARS),
                        mime_type: text(item, "mimeType", MAX_NAME_CHARS),
                    });
                }
            }
            Items::Prompts(list) if list.len() < MAX_ITEMS => {
                if let Some(name) = text(item, "name", MAX_NAME_CHARS) {
                    let arguments = item
                        .get("arguments")
                        .and_then(Value::as_array)
                        .map(|args| {
                            args.iter()
                                .take(MAX_ARGUMENTS)
                                .filter_map(argument)
                                .collect()
                        })
                        .unwrap_or_default();
                    list.push(SurfacePrompt {
                        name,
                        title: text(item, "title", MAX_TEXT_CHARS),
                        description: text(item, "description", MAX_TEXT_CHARS),
                        arguments,
                    });
                }
            }
            _ => {}
        }
    }
}

/// One prompt argument; `None` without a name.
fn argument(arg: &Value) -> Option<PromptArgument> {
    Some(PromptArgument {
        name: text(arg, "name", MAX_NAME_CHARS)?,
        description: text(arg, "description", MAX_TEXT_CHARS),
        required: arg.get("required").and_then(Value::as_bool) == Some(true),
    })
}

/// The string `field` of `v`, cut at `max` characters.
fn text(v: &Value, field: &str, max: usize) -> Option<String> {
    v.get(field)
        .and_then(Value::as_str)
        .map(|s| crate::text::truncate(s, max))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    #[test]
    fn items_keep_their_definitions_and_skip_keyless_ones() {
        let mut items = Items::for_field("prompts").unwrap();
        items.take(
            &json!({"name": "greet", "arguments": [{"name": "who", "required": true}, {"x": 1}]}),
        );
        items.take(&json!({"title": "no name"}));
        let mut log = SurfaceLog::default();
        log.set_items(items);
        let prompts = log.surface.prompts.unwrap();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].arguments.len(), 1);
        assert!(prompts[0].arguments[0].required);
    }

    #[test]
    fn schemas_past_the_budget_are_kept_as_digests() {
        let mut log = SurfaceLog {
            schema_bytes: MAX_SURFACE_SCHEMA_BYTES - 10,
            ..SurfaceLog::default()
        };
        let tool = log.tool(
            &json!({"name": "t", "inputSchema": {"type": "object", "properties": {}}}),
            "t",
        );
        let schema = tool.input_schema.unwrap();
        assert!(
            schema.get(crate::model::surface::DIGEST_KEY).is_some(),
            "{schema}"
        );
    }
}
