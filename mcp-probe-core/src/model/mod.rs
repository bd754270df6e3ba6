//! The model: what a probe is asked to do (a [`Scenario`] of [`Step`]s, with limits, TLS and
//! OAuth options) and what it found (a [`Report`] with its facts). Plain serde data; it
//! imports nothing from the rest of the engine, which all imports it.

pub(crate) mod codes;
pub(crate) mod elicitation;
pub(crate) mod expect;
pub(crate) mod facts;
pub(crate) mod failure;
pub(crate) mod limits;
pub(crate) mod load;
pub(crate) mod oauth;
pub(crate) mod options;
pub(crate) mod protocol;
pub(crate) mod report;
pub(crate) mod scenario;
mod scenario_steps;
pub(crate) mod steps;
pub(crate) mod surface;
pub(crate) mod tls;
mod visit;

pub use codes::{
    AuthCheck, FailureReason, NegotiationMode, SessionClose, TimeoutPhase, UnknownValue,
    WarningCode,
};
pub use elicitation::{ElicitationAction, ElicitationAnswer};
pub use expect::{Expect, MAX_PATTERN_BYTES};
pub use facts::{AuthFacts, AuthFinding, ExchangeTimings, FindingStatus, Timings, TlsFacts};
pub use failure::{Failure, FailureCode, FailureFamily, RpcErrorFact};
pub use limits::{Limits, Timeouts, MAX_LIMIT_BYTES, MAX_PAGES, MAX_STEPS, MAX_TIMEOUT};
pub use load::{parse_percent, LoadThresholds};
pub use oauth::{OAuthFlow, OAuthMethod, OAuthSpec, DEFAULT_REDIRECT_URI};
pub use options::{parse_duration, CheckOptions, OptionsError};
pub use protocol::{
    Era, FollowRedirects, ProtocolChoice, TransportChoice, TransportKind, HANDSHAKE_ERA_VERSIONS,
    LATEST_HANDSHAKE_VERSION, MODERN_VERSION,
};
pub use report::{
    CallResult, MatrixEntry, Negotiation, Report, ServerInfo, ServerMessage, ServerMessageKind,
    SessionFacts, StepReport, StepStatus, ToolInfo, Warning, REPORT_SCHEMA_VERSION,
};
pub use scenario::{CommandSpec, Scenario, TargetSpec};
pub use steps::{
    CallToolExpect, CallToolStep, CheckAuthStep, GetPromptStep, HandshakeExpect, HandshakeStep,
    ListPromptsStep, ListResourceTemplatesStep, ListResourcesStep, ListToolsExpect, ListToolsStep,
    PingStep, ReadResourceStep, RequestStep, Step,
};
pub(crate) use surface::{bounded_schema_counted, MAX_SCHEMA_BYTES};
pub use surface::{
    ChangeKind, PromptArgument, Surface, SurfaceChange, SurfacePrompt, SurfaceResource,
    SurfaceTemplate, SurfaceTool, SNAPSHOT_VERSION,
};
pub use tls::{TlsOptions, DEFAULT_CERT_WARN_DAYS, MAX_CERT_DAYS};
