//! The checks the fuzz targets run, one function per target. Each one feeds its input to a
//! parser of untrusted input and panics when an invariant does not hold.
//!
//! This file is also compiled into `mcp-probe-core/tests/fuzz_corpus.rs`, which replays the
//! committed seeds and regressions on the stable toolchain; so it has no crate attributes and
//! uses nothing but `mcp-probe-core`, `mcp-probe-cli`, `serde_json`, `base64` and `url`.

use base64::Engine as _;
use mcp_probe_core::sse::{SseError, SseEvent, SseParser};
use mcp_probe_core::{Report, Scenario, Step};
use serde_json::Value;

/// A target's check: panics when an invariant does not hold.
pub type Check = fn(&[u8]);

/// Every target: its name (the folder of its seeds and regressions) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("sse_parser", sse_parser),
    ("jsonrpc_answer", jsonrpc_answer),
    ("www_authenticate", www_authenticate),
    ("scenario_json", scenario_json),
    ("scenario_yaml", scenario_yaml),
    ("legacy_endpoint", legacy_endpoint),
    ("text_report", text_report),
    ("scrub", scrub),
    ("token_response", token_response),
];

/// The check of the target named `name`.
pub fn target(name: &str) -> Option<Check> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

// --- sse_parser -------------------------------------------------------------------------------

/// Everything observable after parsing a stream: the events, the first error, the last event
/// id, the retry value and the comment count.
type SseOutcome = (
    Vec<SseEvent>,
    Result<(), SseError>,
    Option<String>,
    Option<u64>,
    u64,
);

/// The event after the end of the stream: `finish` then one more (short) stream.
const SSE_TRAILER: &[u8] = b"data: after\n\n";
/// The longest line of [`SSE_TRAILER`] (`data: after`): the trailer fits a limit this large.
const SSE_TRAILER_LINE: usize = 11;

/// Input: `[limit][n][n chunk sizes][stream]`. The limit byte is `max_event_bytes` (255 means
/// 1 MiB, i.e. no limit in practice); the chunk sizes (0..=16, cycled; 0 is an empty chunk)
/// cut the stream.
///
/// Checks: no dispatched event exceeds the limit; the stream fed whole, in the chosen chunks
/// and one byte at a time gives the same events, error, last event id, retry value and comment
/// count; `finish()` then a new stream behaves the same after each.
pub fn sse_parser(data: &[u8]) {
    let Some((&limit, rest)) = data.split_first() else {
        return;
    };
    let max = if limit == u8::MAX {
        1 << 20
    } else {
        usize::from(limit)
    };
    let Some((&plan_len, rest)) = rest.split_first() else {
        return;
    };
    let plan_len = usize::from(plan_len % 8).min(rest.len());
    let (plan, stream) = rest.split_at(plan_len);
    let sizes: Vec<usize> = plan.iter().map(|b| usize::from(b % 17)).collect();

    let whole = sse_outcome(max, &[stream]);
    let chunked = sse_outcome(max, &chunks(stream, &sizes));
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    let byte_at_a_time = sse_outcome(max, &bytes);

    for event in &whole.0 {
        assert!(
            event.data.len() <= max,
            "event data of {} bytes over the limit {max}: {event:?}",
            event.data.len()
        );
        if event.event != "message" {
            assert!(
                event.event.len() + event.data.len() <= max,
                "event of {} + {} bytes over the limit {max}: {event:?}",
                event.event.len(),
                event.data.len()
            );
        }
        // Every character of the id comes from at least one byte of a line within the limit.
        if let Some(id) = &event.id {
            assert!(id.chars().count() <= max, "id over the limit {max}: {id:?}");
        }
    }
    if let Err(e) = &whole.1 {
        assert_eq!(*e, SseError::EventTooLarge { limit: max });
    }
    assert_eq!(chunked, whole, "chunks {sizes:?} differ from one chunk");
    assert_eq!(
        byte_at_a_time, whole,
        "bytes one at a time differ from one chunk"
    );
}

