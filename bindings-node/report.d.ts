/* Generated from docs/report.schema.json by scripts/gen_report_types.py; do not edit. */
/* eslint-disable */

/**
 * The checks of the authorization check (`authFindings[].check`), and the stages of token endpoint
 * discovery that can fail (`details.check`).
 */
export type AuthCheck = 'challenge_status' | 'bearer_challenge' | 'resource_metadata' | 'authorization_servers' | 'resource_match' | 'as_metadata' | 'issuer_match' | 'pkce_s256' | 'metadata_url_safe' | 'token_endpoint' | 'not_protected'

/** How the probe got its access token: the report's `auth`. */
export interface AuthFacts {
  /** Whether the token was one an earlier probe of the same `Prober` got (no request made). */
  cached: boolean
  /** Time spent getting the token, in milliseconds (part of the probe's `durationMs`). */
  durationMs: number
  /**
   * The grant that got the token: `client_credentials`, `authorization_code` (the headless
   * authorization-code flow with PKCE), `refresh_token` (a refresh of an earlier grant, or of a
   * refresh token the user gave) or `jwt_bearer` (a workload's JWT, RFC 7523).
   */
  method: 'client_credentials' | 'authorization_code' | 'refresh_token' | 'jwt_bearer'
  /**
   * HTTP requests made for the token: discovery, registration, the authorization request and the
   * token request (0 when cached).
   */
  requests: number
  /** The token endpoint (user info removed, query values redacted), once known. */
  tokenEndpoint?: string
}

/** One thing the authorization check looked at, and what it found. */
export interface AuthFinding {
  /**
   * Stable `snake_case` id of the check: `challenge_status`, `bearer_challenge`,
   * `resource_metadata`, `authorization_servers`, `resource_match`, `as_metadata`, `issuer_match`,
   * `pkce_s256` or `metadata_url_safe`.
   */
  check: AuthCheck
  /** One sentence for a human. */
  message: string
  /** Whether the check passed, deserves a warning, or failed. */
  status: FindingStatus
  /** The URL the finding is about, redacted (no user info, query values hidden). */
  url?: string
}

/** What a `tools/call` returned. */
export interface CallResult {
  /** The types of the content items, in order (`text`, `image`, …). */
  contentTypes: Array<string>
  /** `isError` as the server sent it (absent = false). */
  isError: boolean
  /** Whether the result carried `structuredContent`. */
  structured: boolean
  /** The text content items joined with a newline (truncated to 4,096 characters). */
  text: string
}

/** A protocol era: how a client starts talking to a server. */
export type Era = 'handshake' | 'modern'

/** The timings of one HTTP exchange. */
export interface ExchangeTimings {
  /** Reading the response body (for an SSE answer: until the response event arrived). */
  bodyMs: number
  /** Establishing the TCP connection. */
  connectMs?: number
  /** Resolving the host name (0 for an IP address). */
  dnsMs?: number
  /** What was sent: the JSON-RPC method, or the HTTP request (`GET stream`). */
  request: string
  /**
   * `true` when no new connection was opened: the exchange (every exchange of a step) went over a
   * connection kept from an earlier one, so it had no DNS, connect or TLS phase.
   */
  reusedConnection: boolean
  /** The TLS handshake. */
  tlsMs?: number
  /** The whole exchange, from sending the request to the end of the body. */
  totalMs: number
  /**
   * From the connection being ready (or the request start, on a reused connection) until the
   * response headers arrived: blackbox_exporter's `processing`.
   */
  ttfbMs: number
}

/**
 * Why a probe failed: a stable code, a human message, machine-readable details.
 *
 * The facts the engine decides on (reason, timeout phase, HTTP status, JSON-RPC error,
 * authorization check) are typed (`Failure::reason`, …) and also written into `details` under
 * their documented keys; a failure read back from JSON gets them from there.
 */
export interface Failure {
  /** The stable code. */
  code: FailureCode
  /** Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs actual…). */
  details?: Record<string, unknown>
  /** The family of the code (what the CLI's exit code is chosen by). */
  family: FailureFamily
  /** One sentence for a human. */
  message: string
  /** The step that failed. */
  step?: string
}

