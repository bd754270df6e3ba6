//! Reading the server's output: stdout line by line into parsed messages, stderr into a
//! bounded tail kept for failure messages.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

use crate::jsonrpc::{self, Incoming, NotRpc};
use crate::model::Failure;
use crate::text::snippet;

/// Most bytes of the server's stderr kept (the latest ones).
const STDERR_TAIL_BYTES: usize = 8 * 1024;
/// Read buffer for the server's stdout.
const READ_BUFFER: usize = 64 * 1024;

/// One line the server wrote to stdout, as the reader task hands it over.
#[derive(Debug)]
pub(super) enum Line {
    /// A JSON value, classified.
    Message(Result<Incoming, NotRpc>),
    /// A line that is not JSON.
    NotJson { snippet: String },
    /// A line longer than the limit (skipped up to its newline).
    TooLarge,
    /// A line holding more JSON values than a probe parses (the failure, without its `what`).
    TooBig(Failure),
    /// Reading stdout failed; nothing more comes.
    Failed(String),
    /// stdout was closed; nothing more comes.
    Eof,
}

/// Reads stdout line by line into `tx`: each line parsed and classified, lines longer than
/// `max_line` bytes reported and skipped up to their newline, then EOF or the read error.
/// Memory stays bounded by `max_line` plus the read buffer; the queue bounds the read-ahead.
pub(super) async fn read_lines<R: AsyncRead + Unpin>(
    stdout: R,
    max_line: usize,
    tx: mpsc::Sender<Line>,
) {
    let mut reader = BufReader::with_capacity(READ_BUFFER, stdout);
    let mut line: Vec<u8> = Vec::new();
    let mut skipping = false;
    loop {
        let mut oversized = false;
        let (used, complete) = match reader.fill_buf().await {
            Err(e) => {
                let _ = tx.send(Line::Failed(e.to_string())).await;
                return;
            }
            Ok([]) => break,
            Ok(buf) => {
                let (chunk, complete) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (&buf[..i], true),
                    None => (buf, false),
                };
                if !skipping {
                    if line.len().saturating_add(chunk.len()) > max_line {
                        skipping = true;
                        oversized = true;
                        line.clear();
                    } else {
                        line.extend_from_slice(chunk);
                    }
                }
                (chunk.len() + usize::from(complete), complete)
            }
        };
        reader.consume(used);
        if oversized && tx.send(Line::TooLarge).await.is_err() {
            return;
        }
        if complete {
            if !skipping {
                if let Some(item) = parse_line(&line) {
                    if tx.send(item).await.is_err() {
                        return;
                    }
                }
            }
            skipping = false;
            line.clear();
            if line.capacity() > 4 * READ_BUFFER {
                line.shrink_to(READ_BUFFER);
            }
        }
    }
    // A last message without its newline still counts.
    if !skipping {
        if let Some(item) = parse_line(&line) {
            if tx.send(item).await.is_err() {
                return;
            }
        }
    }
    let _ = tx.send(Line::Eof).await;
}

/// Parses one stdout line; blank lines are skipped, a trailing CR is tolerated.
fn parse_line(line: &[u8]) -> Option<Line> {
    let trimmed = line.trim_ascii();
    if trimmed.is_empty() {
        return None;
    }
    Some(match jsonrpc::parse_bounded(trimmed) {
        Ok(value) => Line::Message(jsonrpc::classify(value)),
        Err(jsonrpc::ParseError::Invalid(_)) => Line::NotJson {
            snippet: snippet(trimmed, 200),
        },
        Err(e) => Line::TooBig(super::super::parse_failure(e, trimmed, "")),
    })
}

/// The last bytes the server wrote to stderr, shared with the task that reads them.
#[derive(Debug, Clone)]
pub(super) struct StderrTail(Arc<Mutex<VecDeque<u8>>>);

impl StderrTail {
    pub(super) fn new() -> StderrTail {
        StderrTail(Arc::new(Mutex::new(VecDeque::with_capacity(
            STDERR_TAIL_BYTES,
        ))))
    }

