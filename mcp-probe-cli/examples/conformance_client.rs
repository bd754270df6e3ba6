//! The client under test of the official MCP conformance suite (`conformance/run.sh`).
//!
//! The suite starts a test server for one client scenario, then runs this program with the
//! server's URL as the last argument and the scenario's name in `MCP_CONFORMANCE_SCENARIO`
//! (scenarios that need data, such as credentials, also get a JSON object in
//! `MCP_CONFORMANCE_CONTEXT`; the spec version of the run is in
//! `MCP_CONFORMANCE_PROTOCOL_VERSION`). The program maps the scenario to an mcp-probe
//! [`Scenario`], runs it, prints the report as JSON on stderr and exits 0 when the probe passed,
//! 1 otherwise.
//!
//! ```sh
//! cargo build -p mcp-probe-cli --example conformance_client
//! MCP_CONFORMANCE_SCENARIO=tools_call target/debug/examples/conformance_client http://127.0.0.1:3000/mcp
//! ```

use std::process::ExitCode;

use mcp_probe_core::{
    ElicitationAction, ElicitationAnswer, OAuthFlow, OAuthMethod, OAuthSpec, ProtocolChoice,
    Scenario,
};
use serde_json::{json, Value};

/// The environment variable naming the scenario.
const SCENARIO_VAR: &str = "MCP_CONFORMANCE_SCENARIO";
/// The environment variable carrying scenario data (JSON), when the scenario has any.
const CONTEXT_VAR: &str = "MCP_CONFORMANCE_CONTEXT";
/// The environment variable naming the spec version the suite's server speaks.
const VERSION_VAR: &str = "MCP_CONFORMANCE_PROTOCOL_VERSION";
/// The spec version without the `initialize` handshake (`server/discover`, `_meta` per request).
const MODERN_VERSION: &str = "2026-07-28";
/// Where this client puts a client secret from the context for the engine to read (the
/// engine reads secrets only from the environment or a file, never from the scenario).
const SECRET_VAR: &str = "MCP_CONFORMANCE_CLIENT_SECRET";

/// What the suite asked for: the scenario's name, the server's URL and its data.
struct Request {
    scenario: String,
    url: String,
    /// `MCP_CONFORMANCE_CONTEXT` parsed, or `Value::Null` when the suite sent none.
    context: Value,
    /// `MCP_CONFORMANCE_PROTOCOL_VERSION`, when the suite set it.
    version: Option<String>,
}

/// The answer this client gives to the suite's `elicitation/create` input requests (2026-07-28
/// `input_required`): accept, confirmed.
fn confirm() -> Value {
    json!({"confirm": {"action": "accept", "content": {"confirmed": true}}})
}