/** Stable failure codes. Serialized in `snake_case`; never renamed. */
export type FailureCode = 'dns' | 'connect_refused' | 'connect_unreachable' | 'connect' | 'connection_reset' | 'tls_handshake' | 'tls_expired' | 'tls_not_yet_valid' | 'tls_hostname_mismatch' | 'tls_untrusted' | 'cert_expiring' | 'timeout' | 'http_status' | 'redirect' | 'auth_required' | 'not_mcp' | 'malformed' | 'response_too_large' | 'session_expired' | 'protocol_version' | 'jsonrpc_error' | 'tool_error' | 'expectation_failed' | 'input_required' | 'auth_check' | 'auth_token' | 'surface_changed'

/** Families of failure codes; the CLI maps each to one exit code. */
export type FailureFamily = 'unreachable' | 'timeout' | 'tls' | 'http' | 'auth' | 'protocol' | 'tool'

/** The verdict of one `AuthFinding`. */
export type FindingStatus = 'pass' | 'warn' | 'fail'

/** One entry of the report's `matrix`: the scenario run in one era, version and transport. */
export interface MatrixEntry {
  /** How long this run took, in milliseconds. */
  durationMs: number
  /** The era spoken. */
  era: Era
  /** Why this run failed. */
  failure?: Failure
  /** Whether the scenario passed this way. */
  ok: boolean
  /** The version the server agreed to, when the handshake got that far. */
  protocolVersion?: string
  /** The protocol version asked for. */
  requestedVersion: string
  /** The transport used. */
  transport: TransportKind
}

/** How a probe chose its protocol era. */
export interface Negotiation {
  /**
   * What was sent and what came back, in order, e.g. `server/discover → HTTP 400, JSON-RPC error
   * -32000`, `initialize → 200`.
   */
  evidence: Array<string>
  /**
   * `auto` (detected now), `cached` (detected by an earlier probe of the same URL in this
   * process), or `pinned` (the scenario fixed the era or version).
   */
  mode: NegotiationMode
}

/** How a probe chose its protocol era (`negotiation.mode`). */
export type NegotiationMode = 'auto' | 'cached' | 'pinned'

/**
 * What a probe found: never an error for a failing server, always a report. See
 * docs/report-schema.md.
 */
export interface Report {
  /** `waitUntilReady` only: how many times the whole probe ran (the report is the last run's). */
  attempts?: number
  /** OAuth client credentials only: how the access token was had. */
  auth?: AuthFacts
  /** Wall-clock duration of the whole probe in milliseconds. */
  durationMs: number
  /** The protocol era that was spoken, once known. */
  era?: Era
  /** The first failure, if any (the same object as in its step). */
  failure?: Failure
  /**
   * `waitUntilReady` only: the first attempt's failure, when the last attempt's differs (or the
   * last one passed).
   */
  firstFailure?: Failure
  /**
   * `matrix` only: the probe again in every era, protocol version and transport the target could
   * speak, one entry each, in a fixed order. The rest of the report (and the verdict) is the probe
   * as asked for.
   */
  matrix?: Array<MatrixEntry>
  /** How the era was chosen, and the evidence (`server/discover → …; initialize → 200`). */
  negotiation?: Negotiation
  /** `true` when every step passed (warnings allowed). */
  ok: boolean
  /** The negotiated protocol version, once known. */
  protocolVersion?: string
  /** Version of this JSON shape (`REPORT_SCHEMA_VERSION`). */
  schemaVersion: number
  /** What the server says it is, once known. */
  server?: ServerInfo
  /** What happened to the MCP session (handshake era), the stream or the child process. */
  session: SessionFacts
  /** When the probe started (RFC 3339, UTC). */
  startedAt: string
  /** stdio only: the end of what the server wrote to stderr (at most 8 KiB). */
  stderr?: string
  /** One entry per scenario step, in order; steps after a failure are `skip`. */
  steps: Array<StepReport>
  /**
   * When the probe listed tools (or resources, resource templates, prompts): the `sha256:` hash of
   * the canonical surface of what it listed (see `docs/surface.md`).
   */
  surfaceHash?: string
  /** The probed URL with credentials and query values redacted. */
  target: string
  /** `https` only: the certificate the server presented on the probe's first connection. */
  tls?: TlsFacts
  /** The transport that was spoken. */
  transport: TransportKind
  /** Things worth knowing that did not fail the probe. */
  warnings: Array<Warning>
}