/// Cuts `stream` into chunks of the given sizes, cycled; a zero size is an empty chunk (at most
/// 64 of them, then it counts as 1). No sizes: one chunk.
fn chunks<'a>(stream: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    if sizes.is_empty() {
        return vec![stream];
    }
    let mut out = Vec::new();
    let (mut at, mut empties) = (0, 0);
    for &size in sizes.iter().cycle() {
        if at >= stream.len() {
            break;
        }
        let size = if size == 0 && empties >= 64 { 1 } else { size };
        if size == 0 {
            empties += 1;
        }
        let end = (at + size).min(stream.len());
        out.push(&stream[at..end]);
        at = end;
    }
    out
}

/// Feeds `chunks` to a fresh parser, stopping at the first error; then `finish()` and
/// [`SSE_TRAILER`] as a new stream.
fn sse_outcome(max: usize, chunks: &[&[u8]]) -> SseOutcome {
    let mut parser = SseParser::new(max);
    let mut events = Vec::new();
    let mut result = Ok(());
    for chunk in chunks {
        result = parser.feed(chunk, &mut events);
        if result.is_err() {
            break;
        }
    }
    parser.finish();
    let after = parser.feed(SSE_TRAILER, &mut events);
    match &result {
        // A poisoned parser stays poisoned.
        Err(e) => assert_eq!(after.as_ref(), Err(e)),
        Ok(()) => {
            let fits = SSE_TRAILER_LINE <= max;
            assert_eq!(after.is_ok(), fits, "trailer after finish: {after:?}");
            if fits {
                assert_eq!(events.last().map(|e| e.data.as_str()), Some("after"));
            }
        }
    }
    (
        events,
        result,
        parser.last_event_id().map(str::to_owned),
        parser.retry_ms(),
        parser.comments_seen(),
    )
}

// --- jsonrpc_answer ---------------------------------------------------------------------------

/// Input: an answer body. Checks: classifying it never panics, and what a report keeps of it
/// is bounded: a JSON-RPC error's message (500 characters) and data (depth, width, string
/// lengths), anything else 1000 characters.
pub fn jsonrpc_answer(data: &[u8]) {
    let out = mcp_probe_core::fuzz::jsonrpc_answer(data);
    if let Ok(Value::Object(error)) = serde_json::from_str::<Value>(&out) {
        let is_error = error
            .keys()
            .all(|k| matches!(k.as_str(), "code" | "message" | "data"))
            && error.get("code").is_some_and(Value::is_i64)
            && error.get("message").is_some_and(Value::is_string);
        if is_error {
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            assert!(message.chars().count() <= 501, "message not cut: {out}");
            if let Some(data) = error.get("data") {
                assert_bounded_value(data, 0);
            }
            return;
        }
    }
    assert!(out.chars().count() <= 1000, "outcome not bounded: {out}");
}

