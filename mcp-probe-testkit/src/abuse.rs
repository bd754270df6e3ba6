//! Memory and count abuse: answers that are valid but huge or endless, so a probe's bounds
//! (body size, tools kept, pages followed, cursors remembered, events read) can be tested.
//!
//! The big bodies are streamed from static chunks, so serving them costs the fixture little
//! memory however often they are asked for.

use std::io;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};

use crate::state::Shared;
use crate::{body, endpoint, protocol, sse};

const CHUNK: usize = 64 * 1024;
/// Cursor filler.
static FILLER: [u8; CHUNK] = [b'x'; CHUNK];

/// Ones per chunk of [`Mode::ManyNumbers`](crate::Mode::ManyNumbers)'s array.
const ONES_PER_CHUNK: usize = 31_000;
/// Chunks of ones after the first `1`: 250 × 31,000 = 7,750,000 more.
const ONES_CHUNKS: usize = 250;
/// `,1` repeated [`ONES_PER_CHUNK`] times.
static ONES: [u8; 2 * ONES_PER_CHUNK] = comma_ones();

const fn comma_ones() -> [u8; 2 * ONES_PER_CHUNK] {
    let mut chunk = [b'1'; 2 * ONES_PER_CHUNK];
    let mut i = 0;
    while i < chunk.len() {
        chunk[i] = b',';
        i += 2;
    }
    chunk
}

/// Tools listed by [`Mode::ManyTools`](crate::Mode::ManyTools), `add` included.
const MANY_TOOLS: usize = 200_000;
/// Tools serialized per streamed chunk.
const TOOLS_PER_CHUNK: usize = 1_000;

/// Length of every [`Mode::HugeCursors`](crate::Mode::HugeCursors) cursor. A request sending
/// one back stays under the fixture's 4 MiB request limit.
const CURSOR_LEN: usize = 4_000_000;
/// `NNN-`: the page number and a dash start every cursor.
const CURSOR_HEAD: usize = 4;
/// Pages that carry a cursor; the page after the last one has none.
const CURSOR_PAGES: usize = 100;

/// Most events of one [`Mode::PingFlood`](crate::Mode::PingFlood) stream.
const FLOOD_EVENTS: u64 = 1_000_000;

/// Pages of [`Mode::ToolPastCap`](crate::Mode::ToolPastCap).
const PAST_CAP_PAGES: usize = 11;
/// Tools per page of [`Mode::ToolPastCap`](crate::Mode::ToolPastCap).
const PAST_CAP_PER_PAGE: usize = 1_000;
/// `base64("past-cap-")`; the page index follows.
const PAST_CAP_CURSOR: &str = "cGFzdC1jYXAt";
/// The last tool of [`Mode::ToolPastCap`](crate::Mode::ToolPastCap).
pub(crate) const NEEDLE: &str = "needle";
/// What calling [`NEEDLE`] answers.
pub(crate) const NEEDLE_TEXT: &str = "found the needle";

fn json_stream<S>(shared: &Shared, chunks: S) -> Response
where
    S: stream::Stream<Item = io::Result<Bytes>> + Send + 'static,
{
    (
        [(header::CONTENT_TYPE, "application/json")],
        body::until_shutdown(chunks, shared.shutdown()),
    )
        .into_response()
}

/// `{"jsonrpc":"2.0","id":<id>,"result":`, the start of a success response.
fn response_head(id: &Value) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#)
}

