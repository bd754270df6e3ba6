#![doc = include_str!("../README.md")]

mod auth;
mod clock;
mod error;
mod file;
#[doc(hidden)]
pub mod fuzz;
mod http;
mod jsonrpc;
mod model;
mod negotiate;
mod probe;
mod scrub;
mod session;
pub mod sse;
mod steps;
mod text;
mod transport;
mod urls;

pub use error::{Error, ErrorKind};
pub use http::target::{Secret, Target};
pub use model::{
    parse_duration, parse_percent, AuthCheck, AuthFacts, AuthFinding, CallResult, CallToolExpect,
    CallToolStep, ChangeKind, CheckAuthStep, CheckOptions, CommandSpec, ElicitationAction,
    ElicitationAnswer, Era, ExchangeTimings, Expect, Failure, FailureCode, FailureFamily,
    FailureReason, FindingStatus, FollowRedirects, GetPromptStep, HandshakeExpect, HandshakeStep,
    Limits, ListPromptsStep, ListResourceTemplatesStep, ListResourcesStep, ListToolsExpect,
    ListToolsStep, LoadThresholds, MatrixEntry, Negotiation, NegotiationMode, OAuthFlow,
    OAuthMethod, OAuthSpec, OptionsError, PingStep, PromptArgument, ProtocolChoice,
    ReadResourceStep, Report, RequestStep, RpcErrorFact, Scenario, ServerInfo, ServerMessage,
    ServerMessageKind, SessionClose, SessionFacts, Step, StepReport, StepStatus, Surface,
    SurfaceChange, SurfacePrompt, SurfaceResource, SurfaceTemplate, SurfaceTool, TargetSpec,
    TimeoutPhase, Timeouts, Timings, TlsFacts, TlsOptions, ToolInfo, TransportChoice,
    TransportKind, UnknownValue, Warning, WarningCode, DEFAULT_CERT_WARN_DAYS,
    DEFAULT_REDIRECT_URI, HANDSHAKE_ERA_VERSIONS, LATEST_HANDSHAKE_VERSION, MAX_CERT_DAYS,
    MAX_LIMIT_BYTES, MAX_PAGES, MAX_PATTERN_BYTES, MAX_STEPS, MAX_TIMEOUT, MODERN_VERSION,
    REPORT_SCHEMA_VERSION, SNAPSHOT_VERSION,
};
pub use probe::{check, OpenSession, Prober};