/// The shape `bounded_value` promises: depth at most 7, arrays of at most 20 items, objects of
/// at most 30 members, keys of at most 100 characters and strings of at most 300 (each plus an
/// ellipsis when cut).
fn assert_bounded_value(v: &Value, depth: usize) {
    assert!(depth <= 7, "value nested deeper than 7: {v}");
    match v {
        Value::String(s) => assert!(s.chars().count() <= 301, "string not cut: {s:?}"),
        Value::Array(items) => {
            assert!(items.len() <= 20, "{} items kept", items.len());
            items
                .iter()
                .for_each(|x| assert_bounded_value(x, depth + 1));
        }
        Value::Object(members) => {
            assert!(members.len() <= 30, "{} members kept", members.len());
            for (k, x) in members {
                assert!(k.chars().count() <= 101, "key not cut: {k:?}");
                assert_bounded_value(x, depth + 1);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

// --- www_authenticate -------------------------------------------------------------------------

/// Input: up to four header values separated by `\n` (which no header value may hold).
/// Checks: at most 10 challenges, each an object of strings with a scheme (at most 40
/// characters), a token68 and at most 20 parameters, names at most 60 characters and values at
/// most 300 (each plus an ellipsis when cut).
pub fn www_authenticate(data: &[u8]) {
    let values: Vec<&[u8]> = data.splitn(4, |&b| b == b'\n').collect();
    let challenges = mcp_probe_core::fuzz::www_authenticate(&values);
    assert!(challenges.len() <= 10, "{} challenges", challenges.len());
    for challenge in &challenges {
        let Value::Object(params) = challenge else {
            panic!("a challenge that is not an object: {challenge}");
        };
        // scheme + token68 + 20 parameters
        assert!(params.len() <= 22, "{} members: {challenge}", params.len());
        let scheme = params.get("scheme").and_then(Value::as_str);
        assert!(scheme.is_some(), "no scheme: {challenge}");
        for (name, value) in params {
            assert!(name.chars().count() <= 61, "name not cut: {name:?}");
            let Value::String(value) = value else {
                panic!("a parameter that is not a string: {challenge}");
            };
            assert!(value.chars().count() <= 301, "value not cut: {value:?}");
        }
    }
}

// --- scenario_json, scenario_yaml -------------------------------------------------------------

/// Input: a scenario document as JSON text. See [`check_scenario`].
pub fn scenario_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = Scenario::from_json(text) {
        check_scenario(&scenario);
    }
}

/// Input: a scenario document as YAML text. See [`check_scenario`].
pub fn scenario_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = Scenario::from_yaml(text) {
        check_scenario(&scenario);
    }
}

/// Checks of a parsed scenario: `validate()` and `effective_steps()` do not panic; the
/// effective steps are never empty, hold a handshake when a step needs a session, and are
/// their own effective steps; `from_value(to_value())` and `from_json(to_value().to_string())`
/// give the scenario back.
fn check_scenario(scenario: &Scenario) {
    let _ = scenario.validate();
    let steps = scenario.effective_steps();
    assert!(!steps.is_empty(), "no effective steps");
    if steps
        .iter()
        .any(|s| matches!(s, Step::ListTools(_) | Step::CallTool(_)))
    {
        assert!(
            steps.iter().any(|s| matches!(s, Step::Handshake(_))),
            "a session step without a handshake: {steps:?}"
        );
    }
    let mut explicit = scenario.clone();
    explicit.steps.clone_from(&steps);
    assert_eq!(
        explicit.effective_steps(),
        steps,
        "effective steps not stable"
    );

    let value = scenario.to_value();
    assert!(value.is_object(), "to_value gave {value}");
    match Scenario::from_value(value.clone()) {
        Ok(back) => assert_eq!(&back, scenario, "from_value(to_value()) differs: {value}"),
        Err(e) => panic!("from_value(to_value()) failed: {e}: {value}"),
    }
    let text = value.to_string();
    match Scenario::from_json(&text) {
        Ok(back) => assert_eq!(&back, scenario, "from_json(to_value()) differs: {text}"),
        Err(e) => panic!("from_json(to_value()) failed: {e}: {text}"),
    }
}

// --- legacy_endpoint --------------------------------------------------------------------------

/// The SSE URLs an `endpoint` event is resolved against.
pub const LEGACY_BASES: &[&str] = &[
    "http://127.0.0.1:8080/sse",
    "https://example.com/mcp/sse?session=1",
    "http://example.com",
    "https://example.com:8443/",
    "http://[::1]:3000/sse",
    "https://[2001:db8::1]/a/b/sse#frag",
    "http://localhost/deep/er/sse/",
    "https://xn--bcher-kva.example/sse",
];

/// Input: `[base][event data]`: the first byte picks one of [`LEGACY_BASES`], the rest
/// (lossy UTF-8) is the `endpoint` event's data. Checks: a resolved endpoint is a URL of the
/// base's origin with an http(s) scheme; a refusal's message is bounded.
pub fn legacy_endpoint(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let base = LEGACY_BASES[usize::from(pick) % LEGACY_BASES.len()];
    let text = String::from_utf8_lossy(rest);
    let Some(resolved) = mcp_probe_core::fuzz::legacy_endpoint(base, &text) else {
        panic!("the base {base} is not a URL");
    };
    match resolved {
        Ok(endpoint) => {
            let url = match url::Url::parse(&endpoint) {
                Ok(url) => url,
                Err(e) => panic!("the endpoint {endpoint:?} does not parse again: {e}"),
            };
            let base = url::Url::parse(base).ok();
            assert!(
                matches!(url.scheme(), "http" | "https"),
                "scheme of {endpoint:?}"
            );
            assert_eq!(
                Some(url.origin()),
                base.map(|b| b.origin()),
                "origin of {endpoint:?}"
            );
        }
        Err(message) => assert!(
            message.chars().count() <= 1000,
            "refusal not bounded: {message}"
        ),
    }
}

// --- text_report ------------------------------------------------------------------------------

/// Input: a report as JSON (anything else is skipped). Checks: `--format text` holds no control
/// character but `\n` and no bidirectional formatting character.
pub fn text_report(data: &[u8]) {
    let Ok(report) = serde_json::from_slice::<Report>(data) else {
        return;
    };
    let text = mcp_probe_cli::render_text(&report);
    for (at, c) in text.char_indices() {
        let bidi = matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        );
        assert!(
            c == '\n' || !(c.is_control() || bidi),
            "{c:?} at byte {at} of the text output:\n{text}"
        );
    }
}

// --- scrub ------------------------------------------------------------------------------------

/// What a scrubbed secret is replaced with.
const REDACTED: &str = "<redacted>";

/// Shortest Base64 fragment the engine scrubs (shorter ones occur by chance).
const MIN_ENCODED_CHARS: usize = 6;

/// Input: `[n][secret: n bytes][filler]`. The secret must be UTF-8 of at least 4 characters
/// with no whitespace at its ends (else the input is skipped); the filler (lossy UTF-8) is cut
/// at `\0` into the pieces of text between the embedded forms.
///
/// The text holds the secret raw, form-urlencoded, and Base64-encoded (standard padded and
/// URL-safe unpadded) after a prefix of 0, 1 and 2 bytes (the first bytes of the filler piece
/// before it). Checks: outside the `<redacted>` markers, the scrubbed text holds neither the raw
/// nor the form-urlencoded secret, nor any Base64 run of characters that depend on the secret
/// alone (the engine's documented minimum: 6 characters).
pub fn scrub(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n);
    if rest.len() < n {
        return;
    }
    let (secret, filler) = rest.split_at(n);
    let Ok(secret) = std::str::from_utf8(secret) else {
        return;
    };
    if secret.chars().count() < 4 || secret.trim() != secret {
        return;
    }
    let filler = String::from_utf8_lossy(filler);
    let mut pieces = filler.split('\0');
    let mut next_piece = || pieces.next().unwrap_or("").to_owned();

    let form_urlencoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut forms = vec![secret.to_owned(), form_urlencoded.clone()];
    let mut text = next_piece();
    text.push_str(secret);
    text.push_str(&next_piece());
    text.push_str(&form_urlencoded);
    let standard = &base64::engine::general_purpose::STANDARD;
    let url_safe = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for engine in [standard, url_safe] {
        for k in 0..3 {
            let piece = next_piece();
            let mut blob: Vec<u8> = piece.bytes().take(k).collect();
            blob.resize(k, b'x');
            blob.extend_from_slice(secret.as_bytes());
            let encoded = engine.encode(&blob);
            text.push_str(&piece);
            text.push_str(&encoded);
            // Character i stands for bits [6i, 6i + 6) of the blob; those wholly inside the
            // secret's bytes depend on the secret alone.
            let first = (8 * k).div_ceil(6);
            let end = 8 * (k + secret.len()) / 6;
            if end >= first + MIN_ENCODED_CHARS {
                forms.push(encoded[first..end].to_owned());
            }
        }
    }
    text.push_str(&next_piece());

    let scrubbed = mcp_probe_core::fuzz::scrub(secret, &text);
    for piece in scrubbed.split(REDACTED) {
        for form in &forms {
            assert!(
                !piece.contains(form.as_str()),
                "{form:?} left in {piece:?}\nsecret {secret:?}\ntext {text:?}\nscrubbed {scrubbed:?}"
            );
        }
    }
}

