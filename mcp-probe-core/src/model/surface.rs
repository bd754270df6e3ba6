//! A server's surface: the tools, resources, resource templates and prompts it lists, in a
//! canonical form with a stable hash, and the diff of two surfaces with every change
//! classified as breaking or compatible for the server's clients.
//!
//! Pure data and pure functions; the probe fills a [`Surface`] as it lists.
//!
//! ```
//! use mcp_probe_core::{ChangeKind, Surface};
//!
//! let old = Surface::from_json(r#"{"tools": [{"name": "add", "inputSchema": {"type": "object"}}]}"#).unwrap();
//! let new = Surface::from_json(r#"{"tools": []}"#).unwrap();
//! let changes = old.diff(&new);
//! assert_eq!(changes[0].kind, ChangeKind::Breaking);
//! assert_eq!(changes[0].path, "tools.add");
//! assert!(old.hash().starts_with("sha256:"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};

/// Version of the snapshot file's shape.
pub const SNAPSHOT_VERSION: u32 = 1;
/// Largest schema (canonical JSON bytes) kept whole; a larger one is kept as its digest.
pub(crate) const MAX_SCHEMA_BYTES: usize = 64 << 10;
/// Largest snapshot file read (16 MiB).
pub(crate) const MAX_SNAPSHOT_BYTES: u64 = 16 << 20;
/// The key of the object that stands in for a schema larger than [`MAX_SCHEMA_BYTES`].
pub(crate) const DIGEST_KEY: &str = "x-mcp-probe-digest";

/// Everything a server lists, sorted: tools by name, resources by URI, templates by URI
/// template, prompts by name. A section is absent when it was not listed (the server does
/// not advertise it, or the probe did not ask).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Surface {
    /// `tools/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<SurfaceTool>>,
    /// `resources/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<SurfaceResource>>,
    /// `resources/templates/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_templates: Option<Vec<SurfaceTemplate>>,
    /// `prompts/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<Vec<SurfacePrompt>>,
}

/// One tool: its name, texts, schemas and annotations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SurfaceTool {
    /// The tool's name.
    pub name: String,
    /// Its title, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema of its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<Value>,
    /// The JSON Schema of its structured result, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// Its annotations (`readOnlyHint`, …), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Value>,
}

/// One resource.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SurfaceResource {
    /// Its URI.
    pub uri: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its title, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its MIME type, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// One resource template.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SurfaceTemplate {
    /// Its URI template (RFC 6570).
    pub uri_template: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its title, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The MIME type of what it names, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
}

/// One prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SurfacePrompt {
    /// Its name.
    pub name: String,
    /// Its title, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its arguments, in the order listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<PromptArgument>,
}

/// One argument of a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptArgument {
    /// Its name.
    pub name: String,
    /// Its description, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the prompt needs it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Whether a change breaks the server's existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A client that worked before may fail now.
    Breaking,
    /// Existing clients keep working.
    Compatible,
}

impl ChangeKind {
    /// The stable name: `breaking` or `compatible`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Breaking => "breaking",
            ChangeKind::Compatible => "compatible",
        }
    }
}

/// One difference between two surfaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SurfaceChange {
    /// Breaking or compatible.
    pub kind: ChangeKind,
    /// Where: `tools.create_invoice.inputSchema.properties.amount`.
    pub path: String,
    /// One line for a human.
    pub message: String,
}

impl SurfaceChange {
    fn new(kind: ChangeKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        SurfaceChange {
            kind,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl Surface {
    /// Whether nothing was listed.
    pub fn is_empty(&self) -> bool {
        self.tools.is_none()
            && self.resources.is_none()
            && self.resource_templates.is_none()
            && self.prompts.is_none()
    }

    /// Calls `f` on every string of the surface (names, URIs, texts, and every key and string
    /// inside schemas and annotations), then sorts it again. The engine uses it to scrub
    /// secrets a server echoed back.
    pub fn visit_text_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        use crate::model::visit::{opt, visit_value};
        for t in self.tools.iter_mut().flatten() {
            f(&mut t.name);
            opt(&mut t.title, f);
            opt(&mut t.description, f);
            for v in [
                &mut t.input_schema,
                &mut t.output_schema,
                &mut t.annotations,
            ]
            .into_iter()
            .flatten()
            {
                visit_value(v, f);
            }
        }
        for r in self.resources.iter_mut().flatten() {
            f(&mut r.uri);
            for text in [
                &mut r.name,
                &mut r.title,
                &mut r.description,
                &mut r.mime_type,
            ] {
                opt(text, f);
            }
        }
        for t in self.resource_templates.iter_mut().flatten() {
            f(&mut t.uri_template);
            for text in [
                &mut t.name,
                &mut t.title,
                &mut t.description,
                &mut t.mime_type,
            ] {
                opt(text, f);
            }
        }
        for p in self.prompts.iter_mut().flatten() {
            f(&mut p.name);
            opt(&mut p.title, f);
            opt(&mut p.description, f);
            for a in &mut p.arguments {
                f(&mut a.name);
                opt(&mut a.description, f);
            }
        }
        self.canonicalize();
    }

    /// Sorts every section (by name or URI) and drops later duplicates of a name or URI.
    pub fn canonicalize(&mut self) {
        fn sort<T>(items: &mut Option<Vec<T>>, key: fn(&T) -> &str) {
            if let Some(items) = items {
                items.sort_by(|a, b| key(a).cmp(key(b)));
                items.dedup_by(|a, b| key(a) == key(b));
            }
        }
        sort(&mut self.tools, |t| &t.name);
        sort(&mut self.resources, |r| &r.uri);
        sort(&mut self.resource_templates, |t| &t.uri_template);
        sort(&mut self.prompts, |p| &p.name);
    }

    /// The canonical JSON of the surface: sections sorted, object keys sorted at every depth,
    /// no insignificant whitespace. What [`Surface::hash`] digests.
    pub fn canonical_json(&self) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out);
        out
    }

    /// Writes [`Surface::canonical_json`] to `out`. A surface already in canonical order (as
    /// a probe builds it for a server listing in order, or one read from a snapshot) is
    /// written as it is, without a copy.
    fn write_canonical<W: fmt::Write>(&self, out: &mut W) {
        if self.is_canonical() {
            write_surface(self, out);
        } else {
            let mut sorted = self.clone();
            sorted.canonicalize();
            write_surface(&sorted, out);
        }
    }