/** The server's self-description from the handshake. */
export interface ServerInfo {
  /** Names of the capabilities the server declared (`tools`, `resources`, …), sorted. */
  capabilities: Array<string>
  /** `serverInfo.name`. */
  name: string
  /** `serverInfo.title`, when given. */
  title?: string
  /** `serverInfo.version`. */
  version: string
}

/** A message the server sent on its own while a request was pending. */
export interface ServerMessage {
  /** For requests: how the probe answered (`result` or `error -32601`), or `unanswered`. */
  answer?: string
  /** Notification or request. */
  kind: ServerMessageKind
  /** The JSON-RPC method. */
  method: string
}

/** Whether a server message expected an answer. */
export type ServerMessageKind = 'notification' | 'request'

/** What happened to the MCP session. */
export interface SessionFacts {
  /**
   * How the session was ended, absent when it was not: Streamable HTTP `deleted`, `already_gone`
   * (404), `not_supported` (405), `failed` or `timed_out`; legacy HTTP+SSE `closed`; stdio how the
   * server process ended, in words (`exited (code 0)`, `terminated`, `killed; its remaining
   * processes were killed`, …).
   */
  closed?: string
  /** Whether the server issued a session id (the id itself is a secret and never shown). */
  issued: boolean
  /** How many times the probe had to re-initialize after the server forgot the session. */
  reinitialized: number
}

/** What one step did and found. */
export interface StepReport {
  /** For `auth`: what the authorization check found, one entry per check. */
  authFindings?: Array<AuthFinding>
  /** For 2026-07-28 results: who may share a cached result (`cacheScope`). */
  cacheScope?: string
  /** Time spent in the step in milliseconds (0 for skipped steps). */
  durationMs: number
  /** The timings of each HTTP exchange of the step, in order (at most 32). */
  exchanges?: Array<ExchangeTimings>
  /** Why the step failed. */
  failure?: Failure
  /** HTTP status of the step's last exchange, when there was one. */
  httpStatus?: number
  /**
   * How many items the step got: resources, resource templates or prompts listed (across all
   * pages), contents read, or prompt messages.
   */
  items?: number
  /** The step's name: `handshake`, `tools/list`, `tools/call`. */
  name: string
  /** Why the step passed without running (`ping` in the 2026-07-28 era, which has none). */
  note?: string
  /** For `tools/list`: the number of pages read. */
  pages?: number
  /** For `prompts/get`: the prompt got. */
  prompt?: string
  /** Number of HTTP requests the step made (pages, re-initialization and answers included). */
  requests: number
  /**
   * For a `request` step: the result object, bounded in size (a result that is not an object is
   * kept under `value`).
   */
  response?: Record<string, unknown>
  /** For `tools/call`: what the tool returned. */
  result?: CallResult
  /** Notifications and requests the server sent while the step waited for its answer. */
  serverMessages?: Array<ServerMessage>
  /**
   * How often an SSE answer was resumed with GET + `Last-Event-ID` after the server closed the
   * stream (2025-11-25 resumability).
   */
  sseResumptions?: number
  /** Pass, warn, fail or skip. */
  status: StepStatus
  /** Where the time of the step's HTTP exchanges went, summed over them. */
  timings?: Timings
  /** For `tools/call`: the tool called. */
  tool?: string
  /** For `tools/list`: the tools listed, across all pages. */
  tools?: Array<ToolInfo>
  /** For 2026-07-28 results: how long the result may be cached (`ttlMs`). */
  ttlMs?: number
  /** For `resources/read`: the resource read. */
  uri?: string
  /** Warnings raised during this step (also listed in the report's `warnings`). */
  warnings?: Array<Warning>
}

