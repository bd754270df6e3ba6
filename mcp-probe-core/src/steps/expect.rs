//! Judging a step's `expect` block ([`Expect`]), once for every step: its text, JSON
//! pointers into its result, its duration and the tools it listed.
//!
//! Every failure is `expectation_failed` with the facts `expectation` (the key), `expected`
//! and `actual` (bounded), and a message that starts with the step (`tools/call add: …`).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::expectation;
use crate::model::expect::compile_pattern;
use crate::model::{Expect, Failure, Step};

/// Most items of a listing kept (across pages) for its JSON expectations.
const MAX_JSON_ITEMS: usize = 10_000;
/// Longest text or value shown in a message.
const SHOWN: usize = 200;
/// Longest text kept in the `actual` fact.
const KEPT: usize = 1000;

/// How messages name the step: what it does and on what (`tools/call add`,
/// `resources/read fixture://readme`, `prompts/get greet`, the method of a request).
pub(crate) fn label(step: &Step) -> String {
    let t = |s: &str| crate::text::truncate(s, SHOWN);
    match step {
        Step::CallTool(s) => format!("tools/call {}", t(&s.name)),
        Step::ReadResource(s) => format!("resources/read {}", t(&s.uri)),
        Step::GetPrompt(s) => format!("prompts/get {}", t(&s.name)),
        other => t(other.kind_name()),
    }
}

/// Judges the text and JSON expectations of `expect` (the others are judged where their
/// facts are: the duration by the probe, the listed tools by the listing). `text` and
/// `result` are `None` for a step that has none.
pub(crate) fn judge(
    label: &str,
    expect: &Expect,
    text: Option<&str>,
    result: Option<&Value>,
) -> Result<(), Failure> {
    if let Some(text) = text {
        judge_text(label, expect, text)?;
    }
    if let Some(result) = result {
        judge_json(label, expect, result)?;
    }
    Ok(())
}

fn judge_text(label: &str, expect: &Expect, text: &str) -> Result<(), Failure> {
    let shown = crate::text::truncate(text, SHOWN);
    let kept = || json!(crate::text::truncate(text, KEPT));
    if let Some(expected) = &expect.text_equals {
        if text != expected {
            return Err(expectation(
                "textEquals",
                format!(
                    "{label}: the result text is {shown:?}, expected {:?}",
                    crate::text::truncate(expected, SHOWN)
                ),
                json!(expected),
                kept(),
            ));
        }
    }
    if let Some(needle) = &expect.text_contains {
        if !text.contains(needle.as_str()) {
            return Err(expectation(
                "textContains",
                format!(
                    "{label}: the result text {shown:?} does not contain {:?}",
                    crate::text::truncate(needle, SHOWN)
                ),
                json!(needle),
                kept(),
            ));
        }
    }
    if let Some(pattern) = &expect.text_matches {
        // Validation compiled it already; a pattern that still fails matches nothing.
        let matched = compile_pattern(pattern).is_ok_and(|re| re.is_match(text));
        if !matched {
            return Err(expectation(
                "textMatches",
                format!(
                    "{label}: the result text {shown:?} does not match {:?}",
                    crate::text::truncate(pattern, SHOWN)
                ),
                json!(pattern),
                kept(),
            ));
        }
    }
    Ok(())
}

fn judge_json(label: &str, expect: &Expect, result: &Value) -> Result<(), Failure> {
    for (pointer, expected) in &expect.json {
        let actual = result.pointer(pointer);
        if actual.is_some_and(|a| same(a, expected)) {
            continue;
        }
        let message = match actual {
            Some(a) => format!(
                "{label}: {pointer} is {}, expected {}",
                show(a),
                show(expected)
            ),
            None => format!("{label}: {pointer} is missing, expected {}", show(expected)),
        };
        let actual = actual.map_or(Value::Null, crate::text::bounded_value);
        return Err(expectation("json", message, expected.clone(), actual)
            .with("pointer", pointer.as_str()));
    }
    for pointer in &expect.json_exists {
        if result.pointer(pointer).is_none() {
            return Err(expectation(
                "jsonExists",
                format!("{label}: {pointer} is missing"),
                json!(pointer),
                Value::Null,
            )
            .with("pointer", pointer.as_str()));
        }
    }
    Ok(())
}