    /// Whether every section is sorted (by name or URI) without duplicates, that is
    /// whether [`Surface::canonicalize`] would leave it as it is.
    fn is_canonical(&self) -> bool {
        fn strictly_sorted<T>(items: Option<&[T]>, key: fn(&T) -> &str) -> bool {
            items.is_none_or(|items| items.windows(2).all(|w| key(&w[0]) < key(&w[1])))
        }
        strictly_sorted(self.tools.as_deref(), |t| &t.name)
            && strictly_sorted(self.resources.as_deref(), |r| &r.uri)
            && strictly_sorted(self.resource_templates.as_deref(), |t| &t.uri_template)
            && strictly_sorted(self.prompts.as_deref(), |p| &p.name)
    }

    /// `sha256:` and the hex SHA-256 of [`Surface::canonical_json`].
    pub fn hash(&self) -> String {
        let mut digest = Digesting::new();
        self.write_canonical(&mut digest);
        digest.finish()
    }

    /// The snapshot document: `snapshotVersion`, `surfaceHash`, then the sections.
    pub fn to_snapshot(&self) -> Value {
        let mut sorted = self.clone();
        sorted.canonicalize();
        let mut doc = Map::new();
        doc.insert("snapshotVersion".into(), SNAPSHOT_VERSION.into());
        doc.insert("surfaceHash".into(), self.hash().into());
        if let Ok(Value::Object(sections)) = serde_json::to_value(&sorted) {
            doc.extend(sections);
        }
        Value::Object(doc)
    }

    /// The snapshot document as pretty-printed JSON with sorted keys.
    pub fn to_snapshot_json(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(&sort_keys(&self.to_snapshot())).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A surface from a snapshot document (or bare sections); `snapshotVersion` and
    /// `surfaceHash` are checked and dropped (the hash is always computed anew).
    pub fn from_value(mut value: Value) -> Result<Surface, Error> {
        let Value::Object(doc) = &mut value else {
            return Err(invalid("a snapshot must be a JSON object"));
        };
        match doc.remove("snapshotVersion") {
            None => {}
            Some(v) if v.as_u64() == Some(u64::from(SNAPSHOT_VERSION)) => {}
            Some(v) => {
                return Err(invalid(format!(
                    "unsupported snapshotVersion {} (this mcp-probe reads {SNAPSHOT_VERSION})",
                    crate::text::short(&v)
                )))
            }
        }
        doc.remove("surfaceHash");
        let mut surface: Surface = serde_json::from_value(value)
            .map_err(|e| invalid(format!("not a surface snapshot: {e}")))?;
        surface.canonicalize();
        Ok(surface)
    }

    /// A surface from snapshot JSON text (see [`Surface::from_value`]).
    pub fn from_json(text: &str) -> Result<Surface, Error> {
        let value = serde_json::from_str(text)
            .map_err(|e| invalid(format!("a snapshot is not valid JSON: {e}")))?;
        Surface::from_value(value)
    }

    /// A surface from a snapshot file (read up to 16 MiB).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Surface, Error> {
        let path = path.as_ref();
        let text = crate::file::read_limited_text(path, MAX_SNAPSHOT_BYTES).map_err(|e| {
            invalid(format!(
                "cannot read the snapshot {}: {e}",
                crate::text::truncate(&path.display().to_string(), 300)
            ))
        })?;
        Surface::from_json(&text).map_err(|e| {
            invalid(format!(
                "{}: {e}",
                crate::text::truncate(&path.display().to_string(), 300)
            ))
        })
    }

    /// Every change from `self` (the old surface) to `new`, each classified; breaking and
    /// compatible changes interleaved in path order. A section absent on one side counts as
    /// empty.
    pub fn diff(&self, new: &Surface) -> Vec<SurfaceChange> {
        let (mut old_sorted, mut new_sorted) = (self.clone(), new.clone());
        old_sorted.canonicalize();
        new_sorted.canonicalize();
        let mut out = Vec::new();
        let (o, n) = (&old_sorted, &new_sorted);
        diff_keyed(
            "tools",
            "tool",
            o.tools.as_deref(),
            n.tools.as_deref(),
            |t| &t.name,
            diff_tool,
            &mut out,
        );
        diff_keyed(
            "resources",
            "resource",
            o.resources.as_deref(),
            n.resources.as_deref(),
            |r| &r.uri,
            diff_resource,
            &mut out,
        );
        diff_keyed(
            "resourceTemplates",
            "resource template",
            o.resource_templates.as_deref(),
            n.resource_templates.as_deref(),
            |t| &t.uri_template,
            diff_template,
            &mut out,
        );
        diff_keyed(
            "prompts",
            "prompt",
            o.prompts.as_deref(),
            n.prompts.as_deref(),
            |p| &p.name,
            diff_prompt,
            &mut out,
        );
        out
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOption, message)
}

/// `sha256:` and `digest` in hex.
fn hex_digest(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(7 + 2 * digest.len());
    out.push_str("sha256:");
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// `value` as compact JSON with object keys sorted at every depth (whatever order the
/// map type keeps).
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

/// Canonical JSON fed straight into a SHA-256 (the text is never built).
struct Digesting(Sha256);

impl Digesting {
    fn new() -> Self {
        Digesting(Sha256::new())
    }

    /// `sha256:` and the hex digest of everything written.
    fn finish(self) -> String {
        hex_digest(&self.0.finalize())
    }
}

impl fmt::Write for Digesting {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Counts the bytes of canonical JSON without keeping them.
struct Counting(usize);

impl fmt::Write for Counting {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

// Writing to a `String`, a digest or a counter cannot fail, so the `fmt::Result`s below are
// ignored.
fn write_canonical<W: fmt::Write>(value: &Value, out: &mut W) {
    match value {
        Value::Object(map) => {
            // The map usually iterates in key order already (a `BTreeMap`, unless a crate
            // turns on serde_json's `preserve_order`): only then are the keys sorted apart.
            let sorted = map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b);
            let mut m = Members::open(out);
            if sorted {
                map.iter().for_each(|(key, v)| m.value(key, Some(v)));
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_by(|a, b| a.0.cmp(b.0));
                members
                    .into_iter()
                    .for_each(|(key, v)| m.value(key, Some(v)));
            }
            m.close();
        }
        Value::Array(items) => write_array(items, out, write_canonical),
        Value::String(text) => write_json_string(text, out),
        // A number's own `Display` is its compact JSON (`Value`'s would set up a serializer).
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => {
            let _ = out.write_str(if *b { "true" } else { "false" });
        }
        Value::Null => {
            let _ = out.write_str("null");
        }
    }
}

/// `[item,item,…]`, each item written by `each`.
fn write_array<W: fmt::Write, T>(items: &[T], out: &mut W, each: fn(&T, &mut W)) {
    let _ = out.write_char('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            let _ = out.write_char(',');
        }
        each(item, out);
    }
    let _ = out.write_char(']');
}

/// `text` as a JSON string literal, escaped exactly as `serde_json` escapes it; without an
/// allocation when nothing needs escaping (the usual case).
fn write_json_string<W: fmt::Write>(text: &str, out: &mut W) {
    if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        let _ = out.write_str(&Value::String(text.to_owned()).to_string());
    } else {
        let _ = out.write_char('"');
        let _ = out.write_str(text);
        let _ = out.write_char('"');
    }
}