// --- token_response -------------------------------------------------------------------------

/// The statuses a token endpoint's answer comes with, picked by the input's first byte.
const TOKEN_STATUSES: [u16; 8] = [200, 201, 204, 302, 400, 401, 403, 500];

/// Input: `[status][n][secret: n bytes][body]`: the first byte picks one of
/// [`TOKEN_STATUSES`]; the secret (what the client sent) counts only when it has at least 3
/// characters, all of `A-Z a-z 0-9 - _ .` (those of client secrets and JWTs, which form
/// encoding leaves as they are), else none is given.
///
/// Checks: a usable token's header is `Bearer ` and a token without surrounding whitespace,
/// its lifetime at most a year; a failure's message has at most 1,000 characters, its OAuth
/// error at most 64 and description at most 200 (each plus the `…` that marks a cut);
/// outside the `<redacted>` markers neither the message nor any detail holds the secret,
/// unless the engine's own words hold it (the same answer with the secret blanked out of the
/// body shows it too: the endpoint, a status reason).
pub fn token_response(data: &[u8]) {
    let [pick, n, rest @ ..] = data else {
        return;
    };
    let n = usize::from(*n).min(rest.len());
    let (secret, body) = rest.split_at(n);
    let secret = std::str::from_utf8(secret)
        .ok()
        .filter(|s| s.len() >= 3)
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .unwrap_or("");
    let status = TOKEN_STATUSES[usize::from(*pick) % TOKEN_STATUSES.len()];
    let Some(outcome) = mcp_probe_core::fuzz::token_response(status, body, secret) else {
        panic!("HTTP {status} was not taken as a status");
    };
    match outcome {
        Ok((header, lifetime)) => {
            let token = header.strip_prefix("Bearer ").expect("a Bearer header");
            assert!(!token.is_empty() && token.trim() == token, "{header:?}");
            assert!(
                lifetime.is_none_or(|s| s <= 365 * 24 * 3600),
                "{lifetime:?}"
            );
        }
        Err((message, details)) => {
            assert!(
                message.chars().count() <= 1000,
                "{} characters",
                message.len()
            );
            let text = |name: &str| details.get(name).and_then(Value::as_str).map(str::chars);
            assert!(
                text("oauthError").is_none_or(|c| c.count() <= 65),
                "{details}"
            );
            assert!(
                text("oauthErrorDescription").is_none_or(|c| c.count() <= 201),
                "{details}"
            );
            // A secret that is among the engine's own words (the endpoint, a status reason)
            // shows there whatever the server sent: compare with the same answer without it.
            let own_words = || {
                let without = blanked(body, secret.as_bytes());
                match mcp_probe_core::fuzz::token_response(status, &without, secret) {
                    Some(Err((message, details))) => shows(&message, &details, secret),
                    _ => false,
                }
            };
            if !secret.is_empty() && !own_words() {
                assert!(
                    !shows(&message, &details, secret),
                    "the secret {secret:?} is shown in {message:?} or {details}"
                );
            }
        }
    }
}

/// `bytes` with every occurrence of `secret` overwritten by `#` (which no secret holds).
fn blanked(bytes: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut at = 0;
    while let Some(found) = out[at..]
        .windows(secret.len())
        .position(|window| window == secret)
    {
        let start = at + found;
        out[start..start + secret.len()].fill(b'#');
        at = start + secret.len();
    }
    out
}

/// Whether the message or any string of the details holds `secret` outside the `<redacted>`
/// markers.
fn shows(message: &str, details: &Value, secret: &str) -> bool {
    let mut texts = vec![message.to_owned()];
    collect_strings(details, &mut texts);
    texts
        .iter()
        .any(|t| t.split("<redacted>").any(|piece| piece.contains(secret)))
}

/// Every string in `value`, keys included.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}