    /// The last (at most 8 KiB) bytes, lossily decoded.
    pub(super) fn text(&self) -> String {
        let buf = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let bytes: Vec<u8> = buf.iter().copied().collect();
        drop(buf);
        // A full buffer was cut at an arbitrary byte: skip a partial character.
        let skip = if bytes.len() >= STDERR_TAIL_BYTES {
            bytes
                .iter()
                .take(3)
                .take_while(|b| (**b & 0xC0) == 0x80)
                .count()
        } else {
            0
        };
        String::from_utf8_lossy(&bytes[skip..]).into_owned()
    }
}

/// Keeps reading stderr so the server never blocks on it; keeps the last bytes.
pub(super) async fn drain_stderr<R: AsyncRead + Unpin>(mut stderr: R, tail: StderrTail) {
    let mut buf = vec![0u8; 4096];
    loop {
        match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let mut kept = tail.0.lock().unwrap_or_else(PoisonError::into_inner);
                kept.extend(buf.iter().take(n).copied());
                let excess = kept.len().saturating_sub(STDERR_TAIL_BYTES);
                kept.drain(..excess);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn read_all(input: &[u8], max_line: usize) -> Vec<Line> {
        let (tx, mut rx) = mpsc::channel(64);
        read_lines(input, max_line, tx).await;
        let mut out = Vec::new();
        while let Ok(line) = rx.try_recv() {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn lines_are_split_parsed_and_bounded() {
        let mut input = Vec::new();
        input.extend_from_slice(b"\r\n{\"jsonrpc\":\"2.0\",\"method\":\"a\"}\r\n\n");
        input.extend_from_slice(b"Server ready\x07\n");
        input.extend_from_slice(&[b'x'; 100]);
        input.push(b'\n');
        input.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        let lines = read_all(&input, 64).await;
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(matches!(
            &lines[0],
            Line::Message(Ok(Incoming::Notification { method })) if method == "a"
        ));
        assert!(matches!(&lines[1], Line::NotJson { snippet } if snippet == "Server ready"));
        assert!(matches!(lines[2], Line::TooLarge));
        assert!(matches!(
            &lines[3],
            Line::Message(Ok(Incoming::Response { id, .. })) if id == &json!(1)
        ));
        assert!(matches!(lines[4], Line::Eof));
    }

    #[tokio::test]
    async fn a_line_longer_than_the_read_buffer_arrives_whole() {
        let text = "y".repeat(3 * READ_BUFFER);
        let message = json!({"jsonrpc": "2.0", "id": 7, "result": {"text": text}});
        let mut input = serde_json::to_vec(&message).unwrap();
        input.push(b'\n');
        let lines = read_all(&input, input.len()).await;
        assert_eq!(lines.len(), 2);
        match &lines[0] {
            Line::Message(Ok(Incoming::Response { outcome, .. })) => {
                assert_eq!(
                    outcome.as_ref().unwrap()["text"].as_str().unwrap().len(),
                    text.len()
                );
            }
            other => panic!("{other:?}"),
        }
        // One byte less of limit: the line is too large, and only that is reported.
        let lines = read_all(&input, input.len() - 2).await;
        assert!(
            matches!(lines[..], [Line::TooLarge, Line::Eof]),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn stderr_keeps_only_its_tail() {
        let mut input = vec![b'a'; 3 * STDERR_TAIL_BYTES];
        input.extend_from_slice("\nlast: é\n".as_bytes());
        let tail = StderrTail(Arc::new(Mutex::new(VecDeque::new())));
        drain_stderr(&input[..], tail.clone()).await;
        let kept = tail.0.lock().unwrap();
        assert_eq!(kept.len(), STDERR_TAIL_BYTES);
        let text: Vec<u8> = kept.iter().copied().collect();
        assert!(String::from_utf8(text).unwrap().ends_with("last: é\n"));
    }
}
