//! The stable vocabulary of reports: reasons, timeout phases, warning codes, authorization
//! checks, negotiation modes. Each is an enum with `as_str()`, `FromStr`, `Display` and
//! serde as its `snake_case` name, and the list of its values — no code compares strings.

/// Declares a vocabulary enum: variants with their stable names, `as_str`, `ALL`, `Display`,
/// `FromStr`, serde as the name, and a JSON Schema listing the names as its `enum`.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, schemars::JsonSchema)]
        #[schemars(transform = crate::model::codes::values_as_enum)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[schemars(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in JSON and text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::model::codes::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    _ => Err(crate::model::codes::UnknownValue::new(
                        stringify!($name),
                        s,
                        $name::ALL.iter().map(|v| v.as_str()),
                    )),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Makes the JSON Schema of an enum of unit variants list their names as its `enum`
/// (schemars describes documented variants as a `oneOf` of `const`s).
pub(crate) fn values_as_enum(schema: &mut schemars::Schema) {
    let Some(branches) = schema.get("oneOf").and_then(serde_json::Value::as_array) else {
        return;
    };
    let values: Option<Vec<serde_json::Value>> =
        branches.iter().map(|b| b.get("const").cloned()).collect();
    if let Some(values) = values {
        schema.remove("oneOf");
        schema.insert("type".into(), "string".into());
        schema.insert("enum".into(), values.into());
    }
}

/// A name that is not one of an enum's values; says which values there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enum (`FailureReason`, `TransportChoice`, …).
    pub kind: &'static str,
    /// What was given.
    pub given: String,
    /// The values there are.
    pub expected: Vec<&'static str>,
}