/// A tool with only a name and the smallest input schema.
fn bare_tool(name: &str) -> String {
    format!(r#"{{"name":"{name}","inputSchema":{{"type":"object"}}}}"#)
}

/// [`Mode::ManyNumbers`](crate::Mode::ManyNumbers): the `initialize` response `reply` (a
/// success response) with `"numbers":[1,1,…]` added to its result, streamed.
pub(crate) fn many_numbers(shared: &Shared, id: &Value, result: &Value) -> Response {
    // A serialized object ends with `}`: reopen it to add one more member.
    let result = result.to_string();
    let open = result.strip_suffix('}').unwrap_or("{");
    let comma = if open.ends_with('{') { "" } else { "," };
    let head = Bytes::from(format!(r#"{}{open}{comma}"numbers":[1"#, response_head(id)));
    let ones = Bytes::from_static(&ONES);
    let chunks = stream::once(async move { Ok(head) })
        .chain(stream::iter(std::iter::repeat_n(ones, ONES_CHUNKS).map(Ok)))
        .chain(stream::once(async { Ok(Bytes::from_static(b"]}}")) }));
    json_stream(shared, chunks)
}

/// [`Mode::ManyTools`](crate::Mode::ManyTools): one `tools/list` page of [`MANY_TOOLS`]
/// tools, `t000000` … and last `add`, streamed.
pub(crate) fn many_tools(shared: &Shared, id: &Value) -> Response {
    let head = Bytes::from(format!(r#"{}{{"tools":["#, response_head(id)));
    let fillers = MANY_TOOLS - 1;
    let tools = stream::iter((0..fillers.div_ceil(TOOLS_PER_CHUNK)).map(move |chunk| {
        let first = chunk * TOOLS_PER_CHUNK;
        let mut text = String::with_capacity(TOOLS_PER_CHUNK * 52);
        for i in first..(first + TOOLS_PER_CHUNK).min(fillers) {
            text.push_str(&bare_tool(&format!("t{i:06}")));
            text.push(',');
        }
        Ok(Bytes::from(text))
    }));
    let tail = Bytes::from(format!("{}]}}}}", protocol::add_tool()));
    let chunks = stream::once(async move { Ok(head) })
        .chain(tools)
        .chain(stream::once(async move { Ok(tail) }));
    json_stream(shared, chunks)
}

/// The page a [`Mode::HugeCursors`](crate::Mode::HugeCursors) cursor leads to: `NNN-xxx…`
/// (exactly [`CURSOR_LEN`] bytes) issued on page `NNN` leads to page `NNN + 1`.
fn huge_cursor_target(cursor: &str) -> Option<usize> {
    let bytes = cursor.as_bytes();
    if bytes.len() != CURSOR_LEN
        || bytes.get(CURSOR_HEAD - 1) != Some(&b'-')
        || !bytes[CURSOR_HEAD..].iter().all(|&b| b == b'x')
    {
        return None;
    }
    let page: usize = cursor.get(..CURSOR_HEAD - 1)?.parse().ok()?;
    (1..=CURSOR_PAGES).contains(&page).then_some(page + 1)
}

/// [`Mode::HugeCursors`](crate::Mode::HugeCursors): one page of `tools/list`, with a
/// [`CURSOR_LEN`]-byte `nextCursor` (streamed) on pages 1 to [`CURSOR_PAGES`].
pub(crate) fn huge_cursor_page(shared: &Shared, id: &Value, params: &Value) -> Response {
    let page = match params.get("cursor") {
        None | Some(Value::Null) => Some(1),
        Some(Value::String(cursor)) => huge_cursor_target(cursor),
        Some(_) => None,
    };
    let Some(page) = page else {
        let reply = protocol::error(id, protocol::INVALID_PARAMS, "Invalid cursor", None);
        return endpoint::json_response(StatusCode::OK, &reply);
    };
    let tool = if page == 1 {
        protocol::add_tool().to_string()
    } else {
        bare_tool(&format!("p{page:03}"))
    };
    if page > CURSOR_PAGES {
        let head = format!(r#"{}{{"tools":[{tool}]}}}}"#, response_head(id));
        return json_stream(shared, stream::once(async move { Ok(Bytes::from(head)) }));
    }
    let head = Bytes::from(format!(
        r#"{}{{"tools":[{tool}],"nextCursor":"{page:03}-"#,
        response_head(id)
    ));
    let filler = CURSOR_LEN - CURSOR_HEAD;
    let full = Bytes::from_static(&FILLER);
    let rest = Bytes::from_static(&FILLER[..filler % CHUNK]);
    let chunks = stream::once(async move { Ok(head) })
        .chain(stream::iter(
            std::iter::repeat_n(full, filler / CHUNK)
                .chain(std::iter::once(rest))
                .map(Ok),
        ))
        .chain(stream::once(async { Ok(Bytes::from_static(b"\"}}")) }));
    json_stream(shared, chunks)
}

/// [`Mode::PingFlood`](crate::Mode::PingFlood): an event stream of server `ping` requests
/// (`flood-<stream>-<n>`), [`FLOOD_EVENTS`] at most, and no response.
pub(crate) fn ping_flood(shared: &Shared) -> Response {
    let stream_no = shared.next_number();
    let events = stream::iter(1..=FLOOD_EVENTS).map(move |n| {
        let ping = protocol::request(&format!("flood-{stream_no}-{n}"), "ping", None);
        Ok(sse::message(&format!("{stream_no}-{n}"), &ping))
    });
    (
        [
            (header::CONTENT_TYPE, sse::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body::until_shutdown(events, shared.shutdown()),
    )
        .into_response()
}

/// [`Mode::ToolPastCap`](crate::Mode::ToolPastCap): one page of `tools/list` (`add` first,
/// [`NEEDLE`] last); `Err` for a cursor it did not issue.
pub(crate) fn past_cap_page(params: &Value, add: Value) -> Result<Value, &'static str> {
    let page = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => cursor
            .strip_prefix(PAST_CAP_CURSOR)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..PAST_CAP_PAGES).contains(n))
            .ok_or("Invalid cursor")?,
        Some(_) => return Err("Invalid cursor"),
    };
    let last = PAST_CAP_PAGES * PAST_CAP_PER_PAGE - 1;
    let first = page * PAST_CAP_PER_PAGE;
    let tools: Vec<Value> = (first..first + PAST_CAP_PER_PAGE)
        .map(|i| match i {
            0 => add.clone(),
            i if i == last => json!({
                "name": NEEDLE,
                "description": "The one tool past the first 10,000.",
                "inputSchema": {"type": "object"}
            }),
            i => json!({"name": format!("t{i:05}"), "inputSchema": {"type": "object"}}),
        })
        .collect();
    let mut result = Map::new();
    result.insert("tools".into(), Value::Array(tools));
    if page + 1 < PAST_CAP_PAGES {
        result.insert(
            "nextCursor".into(),
            format!("{PAST_CAP_CURSOR}{}", page + 1).into(),
        );
    }
    Ok(Value::Object(result))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn huge_cursors_lead_to_the_next_page_only() {
        let cursor = |head: &str| format!("{head}{}", "x".repeat(CURSOR_LEN - head.len()));
        assert_eq!(huge_cursor_target(&cursor("001-")), Some(2));
        assert_eq!(huge_cursor_target(&cursor("100-")), Some(101));
        assert_eq!(huge_cursor_target(&cursor("101-")), None);
        assert_eq!(huge_cursor_target(&cursor("000-")), None);
        assert_eq!(huge_cursor_target("001-xx"), None);
        let mut wrong = cursor("002-");
        wrong.replace_range(CURSOR_LEN - 1.., "y");
        assert_eq!(huge_cursor_target(&wrong), None);
    }

    #[test]
    fn past_cap_pages_hold_eleven_thousand_tools() {
        let add = protocol::add_tool();
        let mut cursor = Value::Null;
        let mut names = Vec::new();
        for _ in 0..20 {
            let page = past_cap_page(&json!({ "cursor": cursor }), add.clone()).unwrap();
            let tools = page["tools"].as_array().unwrap();
            assert_eq!(tools.len(), PAST_CAP_PER_PAGE);
            names.extend(tools.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
            match page.get("nextCursor") {
                Some(next) => cursor = next.clone(),
                None => break,
            }
        }
        assert_eq!(names.len(), 11_000);
        assert_eq!(names[0], "add");
        assert_eq!(names[1], "t00001");
        assert_eq!(names[10_998], "t10998");
        assert_eq!(names[10_999], NEEDLE);
        assert!(past_cap_page(&json!({"cursor": "cGFzdC1jYXAt11"}), add).is_err());
    }

    #[test]
    fn ones_alternate() {
        assert_eq!(&ONES[..6], b",1,1,1");
        assert_eq!(ONES.iter().filter(|&&b| b == b'1').count(), ONES_PER_CHUNK);
    }
}
