#![doc = include_str!("../README.md")]

mod auth;
mod client;
mod dns;
mod error;
mod file;
#[doc(hidden)]
pub mod fuzz;
mod jsonrpc;
mod negotiate;
mod oauth;
mod probe;
mod report;
mod run;
mod scenario;
mod session;
pub mod sse;
mod steps;
mod target;
mod text;
mod timing;
mod tls;
mod transport;

pub use auth::{AuthFinding, FindingStatus};
pub use client::FollowRedirects;
pub use error::{Error, ErrorKind};
pub use negotiate::{
    Era, ProtocolChoice, HANDSHAKE_ERA_VERSIONS, LATEST_HANDSHAKE_VERSION, MODERN_VERSION,
};
pub use oauth::{AuthFacts, OAuthMethod, OAuthSpec};
pub use probe::{check, Prober};
pub use report::{
    CallResult, Failure, FailureCode, FailureFamily, Negotiation, Report, ServerInfo,
    ServerMessage, ServerMessageKind, SessionFacts, StepReport, StepStatus, ToolInfo,
    TransportKind, Warning, REPORT_SCHEMA_VERSION,
};
pub use scenario::{
    CallToolExpect, CallToolStep, CheckAuthStep, CommandSpec, HandshakeExpect, HandshakeStep,
    Limits, ListToolsExpect, ListToolsStep, Scenario, Step, TargetSpec, Timeouts, TransportChoice,
    MAX_LIMIT_BYTES, MAX_PAGES, MAX_STEPS, MAX_TIMEOUT,
};
pub use target::{Secret, Target};
pub use timing::{ExchangeTimings, Timings};
pub use tls::{TlsFacts, TlsOptions, DEFAULT_CERT_WARN_DAYS, MAX_CERT_DAYS};
