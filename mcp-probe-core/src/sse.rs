//! Incremental parser for `text/event-stream` bodies (server-sent events).
//!
//! It follows the WHATWG HTML "event stream interpretation" rules: UTF-8 with one leading BOM
//! stripped; lines end with CRLF, LF or CR (also when the CR and the LF arrive in different
//! chunks); each line is decoded on its own, lossily; an empty line dispatches the pending event;
//! lines starting with `:` are comments; `data`, `event`, `id` and `retry` are the only fields
//! acted on; an event still pending at end of stream is discarded.
//!
//! It is written here rather than taken from a crate because a probe talks to servers it does not
//! trust: the parser bounds the size of one event (its unterminated line, data buffer and event
//! type) and fails with [`SseError::EventTooLarge`] instead of buffering without limit.
//!
//! ```
//! use mcp_probe_core::sse::SseParser;
//!
//! let mut parser = SseParser::new(64 * 1024);
//! let mut events = Vec::new();
//! parser.feed(b"id: 1\ndata: {\"jsonrpc\":", &mut events)?;
//! parser.feed(b"\"2.0\"}\n\n", &mut events)?;
//! assert_eq!(events[0].event, "message");
//! assert_eq!(events[0].data, "{\"jsonrpc\":\"2.0\"}");
//! assert_eq!(parser.last_event_id(), Some("1"));
//! # Ok::<(), mcp_probe_core::sse::SseError>(())
//! ```

/// The UTF-8 byte order mark, stripped once at the start of a stream.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, or "message" when absent/empty.
    pub event: String,
    /// The data lines joined with '\n' (never empty: an empty data buffer dispatches nothing).
    ///
    /// A `data:` line with an empty value does make the buffer non-empty, so an event made of
    /// `data:` alone is dispatched with `data == ""`.
    pub data: String,
    /// The last-event-id buffer at dispatch time (None if never set / set to empty).
    pub id: Option<String>,
}

/// Why the parser gave up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// One event (its pending line plus its data buffer) grew past the limit.
    #[error("an SSE event exceeded {limit} bytes")]
    EventTooLarge {
        /// the limit in bytes
        limit: usize,
    },
}

/// Incremental parser: feed byte chunks as they arrive, collect events.
#[derive(Debug)]
pub struct SseParser {
    /// Bound on pending line bytes + data buffer + event type.
    max_event_bytes: usize,
    /// Bytes of the line not yet terminated, carried across chunks.
    pending: Vec<u8>,
    /// The data buffer: each `data` value followed by '\n'.
    data: String,
    /// The event type buffer.
    event_type: String,
    /// The last event id buffer, as set by `id` lines of the current event.
    id_buffer: Option<String>,
    /// The last event id, committed at each blank line.
    last_id: Option<String>,
    /// Whether `id_buffer` may differ from `last_id`.
    id_dirty: bool,
    /// Most recent valid `retry` value.
    retry_ms: Option<u64>,
    /// Number of comment lines seen.
    comments: u64,
    /// The previous chunk ended with CR: a LF starting the next chunk ends no further line.
    skip_lf: bool,
    /// `Some(n)` while the stream start is still being checked for a BOM, `n` bytes matched.
    bom_matched: Option<usize>,
    /// Set by the first error; every later feed returns it.
    poisoned: Option<SseError>,
}

impl SseParser {
    /// `max_event_bytes` bounds one event: pending (unterminated) line bytes + data buffer + event type.
    pub fn new(max_event_bytes: usize) -> Self {
        Self {
            max_event_bytes,
            pending: Vec::new(),
            data: String::new(),
            event_type: String::new(),
            id_buffer: None,
            last_id: None,
            id_dirty: false,
            retry_ms: None,
            comments: 0,
            skip_lf: false,
            bom_matched: Some(0),
            poisoned: None,
        }
    }