impl UnknownValue {
    pub(crate) fn new(
        kind: &'static str,
        given: &str,
        expected: impl Iterator<Item = &'static str>,
    ) -> Self {
        UnknownValue {
            kind,
            given: given.chars().take(60).collect(),
            expected: expected.collect(),
        }
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown value {:?}; expected one of: {}",
            self.given,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownValue {}

vocabulary! {
    /// Why a failure happened, more precisely than its code (`details.reason`).
    pub enum FailureReason {
        /// A URL the server named resolved only to addresses a probe may not go to.
        AddressRefused => "address_refused",
        /// A redirect to another origin was not followed.
        CrossOrigin => "cross_origin",
        /// The legacy `endpoint` event named another origin.
        CrossOriginEndpoint => "cross_origin_endpoint",
        /// A `nextCursor` longer than a probe follows.
        CursorTooLong => "cursor_too_long",
        /// The legacy endpoint answered 404.
        EndpointNotFound => "endpoint_not_found",
        /// 2026-07-28 -32020: the request's headers and body disagree.
        HeaderMismatch => "header_mismatch",
        /// The response carries another id than the request.
        IdMismatch => "id_mismatch",
        /// The legacy `endpoint` event holds no usable URL.
        InvalidEndpoint => "invalid_endpoint",
        /// A field has the wrong type.
        InvalidField => "invalid_field",
        /// The answer is not valid HTTP.
        InvalidHttp => "invalid_http",
        /// The answer is not valid JSON.
        InvalidJson => "invalid_json",
        /// The answer is JSON-RPC, but broken.
        InvalidJsonrpc => "invalid_jsonrpc",
        /// The `Mcp-Session-Id` header is empty or not visible ASCII.
        InvalidSessionId => "invalid_session_id",
        /// The token endpoint's answer lacks or mistypes a field.
        InvalidTokenResponse => "invalid_token_response",
        /// A 301/302/303 would turn the POST into a GET; not followed.
        MethodChanging => "method_changing",
        /// 2026-07-28 -32021: the request lacks a client capability the server requires.
        MissingClientCapability => "missing_client_capability",
        /// A required field is missing.
        MissingField => "missing_field",
        /// The legacy stream ended without an `endpoint` event.
        NoEndpoint => "no_endpoint",
        /// A redirect without a `Location`.
        NoLocation => "no_location",
        /// A request was answered with a 2xx and no body.
        NoResponse => "no_response",
        /// A JSON answer held something else than the response.
        NotAResponse => "not_a_response",
        /// A redirect was not followed (redirects are off).
        NotFollowed => "not_followed",
        /// The answer or a line is not JSON.
        NotJson => "not_json",
        /// The answer is JSON but not JSON-RPC.
        NotJsonrpc => "not_jsonrpc",
        /// A `nextCursor` repeats an earlier one.
        PaginationLoop => "pagination_loop",
        /// The token endpoint redirected.
        Redirect => "redirect",
        /// The token response exceeded its limit.
        ResponseTooLarge => "response_too_large",
        /// An earlier message to a stdio server was not taken in time.
        StdinBlocked => "stdin_blocked",
        /// A stdio server's stdin is closed.
        StdinClosed => "stdin_closed",
        /// An SSE stream ended before the response.
        StreamEnded => "stream_ended",
        /// More redirects in a row than a probe follows.
        TooManyRedirects => "too_many_redirects",
    }
}

vocabulary! {
    /// What a probe was doing when a deadline passed (`details.phase`).
    pub enum TimeoutPhase {
        /// Resolving the host name.
        Dns => "dns",
        /// Establishing the TCP connection.
        Connect => "connect",
        /// The TLS handshake.
        Tls => "tls",
        /// Waiting for the response headers.
        Headers => "headers",
        /// Reading the response body.
        Body => "body",
        /// Waiting for the response on an open SSE stream or a stdio server's stdout.
        StreamIdle => "stream_idle",
        /// Waiting for a legacy stream's `endpoint` event.
        Endpoint => "endpoint",
        /// Writing to a stdio server's stdin.
        Write => "write",
    }
}

vocabulary! {
    /// The checks of the authorization check (`authFindings[].check`), and the stages of
    /// token endpoint discovery that can fail (`details.check`).
    pub enum AuthCheck {
        /// An `initialize` without credentials is answered 401.
        ChallengeStatus => "challenge_status",
        /// `WWW-Authenticate` holds a well-formed Bearer challenge.
        BearerChallenge => "bearer_challenge",
        /// Protected resource metadata (RFC 9728) is found.
        ResourceMetadata => "resource_metadata",
        /// The metadata names at least one authorization server.
        AuthorizationServers => "authorization_servers",
        /// The metadata's `resource` is the server's URL.
        ResourceMatch => "resource_match",
        /// The authorization server's metadata is found.
        AsMetadata => "as_metadata",
        /// Its `issuer` is the authorization server's URL.
        IssuerMatch => "issuer_match",
        /// It supports PKCE S256.
        PkceS256 => "pkce_s256",
        /// Every URL learnt from the server may be fetched.
        MetadataUrlSafe => "metadata_url_safe",
        /// Discovery: the metadata names a usable token endpoint.
        TokenEndpoint => "token_endpoint",
        /// Discovery: the server asked for no credentials.
        NotProtected => "not_protected",
    }
}

vocabulary! {
    /// How a probe chose its protocol era (`negotiation.mode`).
    #[derive(Default)]
    pub enum NegotiationMode {
        /// Detected now.
        #[default]
        Auto => "auto",
        /// Detected by an earlier probe of the same URL in this process.
        Cached => "cached",
        /// The scenario fixed the era or version.
        Pinned => "pinned",
    }
}

vocabulary! {
    /// Stable codes of warnings (`warnings[].code`).
    pub enum WarningCode {
        /// The certificate expires sooner than `certWarnDays`.
        CertExpiring => "cert_expiring",
        /// A tool is listed more than once.
        DuplicateTool => "duplicate_tool",
        /// A legacy stream sent events before its `endpoint` event.
        EventBeforeEndpoint => "event_before_endpoint",
        /// Certificate verification was switched off.
        InsecureTls => "insecure_tls",
        /// A response to an earlier, abandoned request arrived late and was skipped.
        LateResponse => "late_response",
        /// The handshake result has no capabilities object.
        MissingCapabilities => "missing_capabilities",
        /// The handshake result has no serverInfo object.
        MissingServerInfo => "missing_server_info",
        /// A notification was answered with a 2xx other than 202.
        NotificationNot202 => "notification_not_202",
        /// A listing stopped at `maxPages`.
        PageCapReached => "page_cap_reached",
        /// More server messages arrived than a step records.
        ServerMessagesDropped => "server_messages_dropped",
        /// The answer to a server request could not be delivered.
        ServerRequestAnswerFailed => "server_request_answer_failed",
        /// The answer to a server request was refused.
        ServerRequestAnswerRejected => "server_request_answer_rejected",
        /// More server requests arrived than a step answers.
        ServerRequestsUnanswered => "server_requests_unanswered",
        /// The server forgot the session; the probe re-initialized once.
        SessionReinitialized => "session_reinitialized",
        /// The server's surface changed from `expectSurface` in ways its clients tolerate.
        SurfaceChangedCompatible => "surface_changed_compatible",
        /// More tools were listed than a report keeps.
        ToolsTruncated => "tools_truncated",
        /// A 2026-07-28 result carries an unexpected `resultType`.
        UnexpectedResultType => "unexpected_result_type",
        /// An SSE event of an unexpected type was ignored.
        UnexpectedSseEvent => "unexpected_sse_event",
        /// The authorization check: not protected.
        AuthChallengeStatus => "auth_challenge_status",
        /// The authorization check: a Bearer challenge without `scope`.
        AuthBearerChallenge => "auth_bearer_challenge",
        /// The authorization check: metadata found only at a fallback URL.
        AuthResourceMetadata => "auth_resource_metadata",
        /// The authorization check: more than one authorization server.
        AuthAuthorizationServers => "auth_authorization_servers",
        /// The authorization check: the resource differs in a way clients tolerate.
        AuthResourceMatch => "auth_resource_match",
        /// The authorization check: only OpenID Connect discovery.
        AuthAsMetadata => "auth_as_metadata",
        /// The authorization check: the issuer differs in a way clients tolerate.
        AuthIssuerMatch => "auth_issuer_match",
        /// The authorization check: S256 among other methods.
        AuthPkceS256 => "auth_pkce_s256",
        /// The authorization check: a URL learnt from the server.
        AuthMetadataUrlSafe => "auth_metadata_url_safe",
    }
}

impl WarningCode {
    /// The warning an authorization finding with status `warn` raises.
    pub fn for_auth_check(check: AuthCheck) -> WarningCode {
        match check {
            AuthCheck::ChallengeStatus | AuthCheck::NotProtected => {
                WarningCode::AuthChallengeStatus
            }
            AuthCheck::BearerChallenge => WarningCode::AuthBearerChallenge,
            AuthCheck::ResourceMetadata => WarningCode::AuthResourceMetadata,
            AuthCheck::AuthorizationServers => WarningCode::AuthAuthorizationServers,
            AuthCheck::ResourceMatch => WarningCode::AuthResourceMatch,
            AuthCheck::AsMetadata => WarningCode::AuthAsMetadata,
            AuthCheck::IssuerMatch => WarningCode::AuthIssuerMatch,
            AuthCheck::PkceS256 => WarningCode::AuthPkceS256,
            AuthCheck::MetadataUrlSafe | AuthCheck::TokenEndpoint => {
                WarningCode::AuthMetadataUrlSafe
            }
        }
    }
}

/// How the probe ended the session (`session.closed`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionClose {
    /// Streamable HTTP: the DELETE was accepted.
    Deleted,
    /// Streamable HTTP: the DELETE was answered 404, the session was gone already.
    AlreadyGone,
    /// Streamable HTTP: the DELETE was answered 405, the server does not end sessions so.
    NotSupported,
    /// Streamable HTTP: the DELETE failed.
    Failed,
    /// Streamable HTTP: the DELETE was not answered within the clean-up budget.
    TimedOut,
    /// Legacy HTTP+SSE: the stream was closed.
    Closed,
    /// stdio: how the server process (and its process group) ended, in words
    /// (`exited (code 0)`, `terminated`, `killed; its remaining processes were killed`, …).
    Process(String),
}

impl SessionClose {
    const NAMED: [(SessionClose, &'static str); 6] = [
        (SessionClose::Deleted, "deleted"),
        (SessionClose::AlreadyGone, "already_gone"),
        (SessionClose::NotSupported, "not_supported"),
        (SessionClose::Failed, "failed"),
        (SessionClose::TimedOut, "timed_out"),
        (SessionClose::Closed, "closed"),
    ];

    /// How the report shows it.
    pub fn as_str(&self) -> &str {
        match self {
            SessionClose::Process(text) => text,
            named => Self::NAMED
                .iter()
                .find(|(v, _)| v == named)
                .map_or("", |(_, text)| text),
        }
    }

    /// Reads the report's text back; anything but the named outcomes is a process's end.
    pub fn parse(text: &str) -> SessionClose {
        Self::NAMED.iter().find(|(_, t)| *t == text).map_or_else(
            || SessionClose::Process(text.to_owned()),
            |(v, _)| v.clone(),
        )
    }

    /// The free text in it, if any (for scrubbing).
    pub fn text_mut(&mut self) -> Option<&mut String> {
        match self {
            SessionClose::Process(text) => Some(text),
            _ => None,
        }
    }
}

/// In JSON a string: one of the named outcomes or, for stdio, how the process ended in words.
impl schemars::JsonSchema for SessionClose {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SessionClose".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "How the session was ended. Streamable HTTP: `deleted`, `already_gone` (404), `not_supported` (405), `failed` or `timed_out`; legacy HTTP+SSE: `closed`; stdio: how the server process ended, in words (`exited (code 0)`, `terminated`, `killed; its remaining processes were killed`, …)."
        })
    }
}

impl PartialEq<&str> for SessionClose {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for SessionClose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for SessionClose {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SessionClose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Ok(SessionClose::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_serde() {
        for r in FailureReason::ALL {
            assert_eq!(r.as_str().parse::<FailureReason>().unwrap(), *r);
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json, r.as_str());
            assert_eq!(serde_json::from_value::<FailureReason>(json).unwrap(), *r);
        }
        for c in AuthCheck::ALL {
            let w = WarningCode::for_auth_check(*c);
            assert!(w.as_str().starts_with("auth_"), "{w}");
        }
        for (v, text) in SessionClose::NAMED {
            assert_eq!(SessionClose::parse(text), v);
        }
        assert_eq!(
            SessionClose::parse("exited (code 0)"),
            SessionClose::Process("exited (code 0)".into())
        );
        let e = "sometimes".parse::<NegotiationMode>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown value \"sometimes\"; expected one of: auto, cached, pinned"
        );
    }
}