/// The members of one canonical JSON object, written in the order given (which must be the
/// keys' sorted order); absent members are left out.
struct Members<'w, W: fmt::Write> {
    out: &'w mut W,
    count: usize,
}

impl<'w, W: fmt::Write> Members<'w, W> {
    fn open(out: &'w mut W) -> Self {
        let _ = out.write_char('{');
        Members { out, count: 0 }
    }

    /// Starts the member `key` and returns where its value goes.
    fn key(&mut self, key: &str) -> &mut W {
        if self.count > 0 {
            let _ = self.out.write_char(',');
        }
        self.count += 1;
        write_json_string(key, self.out);
        let _ = self.out.write_char(':');
        self.out
    }

    fn text(&mut self, key: &str, text: Option<&str>) {
        if let Some(text) = text {
            write_json_string(text, self.key(key));
        }
    }

    fn value(&mut self, key: &str, value: Option<&Value>) {
        if let Some(value) = value {
            write_canonical(value, self.key(key));
        }
    }

    fn list<T>(&mut self, key: &str, items: Option<&[T]>, each: fn(&T, &mut W)) {
        if let Some(items) = items {
            write_array(items, self.key(key), each);
        }
    }

    fn close(self) {
        let _ = self.out.write_char('}');
    }
}

/// The canonical JSON of a surface as it is (already sorted), written from its fields: what
/// `serde_json::to_value` and [`canonical_json`] give, without building the value. The
/// members of each object are listed in their keys' sorted order.
fn write_surface<W: fmt::Write>(surface: &Surface, out: &mut W) {
    let mut m = Members::open(out);
    m.list("prompts", surface.prompts.as_deref(), write_prompt);
    m.list(
        "resourceTemplates",
        surface.resource_templates.as_deref(),
        write_template,
    );
    m.list("resources", surface.resources.as_deref(), write_resource);
    m.list("tools", surface.tools.as_deref(), write_tool);
    m.close();
}

fn write_tool<W: fmt::Write>(t: &SurfaceTool, out: &mut W) {
    let mut m = Members::open(out);
    m.value("annotations", t.annotations.as_ref());
    m.text("description", t.description.as_deref());
    m.value("inputSchema", t.input_schema.as_ref());
    m.text("name", Some(&t.name));
    m.value("outputSchema", t.output_schema.as_ref());
    m.text("title", t.title.as_deref());
    m.close();
}

fn write_resource<W: fmt::Write>(r: &SurfaceResource, out: &mut W) {
    let texts = [&r.description, &r.mime_type, &r.name, &r.title];
    write_located(texts, ("uri", &r.uri), out);
}

fn write_template<W: fmt::Write>(t: &SurfaceTemplate, out: &mut W) {
    let texts = [&t.description, &t.mime_type, &t.name, &t.title];
    write_located(texts, ("uriTemplate", &t.uri_template), out);
}

/// A resource or a resource template: its `description`, `mimeType`, `name` and `title`,
/// then what locates it (`uri` or `uriTemplate`, both sorting after `title`).
fn write_located<W: fmt::Write>(
    texts: [&Option<String>; 4],
    (key, locator): (&str, &str),
    out: &mut W,
) {
    let mut m = Members::open(out);
    for (name, text) in ["description", "mimeType", "name", "title"]
        .into_iter()
        .zip(texts)
    {
        m.text(name, text.as_deref());
    }
    m.text(key, Some(locator));
    m.close();
}

fn write_prompt<W: fmt::Write>(p: &SurfacePrompt, out: &mut W) {
    let mut m = Members::open(out);
    if !p.arguments.is_empty() {
        m.list("arguments", Some(&p.arguments), write_argument);
    }
    m.text("description", p.description.as_deref());
    m.text("name", Some(&p.name));
    m.text("title", p.title.as_deref());
    m.close();
}

fn write_argument<W: fmt::Write>(a: &PromptArgument, out: &mut W) {
    let mut m = Members::open(out);
    m.text("description", a.description.as_deref());
    m.text("name", Some(&a.name));
    if a.required {
        let _ = m.key("required").write_str("true");
    }
    m.close();
}

/// A copy of `value` whose objects are built with keys in sorted order (for pretty output).
fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, sort_keys(v))).collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// `schema` as kept in a surface: whole when its canonical JSON is at most `max` bytes,
/// else `{"x-mcp-probe-digest": "sha256:…", "bytes": N}` (a change to it is still seen, as
/// a changed digest, but cannot be compared field by field); with the length of the kept
/// value's canonical JSON (counted, not built).
pub(crate) fn bounded_schema_counted(schema: &Value, max: usize) -> (Value, usize) {
    let mut counted = Counting(0);
    write_canonical(schema, &mut counted);
    let len = counted.0;
    if len <= max {
        return (schema.clone(), len);
    }
    let mut hashed = Digesting::new();
    write_canonical(schema, &mut hashed);
    let mut digest = Map::new();
    digest.insert(DIGEST_KEY.into(), hashed.finish().into());
    digest.insert("bytes".into(), len.into());
    let digest = Value::Object(digest);
    let len = canonical_json(&digest).len();
    (digest, len)
}