    /// Feed one chunk; events completed by it are appended to `out`. After an Err the parser is poisoned: further feeds return the same Err.
    ///
    /// Events completed before the failing line are still appended to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if let Some(err) = &self.poisoned {
            return Err(err.clone());
        }
        self.feed_inner(chunk, out).inspect_err(|err| {
            self.poisoned = Some(err.clone());
            // Release whatever a hostile stream made us hold.
            self.pending = Vec::new();
            self.data = String::new();
            self.event_type = String::new();
        })
    }

    /// Call at end of stream. Pending, undispatched data is discarded (WHATWG); returns nothing.
    ///
    /// The last event id and retry value are kept, and the parser is ready for the next stream
    /// (for example after a reconnection, whose leading BOM is stripped again). A poisoned parser
    /// stays poisoned.
    pub fn finish(&mut self) {
        self.pending.clear();
        self.data.clear();
        self.event_type.clear();
        self.id_buffer.clone_from(&self.last_id);
        self.id_dirty = false;
        self.skip_lf = false;
        self.bom_matched = Some(0);
    }

    /// The last event id seen so far (updated by `id:` lines even when no event is dispatched, e.g. priming events with empty data); None if unset or reset to empty.
    ///
    /// As in WHATWG, an `id` line takes effect at the blank line ending its event, whether or not
    /// that event is dispatched; the id of an event cut off by the end of the stream is not
    /// reported (resuming from it would skip that event).
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The most recent valid `retry:` value in milliseconds.
    ///
    /// A value too large for `u64` saturates to `u64::MAX`.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Number of `:` comment lines seen (keep-alives).
    pub fn comments_seen(&self) -> u64 {
        self.comments
    }

    fn feed_inner(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let mut rest = chunk;
        if let Some(mut matched) = self.bom_matched {
            // At most three iterations: one per BOM byte.
            while matched < BOM.len() {
                match rest.first() {
                    None => {
                        self.bom_matched = Some(matched);
                        return Ok(());
                    }
                    Some(&byte) if byte == BOM[matched] => {
                        matched += 1;
                        rest = &rest[1..];
                    }
                    Some(_) => break,
                }
            }
            self.bom_matched = None;
            if matched < BOM.len() {
                // Not a BOM after all: those bytes start the first line (they hold no CR or LF).
                self.pending.extend_from_slice(&BOM[..matched]);
            }
        }
        if self.skip_lf {
            if let Some(&first) = rest.first() {
                self.skip_lf = false;
                if first == b'\n' {
                    rest = &rest[1..];
                }
            }
        }
        // Each iteration consumes at least one byte of `rest`.
        while let Some(end) = find_line_end(rest) {
            let line = &rest[..end];
            if self.pending.is_empty() {
                self.check_size(line.len())?;
                self.process_line(line, out);
            } else {
                self.check_size(self.pending.len().saturating_add(line.len()))?;
                self.pending.extend_from_slice(line);
                let pending = std::mem::take(&mut self.pending);
                self.process_line(&pending, out);
                self.pending = pending;
                self.pending.clear();
            }
            let terminator = rest[end];
            rest = &rest[end + 1..];
            if terminator == b'\r' {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
        }
        if !rest.is_empty() {
            self.check_size(self.pending.len().saturating_add(rest.len()))?;
            self.pending.extend_from_slice(rest);
        }
        Ok(())
    }

    /// Fails if a line of `line_len` bytes plus the buffered event would exceed the limit.
    ///
    /// Applying a line never grows the buffers by more than its own length, so checking before
    /// each line keeps the buffers within the limit too.
    fn check_size(&self, line_len: usize) -> Result<(), SseError> {
        let total = line_len
            .saturating_add(self.data.len())
            .saturating_add(self.event_type.len());
        if total > self.max_event_bytes {
            return Err(SseError::EventTooLarge {
                limit: self.max_event_bytes,
            });
        }
        Ok(())
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line[0] == b':' {
            self.comments = self.comments.saturating_add(1);
            return;
        }
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.push_str(&String::from_utf8_lossy(value));
            }
            // An id containing NUL is ignored; an empty one resets.
            b"id" if !value.contains(&0) => {
                self.id_buffer = if value.is_empty() {
                    None
                } else {
                    Some(String::from_utf8_lossy(value).into_owned())
                };
                self.id_dirty = true;
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let ms = value.iter().fold(0u64, |acc, &digit| {
                    acc.saturating_mul(10)
                        .saturating_add(u64::from(digit - b'0'))
                });
                self.retry_ms = Some(ms);
            }
            // Unknown fields, and `id`/`retry` with values not accepted above, are ignored.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.id_dirty {
            self.last_id.clone_from(&self.id_buffer);
            self.id_dirty = false;
        }
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        if self.data.ends_with('\n') {
            self.data.pop();
        }
        let event = if self.event_type.is_empty() {
            "message".to_owned()
        } else {
            std::mem::take(&mut self.event_type)
        };
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id: self.last_id.clone(),
        });
    }
}

