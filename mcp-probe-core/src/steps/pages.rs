//! Paginated listings (`tools/list`, `resources/list`, `resources/templates/list`,
//! `prompts/list`): following `nextCursor` up to the page cap, refusing cursors that are too
//! long, repeat or are not strings.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use serde_json::{json, Value};

use super::{malformed, record_cache_hints, rpc_failure, StepContext};
use crate::model::{Failure, FailureReason, WarningCode};

/// Longest `nextCursor` followed.
const MAX_CURSOR_BYTES: usize = 64 * 1024;

/// Requests `method` page after page, handing each result with its page number (from 1) to
/// `take`, up to `maxPages` pages (a warning when the cap stops the listing). Returns the
/// number of pages read. Earlier cursors are remembered by hash only.
pub(crate) async fn paginate<F>(
    cx: &mut StepContext<'_>,
    method: &str,
    mut take: F,
) -> Result<u32, Failure>
where
    F: FnMut(&mut StepContext<'_>, &Value, u32) -> Result<(), Failure>,
{
    let mut cursors = Cursors::default();
    let mut cursor: Option<String> = None;
    let mut pages: u32 = 0;
    loop {
        if pages >= cx.limits.max_pages {
            cx.log.warn(
                WarningCode::PageCapReached,
                format!("{method}: stopped after {pages} pages (maxPages); the listing may be incomplete"),
            );
            break;
        }
        let params = cursor.take().map(|c| json!({ "cursor": c }));
        let outcome = cx.session.request(method, params, cx.log).await?;
        pages += 1;
        let result = outcome.map_err(|e| rpc_failure(method, e))?;
        record_cache_hints(cx.report, &result);
        take(cx, &result, pages)?;
        match cursors.next(method, &result, pages)? {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(pages)
}

/// The cursors followed so far, by hash.
#[derive(Default)]
struct Cursors {
    hasher: RandomState,
    seen: HashSet<u64>,
}

impl Cursors {
    /// The cursor of the next page, `None` after the last page; a cursor too long, seen
    /// before or not a string is a failure.
    fn next(&mut self, method: &str, result: &Value, page: u32) -> Result<Option<String>, Failure> {
        match result.get("nextCursor") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(next)) => {
                if next.len() > MAX_CURSOR_BYTES {
                    return Err(malformed(
                        &format!(
                            "{method}: nextCursor on page {page} is {} bytes long; a probe follows cursors of at most {MAX_CURSOR_BYTES} bytes",
                            next.len()
                        ),
                        FailureReason::CursorTooLong,
                    )
                    .with("page", page)
                    .with("cursorBytes", next.len()));
                }
                if !self.seen.insert(self.hasher.hash_one(next.as_str())) {
                    return Err(malformed(
                        &format!(
                            "{method}: nextCursor repeats an earlier cursor (pagination loop)"
                        ),
                        FailureReason::PaginationLoop,
                    )
                    .with("page", page));
                }
                Ok(Some(next.clone()))
            }
            Some(other) => Err(malformed(
                &format!(
                    "{method}: nextCursor is a {}, not a string",
                    crate::text::kind(other)
                ),
                FailureReason::InvalidField,
            )
            .with("field", "nextCursor")),
        }
    }
}
