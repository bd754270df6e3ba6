//! What one step's exchanges did — requests made, the last HTTP status, messages the server
//! sent on its own, warnings, timings — gathered for the step's report.

use crate::model::{ElicitationAnswer, ServerMessage, ServerMessageKind, Warning, WarningCode};

/// Most server messages kept per step; more are counted, not kept.
const MAX_SERVER_MESSAGES: usize = 50;

/// Most server requests answered per step; later ones are left unanswered (a server flooding
/// `ping` requests must not make the probe send without end).
pub(crate) const MAX_ANSWERS: u32 = 100;

/// What one step's exchanges did: requests made, last HTTP status, messages received.
#[derive(Debug, Default)]
pub(crate) struct StepLog {
    pub(crate) requests: u32,
    pub(crate) http_status: Option<u16>,
    pub(crate) server_messages: Vec<ServerMessage>,
    pub(crate) dropped_messages: u32,
    pub(crate) warnings: Vec<Warning>,
    /// How often an SSE stream was resumed with GET + `Last-Event-ID`.
    pub(crate) resumptions: u32,
    /// The timings of the step's HTTP exchanges.
    pub(crate) timing: crate::http::timing::ExchangeLog,
    /// How the step answers `elicitation/create` requests, if it does.
    pub(crate) elicitation: Option<ElicitationAnswer>,
    /// Server requests answered in this step.
    answered: u32,
    /// Server requests left unanswered because of [`MAX_ANSWERS`].
    unanswered: u32,
}

impl StepLog {
    /// Records a server message, keeping at most [`MAX_SERVER_MESSAGES`].
    pub(crate) fn record(&mut self, message: ServerMessage) {
        if self.server_messages.len() < MAX_SERVER_MESSAGES {
            self.server_messages.push(message);
        } else {
            self.dropped_messages = self.dropped_messages.saturating_add(1);
        }
    }

    /// Whether a server request (`method`) may still be answered in this step; once
    /// [`MAX_ANSWERS`] were, records it as unanswered and warns (once).
    pub(crate) fn may_answer(&mut self, method: &str) -> bool {
        if self.answered < MAX_ANSWERS {
            self.answered += 1;
            return true;
        }
        self.unanswered = self.unanswered.saturating_add(1);
        if self.unanswered == 1 {
            self.warn(
                WarningCode::ServerRequestsUnanswered,
                format!(
                    "the server sent more than {MAX_ANSWERS} requests while the probe waited; \
                     the later ones were not answered"
                ),
            );
        }
        self.record(ServerMessage {
            kind: ServerMessageKind::Request,
            method: method.to_owned(),
            answer: Some("unanswered (limit)".to_owned()),
        });
        false
    }

    /// A log for a side channel of this step (its own answer cap), answering elicitations
    /// as this step does.
    pub(crate) fn side(&self) -> StepLog {
        StepLog {
            elicitation: self.elicitation.clone(),
            ..StepLog::default()
        }
    }

    /// Takes in what a side channel of the same step did (the standalone stream listened to
    /// during a call): its requests, messages and warnings.
    pub(crate) fn merge_side(&mut self, side: StepLog) {
        self.requests = self.requests.saturating_add(side.requests);
        for message in side.server_messages {
            self.record(message);
        }
        self.dropped_messages = self.dropped_messages.saturating_add(side.dropped_messages);
        self.warnings.extend(side.warnings);
    }

    /// Adds a warning.
    pub(crate) fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message));
    }
}