/// Judges `maxMs`: the step (or the probe) took `took_ms`.
pub(crate) fn judge_duration(label: &str, max_ms: u64, took_ms: f64) -> Result<(), Failure> {
    // Milliseconds are far below 2^53: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let max = max_ms as f64;
    if took_ms <= max {
        return Ok(());
    }
    Err(expectation(
        "maxMs",
        format!("{label}: took {took_ms:.1} ms, expected at most {max_ms} ms"),
        json!(max_ms),
        json!(took_ms),
    ))
}

/// A compact rendering of a value for a message.
fn show(v: &Value) -> String {
    crate::text::truncate(&v.to_string(), SHOWN)
}

/// Whether two values are equal, numbers by value (`5` equals `5.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || ((x.is_f64() || y.is_f64())
                    && matches!((x.as_f64(), y.as_f64()), (Some(p), Some(q)) if p == q))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| same(p, q)))
        }
        _ => a == b,
    }
}

/// The items of a paginated listing, gathered across pages for its JSON expectations (only
/// when it has some; at most [`MAX_JSON_ITEMS`], later items read as missing).
pub(crate) struct Gathered {
    field: &'static str,
    items: Option<Vec<Value>>,
}

impl Gathered {
    /// Gathers the array `field` of each page if `expect` has JSON expectations.
    pub(crate) fn new(field: &'static str, expect: &Expect) -> Self {
        Gathered {
            field,
            items: expect.wants_json().then(Vec::new),
        }
    }

    /// Takes in one page.
    pub(crate) fn take(&mut self, page: &Value) {
        let (Some(items), Some(list)) = (
            self.items.as_mut(),
            page.get(self.field).and_then(Value::as_array),
        ) else {
            return;
        };
        let room = MAX_JSON_ITEMS.saturating_sub(items.len());
        items.extend(list.iter().take(room).cloned());
    }

    /// The listing as one result, `{field: [items]}`; `None` when nothing was gathered.
    pub(crate) fn result(self) -> Option<Value> {
        let items = self.items?;
        let mut map = Map::new();
        map.insert(self.field.to_owned(), Value::Array(items));
        Some(Value::Object(map))
    }
}

/// The tool names a listing expects (`toolsPresent`, `toolsAbsent`, `toolsExactly`), and
/// which of them it found; memory stays bounded by the expectations, whatever is listed.
pub(crate) struct ToolNames<'s> {
    expect: &'s Expect,
    found: HashMap<&'s str, bool>,
    exactly: Option<HashSet<&'s str>>,
    /// The first listed names `toolsExactly` does not hold.
    unexpected: Vec<String>,
}

impl<'s> ToolNames<'s> {
    /// Most unexpected names remembered for the message.
    const MAX_UNEXPECTED: usize = 20;

    pub(crate) fn new(expect: &'s Expect) -> Self {
        let exactly: Option<HashSet<&str>> = expect
            .tools_exactly
            .as_ref()
            .map(|names| names.iter().map(String::as_str).collect());
        let found = expect
            .tools_present
            .iter()
            .chain(&expect.tools_absent)
            .map(String::as_str)
            .chain(exactly.iter().flatten().copied())
            .map(|n| (n, false))
            .collect();
        ToolNames {
            expect,
            found,
            exactly,
            unexpected: Vec::new(),
        }
    }

    /// Takes in one listed name.
    pub(crate) fn take(&mut self, name: &str) {
        if let Some(found) = self.found.get_mut(name) {
            *found = true;
        }
        if let Some(exactly) = &self.exactly {
            if !exactly.contains(name)
                && self.unexpected.len() < Self::MAX_UNEXPECTED
                && !self.unexpected.iter().any(|u| u == name)
            {
                self.unexpected.push(crate::text::truncate(name, SHOWN));
            }
        }
    }