/// Compares two sorted, de-duplicated lists keyed by `key`: removals are breaking, additions
/// compatible, items on both sides compared by `each`.
fn diff_keyed<T>(
    section: &str,
    noun: &str,
    old: Option<&[T]>,
    new: Option<&[T]>,
    key: fn(&T) -> &str,
    each: fn(&str, &T, &T, &mut Vec<SurfaceChange>),
    out: &mut Vec<SurfaceChange>,
) {
    let old: BTreeMap<&str, &T> = old
        .unwrap_or_default()
        .iter()
        .map(|t| (key(t), t))
        .collect();
    let new: BTreeMap<&str, &T> = new
        .unwrap_or_default()
        .iter()
        .map(|t| (key(t), t))
        .collect();
    let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    for name in names {
        let path = format!("{section}.{name}");
        match (old.get(name), new.get(name)) {
            (Some(_), None) => out.push(SurfaceChange::new(
                ChangeKind::Breaking,
                path,
                format!("{noun} {name:?} was removed"),
            )),
            (None, Some(_)) => out.push(SurfaceChange::new(
                ChangeKind::Compatible,
                path,
                format!("{noun} {name:?} was added"),
            )),
            (Some(o), Some(n)) => each(&path, o, n, out),
            (None, None) => {}
        }
    }
}

/// A changed text field (title, description, name, MIME type): compatible.
fn diff_text(
    path: &str,
    field: &str,
    old: &Option<String>,
    new: &Option<String>,
    out: &mut Vec<SurfaceChange>,
) {
    if old != new {
        let how = match (old, new) {
            (None, _) => "was added",
            (_, None) => "was removed",
            _ => "changed",
        };
        out.push(SurfaceChange::new(
            ChangeKind::Compatible,
            format!("{path}.{field}"),
            format!("{field} {how}"),
        ));
    }
}

fn diff_tool(path: &str, old: &SurfaceTool, new: &SurfaceTool, out: &mut Vec<SurfaceChange>) {
    diff_text(path, "title", &old.title, &new.title, out);
    diff_text(path, "description", &old.description, &new.description, out);
    if old.annotations != new.annotations {
        out.push(SurfaceChange::new(
            ChangeKind::Compatible,
            format!("{path}.annotations"),
            "annotations changed",
        ));
    }
    let empty = Value::Object(Map::new());
    let input = format!("{path}.inputSchema");
    diff_schema(
        &input,
        old.input_schema.as_ref().unwrap_or(&empty),
        new.input_schema.as_ref().unwrap_or(&empty),
        Direction::Input,
        out,
    );
    let output = format!("{path}.outputSchema");
    match (&old.output_schema, &new.output_schema) {
        (None, None) => {}
        (None, Some(_)) => out.push(SurfaceChange::new(
            ChangeKind::Compatible,
            output,
            "output schema was added",
        )),
        (Some(_), None) => out.push(SurfaceChange::new(
            ChangeKind::Breaking,
            output,
            "output schema was removed",
        )),
        (Some(o), Some(n)) => diff_schema(&output, o, n, Direction::Output, out),
    }
}

/// Which way data flows through a schema: clients send inputs and read outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Input,
    Output,
}

/// Schema keywords compared on their own (everything else is compared as "constraint").
const STRUCTURAL: &[&str] = &[
    "type",
    "enum",
    "properties",
    "required",
    "items",
    "description",
    "title",
];

/// Compares two schemas at `path` (parameters under `properties.NAME`, array items under
/// `items`).
fn diff_schema(path: &str, old: &Value, new: &Value, dir: Direction, out: &mut Vec<SurfaceChange>) {
    if old == new {
        return;
    }
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
        // `true`/`false` schemas or garbage: any change is a changed type.
        out.push(SurfaceChange::new(
            ChangeKind::Breaking,
            path,
            "schema changed",
        ));
        return;
    };
    if o.contains_key(DIGEST_KEY) || n.contains_key(DIGEST_KEY) {
        out.push(SurfaceChange::new(
            ChangeKind::Breaking,
            path,
            format!(
                "schema changed and is too large to compare field by field (over {MAX_SCHEMA_BYTES} bytes)"
            ),
        ));
        return;
    }
    diff_type(path, o.get("type"), n.get("type"), dir, out);
    diff_enum(path, o.get("enum"), n.get("enum"), out);
    diff_properties(path, o, n, dir, out);
    match (o.get("items"), n.get("items")) {
        (Some(oi), Some(ni)) => diff_schema(&format!("{path}.items"), oi, ni, dir, out),
        (None, None) => {}
        (oi, ni) => {
            // Inputs: constraining items breaks callers. Outputs: dropping the constraint
            // breaks readers.
            let breaking = match dir {
                Direction::Input => ni.is_some(),
                Direction::Output => oi.is_some(),
            };
            out.push(SurfaceChange::new(
                if breaking {
                    ChangeKind::Breaking
                } else {
                    ChangeKind::Compatible
                },
                format!("{path}.items"),
                if ni.is_some() {
                    "array items are now constrained"
                } else {
                    "array items are no longer constrained"
                },
            ));
        }
    }
    for field in ["title", "description"] {
        if o.get(field) != n.get(field) {
            out.push(SurfaceChange::new(
                ChangeKind::Compatible,
                format!("{path}.{field}"),
                format!("{field} changed"),
            ));
        }
    }
    let others: BTreeSet<&String> = o
        .keys()
        .chain(n.keys())
        .filter(|k| !STRUCTURAL.contains(&k.as_str()))
        .collect();
    for key in others {
        if o.get(key) != n.get(key) {
            out.push(SurfaceChange::new(
                ChangeKind::Compatible,
                format!("{path}.{key}"),
                format!(
                    "`{}` changed from {} to {}",
                    crate::text::truncate(key, 100),
                    shown(o.get(key)),
                    shown(n.get(key))
                ),
            ));
        }
    }
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "(none)".to_owned(), crate::text::short)
}

/// The JSON types a `type` keyword allows; `None` when it allows any.
fn types(v: Option<&Value>) -> Option<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    match v? {
        Value::String(s) => {
            set.insert(s.clone());
        }
        Value::Array(items) => {
            set.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        _ => return None,
    }
    // An integer is a number: `number` allows everything `integer` does.
    if set.contains("number") {
        set.insert("integer".into());
    }
    Some(set)
}

fn type_text(v: Option<&Value>) -> String {
    match v {
        None => "any".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => crate::text::short(other),
    }
}

/// A changed `type`: for inputs, narrowing or changing it breaks callers and widening does
/// not; for outputs, any change breaks readers.
fn diff_type(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    dir: Direction,
    out: &mut Vec<SurfaceChange>,
) {
    if old == new {
        return;
    }
    let (ot, nt) = (types(old), types(new));
    if ot == nt {
        return;
    }
    let widened = match (&ot, &nt) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(o), Some(n)) => o.is_subset(n),
    };
    let (kind, how) = match (dir, widened) {
        (Direction::Input, true) => (ChangeKind::Compatible, "widened"),
        (Direction::Input, false) => {
            let narrowed = matches!((&ot, &nt), (None, Some(_)))
                || matches!((&ot, &nt), (Some(o), Some(n)) if n.is_subset(o));
            (
                ChangeKind::Breaking,
                if narrowed { "narrowed" } else { "changed" },
            )
        }
        (Direction::Output, _) => (ChangeKind::Breaking, "changed"),
    };
    out.push(SurfaceChange::new(
        kind,
        format!("{path}.type"),
        format!("type {how} from {} to {}", type_text(old), type_text(new)),
    ));
}