/// The mcp-probe scenario for each conformance client scenario: one arm per scenario.
///
/// `None` for a scenario this client does not know (or whose context lacks what it needs).
fn scenario_for(request: &Request) -> Option<Scenario> {
    // Speak the era of the spec version the suite runs at (no `server/discover` attempt
    // against a handshake-era server, no `initialize` against a 2026-07-28 one).
    let era = match request.version.as_deref() {
        Some(MODERN_VERSION) => ProtocolChoice::Modern,
        Some(_) => ProtocolChoice::Handshake,
        None => ProtocolChoice::Auto,
    };
    let probe = Scenario::for_url(&request.url).protocol(era);
    let scenario = match request.scenario.as_str() {
        // Handshake (then the default tool listing); the suite checks what `initialize` sends.
        "initialize" => probe,
        // The suite's server lists `add_numbers` and counts the call.
        "tools_call" => probe
            .call_tool("add_numbers", json!({"a": 2, "b": 3}))
            .expect_text("The sum of 2 and 3 is 5"),
        // The tool's answer comes only after the client resumes the closed SSE stream.
        "sse-retry" => probe
            .call_tool("test_reconnection", json!({}))
            .expect_text("Reconnection test completed successfully"),
        // OAuth client credentials with client_secret_basic: the token endpoint is discovered
        // from the 401 challenge and the metadata; the suite checks the token request and that
        // the MCP requests carry the token.
        "auth/client-credentials-basic" => {
            let text = |name: &str| request.context.get(name).and_then(Value::as_str);
            let (id, secret) = (text("client_id")?, text("client_secret")?);
            // Safe here: nothing else runs yet that could read the environment concurrently.
            std::env::set_var(SECRET_VAR, secret);
            probe.oauth(OAuthSpec::secret_from_env(id, SECRET_VAR))
        }
        // OAuth client credentials with private_key_jwt (SEP-1046): the private key from the
        // context signs the client assertion; its audience is the issuer discovery finds.
        "auth/client-credentials-jwt" => {
            let text = |name: &str| request.context.get(name).and_then(Value::as_str);
            let (id, key) = (text("client_id")?, text("private_key_pem")?);
            // Safe here: nothing else runs yet that could read the environment concurrently.
            std::env::set_var(SECRET_VAR, key);
            probe.oauth(
                OAuthSpec::secret_from_env(id, SECRET_VAR).method(OAuthMethod::PrivateKeyJwt),
            )
        }
        // Workload identity (SEP-1933): the JWT-bearer grant with the workload's JWT from the
        // context; the suite's authorization server checks its signature and audience.
        "auth/wif-jwt-bearer" => {
            let text = |name: &str| request.context.get(name).and_then(Value::as_str);
            let (id, jwt) = (text("client_id")?, text("valid_jwt")?);
            // Safe here: nothing else runs yet that could read the environment concurrently.
            std::env::set_var(SECRET_VAR, jwt);
            let mut oauth = OAuthSpec::secret_from_env(id, SECRET_VAR);
            oauth.flow = OAuthFlow::JwtBearer;
            probe.oauth(oauth)
        }
        // The headless authorization-code flow with PKCE: discovery from the 401, a client
        // registered dynamically (or the pre-registered one from the context), the suite's
        // authorization server approving without a person, the code exchanged. The scenarios
        // differ in where the metadata is, which token endpoint auth method the server
        // supports, the scopes it names, and what the probe must refuse (a wrong `iss`, a
        // metadata issuer or a protected-resource `resource` that does not match).
        "auth/metadata-default"
        | "auth/metadata-var1"
        | "auth/metadata-var2"
        | "auth/metadata-var3"
        | "auth/token-endpoint-auth-basic"
        | "auth/token-endpoint-auth-post"
        | "auth/token-endpoint-auth-none"
        | "auth/scope-from-www-authenticate"
        | "auth/scope-from-scopes-supported"
        | "auth/scope-omitted-when-undefined"
        | "auth/offline-access-scope"
        | "auth/offline-access-not-supported"
        | "auth/iss-supported"
        | "auth/iss-not-advertised"
        | "auth/iss-supported-missing"
        | "auth/iss-wrong-issuer"
        | "auth/iss-unexpected"
        | "auth/iss-normalized"
        | "auth/metadata-issuer-mismatch"
        | "auth/resource-mismatch"
        // 2025-03-26: no protected resource metadata; the authorization server's metadata
        // at the server's root, or no metadata and the default endpoints there.
        | "auth/2025-03-26-oauth-metadata-backcompat"
        | "auth/2025-03-26-oauth-endpoint-fallback" => probe.oauth(OAuthSpec::authorization_code()),
        // `initialize` needs no token here; the tool listing is answered 401 (authorize with
        // the challenge's scope) and the tool call 403 insufficient_scope (step up, asking
        // for the union of the scopes).
        "auth/scope-step-up" => probe
            .oauth(OAuthSpec::authorization_code())
            .call_tool("test-tool", json!({})),
        // Every request after `initialize` is answered 403 insufficient_scope: the probe
        // re-authorizes a bounded number of times, then fails.
        "auth/scope-retry-limit" => probe.oauth(OAuthSpec::authorization_code()),
        // After the first authorized request the protected resource metadata names another
        // authorization server and the old token is refused (401): the probe discovers again
        // from that challenge and registers anew with the new server.
        "auth/authorization-server-migration" => probe
            .oauth(OAuthSpec::authorization_code())
            .call_tool("test-tool", json!({})),
        // A client ID metadata document: its URL is the client id (the suite's server
        // advertises support and never fetches it).
        "auth/basic-cimd" => probe.oauth(
            OAuthSpec::authorization_code()
                .client_metadata_url("https://conformance-test.local/client-metadata.json"),
        ),
        // A pre-registered confidential client (client_secret_basic) and no registration
        // endpoint.
        "auth/pre-registration" => {
            let text = |name: &str| request.context.get(name).and_then(Value::as_str);
            let (id, secret) = (text("client_id")?, text("client_secret")?);
            // Safe here: nothing else runs yet that could read the environment concurrently.
            std::env::set_var(SECRET_VAR, secret);
            probe.oauth(
                OAuthSpec::authorization_code()
                    .client_id(id)
                    .client_secret_env(SECRET_VAR),
            )
        }
        // 2026-07-28: the suite checks the `_meta` and `MCP-Protocol-Version` of every request,
        // and a retry after its simulated `-32022` (not implemented: an expected failure).
        "request-metadata" => probe,
        // A tool whose schema `$ref`s a canary URL: listing it must not fetch the URL.
        "json-schema-ref-no-deref" => probe,
        // `Mcp-Method` on every POST and `Mcp-Name` on tools/call, resources/read, prompts/get.
        "http-standard-headers" => probe
            .call_tool("test_headers", json!({}))
            .call_tool("my-hyphenated-tool", json!({}))
            .list_resources()
            .read_resource("file:///path/to/file%20name.txt")
            .list_prompts()
            .get_prompt("test_prompt", json!({})),
        // The tools' `x-mcp-header` parameters mirrored into `Mcp-Param-*` headers; the calls
        // come in the context.
        "http-custom-headers" => {
            let calls = request.context.get("toolCalls")?.as_array()?;
            let mut probe = probe;
            for call in calls {
                let name = call.get("name")?.as_str()?;
                let arguments = call.get("arguments").cloned().unwrap_or_else(|| json!({}));
                probe = probe.call_tool(name, arguments);
            }
            probe
        }
        // Tools with malformed `x-mcp-header` annotations are listed; only the valid one is
        // called. The engine mirrors no header from a malformed annotation, but it would call
        // such a tool if a scenario asked it to: not calling them is this scenario's choice.
        "http-invalid-tool-headers" => probe.call_tool("valid_tool", json!({"region": "us-west1"})),
        // Multi-round-trip tool calls: `requestState` echoed exactly, none invented, nothing
        // carried over to an unrelated call, a result without `resultType` taken as complete.
        "sep-2322-client-request-state" => probe
            .call_tool("test_mrtr_echo_state", json!({}))
            .input_responses(confirm())
            .call_tool("test_mrtr_no_state", json!({}))
            .input_responses(confirm())
            .call_tool("test_mrtr_unrelated", json!({}))
            .call_tool("test_mrtr_no_result_type", json!({})),
        // The server asks, during the call, for a form whose fields all have defaults
        // (SEP-1034): accepted with the defaults. Its request comes on the standalone GET
        // stream, which the probe opens for such a call.
        "elicitation-sep1034-client-defaults" => probe
            .call_tool("test_client_elicitation_defaults", json!({}))
            .answer_elicitation(ElicitationAnswer::new(ElicitationAction::Accept)),
        // The echo needs the listed schema first: see `with_listed_schema`.
        "json-schema-2020-12-preservation" => probe,
        _ => return None,
    };
    Some(scenario)
}