/** Outcome of one step. */
export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip'

/**
 * Time spent in each phase of HTTP exchanges, in milliseconds.
 *
 * For a step, the sums over its exchanges; `dnsMs`, `connectMs` and `tlsMs` are present only when
 * an exchange opened a new connection (`tlsMs` only for `https`).
 */
export interface Timings {
  /** Reading the response body (for an SSE answer: until the response event arrived). */
  bodyMs: number
  /** Establishing the TCP connection. */
  connectMs?: number
  /** Resolving the host name (0 for an IP address). */
  dnsMs?: number
  /**
   * `true` when no new connection was opened: the exchange (every exchange of a step) went over a
   * connection kept from an earlier one, so it had no DNS, connect or TLS phase.
   */
  reusedConnection: boolean
  /** The TLS handshake. */
  tlsMs?: number
  /** The whole exchange, from sending the request to the end of the body. */
  totalMs: number
  /**
   * From the connection being ready (or the request start, on a reused connection) until the
   * response headers arrived: blackbox_exporter's `processing`.
   */
  ttfbMs: number
}

/** Facts of the certificate a server presented (the end-entity certificate of its chain). */
export interface TlsFacts {
  /** Certificates the server presented (end entity plus intermediates). */
  chainLength: number
  /** Whole days from the probe until `notAfter`, rounded down; negative once expired. */
  daysLeft: number
  /** The host name (or IP address) the certificate was checked against. */
  host: string
  /** Whether verification was switched off (the certificate was accepted whatever it is). */
  insecure: boolean
  /** The issuer's distinguished name. */
  issuer: string
  /** End of validity (RFC 3339, UTC). */
  notAfter: string
  /** Start of validity (RFC 3339, UTC). */
  notBefore: string
  /**
   * What verification found wrong (a failure code such as `tls_expired`), also when `insecure` let
   * the connection go ahead.
   */
  problem?: string
  /** The DNS names and IP addresses of the subject alternative names. */
  sans: Array<string>
  /** The serial number in hex, bytes separated by colons. */
  serial: string
  /** The subject's distinguished name, e.g. `CN=mcp.example.com`. */
  subject: string
  /** Whether the chain was verified and found valid for the host. */
  verified: boolean
}

/** One tool as listed by `tools/list`. */
export interface ToolInfo {
  /** Its description, when given (truncated to 500 characters). */
  description?: string
  /** The tool's name. */
  name: string
  /** Its title, when given. */
  title?: string
}

/** The transport a probe spoke. */
export type TransportKind = 'streamable-http' | 'sse' | 'stdio'

/** Something worth knowing that did not fail the probe. */
export interface Warning {
  /** A stable `snake_case` code (`session_reinitialized`, `page_cap_reached`, …). */
  code: WarningCode
  /** One sentence for a human. */
  message: string
  /** The step that raised it. */
  step?: string
}

/** Stable codes of warnings (`warnings[].code`). */
export type WarningCode = 'cert_expiring' | 'duplicate_tool' | 'event_before_endpoint' | 'insecure_tls' | 'invalid_input_schema' | 'late_response' | 'missing_capabilities' | 'missing_server_info' | 'notification_not_202' | 'page_cap_reached' | 'server_messages_dropped' | 'server_request_answer_failed' | 'server_request_answer_rejected' | 'server_requests_unanswered' | 'session_reinitialized' | 'surface_changed_compatible' | 'tools_truncated' | 'unexpected_result_type' | 'unexpected_sse_event' | 'auth_challenge_status' | 'auth_bearer_challenge' | 'auth_resource_metadata' | 'auth_authorization_servers' | 'auth_resource_match' | 'auth_as_metadata' | 'auth_issuer_match' | 'auth_pkce_s256' | 'auth_metadata_url_safe'