/// Position of the first CR or LF in `bytes`.
///
/// Whole 32-byte blocks are first tested without an early exit, which the compiler vectorises;
/// only a block known to hold a terminator is searched byte by byte.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let is_end = |b: u8| b == b'\n' || b == b'\r';
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut offset = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |found, &b| found | is_end(b)) {
            return block.iter().position(|&b| is_end(b)).map(|i| offset + i);
        }
        offset += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| is_end(b))
        .map(|i| offset + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: usize = 1 << 20;

    fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            event: event.to_owned(),
            data: data.to_owned(),
            id: id.map(str::to_owned),
        }
    }

    fn msg(data: &str) -> SseEvent {
        ev("message", data, None)
    }

    /// Feeds `chunks` in order to a fresh parser with limit `max`; returns the parser, all events
    /// and the first error.
    fn run(max: usize, chunks: &[&[u8]]) -> (SseParser, Vec<SseEvent>, Result<(), SseError>) {
        let mut parser = SseParser::new(max);
        let mut events = Vec::new();
        for chunk in chunks {
            if let Err(err) = parser.feed(chunk, &mut events) {
                return (parser, events, Err(err));
            }
        }
        (parser, events, Ok(()))
    }

    /// Parses `chunks` with a generous limit, asserting success.
    fn parse(chunks: &[&[u8]]) -> (SseParser, Vec<SseEvent>) {
        let (parser, events, result) = run(BIG, chunks);
        assert_eq!(result, Ok(()));
        (parser, events)
    }

    fn events_of(chunks: &[&[u8]]) -> Vec<SseEvent> {
        parse(chunks).1
    }

    // --- BOM ---

    #[test]
    fn bom_is_stripped() {
        assert_eq!(events_of(&[b"\xEF\xBB\xBFdata: x\n\n"]), [msg("x")]);
    }

    #[test]
    fn bom_split_across_chunks_is_stripped() {
        let splits: [&[&[u8]]; 4] = [
            &[b"\xEF", b"\xBB\xBFdata: x\n\n"],
            &[b"\xEF\xBB", b"\xBFdata: x\n\n"],
            &[b"\xEF", b"", b"\xBB", b"\xBF", b"data: x\n\n"],
            &[b"\xEF\xBB\xBF", b"data: x\n\n"],
        ];
        for chunks in splits {
            assert_eq!(events_of(chunks), [msg("x")], "{chunks:?}");
        }
    }

    #[test]
    fn only_one_bom_is_stripped() {
        // The second BOM becomes part of the field name, which is then unknown.
        assert!(events_of(&[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\n"]).is_empty());
        assert!(events_of(&[b"\xEF\xBB\xBF", b"\xEF\xBB\xBFdata: x\n\n"]).is_empty());
        // A BOM later in the stream is not stripped either.
        assert_eq!(
            events_of(&[b"data: a\n\n", b"\xEF\xBB\xBFdata: b\n\n"]),
            [msg("a")]
        );
        // Inside a value it is ordinary text.
        assert_eq!(events_of(&[b"data: \xEF\xBB\xBFx\n\n"]), [msg("\u{FEFF}x")]);
    }

    #[test]
    fn partial_bom_bytes_are_kept_as_line_bytes() {
        // "\xEF\xBB" + "data" is an unknown field, so nothing is dispatched: the bytes were kept.
        assert!(events_of(&[b"\xEF\xBB", b"data: x\n\n"]).is_empty());
        assert!(events_of(&[b"\xEFdata: x\n\n"]).is_empty());
        // As a line of their own they are an unknown field and the stream goes on.
        assert_eq!(events_of(&[b"\xEF", b"\xBB\ndata: x\n\n"]), [msg("x")]);
    }

    #[test]
    fn stream_without_bom_parses() {
        assert_eq!(events_of(&[b"data: x\n\n"]), [msg("x")]);
    }

    // --- line endings ---

    #[test]
    fn lf_line_endings() {
        assert_eq!(
            events_of(&[b"data: a\n\ndata: b\n\n"]),
            [msg("a"), msg("b")]
        );
    }

    #[test]
    fn crlf_line_endings() {
        assert_eq!(
            events_of(&[b"data: a\r\n\r\ndata: b\r\n\r\n"]),
            [msg("a"), msg("b")]
        );
    }

    #[test]
    fn cr_line_endings() {
        assert_eq!(
            events_of(&[b"data: a\r\rdata: b\r\r"]),
            [msg("a"), msg("b")]
        );
    }

    #[test]
    fn cr_at_chunk_end_then_lf_is_one_line_ending() {
        // Were the LF a second line ending, "a" would be dispatched alone.
        assert_eq!(events_of(&[b"data: a\r", b"\ndata: b\n\n"]), [msg("a\nb")]);
        // Empty chunks in between do not forget the CR.
        assert_eq!(
            events_of(&[b"data: a\r", b"", b"", b"\ndata: b\n\n"]),
            [msg("a\nb")]
        );
        // A CRLF blank line split across chunks dispatches once.
        assert_eq!(
            events_of(&[b"data: a\r\n\r", b"\ndata: b\r\n\r\n"]),
            [msg("a"), msg("b")]
        );
    }

    #[test]
    fn cr_at_chunk_end_then_other_byte() {
        assert_eq!(events_of(&[b"data: a\r", b"data: b\r\r"]), [msg("a\nb")]);
        // A second CR is a blank line.
        assert_eq!(
            events_of(&[b"data: a\r", b"\rdata: b\n\n"]),
            [msg("a"), msg("b")]
        );
    }

    #[test]
    fn mixed_line_endings() {
        assert_eq!(
            events_of(&[b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\n\r"]),
            [msg("a\nb\nc"), msg("d")]
        );
    }

    // --- comments and fields ---

    #[test]
    fn comments_are_counted_not_dispatched() {
        let (parser, events) = parse(&[b": keep-alive\n\n:\n:ping\r\n"]);
        assert!(events.is_empty());
        assert_eq!(parser.comments_seen(), 3);
        // A comment inside an event does not interrupt it.
        let (parser, events) = parse(&[b"data: a\n: hi\ndata: b\n\n"]);
        assert_eq!(events, [msg("a\nb")]);
        assert_eq!(parser.comments_seen(), 1);
    }

    #[test]
    fn multi_line_data_joined_with_lf() {
        assert_eq!(
            events_of(&[b"data: {\"a\":\ndata: 1}\ndata:\n\n"]),
            [msg("{\"a\":\n1}\n")]
        );
    }

    #[test]
    fn empty_data_line_dispatches_empty_data() {
        // `data:` appends "\n"; the buffer is not empty, so the event is dispatched with "".
        assert_eq!(events_of(&[b"data:\n\n"]), [msg("")]);
        assert_eq!(events_of(&[b"data: \n\n"]), [msg("")]);
        assert_eq!(events_of(&[b"data\n\n"]), [msg("")]);
        assert_eq!(events_of(&[b"data:\ndata:\n\n"]), [msg("\n")]);
    }

    #[test]
    fn no_data_line_dispatches_nothing() {
        assert!(events_of(&[b"\n\n\n"]).is_empty());
        assert!(events_of(&[b"event: ping\n\n"]).is_empty());
        assert!(events_of(&[b"id: 3\nretry: 10\n\n"]).is_empty());
    }

    #[test]
    fn priming_event_sets_last_event_id() {
        let (parser, events) = parse(&[b"id: 7\ndata:\n\n"]);
        assert_eq!(events, [ev("message", "", Some("7"))]);
        assert_eq!(parser.last_event_id(), Some("7"));

        // With no data line at all nothing is dispatched, but the id still takes effect.
        let (parser, events) = parse(&[b"id: 7\n\n"]);
        assert!(events.is_empty());
        assert_eq!(parser.last_event_id(), Some("7"));

        // ... and later events carry it.
        assert_eq!(
            events_of(&[b"id: 7\n\ndata: x\n\n"]),
            [ev("message", "x", Some("7"))]
        );
    }

    #[test]
    fn id_takes_effect_at_the_end_of_its_event() {
        let mut parser = SseParser::new(BIG);
        let mut events = Vec::new();
        assert_eq!(
            parser.feed(b"id: 1\ndata: a\n\nid: 2\n", &mut events),
            Ok(())
        );
        assert_eq!(parser.last_event_id(), Some("1"));
        assert_eq!(parser.feed(b"data: b\n", &mut events), Ok(()));
        assert_eq!(parser.last_event_id(), Some("1"));
        assert_eq!(parser.feed(b"\n", &mut events), Ok(()));
        assert_eq!(parser.last_event_id(), Some("2"));
        assert_eq!(
            events,
            [ev("message", "a", Some("1")), ev("message", "b", Some("2"))]
        );
    }

    #[test]
    fn id_persists_across_events() {
        assert_eq!(
            events_of(&[b"id: 1\ndata: a\n\ndata: b\n\n"]),
            [ev("message", "a", Some("1")), ev("message", "b", Some("1"))]
        );
    }

    #[test]
    fn id_containing_nul_is_ignored() {
        let (parser, events) = parse(&[b"id: 1\n\nid: a\0b\ndata: x\n\n"]);
        assert_eq!(events, [ev("message", "x", Some("1"))]);
        assert_eq!(parser.last_event_id(), Some("1"));
    }

    #[test]
    fn empty_id_resets() {
        for reset in [&b"id"[..], b"id:", b"id: "] {
            let input = [&b"id: 1\ndata: a\n\n"[..], reset, b"\ndata: b\n\n"].concat();
            let (parser, events) = parse(&[&input]);
            assert_eq!(
                events,
                [ev("message", "a", Some("1")), msg("b")],
                "{reset:?}"
            );
            assert_eq!(parser.last_event_id(), None);
        }
    }

    #[test]
    fn retry_valid_values() {
        let (parser, _) = parse(&[b"retry: 3000\n"]);
        assert_eq!(parser.retry_ms(), Some(3000));
        let (parser, _) = parse(&[b"retry:0\nretry: 15\n"]);
        assert_eq!(parser.retry_ms(), Some(15));
        let (parser, _) = parse(&[b"retry: 99999999999999999999999\n"]);
        assert_eq!(parser.retry_ms(), Some(u64::MAX));
    }

    #[test]
    fn retry_invalid_values_are_ignored() {
        assert_eq!(parse(&[b"data: x\n\n"]).0.retry_ms(), None);
        for bad in [
            &b"retry\n"[..],
            b"retry:\n",
            b"retry: \n",
            b"retry: 30s\n",
            b"retry: -1\n",
            b"retry: +5\n",
            b"retry:  5\n",
            b"retry: 1.5\n",
            b"retry: \xD9\xA3\n", // ARABIC-INDIC DIGIT THREE: a digit, but not ASCII
        ] {
            let (parser, _) = parse(&[b"retry: 10\n", bad]);
            assert_eq!(parser.retry_ms(), Some(10), "{bad:?}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        assert_eq!(
            events_of(&[b"foo: bar\ndata: x\nDATA: y\nData: z\n data: w\ndatax: v\n\n"]),
            [msg("x")]
        );
    }

    #[test]
    fn line_without_colon_is_field_with_empty_value() {
        assert_eq!(events_of(&[b"data\ndata\n\n"]), [msg("\n")]);
        // `event` with an empty value leaves the default type.
        assert_eq!(events_of(&[b"event: a\nevent\ndata: x\n\n"]), [msg("x")]);
    }

    #[test]
    fn only_one_leading_space_is_stripped() {
        assert_eq!(events_of(&[b"data:x\n\n"]), [msg("x")]);
        assert_eq!(events_of(&[b"data: x\n\n"]), [msg("x")]);
        assert_eq!(events_of(&[b"data:  x \n\n"]), [msg(" x ")]);
        assert_eq!(events_of(&[b"data:\tx\n\n"]), [msg("\tx")]);
        // Only the first colon separates name and value.
        assert_eq!(events_of(&[b"data: a: b\n\n"]), [msg("a: b")]);
        assert_eq!(
            events_of(&[b"event:  spaced\ndata: x\n\n"]),
            [ev(" spaced", "x", None)]
        );
    }

    #[test]
    fn event_field_sets_type() {
        assert_eq!(
            events_of(&[b"event: endpoint\ndata: /messages?s=1\n\n"]),
            [ev("endpoint", "/messages?s=1", None)]
        );
        assert_eq!(
            events_of(&[b"event: a\nevent: b\ndata: x\n\n"]),
            [ev("b", "x", None)]
        );
        assert_eq!(events_of(&[b"event:\ndata: x\n\n"]), [msg("x")]);
    }

    #[test]
    fn event_type_resets_after_dispatch() {
        assert_eq!(
            events_of(&[b"event: ping\ndata: a\n\ndata: b\n\n"]),
            [ev("ping", "a", None), msg("b")]
        );
        // Also when the event had no data and dispatched nothing.
        assert_eq!(events_of(&[b"event: ping\n\ndata: b\n\n"]), [msg("b")]);
    }

    #[test]
    fn finish_discards_pending_event() {
        let mut parser = SseParser::new(BIG);
        let mut events = Vec::new();
        assert_eq!(
            parser.feed(b"data: a\n\nevent: x\nid: 9\ndata: b\ndata: c", &mut events),
            Ok(())
        );
        parser.finish();
        assert_eq!(events, [msg("a")]);
        assert_eq!(parser.last_event_id(), None);
        // Nothing of the cut-off event survives into the next stream, and its BOM is stripped.
        assert_eq!(
            parser.feed(b"\xEF\xBB\xBF\n\ndata: d\n\n", &mut events),
            Ok(())
        );
        assert_eq!(events, [msg("a"), msg("d")]);
        // The retry value and committed id are kept across streams.
        assert_eq!(parser.feed(b"id: 4\nretry: 50\n\n", &mut events), Ok(()));
        parser.finish();
        assert_eq!(parser.last_event_id(), Some("4"));
        assert_eq!(parser.retry_ms(), Some(50));
    }

    #[test]
    fn finish_forgets_a_trailing_cr() {
        let mut parser = SseParser::new(BIG);
        let mut events = Vec::new();
        assert_eq!(parser.feed(b"data: a\r", &mut events), Ok(()));
        parser.finish();
        // The LF starting the next stream is a blank line of its own.
        assert_eq!(parser.feed(b"\ndata: b\n\n", &mut events), Ok(()));
        assert_eq!(events, [msg("b")]);
    }

    // --- UTF-8 ---

    #[test]
    fn invalid_utf8_becomes_replacement_char() {
        assert_eq!(
            events_of(&[b"data: a\xFFb\xC3\n\n"]),
            [msg("a\u{FFFD}b\u{FFFD}")]
        );
        assert_eq!(
            events_of(&[b"event: \xFE\nid: \x80\ndata: x\n\n"]),
            [ev("\u{FFFD}", "x", Some("\u{FFFD}"))]
        );
    }

    #[test]
    fn multibyte_char_split_across_chunks() {
        let text = "data: h\u{E9}llo \u{1F600}\n\n".as_bytes();
        for split in 0..=text.len() {
            let (a, b) = text.split_at(split);
            assert_eq!(events_of(&[a, b]), [msg("h\u{E9}llo \u{1F600}")]);
        }
    }

    // --- chunking ---

    /// Everything observable after parsing.
    type Outcome = (
        Vec<SseEvent>,
        Result<(), SseError>,
        Option<String>,
        Option<u64>,
        u64,
    );

    fn outcome(max: usize, chunks: &[&[u8]]) -> Outcome {
        let (parser, events, result) = run(max, chunks);
        (
            events,
            result,
            parser.last_event_id().map(str::to_owned),
            parser.retry_ms(),
            parser.comments_seen(),
        )
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let inputs: [&[u8]; 10] = [
            b"\xEF\xBB\xBFdata: a\r\n\r\nid: 1\rdata: b\r\rretry: 7\n: c\n\n",
            b"event: e\ndata: x\ndata\n\ndata:y\r\n\r\n\r\n",
            b"data: a\r\rdata: b\r\n\n\r\r\n",
            b"id: 7\ndata:\n\nid: a\0\ndata: z\n\nid\n\n",
            b"\xEF\xBBdata: x\n\ndata: \xF0\x9F\x98\x80 \xFF\n\n",
            b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n",
            b":\r:\n:\r\n\r\n",
            b"data: 0123456789\n\ndata: 0123456789012345678901234567890\n\n",
            b"data: abc\ndata: abc\ndata: abc\ndata: abc\ndata: abc\n\n",
            b"data: done\n\n: 012345678901234567890123456789\n",
        ];
        for input in inputs {
            for max in [BIG, 20, 12] {
                let whole = outcome(max, &[input]);
                let bytes: Vec<&[u8]> = input.chunks(1).collect();
                assert_eq!(
                    outcome(max, &bytes),
                    whole,
                    "byte at a time {input:?} {max}"
                );
                for size in [2, 3, 5, 7] {
                    let chunks: Vec<&[u8]> = input.chunks(size).collect();
                    assert_eq!(outcome(max, &chunks), whole, "size {size} {input:?} {max}");
                }
                for split in 0..=input.len() {
                    let (a, b) = input.split_at(split);
                    assert_eq!(
                        outcome(max, &[a, b]),
                        whole,
                        "split {split} {input:?} {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn line_end_found_at_every_position() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let mut bytes = vec![b'x'; len];
            assert_eq!(find_line_end(&bytes), None);
            for at in 0..len {
                for end in [b'\n', b'\r'] {
                    bytes[at] = end;
                    assert_eq!(find_line_end(&bytes), Some(at), "{len} {at}");
                    bytes[at] = b'x';
                }
            }
            if len > 1 {
                bytes[len - 1] = b'\n';
                bytes[len / 2] = b'\r';
                assert_eq!(find_line_end(&bytes), Some(len / 2));
            }
        }
    }

    // --- size limit ---

    #[test]
    fn unterminated_line_over_limit_fails() {
        let (_, events, result) = run(16, &[b"data: 01234567890"]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 16 }));
        assert!(events.is_empty());
        // The same line arriving in pieces.
        let (_, _, result) = run(16, &[b"data: 01234", b"567", b"890"]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 16 }));
        // Comments count too: a keep-alive cannot be endless.
        let (_, _, result) = run(16, &[b": 012345678901234"]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 16 }));
    }

    #[test]
    fn line_exactly_at_limit_is_accepted() {
        let (_, events, result) = run(16, &[b"data: 0123456789", b"\n\n"]);
        assert_eq!(result, Ok(()));
        assert_eq!(events, [msg("0123456789")]);
        let (_, events, result) = run(16, &[b"data: 0123456789\n\n"]);
        assert_eq!(result, Ok(()));
        assert_eq!(events, [msg("0123456789")]);
    }

    #[test]
    fn data_lines_summing_over_limit_fail() {
        // Each "data:abc" line is 8 bytes and adds 4 ("abc\n") to the data buffer. Before the
        // n-th line the check is 8 + 4 * (n - 1) <= 20: the 4th line is exactly at the limit.
        let four = b"data:abc\ndata:abc\ndata:abc\ndata:abc\n\n";
        let (_, events, result) = run(20, &[four]);
        assert_eq!(result, Ok(()));
        assert_eq!(events, [msg("abc\nabc\nabc\nabc")]);

        let five = b"data:abc\ndata:abc\ndata:abc\ndata:abc\ndata:abc\n\n";
        let (_, events, result) = run(20, &[five]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 20 }));
        assert!(events.is_empty());
    }

    #[test]
    fn event_type_counts_towards_limit() {
        // 11 bytes of type + an 11-byte line = 22 > 20.
        let (_, _, result) = run(20, &[b"event: 01234567890\ndata: 01234\n"]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 20 }));
        // 10 + 10 is fine.
        let (_, events, result) = run(20, &[b"event: 0123456789\ndata: 0123\n\n"]);
        assert_eq!(result, Ok(()));
        assert_eq!(events, [ev("0123456789", "0123", None)]);
    }

    #[test]
    fn limit_applies_per_event() {
        let input = b"data: 0123456789\n\n".repeat(100);
        let (_, events, result) = run(16, &[&input]);
        assert_eq!(result, Ok(()));
        assert_eq!(events.len(), 100);
    }

    #[test]
    fn parser_is_poisoned_after_error() {
        let mut parser = SseParser::new(16);
        let mut events = Vec::new();
        let err = SseError::EventTooLarge { limit: 16 };
        // The event before the oversized line is still delivered.
        assert_eq!(
            parser.feed(b"data: ok\n\ndata: 0123456789abcdef\n\n", &mut events),
            Err(err.clone())
        );
        assert_eq!(events, [msg("ok")]);
        assert_eq!(parser.feed(b"data: x\n\n", &mut events), Err(err.clone()));
        assert_eq!(parser.feed(b"", &mut events), Err(err.clone()));
        parser.finish();
        assert_eq!(parser.feed(b"data: x\n\n", &mut events), Err(err));
        assert_eq!(events, [msg("ok")]);
    }

    #[test]
    fn error_message_names_the_limit() {
        assert_eq!(
            SseError::EventTooLarge { limit: 4096 }.to_string(),
            "an SSE event exceeded 4096 bytes"
        );
    }

    #[test]
    fn zero_limit_accepts_only_blank_lines() {
        let (_, events, result) = run(0, &[b"\n\r\n\r"]);
        assert_eq!(result, Ok(()));
        assert!(events.is_empty());
        let (_, _, result) = run(0, &[b"\n:"]);
        assert_eq!(result, Err(SseError::EventTooLarge { limit: 0 }));
    }
}