/// The tool of `json-schema-2020-12-preservation` whose input schema is echoed back.
const FOCAL_TOOL: &str = "json_schema_2020_12_tool";
/// The tool that takes the echoed schema as its `schema` argument.
const ECHO_TOOL: &str = "json_schema_echo";

/// For `json-schema-2020-12-preservation`: lists the server's tools with a snapshot probe,
/// then calls the echo tool with the focal tool's input schema exactly as the engine kept it,
/// so the suite sees whether any keyword was lost on the way in. Other scenarios unchanged.
async fn with_listed_schema(request: &Request, scenario: Scenario) -> Result<Scenario, String> {
    if request.scenario != "json-schema-2020-12-preservation" {
        return Ok(scenario);
    }
    let (report, surface) = mcp_probe_core::Prober::new()
        .snapshot(&scenario)
        .await
        .map_err(|e| format!("cannot list the tools: {e}"))?;
    let schema = surface
        .tools
        .iter()
        .flatten()
        .find(|t| t.name == FOCAL_TOOL)
        .and_then(|t| t.input_schema.clone())
        .ok_or_else(|| {
            format!(
                "{FOCAL_TOOL} was not listed with an input schema: {}",
                report.to_json_pretty()
            )
        })?;
    Ok(scenario.call_tool(ECHO_TOOL, json!({ "schema": schema })))
}

/// Reads the scenario, the URL (the last argument) and the context.
fn request_from_env() -> Result<Request, String> {
    let scenario = std::env::var(SCENARIO_VAR).map_err(|_| format!("{SCENARIO_VAR} is not set"))?;
    let url = std::env::args()
        .skip(1)
        .last()
        .ok_or("usage: conformance_client <server-url> (the URL comes last)")?;
    let context = match std::env::var(CONTEXT_VAR) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("{CONTEXT_VAR} is not valid JSON: {e}"))?,
        Err(_) => Value::Null,
    };
    let version = std::env::var(VERSION_VAR).ok().filter(|v| !v.is_empty());
    Ok(Request {
        scenario,
        url,
        context,
        version,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let request = match request_from_env() {
        Ok(request) => request,
        Err(message) => {
            eprintln!("conformance_client: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Some(scenario) = scenario_for(&request) else {
        eprintln!(
            "conformance_client: unknown scenario {:?}; add it to scenario_for()",
            request.scenario
        );
        return ExitCode::FAILURE;
    };
    let scenario = match with_listed_schema(&request, scenario).await {
        Ok(scenario) => scenario,
        Err(message) => {
            eprintln!("conformance_client: {message}");
            return ExitCode::FAILURE;
        }
    };
    let report = match mcp_probe_core::check(&scenario).await {
        Ok(report) => report,
        Err(e) => {
            eprintln!("conformance_client: cannot run the probe: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("{}", report.to_json_pretty());
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