    fn is_found(&self, name: &str) -> bool {
        self.found.get(name) == Some(&true)
    }

    /// Judges the expectations: `listed` tools in all, the first of them `shown`.
    pub(crate) fn judge(&self, listed: u64, shown: &[String]) -> Result<(), Failure> {
        for wanted in &self.expect.tools_present {
            if !self.is_found(wanted) {
                return Err(expectation(
                    "toolsPresent",
                    format!(
                        "tools/list: the tool {wanted:?} is not listed (the server lists {listed} tool{}{})",
                        if listed == 1 { "" } else { "s" },
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
        for unwanted in &self.expect.tools_absent {
            if self.is_found(unwanted) {
                return Err(expectation(
                    "toolsAbsent",
                    format!("tools/list: the tool {unwanted:?} is listed, expected it absent"),
                    json!(unwanted),
                    json!(shown),
                ));
            }
        }
        if let Some(exactly) = &self.expect.tools_exactly {
            let missing: Vec<&String> = exactly.iter().filter(|n| !self.is_found(n)).collect();
            if !missing.is_empty() || !self.unexpected.is_empty() {
                let quote = |names: &mut dyn Iterator<Item = &String>| {
                    names
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("missing {}", quote(&mut missing.iter().copied())));
                }
                if !self.unexpected.is_empty() {
                    parts.push(format!(
                        "not expected {}",
                        quote(&mut self.unexpected.iter())
                    ));
                }
                return Err(expectation(
                    "toolsExactly",
                    format!(
                        "tools/list: the tools listed are not exactly the expected ones: {}",
                        parts.join("; ")
                    ),
                    json!(exactly),
                    json!(shown),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::FailureCode;

    fn expect(v: Value) -> Expect {
        serde_json::from_value(v).unwrap()
    }

    /// The failure's message, after checking its code and facts.
    fn failed(r: Result<(), Failure>, which: &str) -> String {
        let f = r.unwrap_err();
        assert_eq!(f.code, FailureCode::ExpectationFailed);
        assert_eq!(f.details["expectation"], json!(which));
        assert!(f.details.contains_key("expected") && f.details.contains_key("actual"));
        f.message
    }

    #[test]
    fn text_expectations_pass_and_fail() {
        let e = expect(json!({"textEquals": "5", "textContains": "5", "textMatches": "^[0-9]+$"}));
        assert!(judge("tools/call add", &e, Some("5"), None).is_ok());
        assert_eq!(
            failed(judge("tools/call add", &e, Some("6"), None), "textEquals"),
            r#"tools/call add: the result text is "6", expected "5""#
        );
        let e = expect(json!({"textContains": "sum"}));
        assert_eq!(
            failed(
                judge("prompts/get greet", &e, Some("hello"), None),
                "textContains"
            ),
            r#"prompts/get greet: the result text "hello" does not contain "sum""#
        );
        let e = expect(json!({"textMatches": "^[0-9]+$"}));
        assert!(judge("x", &e, Some("42"), None).is_ok());
        assert_eq!(
            failed(
                judge("resources/read fixture://readme", &e, Some("4 2"), None),
                "textMatches"
            ),
            r#"resources/read fixture://readme: the result text "4 2" does not match "^[0-9]+$""#
        );
    }

    #[test]
    fn long_actual_text_is_bounded() {
        let e = expect(json!({"textEquals": "x"}));
        let long = "y".repeat(5000);
        let f = judge("t", &e, Some(&long), None).unwrap_err();
        assert!(f.message.chars().count() < 300, "{}", f.message);
        assert!(f.details["actual"].as_str().unwrap().chars().count() <= KEPT + 1);
    }

    #[test]
    fn json_pointers_pass_and_fail() {
        let result = json!({"structuredContent": {"sum": 4, "items": [1, 2.0]}, "isError": false});
        let e = expect(
            json!({"json": {"/structuredContent/sum": 4.0, "/structuredContent/items": [1, 2], "/isError": false}}),
        );
        assert!(judge("tools/call add", &e, None, Some(&result)).is_ok());
        let e = expect(json!({"json": {"/structuredContent/sum": 5}}));
        assert_eq!(
            failed(judge("tools/call add", &e, None, Some(&result)), "json"),
            "tools/call add: /structuredContent/sum is 4, expected 5"
        );
        let e = expect(json!({"json": {"/structuredContent/product": 5}}));
        let f = judge("tools/call add", &e, None, Some(&result)).unwrap_err();
        assert_eq!(
            f.message,
            "tools/call add: /structuredContent/product is missing, expected 5"
        );
        assert_eq!(f.details["actual"], Value::Null);
        assert_eq!(f.details["pointer"], json!("/structuredContent/product"));
        let e = expect(json!({"json": {"/structuredContent/sum": "4"}}));
        assert_eq!(
            failed(judge("t", &e, None, Some(&result)), "json"),
            r#"t: /structuredContent/sum is 4, expected "4""#
        );
    }

    #[test]
    fn json_exists_passes_and_fails() {
        let result = json!({"a": {"b~c": null}});
        let e = expect(json!({"jsonExists": ["/a", "/a/b~0c", ""]}));
        assert!(judge("req", &e, None, Some(&result)).is_ok());
        let e = expect(json!({"jsonExists": ["/a/d"]}));
        assert_eq!(
            failed(judge("req", &e, None, Some(&result)), "jsonExists"),
            "req: /a/d is missing"
        );
    }

    #[test]
    fn durations_pass_and_fail() {
        assert!(judge_duration("ping", 10, 10.0).is_ok());
        assert_eq!(
            failed(judge_duration("ping", 10, 12.34), "maxMs"),
            "ping: took 12.3 ms, expected at most 10 ms"
        );
    }

    #[test]
    fn numbers_compare_by_value_only_when_one_is_a_float() {
        assert!(same(&json!(5), &json!(5.0)));
        assert!(same(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!same(
            &json!(9_007_199_254_740_993_u64),
            &json!(9_007_199_254_740_992_u64)
        ));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn tool_names_pass_and_fail() {
        let judge_names = |e: &Expect, listed: &[&str]| {
            let mut names = ToolNames::new(e);
            listed.iter().for_each(|n| names.take(n));
            let shown: Vec<String> = listed.iter().map(|s| (*s).to_owned()).collect();
            names.judge(listed.len() as u64, &shown)
        };
        let e = expect(
            json!({"toolsPresent": ["add"], "toolsAbsent": ["drop"], "toolsExactly": ["add", "echo"]}),
        );
        assert!(judge_names(&e, &["echo", "add"]).is_ok());
        assert_eq!(
            failed(judge_names(&e, &["echo"]), "toolsPresent"),
            r#"tools/list: the tool "add" is not listed (the server lists 1 tool: echo)"#
        );
        assert_eq!(
            failed(judge_names(&e, &["add", "echo", "drop"]), "toolsAbsent"),
            r#"tools/list: the tool "drop" is listed, expected it absent"#
        );
        let e = expect(json!({"toolsExactly": ["add", "echo"]}));
        assert_eq!(
            failed(judge_names(&e, &["add", "fail", "fail"]), "toolsExactly"),
            r#"tools/list: the tools listed are not exactly the expected ones: missing "echo"; not expected "fail""#
        );
    }

    #[test]
    fn listings_gather_items_only_when_asked() {
        let mut none = Gathered::new("tools", &Expect::default());
        none.take(&json!({"tools": [1]}));
        assert_eq!(none.result(), None);
        let mut some = Gathered::new("tools", &expect(json!({"jsonExists": ["/tools/1"]})));
        some.take(&json!({"tools": [{"name": "a"}]}));
        some.take(&json!({"tools": [{"name": "b"}]}));
        assert_eq!(
            some.result(),
            Some(json!({"tools": [{"name": "a"}, {"name": "b"}]}))
        );
    }
}
