//! The wait for a response shared by the transports whose server messages all arrive on one
//! channel (stdio's stdout, legacy HTTP+SSE's stream): take what comes until the response
//! with the expected id, answering server requests, recording notifications and skipping
//! late responses to abandoned requests on the way.
//!
//! What is specific to a transport (how the next message is read, what ends the wait, how an
//! answer is sent) stays with it, behind [`Inbox`].

use serde_json::Value;

use super::{response_from, AbandonedIds};
use crate::clock::Deadline;
use crate::http::log::StepLog;
use crate::jsonrpc::{Incoming, NotRpc, RpcOutcome};
use crate::model::{Failure, ServerMessage, ServerMessageKind, WarningCode};

/// What a transport took off its channel.
pub(super) enum Next<H> {
    /// A JSON-RPC message, classified, with what it holds while it is handled.
    Message(Result<Incoming, NotRpc>, H),
    /// Something that is no message and is passed over (the transport warned if need be).
    Skip,
    /// The wait is over: the channel ended, broke, timed out, or carried garbage.
    Fail(Failure),
}

/// Counts kept over one wait, for failures' details and once-only warnings.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Items taken off the channel (counted by the transport as it takes them).
    pub(super) read: u64,
    /// Items passed over (counted by the transport).
    pub(super) ignored: u64,
    /// Late responses skipped.
    late: u64,
}

/// How a transport tells of the late responses it skips.
#[derive(Debug, Clone, Copy)]
pub(super) enum LateWarning {
    /// Every one: "skipped the late response to the earlier request N".
    EveryOne,
    /// The first of a wait only: "skipped a late response to the earlier request N".
    FirstOnly,
}

/// A transport whose server messages arrive on one channel.
pub(super) trait Inbox {
    /// What a message holds while it is handled (legacy HTTP+SSE: its bytes in the budget).
    type Hold;
    /// How skipped late responses are told.
    const LATE: LateWarning;
    /// The `where` detail added to the failure a wrong response is, if any.
    const WHERE: Option<&'static str>;

    /// The next item, by `deadline`; `what` names the request in failures.
    async fn next(
        &mut self,
        what: &str,
        deadline: &Deadline,
        tally: &mut Tally,
        log: &mut StepLog,
    ) -> Next<Self::Hold>;

    /// Answers a server request that arrived while waiting and records how that went (within
    /// the cap of [`crate::http::log::MAX_ANSWERS`]).
    async fn answer(
        &mut self,
        id: &Value,
        method: &str,
        params: &Value,
        deadline: Deadline,
        log: &mut StepLog,
    );

    /// Ids of requests that failed; their responses may still arrive.
    fn abandoned(&mut self) -> &mut AbandonedIds;
}

/// Waits for the response with id `expected` to the request `what`, handling what else
/// arrives; the response (or the failure it is) ends the wait, as does any [`Next::Fail`].
pub(super) async fn wait_for<T: Inbox>(
    inbox: &mut T,
    expected: &Value,
    what: &str,
    deadline: Deadline,
    log: &mut StepLog,
) -> Result<RpcOutcome, Failure> {
    let mut tally = Tally::default();
    loop {
        let (message, _hold) = match inbox.next(what, &deadline, &mut tally, log).await {
            Next::Message(message, hold) => (message, hold),
            Next::Skip => continue,
            Next::Fail(failure) => return Err(failure),
        };
        match message {
            Ok(Incoming::Request { id, method, params }) => {
                inbox.answer(&id, &method, &params, deadline, log).await;
            }
            Ok(Incoming::Notification { method }) => {
                log.record(ServerMessage {
                    kind: ServerMessageKind::Notification,
                    method,
                    answer: None,
                });
            }
            Ok(Incoming::Response { id, .. }) if &id != expected && inbox.abandoned().take(&id) => {
                tally.late += 1;
                warn_late(T::LATE, what, &id, tally.late, log);
            }
            other => {
                let result = response_from(other, expected, what);
                return match T::WHERE {
                    Some(place) => result.map_err(|f| f.with("where", place)),
                    None => result,
                };
            }
        }
    }
}

/// Warns of the `nth` late response skipped in a wait, as the transport tells them.
fn warn_late(how: LateWarning, what: &str, id: &Value, nth: u64, log: &mut StepLog) {
    let (article, warn) = match how {
        LateWarning::EveryOne => ("the", true),
        LateWarning::FirstOnly => ("a", nth == 1),
    };
    if warn {
        log.warn(
            WarningCode::LateResponse,
            format!(
                "{what}: skipped {article} late response to the earlier request {}",
                crate::text::short(id)
            ),
        );
    }
}