/// Enum values removed (breaking) or added (compatible).
fn diff_enum(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<SurfaceChange>) {
    let values = |v: Option<&Value>| -> Option<Vec<String>> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().map(canonical_json).collect())
    };
    let (ov, nv) = (values(old), values(new));
    let path = format!("{path}.enum");
    match (ov, nv) {
        (None, None) => {}
        (Some(_), None) => out.push(SurfaceChange::new(
            ChangeKind::Compatible,
            path,
            "enum removed: any value is accepted",
        )),
        (None, Some(_)) => out.push(SurfaceChange::new(
            ChangeKind::Breaking,
            path,
            "enum added: only its values are accepted",
        )),
        (Some(ov), Some(nv)) => {
            let removed: Vec<&str> = ov
                .iter()
                .filter(|v| !nv.contains(v))
                .map(String::as_str)
                .collect();
            let added: Vec<&str> = nv
                .iter()
                .filter(|v| !ov.contains(v))
                .map(String::as_str)
                .collect();
            if !removed.is_empty() {
                out.push(SurfaceChange::new(
                    ChangeKind::Breaking,
                    path.clone(),
                    format!(
                        "enum value{} {} removed",
                        plural(removed.len()),
                        list(&removed)
                    ),
                ));
            }
            if !added.is_empty() {
                out.push(SurfaceChange::new(
                    ChangeKind::Compatible,
                    path,
                    format!("enum value{} {} added", plural(added.len()), list(&added)),
                ));
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Up to five items, cut, joined with commas.
fn list(items: &[&str]) -> String {
    let mut shown: Vec<String> = items
        .iter()
        .take(5)
        .map(|s| crate::text::truncate(s, 60))
        .collect();
    if items.len() > 5 {
        shown.push(format!("and {} more", items.len() - 5));
    }
    shown.join(", ")
}

fn required(schema: &Map<String, Value>) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Properties (parameters of an input, fields of an output) removed, added, made required
/// or optional, and each one's schema.
fn diff_properties(
    path: &str,
    o: &Map<String, Value>,
    n: &Map<String, Value>,
    dir: Direction,
    out: &mut Vec<SurfaceChange>,
) {
    let empty = Map::new();
    let op = o
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let np = n
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let (or, nr) = (required(o), required(n));
    let noun = match dir {
        Direction::Input => "parameter",
        Direction::Output => "output field",
    };
    let names: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
    for name in names {
        let at = format!("{path}.properties.{name}");
        let shown_name = crate::text::truncate(name, 100);
        let (was_req, is_req) = (or.contains(name.as_str()), nr.contains(name.as_str()));
        match (op.get(name), np.get(name)) {
            (Some(_), None) => out.push(SurfaceChange::new(
                ChangeKind::Breaking,
                at,
                format!("{noun} {shown_name:?} was removed"),
            )),
            (None, Some(_)) => {
                let (kind, which) = match (dir, is_req) {
                    (Direction::Input, true) => (ChangeKind::Breaking, "required "),
                    (Direction::Input, false) => (ChangeKind::Compatible, "optional "),
                    (Direction::Output, _) => (ChangeKind::Compatible, ""),
                };
                out.push(SurfaceChange::new(
                    kind,
                    at,
                    format!("{which}{noun} {shown_name:?} was added"),
                ));
            }
            (Some(os), Some(ns)) => {
                if was_req != is_req {
                    // Inputs: a newly required parameter breaks callers that leave it out.
                    // Outputs: a field no longer guaranteed breaks readers that rely on it.
                    let breaking = match dir {
                        Direction::Input => is_req,
                        Direction::Output => was_req,
                    };
                    out.push(SurfaceChange::new(
                        if breaking {
                            ChangeKind::Breaking
                        } else {
                            ChangeKind::Compatible
                        },
                        at.clone(),
                        format!(
                            "{noun} {shown_name:?} became {}",
                            if is_req { "required" } else { "optional" }
                        ),
                    ));
                }
                diff_schema(&at, os, ns, dir, out);
            }
            (None, None) => {}
        }
    }
}

fn diff_resource(
    path: &str,
    old: &SurfaceResource,
    new: &SurfaceResource,
    out: &mut Vec<SurfaceChange>,
) {
    diff_text(path, "name", &old.name, &new.name, out);
    diff_text(path, "title", &old.title, &new.title, out);
    diff_text(path, "description", &old.description, &new.description, out);
    diff_text(path, "mimeType", &old.mime_type, &new.mime_type, out);
}

fn diff_template(
    path: &str,
    old: &SurfaceTemplate,
    new: &SurfaceTemplate,
    out: &mut Vec<SurfaceChange>,
) {
    diff_text(path, "name", &old.name, &new.name, out);
    diff_text(path, "title", &old.title, &new.title, out);
    diff_text(path, "description", &old.description, &new.description, out);
    diff_text(path, "mimeType", &old.mime_type, &new.mime_type, out);
}

fn diff_prompt(path: &str, old: &SurfacePrompt, new: &SurfacePrompt, out: &mut Vec<SurfaceChange>) {
    diff_text(path, "title", &old.title, &new.title, out);
    diff_text(path, "description", &old.description, &new.description, out);
    let oa: BTreeMap<&str, &PromptArgument> =
        old.arguments.iter().map(|a| (a.name.as_str(), a)).collect();
    let na: BTreeMap<&str, &PromptArgument> =
        new.arguments.iter().map(|a| (a.name.as_str(), a)).collect();
    let names: BTreeSet<&str> = oa.keys().chain(na.keys()).copied().collect();
    for name in names {
        let at = format!("{path}.arguments.{name}");
        match (oa.get(name), na.get(name)) {
            (Some(_), None) => out.push(SurfaceChange::new(
                ChangeKind::Breaking,
                at,
                format!("argument {name:?} was removed"),
            )),
            (None, Some(a)) => out.push(SurfaceChange::new(
                if a.required {
                    ChangeKind::Breaking
                } else {
                    ChangeKind::Compatible
                },
                at,
                format!(
                    "{} argument {name:?} was added",
                    if a.required { "required" } else { "optional" }
                ),
            )),
            (Some(o), Some(n)) => {
                if o.required != n.required {
                    out.push(SurfaceChange::new(
                        if n.required {
                            ChangeKind::Breaking
                        } else {
                            ChangeKind::Compatible
                        },
                        at.clone(),
                        format!(
                            "argument {name:?} became {}",
                            if n.required { "required" } else { "optional" }
                        ),
                    ));
                }
                diff_text(&at, "description", &o.description, &n.description, out);
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn surface(v: Value) -> Surface {
        Surface::from_value(v).unwrap()
    }

    fn tool(schema: Value) -> Surface {
        surface(json!({"tools": [{"name": "t", "inputSchema": schema}]}))
    }

    fn out_tool(schema: Value) -> Surface {
        surface(json!({"tools": [{"name": "t", "outputSchema": schema}]}))
    }

    /// The changes as (kind, path, message) triples.
    fn changes(old: &Surface, new: &Surface) -> Vec<(ChangeKind, String, String)> {
        old.diff(new)
            .into_iter()
            .map(|c| (c.kind, c.path, c.message))
            .collect()
    }

    fn one(old: &Surface, new: &Surface) -> (ChangeKind, String, String) {
        let all = changes(old, new);
        assert_eq!(all.len(), 1, "{all:?}");
        all.into_iter().next().unwrap()
    }

    use ChangeKind::{Breaking, Compatible};

    fn obj(props: Value, required: &[&str]) -> Value {
        json!({"type": "object", "properties": props, "required": required})
    }

    #[test]
    fn canonical_json_escapes_as_serde_json_does() {
        for text in [
            "plain",
            "",
            "quote \" and \\ back",
            "tab\tnew\nline\u{1}\u{1f}",
            "é ✓ \u{7f} 🦀",
        ] {
            let value = json!({
                text: text,
                "n": [1, 2.5, -0.0, u64::MAX, i64::MIN, 1e300, 5e-324, true, false, null]
            });
            let keys_sorted = if text < "n" {
                format!(
                    "{{{}:{},\"n\":{}}}",
                    Value::from(text),
                    Value::from(text),
                    value["n"]
                )
            } else {
                format!(
                    "{{\"n\":{},{}:{}}}",
                    value["n"],
                    Value::from(text),
                    Value::from(text)
                )
            };
            assert_eq!(canonical_json(&value), keys_sorted, "{text:?}");
        }
    }

    /// The canonical JSON by way of a `serde_json::Value` of the whole surface: what the
    /// field-by-field writer must give.
    fn canonical_by_value(surface: &Surface) -> String {
        let mut sorted = surface.clone();
        sorted.canonicalize();
        canonical_json(&serde_json::to_value(&sorted).unwrap())
    }

    #[test]
    fn the_surface_is_written_as_its_value_would_be() {
        let every_field = json!({
            "tools": [
                {"name": "z\"q", "title": "T", "description": "d\n", "inputSchema": {"type": "object", "b": [1, 2.5, null], "a": {}},
                 "outputSchema": {"type": "object"}, "annotations": {"readOnlyHint": true}},
                {"name": "a", "inputSchema": null},
                {"name": "m"}
            ],
            "resources": [
                {"uri": "file:///b", "name": "b", "title": "B", "description": "x", "mimeType": "text/plain"},
                {"uri": "file:///a"}
            ],
            "resourceTemplates": [
                {"uriTemplate": "file:///{p}", "name": "p", "title": "P", "description": "y", "mimeType": "text/csv"},
                {"uriTemplate": "a://{x}"}
            ],
            "prompts": [
                {"name": "p", "title": "P", "description": "z", "arguments": [
                    {"name": "n", "description": "e", "required": true}, {"name": "o"}
                ]},
                {"name": "b", "arguments": []}
            ]
        });
        for doc in [
            every_field,
            json!({}),
            json!({"tools": []}),
            json!({"prompts": [{"name": "only"}]}),
        ] {
            let parsed: Surface = serde_json::from_value(doc.clone()).unwrap();
            let expected = canonical_by_value(&parsed);
            assert_eq!(parsed.canonical_json(), expected, "{doc}");
            assert_eq!(parsed.hash(), sha256_of(&expected), "{doc}");
        }
    }

    fn sha256_of(text: &str) -> String {
        hex_digest(&Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn a_digest_is_written_in_lowercase_hex() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            sha256_of("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex_digest(&[0x00, 0x0f, 0xf0, 0xff]), "sha256:000ff0ff");
    }

    #[test]
    fn an_oversized_schema_is_kept_as_the_digest_of_its_canonical_json() {
        let schema = json!({"type": "object", "description": "x".repeat(100)});
        let (kept, len) = bounded_schema_counted(&schema, 50);
        let canonical = canonical_json(&schema);
        assert_eq!(kept[DIGEST_KEY], json!(sha256_of(&canonical)));
        assert_eq!(kept["bytes"], json!(canonical.len()));
        assert_eq!(len, canonical_json(&kept).len());
        let (whole, whole_len) = bounded_schema_counted(&schema, canonical.len());
        assert_eq!((whole, whole_len), (schema, canonical.len()));
        // A large schema, with one long string.
        let properties: Map<String, Value> = (0..500)
            .map(|i| (format!("p{i}"), json!({"description": "y".repeat(i)})))
            .chain([("long".to_owned(), json!("z".repeat(9000)))])
            .collect();
        let big = json!({"type": "object", "properties": properties});
        let (kept, _) = bounded_schema_counted(&big, 1000);
        assert_eq!(kept[DIGEST_KEY], json!(sha256_of(&canonical_json(&big))));
    }

    #[test]
    fn key_order_and_list_order_do_not_change_the_hash() {
        let a = surface(json!({
            "tools": [
                {"name": "b", "inputSchema": {"type": "object", "properties": {"x": {"type": "string"}}}},
                {"name": "a", "description": "A"}
            ],
            "prompts": [{"name": "p"}]
        }));
        let b = surface(json!({
            "prompts": [{"name": "p"}],
            "tools": [
                {"description": "A", "name": "a"},
                {"inputSchema": {"properties": {"x": {"type": "string"}}, "type": "object"}, "name": "b"}
            ]
        }));
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.canonical_json(), b.canonical_json());
        assert!(a
            .canonical_json()
            .starts_with(r#"{"prompts":[{"name":"p"}],"tools":[{"description":"A","name":"a"}"#));
        let changed = surface(json!({"tools": [{"name": "a", "description": "B"}]}));
        assert_ne!(a.hash(), changed.hash());
        assert_eq!(a.hash().len(), "sha256:".len() + 64);
    }

    #[test]
    fn the_canonical_json_sorts_keys_whatever_the_map_keeps() {
        let mut m = Map::new();
        m.insert("z".into(), json!(1));
        m.insert("a".into(), json!({"y": [1, {"c": 2, "b": 3}], "x": "é\""}));
        assert_eq!(
            canonical_json(&Value::Object(m)),
            r#"{"a":{"x":"é\"","y":[1,{"b":3,"c":2}]},"z":1}"#
        );
    }

    #[test]
    fn a_snapshot_reads_back_as_the_same_surface() {
        let s = surface(
            json!({"tools": [{"name": "a"}], "resources": [{"uri": "x://1", "name": "one"}]}),
        );
        let text = s.to_snapshot_json();
        assert!(text.contains(&format!("\"surfaceHash\": \"{}\"", s.hash())));
        let back = Surface::from_json(&text).unwrap();
        assert_eq!(back, s);
        let e = Surface::from_json(r#"{"snapshotVersion": 9}"#).unwrap_err();
        assert!(
            e.to_string().contains("unsupported snapshotVersion 9"),
            "{e}"
        );
        assert!(Surface::from_json("[]").is_err());
        assert!(Surface::from_json(r#"{"tools": [{"title": "no name"}]}"#).is_err());
    }

    #[test]
    fn visiting_reaches_every_string_and_sorts_again() {
        let mut s = surface(json!({
            "tools": [{"name": "b-tok123", "description": "key tok123",
                       "inputSchema": {"properties": {"tok123": {"default": "tok123"}}}}, {"name": "a"}],
            "resources": [{"uri": "x://tok123", "mimeType": "text/tok123"}],
            "prompts": [{"name": "p", "arguments": [{"name": "tok123"}]}]
        }));
        s.visit_text_mut(&mut |t| *t = t.replace("tok123", "<redacted>"));
        let text = s.canonical_json();
        assert!(!text.contains("tok123"), "{text}");
        assert_eq!(text.matches("<redacted>").count(), 7, "{text}");
        let names: Vec<&str> = s
            .tools
            .as_ref()
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b-<redacted>"]);
    }

    #[test]
    fn duplicates_keep_the_first() {
        let s =
            surface(json!({"tools": [{"name": "a", "title": "1"}, {"name": "a", "title": "2"}]}));
        let tools = s.tools.unwrap();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].title.as_deref(), Some("1"));
    }

    #[test]
    fn same_surface_no_changes() {
        let s = tool(obj(json!({"a": {"type": "number"}}), &["a"]));
        assert!(s.diff(&s.clone()).is_empty());
    }

    #[test]
    fn tool_removed_is_breaking_and_added_compatible() {
        let old = surface(json!({"tools": [{"name": "a"}]}));
        let new = surface(json!({"tools": [{"name": "b"}]}));
        assert_eq!(
            changes(&old, &new),
            [
                (Breaking, "tools.a".into(), "tool \"a\" was removed".into()),
                (Compatible, "tools.b".into(), "tool \"b\" was added".into()),
            ]
        );
        // An absent section counts as empty.
        assert_eq!(one(&old, &Surface::default()).0, Breaking);
    }

    #[test]
    fn required_parameter_added_is_breaking() {
        let old = tool(obj(json!({}), &[]));
        let new = tool(obj(json!({"amount": {"type": "number"}}), &["amount"]));
        assert_eq!(
            one(&old, &new),
            (
                Breaking,
                "tools.t.inputSchema.properties.amount".into(),
                "required parameter \"amount\" was added".into()
            )
        );
    }

    #[test]
    fn optional_parameter_added_is_compatible() {
        let old = tool(obj(json!({}), &[]));
        let new = tool(obj(json!({"memo": {"type": "string"}}), &[]));
        assert_eq!(
            one(&old, &new),
            (
                Compatible,
                "tools.t.inputSchema.properties.memo".into(),
                "optional parameter \"memo\" was added".into()
            )
        );
    }

    #[test]
    fn parameter_removed_is_breaking() {
        let old = tool(obj(json!({"memo": {"type": "string"}}), &[]));
        let new = tool(obj(json!({}), &[]));
        assert_eq!(
            one(&old, &new),
            (
                Breaking,
                "tools.t.inputSchema.properties.memo".into(),
                "parameter \"memo\" was removed".into()
            )
        );
    }

    #[test]
    fn parameter_type_changed_or_narrowed_is_breaking_widened_compatible() {
        let with = |t: Value| tool(obj(json!({"n": {"type": t}}), &[]));
        let (kind, path, message) = one(&with(json!("number")), &with(json!("string")));
        assert_eq!(kind, Breaking);
        assert_eq!(path, "tools.t.inputSchema.properties.n.type");
        assert_eq!(message, "type changed from number to string");
        let (kind, _, message) = one(&with(json!("number")), &with(json!("integer")));
        assert_eq!(
            (kind, message.as_str()),
            (Breaking, "type narrowed from number to integer")
        );
        let (kind, _, message) = one(&with(json!(["string", "null"])), &with(json!("string")));
        assert_eq!(kind, Breaking, "{message}");
        let (kind, _, message) = one(&with(json!("integer")), &with(json!("number")));
        assert_eq!(
            (kind, message.as_str()),
            (Compatible, "type widened from integer to number")
        );
    }

    #[test]
    fn enum_value_removed_is_breaking_added_compatible() {
        let with = |e: Value| tool(obj(json!({"c": {"type": "string", "enum": e}}), &[]));
        assert_eq!(
            changes(&with(json!(["eur", "usd"])), &with(json!(["eur", "gbp"]))),
            [
                (
                    Breaking,
                    "tools.t.inputSchema.properties.c.enum".into(),
                    "enum value \"usd\" removed".into()
                ),
                (
                    Compatible,
                    "tools.t.inputSchema.properties.c.enum".into(),
                    "enum value \"gbp\" added".into()
                ),
            ]
        );
    }

    #[test]
    fn required_to_optional_is_compatible_and_back_breaking() {
        let req = tool(obj(json!({"a": {"type": "number"}}), &["a"]));
        let opt = tool(obj(json!({"a": {"type": "number"}}), &[]));
        assert_eq!(
            one(&req, &opt),
            (
                Compatible,
                "tools.t.inputSchema.properties.a".into(),
                "parameter \"a\" became optional".into()
            )
        );
        assert_eq!(one(&opt, &req).0, Breaking);
    }

    #[test]
    fn nested_parameters_are_compared() {
        let with = |inner: Value| {
            tool(obj(
                json!({"items": {"type": "array", "items": {"type": "object", "properties": inner}}}),
                &[],
            ))
        };
        let (kind, path, _) = one(
            &with(json!({"sku": {"type": "string"}})),
            &with(json!({"sku": {"type": "integer"}})),
        );
        assert_eq!(kind, Breaking);
        assert_eq!(
            path,
            "tools.t.inputSchema.properties.items.items.properties.sku.type"
        );
    }

    #[test]
    fn output_field_removed_or_retyped_is_breaking_added_compatible() {
        let old = out_tool(obj(
            json!({"id": {"type": "string"}, "total": {"type": "number"}}),
            &["id"],
        ));
        let removed = out_tool(obj(json!({"id": {"type": "string"}}), &["id"]));
        assert_eq!(
            one(&old, &removed),
            (
                Breaking,
                "tools.t.outputSchema.properties.total".into(),
                "output field \"total\" was removed".into()
            )
        );
        let retyped = out_tool(obj(
            json!({"id": {"type": "string"}, "total": {"type": "string"}}),
            &["id"],
        ));
        assert_eq!(one(&old, &retyped).0, Breaking);
        // Widening an output type breaks readers too.
        let widened = out_tool(obj(
            json!({"id": {"type": "string"}, "total": {"type": ["number", "null"]}}),
            &["id"],
        ));
        assert_eq!(one(&old, &widened).0, Breaking);
        let added = out_tool(obj(
            json!({"id": {"type": "string"}, "total": {"type": "number"}, "currency": {"type": "string"}}),
            &["id"],
        ));
        assert_eq!(
            one(&old, &added),
            (
                Compatible,
                "tools.t.outputSchema.properties.currency".into(),
                "output field \"currency\" was added".into()
            )
        );
    }

    #[test]
    fn output_schema_removed_is_breaking_added_compatible() {
        let without = surface(json!({"tools": [{"name": "t"}]}));
        let with = out_tool(json!({"type": "object"}));
        assert_eq!(one(&with, &without).0, Breaking);
        assert_eq!(one(&without, &with).0, Compatible);
    }

    #[test]
    fn texts_and_annotations_are_compatible() {
        let old = surface(
            json!({"tools": [{"name": "t", "title": "T", "description": "old",
            "annotations": {"readOnlyHint": true},
            "inputSchema": obj(json!({"a": {"type": "number", "description": "x"}}), &[])}]}),
        );
        let new = surface(
            json!({"tools": [{"name": "t", "title": "T2", "description": "new",
            "annotations": {"readOnlyHint": false},
            "inputSchema": obj(json!({"a": {"type": "number", "description": "y"}}), &[])}]}),
        );
        let all = changes(&old, &new);
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(all.iter().all(|c| c.0 == Compatible), "{all:?}");
        let paths: Vec<&str> = all.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(
            paths,
            [
                "tools.t.title",
                "tools.t.description",
                "tools.t.annotations",
                "tools.t.inputSchema.properties.a.description"
            ]
        );
    }

    #[test]
    fn resources_templates_and_prompts_removed_are_breaking() {
        let old = surface(json!({
            "resources": [{"uri": "x://a"}],
            "resourceTemplates": [{"uriTemplate": "x://n/{id}"}],
            "prompts": [{"name": "greet"}]
        }));
        let new = surface(json!({"resources": [], "resourceTemplates": [], "prompts": []}));
        assert_eq!(
            changes(&old, &new),
            [
                (
                    Breaking,
                    "resources.x://a".into(),
                    "resource \"x://a\" was removed".into()
                ),
                (
                    Breaking,
                    "resourceTemplates.x://n/{id}".into(),
                    "resource template \"x://n/{id}\" was removed".into()
                ),
                (
                    Breaking,
                    "prompts.greet".into(),
                    "prompt \"greet\" was removed".into()
                ),
            ]
        );
        assert!(new.diff(&old).iter().all(|c| c.kind == Compatible));
    }

    #[test]
    fn prompt_argument_becoming_required_is_breaking() {
        let with = |required: bool| {
            surface(
                json!({"prompts": [{"name": "p", "arguments": [{"name": "who", "required": required}]}]}),
            )
        };
        assert_eq!(
            one(&with(false), &with(true)),
            (
                Breaking,
                "prompts.p.arguments.who".into(),
                "argument \"who\" became required".into()
            )
        );
        assert_eq!(one(&with(true), &with(false)).0, Compatible);
        let none = surface(json!({"prompts": [{"name": "p"}]}));
        assert_eq!(one(&none, &with(true)).0, Breaking);
        assert_eq!(one(&none, &with(false)).0, Compatible);
        assert_eq!(one(&with(false), &none).0, Breaking);
    }

    #[test]
    fn resource_details_changed_are_compatible() {
        let old = surface(
            json!({"resources": [{"uri": "x://a", "name": "a", "mimeType": "text/plain"}]}),
        );
        let new = surface(
            json!({"resources": [{"uri": "x://a", "name": "a", "mimeType": "text/markdown"}]}),
        );
        assert_eq!(
            one(&old, &new),
            (
                Compatible,
                "resources.x://a.mimeType".into(),
                "mimeType changed".into()
            )
        );
    }

    #[test]
    fn oversized_schemas_are_kept_as_digests_and_a_change_is_breaking() {
        let big = json!({"type": "object", "description": "x".repeat(100)});
        let (kept, kept_bytes) = bounded_schema_counted(&big, 1000);
        assert_eq!(kept_bytes, canonical_json(&kept).len());
        assert_eq!(kept, big);
        let (digest, digest_bytes) = bounded_schema_counted(&big, 50);
        assert_eq!(digest_bytes, canonical_json(&digest).len());
        assert!(digest[DIGEST_KEY].as_str().unwrap().starts_with("sha256:"));
        let other = bounded_schema_counted(
            &json!({"type": "object", "description": "y".repeat(100)}),
            50,
        )
        .0;
        assert_ne!(digest, other);
        let (kind, _, message) = one(&tool(digest), &tool(other));
        assert_eq!(kind, Breaking);
        assert!(message.contains("too large to compare"), "{message}");
    }
}
